"""The twelfth round, completed side (issue 22, helper judge15): the task's own object with a
perfective predicate (the reply's grammar of "what was asked for was done"), a delivery beside works
progress below 100%, and an early stage whose start is dated to a later year. Invented wordings
only (none copied from a labelled row); what the families change on real rows is measured by
``benchmarks/evaluate_classifier.py --split-batch 9 10 11 --blind``, never asserted here."""
from __future__ import annotations

import copy

import pytest

from src.classify import load_rules
from src.classify.rules import families_read_from, rules_without
from tests.unit.judging import judge_at

judge = judge_at("2023-09-30")

FAMILIES = ("own_object_done", "works_short_of_delivery", "early_stage_later_year")


def only_off(*families: str):
    """The rules with these families switched off."""
    raw = copy.deepcopy(load_rules().raw)
    for family in families:
        raw["families"][family]["read_from"] = ["__only_this__"]
    return rules_without(load_rules(raw), "__only_this__")


def test_the_round_records_where_it_was_read():
    origins = families_read_from(load_rules())
    for family in FAMILIES:
        read = origins[f"families.{family}"]
        assert len(read) == len(set(read)) > 0


# ---- own_object_done: the task's own object as the object of a perfective predicate ----------
@pytest.mark.parametrize("task, progress", [
    ("关于翻修青石巷小学风雨操场的建议", "经研究，我局已对青石巷小学风雨操场进行了翻修和加固。"),
    ("关于修补滨江南路人行道破损路面的建议", "区住建局已于2023年8月12日完成对滨江南路人行道的破损修补工作。"),
    ("柳溪公园健身步道改造工程", "为方便群众锻炼，已先期实施并完成“柳溪公园健身步道改造工程”，新铺塑胶面层。"),
    ("北岭村通村公路硬化项目", "2021年以来累计投资约600万元，实施了北岭村通村公路硬化项目，路面宽5米。"),
    ("城北社区老年活动室扩容工程。", "包括添置桌椅和康复器材。资金由社区承担。该项目已于7月底完成。"),
    ("城北社区老年活动室扩容工程。", "资金由街道承担，区财政补助部分。该项目已于8月中旬完工并于9月1日正式开放。"),
])
def test_the_tasks_own_object_said_done_is_completed(task, progress):
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "one-off-completed"
    assert judge(task, progress, rules=only_off("own_object_done")).status != "completed"


@pytest.mark.parametrize("task, progress", [
    # a date after the report's: a promise, not a delivery
    ("城北社区老年活动室扩容工程。", "该项目已于11月底完成。"),
    # another object: the run shared with the task is only a stop run
    ("关于翻修青石巷小学风雨操场的建议", "我局已对东门菜场进行了翻修。"),
    # a stage after the object: 实施了××项目前期工作
    ("北岭村通村公路硬化项目", "已实施了北岭村通村公路硬化项目前期勘察工作。"),
    # a step on the way as the predicate, not the works
    ("关于翻修青石巷小学风雨操场的建议", "我局已对青石巷小学风雨操场进行了现场勘查。"),
    ("关于修补滨江南路人行道破损路面的建议", "区住建局已于2023年8月12日完成对滨江南路人行道的前期调研工作。"),
    # a stopgap, not the works asked for
    ("关于翻修青石巷小学风雨操场的建议", "我局已对青石巷小学风雨操场进行了临时修补，待资金到位后翻修。"),
    # a plan or a negation before it
    ("关于翻修青石巷小学风雨操场的建议", "我局计划对青石巷小学风雨操场进行翻修。"),
    ("关于翻修青石巷小学风雨操场的建议", "尚未对青石巷小学风雨操场进行了翻修。"),
    # work still under way after it
    ("柳溪公园健身步道改造工程", "已完成“柳溪公园健身步道改造工程”一标段，二标段正在施工。"),
])
def test_a_promise_another_object_a_stage_or_work_left_is_not_done(task, progress):
    assert judge(task, progress).status != "completed"


def test_an_open_ended_task_is_not_done_by_one_works_unless_it_is_a_named_works():
    progress = "今年已对城东片区背街小巷进行了路面修补。"
    assert judge("持续提升城东片区背街小巷环境", progress).status != "completed"
    assert judge("城东片区背街小巷环境提升工程", progress).status == "completed"


# ---- works_short_of_delivery: a delivery beside works progress below 100% ---------------------
@pytest.mark.parametrize("task, progress", [
    ("南塘路、北塘路、西塘路延伸建设项目",
     "南塘路：于5月开工，目前路基已完成，完成总工程量的35%。北塘路：已于8月完工，正式通车。"),
    ("扩建实验中学及城关二小", "城关二小：食堂建成投用；实验中学：教学楼主体施工，整体钢结构施工完成60%。"),
])
def test_a_delivery_beside_works_short_of_100_percent_is_on_track_and_flagged(task, progress):
    on = judge(task, progress)
    assert on.status == "on-track" and on.needs_review
    assert judge(task, progress, rules=only_off("works_short_of_delivery")).status == "completed"


def test_a_delivery_with_its_works_at_100_percent_stays_completed():
    assert judge("北塘路延伸建设项目", "北塘路延伸建设项目已竣工通车，完成总工程量的100%。").status == "completed"


# ---- early_stage_later_year: an early stage with the start dated to a later year --------------
@pytest.mark.parametrize("progress", [
    "该地块涉及林地，目前正在办理林地征占用手续，预计2024年开工建设。",
    "目前正在办理用地手续，计划明年开工。",
])
def test_an_early_stage_with_the_start_in_a_later_year_is_not_overdue(progress):
    task = "东湖初级中学新建工程"
    late = judge_at("2023-11-30")
    on = late(task, progress)
    assert on.status == "on-track" and on.status_rule == "stated-early-stage" and on.needs_review
    # the dates round's due_month_year reads the same later year (nothing is due): both off
    assert late(task, progress, rules=only_off("early_stage_later_year", "due_month_year")).status == "lagging"


def test_an_early_stage_with_the_start_this_year_or_earlier_stays_overdue():
    late = judge_at("2023-11-30")
    for progress in ("目前正在办理用地手续，预计2023年开工建设。", "目前正在办理用地手续，原计划2022年开工建设。"):
        assert late("东湖初级中学新建工程", progress).status == "lagging"


# ---- early_stage_request: a task that only asks commits to no date ------------------------------
@pytest.mark.parametrize("task", ["关于尽快建设城西农贸市场的建议", "城西农贸市场什么时候能开工？", "城西正在规划建设一处农贸市场"])
def test_an_early_stage_for_a_task_that_only_asks_is_not_overdue(task):
    late = judge_at("2023-11-30")
    progress = "目前该项目正在办理用地审批手续。"
    on = late(task, progress)
    assert on.status == "on-track" and on.status_rule == "stated-early-stage" and on.needs_review
    assert late(task, progress, rules=only_off("early_stage_request")).status == "lagging"


def test_an_early_stage_for_a_committed_works_task_stays_overdue():
    late = judge_at("2023-11-30")
    assert late("城西农贸市场建设项目", "目前该项目正在办理用地审批手续。").status == "lagging"


# ---- finding_rectified: a finding's rectification stated done ----------------------------------
@pytest.mark.parametrize("task, progress", [
    ("城南片区雨污混接问题整改推进不力。", "经复查，该问题已完成整改，并通过区生态环境局验收。"),
    ("东郊垃圾中转站渗滤液处理不到位。", "区城管局已完成整改任务。"),
    ("针对城北小学学生午休场地不足问题", "先后改造了三间功能教室，很好地解决了学生午休场地问题。"),
])
def test_a_findings_rectification_stated_done_is_completed(task, progress):
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "explicit-completed"
    assert judge(task, progress, rules=only_off("finding_rectified")).status != "completed"


@pytest.mark.parametrize("task, progress", [
    ("城南片区雨污混接问题整改推进不力。", "该问题已基本完成整改，剩余两处正在施工。"),      # partial, work left
    ("城南片区雨污混接问题整改推进不力。", "区水务局正在督促相关单位尽快完成整改。"),        # under way
    ("城南片区雨污混接问题整改推进不力。", "已整改12处，其余8处正在整改中。"),                # a count, the rest left
    ("新建城南公园", "已完成整改任务。"),                                                     # not a finding
])
def test_a_partial_pending_or_counted_rectification_is_not_done(task, progress):
    assert judge(task, progress).status != "completed"


# ---- short_cell_delivery: a short cell built only of delivery predicates -----------------------
@pytest.mark.parametrize("task, progress", [
    ("城东体育馆、城西游泳馆和5个社区健身点", "建成使用"),        # a list with a count: the cell speaks of all
    ("市妇幼保健院新院区、中医院康复楼", "开诊运行。"),
    ("南区医药产业园等12个二季度开复工项目", "全部开工"),        # a start, for a task of starts
])
def test_a_short_cell_of_delivery_predicates_is_the_task_delivered(task, progress):
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "stated-delivered"
    assert judge(task, progress, rules=only_off("short_cell_delivery")).status != "completed"


@pytest.mark.parametrize("task, progress", [
    ("城东体育馆、城西游泳馆和5个社区健身点", "试运行"),         # a trial
    ("城东体育馆、城西游泳馆和5个社区健身点", "基本建成"),       # partial
    ("城东体育馆、城西游泳馆和5个社区健身点", "正常运行"),       # a word that is no predicate of delivery
    ("城东体育馆、城西游泳馆和5个社区健身点", "全部开工"),       # a start, for a task to build
    ("城东体育馆、城西游泳馆和5个社区健身点", "建成3个"),        # a number: a measure
])
def test_a_trial_a_partial_a_start_or_a_count_is_not_the_task_delivered(task, progress):
    assert judge(task, progress).status != "completed"


# ---- request_head_noun: a suggestion's title asks for its first object -------------------------
def test_a_suggestions_first_object_delivered_is_the_task_delivered():
    task = "《关于新建城东农贸市场，改善周边环境提升城市形象的建议》第88号提案"
    progress = "近年来我市加大投入，截至2023年9月，现东关农贸市场已建成并投入使用，入驻商户80余家。"
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "one-off-completed"
    assert judge(task, progress, rules=only_off("request_head_noun")).status != "completed"


def test_a_suggestion_whose_object_is_open_ended_stays_open_ended():
    task = "关于持续提升城东农贸市场管理水平的建议"
    progress = "近年来我市加大投入，现东关农贸市场已建成并投入使用，入驻商户80余家。"
    assert judge(task, progress).status != "completed"
