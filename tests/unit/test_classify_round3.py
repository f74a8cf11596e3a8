"""The third round's families (issue 22), each in invented wordings (none copied from a
labelled row), on frames with only ``task`` and ``progress`` as other offices' notices
have them. What they do on real rows is measured leave-one-notice-out by
``make evaluate``, never asserted here."""
from __future__ import annotations

import pandas as pd
import pytest

from src.classify import load_rules
from src.classify.rules import families_read_from, rules_without
from src.helpers import classify_tasks
from tests.unit.judging import judge_at

judge = judge_at("2021-06-30")


# --------------------------------------------------------------------------
# stated shortfall in evaluative words
# --------------------------------------------------------------------------
@pytest.mark.parametrize("progress", [
    "今年以来推进情况不尽如人意，仅签约两个。",
    "一季度增速偏低，主要受原材料价格影响。",
    "全市完成值低于预期目标，正在分析原因。",
    "从目前看，完成年度目标任务存在困难。",
    "年度任务恐难完成，需市级协调。",
    "未完成改造任务的乡镇为东岭镇、西河乡。",
    "目前尚有3个县未完成年度建设任务。",
    "仍有两个街道进度慢，已督促加快。",
])
def test_stated_shortfall_is_lagging(progress):
    result = judge("推进老旧小区综合整治", progress)
    assert result.status == "lagging"
    assert result.status_rule == "stated-delay"
    assert result.status_evidence in progress


@pytest.mark.parametrize("progress", [
    "成本偏低的项目优先安排。",            # a low cost, not a shortfall
    "未发现推进情况不理想的问题。",          # negated
    "各县均已完成年度建设任务。",            # every unit finished
    "督促未完成任务的乡镇加快进度。",        # an instruction about whoever lags in general
])
def test_shortfall_words_in_other_senses_are_not_a_delay(progress):
    assert judge("推进老旧小区综合整治", progress).status != "lagging"


def test_shortfall_family_records_its_notices_and_switches_off():
    rules = load_rules()
    origins = families_read_from(rules)["families.shortfall_words"]
    assert origins, "a family read from rows names them"
    off = rules_without(rules, origins[0])
    frame = pd.DataFrame({"task_id": [1], "task": ["推进老旧小区综合整治"], "progress": ["目前推进情况不尽如人意。"]})
    assert classify_tasks(frame, as_of="2021-06-30", rules=off).iloc[0]["status"] == "on-track"


# --------------------------------------------------------------------------
# an indicator that falls
# --------------------------------------------------------------------------
@pytest.mark.parametrize("task, progress, status", [
    ("全县规上工业产值", "1-6月规上工业产值42.3亿元，比上年同期减少6.1%。", "lagging"),
    ("外贸进出口总额", "进出口总额完成8.7亿美元，增速为-3.5%。", "lagging"),
    ("限上消费品零售额", "限上零售额降幅为2.2%，降幅较一季度收窄。", "lagging"),
    ("单位生产总值能耗下降3%", "单位生产总值能耗同比下降4.1%。", "on-track"),   # a decrease promised: no shortfall
    ("全县规上工业产值", "产值完成年度计划的58%，同比下降1.2%。", "on-track"),  # the plan's share decides
    ("举办农民丰收节", "活动筹备有序，全县工业产值同比下降2%。", "on-track"),   # background: the task names no indicator
])
def test_a_falling_indicator(task, progress, status):
    assert judge(task, progress).status == status


# --------------------------------------------------------------------------
# a share of the period's own plan
# --------------------------------------------------------------------------
@pytest.mark.parametrize("progress, as_of, status", [
    ("累计完成投资3.1亿元，完成1-5月投资计划的112%。", "2021-05-31", "on-track"),
    ("完成上半年目标任务的86%。", "2021-06-30", "lagging"),
    ("完成前三季度计划的101.5%。", "2021-09-30", "on-track"),
])
def test_a_share_of_the_period_plan_is_the_rows_milestone(progress, as_of, status):
    result = judge("重点项目完成年度投资", progress, as_of=as_of)
    assert result.status == status
    assert result.status_rule.startswith("quantified")


def test_period_plan_met_against_a_year_share_below_the_schedule_is_split_and_flagged():
    result = judge("重点项目完成年度投资", "完成1-4月投资计划的120%，完成年度投资计划的20%。", as_of="2021-04-30")
    assert result.status == "on-track" and result.needs_review


# --------------------------------------------------------------------------
# narrowings of the rules that decided wrongly on unread notices
# --------------------------------------------------------------------------
def test_a_share_of_a_multi_year_total_is_not_judged_against_the_year():
    task = "2021—2023年改造农村公路900公里"
    result = judge(task, "今年上半年已改造农村公路120公里。", as_of="2021-06-30")
    assert result.status == "on-track" and result.needs_review
    assert "several years" in result.review_reason
    assert judge(task, "完成年度计划的30%。", as_of="2021-06-30").status == "lagging"  # a share naming the year
    assert judge("改造农村公路900公里", "已改造农村公路120公里。", as_of="2021-06-30").status == "lagging"


def test_the_tasks_own_figure_restated_is_not_the_target_met():
    result = judge("建成12个社区老年食堂", "12个社区老年食堂选址已确定，正在装修。", as_of="2021-07-31")
    assert result.status != "completed"
    assert judge("建成12个社区老年食堂", "已建成12个社区老年食堂。", as_of="2021-07-31").status == "completed"


def test_works_progress_below_100_blocks_a_count_meeting_the_target():
    result = judge("建成安置房800套", "在建安置房共812套，已完成总工程量的70%。", as_of="2021-09-30")
    assert result.status != "completed" and result.needs_review


@pytest.mark.parametrize("as_of, status", [("2021-06-30", "on-track"), ("2021-12-31", "completed")])
def test_a_growth_rate_above_its_target_rate_completes_only_at_year_end(as_of, status):
    frame = pd.DataFrame({"task_id": [1], "task": ["规上工业增加值增长率"], "progress": ["9.1%"],
                          "target": ["5%以上"], "actual": ["9.1%"]})
    assert classify_tasks(frame, as_of=as_of).iloc[0]["status"] == status


@pytest.mark.parametrize("progress, status", [
    ("已超额完成了二季度节点任务。", "on-track"),
    ("3月份完成全年任务。", "completed"),
])
def test_a_node_met_is_not_the_year_completed(progress, status):
    assert judge("推进政务服务跨省通办", progress, as_of="2021-06-30").status == status


@pytest.mark.parametrize("family", ["narrow_multi_year", "narrow_works_progress",
                                    "narrow_rate_targets", "narrow_node_completion", "decline", "period_plan"])
def test_every_round3_family_names_the_notices_it_was_read_from(family):
    assert families_read_from(load_rules())[f"families.{family}"]


# --------------------------------------------------------------------------
# the review queue
# --------------------------------------------------------------------------
def test_figures_the_rules_did_not_read_next_to_a_plan_word_are_flagged():
    flagged = judge("全镇特色农业产值", "特色农业产值0.9亿元，占全镇农业预算安排的三十二点五%。")
    assert flagged.by_default and flagged.needs_review
    assert "did not read" in flagged.review_reason
    quiet = judge("全镇特色农业", "特色农业稳定发展，新增合作社两家。")  # no figure: the default stays unflagged
    assert quiet.by_default and not quiet.needs_review


def test_signals_switched_off_leave_no_reason_and_no_flag():
    result = judge("新建公办幼儿园12所。", "完成投资1.2亿元，占年度投资计划的20%。")
    assert result.status == "lagging"
    assert "money" not in result.review_reason
    assert result.needs_review == bool(result.review_reason)


# --------------------------------------------------------------------------
# round 3b: more shortfall words; a cell that says only the deliverable is delivered
# --------------------------------------------------------------------------
@pytest.mark.parametrize("progress", ["按期完成存在较大难度，正协调资金。", "工业投资增速低于年度计划。"])
def test_more_shortfall_words(progress):
    assert judge("推进工业技改投资", progress, as_of="2021-09-30").status == "lagging"


@pytest.mark.parametrize("progress, status", [
    ("建成投运", "completed"),
    ("已交付使用。", "completed"),
    ("主体完工", "on-track"),          # partial
    ("计划年底建成投产", "on-track"),   # planned
    ("完工32万平方米", "on-track"),     # a count says how far the works got
])
def test_a_cell_saying_only_the_deliverable_is_delivered(progress, status):
    assert judge("城南物流园区一期", progress, as_of="2021-12-31").status == status


def test_a_bare_delivery_does_not_answer_a_numeric_target():
    assert judge("建成乡镇快递服务站20个", "建成投运", as_of="2021-12-31").status != "completed"


# --------------------------------------------------------------------------
# round 3c: from the categories only
# --------------------------------------------------------------------------
@pytest.mark.parametrize("progress, status", [
    ("整体进度快于时间进度。", "on-track"),
    ("目前进度慢于时间进度，需加快。", "lagging"),
    ("与年度目标仍有较大差距。", "lagging"),
    ("因部门间协调推进不力，尚在磋商。", "lagging"),
    ("未发现推进不力的情况，各项工作有序开展。", "on-track"),   # negated
])
def test_schedule_words_in_their_other_names(progress, status):
    assert judge("推进智慧停车系统建设", progress, as_of="2021-06-30").status == status


def test_a_project_still_in_its_approvals_is_early_stage():
    late = judge("城东污水处理厂扩建", "目前正在办理施工许可手续。", as_of="2021-11-30")
    early = judge("城东污水处理厂扩建", "目前正在办理施工许可手续。", as_of="2021-04-30")
    assert late.status == "lagging"
    assert early.status == "on-track" and early.needs_review
