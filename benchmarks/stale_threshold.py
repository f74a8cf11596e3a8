"""Measure the 进展未更新 (stale progress) threshold on generated second periods.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/stale_threshold.py [--seeds 5]

For each seed, tests/fixtures/make_second_period.py makes a Q3 table from the
2020 half-year table; its truth says which progress texts were only carried
over (dates moved 1-6月 → 1-9月: stale) and which were updated (percentages
grown, or the text replaced). Both tables are parsed, matched (src.compare), and
each matched pair's progress similarity computed (src.compare.stale). Printed:
the similarity of stale and updated pairs, of different tasks' progress (the
closest other task of the same table), and the precision / recall of the rule
(similarity >= min_similarity and the same figures) at several thresholds.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from src.compare import load_settings, match_tasks
    from src.compare.stale import figures, progress_similarity
    from src.table.parse import parse_table
    from tests.fixtures.make_second_period import RAW, make_second_period

    cli = argparse.ArgumentParser()
    cli.add_argument("--seeds", type=int, default=5)
    args = cli.parse_args()
    settings = load_settings()
    previous = parse_table(RAW).tasks
    before = dict(zip(previous["task_id"], previous["progress"]))
    pairs = []  # (similarity, same figures, truly stale)
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(args.seeds):
            made = make_second_period(Path(folder) / f"q3-{seed}.md", seed=seed)
            current = parse_table(made.path).tasks
            now = dict(zip(current["task_id"], current["progress"]))
            matches = match_tasks(current, previous, settings)
            for row in matches[matches["match"].isin(["id", "text"])].itertuples():
                old_id = made.truth.get(int(row.task_id))
                if old_id is None or old_id != int(row.previous_task_id):
                    continue
                old = str(before[old_id])
                truly_stale = "%" not in old and old_id not in made.marked_caught_up and old.strip() != ""
                new = str(now[int(row.task_id)])
                pairs.append((progress_similarity(new, old, settings),
                              figures(new, settings) == figures(old, settings), truly_stale))
    texts = [str(t) for t in previous["progress"] if str(t).strip()]
    nearest_other = []
    for i, text in enumerate(texts):
        nearest_other.append(max(progress_similarity(text, other, settings) for j, other in enumerate(texts)
                                 if j != i and re.sub(r"\s", "", other) != re.sub(r"\s", "", text)))

    def quantiles(values):
        values = sorted(values)
        pick = lambda q: values[min(len(values) - 1, int(q * (len(values) - 1)))]  # noqa: E731
        return f"min {values[0]:.3f}  p10 {pick(0.1):.3f}  median {pick(0.5):.3f}  p90 {pick(0.9):.3f}  max {values[-1]:.3f}"

    stale = [s for s, _, t in pairs if t]
    updated = [s for s, _, t in pairs if not t]
    print(f"matched pairs: {len(pairs)} over {args.seeds} seeds ({len(stale)} carried over, {len(updated)} updated)")
    print(f"similarity, carried-over progress : {quantiles(stale)}")
    print(f"similarity, updated progress      : {quantiles(updated)}")
    print(f"similarity, nearest other task    : {quantiles(nearest_other)}  (H1 table, {len(texts)} texts)")
    print("threshold  rule = similarity>=t & same figures      similarity>=t alone")
    for threshold in (0.8, 0.85, 0.9, 0.95, 0.98):
        for label, use_figures in (("rule", True), ("alone", False)):
            flagged = [(s >= threshold and (f or not use_figures), t) for s, f, t in pairs]
            tp = sum(1 for f, t in flagged if f and t)
            fp = sum(1 for f, t in flagged if f and not t)
            fn = sum(1 for f, t in flagged if not f and t)
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            if label == "rule":
                line = f"  {threshold:.2f}     precision {precision:.3f} recall {recall:.3f}"
            else:
                line += f"         precision {precision:.3f} recall {recall:.3f}"
        print(line)
    nearby = sum(1 for s in nearest_other if s >= settings["stale"]["min_similarity"])
    print(f"different tasks' progress at or above min_similarity {settings['stale']['min_similarity']}: {nearby} of {len(texts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
