"""Review signals as arithmetic of dates, stages and measures (issue 22, sixth round).

Each signal reads what the decision already knows (its rule, the report month, the task's
own numbers, the stage phrases) and says why the evidence is weak or does not fit the date;
none reads an office's wording of a status. Which signals are on, and their months and word
lists, are in ``[review.signals]`` of ``data/reference/status_rules.toml``; a signal listed in
``[review].off`` (by its reason's start) is measured but not flagged.
``benchmarks/review_signals.py`` prints, per signal and per set, the tasks it flags and the
wrong statuses among them.
"""
from __future__ import annotations

import math
import re

from src.classify.columns import DEFAULT_RULE

# the reasons' openings (``[review].off`` matches a reason by its start)
YEAR_END_MEASURE = "year-end report: on-track by a measure at or above the target, not completed"
YEAR_END_WORDS = "year-end report: on-track by words, neither the target met nor a shortfall"
MET_EARLY = "completed by arithmetic before the last quarter at a measure far above the year's target"
DEFAULT_LATE = "default late in the year on a task with a deliverable"
STAGE_LATE = "a stage word late in the year"
OPEN_ENDED_DONE = "completed from words alone on an open-ended task"

MEASURE_RULES = ("quantified-on-schedule", "quantified-below-schedule", "target-met")


def reason_key(reason: str) -> str:
    """A reason without its row's phrase, month or figures (up to its first bracket or quote, any
    number as N): the signal's name, as the precision table and the review model know it."""
    return re.sub(r"\d+(?:\.\d+)?", "N", re.split(r"[('（]", reason, maxsplit=1)[0]).strip()


def reason_keys(reasons) -> list[str]:
    """The signals of a ``review_reason`` cell ("; "-joined reasons), each once, in order."""
    if not isinstance(reasons, str) or not reasons:
        return []
    return list(dict.fromkeys(reason_key(r) for r in reasons.split("; ") if r.strip()))


def date_signals(decision, f) -> list[str]:
    """The reasons of the ``[review.signals]`` that apply to this decision (``decision.rule``,
    ``decision.status``) and row (``f.row`` with its ``_date``, ``f.targets``, ``f.schedule``)."""
    cfg = f.rules.raw.get("review", {}).get("signals", {})
    if not cfg:
        return []
    month = f.row["_date"].month
    year_end = f.schedule >= 1
    task, progress = f.row["task"], f.row["progress"]
    reasons = []
    if decision.status == "on-track" and year_end:
        if decision.rule == "quantified-on-schedule":
            reasons.append(YEAR_END_MEASURE)
        elif decision.rule not in (DEFAULT_RULE, *MEASURE_RULES):
            reasons.append(f"{YEAR_END_WORDS} ({decision.rule})")
    ratio = decision.ratio
    if (decision.rule == "target-met" and month < int(cfg.get("met_early_before_month", 10))
            and not math.isnan(ratio) and ratio >= float(cfg.get("met_early_min_ratio", 2.0))):
        reasons.append(f"{MET_EARLY} ({ratio * 100:.0f}% in month {month})")
    if decision.rule == DEFAULT_RULE and not year_end and month >= int(cfg.get("late_from_month", 7)):
        verbs = cfg.get("deliverable_words", [])
        open_ended = any(w in task for w in cfg.get("open_ended_words", []))
        if f.targets or (any(w in task for w in verbs) and not open_ended):
            reasons.append(f"{DEFAULT_LATE} (month {month})")
    if decision.status != "lagging" and not year_end and month >= int(cfg.get("stage_late_from_month", 9)):
        done = cfg.get("stage_done_words", [])
        stage = next((w for w in cfg.get("stage_words", []) if w in progress), None)
        if stage and not any(w in progress for w in done):
            reasons.append(f"{STAGE_LATE} ('{stage}', month {month}, status {decision.status})")
    if decision.status == "completed" and decision.rule not in MEASURE_RULES:
        word = next((w for w in cfg.get("open_ended_words", []) if w in task), None)
        if word and not f.targets:
            reasons.append(f"{OPEN_ENDED_DONE} ('{word}')")
    return reasons


__all__ = ["date_signals", "reason_key", "reason_keys", "YEAR_END_MEASURE", "YEAR_END_WORDS", "MET_EARLY", "DEFAULT_LATE", "STAGE_LATE",
           "OPEN_ENDED_DONE"]
