"""The review queue, signal by signal, on every set (issue 22, sixth round; a script, not a test).

    .venv/bin/python benchmarks/review_signals.py [--corpus PATH] [--write]

For each set (the corpus leave-one-notice-out by batch, ``external_dev``, the project's own 2020
table with its dev labels) it prints the share of tasks flagged and of wrong statuses flagged, then,
for each review reason (its words up to the first quoted phrase or bracket), the tasks it flags and
the wrong statuses among them, and the same for the tasks it alone flags (what turning it off in
``[review].off`` would free and lose). Reasons listed in ``[review].off`` flag nothing and are not
shown; to measure one, take it out of ``off`` and run again. The 2020 table's labelled half is
in-sample; its unlabelled half counts toward its flag rate only.

``--write`` (eighth round) writes ``data/reference/review_precision.toml``: for each signal, the corpus
LONO rows it flagged and the wrong statuses among them (the counts behind its precision), which
``src/classify/queue.py`` reads to order the review queue. The figures are the rules' flags before the
budget (the queue's own cut does not feed back into the precision it is ranked by).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_classifier import CORPUS_PATH, classify_rows, gold_dir, leave_one_notice_out  # noqa: E402

from src import paths, store  # noqa: E402
from src.classify import load_rules  # noqa: E402
from src.classify.queue import PRECISION_PATH, reason_key, reason_keys  # noqa: E402
from src.pipeline import classify_table, clean_stage  # noqa: E402
from src.report_date import metadata_report_date  # noqa: E402

BUDGET = 0.20  # issue 22: at most 20% of the tasks flagged


def sets(corpus_path: Path) -> dict[str, pd.DataFrame]:
    gold = gold_dir()
    found: dict[str, pd.DataFrame] = {}
    if corpus_path.exists():
        frame = pd.read_csv(corpus_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        frame = frame[frame["label"].str.strip() != ""].reset_index(drop=True)
        lono = leave_one_notice_out(frame, classify_rows(frame))
        for batch, part in lono.groupby("batch", sort=True):
            found[f"corpus LONO batch {batch}"] = part
        found["corpus LONO"] = lono
    external = gold / "external_dev.csv"
    if external.exists():
        found["external_dev"] = classify_rows(pd.read_csv(external, encoding="utf-8-sig", dtype=str,
                                                          keep_default_na=False))
    with tempfile.TemporaryDirectory() as scratch:
        clean_stage(paths.DEFAULT_RAW_PATH, Path(scratch))
        as_of = metadata_report_date(store.read_json(Path(scratch) / "metadata.json"))
        table = classify_table(store.read_table(Path(scratch) / "tasks.parquet"), as_of)
    dev = gold / "dev_labels.csv"
    if dev.exists():
        labels = pd.read_csv(dev, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        table = table.merge(labels[["id", "label"]].assign(task_id=lambda x: x["id"].astype(int))
                            .drop(columns="id"), on="task_id", how="left")
    found["own 2020 table (143; dev labels in-sample)"] = table
    return found


def precision_counts(frame: pd.DataFrame) -> dict:
    """``{"signals": {signal: (flagged, wrong)}, "all": (flagged, wrong)}`` over the rows the rules
    flagged (``needs_review``) of a labelled frame."""
    counts: dict = defaultdict(lambda: [0, 0])
    flagged = frame["needs_review"].astype(bool)
    wrong = frame["label"] != frame["status"]
    for reasons, is_wrong in zip(frame.loc[flagged, "review_reason"], wrong[flagged], strict=True):
        for key in reason_keys(reasons):
            counts[key][0] += 1
            counts[key][1] += int(is_wrong)
    return {"signals": {k: tuple(v) for k, v in counts.items()},
            "all": (int(flagged.sum()), int((wrong & flagged).sum()))}


def precision_toml(counts: dict, rows: int, notices: int) -> str:
    """The precision table as TOML, signals by precision then name (deterministic)."""
    flagged, wrong = counts["all"]
    lines = [
        "# The review signals' measured precision (issue 22, eighth round), read by src/classify/queue.py to",
        "# order the review queue (review_score = a signal's wrong / flagged, shrunk towards all flags'",
        "# by [review].prior_weight rows in status_rules.toml). Written by",
        "#     .venv/bin/python benchmarks/review_signals.py --write",
        f"# from the corpus leave-one-notice-out ({rows} rows, {notices} notices, rules {load_rules().version}):",
        "# flagged = corpus rows the signal flagged, wrong = those whose status is not the label.",
        "# A signal not listed here scores the precision of all flags. Do not edit by hand: run the script.",
        "",
        "[all]",
        f"flagged = {flagged}",
        f"wrong = {wrong}",
        f"precision = {wrong / flagged if flagged else 0.0:.3f}",
    ]
    for name, (n, w) in sorted(counts["signals"].items(), key=lambda kv: (-kv[1][1] / kv[1][0], kv[0])):
        lines += ["", "[[signal]]", f"name = {json.dumps(name, ensure_ascii=False)}", f"flagged = {n}",
                  f"wrong = {w}", f"precision = {w / n:.3f}"]
    return "\n".join(lines) + "\n"


def measure(name: str, frame: pd.DataFrame) -> None:
    labelled = frame["label"].notna() & (frame["label"].astype(str) != "") if "label" in frame else False
    wrong = labelled & (frame["label"] != frame["status"])
    flagged = frame["needs_review"].astype(bool)
    rate = flagged.mean()
    caught = f"{int((wrong & flagged).sum())} of {int(wrong.sum())}" if wrong.any() else "–"
    print(f"\n{name}: {len(frame)} tasks, flagged {int(flagged.sum())} ({rate:.3f}{' OVER BUDGET' if rate > BUDGET else ''}"
          f"), wrong statuses flagged {caught}")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for reasons, is_wrong in zip(frame["review_reason"].fillna(""), wrong, strict=True):
        keys = {reason_key(r) for r in reasons.split("; ") if r}
        for key in keys:
            counts[key][0] += 1
            counts[key][1] += int(is_wrong)
            if len(keys) == 1:
                counts[key][2] += 1
                counts[key][3] += int(is_wrong)
    for key, (n, errors, alone, alone_errors) in sorted(counts.items(), key=lambda kv: -kv[1][0]):
        print(f"  {n:3d} flagged, {errors:3d} wrong | alone {alone:3d}, {alone_errors:3d} wrong | {key[:90]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(CORPUS_PATH))
    parser.add_argument("--write", action="store_true", help=f"write {PRECISION_PATH.name} from the corpus LONO")
    args = parser.parse_args(argv)
    found = sets(Path(args.corpus))
    for name, frame in found.items():
        measure(name, frame)
    if args.write:
        if "corpus LONO" not in found:
            print(f"没有语料，无法写出 {PRECISION_PATH.name} / no corpus at {args.corpus}: nothing written")
            return 2
        lono = found["corpus LONO"]
        PRECISION_PATH.write_text(precision_toml(precision_counts(lono), len(lono), lono["notice_id"].nunique()),
                                  encoding="utf-8")
        print(f"\nwritten: {PRECISION_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
