"""Issue 22, eighth round: 未报送 in words (a grammar of "the figure is not yet available")
and the late-stage families read from half A of batch 6. Invented wordings only."""
from __future__ import annotations

import pytest

from tests.unit.judging import judge_at, without

judge = judge_at("2021-09-30")


@pytest.mark.parametrize("progress", [
    "统计数据尚未发布",
    "该指标目前暂未统计。",
    "相关数据还未公布",
    "待数据出来后再行报送",
    "此项按年度统计",
    "2021年前三季度数据暂未出炉",
])
def test_a_cell_saying_only_the_figure_is_not_yet_available_is_not_reported(progress):
    result = judge("城镇新增就业人数", progress)
    assert result.status == "not-reported" and result.status_rule == "not-reported"


@pytest.mark.parametrize("progress", [
    "实施方案尚未发布",  # a deliverable not issued: not a figure not yet counted
    "已完成项目招标，数据尚未公布",  # progress is reported
    "选址尚未确定，项目无法开工",
    "数据尚未公布，预计全年增长6%",
    "一季度增长5.2%，二季度数据尚未发布",
])
def test_progress_beside_or_instead_of_the_statement_is_judged(progress):
    assert judge("城镇新增就业人数", progress).status != "not-reported"


@pytest.mark.parametrize("progress", [
    "管网已铺设一半，因资金迟迟未到位，路面恢复无法继续。",
    "前期测量已完成，待市级补助资金到位后组织招标施工。",
    "因县级资金紧张，剩余3公里道路仍未硬化。",
])
def test_money_not_in_place_holds_the_works_back(progress):
    result = judge("新建乡村公路12公里", progress)
    assert result.status == "lagging" and result.status_rule == "stated-delay"
    # one family since the tenth round: the ninth round's held_back took money_not_in_place in
    assert judge("新建乡村公路12公里", progress, rules=without("held_back")).status != "lagging"


def test_money_in_place_is_no_obstruction():
    assert judge("新建乡村公路12公里", "建设资金已按期到位，路基施工有序推进").status == "on-track"


@pytest.mark.parametrize("progress", [
    "全市已有8个区开工，东湖区、西岭区仍没有项目开工。",
    "主体设计已完成，但仍未能全面开工。",
])
def test_works_still_not_started_are_behind(progress):
    result = judge("新开工一批城市更新项目", progress)
    assert result.status == "lagging"
    # round 11's not_yet_own_verb reads 仍未能…开工 for a works task too: both off
    assert judge("新开工一批城市更新项目", progress,
                 rules=without("start_still_missing", "not_yet_own_verb")).status != "lagging"


@pytest.mark.parametrize(("progress", "as_of"), [
    ("3个片区改造项目当前进度均不足40%，已列入重点督办。", "2021-07-31"),
    ("全县危房改造开工率不到50%", "2021-09-30"),
])
def test_a_share_said_below_a_figure_at_or_under_the_schedule_is_behind(progress, as_of):
    result = judge("完成片区改造项目3个", progress, as_of=as_of)
    assert result.status == "lagging" and result.status_rule == "quantified-below-schedule"
    assert "低于" in result.status_evidence
    assert judge("完成片区改造项目3个", progress, as_of=as_of, rules=without("share_below")).status != "lagging"


def test_a_share_said_below_a_figure_above_the_schedule_says_nothing():
    # below 80% at the end of June may be 70% (ahead) or 30% (behind): not a measure
    result = judge("完成片区改造项目3个", "改造项目进度均不足80%，正在加紧施工。", as_of="2021-06-30")
    assert result.status_rule != "quantified-below-schedule"
