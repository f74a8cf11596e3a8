"""Measure the status classifier against the reference labels (a script, not a test).

    .venv/bin/python benchmarks/evaluate_classifier.py [--labels PATH ...] [--as-of YYYY-MM-DD] [--out DIR]

    # the dev labels and the independent reading of the held-out rows:
    .venv/bin/python benchmarks/evaluate_classifier.py --labels /work/shared/gold/dev_labels.csv \
        --labels benchmarks/review_labels_heldout.csv

Builds the clean table when it is missing, classifies it (writing
tasks_classified.csv/.parquet into the output folder, default a temporary
folder so the build's own outputs are left alone), and prints the confusion
matrix, per-class precision/recall/F1, macro-F1, accuracy and every
disagreement with its evidence, for each labels file given. A labels file
with a ``confidence`` column (high/low, as benchmarks/review_labels_heldout.csv)
also gets the agreement on its high-confidence rows and the confidence of each
disagreement. The labels are only ever used here, to measure: the rules never
read them.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from src import paths  # noqa: E402
from src.classify import classify_stage, evaluate, load_rules  # noqa: E402
from src.pipeline import clean_stage  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", action="append", default=None,
                        help="reference labels CSV (id,label,evidence[,confidence]); repeat for several (default: dev labels)")
    parser.add_argument("--raw", default=str(paths.DEFAULT_RAW_PATH), help="raw table, used when the clean table is missing")
    parser.add_argument("--processed", default=str(paths.PROCESSED_DIR), help="folder with tasks.parquet and metadata.json")
    parser.add_argument("--as-of", default=None, help="report date (default: from metadata.json)")
    parser.add_argument("--out", default=None, help="where to write the classified table (default: a temporary folder)")
    args = parser.parse_args(argv)

    processed = Path(args.processed)
    if not (processed / "tasks.parquet").exists() or not (processed / "metadata.json").exists():
        print(f"clean table missing: building it from {args.raw}")
        clean_stage(args.raw, processed)

    with tempfile.TemporaryDirectory() as scratch:
        out_dir = Path(args.out) if args.out else Path(scratch)
        classified = classify_stage(processed, out_dir, as_of=args.as_of)
    label_paths = args.labels or [str(paths.DEV_LABELS_PATH)]

    rules = load_rules()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.unicode.east_asian_width", True)
    print(f"rules version {rules.version}; tolerance {rules.tolerance_pts:g} pts; {len(classified)} tasks")
    print("status counts:", classified["status"].value_counts().to_dict(),
          f"| needs_review: {int(classified['needs_review'].sum())}")
    for labels_path in label_paths:
        report(classified, labels_path)
    return 0


def report(classified: pd.DataFrame, labels_path: str) -> None:
    result = evaluate(classified, labels_path)
    if result is None:
        print(f"\nno labels at {labels_path}: nothing to compare with")
        return
    labels = pd.read_csv(labels_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    confidence = {}
    if "confidence" in labels.columns:
        id_column = "id" if "id" in labels.columns else "task_id"
        confidence = dict(zip(labels[id_column].astype(int), labels["confidence"]))
    print(f"\nreference labels: {labels_path} ({result['n']} tasks compared)\n")
    print("confusion (rows = reference, columns = predicted)")
    print(result["confusion"].to_string())
    print("\nper class")
    print(result["per_class"].round(3).to_string())
    print(f"\nmacro-F1 {result['macro_f1']:.3f}   accuracy {result['accuracy']:.3f}   n {result['n']}")
    disagreements = result["disagreements"]
    if confidence:
        high = [i for i, level in confidence.items() if level == "high"]
        wrong_high = sum(int(t) in high for t in disagreements["task_id"])
        print(f"high-confidence rows: {len(high) - wrong_high} of {len(high)} agree")
    print(f"\ndisagreements: {len(disagreements)}")
    for row in disagreements.itertuples(index=False):
        level = f", {confidence[int(row.task_id)]} confidence" if confidence else ""
        print(f"  #{row.task_id}: reference {row.reference}{level}, predicted {row.predicted} ({row.status_rule})")
        print(f"      ours:      {row.status_evidence}")
        print(f"      reference: {row.reference_evidence}")


if __name__ == "__main__":
    sys.exit(main())
