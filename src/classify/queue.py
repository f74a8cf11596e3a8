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

The learned fill (issue 22): when the signals' rows leave room in the budget (floor(budget ×
tasks) − rows in the queue), the unflagged rows with the highest ``review_model_p`` (the review
model's P(status wrong), :mod:`src.classify.features`) at or above ``[review].model_min_p`` fill it,
highest first (ties: table order), after every signal's row: ``needs_review`` true, tier ``待复核``,
``review_score`` = P and a reason saying the model, not a rule, suggests it (:data:`MODEL_REASON`).
``[review].model_fill = false`` turns it off; without a model file every P is NaN and nothing fills.
"""
from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from pathlib import Path

import pandas as pd

from src.classify.features import model_note
from src.classify.review import reason_key, reason_keys
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
DEFAULT_MODEL_MIN_P = 0.5
# the learned fill's reason (Chinese first); a reason starting so marks a row the model put in the queue
MODEL_REASON = "模型提示："
MODEL_REASON_TEXT = (MODEL_REASON + "状态有误的估计概率 {p:.2f}（非规则判断，规则未标记此行）/ learned model, not a rule: "
                     "estimated probability the status is wrong {p:.2f}")


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


def fill_settings(rules=None) -> tuple[bool, float]:
    """``[review]``'s ``model_fill`` (on unless false) and ``model_min_p`` (the least P that fills)."""
    cfg = load_rules(rules).raw.get("review", {})
    on = cfg.get("model_fill", True)
    if not isinstance(on, bool):
        raise ValueError(f"[review].model_fill 须为 true 或 false，现为 {on!r} / model_fill must be true or false")
    min_p = float(cfg.get("model_min_p", DEFAULT_MODEL_MIN_P))
    if not 0 <= min_p <= 1:
        raise ValueError(f"[review].model_min_p 须在 0 到 1 之间，现为 {min_p} / model_min_p is a probability: {min_p}")
    return on, min_p


def model_filled(frame: pd.DataFrame) -> pd.Series:
    """The rows the learned fill put in the queue (their reason is the model's)."""
    if "review_reason" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["review_reason"].fillna("").astype(str).str.startswith(MODEL_REASON)


def rank_review(frame: pd.DataFrame, *, rules=None, budget=None, precision=None) -> pd.DataFrame:
    """``frame`` (the classified table) with ``review_score``, ``review_priority`` and
    ``review_tier`` added and ``needs_review`` kept for the first ``floor(budget × len(frame))``
    flagged rows in order of score; the others keep their reasons in the ``另见`` tier. The room left
    is filled by the learned fill (module docstring; ``attrs["review_queue"]["model_fill"]``).
    ``frame.attrs["review_queue"]`` holds the counts. Deterministic: the same table gives the same
    queue, and a ranked table ranked again gives it too."""
    share, bands, prior_weight = queue_settings(rules, budget)
    fill_on, min_p = fill_settings(rules)
    scores, prior = signal_scores(load_precision(precision), prior_weight)
    out = frame.copy()
    refill = model_filled(out)  # ranked before: the model's rows go back to the candidates
    if refill.any():
        out.loc[refill, "needs_review"] = False
        out.loc[refill, "review_reason"] = ""
    flagged = (out["needs_review"].fillna(False).astype(bool) if "needs_review" in out
               else pd.Series(False, index=out.index))
    ruled = out["status_source"].eq("override") if "status_source" in out else pd.Series(False, index=out.index)
    if "review_tier" in out:  # ranked before (另见 rows are flagged too): the same queue again, unless ruled on
        flagged = flagged | (out["review_tier"].eq(SEE_ALSO) & ~ruled)
    reasons = out["review_reason"] if "review_reason" in out else pd.Series("", index=out.index)
    score = pd.Series([row_score(r, scores, prior) if f else float("nan") for r, f in zip(reasons, flagged)],
                      index=out.index, dtype="float64")
    keep = math.floor(share * len(out) + 1e-9)
    positions = [k for k in range(len(out)) if flagged.iloc[k]]
    ranked = sorted(positions, key=lambda k: (-score.iloc[k], k))
    in_queue = set(ranked[:keep])
    filled = _fill(out, flagged | ruled, keep - len(in_queue), min_p) if fill_on else []
    if filled and "review_reason" not in out:
        out["review_reason"] = ""
    for k in filled:
        p = float(out["review_model_p"].iloc[k])
        score.iloc[k] = p
        out.iloc[k, out.columns.get_loc("review_reason")] = MODEL_REASON_TEXT.format(p=p)
    signals_in_queue = len(in_queue)
    in_queue |= set(filled)
    tier = [IN_QUEUE if k in in_queue else SEE_ALSO if flagged.iloc[k] else "" for k in range(len(out))]
    out["needs_review"] = pd.Series([k in in_queue for k in range(len(out))], index=out.index, dtype=bool)
    out["review_score"] = score.round(4)
    out["review_priority"] = pd.Series([priority_of(s, bands) for s in score], index=out.index, dtype="int64")
    out["review_tier"] = pd.Series(tier, index=out.index, dtype="object")
    out.attrs["review_queue"] = {"budget": share, "tasks": int(len(out)), "flagged": int(flagged.sum()),
                                 "in_queue": len(in_queue), "see_also": int(flagged.sum()) - signals_in_queue,
                                 "model_fill": len(filled)}
    return out


def _fill(out: pd.DataFrame, taken: pd.Series, room: int, min_p: float) -> list[int]:
    """The positions of the rows that fill the budget's room: not flagged nor ruled on, P at or above
    ``min_p``, highest P first (ties: table order)."""
    if room <= 0 or "review_model_p" not in out:
        return []
    p = pd.to_numeric(out["review_model_p"], errors="coerce")
    candidates = [k for k in range(len(out)) if not taken.iloc[k] and p.iloc[k] >= min_p]  # NaN never passes
    return sorted(candidates, key=lambda k: (-p.iloc[k], k))[:room]


def review_queue_summary(frame: pd.DataFrame, rules=None) -> dict:
    """What ``classification.json`` says of the queue: the budget, the rows in it by priority, the
    rows beyond it (另见), the rows the learned fill added and the review model (its file, the rules
    version and corpus rows it was fitted on, a warning when that version is not the rules')."""
    share = queue_settings(rules)[0]
    fill_on, min_p = fill_settings(rules)
    tier = frame["review_tier"] if "review_tier" in frame else pd.Series("", index=frame.index)
    priority = frame["review_priority"] if "review_priority" in frame else pd.Series(0, index=frame.index)
    queued = tier.eq(IN_QUEUE)
    return {"budget": share, "limit": math.floor(share * len(frame) + 1e-9), "in_queue": int(queued.sum()),
            "see_also": int(tier.eq(SEE_ALSO).sum()),
            "by_priority": {str(level): int((queued & priority.eq(level)).sum()) for level in (1, 2, 3)},
            "model_fill": int((queued & model_filled(frame)).sum()),
            "model": {"fill": fill_on, "min_p": min_p, **model_note(load_rules(rules).version)}}


def review_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with a reason in the order an analyst reads them: the queue (待复核) first — the
    signals' rows, then the learned fill's — then 另见, each by score (highest first), then table order."""
    if "review_tier" not in frame:
        return frame
    tiers = {IN_QUEUE: 0, SEE_ALSO: 2}
    rank = [tiers.get(t, 3) + int(f) for t, f in zip(frame["review_tier"], model_filled(frame), strict=True)]
    ordered = frame.assign(_tier=rank, _score=-frame["review_score"].fillna(-1.0), _at=range(len(frame)))
    return ordered.sort_values(["_tier", "_score", "_at"], kind="stable").drop(columns=["_tier", "_score", "_at"])


__all__ = ["rank_review", "review_order", "review_queue_summary", "reason_key", "reason_keys", "load_precision", "signal_scores",
           "row_score", "priority_of", "fill_settings", "model_filled", "REVIEW_COLUMNS", "IN_QUEUE", "SEE_ALSO",
           "PRECISION_PATH", "MODEL_REASON"]
