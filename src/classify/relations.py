"""Stage 4d, numbers in relation to a target that the other finders do not read (issue 22,
fifth round): an amount stated as its difference from a task (超双过半任务数 180 万元, 距序时
任务还差 192 万元: the task is the actual minus or plus the difference), counts of things done
beside the things remaining (完成 30 个，剩余 87 个: done of done + remaining). Each gives a
:class:`Measure` that states the numbers it compared; every phrase and pattern is in a
``[families.arith_*]`` table of ``status_rules.toml``."""
from __future__ import annotations

import re

from src.classify.cues import find_delay_cues, negated
from src.classify.measure_types import SCHEDULE_KINDS, Measure
from src.classify.quantities import quantities_in, task_targets
from src.classify.rules import Rules
from src.classify.spans import CLAUSE_SEPS, SENTENCE_SEPS, bound_left, bound_right, evidence_phrase, month_number, sentence_of


def amount_text(value: float, unit: str) -> str:
    """An amount in the words offices write it in (2.425亿元, 6530万元, 87个), never in
    exponent form."""
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= size:
            return f"{value / size:.6f}".rstrip("0").rstrip(".") + word + unit
    return f"{value:.6f}".rstrip("0").rstrip(".") + unit


def difference_before(before: str, rules: Rules):
    """The match of ``[families.arith_period_amount]``'s patterns on the words before a number
    (超"双过半"任务数 / 距年度目标还差): (sign, the words naming the task), or None."""
    patterns = rules.ready["period_amount"]
    for sign, pattern in patterns:
        match = pattern.search(before)
        if match:
            return sign, match.group(1) or ""
    return None


def difference_measures(row: dict, rules: Rules) -> list[Measure]:
    """An amount stated as its difference from a task: 完成 1.13 亿元，超双过半任务数 180 万元
    (the task was 1.13 亿 − 180 万), 完成 4408 万元，距双过半任务数还差 192 万元 (4408 + 192).
    Against a period's task (words of ``period_words``: 双过半, 序时, 上半年 …) it is the row's
    own milestone, on the schedule's scale; against the year's task (``year_words``) a share of
    the year's target; naming neither, the year's task at a year-end report (not read before)."""
    family = rules.family("arith_period_amount")
    if not rules.ready["period_amount"]:
        return []
    period_words, year_words = family.get("period_words", []), family.get("year_words", [])
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        if not text or not any(w in text for w in family.get("triggers", [])):
            continue
        for diff in quantities_in(text, rules, targets=True):
            found = difference_before(diff.text_before, rules)
            if found is None:
                continue
            sign, words = found
            period = any(w in words for w in period_words)
            year = any(w in words for w in year_words)
            if period and year:
                continue  # names both: which task is meant cannot be told
            if not period and not year and row["_schedule"] < 1:
                continue  # names neither: the year's task only at the year's end
            start = bound_left(text, diff.start, SENTENCE_SEPS)
            actuals = [a for a in quantities_in(text[start:diff.start], rules, targets=False) if a.unit == diff.unit]
            if not actuals:
                continue
            actual = actuals[-1]
            task = actual.value - sign * diff.value
            if task <= 0:
                continue
            share = actual.value / task
            phrase = evidence_phrase(text, start + actual.start, diff.end)
            note = f"〔核算：完成{amount_text(actual.value, diff.unit)}，任务{amount_text(task, diff.unit)}，完成{share * 100:.1f}%〕"
            if period:
                measures.append(Measure(phrase, actual.value, diff.unit, task, share * row["_schedule"], field_name,
                                        "milestone", True, start + actual.start, note=note))
            else:
                measures.append(Measure(phrase, actual.value, diff.unit, task, share, field_name, "in-row-target", True,
                                        start + actual.start, note=note))
    return measures


def remaining_measures(row: dict, rules: Rules) -> list[Measure]:
    """Things done beside the things remaining (30 个项目已完成前期工作，下余 87 个推进中): done of
    done + remaining, an "M of N" count ([families.arith_done_remaining]). The done count is the
    last count of the same unit before the remaining one in its sentence whose clause has a word
    of doing (done_words)."""
    pattern = rules.ready["done_remaining"]
    if pattern is None:
        return []
    family = rules.family("arith_done_remaining")
    words, done_words = family.get("remaining_words", []), family.get("done_words", [])
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        if not text or not any(w in text for w in words):
            continue
        for match in pattern.finditer(text):
            remaining, unit = float(match.group(1)), match.group(2)
            start = bound_left(text, match.start(), SENTENCE_SEPS)
            done = None
            for count in reversed(list(re.finditer(rf"(?<![\d.])(\d+)\s*{re.escape(unit)}", text[start:match.start()]))):
                at = start + count.start()
                clause = text[bound_left(text, at, CLAUSE_SEPS):bound_right(text, at + 1, CLAUSE_SEPS)]
                if any(w in clause for w in done_words):
                    done = float(count.group(1))
                    break
            if done is None or done + remaining <= 0:
                continue
            total = done + remaining
            note = f"〔核算：完成{amount_text(done, unit)}，共{amount_text(total, unit)}，完成{done / total * 100:.1f}%〕"
            measures.append(Measure(evidence_phrase(text, at, match.end()), done, unit, total, done / total, field_name,
                                    "x-of-y", True, at, note=note))
    return measures


def dated_measures(deciding: list[Measure], row: dict, rules: Rules) -> list[Measure]:
    """A share below 100% dated in its sentence to an earlier month than the report's (截至 10 月底，
    完成年度计划的 85.9% in a November report) is judged against that month's schedule (10/12), put
    on the report's scale so that the status compares it with the report's schedule
    ([families.arith_dated_measure]). A share at or above 100% is the year's target met whenever."""
    deciding = _not_in_a_delay(_not_a_step(_unnamed_period_plan(deciding, row, rules), row, rules), row, rules)
    if not rules.family("arith_dated_measure").get("own_month_schedule"):
        return deciding
    period = rules.ready["period_month"]
    report_month, schedule = row["_date"].month, row["_schedule"]
    if period is None or schedule >= 1:
        return deciding
    out = []
    for m in deciding:
        if m.kind in SCHEDULE_KINDS or m.ratio is None or m.ratio >= 1 or m.note:
            out.append(m)
            continue
        text = row[m.source_field]
        sentence = sentence_of(text, m.position, m.position)
        months = [month_number(a or b) for a, b in period.findall(sentence)] + _dated_periods(sentence, rules)
        months = [n for n in months if 0 < n < report_month]
        if not months:
            out.append(m)
            continue
        own = months[-1] / 12
        note = f"〔核算：截至{months[-1]}月底，序时进度{own * 100:.1f}%〕"
        out.append(Measure(m.phrase, m.value, m.unit, m.target, m.ratio / own * schedule, m.source_field, "milestone",
                           m.decisive, m.position, note=note))
    return out


def period_plan_month(text: str, rules: Rules) -> int | None:
    """The month a period's plan named in ``text`` ends with (1—6 月计划 → 6, 上半年任务 → 6), or None
    ([families.period_plan_unnamed])."""
    family = rules.family("period_plan_unnamed")
    pattern = family.get("period_plan_pattern")
    match = re.search(pattern, text) if pattern else None
    if match is None:
        return None
    named = match.group("month")
    return month_number(named) if named else int(family.get("period_months", {}).get(match.group("period"), 0)) or None


def _unnamed_period_plan(deciding: list[Measure], row: dict, rules: Rules) -> list[Measure]:
    """A share of a plan that names no year (占投资计划 6.97 亿元的 190.1%) in a progress cell that names
    a period's plan ending by the report month (完成 1—6 月计划投资) is a share of that period's plan:
    the row's own milestone, on the schedule's scale, never the year's target met."""
    own = period_plan_month(row["progress"], rules)
    if own is None or not 0 < own <= row["_date"].month or row["_schedule"] >= 1:
        return deciding
    words = rules.family("period_plan_unnamed").get("year_words", [])
    out = []
    for m in deciding:
        if m.kind in ("annual-share", "completion-rate") and m.ratio is not None and not any(
                w in m.phrase for w in words):
            note = f"〔核算：{own}月底前的期间计划的{m.ratio * 100:.1f}%（期间计划，非全年目标）〕"
            m = Measure(m.phrase, m.value, m.unit, m.target, m.ratio * row["_schedule"] / (own / 12),
                        m.source_field, "milestone", m.decisive, m.position, note=note)
        out.append(m)
    return out


def _not_a_step(deciding: list[Measure], row: dict, rules: Rules) -> list[Measure]:
    """Drop a count met (the task's figure, or 全部完成) whose object is a step before the works
    (完成…22 公里路段灾防工程施工方案审查, 7 处已全部完成踏勘和设计方案): the figure names the works, the
    verb's object is a step of them ([families.step_object]); kept when the task promises that step."""
    family = rules.family("step_object")
    steps = [w for w in family.get("step_words", []) if w not in row["task"]]
    if not steps:
        return deciding
    out = []
    for m in deciding:
        if m.kind in ("target-match", "annual-share") and m.ratio is not None and m.ratio >= 1:
            text = row[m.source_field]
            end = bound_right(text, m.position, SENTENCE_SEPS + "，,；;")
            tail = text[m.position:end]
            if any(w in tail for w in steps) and not any(w in tail for w in family.get("works_done_words", [])):
                continue
        out.append(m)
    return out


def _not_in_a_delay(deciding: list[Measure], row: dict, rules: Rules) -> list[Measure]:
    """Drop the task's count paired at 100% in a sentence that says the work is delayed or cancelled
    (…等 10 个项目因手续办理等原因进度有所滞后): the figure names the set the delay is about, it does not
    say the set was delivered ([families.count_in_delay])."""
    if not rules.family("count_in_delay").get("count_named_in_delay") or not any(
            m.kind == "target-match" and m.ratio is not None and m.ratio >= 1 for m in deciding):
        return deciding
    delays = [c for c in find_delay_cues(row, rules) if not c.weak]
    out = []
    for m in deciding:
        if m.kind == "target-match" and m.ratio is not None and m.ratio >= 1:
            sentence = sentence_of(row[m.source_field], m.position, m.position)
            if any(c.source_field == m.source_field and c.phrase in sentence for c in delays):
                continue
        out.append(m)
    return out


def _dated_periods(sentence: str, rules: Rules) -> list[int]:
    """The months that periods dated with 截至 end with (截至上半年 → 6, 截至 2025 年一季度 → 3:
    [families.dated_period_words])."""
    family = rules.family("dated_period_words")
    pattern, months = family.get("dated_pattern"), family.get("period_months", {})
    return [int(months[m.group("period")]) for m in re.finditer(pattern, sentence)] if pattern else []


def all_done_measures(row: dict, rules: Rules) -> list[Measure]:
    """All of a counted task said done (全年任务为 282 个村，已全部建设完成; 全部完工 for a task of
    186 条; 全部开工建设 for a task of new starts): 100% of the task's count, a share of the year's
    target ([families.arith_all_done]). The count is the task's, or the year's task stated in the
    row before the phrase; a start (开工) counts only for a task of starts; never when negated."""
    pattern = rules.ready["all_done"]
    if pattern is None:
        return []
    family = rules.family("arith_all_done")
    starts = rules["quantities"].get("start_verbs", [])
    text = row["progress"]
    match = pattern.search(text) if text and any(w in text for w in family.get("triggers", [])) else None
    if match is None or negated(text, match.start(), rules):
        return []
    planned = rules.family("plan_not_done").get("plan_words", [])  # 计划 8 月底全部竣工: a plan
    if any(w in text[bound_left(text, match.start(), CLAUSE_SEPS):match.start()] for w in planned):
        return []
    verb = match.group(0)
    if any(v in verb for v in starts) and not any(v in row["task"] for v in starts):
        return []  # works started are not the task's deliverable done
    counted = [t for t in task_targets(row, rules) if t.unit not in rules["quantities"].get("money_units", [])]
    year_task = rules.ready["all_done_year"]
    stated = year_task is not None and year_task.search(text[:match.start()])
    if not counted and not stated:
        return []
    start = bound_left(text, match.start(), SENTENCE_SEPS)
    phrase = evidence_phrase(text, start, match.end())
    return [Measure(phrase, 100.0, "%", 100.0, 1.0, "progress", "annual-share", True, match.start(),
                    note="〔核算：全部完成，即完成年度任务的100%〕")]
