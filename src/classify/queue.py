"""The review queue, ranked and within a budget (issue 22, eighth round).

The rules flag a row (``needs_review``) with its reasons (``review_reason``); this step, run once
per table after the statuses and the analyst's overrides, orders the flagged rows by how likely
their status is wrong and keeps the queue within a share of the table's tasks:

* ``review_score`` — the estimated probability that the status is wrong: the measured precision of
  the row's most telling reason (the share of wrong statuses among the corpus rows that reason
  flagged, leave-one-notice-out), read from ``data/reference/review_precision.toml`` (written by
  ``benchmarks/review_signals.py --write``), shrunk towards the precision of all flags by
  ``[review].prior_weight`` rows so that a reason seen on two rows does not outrank one seen on
  sixty; a reason the file does not know scores the precision of all flags. NaN on rows with no
  reason.
* ``review_priority`` — 1 (look first), 2 or 3 by the score against ``[review].priority_bands``;
  0 on rows with no reason.
* ``review_tier`` — ``待复核`` for the rows in the queue, ``另见`` for flagged rows beyond the budget
  (``needs_review`` becomes False, the reasons are kept and shown), ``""`` for the others.

The budget (``[review].budget``, a share of the table's tasks, 0.20 by default) keeps the first
``floor(budget × tasks)`` rows of the queue in order of score (ties: table order), so that the queue
stays within its budget on any table. The step never changes a status. It reads only the status
columns (no scikit-learn, nothing learned at build time but the precision table).
"""
from __future__ import annotations

import math
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import pandas as pd

from src.classify.rules import load_rules
from src.fingerprints import read_reference
from src.paths import REFERENCE_DIR

PRECISION_PATH = REFERENCE_DIR / "review_precision.toml"
REVIEW_COLUMNS = ("review_score", "review_priority", "review_tier")
IN_QUEUE = "待复核"
SEE_ALSO = "另见"
DEFAULT_BUDGET = 0.20
DEFAULT_BANDS = (0.5, 0.25)
DEFAULT_PRIOR_WEIGHT = 4.0


def reason_key(reason: str) -> str:
    """A reason without its row's phrase, month or figures (up to its first bracket or quote, any
    number as N): the signal's name, as the precision table knows it."""
    return re.sub(r"\d+(?:\.\d+)?", "N", re.split(r"[('（]", reason, maxsplit=1)[0]).strip()


def reason_keys(reasons) -> list[str]:
    """The signals of a ``review_reason`` cell ("; "-joined reasons), each once, in order."""
    if not isinstance(reasons, str) or not reasons:
        return []
    return list(dict.fromkeys(reason_key(r) for r in reasons.split("; ") if r.strip()))


@lru_cache(maxsize=4)
def _precision_file(path: str, mtime: float) -> dict:
    data = tomllib.loads(read_reference(path).decode("utf-8"))
    signals = {}
    for entry in data.get("signal", []):
        try:
            signals[str(entry["name"])] = (int(entry["flagged"]), int(entry["wrong"]))
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path}: 每个 [[signal]] 需要 name、flagged、wrong / every [[signal]] needs name, "
                             f"flagged and wrong: {entry}") from None
    every = data.get("all", {})
    return {"signals": signals, "all": (int(every.get("flagged", 0)), int(every.get("wrong", 0)))}


def load_precision(precision=None) -> dict:
    """The precision table: ``None`` → ``data/reference/review_precision.toml`` (empty when the
    file is absent: every reason then scores alike and the queue keeps table order); a path; or a
    dict ``{"signals": {name: (flagged, wrong)}, "all": (flagged, wrong)}`` as given."""
    if isinstance(precision, dict):
        return precision
    path = Path(precision) if precision is not None else PRECISION_PATH
    if not path.exists():
        return {"signals": {}, "all": (0, 0)}
    return _precision_file(str(path.resolve()), path.stat().st_mtime)


def signal_scores(precision: dict, prior_weight: float = DEFAULT_PRIOR_WEIGHT) -> tuple[dict, float]:
    """Each signal's precision shrunk towards the precision of all flags, and that prior."""
    flagged, wrong = precision.get("all", (0, 0))
    prior = wrong / flagged if flagged else 0.5
    scores = {name: (w + prior_weight * prior) / (n + prior_weight) if n + prior_weight > 0 else prior
              for name, (n, w) in precision.get("signals", {}).items()}
    return scores, prior


def row_score(reasons, scores: dict, prior: float) -> float:
    """The score of a row: its most telling reason's (NaN without a reason)."""
    keys = reason_keys(reasons)
    if not keys:
        return float("nan")
    return max(scores.get(key, prior) for key in keys)


def priority_of(score: float, bands=DEFAULT_BANDS) -> int:
    """1, 2 or 3 by the bands (descending lower bounds of priority 1 and 2); 0 without a score."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return 0
    for level, bound in enumerate(bands, start=1):
        if score >= bound:
            return level
    return len(bands) + 1


def queue_settings(rules=None, budget=None) -> tuple[float, tuple, float]:
    """``[review]``'s budget, priority bands and prior weight (``budget`` given overrides it)."""
    cfg = load_rules(rules).raw.get("review", {})
    share = float(cfg.get("budget", DEFAULT_BUDGET) if budget is None else budget)
    if not 0 <= share <= 1:
        raise ValueError(f"[review].budget 须在 0 到 1 之间（任务数的比例），现为 {share} / the review budget is a "
                         f"share of the table's tasks, between 0 and 1: {share}")
    bands = tuple(float(b) for b in cfg.get("priority_bands", DEFAULT_BANDS))
    if list(bands) != sorted(bands, reverse=True):
        raise ValueError(f"[review].priority_bands 须从高到低排列 / the priority bands must descend: {bands}")
    return share, bands, float(cfg.get("prior_weight", DEFAULT_PRIOR_WEIGHT))


def rank_review(frame: pd.DataFrame, *, rules=None, budget=None, precision=None) -> pd.DataFrame:
    """``frame`` (the classified table) with ``review_score``, ``review_priority`` and
    ``review_tier`` added and ``needs_review`` kept for the first ``floor(budget × len(frame))``
    flagged rows in order of score; the others keep their reasons in the ``另见`` tier.
    ``frame.attrs["review_queue"]`` holds the counts. Deterministic: the same table gives the same
    queue, and a ranked table ranked again gives it too."""
    share, bands, prior_weight = queue_settings(rules, budget)
    scores, prior = signal_scores(load_precision(precision), prior_weight)
    out = frame.copy()
    flagged = (out["needs_review"].fillna(False).astype(bool) if "needs_review" in out
               else pd.Series(False, index=out.index))
    if "review_tier" in out:  # ranked before (另见 rows are flagged too): the same queue again, unless ruled on
        ruled = (out["status_source"].eq("override") if "status_source" in out
                 else pd.Series(False, index=out.index))
        flagged = flagged | (out["review_tier"].eq(SEE_ALSO) & ~ruled)
    reasons = out["review_reason"] if "review_reason" in out else pd.Series("", index=out.index)
    score = pd.Series([row_score(r, scores, prior) if f else float("nan") for r, f in zip(reasons, flagged)],
                      index=out.index, dtype="float64")
    keep = math.floor(share * len(out) + 1e-9)
    positions = [k for k in range(len(out)) if flagged.iloc[k]]
    ranked = sorted(positions, key=lambda k: (-score.iloc[k], k))
    in_queue = set(ranked[:keep])
    tier = [IN_QUEUE if k in in_queue else SEE_ALSO if flagged.iloc[k] else "" for k in range(len(out))]
    out["needs_review"] = pd.Series([k in in_queue for k in range(len(out))], index=out.index, dtype=bool)
    out["review_score"] = score.round(4)
    out["review_priority"] = pd.Series([priority_of(s, bands) for s in score], index=out.index, dtype="int64")
    out["review_tier"] = pd.Series(tier, index=out.index, dtype="object")
    out.attrs["review_queue"] = {"budget": share, "tasks": int(len(out)), "flagged": int(flagged.sum()),
                                 "in_queue": len(in_queue), "see_also": int(flagged.sum()) - len(in_queue)}
    return out


def review_queue_summary(frame: pd.DataFrame, rules=None) -> dict:
    """What ``classification.json`` says of the queue: the budget, the rows in it by priority and
    the rows beyond it (另见)."""
    share = queue_settings(rules)[0]
    tier = frame["review_tier"] if "review_tier" in frame else pd.Series("", index=frame.index)
    priority = frame["review_priority"] if "review_priority" in frame else pd.Series(0, index=frame.index)
    queued = tier.eq(IN_QUEUE)
    return {"budget": share, "limit": math.floor(share * len(frame) + 1e-9), "in_queue": int(queued.sum()),
            "see_also": int(tier.eq(SEE_ALSO).sum()),
            "by_priority": {str(level): int((queued & priority.eq(level)).sum()) for level in (1, 2, 3)}}


def review_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with a reason in the order an analyst reads them: the queue (待复核) first, then
    另见, each by score (highest first), then table order."""
    if "review_tier" not in frame:
        return frame
    rank = frame["review_tier"].map({IN_QUEUE: 0, SEE_ALSO: 1}).fillna(2)
    ordered = frame.assign(_tier=rank, _score=-frame["review_score"].fillna(-1.0), _at=range(len(frame)))
    return ordered.sort_values(["_tier", "_score", "_at"], kind="stable").drop(columns=["_tier", "_score", "_at"])


__all__ = ["rank_review", "review_order", "review_queue_summary", "reason_key", "reason_keys", "load_precision", "signal_scores",
           "row_score", "priority_of", "REVIEW_COLUMNS", "IN_QUEUE", "SEE_ALSO", "PRECISION_PATH"]
