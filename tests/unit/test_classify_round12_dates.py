"""The twelfth round (issue 22, helper judge13): dates as arithmetic (src/classify/due_dates.py, block
ROUND 12 judge13 of status_rules.toml). Invented wordings only (none copied from a labelled row); each
change on, off (its notices' view: the family switched off) and its guards. What the changes do on real
rows is measured by ``evaluate_classifier.py --blind``, never asserted here."""
from __future__ import annotations

import re
from datetime import date

import pytest

from src.classify import load_rules
from src.classify.cues import work_due
from src.classify.due_dates import deadline_schedule, month_ended
from src.classify.order import RULE_STEPS
from src.classify.rules import families_read_from
from tests.unit.judging import judge_at, without

judge = judge_at("2024-06-30")
FAMILIES = ("task_deadline", "date_past_due")


def test_every_family_records_what_it_was_read_from():
    origins = families_read_from(load_rules())
    for family in FAMILIES:
        read = origins[f"families.{family}"]
        assert len(read) >= 100 and {n[:1] for n in read} >= {"A", "K", "M", "P", "Q", "R"}


def test_the_reply_step_sits_after_the_dated_step_it_extends():
    names = [step.__name__ for step in RULE_STEPS]
    assert names.index("reply_date_past_due") == names.index("due_date_passed") + 1


# ---- task_deadline: the task's own deadline is the row's yardstick ------------------------------
def _row(task: str, as_of: str) -> dict:
    return {"task": task, "_date": date.fromisoformat(as_of)}


@pytest.mark.parametrize("task, as_of, year_share, due", [
    ("各乡镇要在9月底之前完成全部200户改造", "2024-06-30", 0.5, 6 / 9),       # 6 of 9 months
    ("承诺4月份开工项目20个", "2024-04-30", 4 / 12, 1.0),                       # the deadline reached
    ("须在2023年10月底前建成投用", "2024-03-31", 0.25, 1.0),                     # an earlier year's deadline
    ("要求上半年完成年度任务的60%", "2024-03-31", 0.25, 0.5),                    # a period's last month
])
def test_a_deadline_before_december_sets_the_share_due(task, as_of, year_share, due):
    share, phrase = deadline_schedule(_row(task, as_of), load_rules(), year_share)
    assert share == pytest.approx(due) and phrase


@pytest.mark.parametrize("task", [
    "全年新建公园10个",                          # no deadline
    "要在年底前完成全部200户改造",               # December: the year's schedule
    "须在2025年6月底前建成",                      # a later year
    "1-3月份工作任务120项",                       # a span, no word of obligation
    "计划9月底前完成200户改造",                   # a plan word is not an obligation
])
def test_no_deadline_of_the_year_leaves_the_elapsed_share(task):
    share, phrase = deadline_schedule(_row(task, "2024-06-30"), load_rules(), 0.5)
    assert share == 0.5 and phrase == ""


def test_a_count_on_the_years_schedule_is_behind_its_own_deadline():
    task, progress = "承诺4月份开工项目20个", "已开工项目15个，开工率75%。"
    on = judge(task, progress, as_of="2024-04-30")
    assert (on.status, on.status_rule) == ("lagging", "quantified-below-schedule")
    assert "deadline" in on.review_reason
    off = judge(task, progress, as_of="2024-04-30", rules=without("task_deadline"))
    assert (off.status, off.status_rule) == ("on-track", "quantified-on-schedule")


def test_a_share_ahead_of_its_own_deadline_stays_on_track():
    task = "各乡镇要在9月底之前完成全部200户改造"
    assert judge(task, "已完成改造140户。").status == "on-track"           # 70% of 6/9 = 66.7% due
    assert judge(task, "已完成改造110户。").status == "lagging"            # 55% below 66.7% due
    assert judge(task, "已完成改造110户。", rules=without("task_deadline")).status == "on-track"


# ---- date_past_due: a delivery moved past the promise ---------------------------------------------
@pytest.mark.parametrize("task, progress, as_of", [
    ("城北幼儿园应于2024年8月底竣工，能否按时投用？", "目前正进行主体施工，预计2024年12月建成。", "2024-06-30"),
    ("南湖小学今年9月能否开学？", "经了解，该校工程计划明年春季才能完工交付。", "2024-05-20"),
    ("文化中心改造", "原计划5月底完成主体施工，因设计变更，现计划8月份完工。", "2024-06-30"),
])
def test_a_planned_date_later_than_the_due_date_is_a_delay(task, progress, as_of):
    on = judge(task, progress, as_of=as_of)
    assert (on.status, on.status_rule) == ("lagging", "stated-delay")
    assert "later than the due date" in on.review_reason
    assert judge(task, progress, as_of=as_of, rules=without("date_past_due")).status == "on-track"


def test_a_due_date_reached_with_the_work_not_started_is_a_delay():
    task, progress = "打通滨河路东段", "原工作计划是6月底前实现通车，受拆迁影响，工程还未正式动工。"
    on = judge(task, progress)
    assert (on.status, on.status_rule) == ("lagging", "stated-delay")
    # before the month has ended the deadline is not reached
    assert judge(task, progress, as_of="2024-06-20").status_rule != "stated-delay"
    assert judge(task, progress, rules=without("date_past_due")).status_rule != "stated-delay"


def test_a_due_date_the_task_states_reached_with_the_works_under_way_is_a_delay():
    task, progress = "城北幼儿园应于2024年5月底竣工，请问进展如何？", "目前正在进行室内装修施工。"
    on = judge(task, progress)
    assert (on.status, on.status_rule) == ("lagging", "stated-delay")
    assert judge(task, progress, as_of="2024-04-30").status == "on-track"      # not yet due
    assert judge(task, progress, rules=without("date_past_due")).status == "on-track"


def test_a_planned_start_passed_with_the_works_under_way_is_no_delay():
    # a 原计划 date may be a start's: works under way say it was made (only a due delivery the task states is late)
    assert judge("东湖游园建设", "原计划5月开工建设，目前正在进行园路施工。").status_rule != "stated-delay"


@pytest.mark.parametrize("task, progress", [
    ("城北幼儿园应于2024年8月底竣工，能否按时投用？", "目前正进行主体施工，计划7月底建成。"),          # earlier than due
    ("城北幼儿园应于2024年8月底竣工，能否按时投用？", "主体已完工，能够按期竣工，计划12月完成二期绿化。"),  # kept
    ("城北幼儿园应于2024年8月底竣工，能否按时投用？", "目前正进行主体施工，二期工程计划2025年建成。"),   # later phase
    ("城北幼儿园应于2024年8月底竣工，能否按时投用？", "该项目已于2024年5月建成。"),                    # a past event
    ("城北幼儿园建设", "目前正进行主体施工，预计2024年12月建成。"),                                   # no due date
    ("城北幼儿园扩建（预计2024年5月完工）", "目前正进行装修，预计7月底竣工投用。"),                    # a forecast, no promise
])
def test_no_delay_without_a_later_plan_for_the_same_delivery(task, progress):
    assert judge(task, progress).status_rule != "stated-delay"


@pytest.mark.parametrize("text, kept", [
    ("能够按期竣工", True), ("确保如期建成", True),
    ("不能如期竣工", False), ("无法按期完成", False), ("未能按时交付", False),
])
def test_a_due_date_said_kept_and_not_kept(text, kept):
    pattern = load_rules().family("date_past_due")["kept_pattern"]
    assert bool(re.search(pattern, text)) is kept


def test_month_ended():
    assert month_ended(date(2024, 2, 29)) and not month_ended(date(2024, 6, 20))


# ---- dated_after_report: a delivery dated after the report date is a plan ----------------------
@pytest.mark.parametrize("progress, as_of", [
    ("社区文体中心8月底建成，届时向居民开放。", "2024-08-20"),          # later in the report's month
    ("社区文体中心主体已完工，10月15日正式投入使用。", "2024-08-31"),  # a later month
    ("文体中心于9月下旬建成并投入使用。", "2024-09-12"),              # 下旬 after the 12th
])
def test_a_delivery_dated_after_the_report_is_no_delivery(progress, as_of):
    on = judge("社区文体中心建设", progress, as_of=as_of)
    assert on.status != "completed"
    assert judge("社区文体中心建设", progress, as_of=as_of, rules=without("dated_after_report")).status == "completed"


@pytest.mark.parametrize("progress", [
    "社区文体中心已于8月10日建成并向居民开放。",    # a past event's date
    "社区文体中心于8月初建成，现已投入使用。",      # earlier in the month
    "截至8月底，社区文体中心已建成投用。",          # a cut-off, the report's own date
])
def test_a_delivery_dated_on_or_before_the_report_stays_done(progress):
    assert judge("社区文体中心建设", progress, as_of="2024-08-31").status == "completed"


# ---- due_month_year: a due month of a later year is not due -----------------------------------
@pytest.mark.parametrize("task, due", [
    ("城南学校6月底前建成", True),
    ("城南学校2024年6月底前建成", True),
    ("城南学校2025年6月底前建成", False),      # a later year
    ("城南学校明年6月底前建成", False),
])
def test_a_due_month_is_due_only_in_the_reports_year(task, due):
    row = {"task": task, "next_steps": "", "progress": "正在办理前期手续。", "_date": date(2024, 7, 31)}
    assert work_due(row, load_rules()) is due
    assert work_due(row, without("due_month_year")) is True      # switched off: the month alone, as before
    assert judge(task, "正在办理前期手续。", as_of="2024-07-31").status == ("lagging" if due else "on-track")


@pytest.mark.parametrize("progress, later", [
    ("正在办理用地手续，预计2025年开工建设。", True),      # a later year
    ("正在办理用地手续，计划12月开工。", True),            # a later month
    ("正在办理用地手续，原计划8月开工。", False),          # a month already passed
    ("正在办理用地手续。", False),
])
def test_an_early_stage_with_the_works_planned_later_is_not_overdue(progress, later):
    row = {"task": "新建城东小学", "next_steps": "", "progress": progress, "_date": date(2024, 10, 31)}
    assert work_due(row, load_rules()) is not later
    assert work_due(row, without("due_month_year")) is True                  # switched off: late in the year
    on = judge("新建城东小学", progress, as_of="2024-10-31")
    assert (on.status == "lagging") is not later


def test_a_month_of_last_year_in_an_early_report_is_a_past_delivery():
    progress = "社区文体中心于12月底建成并投入使用。"
    assert judge("社区文体中心建设", progress, as_of="2025-01-20").status == "completed"   # last December
    assert judge("社区文体中心建设", progress, as_of="2024-11-20").status != "completed"   # this December: a plan


def test_the_gap_shown_is_the_one_against_the_deadline_that_decided():
    on = judge("承诺4月份开工项目20个", "已开工项目15个，开工率75%。", as_of="2024-04-30")
    assert on.schedule_gap_pts == pytest.approx(-25.0)          # 75% against all of it due, not against 4/12


# ---- a year's programme of an earlier year: all of it was due by that December -----------------
def test_an_earlier_years_programme_is_all_due():
    task = "2023年为民办实事：改造农村户厕5000户"
    share, phrase = deadline_schedule(_row(task, "2024-02-29"), load_rules(), 2 / 12)
    assert share == 1.0 and "2023年" in phrase
    assert judge(task, "截至2月底已完成4600户，完成率92%。", as_of="2024-02-29").status == "lagging"
    assert judge(task, "截至2月底已完成4600户，完成率92%。", as_of="2024-02-29",
                 rules=without("task_deadline")).status == "on-track"
    # the same programme in its own year: the year's share as before
    assert deadline_schedule(_row(task, "2023-09-30"), load_rules(), 0.75)[0] == 0.75
    # a project designated by a year (年度) may run over several years: no deadline
    assert deadline_schedule(_row("2023年度高标准农田建设项目", "2024-05-31"), load_rules(), 5 / 12)[1] == ""


def test_an_earlier_years_programme_planned_for_this_year_is_late():
    task, progress = "东桥重建列入2023年民生实事项目", "目前已完成招标，预计今年6月完成建设。"
    on = judge(task, progress, as_of="2024-03-31")
    assert (on.status, on.status_rule) == ("lagging", "stated-delay")
    assert judge(task, progress, as_of="2024-03-31", rules=without("date_past_due")).status == "on-track"


def test_a_task_naming_this_year_is_not_last_years_programme():
    task = "2023年目标任务完成后，2024年继续改造农村户厕3000户"
    assert deadline_schedule(_row(task, "2024-06-30"), load_rules(), 0.5) == (0.5, "")
