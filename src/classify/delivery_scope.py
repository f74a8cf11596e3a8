"""Stage 5a, the twelfth round's completion and stated-status guards (issue 22, helper judge15):
what a delivery or an early stage says read against the rest of the row by STRUCTURE — a works
share below 100% beside a delivery, a start or delivery dated to a later year beside an early
stage — not by which words an office chose. Each reads a family of ``status_rules.toml`` (block
ROUND 12 judge15) with its ``read_from``; switched off, a step returns None and changes nothing.
Placed in :data:`src.classify.order.RULE_STEPS`.

* :func:`works_short_scope` (0d, before any step; never decides): a delivery event in a row whose
  works progress is stated below 100% (完成总工程量的 40%, 整体钢结构施工完成 70%) is the
  delivery of a part or of one item, not of the task: the one-off cues are dropped.
* :func:`works_short` (before the delivery grammars): such a row is on-track, flagged, so that no
  later delivery grammar reads the part as the task.
* :func:`own_object_done` (after the completion grammars, before stated_on_track): the task's own
  object (a run of characters shared with the task, or the task by anaphora: 该项目) as the object
  of a perfective predicate (已对××进行了维修, 实施了××项目, 完成“××工程”, 该项目已于 10 月底完成
  with the date on or before the report's), nothing planned, under way or left after it:
  completed.
* :func:`finding_rectified` (beside own_object_done): a task stating a finding or a problem whose
  rectification or solution is stated done (该问题已完成整改, 已整改到位, 解决了××问题): completed.
* :func:`short_cell_delivery` (after bare_delivery): a short cell built only of delivery or in-use
  predicates and words of all or aspect (建成使用, 开诊运行; 全部开工 for a task of starts): completed.
* :func:`early_stage_later_year` (0e; never decides): an early stage (正在办理…手续) in a row that
  dates the start or the delivery to a later year than the report's (预计 2019 年开工 in a 2018
  reply), or whose task only asks or plans (a suggestion, a question: it commits to no date), is
  not overdue: the early-stage cues become weak (on-track, flagged, not lagging). A date passed
  (due_date_passed) and an obstruction (stated_delay) still decide before the weak cue.
"""
from __future__ import annotations

import re
from dataclasses import replace

from src.classify.cues import find_early_stage_cues
from src.classify.spans import SENTENCE_SEPS, bound_left, clause_before, evidence_phrase, month_number, shares_run, strip_for_only
from src.classify.steps import Decision, Facts, has_digit


def _works_short(f: Facts):
    """The first works-progress measure of the row below 100% (kind ``physical``), or None."""
    return next((m for m in f.measures if m.kind == "physical" and m.ratio is not None and m.ratio < 1), None)


def works_short_scope(f: Facts) -> None:
    """0d. Drop the one-off delivery cues of a row whose works progress is stated below 100%
    ([families.works_short_of_delivery]). Never decides (returns None)."""
    if not f.rules.family("works_short_of_delivery").get("one_off_needs_works_done") or not f.one_off:
        return None
    short = _works_short(f)
    if short is not None:
        f.found["works_short"] = short.phrase
        f.one_off = []
    return None


def works_short(f: Facts) -> Decision | None:
    """A row whose delivery cue :func:`works_short_scope` dropped: on-track, flagged, on the works
    share (a part delivered, the works not all done)."""
    phrase = f.found.get("works_short")
    if not phrase or f.one_off:
        return None
    f.review.append("a delivery stated while the row's works progress is below 100%")
    return Decision("on-track", "stated-on-track", phrase)


def _later_year(family: dict, text: str, year: int) -> str:
    """The phrase of a start or delivery dated to a later year than ``year`` (预计 2019 年开工,
    明年建成), or ''."""
    pattern = family.get("later_year_pattern")
    for match in re.finditer(pattern, text) if pattern else []:
        named = match.group("year")
        if match.group("next") or (named and int(named) > year):
            return evidence_phrase(text, match.start(), match.end())
    return ""


def early_stage_later_year(f: Facts) -> None:
    """0e. The early-stage cues of a row that dates the start or the delivery to a later year than
    the report's (in the progress, the task or the next steps) are weak: not due, not lagging
    ([families.early_stage_later_year]). Never decides (returns None)."""
    family = f.rules.family("early_stage_later_year")
    row = f.row
    text = "\n".join(row.get(name) or "" for name in ("progress", "task", "next_steps"))
    later = _later_year(family, text, row["_date"].year)  # the patterns first: the cues only when one matches
    asks = f.rules.family("early_stage_request").get("task_pattern")
    if not later and asks and re.search(asks, row["task"]):
        later = "the task asks or plans, it commits to no date"  # [families.early_stage_request]
    cues = f.cues(find_early_stage_cues) if later else []
    if any(not c.weak for c in cues):
        f.found[find_early_stage_cues] = [replace(c, weak=True) for c in cues]
        f.review.append(f"early stage not overdue: {later}")
    return None


def _dated_not_later(match: re.Match, year: int, month: int) -> bool:
    """A delivery's date (groups year, month) on or before the report's year and month; True
    when the match carries no month."""
    named = match.groupdict().get("month")
    if not named:
        return True
    when = (int(match.group("year")) if match.groupdict().get("year") else year, month_number(named))
    return 1 <= when[1] <= 12 and when <= (year, month)


def own_object_done(f: Facts) -> Decision | None:
    """The task's own object with a perfective predicate ([families.own_object_done]): an object
    sharing a run of ``min_run`` characters with the task (not a stop run), or the task by
    anaphora (``anaphora``: 该项目), in one of ``patterns``; not after a plan, a negation or a
    stage in its clause, no stage right after it, nothing under way or planned from its sentence
    on, no measure short of its target, a dated delivery not later than the report; a task that
    is open-ended only when it is not a named works (ending in ``named_works_ends``): completed
    [one-off-completed]."""
    family = f.rules.family("own_object_done")
    patterns = family.get("patterns", [])
    if not patterns or f.short_of_target:
        return None
    task, text = f.row["task"].strip(), f.row["progress"]
    named_works = task.rstrip("。.；;").endswith(tuple(family.get("named_works_ends", [])))
    if not named_works and any(w in task for w in f.rules["completed"].get("open_ended_markers", [])):
        return None
    report = f.row["_date"]
    for match in (m for pattern in patterns for m in re.finditer(pattern, text)):
        if any(w in clause_before(text, match.start()) + match.group(0) for w in family.get("not_before", [])):
            continue
        if any(w in text[match.end():match.end() + 6] for w in family.get("stage_after", [])):
            continue
        predicate = text[match.end("object"):match.end()] if match.groupdict().get("object") else match.group(0)
        if any(w in predicate for w in family.get("step_words", [])):
            continue  # 已对该路段进行了现场勘查: a step on the way, not the works
        rest = text[bound_left(text, match.start(), SENTENCE_SEPS):]
        if any(w in rest for w in family.get("ongoing_words", [])):
            continue
        if not _dated_not_later(match, report.year, report.month):
            continue
        obj = re.sub(r"\s", "", match.groupdict().get("object") or "")
        if obj in family.get("anaphora", []) or shares_run(obj, task, int(family.get("min_run", 3)),
                                                           family.get("stop_runs", [])):
            return Decision("completed", "one-off-completed", evidence_phrase(text, match.start(), match.end()))
    return None


def finding_rectified(f: Facts) -> Decision | None:
    """A task that states a finding or a problem (``task_pattern``: ××问题, 推进不力, 任务未完成)
    whose rectification or solution the progress states done (该问题已完成整改, 已整改到位, 已完成整改
    任务, 解决了××问题), not after a plan, a partial or a negation in its clause, no count right after
    it, nothing under way or left from its sentence on ([families.finding_rectified]): completed
    [explicit-completed]."""
    family = f.rules.family("finding_rectified")
    task_pattern, patterns = family.get("task_pattern"), family.get("patterns", [])
    if not task_pattern or not patterns or f.short_of_target or not re.search(task_pattern, f.row["task"]):
        return None
    text = f.row["progress"]
    for match in (m for pattern in patterns for m in re.finditer(pattern, text)):
        if any(w in clause_before(text, match.start()) + match.group(0) for w in family.get("not_before", [])):
            continue
        if re.match(r"\s*\d", text[match.end():]):
            continue  # 已整改 12 处: a count, a measure
        if any(w in text[bound_left(text, match.start(), SENTENCE_SEPS):] for w in family.get("ongoing_words", [])):
            continue
        return Decision("completed", "explicit-completed", evidence_phrase(text, match.start(), match.end()))
    return None


def short_cell_delivery(f: Facts) -> Decision | None:
    """A short cell that is itself a delivery predicate, built from parts ([families.short_cell_delivery]):
    nothing but words of all or aspect (全部, 均, 已…) and delivery or in-use predicates (建成, 使用,
    运行, 开诊…; a start, 开工, only for a task of starts), no number, no plan, partial or negation.
    With no subject, it speaks of the whole task, its count included: completed [stated-delivered]."""
    family = f.rules.family("short_cell_delivery")
    predicates = list(family.get("predicates", []))
    if not predicates or f.short_of_target:
        return None
    text = f.row["progress"].strip()
    core = strip_for_only(text)
    if not core or len(core) > int(family.get("max_chars", 8)) or has_digit(text):
        return None
    if any(w in core for w in family.get("not_words", [])):
        return None
    if re.search(family.get("start_task_pattern") or r"^\b$", f.row["task"]):
        predicates += family.get("start_predicates", [])
    rest = core
    for word in sorted([*predicates, *family.get("aspect_words", [])], key=len, reverse=True):
        rest = rest.replace(word, "")
    if rest or not any(p in core for p in predicates):
        return None
    return Decision("completed", "stated-delivered", text)


__all__ = ["short_cell_delivery", "finding_rectified", "works_short_scope", "works_short", "early_stage_later_year", "own_object_done"]
