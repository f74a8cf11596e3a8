"""The review queue ranked: wrong statuses caught against the share of tasks flagged, the signals'
measured precision against the learned review model, strictly leave-one-notice-out (issue 22,
eighth round; a script that prints figures, not a test).

    .venv/bin/python benchmarks/review_queue.py [--corpus PATH] [--cache PATH]

Needs scikit-learn for the learned ranking (measurement only: ``pip install scikit-learn==1.9.1``).

1. Every corpus row is judged by the rules alone with the families read from its own notice
   switched off (``benchmarks/train_judgement_model.py``: ``rules_alone``), its features kept.
2. For each notice X, from the OTHER notices' rows only:
   * **signals**: each review signal's precision (wrong statuses among the rows it flagged),
     shrunk as ``src/classify/queue.py`` does; X's flagged rows scored by their most telling
     signal (the queue the build ships, with a precision table that never saw X);
   * **learned**: the review model (logistic regression over the rules' features, the rule family
     and the review signals) fitted on the other notices; X's rows scored by P(status wrong),
     among the rules' flagged rows only (a reordering of the same queue), among all rows
     (a queue of its own), and after the rules' flags ("signals, then learned": the room the
     budget leaves filled by the model's highest unflagged rows).
3. Each batch is taken as one table: its rows ranked by score (ties: table order), the first
   ``floor(share × rows)`` flagged, for shares 10%, 15%, 20%, 25%; printed: wrong statuses caught
   (of all wrong statuses of the batch). A ranking with fewer scored rows than the share stops at
   its own length (marked ``*``).
   "signals, then fill" is the build's learned fill (``queue.rank_review``): the same, but only
   rows at or above ``[review].model_min_p``. The model is the one the build ships, as data
   (``train_judgement_model.export_review_model``, scored by ``src.classify.features.score``),
   fitted for each notice without it — never the shipped in-sample model.
4. The unflagged rows by LONO P (how often each band is wrong) and the fill at several
   ``model_min_p`` (to choose it); the queue within its budget by batch: every rule flag → the
   signals' queue → with the learned fill, and how many fill rows are wrong.
5. The shipped queue (``rank_review`` with ``data/reference/review_precision.toml``, the budget
   of ``[review]`` and ``data/reference/review_model.toml``, fitted on the corpus only) on
   external_dev and the project's own 2020 table (dev labels, held-back proxies): errors flagged /
   tasks flagged, and the rows the fill adds there.
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evaluate_classifier import (  # noqa: E402
    CORPUS_PATH,
    HELDOUT_PROXIES,
    batch_halves,
    classify_rows,
    gold_dir,
)
from benchmarks.review_signals import precision_counts  # noqa: E402
from benchmarks.train_judgement_model import judged_corpus, lono_p  # noqa: E402
from src import paths, store  # noqa: E402
from src.classify.queue import (  # noqa: E402
    fill_settings,
    model_filled,
    queue_settings,
    rank_review,
    row_score,
    signal_scores,
)
from src.pipeline import classify_table, clean_stage  # noqa: E402
from src.report_date import metadata_report_date  # noqa: E402

SHARES = (0.10, 0.15, 0.20, 0.25)
HALVED_BATCH = "6"  # read in halves by the seventh round: half B's figures only, never its rows
RANKINGS = ("signals", "learned, flagged rows", "learned, all rows", "signals, then learned", "signals, then fill")


def lono_scores(judged: pd.DataFrame, prior_weight: float, p: pd.Series | None = None,
                min_p: float = 0.0) -> pd.DataFrame:
    """Each row's score by each ranking, every score of notice X made from the other notices
    (``p``: each row's LONO P(status wrong), :func:`lono_p` when not given)."""
    out = pd.DataFrame(index=judged.index, columns=list(RANKINGS), dtype="float64")
    flagged = judged["needs_review"].astype(bool)
    p = lono_p(judged) if p is None else p
    for notice, part in judged.groupby("notice_id", sort=False):
        others = judged[judged["notice_id"] != notice]
        scores, prior = signal_scores(precision_counts(others), prior_weight)
        out.loc[part.index, "signals"] = [row_score(r, scores, prior) if f else math.nan
                                          for r, f in zip(part["review_reason"], flagged[part.index], strict=True)]
    out["learned, all rows"] = p
    out["learned, flagged rows"] = p.where(flagged)
    # the rules' flags first (by their signals), the budget's room filled by the model's unflagged rows
    out["signals, then learned"] = (out["signals"] + 1).where(flagged, p)
    # the build's fill (queue.rank_review): only rows at or above [review].model_min_p
    out["signals, then fill"] = (out["signals"] + 1).where(flagged, p.where(p >= min_p))
    return out


def fill_figures(judged: pd.DataFrame, p: pd.Series, min_p: float | None = None) -> dict:
    """The build's queue LONO (each batch one table, the budget of ``[review]``): the signals' queue
    and then the learned fill at ``min_p`` (``[review].model_min_p`` when None), as the figures
    ``train_judgement_model.py --write`` writes into the model file."""
    budget, _, prior_weight = queue_settings()
    min_p = fill_settings()[1] if min_p is None else min_p
    scores = lono_scores(judged, prior_weight, p, min_p)
    wrong = (judged["label"] != judged["status"]).reset_index(drop=True)
    flagged = judged["needs_review"].astype(bool).reset_index(drop=True)
    batch = judged["batch"].astype(str).reset_index(drop=True)
    totals = dict.fromkeys(("before_caught", "before_flagged", "after_caught", "after_flagged"), 0)
    by_batch = []
    for b in sorted(batch.unique()):
        at = (batch == b).to_numpy()
        w = wrong[at].reset_index(drop=True)
        before = caught_at(scores["signals"].reset_index(drop=True)[at].reset_index(drop=True), w, budget)
        after = caught_at(scores["signals, then fill"].reset_index(drop=True)[at].reset_index(drop=True), w, budget)
        for key, value in zip(totals, (before[0], before[1], after[0], after[1]), strict=True):
            totals[key] += value
        by_batch.append(f"{b}: {before[0]}/{before[1]} -> {after[0]}/{after[1]} of {int(w.sum())} wrong, "
                        f"{int(at.sum())} tasks")
    n, w_all = len(judged), int(wrong.sum())
    return {"budget": budget, "model_min_p": min_p, "tasks": n, "wrong": w_all,
            "errors_flagged_before": round(totals["before_caught"] / w_all, 3),
            "tasks_flagged_before": round(totals["before_flagged"] / n, 3),
            "errors_flagged_after": round(totals["after_caught"] / w_all, 3),
            "tasks_flagged_after": round(totals["after_flagged"] / n, 3),
            "fill_rows": totals["after_flagged"] - totals["before_flagged"],
            "fill_wrong": totals["after_caught"] - totals["before_caught"],
            "unflagged_wrong_share": round(float(wrong[~flagged].mean()), 3),
            "by_batch": "; ".join(by_batch)}


def thresholds(judged: pd.DataFrame, p: pd.Series) -> None:
    """The unflagged rows by LONO P: how often each band's status is wrong, and the fill at each
    candidate ``model_min_p`` (to choose it: fill rows wrong more often than unflagged rows)."""
    wrong = judged["label"] != judged["status"]
    unflagged = ~judged["needs_review"].astype(bool) & p.notna()
    print(f"\nunflagged rows by LONO P (all unflagged rows wrong at {wrong[unflagged].mean():.3f})")
    edges = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 1.01)
    for low, high in zip(edges, edges[1:]):
        at = unflagged & (p >= low) & (p < high)
        print(f"  P in [{low:.2f}, {min(high, 1):.2f}): {int(at.sum()):4d} rows, {int((wrong & at).sum()):3d} wrong"
              f" ({(wrong & at).sum() / at.sum() if at.any() else math.nan:.3f})")
    print("the fill at each model_min_p (LONO, each batch a table): errors flagged / tasks flagged; fill rows, wrong")
    for min_p in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        f = fill_figures(judged, p, min_p)
        print(f"  min_p {min_p:.2f}: {f['errors_flagged_before']:.3f} / {f['tasks_flagged_before']:.3f} -> "
              f"{f['errors_flagged_after']:.3f} / {f['tasks_flagged_after']:.3f}; fill {f['fill_rows']} rows, "
              f"{f['fill_wrong']} wrong ({f['fill_wrong'] / f['fill_rows'] if f['fill_rows'] else math.nan:.3f})")


def caught_at(score: pd.Series, wrong: pd.Series, share: float) -> tuple[int, int, bool]:
    """Wrong statuses among the first floor(share × rows) rows by score; the rows taken; short."""
    keep = math.floor(share * len(score) + 1e-9)
    order = sorted((k for k in range(len(score)) if not math.isnan(score.iloc[k])), key=lambda k: (-score.iloc[k], k))
    taken = order[:keep]
    return int(wrong.iloc[taken].sum()), len(taken), len(order) < keep


def curve(judged: pd.DataFrame, scores: pd.DataFrame) -> None:
    wrong = (judged["label"] != judged["status"]).reset_index(drop=True)
    groups = [("corpus LONO (each batch a table)", None)] + [(f"batch {b}", b) for b in sorted(judged["batch"].unique())]
    print("\nwrong statuses caught / all wrong, at a share of each table's tasks flagged (* = the ranking ran out)")
    print(f"{'table':34s} {'ranking':22s} " + " ".join(f"{int(s * 100):>12d}%" for s in SHARES))
    for name, batch in groups:
        batches = [batch] if batch is not None else sorted(judged["batch"].unique())
        for ranking in RANKINGS:
            cells = []
            for share in SHARES:
                got = total = taken = rows = 0
                short = False
                for b in batches:
                    at = (judged["batch"] == b).to_numpy()
                    c, t, s = caught_at(scores[ranking].reset_index(drop=True)[at].reset_index(drop=True),
                                        wrong[at].reset_index(drop=True), share)
                    got, taken, rows, short = got + c, taken + t, rows + int(at.sum()), short or s
                    total += int(wrong[at].sum())
                cells.append(f"{got:3d}/{total:3d} {got / total if total else math.nan:.3f}{'*' if short else ' '}")
            print(f"{name:34s} {ranking:22s} " + " ".join(f"{c:>13s}" for c in cells))


def verdict(judged: pd.DataFrame, scores: pd.DataFrame) -> None:
    """Does a learned ranking catch at least as many wrong statuses as the signals' on EVERY batch,
    at every share, and more somewhere? (The rule for shipping it: issue 22, eighth round.)"""
    wrong = (judged["label"] != judged["status"]).reset_index(drop=True)
    batch = judged["batch"].reset_index(drop=True)
    for ranking in RANKINGS[1:]:
        worse, better = [], 0
        for b in sorted(batch.unique()):
            at = (batch == b).to_numpy()
            for share in SHARES:
                mine = caught_at(scores[ranking].reset_index(drop=True)[at].reset_index(drop=True),
                                 wrong[at].reset_index(drop=True), share)[0]
                theirs = caught_at(scores["signals"].reset_index(drop=True)[at].reset_index(drop=True),
                                   wrong[at].reset_index(drop=True), share)[0]
                if mine < theirs:
                    worse.append(f"batch {b} at {int(share * 100)}% ({mine} < {theirs})")
                better += int(mine > theirs)
        said = "WINS on every batch" if not worse and better else "does not win: worse on " + "; ".join(worse)
        print(f"  learned ({ranking}) against signals: {said}")
    # the hybrid keeps every flag the signals' queue has, so it cannot lose: what do its added rows hold?
    added_rows = added_wrong = 0
    for b in sorted(batch.unique()):
        at = (batch == b).to_numpy()
        for ranking, sign in (("signals, then learned", 1), ("signals", -1)):
            got, taken, _ = caught_at(scores[ranking].reset_index(drop=True)[at].reset_index(drop=True),
                                      wrong[at].reset_index(drop=True), 0.20)
            added_rows, added_wrong = added_rows + sign * taken, added_wrong + sign * got
    flagged = judged["needs_review"].astype(bool).reset_index(drop=True)
    base = float(wrong[~flagged].mean())
    print(f"  'signals, then learned' keeps the signals' queue and fills the budget: at 20% it adds {added_rows} tasks, "
          f"{added_wrong} of them wrong ({added_wrong / added_rows if added_rows else math.nan:.3f}; "
          f"the rows the rules do not flag are wrong at {base:.3f})")


def budgeted(judged: pd.DataFrame, scores: pd.DataFrame, budget: float) -> None:
    """The shipped queue's rule on each batch (a table): the flagged rows by signal score, the
    first floor(budget × rows) kept; then the room left filled by the learned fill (LONO P)."""
    wrong = (judged["label"] != judged["status"]).reset_index(drop=True)
    flagged = judged["needs_review"].astype(bool).reset_index(drop=True)
    print(f"\nthe queue within its budget ({budget:.2f} of each table's tasks; signals' LONO precision, the "
          "model fitted LONO): errors flagged / tasks flagged, every rule flag -> the signals' queue -> with the "
          "learned fill")
    batches = [(f"batch {b}", (judged["batch"] == b).to_numpy(), True) for b in sorted(judged["batch"].unique())]
    halves = [(f"batch {HALVED_BATCH} half {half} (as a table)", judged.index.isin(part.index), False)
              for half, part in _halves(judged, HALVED_BATCH).items()]
    totals = np.zeros(8, dtype=int)  # tasks, wrong, every flag (caught, rows), queue (…), with the fill (…)
    for name, at, counted in batches + halves:
        w = wrong[at].reset_index(drop=True)
        got, kept, _ = caught_at(scores["signals"].reset_index(drop=True)[at].reset_index(drop=True), w, budget)
        got2, kept2, _ = caught_at(scores["signals, then fill"].reset_index(drop=True)[at].reset_index(drop=True),
                                   w, budget)
        row = np.array([int(at.sum()), int(w.sum()), int((wrong & flagged)[at].sum()), int(flagged[at].sum()),
                        got, kept, got2, kept2])
        totals += row if counted else 0
        print(f"  {name}: {_figures(row)}")
    print(f"  corpus LONO: {_figures(totals)}")


def _figures(row) -> str:
    n, nw, bc, bf, got, kept, got2, kept2 = (int(v) for v in row)
    return (f"{n:4d} tasks, {nw:3d} wrong | {bc / nw:.3f} / {bf / n:.3f} -> {got / nw:.3f} / {kept / n:.3f} -> "
            f"{got2 / nw:.3f} / {kept2 / n:.3f} (fill {kept2 - kept} rows, {got2 - got} wrong)")


def _halves(judged: pd.DataFrame, batch: str) -> dict:
    half_of = batch_halves(judged, batch)
    part = judged[judged["batch"].astype(str) == batch]
    return {half: part[part["notice_id"].map(half_of) == half] for half in "AB"}


def _no_fill(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as the build ranks it without a model file (no P: the signals' queue alone)."""
    return frame.drop(columns=["review_model_p"], errors="ignore")


def shipped(gold: Path) -> None:
    """The build's queue (rank_review, shipped precision table, budget and review model — fitted on
    the corpus only, never on these sets) on the other sets."""
    print("\nthe shipped queue (rank_review) on the other sets: errors flagged / tasks flagged, every rule flag -> "
          "the signals' queue -> with the learned fill (the shipped model)")
    external = gold / "external_dev.csv"
    if external.exists():
        frame = classify_rows(pd.read_csv(external, encoding="utf-8-sig", dtype=str, keep_default_na=False))
        _report("external_dev (one table)", frame, rank_review(_no_fill(frame)), rank_review(frame))
        per_doc = [part for _, part in frame.groupby("doc_title", sort=False)]
        _report("external_dev (one table per document, 2–9 rows each: floor(0.2 × rows) is 0 or 1)", frame,
                pd.concat([rank_review(_no_fill(part)) for part in per_doc]).loc[frame.index],
                pd.concat([rank_review(part) for part in per_doc]).loc[frame.index])
    with tempfile.TemporaryDirectory() as scratch:
        clean_stage(paths.DEFAULT_RAW_PATH, Path(scratch))
        as_of = metadata_report_date(store.read_json(Path(scratch) / "metadata.json"))
        table = classify_table(store.read_table(Path(scratch) / "tasks.parquet"), as_of)
    filled = model_filled(table)
    before = table.assign(needs_review=table["review_tier"].ne("") & ~filled)
    signals = rank_review(_no_fill(before.drop(columns=["review_tier"])))
    print(f"  own 2020 table: {len(table)} tasks, {int(before['needs_review'].sum())} flagged by the rules, "
          f"{int(signals['needs_review'].sum())} in the signals' queue, {int(filled.sum())} added by the fill "
          f"(the budget's limit {math.floor(queue_settings()[0] * len(table) + 1e-9)}), "
          f"{int(table['needs_review'].sum())} in the queue ({table['needs_review'].mean():.3f}), "
          f"{int((table['review_tier'] == '另见').sum())} 另见")
    for name, path in [("dev2020", gold / "dev_labels.csv"), *[(p.stem, p) for p in HELDOUT_PROXIES]]:
        if path.exists():
            labels = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            labels = labels.assign(task_id=labels["id"].astype(int))[["task_id", "label"]]
            _report(name, *(f.merge(labels, on="task_id") for f in (before, signals, table)))


def _report(name: str, *frames: pd.DataFrame) -> None:
    def figures(frame):
        wrong = frame["label"] != frame["status"]
        flagged = frame["needs_review"].astype(bool)
        caught = f"{int((wrong & flagged).sum())}/{int(wrong.sum())}" if wrong.any() else "–"
        return f"{caught} / {flagged.mean():.3f}"
    print(f"  {name}: {len(frames[-1])} tasks | " + " -> ".join(figures(f) for f in frames))


def speed(corpus: str, rounds: int = 3) -> None:
    """What the model costs the judgement: the corpus classified with and without the model file,
    alternately, best of ``rounds`` (wall time on a shared machine: compare the two lines only)."""
    import time

    from src.classify import features
    frame = pd.read_csv(corpus, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    shipped_path, best = features.MODEL_PATH, {}
    try:
        for _ in range(rounds):
            for name, path in (("with the model file", shipped_path), ("without it", shipped_path.with_suffix(".absent"))):
                features.MODEL_PATH = path
                start = time.perf_counter()
                classify_rows(frame)
                best[name] = min(best.get(name, math.inf), time.perf_counter() - start)
    finally:
        features.MODEL_PATH = shipped_path
    print(f"\nclassify {len(frame)} corpus rows, best of {rounds}: " + ", ".join(
        f"{name} {t:.2f} s ({len(frame) / t:.0f} rows/s)" for name, t in best.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS_PATH))
    parser.add_argument("--cache", default=None, help="a pickle of the rules-alone LONO frame (made if absent; "
                        "for repeated runs on one machine only)")
    parser.add_argument("--speed", action="store_true", help="only time the judgement with and without the model")
    args = parser.parse_args(argv)
    if args.speed:
        speed(args.corpus)
        return 0
    judged = judged_corpus(args.corpus, args.cache)
    budget, _, prior_weight = queue_settings()
    p = lono_p(judged)
    scores = lono_scores(judged, prior_weight, p, fill_settings()[1])
    print(f"corpus: {len(judged)} rows, {judged['notice_id'].nunique()} notices, "
          f"{int((judged['label'] != judged['status']).sum())} wrong statuses, "
          f"{int(judged['needs_review'].sum())} flagged by the rules (LONO)")
    curve(judged, scores)
    verdict(judged, scores)
    thresholds(judged, p)
    budgeted(judged, scores, budget)
    shipped(gold_dir())
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv[1:]))
