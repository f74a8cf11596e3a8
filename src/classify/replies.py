"""Stage 5b, the decision steps added in the eleventh round (issue 22, helper judge10): rows that no
other step decided and that state, in a reply's own words, that the task is behind — an admission
that the task's own works have still not been done (仍未硬化, 至今尚未开工建设), or works only planned
to start late in the year when the task promised their delivery this year. Each is a family of
``status_rules.toml`` (block ROUND 11 judge10) with its ``read_from``; switched off (its patterns
empty), a step returns None. Both are placed just before ``default_on_track`` in
:data:`src.classify.order.RULE_STEPS`, so they decide only rows the default would have taken."""
from __future__ import annotations

import re

from src.classify.cues import plan_only, work_due
from src.classify.spans import (
    bound_right,
    clause_after,
    clause_before,
    evidence_phrase,
    month_number,
    sentence_of,
)
from src.classify.steps import Decision, Facts


def later_date(family: dict, text: str, year: int, month: int) -> bool:
    """True when ``text`` plans the works for a later date than the report's (计划 10 月开工 in
    July, 将于 2025 年建成 in 2024, 明年开工): "not yet" is then not overdue."""
    pattern = family.get("later_pattern")
    for match in re.finditer(pattern, text) if pattern else []:
        named_year = match.group("year")
        named_month = match.group("month") or match.group("month2")
        if match.group("next"):
            return True
        planned_year = int(named_year) if named_year else year
        if planned_year > year:
            return True
        if planned_year == year and named_month and month_number(named_month) > month:
            return True
        if planned_year == year and not named_month and month < 12:
            return True  # 今年内 / 年底前 with the year still running
    return False


def not_yet_own_verb(f: Facts) -> Decision | None:
    """13d. An admission that the task's own works are still not done: a word of "not yet" (尚未,
    仍未, 还没有, 暂未, 至今未, 一直未) before the works verb the task itself uses (硬化 for a task to
    surface a road) or a start verb for a works task (开工, 施工, 实施), not for a step (尚未启动征地
    手续), not after 除 (the remainder) or a caution in its clause, and not where the row plans the
    works for a later date or only lists them in a plan ([families.not_yet_own_verb]), lagging
    [stated-not-started]."""
    family = f.rules.family("not_yet_own_verb")
    pattern = family.get("pattern")
    if not pattern or f.deciding or f.completions:
        return None
    row = f.row
    task, text = row["task"], row["progress"]
    works_task = any(w in task for w in family.get("task_words", []))
    report = row["_date"]
    for match in re.finditer(pattern, text):
        verb = match.group("verb")
        own = verb in family.get("own_verbs", []) and verb in task
        start = verb in family.get("start_verbs", []) and works_task
        if not (own or start):
            continue
        if any(w in clause_before(text, match.start()) for w in family.get("not_before", [])):
            continue
        after = clause_after(text, match.end())
        if any(after.startswith(w) for w in [*family.get("step_objects", []), *family.get("attributive_after", [])]):
            continue
        if any(w in text[max(0, match.start() - 4):match.end() + 4] for w in f.rules["lagging"].get("false_friends", [])):
            continue  # 已拿地未开工: a category of an investment pipeline
        plans = sentence_of(text, match.start(), match.end()) + "\n" + task + "\n" + row.get("next_steps", "")
        if later_date(family, plans, report.year, report.month) or plan_only(row, f.rules):
            continue
        return Decision("lagging", "stated-not-started", evidence_phrase(text, match.start(), match.end()))
    return None


def start_planned_late(f: Facts) -> Decision | None:
    """13e. Works only planned to start (将于 / 计划 / 拟…开工, 准备进场施工) and none under way, at a
    report late in the year ([lagging].late_from_month or later), when the task promises a delivery
    (建成, 完工, 投用) in the year and not a start: the delivery cannot be made
    ([families.start_planned_late]), lagging [stated-not-started]."""
    family = f.rules.family("start_planned_late")
    pattern = family.get("pattern")
    if not pattern or f.deciding or f.completions:
        return None
    row = f.row
    task, text = row["task"], row["progress"]
    if row["_date"].month < int(f.rules["lagging"].get("late_from_month", 13)):
        return None
    if not any(w in task for w in family.get("delivery_words", [])):
        return None
    if any(w in task for w in family.get("later_task_words", [])):
        return None  # a task dated to a later year or over several years
    if any(w in text for w in family.get("under_way_words", [])):
        return None
    match = re.search(pattern, text)
    if match is None:
        return None
    year = match.group("year")
    if year and int(year) > row["_date"].year:
        return None  # a start in a later year: the task's year is elsewhere
    return Decision("lagging", "stated-not-started", evidence_phrase(text, match.start(), match.end()))


def stage_still_late(f: Facts) -> Decision | None:
    """13c. An early stage in words the early-stage cues do not know (尚处前期阶段, 对接协商确定项目,
    正在开展…前期研究工作, 将…开展设计工作) when the work is due by the early-stage rule
    (:func:`src.classify.cues.work_due`), not where the row plans the works for a later date or has
    them already taken into a programme (已纳入建设规模), not after a caution in its clause
    ([families.stage_words_more]), lagging [stated-not-started]. Before the work is due nothing is
    decided here (the default, as before)."""
    family = f.rules.family("stage_words_more")
    patterns = [p for p in family.get("patterns", []) if p]
    if not patterns or f.deciding or f.completions:
        return None
    row = f.row
    text, report = row["progress"], row["_date"]
    in_plan = family.get("in_plan_pattern")
    later = f.rules.family("not_yet_own_verb")
    for match in (m for pattern in patterns for m in re.finditer(pattern, text)):
        if any(w in clause_before(text, match.start()) for w in family.get("not_before", [])):
            continue
        if not work_due(row, f.rules):
            return None
        if in_plan and re.search(in_plan, text):
            return None
        plans = sentence_of(text, match.start(), match.end()) + "\n" + row["task"] + "\n" + row.get("next_steps", "")
        if later_date(later, plans, report.year, report.month):
            return None
        return Decision("lagging", "stated-not-started", evidence_phrase(text, match.start(), match.end()))
    return None


def not_planned(f: Facts) -> Decision | None:
    """13f. A reply saying the asked-for works are in no plan or cannot be arranged (暂无建设计划,
    未列入年度计划, 暂不考虑, 无法实现), not after a caution, not where its sentence goes on with a
    contrast (…，但…) or says they were taken in after all ([families.not_planned]), lagging
    [stated-pending]."""
    family = f.rules.family("not_planned")
    patterns = [p for p in family.get("patterns", []) if p]
    if not patterns or f.deciding or f.completions:
        return None
    text = f.row["progress"]
    for match in (m for pattern in patterns for m in re.finditer(pattern, text)):
        if any(w in clause_before(text, match.start()) for w in family.get("not_before", [])):
            continue
        sentence = sentence_of(text, match.start(), match.end())
        rest = text[match.end():bound_right(text, match.end(), "。；;！!？?\n")]
        if any(w in rest for w in family.get("contrast_words", [])):
            continue
        if any(w in sentence for w in family.get("resolved_words", [])):
            continue
        return Decision("lagging", "stated-pending", evidence_phrase(text, match.start(), match.end()))
    return None


__all__ = ["not_yet_own_verb", "start_planned_late", "stage_still_late", "not_planned", "later_date"]
