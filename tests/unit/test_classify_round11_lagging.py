"""The eleventh round (issue 22, helper judge10): lagging rows the rules left to the default, read as
a reply's grammar of conditions, plans and admissions (src/classify/replies.py, block ROUND 11
judge10 of status_rules.toml). Invented wordings only (none copied from a labelled row); each
family on, off (its notices' view: the family switched off) and its guards. What the families
change on real rows is measured by ``make evaluate`` (``--split-batch 6 7 8``), never asserted here."""
from __future__ import annotations

import pytest

from src.classify import load_rules
from src.classify.order import RULE_STEPS
from src.classify.replies import later_date, not_planned, not_yet_own_verb, stage_still_late, start_planned_late
from src.classify.rules import families_read_from
from tests.unit.judging import judge_at, without

judge = judge_at("2024-10-31")
FAMILIES = ("stage_words_more", "not_yet_own_verb", "start_planned_late", "not_planned", "rate_low_words")


def test_the_steps_decide_only_what_the_default_would_have_taken():
    names = [step.__name__ for step in RULE_STEPS]
    mine = [names.index(step.__name__) for step in (stage_still_late, not_yet_own_verb, start_planned_late,
                                                     not_planned)]
    assert max(mine) == len(names) - 2 and names[-1] == "default_on_track"
    assert sorted(mine) == list(range(len(names) - 1 - len(mine), len(names) - 1))


def test_every_family_records_what_it_was_read_from():
    origins = families_read_from(load_rules())
    for family in FAMILIES:
        read = origins[f"families.{family}"]
        assert len(read) >= 50 and {n[:1] for n in read} >= {"A", "B", "L", "M", "N", "P", "Q"}


# ---- stage_still_late: an early stage in more words, when due ------------------------------
@pytest.mark.parametrize("task, progress", [
    ("新建社区养老服务中心", "该中心尚处前期阶段。"),                          # still at a stage, 处 alone
    ("为老旧小区加装电梯20部", "正与街道对接协商确定项目实施事宜。"),          # the project still being agreed
    ("新建城南小学", "正同步开展学校建设前期研究工作。"),                      # the preliminary study under way
    ("东环路人行道建设", "下一步将根据规划方案开展人行道设计工作。"),          # design still to come
])
def test_an_early_stage_in_more_words_late_in_the_year_is_lagging(task, progress):
    on = judge(task, progress)
    assert (on.status, on.status_rule) == ("lagging", "stated-not-started")
    assert judge(task, progress, rules=without("stage_words_more")).status == "on-track"


def test_an_early_stage_before_it_is_due_is_left_to_the_default():
    early = judge("新建社区养老服务中心", "该中心尚处前期阶段。", as_of="2024-05-31")
    assert (early.status, early.status_rule) == ("on-track", "default-on-track")


@pytest.mark.parametrize("progress", [
    "该中心尚处前期阶段，计划12月开工建设。",                                # a later start planned
    "正在开展项目前期工作，已纳入建设规模，将按计划实施。",                   # taken into a programme
    "为避免出现尚处前期阶段即开工的情况，严格审核。",                         # a caution
])
def test_an_early_stage_planned_or_scheduled_is_not_lagging(progress):
    assert judge("新建社区养老服务中心", progress).status != "lagging"


# ---- not_yet_own_verb: the task's own works still not done ---------------------------------
@pytest.mark.parametrize("task, progress", [
    ("村组道路硬化工程", "该段道路至今仍未硬化，群众出行不便。"),              # the task's own verb
    ("解决老旧小区停车难问题", "停车难问题至今仍未得到解决。"),              # 解决, the task's verb
    ("新建社区体育公园", "项目用地已明确，目前尚未开展施工。"),              # a start verb, a works task
    ("新建社区体育公園", "項目用地已明確，目前尚未開展施工。"),              # the same in traditional characters
])
def test_an_admission_that_the_works_are_still_not_done_is_lagging(task, progress):
    on = judge(task, progress, as_of="2024-06-30")
    assert (on.status, on.status_rule) == ("lagging", "stated-not-started")
    assert judge(task, progress, as_of="2024-06-30", rules=without("not_yet_own_verb")).status != "lagging"


@pytest.mark.parametrize("task, progress", [
    ("村组道路硬化工程", "对尚未硬化的路段正在组织施工。"),                    # an attribute, not the predicate
    ("村组道路硬化工程", "除北段尚未硬化外，其余路段均已完工。"),              # the remainder
    ("村组道路硬化工程", "该段道路仍未硬化，计划明年春季实施。"),              # planned for a later year
    ("村组道路硬化工程", "该段道路仍未硬化，计划12月开工。"),                  # planned for a later month
    ("开展老旧小区调研", "调研报告尚未印发。"),                                # a verb the task does not use
    ("新建社区体育公园", "全市已签约未落地项目5个、已拿地未开工项目8个。"),   # a pipeline's categories
])
def test_not_yet_as_an_attribute_a_remainder_or_a_plan_is_not_lagging(task, progress):
    assert judge(task, progress, as_of="2024-06-30").status != "lagging"


@pytest.mark.parametrize("text, expected", [
    ("计划明年实施", True), ("计划12月开工", True), ("计划2025年3月建成", True), ("年底前开工", False),
    ("计划5月开工", False), ("计划2023年实施", False), ("争取年内开工", True),
])
def test_later_date_against_the_report(text, expected):
    family = load_rules().family("not_yet_own_verb")
    assert later_date(family, text, 2024, 6) is expected


# ---- start_planned_late: a start only planned when the year's delivery was promised --------
def test_works_only_planned_to_start_late_in_the_year_are_lagging():
    task, progress = "年内建成城东污水处理厂", "施工图设计已完成，计划11月开工建设。"
    on = judge(task, progress, as_of="2024-09-30")
    assert (on.status, on.status_rule) == ("lagging", "stated-not-started")
    assert judge(task, progress, as_of="2024-09-30", rules=without("start_planned_late")).status == "on-track"
    assert judge(task, progress, as_of="2024-06-30").status == "on-track"  # not late in the year


@pytest.mark.parametrize("task, progress", [
    ("城东污水处理厂年内开工", "施工图设计已完成，计划11月开工建设。"),        # a task to start
    ("年内建成城东污水处理厂", "一期已开工，二期计划11月开工建设。"),          # works under way
    ("年内建成城东污水处理厂", "经优化方案，计划2025年3月开工建设。"),          # a start in a later year
])
def test_a_start_promised_under_way_or_in_a_later_year_is_not_lagging(task, progress):
    assert judge(task, progress, as_of="2024-09-30").status != "lagging"


# ---- not_planned: the asked-for works in no plan, or not feasible -------------------------
@pytest.mark.parametrize("task, progress", [
    ("修建村级文化广场", "经研究，该项目暂无建设计划。"),                      # no plan
    ("东街道路改造", "该路段未列入今年的道路改造计划。"),                      # not taken into a plan
    ("增设公交站点", "该处道路狭窄，暂时无法安排。"),                         # cannot be arranged
    ("在社区增设快递柜", "经评估，该建议在当前条件下无法实现。"),              # not feasible
    ("滨河步道建设", "下一步将结合片区规划统筹考虑，条件成熟后开工建设。"),    # put off, no time named
])
def test_works_in_no_plan_or_not_feasible_are_lagging(task, progress):
    on = judge(task, progress)
    assert (on.status, on.status_rule) == ("lagging", "stated-pending")
    assert judge(task, progress, rules=without("not_planned")).status != "lagging"


@pytest.mark.parametrize("progress", [
    "该项目未纳入省级规划，但我局计划安排县级资金实施。",                      # a contrast goes on
    "该路段此前未列入计划，现已列入明年改造计划。",                            # taken in after all
])
def test_no_plan_with_a_contrast_or_taken_in_after_all_is_not_lagging(progress):
    assert judge("东街道路改造", progress).status != "lagging"


# ---- rate_low_words: a rate or the progress said low, or below an average -------------------
@pytest.mark.parametrize("task, progress", [
    ("推进城区老旧小区改造", "部分项目投资完成率较低，需加快推进。"),          # a rate said low
    ("农村危房改造", "开工率低于全市平均水平的有两个县。"),                   # below the average
    ("城乡供水一体化工程", "上级补助资金到位率不高。"),                       # a rate said not high
])
def test_a_rate_said_low_or_below_the_average_is_lagging(task, progress):
    on = judge(task, progress, as_of="2024-06-30")
    assert (on.status, on.status_rule) == ("lagging", "stated-delay")
    assert judge(task, progress, as_of="2024-06-30", rules=without("rate_low_words")).status != "lagging"


@pytest.mark.parametrize("progress", [
    "开工率高于全市平均水平。",                                              # above the average
    "加强调度，防止出现进度较慢的情况。",                                     # a caution
])
def test_a_rate_above_the_average_or_a_caution_is_not_lagging(progress):
    assert judge("农村危房改造", progress, as_of="2024-06-30").status != "lagging"
