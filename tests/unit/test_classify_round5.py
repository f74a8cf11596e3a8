"""The fifth round's arithmetic (issue 22), each family in invented wordings (none copied from a
labelled row), on frames with only ``task`` and ``progress``. What it does on real rows is
measured leave-one-notice-out by ``make evaluate``, never asserted here."""
from __future__ import annotations

import pytest

from tests.unit.judging import judge_at, without

judge = judge_at("2022-06-30")


# --------------------------------------------------------------------------
# growth against the target rate, in more forms
# --------------------------------------------------------------------------
def test_a_rate_after_zengfu_without_a_verb_is_read_against_the_target_rate():
    result = judge("外贸进出口总额增长9%以上", "全年外贸进出口总额为86.2亿元，增幅12.4%，居全市前列。", as_of="2023-12-31")
    assert result.status == "completed"
    assert "12.4%" in result.status_evidence
    assert judge("外贸进出口总额增长9%以上", "全年外贸进出口总额为86.2亿元，增幅12.4%。", as_of="2023-12-31",
                 rules=without("arith_growth_forms")).status == "on-track"


def test_a_forecast_range_is_judged_by_its_upper_end():
    behind = judge("文旅产业增加值增长6%。", "前三季度，预计文旅产业增加值增长5.1-5.6%。", as_of="2023-09-30")
    assert behind.status == "lagging"
    assert "5.6%" in behind.status_evidence  # the number compared, whole
    ahead = judge("文旅产业增加值增长6%。", "前三季度，预计文旅产业增加值增长5.8-6.4%。", as_of="2023-09-30")
    assert ahead.status == "on-track"


def test_a_fall_of_the_amount_the_task_names_is_behind_whatever_it_is_called():
    result = judge("引进市外到位资金", "引进市外到位资金3.2亿元，增长-9%。", as_of="2023-06-30")
    assert result.status == "lagging"
    assert result.status_rule == "quantified-below-schedule"
    assert "-9%" in result.status_evidence


def test_a_fall_of_another_indicator_named_after_the_task_is_not_the_task():
    # the sentence names the task, then another indicator (生产总值) before the figure
    result = judge("绿色低碳发展行动", "绿色低碳发展行动有序推进，万元生产总值用水量下降3.1%。", as_of="2023-06-30")
    assert result.status == "on-track"
    assert result.status_rule != "quantified-below-schedule"


def test_a_share_of_the_plan_is_not_read_as_a_target_rate():
    # 为年计划的 104% is a share of the plan (completed), not a target growth rate of 104%
    result = judge("城乡道路建设", "城乡道路建设完成投资30.2亿元，为年计划的104%，同比增长22%。", as_of="2023-10-31")
    assert result.status == "completed"


# --------------------------------------------------------------------------
# an amount stated as its difference from a task
# --------------------------------------------------------------------------
def test_an_amount_above_the_half_year_task_is_on_schedule_not_completed():
    result = judge("全镇税收收入", "全镇税收收入完成2.46亿元，超时间过半任务数350万元，同比增长4%。")
    assert result.status == "on-track"
    assert result.status_rule == "quantified-on-schedule"
    # the numbers compared are stated, none cut
    assert "完成2.46亿元" in result.status_evidence and "任务2.425亿元" in result.status_evidence
    assert judge("全镇税收收入", "全镇税收收入完成2.46亿元，超时间过半任务数350万元。",
                 rules=without("arith_period_amount")).status == "completed"  # the difference read as a target


def test_an_amount_short_of_the_period_task_is_lagging():
    result = judge("非税收入", "非税收入6120万元，距序时进度任务数还差410万元，同比减收。")
    assert result.status == "lagging"
    assert result.measure_target == pytest.approx(6530 * 1e4)
    assert "6120万元" in result.status_evidence


def test_an_amount_above_the_years_task_is_completed():
    result = judge("招商引资到位资金", "招商引资到位资金完成18.5亿元，超全年目标任务2.5亿元。", as_of="2022-11-30")
    assert result.status == "completed"


def test_a_difference_naming_no_task_is_read_as_the_years_only_at_year_end():
    year_end = judge("外贸出口", "外贸出口实现12.4亿元，超预期目标3.1亿元。", as_of="2022-12-31")
    assert year_end.status == "completed"
    in_year = judge("外贸出口", "外贸出口实现12.4亿元，超预期目标3.1亿元。", as_of="2022-06-30")
    assert in_year.status != "completed"  # the difference is never a target paired with the actual


# --------------------------------------------------------------------------
# things done beside the things remaining
# --------------------------------------------------------------------------
def test_done_beside_remaining_is_done_of_the_sum():
    result = judge("抓好重点项目前期工作", "截至目前，体育馆等12个项目已完成可研批复，剩余36个项目正在编制可研。", as_of="2023-06-30")
    assert result.status == "lagging"  # 12 of 48 = 25% at mid-year
    assert "共48个" in result.status_evidence and "25.0%" in result.status_evidence
    ahead = judge("抓好重点项目前期工作", "截至目前，体育馆等30个项目已完成可研批复，其余18个项目正在编制可研。", as_of="2023-06-30")
    assert ahead.status == "on-track"  # 30 of 48
    assert judge("抓好重点项目前期工作", "截至目前，体育馆等12个项目已完成可研批复，剩余36个项目正在编制可研。",
                 as_of="2023-06-30", rules=without("arith_done_remaining")).status == "on-track"


# --------------------------------------------------------------------------
# M of N against the task's own figure
# --------------------------------------------------------------------------
def test_m_of_n_is_judged_against_the_tasks_own_figure():
    task = "为200户困难家庭实施居家适老化改造。"
    progress = "摸排确定320户改造对象，已完成招标，其中150户已完成改造。"
    result = judge(task, progress, as_of="2023-07-31")
    assert result.status == "on-track"  # 150 of the task's 200 (75%), not of the 320 listed (47%)
    assert "任务200户" in result.status_evidence and "完成150户" in result.status_evidence
    assert judge(task, progress, as_of="2023-07-31", rules=without("arith_x_of_task")).status == "lagging"


# --------------------------------------------------------------------------
# a share with any words or figures between the verb and 的
# --------------------------------------------------------------------------
@pytest.mark.parametrize(("progress", "status"), [
    ("新增城镇就业2.9万人，占省下达全年目标任务5万人的58%。", "on-track"),
    ("完成棚户区改造开工2.1万套，为省下达我市年度计划（2.2万套）的95.5%。", "on-track"),
    ("新增城镇就业2.1万人，占省下达全年目标任务5万人的42%。", "lagging"),
    ("新增城镇就业5.3万人，占省下达全年目标任务5万人的106%。", "completed"),
])
def test_a_share_with_words_and_figures_before_de_is_a_share_of_the_year(progress, status):
    result = judge("抓好就业和住房保障", progress, as_of="2023-09-30" if "2.1万套" in progress else "2023-06-30")
    assert result.status == status
    assert "%" in result.status_evidence


def test_a_share_naming_a_period_is_the_rows_milestone():
    result = judge("抓好林业投入", "全市落实林业投入3.2亿元，为上半年省定目标任务（2.9亿元）的110%。", as_of="2023-06-30")
    assert result.status == "on-track"  # the half-year's figure met: on schedule, not the year's target


def test_share_any_words_switches_off():
    progress = "新增城镇就业2.1万人，占省下达全年目标任务5万人的42%。"
    assert judge("抓好就业", progress, rules=without("arith_share_any_words")).status == "on-track"


# --------------------------------------------------------------------------
# a measure dated to an earlier month
# --------------------------------------------------------------------------
def test_a_share_dated_to_an_earlier_month_is_judged_at_that_months_schedule():
    progress = "截至9月底，环城快速路完成投资6.3亿元，占年度计划投资的77%。"
    result = judge("环城快速路建设", progress, as_of="2023-10-31")
    assert result.status == "on-track"  # 77% at the end of September (75%), not against October's 83.3%
    assert "截至9月底" in result.status_evidence and "75.0%" in result.status_evidence
    assert judge("环城快速路建设", progress, as_of="2023-10-31",
                 rules=without("arith_dated_measure")).status == "lagging"


def test_a_share_dated_to_the_report_month_is_judged_as_before():
    result = judge("环城快速路建设", "截至10月底，环城快速路完成投资6.3亿元，占年度计划投资的77%。", as_of="2023-10-31")
    assert result.status == "lagging"


# --------------------------------------------------------------------------
# the task's figure repeated with 了: done, not restated
# --------------------------------------------------------------------------
def test_the_tasks_figure_with_le_after_it_is_done():
    task = "为300个社区配置（更新）智能快递柜。"
    result = judge(task, "为300个社区配置（更新）了智能快递柜，并开展使用培训。", as_of="2023-12-31")
    assert result.status == "completed"
    restated = judge(task, "300个社区配置（更新）智能快递柜选址已确定。", as_of="2023-12-31")
    assert restated.status != "completed"  # the task's figure restated is no measure


# --------------------------------------------------------------------------
# all of a counted task said done
# --------------------------------------------------------------------------
@pytest.mark.parametrize(("task", "progress"), [
    ("农村公厕改造提升", "全年任务为460座，已全部改造完成。"),
    ("新建城市口袋公园25个", "经督办，于10月底全部建成。"),
    ("58个新开工项目", "全部开工建设。"),
])
def test_all_of_a_counted_task_done_is_completed(task, progress):
    result = judge(task, progress, as_of="2023-11-30")
    assert result.status == "completed"
    assert "100%" in result.status_evidence


@pytest.mark.parametrize(("task", "progress"), [
    ("新建城市口袋公园25个", "尚未全部建成，剩余工程正在施工。"),  # negated
    ("新建城市口袋公园25个", "已全部开工建设。"),  # starts are not a park built
    ("提升城市公园品质", "已全部完成方案设计。"),  # no count to be 100% of
])
def test_all_done_needs_a_count_a_matching_verb_and_no_negation(task, progress):
    result = judge(task, progress, as_of="2023-11-30")
    assert result.status_rule != "target-met"  # not read as 100% of a count (other rules may still decide)
    assert "全部完成，即完成年度任务的100%" not in result.status_evidence


def test_all_done_switches_off():
    assert judge("农村公厕改造提升", "全年任务为460座，已全部改造完成。", as_of="2023-11-30",
                 rules=without("arith_all_done")).status == "on-track"


# --------------------------------------------------------------------------
# an excess over the year's task stated as a percentage
# --------------------------------------------------------------------------
def test_an_excess_percentage_is_more_than_the_task_not_a_share():
    result = judge("农村饮水安全巩固提升", "全年任务为1200户，实际完成1380户，超额完成15%。", as_of="2023-10-31")
    assert result.status == "completed"
    assert "超额完成15%" in result.status_evidence
    assert judge("农村饮水安全巩固提升", "全年任务为1200户，实际完成1380户，超额完成15%。", as_of="2023-10-31",
                 rules=without("arith_excess_share")).status != "completed"


def test_an_excess_percentage_alone_states_the_share_it_means():
    result = judge("农村饮水安全巩固提升1200户", "实际改造1380户，超出15%。", as_of="2023-10-31")
    assert result.status == "completed"
    assert "115%" in result.status_evidence or "1380户" in result.status_evidence


# --------------------------------------------------------------------------
# review: arithmetic against a status word of the same cell
# --------------------------------------------------------------------------
def test_lagging_by_arithmetic_beside_an_on_schedule_word_is_flagged():
    result = judge("新建污水管网120公里", "项目按序时推进，已完成管网铺设30公里，完成年度计划的25%。", as_of="2023-06-30")
    assert result.status == "lagging"
    assert result.needs_review
    assert "arithmetic says lagging" in result.review_reason and "序时推进" in result.review_reason


def test_lagging_by_arithmetic_beside_a_generic_call_to_speed_up_is_not_a_conflict():
    result = judge("新建污水管网120公里", "加快推进管网铺设，已完成30公里，完成年度计划的25%。", as_of="2023-06-30")
    assert result.status == "lagging"
    assert "arithmetic says" not in result.review_reason


def test_on_track_by_arithmetic_beside_a_delay_word_is_flagged():
    result = judge("新建污水管网120公里", "受征地影响工期滞后，已完成管网铺设70公里，完成年度计划的58%。", as_of="2023-06-30")
    assert result.needs_review
    assert "arithmetic says" in result.review_reason or "delay phrase" in result.review_reason


def test_arithmetic_agreeing_with_the_words_is_not_flagged():
    result = judge("新建污水管网120公里", "项目进展顺利，已完成管网铺设70公里，完成年度计划的58%。", as_of="2023-06-30")
    assert result.status == "on-track"
    assert not result.needs_review


# --------------------------------------------------------------------------
# evidence: the numbers compared, never cut inside a number
# --------------------------------------------------------------------------
def test_growth_evidence_states_the_rate_and_its_target():
    result = judge("规上工业增加值增长8%。", "上半年规上工业增加值增长6.5%。")
    assert result.status == "lagging"
    assert "增长6.5%" in result.status_evidence and "目标增长8%" in result.status_evidence
    assert "-1.5个百分点" in result.status_evidence


def test_a_worked_out_note_follows_the_verbatim_phrase():
    from src.classify.measure_types import NOTE_MARK
    result = judge("非税收入", "非税收入6120万元，距序时进度任务数还差410万元。")
    phrase, _, note = result.status_evidence.partition(NOTE_MARK)
    assert phrase and phrase.strip("…") in "非税收入6120万元，距序时进度任务数还差410万元。"
    assert note.endswith("〕") and "6530万元" in note


# --------------------------------------------------------------------------
# measures split evenly: the largest amount is the main sub-target
# --------------------------------------------------------------------------
def test_an_even_split_is_decided_by_the_largest_amount():
    progress = "其中产业类项目完成投资42.6亿元，占年度计划41%；社会事业类项目完成投资3.2亿元，占年度计划56%。"
    result = judge("重点项目建设", progress, as_of="2023-06-30")
    assert result.status == "lagging"  # the 42.6 亿元 line is the main one
    assert "42.6亿元" in result.status_evidence
    assert "tie-break" not in result.review_reason
    off = judge("重点项目建设", progress, as_of="2023-06-30", rules=without("arith_main_by_size"))
    assert off.status == "on-track" and "tie-break" in off.review_reason


def test_an_even_split_in_different_units_keeps_the_tie_break():
    progress = "完成投资42.6亿元，占年度计划41%；新开工项目36个，占年度计划62%。"
    result = judge("重点项目建设", progress, as_of="2023-06-30")
    assert "tie-break" in result.review_reason


# --------------------------------------------------------------------------
# several growth figures: the report's own period decides
# --------------------------------------------------------------------------
def test_the_growth_figure_of_the_reports_period_decides():
    progress = "一季度，全县地区生产总值增长4.8%；预计上半年地区生产总值增长6.6%。"
    result = judge("地区生产总值增长6.5%。", progress, as_of="2023-06-30")
    assert result.status == "on-track"
    assert "6.6%" in result.status_evidence
    assert judge("地区生产总值增长6.5%。", progress, as_of="2023-06-30",
                 rules=without("arith_latest_growth")).status == "lagging"


def test_growth_figures_of_months_ranges_pick_the_report_month():
    progress = "1-4月，税收收入增长3.1%，预计1-5月税收收入增长5.4%。"
    assert judge("税收收入增长5%。", progress, as_of="2023-05-31").status == "on-track"
    assert judge("税收收入增长5%。", "1-4月，税收收入增长3.1%。", as_of="2023-05-31").status == "lagging"
