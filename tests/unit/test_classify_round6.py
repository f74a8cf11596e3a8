"""The sixth round (issue 22): review signals as arithmetic of dates, stages and measures, each in
invented wordings (none copied from a labelled row). What they catch on real rows is measured per
set by ``benchmarks/review_signals.py`` and ``make evaluate``, never asserted here."""
from __future__ import annotations

import copy

from src.classify import load_rules
from src.classify.review import (
    DEFAULT_LATE,
    MET_EARLY,
    OPEN_ENDED_DONE,
    STAGE_LATE,
    YEAR_END_MEASURE,
    YEAR_END_WORDS,
)
from src.classify.rules import families_read_from, rules_without
from tests.unit.judging import judge_at

judge = judge_at("2022-06-30")


def signals_off():
    rules = copy.deepcopy(load_rules())
    rules.raw["review"]["signals"] = {}
    return rules


def test_a_default_late_in_the_year_on_a_task_with_a_deliverable_is_flagged():
    late = judge("年内建成社区食堂", "各街道积极对接，多方筹措。", as_of="2022-09-30")
    assert late.status_rule == "default-on-track"
    assert late.needs_review and DEFAULT_LATE in late.review_reason
    early = judge("年内建成社区食堂", "各街道积极对接，多方筹措。", as_of="2022-04-30")
    assert DEFAULT_LATE not in early.review_reason  # not late in the year yet


def test_an_open_ended_task_is_no_deliverable_due_this_year():
    result = judge("持续推进老旧街巷建设", "各街道积极对接，多方筹措。", as_of="2022-09-30")
    assert result.status_rule == "default-on-track"
    assert DEFAULT_LATE not in result.review_reason


def test_a_stage_word_late_in_the_year_is_flagged_and_not_at_mid_year():
    late = judge("滨湖步道工程", "目前施工图设计已进入审查，同步对接各方意见。", as_of="2022-10-31")
    assert late.status != "lagging"
    assert STAGE_LATE in late.review_reason
    assert "设计" in late.review_reason
    mid = judge("滨湖步道工程", "目前施工图设计已进入审查，同步对接各方意见。", as_of="2022-06-30")
    assert STAGE_LATE not in mid.review_reason


def test_a_stage_word_beside_a_done_word_is_not_flagged():
    result = judge("滨湖步道工程", "设计变更已完成，步道主体完工。", as_of="2022-10-31")
    assert STAGE_LATE not in result.review_reason


def test_a_year_end_measure_above_the_target_that_is_not_completed_is_flagged():
    rules = without_year_end_gap()  # with the family on, such a row is completed (below)
    result = judge("规上工业增加值", "全年规上工业增加值增长8.2%，高于预期目标1.2个百分点。", as_of="2022-12-31", rules=rules)
    assert (result.status, result.status_rule) == ("on-track", "quantified-on-schedule")
    assert YEAR_END_MEASURE in result.review_reason
    mid = judge("规上工业增加值", "上半年规上工业增加值增长8.2%，高于预期目标1.2个百分点。", as_of="2022-06-30")
    assert YEAR_END_MEASURE not in mid.review_reason  # on-track is what mid-year means
    short = judge("新增城镇就业2万人", "全年新增城镇就业1.8万人，完成年度目标的90%。", as_of="2022-12-31")
    assert short.status == "lagging" and YEAR_END_MEASURE not in short.review_reason


def test_a_year_end_on_track_by_words_is_flagged():
    result = judge("社区食堂运营", "全年社区食堂运营平稳有序，序时推进。", as_of="2022-12-31")
    assert result.status_rule == "stated-on-track"
    assert YEAR_END_WORDS in result.review_reason
    assert YEAR_END_WORDS not in judge("社区食堂运营", "社区食堂运营平稳有序，序时推进。", as_of="2022-09-30").review_reason


def test_completed_far_above_the_years_target_before_the_last_quarter_is_flagged():
    result = judge("新增绿道里程40公里", "上半年新增绿道里程96公里。", as_of="2022-06-30")
    assert result.status == "completed"
    assert MET_EARLY in result.review_reason
    near = judge("新增绿道里程40公里", "上半年新增绿道里程42公里。", as_of="2022-06-30")
    assert near.status == "completed"
    assert MET_EARLY not in near.review_reason  # just above the target: no sign of a misread figure


def test_completed_from_words_alone_on_an_open_ended_task_is_flagged():
    result = judge("持续深化邻里互助服务", "已完成全年目标任务。", as_of="2022-08-31")
    assert (result.status, result.status_rule) == ("completed", "explicit-completed")
    assert OPEN_ENDED_DONE in result.review_reason and "深化" in result.review_reason
    closed = judge("新建邻里互助站", "已完成全年目标任务。", as_of="2022-08-31")
    assert closed.status == "completed" and OPEN_ENDED_DONE not in closed.review_reason


def test_the_signals_switched_off_flag_nothing_of_their_own():
    rules = signals_off()
    result = judge("年内建成社区食堂", "各街道积极对接，多方筹措。", as_of="2022-09-30", rules=rules)
    assert DEFAULT_LATE not in result.review_reason
    assert result.status == judge("年内建成社区食堂", "各街道积极对接，多方筹措。", as_of="2022-09-30").status


def test_every_date_signal_has_its_chinese_reason_for_the_reports():
    from src.report.style import review_reason_text

    rows = [judge("年内建成社区食堂", "各街道积极对接，多方筹措。", as_of="2022-09-30"),
            judge("滨湖步道工程", "目前施工图设计已进入审查，同步对接各方意见。", as_of="2022-10-31"),
            judge("规上工业增加值", "全年规上工业增加值增长8.2%，高于预期目标1.2个百分点。", as_of="2022-12-31",
                  rules=without_year_end_gap()),
            judge("社区食堂运营", "全年社区食堂运营平稳有序，序时推进。", as_of="2022-12-31"),
            judge("新增绿道里程40公里", "上半年新增绿道里程96公里。", as_of="2022-06-30"),
            judge("持续深化邻里互助服务", "已完成全年目标任务。", as_of="2022-08-31")]
    for row in rows:
        assert row.review_reason
        text = review_reason_text(row.review_reason)
        assert "（未译）" not in text and not any(ch.isascii() and ch.isalpha() for ch in text), text


def without_year_end_gap():
    rules = copy.deepcopy(load_rules())
    rules.raw["families"]["arith_year_end_gap"]["gap_met_at_year_end"] = False
    return rules


def test_a_year_end_gap_above_the_expected_target_is_the_target_met():
    result = judge("规上工业增加值", "全年规上工业增加值增长8.2%，高于预期目标1.2个百分点。", as_of="2022-12-31")
    assert (result.status, result.status_rule) == ("completed", "target-met")
    assert "1.2个百分点" in result.status_evidence
    below = judge("规上工业增加值", "全年规上工业增加值增长5.2%，低于预期目标1.8个百分点。", as_of="2022-12-31")
    assert below.status == "lagging"
    mid = judge("规上工业增加值", "上半年规上工业增加值增长8.2%，高于预期目标1.2个百分点。", as_of="2022-06-30")
    assert mid.status == "on-track"  # ahead at mid-year is not the year's target met
    off = judge("规上工业增加值", "全年规上工业增加值增长8.2%，高于预期目标1.2个百分点。", as_of="2022-12-31",
                rules=without_year_end_gap())
    assert off.status == "on-track" and YEAR_END_MEASURE in off.review_reason


def test_a_stage_still_being_revised_is_behind_from_the_third_quarter():
    late = judge("新建城南图书馆", "可研报告正在修改完善。", as_of="2022-09-30")
    assert late.status == "lagging"
    assert "正在修改" in late.status_evidence
    plan = judge("改造滨河步道", "目前正在修订施工设计，待审定后进场。", as_of="2022-10-31")
    assert plan.status == "lagging"
    mid = judge("新建城南图书馆", "可研报告正在修改完善。", as_of="2022-06-30")
    assert mid.status == "on-track" and mid.needs_review  # not yet due: flagged, not behind
    rules = load_rules()
    rules = rules_without(rules, families_read_from(rules)["families.stage_late_revision"][0])
    assert judge("新建城南图书馆", "可研报告正在修改完善。", as_of="2022-09-30", rules=rules).status == "on-track"


def test_a_revision_said_done_is_no_early_stage():
    assert judge("新建城南图书馆", "可研报告已修改完善并获批复，主体施工过半。", as_of="2022-09-30").status != "lagging"


def test_a_deliverable_of_an_earlier_year_not_delivered_is_overdue():
    result = judge("城东污水泵站", "2019年度安排的城东污水泵站至今未完工，正协调施工单位。", as_of="2021-05-31")
    assert (result.status, result.status_rule) == ("lagging", "stated-not-started")
    assert "2019年度" in result.status_evidence
    this_year = judge("城东污水泵站", "2021年安排的城东污水泵站未完工，正有序施工。", as_of="2021-05-31")
    assert this_year.status != "lagging"  # the report's own year: not overdue by date alone
    rules = load_rules()
    rules = rules_without(rules, families_read_from(rules)["families.earlier_year_undone"][0])
    assert judge("城东污水泵站", "2019年度安排的城东污水泵站至今未完工，正协调施工单位。", as_of="2021-05-31",
                 rules=rules).status_rule != "stated-not-started"
