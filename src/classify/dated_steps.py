"""Stage 5a, the decision steps added in the ninth round (issue 22), read from half A of corpus
batch 7 (answers on a project's progress, towns' 民生实事 pages): a one-off deliverable stated
done in a grammar of delivery verbs and perfective markers, and a project behind by the row's own
dates, money or obstruction. Each is a family of ``status_rules.toml`` (block ROUND 9) with
its ``read_from``; switched off (its patterns never matching, its lists empty), a step returns
None. The steps are placed in :data:`src.classify.order.RULE_STEPS`."""
from __future__ import annotations

import re

from src.classify.cues import plan_only
from src.classify.due_dates import dated_after  # ROUND 12 judge13
from src.classify.spans import (
    CLAUSE_SEPS,
    bound_right,
    clause_before,
    evidence_phrase,
    month_number,
    sentence_of,
    shares_run,
)
from src.classify.steps import Decision, Facts


def _search(pattern: str | None, text: str) -> list[re.Match]:
    return list(re.finditer(pattern, text)) if pattern else []


def delivery_done(f: Facts) -> Decision | None:
    """10b. A one-off deliverable stated done in a grammar the delivery events do not know: a
    perfective verb taking the delivery as its object (完成…验收工作, 通过…验收) or a delivery
    noun followed by a perfective word (验收合格, 移交完毕), never after a goal, a plan or a
    negation in its clause; for the task's own deliverable (the object shares a run of
    characters with the task, or names none), and no measure below 100%
    ([families.delivery_grammar]) [one-off-completed]."""
    family = f.rules.family("delivery_grammar")
    text, task = f.row["progress"], f.row["task"]
    if any(w in task for w in f.rules["completed"].get("open_ended_markers", [])) or f.short_of_target:
        return None
    if not any(w in task for w in family.get("task_words", [])):
        return None
    skip = [*family.get("not_before", []), *family.get("part_words", []),
            *f.rules["completed"].get("delivery", {}).get("other_object_words", [])]  # 另一个公园
    for match in (m for pattern in family.get("patterns", []) for m in _search(pattern, text)):
        before = clause_before(text, match.start())
        if any(w in before + match.group(0) for w in skip):
            continue
        if not _own_object(f, family, match.groupdict().get("object") or before):
            continue
        return Decision("completed", "one-off-completed", evidence_phrase(text, match.start(), match.end()))
    return None


def year_end_rest(f: Facts) -> Decision | None:
    """2b. At a year-end report, part of the year's task said still under way or put off to a
    later year (还有…正在实施; 其余…将在次年…建成): unfinished at the year's end
    ([families.year_end_rest]), lagging [stated-delay]."""
    family = f.rules.family("year_end_rest")
    if f.row["_date"].month < int(f.rules["schedule"].get("year_end_month", 12)):
        return None
    text = f.row["progress"]
    for match in _search(family.get("pattern"), text):
        year = match.groupdict().get("year")
        if year and int(year) <= f.row["_date"].year:
            continue  # a date in the report's year is no putting off
        return Decision("lagging", "stated-delay", evidence_phrase(text, match.start(), match.end()))
    return None


def held_back(f: Facts) -> Decision | None:
    """7b. An obstruction or money not in place in words the delay cues do not know (暂无法办理…,
    …不予配合; 资金未到位, 资金尚未落实), not after a goal or a caution in its clause, not in a
    sentence that says it was resolved ([families.held_back]), lagging [stated-delay]."""
    family = f.rules.family("held_back")
    return _held(family, f.row["progress"], [family.get("obstruction_pattern"), family.get("money_pattern")],
                 "stated-delay")


def cannot_go_ahead(f: Facts) -> Decision | None:
    """7d. Works that cannot go ahead (不具备…条件, 受…影响无法推进), stopped or suspended (停止施工,
    暂停建设), or, for a works task, waiting on a condition still open before they start (待…审批后
    实施, 适时再考虑建设): the codebook's obstruction and "to be decided" (待选址确定后), with
    held_back's guards ([families.cannot_go_ahead]), lagging [stated-pending]. A wait is no hold
    for work only listed in a plan with nothing due ([families.plan_only])."""
    family = f.rules.family("cannot_go_ahead")
    text = f.row["progress"]
    patterns = [family.get("condition_pattern"), family.get("stop_pattern")]
    task = f.row["task"]
    if any(w in task for w in family.get("task_words", [])) and not any(
            w in task for w in family.get("task_skip_words", [])) and not plan_only(f.row, f.rules):
        patterns.append(family.get("wait_pattern"))
    return _held(family, text, patterns, "stated-pending")


def _held(family: dict, text: str, patterns: list, rule: str) -> Decision | None:
    """Lagging at the first match of ``patterns`` not after a condition or a caution in its clause
    (``not_before``) and not in a sentence that says it was resolved (``resolved_words``)."""
    for match in (m for pattern in patterns for m in _search(pattern, text)):
        if any(w in clause_before(text, match.start()) for w in family.get("not_before", [])):
            continue
        if any(w in sentence_of(text, match.start(), match.end()) for w in family.get("resolved_words", [])):
            continue
        return Decision("lagging", rule, evidence_phrase(text, match.start(), match.end()))
    return None


def within_ceiling(f: Facts) -> Decision | None:
    """2c. A ceiling stated held (控制在指标范围内, 低于控制指标) for a task that promises a ceiling or
    a decrease: met at a year-end report [explicit-completed], on-track before it [stated-on-track]
    ([families.within_ceiling]). Never after a goal in its clause (确保, 力争: a promise)."""
    family = f.rules.family("within_ceiling")
    text, task = f.row["progress"], f.row["task"]
    if not any(w in task for w in family.get("task_words", [])):
        return None
    for match in _search(family.get("pattern"), text):
        if any(w in clause_before(text, match.start()) for w in family.get("not_before", [])):
            continue
        evidence = evidence_phrase(text, match.start(), match.end())
        if f.row["_date"].month >= int(f.rules["schedule"].get("year_end_month", 12)):
            return Decision("completed", "explicit-completed", evidence)
        return Decision("on-track", "stated-on-track", evidence)
    return None


def site_pending(f: Facts) -> Decision | None:
    """7c. A task to build or rebuild something still choosing its site (正在推进项目选址,
    选址工作仍在进行): the codebook's "to be decided" for a task to build something
    ([families.site_pending]), lagging [stated-pending]."""
    family = f.rules.family("site_pending")
    if not any(w in f.row["task"] for w in family.get("task_words", [])):
        return None
    text = f.row["progress"]
    for match in _search(family.get("pattern"), text):
        return Decision("lagging", "stated-pending", evidence_phrase(text, match.start(), match.end()))
    return None


def due_date_passed(f: Facts) -> Decision | None:
    """9b. The row's own planned date for the deliverable or the start (原计划 8 月底完工, 计划
    2023 年 3 月开工, 原计划今年上半年开工, 应于去年底建成) before the report date, and nothing says
    it was done (no done word, no measure): overdue ([families.due_date_passed]), lagging
    [stated-not-started]."""
    family = f.rules.family("due_date_passed")
    text = f.row["progress"]
    if f.deciding or f.completions:
        return None
    report = f.row["_date"]
    for match, (year, month) in _planned_dates(family, text, report.year):
        if not 1 <= month <= 12 or (year, month) >= (report.year, report.month):
            continue
        verb = match.group("verb")
        markers = "|".join(map(re.escape, family.get("done_markers", [])))
        if markers and re.search(rf"(?:{markers})[^，,。；;]{{0,10}}?{verb}", text):
            return None  # 已于 3 月开工: the planned step was made
        if any(w in text for w in family.get("done_words", [])):
            return None
        unplanned = _without_planned(family, text)  # …计划 7 月进场施工: a plan, no works under way
        if verb in family.get("start_verbs", []) and any(w in unplanned for w in family.get("works_words", [])):
            return None  # works under way: the start was made
        return Decision("lagging", "stated-not-started", evidence_phrase(text, match.start(), match.end()))
    return None


def _without_planned(family: dict, text: str) -> str:
    """``text`` with every planned date and its verb (计划 7 月份进场施工) taken out."""
    for key in ("pattern", "period_pattern"):
        if family.get(key):
            text = re.sub(family[key], "", text)
    return text


def _planned_dates(family: dict, text: str, report_year: int) -> list:
    """(match, (year, month)) of every planned date: a month (8 月底), or a period of a year
    (2023 年, 今年上半年, 去年底: the period's last month; a year alone, its December)."""
    dates = []
    for match in _search(family.get("pattern"), text):
        year = int(match.group("year")) if match.group("year") else report_year
        dates.append((match, (year, month_number(match.group("month")))))
    years = family.get("relative_years", {})
    periods = family.get("period_months", {})
    for match in _search(family.get("period_pattern"), text):
        word = match.group("year") or ""
        year = int(word[:4]) if word[:4].isdigit() else report_year + int(years.get(word, 0))
        dates.append((match, (year, int(periods.get(match.group("period") or "", 12)))))
    return dates


def component_share(f: Facts) -> Decision | None:
    """10a. A row with no deciding measure that states the share done of a part of the works
    (完成 30% 的路基施工): the lowest such share against the elapsed share, for a project of the
    report's year (no other year, no multi-year words) ([families.component_share])."""
    family = f.rules.family("component_share")
    task, text = f.row["task"], f.row["progress"]
    if f.deciding or any(w in task + text for w in family.get("multi_year_words", [])):
        return None
    if any(int(y) != f.row["_date"].year for y in re.findall(r"(20\d\d)\s*年", task + text)):
        return None
    found = [(m, float(m.group("share"))) for m in _search(family.get("pattern"), text)]
    if not found:
        return None
    match, share = min(found, key=lambda pair: pair[1])
    if share >= 100 or share - f.schedule * 100 >= -f.tolerance:
        return None  # on schedule by a part: says nothing of the rest
    return Decision("lagging", "quantified-below-schedule", evidence_phrase(text, match.start(), match.end()),
                    ratio=share / 100)


def year_end_tasks_done(f: Facts) -> Decision | None:
    """10c. At a year-end report, a row whose every clause states a delivery done, one of them the
    year's counted task done (完成 41 个…改造任务), nothing under way or planned
    ([families.year_end_tasks_done]): completed [explicit-completed]."""
    family = f.rules.family("year_end_tasks_done")
    if f.row["_date"].month < int(f.rules["schedule"].get("year_end_month", 12)) or f.short_of_target:
        return None
    text = f.row["progress"]
    found = _search(family.get("pattern"), text)
    if not found or any(w in text for w in family.get("ongoing_words", [])):
        return None
    return Decision("completed", "explicit-completed", evidence_phrase(text, found[0].start(), found[0].end()))


def surface_done(f: Facts) -> Decision | None:
    """10d. A road or bridge whose last layer is stated done (面层沥青摊铺完成, 完成桥面铺装), with
    every clause of the row perfective (完成, 完工, 已…) and none a lower layer or a part still
    under way ([families.surface_done]): the road delivered, completed [one-off-completed]."""
    family = f.rules.family("surface_done")
    task, text = f.row["task"], f.row["progress"]
    if not any(w in task for w in family.get("task_words", [])) or f.short_of_target:
        return None
    found = _search(family.get("pattern"), text)
    if not found or any(w in text for w in family.get("not_words", [])):
        return None
    clauses = [c for c in re.split(r"[，,。；;]", text) if c.strip()]
    perfective = family.get("perfective_words", [])
    if not clauses or not all(any(w in c for w in perfective) for c in clauses):
        return None
    return Decision("completed", "one-off-completed", evidence_phrase(text, found[0].start(), found[0].end()))



def _own_object(f: Facts, family: dict, obj: str) -> bool:
    """The object of a delivery is the task's own: it shares a run of characters with the task
    (not a stop run), or names at most ``bare_max_chars`` (0 by default) once the filler words and
    the dates are taken out."""
    for word in family.get("bare_words", []):
        obj = obj.replace(word, "")
    obj = re.sub(r"[\d年月日号份底初中旬上下]", "", obj).strip()
    return (len(obj) <= int(family.get("bare_max_chars", 0))
            or shares_run(obj, f.row["task"], int(family.get("min_overlap", 2)), family.get("stop_runs", [])))


def task_verb_done(f: Facts) -> Decision | None:
    """10e. The task's own works verb (改造 for 小区改造, 维修 for 道路维修) stated done with a
    perfective marker (已改造完成, 改造工作已完成, 建设完毕, 已完成维修), or a delivery dated on or
    before the report date (于 5 月完工, 于 6 月竣工并交付使用), for the task's own object, in a
    row with nothing under way, planned, partial or negated ([families.task_verb_done]):
    completed [one-off-completed]."""
    family = f.rules.family("task_verb_done")
    task, text = f.row["task"], f.row["progress"]
    if any(w in task for w in f.rules["completed"].get("open_ended_markers", [])) or f.short_of_target:
        return None
    if any(w in text for w in family.get("ongoing_words", [])):
        return None
    verbs = [v for v in family.get("task_verbs", []) if v in task]
    found = []
    if verbs:
        alt = "|".join(map(re.escape, sorted(verbs, key=len, reverse=True)))
        for pattern in family.get("verb_patterns", []):
            found += list(re.finditer(pattern.replace("VERB", alt), text))
    if any(v in task for v in family.get("build_verbs", [])):  # a task to build is delivered by 建成
        found += _search(family.get("built_pattern"), text)
    report = f.row["_date"]
    for match in _search(family.get("dated_pattern"), text):
        year = int(match.group("year")) if match.group("year") else report.year
        if 1 <= month_number(match.group("month")) and (year, month_number(match.group("month"))) <= (report.year, report.month):
            if not dated_after(f.rules, match.group(0), report):  # ROUND 12 judge13: 7 月底建成 on 28 July
                found.append(match)
    other = f.rules["completed"].get("delivery", {}).get("other_object_words", [])  # 另一个公园
    # ROUND 11 judge12 ([families.task_verb_done_more], its own switch): 一期 of a task of the 一期
    own_parts = [w for w in f.rules.family("task_verb_done_more").get("task_own_parts", []) if w in task]
    for match in sorted(found, key=lambda m: m.start()):
        before = clause_before(text, match.start())
        if any(w in before + match.group(0) for w in [*family.get("not_before", []), *other] if w not in own_parts):
            continue
        if _own_object(f, family, before + (match.groupdict().get("object") or "")):
            return Decision("completed", "one-off-completed", evidence_phrase(text, match.start(), match.end()))
    return None



def listed_not_done(f: Facts) -> None:
    """0. Before any step: a count whose clause goes on to a list or a plan drawn up (形成 30 家…
    名单, 梳理出 12 个项目清单) is not a count done: it leaves the deciding measures
    ([families.listed_not_done]). Never decides (returns None)."""
    words = f.rules.family("listed_not_done").get("list_words", [])
    if not words:
        return None
    keep = []
    for m in f.deciding:
        text = f.row.get(m.source_field) or ""
        after = text[m.position:bound_right(text, m.position, CLAUSE_SEPS)] if text else ""
        if m.unit != "%" and any(w in after for w in words):
            continue
        keep.append(m)
    if len(keep) < len(f.deciding):
        f.deciding = keep
        f.below = [m for m in keep if not f.on_schedule(m)]
        f.at_or_above = [m for m in keep if f.on_schedule(m)]
        f.short_of_target = [m for m in keep if m.ratio < 1]
    return None



def one_item_of_several(f: Facts) -> None:
    """0b. Before any step: in a row of several items, a completion of the year's task said of one
    named item (乙院完成年度建设任务) while another clause says another item is still being built
    (甲院主体完工, 丙院加快建设) is not the row's completion: the codebook's majority rule. The cue
    leaves the year's completions, flagged ([families.one_item_of_several]). Never decides."""
    family = f.rules.family("one_item_of_several")
    pattern = family.get("ongoing_pattern")
    text = f.row["progress"]
    if not f.annual or not pattern:
        return None
    clauses = [c for c in re.split(r"[，,。；;]", text) if c.strip()]
    keep = []
    for cue in f.annual:
        own = next((c for c in clauses if cue.phrase in c), "")
        subject = own[:own.find(cue.phrase)] if own else ""
        for word in family.get("manner_words", []):
            subject = subject.replace(word, "")
        others = [c for c in clauses if c != own and re.search(pattern, c)]
        if len(subject.strip()) >= int(family.get("min_subject_chars", 2)) and others:
            f.review.append("one item of several said to meet its year's task; another still being built")
            continue
        keep.append(cue)
    f.annual = keep
    return None


__all__ = ["delivery_done", "year_end_rest", "within_ceiling", "held_back", "cannot_go_ahead", "site_pending", "due_date_passed", "component_share",
           "year_end_tasks_done", "surface_done", "task_verb_done",
           "listed_not_done", "one_item_of_several"]
