"""Dates as arithmetic (issue 22, twelfth round, helper judge13): a date the task or the reply
states, compared with the report date and with each other — never a wording of delay.

* :func:`deadline_schedule` — the task's own deadline for its target within the report's year
  (要在 8 月底之前全部完成, 承诺 3 月份开复工 36 项) is the row's yardstick: at the report date the
  share due is the months elapsed over the months to the deadline (all of it once the deadline is
  reached), not the elapsed share of the calendar year ([families.task_deadline]).
* :func:`reply_date_past_due` — a reply whose own planned date for the delivery is later than the
  due date it answers (the task asks 应在 2023 年 9 月 30 日竣工 / 今年 9 月能否开学, the reply plans
  2023 年底建成; or the reply's own 原计划 6 月…, now 计划 7 月…): a delivery moved past the promise
  is a delay ([families.date_past_due]), lagging [stated-delay].

Both read dates as (year, month) pairs: a year named (2023 年), relative to the report's (今年,
明年) or, with none, the report's own; a period's last month (年底 → 12). Each is a family of
``status_rules.toml`` (block ROUND 12 judge13) with its ``read_from``; switched off (its patterns
never matching), it changes nothing.
"""
from __future__ import annotations

import calendar
import re

from src.classify.dates import stated_date
from src.classify.spans import clause_before, evidence_phrase, sentence_of
from src.classify.steps import Decision, Facts


def month_ended(day) -> bool:
    """True when ``day`` is the last day of its month (a deadline of that month is then reached)."""
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _search(pattern: str | None, text: str) -> list[re.Match]:
    return list(re.finditer(pattern, text)) if pattern else []


def earlier_programmes(rules, task: str, year: int) -> list[re.Match]:
    """The year's programmes of a year before ``year`` the task names (2022 年民生实事 in 2023), when it
    names no year of its own at or after ``year`` (2022 年目标任务完成后，2023 年… is this year's task)
    ([families.task_deadline] programme_pattern)."""
    if any(int(y) >= year for y in re.findall(r"(20\d\d)\s*年", task)):
        return []
    return [m for m in _search(rules.family("task_deadline").get("programme_pattern"), task)
            if int(m.group("year")) < year]


def deadline_schedule(row: dict, rules, schedule: float) -> tuple[float, str]:
    """The share of the task due at the report date when the task states its own deadline in the
    report's year before December, or in an earlier year (要在 2012 年 8 月底之前全部完成: at the
    end of May 5/8 of it; 承诺 3 月份开复工: all of it at the end of March); else ``schedule``
    unchanged; a year's programme of an earlier year (2022 年民生实事, 2016 年…计划完成 in a 2023 / 2017
    report): all of it. Returns (share, the deadline's phrase or "")."""
    family = rules.family("task_deadline")
    report = row["_date"]
    for match in earlier_programmes(rules, row["task"], report.year):  # 2022 年民生实事 in 2023: all due
        return 1.0, match.group(0)
    for match in _search(family.get("pattern"), row["task"]):
        due = stated_date(match, family, report.year)
        if due is None or due[1] == 0:
            continue
        year, month = due
        if year > report.year or (year == report.year and month >= 12):
            return schedule, ""  # due at or after the year's end: the year's schedule
        if year < report.year:
            return 1.0, match.group(0)
        return min(1.0, schedule * 12 / month), match.group(0)
    return schedule, ""


def reply_date_past_due(f: Facts) -> Decision | None:
    """9c. A delivery moved past the promise: the reply's own planned date for the delivery (计划
    2023 年底建成, 预计 12 月才能完成) later than the due date it answers — a date the task states as
    due or asks about (应在 9 月 30 日竣工, 今年 9 月能否开学; not one it only forecasts, 预计 5 月完工;
    a year's programme of an earlier year, 2022 年民生实事, due by that December)
    or a date the reply says was the plan (原计划 6 月份进场施工); or that due date reached at the
    report date (its month ended) with the delivery or start said not yet made (还未动工), or, for a
    delivery the task states as due, the works still under way (目前正在进行主体施工). Not for a date
    after a done marker (已于…: a past event), not for a later phase (二期), not where the reply says
    the due date is kept (如期, 按期; not 不能如期), never beside a done word, a measure or a completion
    ([families.date_past_due]), lagging [stated-delay]."""
    family = f.rules.family("date_past_due")
    if not family.get("planned_pattern") or f.deciding or f.completions:
        return None
    row = f.row
    report = row["_date"]
    text = row["progress"]
    asked = [d for pattern in family.get("due_patterns", []) for m in _search(pattern, row["task"])
             if (d := stated_date(m, family, report.year)) and d[1]]
    asked += [(int(m.group("year")), 12) for m in earlier_programmes(f.rules, row["task"], report.year)]
    was_planned = [d for m in _search(family.get("was_planned_pattern"), text)
                   if (d := stated_date(m, family, report.year)) and d[1]]
    if not asked and not was_planned:
        return None
    if _search(family.get("kept_pattern"), text):
        return None  # the reply answers the due date as met (如期, 按期; not 不能如期)
    due = min(asked + was_planned)
    reached = (report.year, report.month) if month_ended(report) else (report.year, report.month - 1)
    not_yet = _search(family.get("not_yet_pattern"), text)
    if asked and min(asked) <= reached:  # a delivery the task states as due: works still under way are late too
        not_yet = not_yet or _search(family.get("under_way_pattern"), text)
    if due <= reached and not_yet and not any(w in text for w in family.get("done_words", [])):
        f.review.append(f"due date {due[0]}-{due[1]:02d} reached and the delivery said not yet made")
        return Decision("lagging", "stated-delay", evidence_phrase(text, not_yet[0].start(), not_yet[0].end()))
    for match in _search(family.get("planned_pattern"), text):
        planned = stated_date(match, family, report.year)
        if planned is None or planned <= due:
            continue
        around = clause_before(text, match.start()) + match.group(0)
        if any(w in around for w in family.get("not_around", [])):
            continue  # 已于 (a past event), 二期 (a later phase)
        if any(w in sentence_of(text, match.start(), match.end()) for w in family.get("later_phase_words", [])):
            continue
        f.review.append(f"planned date {planned[0]}-{planned[1]:02d} later than the due date "
                        f"{due[0]}-{due[1]:02d} it answers")
        return Decision("lagging", "stated-delay", evidence_phrase(text, match.start(), match.end()))
    return None


def after_report(match: re.Match, family: dict, report) -> bool:
    """True when a dated event (7 月底建成, 2025 年 3 月完工, 12 月 1 日投用) falls after the report
    date: a later (year, month), or the report's month with a stated day (底 = its last day, 下旬 =
    the 21st, 中旬 = the 11th) after the report's day. A month named without a year more than
    ``past_year_gap`` months after the report's (12 月 in a January report) is last year's."""
    when = stated_date(match, family, report.year)
    if when is None or when[1] == 0:
        return bool(when) and when[0] > report.year
    groups = match.groupdict()
    if not (groups.get("year") or groups.get("rel")) and when[1] - report.month > int(family.get("past_year_gap", 12)):
        return False  # 12 月底建成 in a January report: last December's delivery, not a plan
    if when != (report.year, report.month):
        return when > (report.year, report.month)
    if groups.get("day"):
        return int(groups["day"]) > report.day
    day = int(family.get("part_days", {}).get(groups.get("part") or "", 0))
    if day < 0:
        day = calendar.monthrange(report.year, report.month)[1]
    return day > report.day


def dated_after(rules, text: str, report) -> bool:
    """True when ``text`` holds an event's date after the report date (not a cut-off, 截至…):
    [families.dated_after_report]'s reading of a date, for any step that reads a dated delivery."""
    family = rules.family("dated_after_report")
    pattern = family.get("date_pattern")
    for match in re.finditer(pattern, text) if pattern else []:
        lead = text[max(0, match.start() - 3):match.start()]
        if any(w in lead for w in family.get("not_after", [])):
            continue
        if after_report(match, family, report):
            return True
    return False


def dated_after_report(f: Facts) -> None:
    """0d. Before any step: a delivery event or a year's completion whose clause dates it after the
    report date (县体育馆 7 月底建成 in a report of 28 July; 预计 12 月 1 日…投用 in August) is a plan or
    a forecast, not a delivery: the cue leaves the completions. A date after a cut-off (截至…) is
    the figures' date, not the event's ([families.dated_after_report]). Never decides."""
    family = f.rules.family("dated_after_report")
    pattern = family.get("date_pattern")
    if not pattern or not (f.one_off or f.annual):
        return None
    report = f.row["_date"]

    def dated_later(cue) -> bool:
        text = f.row.get(cue.source_field) or ""
        pos = text.find(cue.phrase)
        if pos < 0:
            return False
        return dated_after(f.rules, clause_before(text, pos), report)

    kept_one_off = [c for c in f.one_off if not dated_later(c)]
    kept_annual = [c for c in f.annual if not dated_later(c)]
    if len(kept_one_off) < len(f.one_off) or len(kept_annual) < len(f.annual):
        f.review.append("a delivery dated after the report date: a plan, not a delivery")
        dropped = {id(c) for c in f.one_off + f.annual} - {id(c) for c in kept_one_off + kept_annual}
        f.completions = [c for c in f.completions if id(c) not in dropped]
        f.one_off, f.annual = kept_one_off, kept_annual
    return None


__all__ = ["stated_date", "earlier_programmes", "deadline_schedule", "reply_date_past_due", "after_report", "dated_after", "dated_after_report"]
