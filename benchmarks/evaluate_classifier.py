"""Measure the status classifier against the reference labels (a script, not a test).

    .venv/bin/python benchmarks/evaluate_classifier.py [--labels PATH] [--as-of YYYY-MM-DD] [--out DIR]

Builds the clean table when it is missing, classifies it (writing
tasks_classified.csv/.parquet into the output folder, default a temporary
folder so the build's own outputs are left alone), and prints the confusion
matrix, per-class precision/recall/F1, macro-F1, accuracy and every
disagreement with its evidence. The labels are only ever used here, to
measure: the rules never read them.
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
    parser.add_argument("--labels", default=str(paths.DEV_LABELS_PATH), help="reference labels CSV (id,label,evidence)")
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
        result = evaluate(classified, args.labels)

    rules = load_rules()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.unicode.east_asian_width", True)
    print(f"rules version {rules.version}; tolerance {rules.tolerance_pts:g} pts; {len(classified)} tasks")
    print("status counts:", classified["status"].value_counts().to_dict(),
          f"| needs_review: {int(classified['needs_review'].sum())}")
    if result is None:
        print(f"no labels at {args.labels}: nothing to compare with")
        return 0
    print(f"\nreference labels: {args.labels} ({result['n']} tasks compared)\n")
    print("confusion (rows = reference, columns = predicted)")
    print(result["confusion"].to_string())
    print("\nper class")
    print(result["per_class"].round(3).to_string())
    print(f"\nmacro-F1 {result['macro_f1']:.3f}   accuracy {result['accuracy']:.3f}   n {result['n']}")
    disagreements = result["disagreements"]
    print(f"\ndisagreements: {len(disagreements)}")
    for row in disagreements.itertuples(index=False):
        print(f"  #{row.task_id}: reference {row.reference}, predicted {row.predicted} ({row.status_rule})")
        print(f"      ours:      {row.status_evidence}")
        print(f"      reference: {row.reference_evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
