"""Stage 4b, targets that bind the other way or against another place ([families.relative_targets]):

* a DECREASE promised (万元生产总值能耗下降 3%, 化学需氧量排放量削减 2%) against the decrease the row
  states for the same indicator (下降 3.5%): the larger decrease is ahead; the gap in points on the
  schedule's scale, as a growth figure against its target rate;
* a target RELATIVE to another place (增速高于全省平均水平) against the gap the row states (高于全省平均
  1.3 个百分点 / 低于全省平均 0.8 个百分点): above it is ahead (met at the year's end), below it behind.

Both give growth measures (:class:`Measure` kind ``growth``), which the year-end rules read as the
year's figure. The patterns and words are in ``status_rules.toml``."""
from __future__ import annotations

import re

from src.classify.cells import MULTIPLIER
from src.classify.measure_types import Measure
from src.classify.rules import Rules
from src.classify.spans import SENTENCE_SEPS, bound_left, cn_number, evidence_phrase, shares_run


def relative_measures(row: dict, rules: Rules, schedule: float) -> list[Measure]:
    """The decrease and relative-target measures of a row (empty when the task promises neither)."""
    family = rules.family("relative_targets")
    if not family:
        return []
    return _decrease(row, family, schedule) or _relative(row, family, schedule) or rank_measures(row, rules, schedule)


def _decrease(row: dict, family: dict, schedule: float) -> list[Measure]:
    task, text = row["task"], row["progress"]
    pattern = family.get("decrease_pattern")
    if not pattern or "%" not in text and "％" not in text:
        return []
    promised = list(re.finditer(pattern, task))
    if len(promised) != 1:
        return []  # none, or several decreases: which one is which is not told
    target = float(promised[0].group("value"))
    name = task[bound_left(task, promised[0].start(), SENTENCE_SEPS):promised[0].start()]
    chars = int(family.get("name_chars", 2))
    stop = list(family.get("stop_words", []))
    for match in re.finditer(pattern, text):
        before = text[bound_left(text, match.start(), SENTENCE_SEPS):match.start()]
        if any(w in before[-6:] for w in family.get("not_actual_words", [])):
            continue  # a target restated (目标下降 3%) or a forecast, not what was reached
        if name and not shares_run(name, before, chars, stop):
            continue  # another indicator's decrease
        value = float(match.group("value"))
        gap = value - target
        note = f"〔核算：下降{value:g}%，目标下降{target:g}%，相差{gap:+.1f}个百分点〕"
        phrase = evidence_phrase(text, match.start(), match.end())
        return [Measure(phrase, value, "%", target, schedule + gap / 100, "progress", "growth", True,
                        match.start(), note=note)]
    return []


def _relative(row: dict, family: dict, schedule: float) -> list[Measure]:
    task_pattern, gap_pattern = family.get("relative_task_pattern"), family.get("relative_gap_pattern")
    if not task_pattern or not gap_pattern or not re.search(task_pattern, row["task"]):
        return []
    text = row["progress"]
    for match in re.finditer(gap_pattern, text):
        sign = -1 if match.group("side") in family.get("below_words", []) else 1
        gap = sign * float(match.group("value"))
        note = f"〔核算：{'高于' if sign > 0 else '低于'}比较对象{abs(gap):g}个百分点〕"
        phrase = evidence_phrase(text, match.start(), match.end())
        return [Measure(phrase, gap, "pts", 0.0, schedule + gap / 100, "progress", "growth", True,
                        match.start(), note=note)]
    return []


_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万|亿)?元")  # 8,460 万元 too


def budget_measures(row: dict, rules: Rules) -> list[Measure]:
    """A revenue or spending figure against its budget stated as a difference (完成 8.2 亿元，比年初预算短收
    2000 万元 / 超收): the budget is the amount plus (or minus) the difference, and the amount's share of it is
    a share of the year's target ([families.relative_targets].budget_pattern)."""
    patterns = [p for p in (rules.family("relative_targets").get("budget_pattern"),
                            rules.family("budget_difference_more").get("budget_pattern")) if p]
    text = row["progress"]
    if not patterns or "预算" not in text:
        return []
    short_words = rules.family("relative_targets").get("short_words", []) or ["短收", "少收", "减收"]
    for match in (m for p in patterns for m in re.finditer(p, text)):
        start = bound_left(text, match.start(), SENTENCE_SEPS)
        amounts = list(_AMOUNT.finditer(text, start, match.start()))
        if not amounts:
            continue
        amount = float(amounts[-1].group(1).replace(",", "")) * MULTIPLIER[amounts[-1].group(2)]
        difference = float(match.group("value").replace(",", "")) * MULTIPLIER[match.group("mult")]
        budget = amount + difference if match.group("side") in short_words else amount - difference
        if budget <= 0 or amount <= 0:
            continue
        share = amount / budget
        note = f"〔核算：完成{amount / 1e4:g}万元，预算{budget / 1e4:g}万元，完成{share * 100:.1f}%〕"
        phrase = evidence_phrase(text, amounts[-1].start(), match.end())
        return [Measure(phrase, round(share * 100, 2), "%", 100.0, share, "progress", "annual-share", True, match.start(),
                        note=note)]
    return []


def rank_measures(row: dict, rules: Rules, schedule: float) -> list[Measure]:
    """A rank promised (进入全省前 5 位) against the rank reached (居全省第 3 位): at or above it the target
    is held (on the schedule, met at the year's end); below it behind by promised / reached."""
    family = rules.family("relative_targets")
    task_pattern, reached_pattern = family.get("rank_task_pattern"), family.get("rank_reached_pattern")
    if not task_pattern or not reached_pattern or "第" not in row["progress"]:
        return []
    promised = re.search(task_pattern, row["task"])
    if promised is None:
        return []
    limit = cn_number(promised.group("n"))
    text = row["progress"]
    for match in re.finditer(reached_pattern, text):
        reached = cn_number(match.group("n"))
        if not limit or not reached:
            continue
        held = reached <= limit
        note = f"〔核算：目标前{limit:g}位，实际第{reached:g}位〕"
        return [Measure(evidence_phrase(text, match.start(), match.end()), reached, "位", limit,
                        schedule * (1.0 if held else limit / reached), "progress", "growth", True, match.start(),
                        note=note)]
    return []
