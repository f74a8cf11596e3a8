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
4. The shipped queue (``rank_review`` with ``data/reference/review_precision.toml`` and the budget
   of ``[review]``) on external_dev and the project's own 2020 table (dev labels, held-back
   proxy): errors flagged / tasks flagged.
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
from benchmarks.train_judgement_model import _matrix, fit, rules_alone  # noqa: E402
from src import paths, store  # noqa: E402
from src.classify.queue import queue_settings, rank_review, row_score, signal_scores  # noqa: E402
from src.pipeline import classify_table, clean_stage  # noqa: E402
from src.report_date import metadata_report_date  # noqa: E402

SHARES = (0.10, 0.15, 0.20, 0.25)
HALVED_BATCH = "6"  # read in halves by the seventh round: half B's figures only, never its rows
RANKINGS = ("signals", "learned, flagged rows", "learned, all rows", "signals, then learned")


def lono_scores(judged: pd.DataFrame, prior_weight: float) -> pd.DataFrame:
    """Each row's score by each ranking, every score of notice X made from the other notices."""
    out = pd.DataFrame(index=judged.index, columns=list(RANKINGS), dtype="float64")
    flagged = judged["needs_review"].astype(bool)
    for notice, part in judged.groupby("notice_id", sort=False):
        others = judged[judged["notice_id"] != notice]
        scores, prior = signal_scores(precision_counts(others), prior_weight)
        out.loc[part.index, "signals"] = [row_score(r, scores, prior) if f else math.nan
                                          for r, f in zip(part["review_reason"], flagged[part.index], strict=True)]
        models = fit(others)
        x, mask, _ = _matrix(part, models["names"])
        scaler, model = models["review"]
        p = pd.Series(math.nan, index=part.index)
        p[part.index[mask]] = model.predict_proba(scaler.transform(x))[:, 1]
        out.loc[part.index, "learned, all rows"] = p
        out.loc[part.index, "learned, flagged rows"] = p.where(flagged[part.index])
        # the rules' flags first (by their signals), the budget's room filled by the model's unflagged rows
        out.loc[part.index, "signals, then learned"] = (out.loc[part.index, "signals"] + 1).where(
            flagged[part.index], p)
    return out


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
    first floor(budget × rows) kept."""
    wrong = judged["label"] != judged["status"]
    flagged = judged["needs_review"].astype(bool)
    print(f"\nthe queue within its budget ({budget:.2f} of each table's tasks; signals' LONO precision): "
          "errors flagged / tasks flagged, before (every flag) -> after")
    n_all = w_all = before_caught_all = before_flagged_all = got_all = kept_all = 0
    for batch in sorted(judged["batch"].unique()):
        at = judged["batch"] == batch
        got, kept, _ = caught_at(scores.loc[at, "signals"].reset_index(drop=True),
                                 wrong[at].reset_index(drop=True), budget)
        n, w = int(at.sum()), int(wrong[at].sum())
        before_caught, before_flagged = int((wrong & flagged & at).sum()), int((flagged & at).sum())
        n_all, w_all, got_all, kept_all = n_all + n, w_all + w, got_all + got, kept_all + kept
        before_caught_all, before_flagged_all = before_caught_all + before_caught, before_flagged_all + before_flagged
        print(f"  batch {batch}: {n:4d} tasks, {w:3d} wrong | {before_caught / w:.3f} / {before_flagged / n:.3f} -> "
              f"{got / w:.3f} / {kept / n:.3f} ({kept} in the queue, {before_flagged - kept} to 另见)")
    for half, part in _halves(judged, HALVED_BATCH).items():  # each half of the batch read in halves, as a table
        at = judged.index.isin(part.index)
        got, kept, _ = caught_at(scores.loc[at, "signals"].reset_index(drop=True),
                                 wrong[at].reset_index(drop=True), budget)
        n, w, bf = int(at.sum()), int(wrong[at].sum()), int((flagged & at).sum())
        print(f"  batch {HALVED_BATCH} half {half} (as a table): {n:4d} tasks, {w:3d} wrong | "
              f"{int((wrong & flagged & at).sum()) / w:.3f} / {bf / n:.3f} -> {got / w:.3f} / {kept / n:.3f}")
    print(f"  corpus LONO: {n_all} tasks, {w_all} wrong | {before_caught_all / w_all:.3f} / "
          f"{before_flagged_all / n_all:.3f} -> {got_all / w_all:.3f} / {kept_all / n_all:.3f}")


def _halves(judged: pd.DataFrame, batch: str) -> dict:
    half_of = batch_halves(judged, batch)
    part = judged[judged["batch"].astype(str) == batch]
    return {half: part[part["notice_id"].map(half_of) == half] for half in "AB"}


def shipped(gold: Path) -> None:
    """The build's queue (rank_review, shipped precision table and budget) on the other sets."""
    print("\nthe shipped queue (rank_review) on the other sets: errors flagged / tasks flagged, before -> after")
    external = gold / "external_dev.csv"
    if external.exists():
        frame = classify_rows(pd.read_csv(external, encoding="utf-8-sig", dtype=str, keep_default_na=False))
        _report("external_dev (one table)", frame, rank_review(frame))
        _report("external_dev (one table per document, 2–9 rows each: floor(0.2 × rows) is 0 or 1)", frame,
                pd.concat([rank_review(part) for _, part in frame.groupby("doc_title", sort=False)]).loc[frame.index])
    with tempfile.TemporaryDirectory() as scratch:
        clean_stage(paths.DEFAULT_RAW_PATH, Path(scratch))
        as_of = metadata_report_date(store.read_json(Path(scratch) / "metadata.json"))
        table = classify_table(store.read_table(Path(scratch) / "tasks.parquet"), as_of)
    before = table.assign(needs_review=table["review_tier"].ne(""))
    print(f"  own 2020 table: {len(table)} tasks, {int(before['needs_review'].sum())} flagged by the rules, "
          f"{int(table['needs_review'].sum())} in the queue, {int((table['review_tier'] == '另见').sum())} 另见; "
          f"priorities {table.loc[table['review_tier'] != '', 'review_priority'].value_counts().sort_index().to_dict()}")
    for name, path in [("dev2020", gold / "dev_labels.csv"), *[(p.stem, p) for p in HELDOUT_PROXIES]]:
        if path.exists():
            labels = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            labels = labels.assign(task_id=labels["id"].astype(int))[["task_id", "label"]]
            _report(name, before.merge(labels, on="task_id"), table.merge(labels, on="task_id"))


def _report(name: str, before: pd.DataFrame, after: pd.DataFrame) -> None:
    def figures(frame):
        wrong = frame["label"] != frame["status"]
        flagged = frame["needs_review"].astype(bool)
        caught = f"{int((wrong & flagged).sum())}/{int(wrong.sum())}" if wrong.any() else "–"
        return f"{caught} / {flagged.mean():.3f}"
    print(f"  {name}: {len(after)} tasks | {figures(before)} -> {figures(after)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS_PATH))
    parser.add_argument("--cache", default=None, help="a pickle of the rules-alone LONO frame (made if absent; "
                        "for repeated runs on one machine only)")
    args = parser.parse_args(argv)
    if args.cache and Path(args.cache).exists():
        judged = pd.read_pickle(args.cache)
    else:
        frame = pd.read_csv(args.corpus, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        judged = rules_alone(frame[frame["label"].str.strip() != ""].reset_index(drop=True))
        if args.cache:
            judged.to_pickle(args.cache)
    budget, _, prior_weight = queue_settings()
    scores = lono_scores(judged, prior_weight)
    print(f"corpus: {len(judged)} rows, {judged['notice_id'].nunique()} notices, "
          f"{int((judged['label'] != judged['status']).sum())} wrong statuses, "
          f"{int(judged['needs_review'].sum())} flagged by the rules (LONO)")
    curve(judged, scores)
    verdict(judged, scores)
    budgeted(judged, scores, budget)
    shipped(gold_dir())
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv[1:]))
