"""The fourth round's arithmetic (issue 22), each in invented wordings (none copied from a
labelled row), on frames with only ``task`` and ``progress``. What it does on real rows is
measured leave-one-notice-out by ``make evaluate``, never asserted here."""
from __future__ import annotations

import pytest

from tests.unit.judging import judge_at, without

judge = judge_at("2022-06-30")


# --------------------------------------------------------------------------
# growth against its target rate at the year's end
# --------------------------------------------------------------------------
def test_growth_at_or_above_its_target_rate_at_year_end_is_completed():
    result = judge("规模以上工业增加值增长7%以上。", "全年规模以上工业增加值增长9.2%，高于全省平均。", as_of="2022-12-31")
    assert result.status == "completed"
    assert result.status_rule == "target-met"


def test_growth_below_its_target_rate_at_year_end_is_lagging():
    result = judge("规模以上工业增加值增长7%以上。", "全年规模以上工业增加值增长5.1%。", as_of="2022-12-31")
    assert result.status == "lagging"


def test_growth_above_its_target_rate_mid_year_is_not_completed():
    result = judge("规模以上工业增加值增长7%以上。", "上半年规模以上工业增加值增长9.2%。", as_of="2022-06-30")
    assert result.status == "on-track"


def test_year_end_growth_switches_off():
    result = judge("规模以上工业增加值增长7%以上。", "全年规模以上工业增加值增长9.2%，高于全省平均。", as_of="2022-12-31",
                   rules=without("arith_year_end_growth"))
    assert result.status == "on-track"


# --------------------------------------------------------------------------
# a share that names the figure it is a share of
# --------------------------------------------------------------------------
@pytest.mark.parametrize("progress", [
    "全县完成造林4.6万亩，占任务4万亩的115%。",
    "到位资金12.4亿元，完成市下达任务数10亿元的124%。",
    "累计完成投资61亿元，占年度力争目标（52亿元）的117.3%。",
])
def test_a_share_of_a_named_figure_at_or_above_100_is_completed(progress):
    result = judge("推进植树造林和项目投资", progress, as_of="2022-10-31")
    assert result.status == "completed"
    assert result.status_rule == "target-met"


def test_a_share_of_a_named_figure_below_the_schedule_is_lagging():
    result = judge("推进植树造林", "全县完成造林1.2万亩，占任务4万亩的30%。", as_of="2022-10-31")
    assert result.status == "lagging"
    assert result.status_rule == "quantified-below-schedule"


def test_a_share_of_a_period_figure_is_the_row_milestone_not_the_year():
    result = judge("推进林业投资", "累计落实投资3.1亿元，为二季度目标任务2亿元的155%。", as_of="2022-06-30")
    assert result.status == "on-track"


def test_plan_figure_switches_off():
    result = judge("推进植树造林", "全县完成造林4.6万亩，占任务4万亩的115%。", as_of="2022-10-31",
                   rules=without("arith_plan_figure"))
    assert result.status != "completed"


# --------------------------------------------------------------------------
# a share of the year's plan at or above 100% beside a gap ahead of the schedule
# --------------------------------------------------------------------------
def test_a_full_share_of_the_year_beats_a_gap_ahead():
    progress = "1-10月累计完成投资8.8亿元，完成年度计划投资比例105.2%，超序时进度22.1个百分点。"
    assert judge("推进重点项目建设，年度计划投资8.4亿元", progress, as_of="2022-10-31").status == "completed"
    off = judge("推进重点项目建设，年度计划投资8.4亿元", progress, as_of="2022-10-31",
                rules=without("arith_share_beats_gap"))
    assert off.status == "on-track"


# --------------------------------------------------------------------------
# round 4b: the task's count restated; words of the plan before its figure
# --------------------------------------------------------------------------
def test_the_tasks_count_restated_with_the_same_words_before_is_no_measure():
    task = "东区体育馆、西区游泳馆等9个项目"
    late = judge(task, "东区体育馆、西区游泳馆等9个项目因用地报批等原因进度有所滞后。", as_of="2022-05-31")
    assert late.status == "lagging"
    assert late.status_rule == "stated-delay"
    plain = judge(task, "从督查情况看，东区体育馆、西区游泳馆等9个项目推进正常。", as_of="2022-05-31")
    assert plain.status != "completed"


def test_a_count_done_is_still_a_measure():
    # a verb of doing before the count: an actual, not the task restated
    assert judge("新建口袋公园9个", "已建成口袋公园9个。", as_of="2022-11-30").status == "completed"


def test_restated_count_switches_off():
    task = "东区体育馆、西区游泳馆等9个项目"
    off = judge(task, "东区体育馆、西区游泳馆等9个项目因用地报批等原因进度有所滞后。", as_of="2022-05-31",
                rules=without("arith_restated_count", "count_in_delay"))  # round 11's count_in_delay guards it too
    assert off.status == "completed"


@pytest.mark.parametrize("progress", [
    "全年完成投资98.2亿元，占年投资计划的121%。",
    "已完成投资45.6亿元，占年度计划投资（40.1亿元）的113.7%。",
])
def test_a_share_of_the_years_plan_with_words_between(progress):
    result = judge("省市重点项目建设", progress, as_of="2022-12-31")
    assert result.status == "completed"
    assert judge("省市重点项目建设", progress, as_of="2022-12-31", rules=without("arith_plan_words")).status != "completed"
