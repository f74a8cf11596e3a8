"""The seventh round (issue 22): arithmetic read from half A of corpus batch 6, each family in
invented wordings (none copied from a labelled row). What they change on real rows is measured
by ``make evaluate`` (``--split-batch 6`` for the unread half B), never asserted here."""
from __future__ import annotations

import copy

import pandas as pd
import pytest

from src.classify import load_rules
from src.classify.rules import families_read_from, rules_without
from src.helpers import classify_tasks
from tests.unit.judging import judge_at

judge = judge_at("2021-06-30")


@pytest.mark.parametrize("progress", ["全区安置房项目开工率已超过85%", "各片区老旧小区改造开工率均超过70%"])
def test_a_rate_above_a_figure_is_no_excess_over_the_task(progress):
    result = judge("片区改造开工", progress, as_of="2021-08-31")
    assert result.status != "completed"  # at least 85% started, not 185% of the task
    assert "185" not in result.status_evidence and "170" not in result.status_evidence


def test_an_excess_over_the_task_is_still_read_as_one():
    result = judge("新建口袋公园20个", "已建成24个，超额完成20%", as_of="2021-08-31")
    assert result.status == "completed"


@pytest.mark.parametrize("progress, as_of, status", [
    ("截至目前，新开工保障性住房2100套，开工率为45.5%。", "2021-07-31", "lagging"),    # 45.5% < 58.3% elapsed
    ("截至目前，新开工保障性住房2100套，开工率为62%。", "2021-07-31", "on-track"),      # 62% >= 58.3%
    ("全县棚改项目开工率已超过90%", "2021-08-31", "on-track"),                        # a lower bound above 66.7%
    ("各乡镇危房改造开工率达100%", "2021-09-30", "completed"),                         # every start made
])
def test_a_start_rate_is_the_share_when_the_task_is_to_start_works(progress, as_of, status):
    result = judge("新开工建设保障性住房", progress, as_of=as_of)
    assert result.status == status


def test_a_start_rate_is_not_the_share_when_the_task_is_to_deliver():
    # the task promises completions: works started at 45.5% say nothing of the deliverable
    result = judge("开工建设并竣工安置住房3000套", "截至目前，安置住房开工率为45.5%。", as_of="2021-07-31")
    assert result.status_rule != "quantified-below-schedule"


def test_most_start_rates_decide_for_a_row_of_several():
    below = judge("新开工建设保障房", "甲县开工率40%，乙县开工率45%，丙县开工率80%。", as_of="2021-07-31")
    assert below.status == "lagging"
    above = judge("新开工建设保障房", "甲县开工率70%，乙县开工率75%，丙县开工率40%。", as_of="2021-07-31")
    assert above.status == "on-track"


def test_the_round_seven_families_are_switched_off_on_the_notices_they_were_read_from():
    rules = load_rules()
    origins = families_read_from(rules)
    assert origins["families.rate_at_least"] and origins["families.start_rate_share"]
    progress = "截至目前，新开工保障性住房2100套，开工率为45.5%。"
    on = judge("新开工建设保障性住房", progress, as_of="2021-07-31", rules=rules)
    off = judge("新开工建设保障性住房", progress, as_of="2021-07-31",
                rules=rules_without(rules, origins["families.start_rate_share"][0]))
    assert on.status == "lagging"
    assert off.status_rule == "default-on-track"  # nothing else in the row decides
    bound = "全县棚改项目开工率已超过90%"
    raw = copy.deepcopy(rules.raw)
    del raw["families"]["more_than_share"]  # round 12's more_than_share says it too
    without_both = rules_without(load_rules(raw), origins["families.rate_at_least"][0])
    excess_off = judge("棚改项目开工", bound, as_of="2021-08-31", rules=without_both)
    assert excess_off.status == "completed"  # without the families, 超过90% reads as 190% of the task


def judge_columns(target: str, actual: str, rate: str, as_of: str = "2021-09-30") -> pd.Series:
    frame = pd.DataFrame({"task_id": [1], "task": ["甲镇"], "progress": [f"甲镇 {target} {actual} {rate}"],
                          "target": [target], "actual": [actual], "rate": [rate]})
    return classify_tasks(frame, as_of=as_of).iloc[0]


def test_a_rate_column_without_a_sign_is_read_by_the_rows_own_columns():
    small = judge_columns("3000", "45", "1.5")  # 45 of 3000 is 1.5 per cent, not 150%
    assert small.status == "lagging"
    fraction = judge_columns("3000", "3600", "1.2")  # 3600 of 3000: the fraction reading
    assert fraction.status == "completed"


@pytest.mark.parametrize("progress, status", [
    ("截至目前，已完成投资30亿元。", "lagging"),    # 30 of the year's 80: 37.5% at the end of July
    ("截至目前，已完成投资52亿元。", "on-track"),   # 52 of 80: 65%
])
def test_the_years_target_among_several_of_one_unit_is_the_yardstick(progress, status):
    task = "全市安排重点项目60个，项目总投资360亿元，年度计划投资80亿元。"
    result = judge(task, progress, as_of="2021-07-31")
    assert result.status == status


def test_a_multi_year_total_alone_pairs_as_before():
    task = "全市安排重点项目60个，项目总投资360亿元。"
    result = judge(task, "截至目前，已完成投资30亿元。", as_of="2021-07-31")
    assert result.status_rule == "default-on-track"  # 30 of a multi-year 360 says nothing of the year


def test_a_completion_dated_to_a_later_year_makes_the_share_no_share_of_this_year():
    progress = "当年开工1.2万套。截至年底累计开工3.1万套，占改造任务总量的78%，为2022年底全面完成改造打下基础。"
    later = judge("棚户区改造3.96万套", progress, as_of="2021-12-31")
    assert later.status != "lagging"  # 78% of a task due a year later is no miss of this year's target
    assert later.needs_review
    same_year = judge("棚户区改造3.96万套", progress.replace("2022年底", "2021年底"), as_of="2021-12-31")
    assert same_year.status == "lagging"  # due this year: 78% at the year's end is a miss


@pytest.mark.parametrize("task, status", [
    ("2021年度全市安排农村供水改造总规模为1.2万户，总投资8.6亿元。", "lagging"),  # the year's total: 41.3% < 58.3%
    ("全市农村供水改造总规模为1.2万户，总投资8.6亿元。", "on-track"),               # a total of no stated year: not judged
])
def test_a_share_of_a_total_the_task_sets_for_the_year(task, status):
    result = judge(task, "工程完成投资3.55亿元，占总投资的41.3%。", as_of="2021-07-31")
    assert result.status == status


def test_works_planned_for_an_earlier_year_and_nothing_done_are_overdue():
    progress = "该路段2019年上半年完成勘测,下半年施工。目前因征地问题尚在协调。"
    late = judge("滨河路改造工程", progress, as_of="2020-05-31")
    assert late.status == "lagging"
    same_year = judge("滨河路改造工程", progress, as_of="2019-05-31")
    assert same_year.status != "lagging" or same_year.status_rule != "stated-not-started"


def test_works_of_an_earlier_year_said_done_are_not_overdue():
    result = judge("滨河路改造工程", "该路段2019年下半年施工,目前已竣工通车。", as_of="2020-05-31")
    assert result.status != "lagging"


@pytest.mark.parametrize("progress, status", [
    ("已建成村级污水处理站320个，覆盖61.5%的行政村。", "lagging"),     # 61.5% < 75% at the end of September
    ("已建成村级污水处理站420个，覆盖率达80%。", "on-track"),
    ("已建成村级污水处理站520个，覆盖100%的行政村。", "completed"),
])
def test_a_task_of_full_coverage_is_judged_by_the_share_covered(progress, status):
    result = judge("年内实现行政村污水处理设施全覆盖", progress, as_of="2021-09-30")
    assert result.status == status
