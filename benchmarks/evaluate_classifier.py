"""Measure the status classifier against every labelled set, each on its own (a script, not a test).

    .venv/bin/python benchmarks/evaluate_classifier.py [--gold DIR] [--corpus PATH] [--profile NAME]
        [--as-of YYYY-MM-DD] [--brief] [--show SET]

Sets, each scored separately (never pooled):

* ``dev2020``: the dev labels of the Hangzhou 2020 table (``shared/gold/dev_labels.csv``);
* the two readings of its held-back half (``benchmarks/review*_labels_heldout.csv``), with a check
  of what they are: how often each reader agrees with the other and with the rules (a reading that
  agrees with the rules on every row while the readers disagree between them is not independent of
  the rules, and its figure is printed but marked);
* ``external_dev``: real rows of other offices (``shared/gold/external_dev.csv``), each row
  classified with its own ``as_of``; overall, per half and per document;
* the corpus (``benchmarks/corpus/corpus.csv``, when present): overall, by batch, genre and script,
  and LEAVE-ONE-NOTICE-OUT: each notice scored with the rule families read from it switched off
  (``read_from`` in ``data/reference/status_rules.toml``; :func:`src.classify.rules.rules_without`).

For every set: accuracy, macro-F1, lagging recall and precision, accuracy where a rule decided (not
the default, not 未报送) with its coverage, the share of wrong statuses flagged for review and the
share of tasks flagged (:func:`src.classify.evaluation.scores`). The gold sets were read while the
families were written (every family present records "dev2020" / "external_dev"), so their figures
are in-sample; only the corpus leave-one-notice-out figures and rows no one here has read are not.
The labels are only ever used here, to measure: the rules never read them.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

# the worktree's own src/ (not another checkout an editable install may point at)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from src import paths, store  # noqa: E402
from src.classify import classify_tasks, evaluate, load_rules  # noqa: E402
from src.classify.evaluation import format_scores, scores, scores_of  # noqa: E402
from src.classify.profiles import load_profile  # noqa: E402
from src.classify.rules import families_read_from, rules_without  # noqa: E402
from src.pipeline import classify_table, clean_stage  # noqa: E402
from src.report_date import metadata_report_date  # noqa: E402

ROOT = paths.PROJECT_ROOT
HELDOUT_PROXIES = [ROOT / "benchmarks" / "review_labels_heldout.csv", ROOT / "benchmarks" / "review2_labels_heldout.csv"]
CORPUS_PATH = ROOT / "benchmarks" / "corpus" / "corpus.csv"
CORPUS_NUMBER_COLUMNS = {"target_col": "target", "actual_col": "actual", "rate_col": "rate",
                         # the published header of the target column (前三季度投资计划), passed as a table's
                         # header would be: a period's plan is judged on its own span
                         "target_header": "target_header"}


def gold_dir() -> Path:
    """``$KEY_TASKS_GOLD_DIR``, else ``shared/gold`` beside the project, else two levels up
    (a git worktree kept in a folder of worktrees)."""
    if os.environ.get("KEY_TASKS_GOLD_DIR"):
        return Path(os.environ["KEY_TASKS_GOLD_DIR"])
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "gold").is_dir():
            return base / "shared" / "gold"
    return paths.GOLD_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=None, help="folder of dev_labels.csv and external_dev.csv")
    parser.add_argument("--corpus", default=str(CORPUS_PATH), help="labelled corpus CSV ('' to skip)")
    parser.add_argument("--brief", action="store_true", help="figures only, no confusion matrices or disagreements")
    parser.add_argument("--show", default=None, help="print the disagreements of this set only (dev2020, "
                                                      "external_dev, corpus, a corpus genre; with --split-batch: "
                                                      "half-A, or read = every row outside the split batches' halves B)")
    parser.add_argument("--split-batch", default=[], nargs="*", help="also score these corpus batches' two halves: "
                        "each batch's notices in sorted order, alternately A, B, A… (rounds read half A only); "
                        "rows of a half B are never printed")
    parser.add_argument("--blind", action="store_true", help="with --split-batch: drop the split batches' halves B "
                        "before anything is classified, so no figure printed includes them (what a round reads)")
    parser.add_argument("--profile", default=None, help="office profile (data/reference/profiles/<name>.toml)")
    parser.add_argument("--raw", default=str(paths.DEFAULT_RAW_PATH), help="the Hangzhou raw table")
    parser.add_argument("--as-of", default=None, help="report date of the Hangzhou table (default: from its title)")
    args = parser.parse_args(argv)

    gold = Path(args.gold) if args.gold else gold_dir()
    rules = load_rules()
    profile = load_profile(args.profile)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.unicode.east_asian_width", True)
    print(f"rules version {rules.version}; profile {profile.name} (tolerance "
          f"{profile.tolerance_pts if profile.tolerance_pts is not None else rules.tolerance_pts:g} pts); gold {gold}")
    summary: list[tuple[str, dict]] = []

    hangzhou(args, gold, summary)
    external(gold / "external_dev.csv", args, summary)
    if args.corpus:
        corpus(Path(args.corpus), args, summary)

    print("\n=== summary (each set on its own) ===")
    for name, figures in summary:
        print(format_scores(name, figures))
    return 0


def hangzhou(args, gold: Path, summary: list) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        out_dir = Path(scratch)
        clean_stage(args.raw, out_dir, as_of=args.as_of)  # the build's clean step (and its report date)
        as_of = metadata_report_date(store.read_json(out_dir / "metadata.json"))
        classified = classify_table(store.read_table(out_dir / "tasks.parquet"), as_of, profile=args.profile or None)
    print(f"\n=== Hangzhou table: {len(classified)} tasks ===")
    print("status counts:", classified["status"].value_counts().to_dict(),
          f"| needs_review: {int(classified['needs_review'].sum())}",
          f"| by_default: {int(classified['by_default'].sum()) if 'by_default' in classified else '–'}")
    dev = gold / "dev_labels.csv"
    if dev.exists():
        result = report(classified, dev, "dev2020 (in-sample)", args, key="dev2020")
        summary.append(("dev2020 (in-sample)", result["scores"]))
    else:
        print(f"no dev labels at {dev}: skipped")
    readers = [pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False) for p in HELDOUT_PROXIES
               if p.exists()]
    if len(readers) == 2:
        check_readers(readers, classified)
    for path in HELDOUT_PROXIES:
        if path.exists():
            name = f"held-back 2020, {path.stem.split('_')[0]} (proxy)"
            result = report(classified, path, name, args, key="heldout")
            summary.append((name, result["scores"]))


def check_readers(readers: list, classified: pd.DataFrame) -> None:
    """Are the two readings what they seem? Agreement between the readers and of each with the rules."""
    a, b = (r.set_index(r["id"].astype(int))["label"] for r in readers)
    common = a.index.intersection(b.index)
    ours = classified.set_index(classified["task_id"].astype(int))["status"].reindex(common)
    ab = float((a[common] == b[common]).mean())
    a_ours = float((a[common] == ours).mean())
    b_ours = float((b[common] == ours).mean())
    print(f"\nheld-back readings, {len(common)} tasks: reader 1 = reader 2 on {ab:.1%}; "
          f"reader 1 = rules on {a_ours:.1%}; reader 2 = rules on {b_ours:.1%}")
    if a_ours > ab and a_ours == 1.0:
        print("  reader 1 agrees with the rules on every row but not with reader 2: it is not independent of the "
              "rules (a proxy at best); the held-back half measured outside the project is the figure that counts")


def report(classified: pd.DataFrame, labels, name: str, args, key: str) -> dict:
    result = evaluate(classified, labels)
    if not args.brief:
        print(f"\n--- {name} ({result['n']} tasks) ---")
        print(result["confusion"].to_string())
    print(format_scores(name, result["scores"]))
    if args.show == key:
        for row in result["disagreements"].itertuples(index=False):
            flag = " [flagged]" if row.needs_review else ""
            print(f"  #{row.task_id}: reference {row.reference}, predicted {row.predicted} ({row.status_rule}){flag}")
            print(f"      ours:      {row.status_evidence}")
            print(f"      reference: {row.reference_evidence}")
    return result


def classify_rows(frame: pd.DataFrame, profile=None, rules=None) -> pd.DataFrame:
    """Classify each row with its own report date from its task, progress and structured number columns."""
    frame = frame.reset_index(drop=True).copy()
    frame["task_id"] = range(1, len(frame) + 1)
    for column, field in CORPUS_NUMBER_COLUMNS.items():
        if column in frame.columns and field not in frame.columns:
            frame[field] = frame[column]
    columns = ["task_id", "task", "progress",
               *[c for c in ("target", "actual", "rate", "target_header") if c in frame.columns]]
    parts = [classify_tasks(group[columns], as_of=as_of, profile=profile, rules=rules)
             for as_of, group in frame.groupby("as_of", sort=True)]
    classified = pd.concat(parts).sort_values("task_id")
    keep = [c for c in frame.columns if c not in classified.columns or c == "task_id"]
    return frame[keep].merge(classified, on="task_id")


def halves(frame: pd.DataFrame) -> dict:
    """Document → half: A, B, A, B… in order of first appearance."""
    titles = list(dict.fromkeys(frame["doc_title"]))
    return {title: "AB"[i % 2] for i, title in enumerate(titles)}


def external(path: Path, args, summary: list) -> None:
    if not path.exists():
        print(f"\nno other offices' rows at {path}: skipped")
        return
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    classified = classify_rows(frame, args.profile)
    half_of = halves(classified)
    classified["half"] = classified["doc_title"].map(half_of)
    print(f"\n=== other offices' rows: {path.name} ({len(classified)} rows, {len(half_of)} documents; in-sample: "
          "the families were read from it) ===")
    figures = scores_of(classified)
    print(format_scores("external_dev (in-sample)", figures))
    summary.append(("external_dev (in-sample)", figures))
    for half in "AB":
        print(format_scores(f"  half {half}", scores_of(classified[classified["half"] == half])))
    if not args.brief:
        print("\nper document (half, rows, correct, document)")
        for title, part in classified.groupby("doc_title", sort=False):
            print(f"  {half_of[title]}  {len(part):2d}  {int((part['label'] == part['status']).sum()):2d}  {title[:60]}")
    if args.show == "external_dev":
        show_wrong(classified)


def corpus(path: Path, args, summary: list) -> None:
    if not path.exists():
        print(f"\nno corpus at {path}: skipped")
        return
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    missing = [c for c in ("notice_id", "as_of", "task", "progress", "label") if c not in frame.columns]
    if missing:
        print(f"\ncorpus {path}: 缺少列 {missing} / missing columns: skipped")
        return
    frame = frame[frame["label"].str.strip() != ""].reset_index(drop=True)
    if args.blind and args.split_batch and "batch" in frame.columns:
        kept = without_halves_b(frame, args.split_batch)
        print(f"\n--blind: {len(frame) - len(kept)} rows of the halves B of batch {', '.join(map(str, args.split_batch))} "
              "dropped before classifying; no figure below includes them")
        frame = kept
    classified = classify_rows(frame, args.profile)
    notices = classified["notice_id"].nunique()
    print(f"\n=== corpus: {path.name} ({len(classified)} labelled rows, {notices} notices) ===")
    if "label_a" in classified.columns and "label_b" in classified.columns:
        print(f"two readings: Cohen's kappa {kappa(classified['label_a'], classified['label_b']):.3f}")
    figures = scores_of(classified)
    print(format_scores("corpus (all families)", figures))
    summary.append(("corpus (all families)", figures))
    lono = leave_one_notice_out(frame, classified, args.profile)
    lono_figures = scores_of(lono)
    print(format_scores("corpus LEAVE-ONE-NOTICE-OUT", lono_figures))
    summary.append(("corpus leave-one-notice-out", lono_figures))
    read = {origin for origins in families_read_from(load_rules()).values() for origin in origins}
    unread = lono[~lono["notice_id"].isin(read)]
    if len(unread):  # notices no family was read from: the rules as shipped, never written from them
        named = f"  notices never read ({unread['notice_id'].nunique()})"
        print(format_scores(named, scores_of(unread)))
        print("    (flatters: notices were read because the rules erred on them, so the ones never read are "
              "the ones the rules already judged well)")
    for column in ("batch", "genre", "script"):
        if column not in lono.columns:
            continue
        for value, part in lono.groupby(column, sort=True):
            named = f"  LONO {column} {value}"
            print(format_scores(named, scores_of(part)))
            summary.append((named.strip(), scores_of(part)))
    split = [str(b) for b in args.split_batch] if "batch" in lono.columns and not args.blind else []
    half_of = {}
    for batch in split:
        halves_of_batch = batch_halves(lono, batch)
        half_of.update(halves_of_batch)
        for half in "AB":
            part = lono[lono["notice_id"].map(halves_of_batch) == half]
            named = f"  LONO batch {batch} half {half}"
            print(format_scores(named, scores_of(part)))
            summary.append((named.strip(), scores_of(part)))
    if args.show == "read" and args.blind:  # the halves B are gone: every row left was read
        show_wrong(lono)
    elif args.show in ("half-A", "read"):
        if split:
            show_wrong(printable(lono, half_of, args.show))
        else:
            print(f"\n--show {args.show} needs --split-batch: nothing printed")
    not_reported = classified[classified["status"] == "not-reported"]
    print(f"\n未报送 (not-reported), listed apart: {len(not_reported)}")
    if split:
        unseen = classified["notice_id"].map(half_of) == "B"
        print(f"  (of them in a half B of batch {', '.join(split)}, not listed: "
              f"{int((unseen & (classified['status'] == 'not-reported')).sum())})")
        not_reported = not_reported[~unseen[not_reported.index]]
    for row in not_reported.itertuples(index=False):
        print(f"  {row.notice_id} {getattr(row, 'row_id', '')}: reference {row.label}; task {row.task[:40]}")
    if args.show in ("corpus", *lono.get("genre", pd.Series(dtype=str)).unique()):
        wrong = lono if args.show == "corpus" else lono[lono["genre"] == args.show]
        show_wrong(wrong)


def leave_one_notice_out(frame: pd.DataFrame, classified: pd.DataFrame, profile=None) -> pd.DataFrame:
    """Each notice's rows classified with the families read from that notice switched off."""
    base = load_rules()
    read = {origin for origins in families_read_from(base).values() for origin in origins}
    parts = []
    for notice, part in classified.groupby("notice_id", sort=False):
        if notice not in read:
            parts.append(part)
            continue
        rules = rules_without(base, notice)
        again = classify_rows(frame[frame["notice_id"] == notice], profile, rules=rules)
        again["task_id"] = part["task_id"].to_numpy()
        parts.append(again)
    return pd.concat(parts).sort_values("task_id")


def batch_halves(frame: pd.DataFrame, batch: str) -> dict:
    """Notice → half of one batch: its notices in sorted order, alternately A, B, A…"""
    notices = sorted(frame.loc[frame["batch"].astype(str) == batch, "notice_id"].unique())
    return {notice: "AB"[i % 2] for i, notice in enumerate(notices)}


def without_halves_b(frame: pd.DataFrame, batches) -> pd.DataFrame:
    """The corpus a round may measure itself on (``--blind``): the given batches' halves B removed."""
    half_of = {notice: half for batch in batches for notice, half in batch_halves(frame, str(batch)).items()}
    return frame[frame["notice_id"].map(half_of) != "B"].reset_index(drop=True)


def printable(lono: pd.DataFrame, half_of: dict, show: str) -> pd.DataFrame:
    """The rows a round may read: ``half-A`` = the split batches' halves A; ``read`` = every row outside
    their halves B (batches read whole, and the halves A). A half B's row is never returned."""
    half = lono["notice_id"].map(half_of)
    return lono[half == "A"] if show == "half-A" else lono[half != "B"]


def kappa(a, b) -> float:
    a, b = pd.Series(list(a)).astype(str), pd.Series(list(b)).astype(str)
    observed = float((a == b).mean())
    expected = sum(float((a == c).mean()) * float((b == c).mean()) for c in set(a) | set(b))
    return (observed - expected) / (1 - expected) if expected < 1 else float("nan")


def show_wrong(classified: pd.DataFrame) -> None:
    wrong = classified[classified["label"] != classified["status"]]
    print(f"\ndisagreements: {len(wrong)}")
    for row in wrong.itertuples(index=False):
        flag = " [flagged]" if row.needs_review else ""
        print(f"  #{row.task_id} {getattr(row, 'row_id', '')} (as of {row.as_of}): reference {row.label}, predicted {row.status} "
              f"({row.status_rule}){flag}")
        print(f"      task:     {row.task}")
        print(f"      progress: {row.progress}")
        print(f"      ours:     {row.status_evidence}")


__all__ = ["main", "classify_rows", "leave_one_notice_out", "batch_halves", "printable", "kappa", "scores"]

if __name__ == "__main__":
    sys.exit(main())
