"""Stage 4a, measures written as shares: a share of the annual plan, a completion or
named rate against its target, a share of the elapsed-time target, the row's own
milestone, a node due, and a gap to the schedule stated in points."""
from __future__ import annotations

import re
from functools import lru_cache

from src.classify.cells import ceiling_held
from src.classify.cues import negated
from src.classify.literals import may_match
from src.classify.measure_types import Measure
from src.classify.rules import Rules
from src.classify.spans import (
    CLAUSE_SEPS,
    SENTENCE_SEPS,
    SHARE,
    bound_left,
    bound_right,
    cn_number,
    evidence_phrase,
    month_number,
    sentence_of,
)

_PERCENT = re.compile(r"(?<![\d.])(-?\d+(?:\.\d+)?)\s*[%％]")
_SHARE = SHARE  # see spans.SHARE


@lru_cache(maxsize=256)
def _rate_target_pattern(name: str) -> re.Pattern:
    """The target-rate pattern for one rate name (落地率 …), compiled once per name."""
    return re.compile(
        rf"(\d+(?:\.\d+)?)\s*[%％][^，,。；;\d]{{0,2}}?{re.escape(name)}率|{re.escape(name)}率[^，,。；;\d%]{{0,6}}?(\d+(?:\.\d+)?)\s*[%％]"
    )


def _rate_target(name: str, row: dict) -> float | None:
    """A target rate for the named rate in the task or next-steps text
    (确保完成全年60%落地率目标 → 60)."""
    pattern = _rate_target_pattern(name)
    for field_name in ("task", "next_steps"):
        if name + "率" not in row[field_name]:
            continue  # every match contains the rate's name
        match = pattern.search(row[field_name])
        if match:
            value = float(match.group(1) or match.group(2))
            if value > 0:
                return value
    return None


def _node_month(name: str, row: dict, rules: Rules) -> bool:
    """[families.rate_node_target]: the task's target for the named rate is due at a month before December
    (7 月底前开工率实现 70%), not the year's end."""
    pattern = rules.family("rate_node_target").get("node_pattern")
    text = row["task"]
    match = _rate_target_pattern(name).search(text) if pattern and name + "率" in text else None
    if match is None:
        return False
    node = re.search(pattern, text[bound_left(text, match.start(), SENTENCE_SEPS):match.start()])
    return node is not None and 0 < month_number(node.group("month")) < 12


def _ceiling_rate(name: str, row: dict, rules: Rules) -> bool:
    """[families.bounded_cells].task_ceiling_pattern: the task's target for the named rate is a
    ceiling (失业率控制在 4.5% 以内, 不超过, 低于; not 不低于)."""
    pattern = rules.family("bounded_cells").get("task_ceiling_pattern")
    if not pattern:
        return False
    for field_name in ("task", "next_steps"):
        text = row[field_name]
        match = _rate_target_pattern(name).search(text) if name + "率" in text else None
        if match:
            return re.search(pattern, text[max(0, match.start() - 2):match.end() + 8]) is not None
    return False


def _total_is_the_years(before: str, row: dict, rules: Rules) -> bool:
    """[families.year_total]: a share of a total (占总投资的) when the task's sentence naming
    that total sets it for the report's year (2021年度…总投资 19.9 亿元; 年度…总投资)."""
    family = rules.family("year_total")
    task = row["task"]
    year = str(row["_date"].year)
    for word in family.get("total_words", []):
        if word not in before or word not in task:
            continue
        at = task.index(word)
        sentence = task[bound_left(task, at, SENTENCE_SEPS):bound_right(task, at, SENTENCE_SEPS)]
        if any(f"{year}{w}" in sentence for w in family.get("year_words", [])):
            return True
    return False


_ADJUSTED = "〔核算：调整后的年度目标〕"  # the note that marks a share of the adjusted plan or budget


def composition_share(before: str, rules: Rules) -> bool:
    """[families.composition_share]: the words before a share make it a share of another total
    (占全部财政收入的比重为, 占一般公共预算收入的, 占 500 个重点项目完成投资的): an object after 占
    that names no plan, target, task or budget (fixed names of accounts taken out) and names a
    population (an actual, a fiscal aggregate), or a 比重 of a whole that names no plan."""
    family = rules.family("composition_share")
    pattern = family.get("pattern")
    if not pattern or "占" not in before and "比重" not in before:
        return False
    match = re.search(pattern, before)
    if match is None:
        return False
    whole = match.group("whole") is not None
    target = match.group("whole") if whole else match.group("object")
    for name in family.get("name_words", []):
        target = target.replace(name, "")
    if any(word in target for word in family.get("plan_words", [])):
        return False
    return whole or any(word in target for word in family.get("population_words", []))


def percent_measures(row: dict, rules: Rules) -> list[Measure]:
    q = rules["quantities"]
    measures: list[Measure] = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        last_percent_end = 0
        milestones: dict[int, float] = {}  # sentence start -> the row's own milestone share
        listed = ""  # the words before the first share of a list (分别为 38%、27%、14%)
        for match in _SHARE.finditer(text) if may_match(rules.ready["share_filter"], text) else ():
            clause_start = max(bound_left(text, match.start(), CLAUSE_SEPS), last_percent_end)
            before = _listed_after(text, last_percent_end, match.start(), listed, rules) or text[clause_start:match.start()]
            listed = before if _list_word(before, rules) else ""
            last_percent_end = match.end()
            sentence_start = bound_left(text, match.start(), SENTENCE_SEPS)
            if match.group("pct") is not None:
                value = float(match.group("pct"))
            elif match.group("cnpct"):
                value = cn_number(match.group("cnpct"))
            elif match.group("den"):
                value = round(cn_number(match.group("num")) / cn_number(match.group("den")) * 100, 4)
            else:
                value = cn_number(match.group("tenth")) * 10
            if match.group("pct") is None and match.group("cnpct") is None and not before:
                continue  # a bare 三成 / 三分之一 with nothing to say what it is a share of

            def add(kind, decisive, target=100.0, ratio=None, note=""):
                ratio = value / target if ratio is None and target else ratio
                phrase = evidence_phrase(text, match.start(), match.end(), min_chars=16)  # only for a measure kept
                measures.append(Measure(phrase, value, "%", target, ratio, field_name, kind, decisive, match.start(),
                                        note=note))

            if rules.words("quantities", "excluded_before").found_in(before) or value < 0:
                continue
            if composition_share(before, rules):
                continue  # 占全部财政收入的比重为 76%: a share of another total, not progress
            sign = _schedule_gap_sign(before, rules)
            if sign:  # 超序时进度 44%: a gap to the schedule in points written with %, not a share of it
                gap = sign * value
                measures.append(Measure(evidence_phrase(text, match.start(), match.end(), min_chars=16), gap, "个百分点",
                                        None, row["_schedule"] + gap / 100, field_name, "stated-gap", True,
                                        match.start()))
                continue
            if _adjusted_share(before, rules):
                add("annual-share", True, note=_ADJUSTED)
                continue
            if _plan_share_more(before, rules) and not rules.compiled["annual_share"].search(before):
                add("annual-share", True)
                continue
            below = rules.family("share_below").get("pattern")
            if below and re.search(below, before):
                # 进度均不足 30%: a share below that figure; behind when the figure is at or below the
                # elapsed share, else it says nothing ([families.share_below])
                if value / 100 <= row["_schedule"]:
                    add("completion-rate", True, ratio=value / 100,
                        note=f"〔核算：低于{value:g}%，不超过序时进度{row['_schedule'] * 100:.1f}%〕")
                continue
            excess = rules.ready["excess_share"]
            at_least = rules.family("rate_at_least").get("pattern")
            more_than = rules.family("more_than_share").get("pattern")  # 已超过九成: at least, no excess
            if excess is not None and excess.search(before) and not (at_least and re.search(at_least, before)) and not (
                    more_than and re.search(more_than, before)):
                # 超额完成 20%: 20% more than the year's task, i.e. 120% of it ([families.arith_excess_share])
                add("annual-share", True, ratio=1 + value / 100, note=f"〔核算：即完成年度任务的{100 + value:g}%〕")
                continue
            if rules.ready["period_plan"].search(before):
                # 完成 1-4 月计划的 104%: a share of the period's own plan, the row's milestone
                add("milestone", True, ratio=value / 100 * row["_schedule"])
                continue
            if rules.compiled["milestone"].search(before):
                milestones[sentence_start] = value  # 上半年计划完成 60%: the yardstick, not progress
                continue
            if sentence_start in milestones and (
                rules.compiled["annual_share"].search(before) or rules.words("quantities", "completion_verbs").found_in(before)
            ):
                # …实际完成 55%: judged against the row's own milestone (60%), expressed
                # on the elapsed-share scale so that ratio vs 序时进度 gives the status
                add("milestone", True, target=milestones[sentence_start],
                    ratio=value / milestones[sentence_start] * row["_schedule"])
                continue
            if rules.compiled["schedule_share"].search(before):
                # 完成序时进度的85%: a share of the elapsed-time target, not of the year
                add("schedule-share", True, ratio=value / 100 * row["_schedule"])
                continue
            if rules.ready["plan_figure"].search(before):
                # 占任务 4 万亩的 115%: a share of the figure the row names; of a period's
                # figure when its words name a period and not the year (the row's milestone)
                families = rules.raw.get("families", {})
                tables = [families.get(name, {}) for name in ("arith_plan_figure", "arith_share_any_words")]
                if any(w in before for t in tables for w in t.get("period_words", [])) and not any(
                        w in before for t in tables for w in t.get("year_words", [])):
                    add("milestone", True, ratio=value / 100 * row["_schedule"])
                else:
                    add("annual-share", True)
                continue
            if rules.compiled["annual_share"].search(before):
                add("annual-share", True)
                continue
            rate = rules.compiled["rate"].search(before) if "率" in before else None  # a named rate ends in 率
            plan_rate = rate is not None and rate.group(1) + "率" in rules.ready["plan_share_rates"]
            if rules.words("quantities", "plan_words").found_in(before) and not plan_rate:
                continue  # a plan or forecast, not progress (年度计划投资完成率 95% is progress)
            if rules.words("quantities", "physical_words").found_in(before):
                if _total_is_the_years(before, row, rules):
                    add("annual-share", True)  # 占总投资的 55.1% of a total the task sets for this year
                    continue
                add("physical", False)
                continue
            if rules.words("quantities", "progress_words").found_in(before):
                add("completion-rate", True)
                continue
            if rate:
                name = rate.group(1)
                prefix = before[:rate.start(1)]
                if plan_rate and not any(
                    prefix.endswith(p) for p in q.get("quality_rate_prefixes", [])
                ):
                    add("completion-rate", True)
                    continue
                target = None if plan_rate else _rate_target(name, row)
                if target and _ceiling_rate(name, row, rules):
                    # 失业率控制在 4.5% 以内: held at or below it (on the schedule; met at the year's end)
                    ratio, note = ceiling_held(target, value, row["_schedule"], "%")
                    add("rate-vs-target", True, target=target, ratio=ratio, note=note)
                elif target and _node_month(name, row, rules):
                    # 要求 7 月底前开工率实现 70%: a node's target, the row's milestone (met = on schedule)
                    add("milestone", True, target=target, ratio=value / target * row["_schedule"])
                elif target:
                    add("rate-vs-target", True, target=target)
                continue  # other named rates (整改率, 覆盖率 …) are not plan shares
            if q["share_word"] in before:
                previous = text[sentence_start:clause_start]
                if rules.words("quantities", "physical_words").found_in(previous):
                    add("physical", False)
                elif rules.words("quantities", "completion_verbs").found_in(previous):
                    add("completion-rate", True)
                continue
            if rules.words("quantities", "completion_verbs").found_in(before):
                due = _node_due(text, sentence_start, match.start(), row, rules)
                if due:  # 原计划6月底前完成…，目前只完成了百分之六十: the node is the yardstick
                    add("milestone", True, ratio=value / 100 * row["_schedule"])
                    continue
                sentence = sentence_of(text, match.start(), match.end())
                if rules.words("quantities", "annual_context_words", []).found_in(sentence):
                    add("annual-share", True)  # 序时进度为75%，实际完成68%
                else:
                    add("physical", False)
    adjusted = {m.source_field for m in measures if m.note == _ADJUSTED}  # the adjusted plan replaces the first
    return [m for m in measures if not (m.source_field in adjusted and m.kind == "annual-share" and m.note != _ADJUSTED)]


def _list_word(before: str, rules: Rules) -> bool:
    return any(word in before for word in rules.family("listed_shares").get("list_words", []))


def _listed_after(text: str, previous_end: int, start: int, listed: str, rules: Rules) -> str:
    """[families.listed_shares]: a share that follows a share of a list (…完成率分别为 38%、27%、14%)
    with only a list separator between them reads with the words before the list's first share."""
    if not listed or previous_end <= 0:
        return ""
    between = text[previous_end:start].strip()
    return listed if between in rules.family("listed_shares").get("separators", []) else ""


def _schedule_gap_sign(before: str, rules: Rules) -> int:
    """[families.schedule_gap_percent]: +1 / -1 when the words before a per-cent figure make it a gap to the
    schedule (超序时进度 44%, 落后序时进度 5%), 0 otherwise."""
    family = rules.family("schedule_gap_percent")
    if not family or "序时" not in before and "时序" not in before and "时间进度" not in before:
        return 0
    for sign, key in ((1, "ahead_pattern"), (-1, "behind_pattern")):
        if family.get(key) and re.search(family[key], before):
            return sign
    return 0


def _adjusted_share(before: str, rules: Rules) -> bool:
    """[families.composition_share].adjusted_share_pattern: a share of the adjusted plan or budget."""
    pattern = rules.family("composition_share").get("adjusted_share_pattern")
    return bool(pattern) and "调整" in before and re.search(pattern, before) is not None


def _plan_share_more(before: str, rules: Rules) -> bool:
    """[families.plan_share_more]: a share of the plan in words the older patterns lack."""
    return any(re.search(p, before) for p in rules.family("plan_share_more").get("share_patterns", []))


def _node_due(text: str, start: int, end: int, row: dict, rules: Rules) -> bool:
    """True when text[start:end] states a node due by the report date
    (``[quantities].node_due_pattern``: 原计划6月底前完成…)."""
    pattern = rules.ready["node_due"]
    if pattern is None:
        return False
    report_month = row["_date"].month
    return any(0 < month_number(m) <= report_month for m in pattern.findall(text, start, end))


def gap_measures(row: dict, rules: Rules) -> list[Measure]:
    """A gap to the schedule written in points: 滞后序时进度9.8个百分点,
    超序时进度2.99个百分点, 低于目标21.7个百分点. The ratio is the elapsed share
    plus or minus the gap, so ``schedule_gap_pts`` repeats the stated gap."""
    schedule = row["_schedule"]
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        seen = set()
        if not may_match(rules.ready["gap_filter"], text):
            continue
        for sign, patterns in ((-1, rules.compiled["gap_behind"]), (1, rules.compiled["gap_ahead"])):
            for pattern in patterns:
                for match in pattern.finditer(text):
                    if match.start(1) in seen or negated(text, match.start(), rules):
                        continue
                    seen.add(match.start(1))
                    gap = float(match.group(1))
                    measures.append(Measure(evidence_phrase(text, match.start(), match.end()), sign * gap, "个百分点", None,
                                            schedule + sign * gap / 100, field_name, "stated-gap", True, match.start()))
    return measures

