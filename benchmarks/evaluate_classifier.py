"""Measure the status classifier against the reference labels (a script, not a test).

    .venv/bin/python benchmarks/evaluate_classifier.py [--labels PATH ...] [--external PATH]
        [--half A|B|all] [--profile NAME] [--as-of YYYY-MM-DD] [--brief]

Each labelled set is reported on its own:

* the dev labels of the Hangzhou 2020 table (``../shared/gold/dev_labels.csv``)
  and, as a proxy for the held-back half, the two independent readings in
  ``benchmarks/review*_labels_heldout.csv`` (the table is classified at the
  report date of its metadata);
* ``../shared/gold/external_dev.csv``: real rows of other offices, each row
  classified with its own ``as_of`` from ``task`` and ``progress`` only; overall,
  per half (A / B: the documents alternately, in order of first appearance,
  so that families can be written while reading one half and checked on the
  other) and per document.

For each: the confusion matrix, per-class precision / recall / F1, macro-F1,
accuracy, the review figures (share of the disagreements flagged
needs_review, share of all tasks flagged) and every disagreement with its
evidence. ``--half A`` prints the disagreements of half A only (the figures of
both halves are always printed); ``--brief`` prints the figures without the
disagreements. The labels are only ever used here, to measure: the rules never
read them.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

from src import paths, store
from src.classify import classify_tasks, evaluate, load_rules
from src.classify.profiles import load_profile
from src.pipeline import classify_table, clean_stage
from src.report_date import metadata_report_date

ROOT = paths.PROJECT_ROOT

EXTERNAL_DEV_PATH = paths.GOLD_DIR / "external_dev.csv"
HELDOUT_PROXIES = [ROOT / "benchmarks" / "review_labels_heldout.csv", ROOT / "benchmarks" / "review2_labels_heldout.csv"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", action="append", default=None,
                        help="reference labels CSV for the Hangzhou table (id,label,evidence[,confidence]); repeat for "
                             "several (default: dev labels and the two readings of the held-back rows)")
    parser.add_argument("--external", default=str(EXTERNAL_DEV_PATH),
                        help="other offices' labelled rows (task, progress, as_of, doc_title, label); '' to skip")
    parser.add_argument("--half", default="all", choices=["A", "B", "all"],
                        help="print the external disagreements of this half only (figures are printed for both)")
    parser.add_argument("--brief", action="store_true", help="figures only, no list of disagreements")
    parser.add_argument("--profile", default=None, help="office profile (data/reference/profiles/<name>.toml)")
    parser.add_argument("--raw", default=str(paths.DEFAULT_RAW_PATH), help="the Hangzhou raw table")
    parser.add_argument("--as-of", default=None, help="report date of the Hangzhou table (default: from its title)")
    parser.add_argument("--out", default=None, help="where to write the classified table (default: a temporary folder)")
    args = parser.parse_args(argv)

    rules = load_rules()
    profile = load_profile(args.profile)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.unicode.east_asian_width", True)
    print(f"rules version {rules.version}; profile {profile.name} (tolerance "
          f"{profile.tolerance_pts if profile.tolerance_pts is not None else rules.tolerance_pts:g} pts)")

    with tempfile.TemporaryDirectory() as scratch:
        out_dir = Path(args.out) if args.out else Path(scratch)
        clean_stage(args.raw, out_dir, as_of=args.as_of)  # the build's clean step (and its report date)
        as_of = metadata_report_date(store.read_json(out_dir / "metadata.json"))
        classified = classify_table(store.read_table(out_dir / "tasks.parquet"), as_of, profile=args.profile or None)
        store.write_csv(classified, out_dir / "tasks_classified.csv")
    print(f"\n=== Hangzhou table: {len(classified)} tasks ===")
    print("status counts:", classified["status"].value_counts().to_dict(),
          f"| needs_review: {int(classified['needs_review'].sum())}",
          f"| no_clear_statement: {int(classified['no_clear_statement'].sum())}")
    label_paths = args.labels or [str(paths.DEV_LABELS_PATH), *map(str, HELDOUT_PROXIES)]
    for labels_path in label_paths:
        report(classified, labels_path, show=not args.brief)

    if args.external:
        external(Path(args.external), profile, args.half, show=not args.brief)
    return 0


def halves(frame: pd.DataFrame) -> dict:
    """Document → half: A, B, A, B… in order of first appearance."""
    titles = list(dict.fromkeys(frame["doc_title"]))
    return {title: "AB"[i % 2] for i, title in enumerate(titles)}


def classify_external(frame: pd.DataFrame, profile=None) -> pd.DataFrame:
    """Classify each row with its own report date, from ``task`` and ``progress`` only."""
    frame = frame.reset_index(drop=True).copy()
    frame["task_id"] = range(1, len(frame) + 1)
    parts = [classify_tasks(group[["task_id", "task", "progress"]], as_of=as_of, profile=profile)
             for as_of, group in frame.groupby("as_of", sort=True)]
    classified = pd.concat(parts).sort_values("task_id")
    return frame[["task_id", "doc_title", "as_of", "label", "official_label"]].merge(classified, on="task_id")


def external(path: Path, profile, show_half: str, show: bool) -> None:
    if not path.exists():
        print(f"\nno other offices' rows at {path}: skipped")
        return
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    classified = classify_external(frame, profile)
    half_of = halves(classified)
    classified["half"] = classified["doc_title"].map(half_of)
    labels = classified[["task_id", "label"]].assign(evidence=classified["official_label"])
    print(f"\n=== other offices' rows: {path.name} ({len(classified)} rows, {len(half_of)} documents) ===")
    result = report(classified, labels, name="all documents", show=False)
    for half in "AB":
        part = classified[classified["half"] == half]
        report(part, labels[labels["task_id"].isin(part["task_id"])], name=f"half {half}", show=False, short=True)
    print("\nper document (half, rows, correct, macro-F1, document)")
    for title, part in classified.groupby("doc_title", sort=False):
        correct = int((part["label"] == part["status"]).sum())
        doc_result = evaluate(part, labels[labels["task_id"].isin(part["task_id"])])
        print(f"  {half_of[title]}  {len(part):2d}  {correct:2d}  {doc_result['macro_f1']:.3f}  {title[:60]}")
    if show:
        wrong = classified[classified["label"] != classified["status"]]
        if show_half != "all":
            wrong = wrong[wrong["half"] == show_half]
        print(f"\ndisagreements ({'half ' + show_half if show_half != 'all' else 'all'}): {len(wrong)} "
              f"of {result['n'] - int(result['accuracy'] * result['n'] + 0.5)} overall")
        for row in wrong.itertuples(index=False):
            flag = " [flagged]" if row.needs_review else ""
            print(f"  #{row.task_id} ({row.half}, as of {row.as_of}): reference {row.label}, predicted {row.status} "
                  f"({row.status_rule}, {row.confidence}){flag}")
            print(f"      task:     {row.task}")
            print(f"      progress: {row.progress}")
            print(f"      ours:     {row.status_evidence}")
            print(f"      office:   {row.official_label}")


def report(classified: pd.DataFrame, labels, name: str | None = None, show: bool = True, short: bool = False) -> dict | None:
    result = evaluate(classified, labels)
    if result is None:
        print(f"\nno labels at {labels}: nothing to compare with")
        return None
    confidence = {}
    if not isinstance(labels, pd.DataFrame):
        frame = pd.read_csv(labels, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        if "confidence" in frame.columns:
            id_column = "id" if "id" in frame.columns else "task_id"
            confidence = dict(zip(frame[id_column].astype(int), frame["confidence"]))
    name = name or str(labels)
    review = (f"errors flagged {result['errors_flagged_share']:.0%} "
              f"({int(result['disagreements']['needs_review'].sum())} of {len(result['disagreements'])}), "
              f"tasks flagged {result['flagged_share']:.0%}")
    if short:
        print(f"  {name}: macro-F1 {result['macro_f1']:.3f}   accuracy {result['accuracy']:.3f}   n {result['n']}   "
              f"{review}")
        return result
    print(f"\nreference labels: {name} ({result['n']} tasks compared)\n")
    print("confusion (rows = reference, columns = predicted)")
    print(result["confusion"].to_string())
    print("\nper class")
    print(result["per_class"].round(3).to_string())
    print(f"\nmacro-F1 {result['macro_f1']:.3f}   accuracy {result['accuracy']:.3f}   n {result['n']}")
    print(f"review: {review}")
    disagreements = result["disagreements"]
    if confidence:
        high = [i for i, level in confidence.items() if level == "high"]
        wrong_high = sum(int(t) in high for t in disagreements["task_id"])
        print(f"high-confidence rows: {len(high) - wrong_high} of {len(high)} agree")
    if not show:
        return result
    print(f"\ndisagreements: {len(disagreements)}")
    for row in disagreements.itertuples(index=False):
        level = f", {confidence[int(row.task_id)]} confidence" if confidence else ""
        flag = " [flagged]" if row.needs_review else ""
        print(f"  #{row.task_id}: reference {row.reference}{level}, predicted {row.predicted} ({row.status_rule}){flag}")
        print(f"      ours:      {row.status_evidence}")
        print(f"      reference: {row.reference_evidence}")
    return result


if __name__ == "__main__":
    sys.exit(main())
