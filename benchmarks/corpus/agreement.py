"""Assemble the labelled corpus from its parts and print the readers' agreement.

    .venv/bin/python benchmarks/corpus/agreement.py            # check and print; rewrite corpus.csv

Inputs (all in this folder, all UTF-8 CSV):

* ``rows.csv``: the collected rows, verbatim, with their notice and address (README.md, "Columns");
* ``readings/reading_1.csv`` and ``readings/reading_2.csv``: the two independent readings
  (``row_id,label,evidence,note``), made by readers who saw neither each other's labels nor any
  classifier output;
* ``adjudication.csv``: the label decided where the two readings differ (``row_id,label,reason``).

Output: ``corpus.csv`` = rows + ``label_a``, ``label_b``, ``label`` (the agreed or adjudicated
label) and ``adjudication`` (the reason, where there was a disagreement). Prints Cohen's kappa
overall and by genre, the confusion of the two readings, and counts by label, genre and notice.
A row read by one reader only, an adjudication for a row the readers agreed on, or a
disagreement with no adjudication stops the script with the row ids.
"""
from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = ["completed", "on-track", "lagging", "not-reported"]


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def cohen_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two readings of the same items (1 = full agreement, 0 = chance)."""
    n = len(a)
    if n == 0:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[k] * count_b[k] for k in set(a) | set(b)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def assemble(folder: Path = HERE) -> tuple[list[dict], list[str]]:
    rows = read(folder / "rows.csv")
    one = {r["row_id"]: r for r in read(folder / "readings" / "reading_1.csv")}
    two = {r["row_id"]: r for r in read(folder / "readings" / "reading_2.csv")}
    decided = {r["row_id"]: r for r in read(folder / "adjudication.csv")} if (folder / "adjudication.csv").exists() else {}
    problems = []
    out = []
    for row in rows:
        rid = row["row_id"]
        if rid not in one or rid not in two:
            problems.append(f"{rid}: read by {'neither reader' if rid not in one and rid not in two else 'one reader only'}")
            continue
        a, b = one[rid]["label"].strip(), two[rid]["label"].strip()
        for label in (a, b):
            if label not in LABELS:
                problems.append(f"{rid}: unknown label {label!r}")
        if a == b:
            if rid in decided:
                problems.append(f"{rid}: adjudicated although both readings say {a}")
            label, reason = a, ""
        elif rid in decided:
            label, reason = decided[rid]["label"].strip(), decided[rid]["reason"].strip()
            if label not in LABELS:
                problems.append(f"{rid}: adjudicated label {label!r} unknown")
        else:
            problems.append(f"{rid}: readings differ ({a} / {b}) and no adjudication")
            continue
        out.append({**row, "label_a": a, "label_b": b, "label": label, "adjudication": reason})
    return out, problems


def main() -> int:
    corpus, problems = assemble()
    if problems:
        print("语料未能合成：", *problems, sep="\n  ")
        return 2
    a = [r["label_a"] for r in corpus]
    b = [r["label_b"] for r in corpus]
    notices = Counter(r["notice_id"] for r in corpus)
    print(f"rows {len(corpus)}, notices {len(notices)}, offices {len({r['office'] for r in corpus})}")
    print(f"Cohen's kappa {cohen_kappa(a, b):.3f}; raw agreement {sum(x == y for x, y in zip(a, b)) / len(a):.3f}; "
          f"adjudicated {sum(x != y for x, y in zip(a, b))}")
    print("reading 1 (rows) x reading 2 (columns):")
    print(" " * 14 + "".join(f"{label:>14}" for label in LABELS))
    for x in LABELS:
        print(f"{x:>14}" + "".join(f"{sum(1 for p, q in zip(a, b) if p == x and q == y):>14}" for y in LABELS))
    for genre in sorted({r["genre"] for r in corpus}):
        part = [r for r in corpus if r["genre"] == genre]
        print(f"  {genre:<10} rows {len(part):>4}  kappa {cohen_kappa([r['label_a'] for r in part], [r['label_b'] for r in part]):.3f}  "
              + "  ".join(f"{k} {v}" for k, v in Counter(r["label"] for r in part).most_common()))
    for batch in sorted({r.get("batch", "1") for r in corpus}):
        part = [r for r in corpus if r.get("batch", "1") == batch]
        print(f"  batch {batch}    rows {len(part):>4}  notices {len({r['notice_id'] for r in part}):>3}  kappa "
              f"{cohen_kappa([r['label_a'] for r in part], [r['label_b'] for r in part]):.3f}  "
              + "  ".join(f"{k} {v}" for k, v in Counter(r["label"] for r in part).most_common()))
    for key in ("label", "script", "level", "province"):
        print(f"by {key}: " + ", ".join(f"{k} {v}" for k, v in Counter(r[key] for r in corpus).most_common()))
    print("by year: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r["as_of"][:4] for r in corpus).items())))
    print("by month of as_of: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r["as_of"][5:7] for r in corpus).items())))
    fields = list(corpus[0].keys())
    with open(HERE / "corpus.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
