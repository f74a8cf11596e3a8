"""The eleventh round, completed side (issue 22, helper judge12): what the completion families may
call done (not a delivery promised, not a part, not one item while another is under way) and two
forms of the task's own delivery they did not read (the task's own task said done; the task's
object built and put into use). Invented wordings only (none copied from a labelled row); what the
families change on real rows is measured by ``make evaluate`` (``--split-batch 6 7 8``), never
asserted here."""
from __future__ import annotations

import copy

import pytest

from src.classify import load_rules
from src.classify.rules import families_read_from, rules_without
from tests.unit.judging import judge_at, without

judge = judge_at("2023-09-30")
year_end = judge_at("2023-12-31")


def only_off(family: str):
    """The rules with this one family switched off (``without`` switches off every family read from
    the same notice)."""
    raw = copy.deepcopy(load_rules().raw)
    raw["families"][family]["read_from"] = ["__only_this__"]
    return rules_without(load_rules(raw), "__only_this__")


def test_the_round_records_where_it_was_read():
    origins = families_read_from(load_rules())
    for family in ("completion_scope", "task_done_stated", "named_delivery"):
        read = origins[f"families.{family}"]
        assert len(read) == len(set(read)) > 0
        # batches 1-5 and the halves A of batches 6-8 only (an odd L/M/N/O/P notice or an even Q one is half A's)
        assert {n[:2] for n in read} <= {"AN", "BN", "CN", "DN", "EN", "FN", "GN", "IN", "JN", "KN", "LN", "MN", "ON",
                                         "PN", "QN", "NN", "HN"}


# ---- completion_scope: a delivery under a plan, of a part, of one item of several ------------
@pytest.mark.parametrize("task, progress", [
    ("城西燃气管道工程", "预计11月20日城西燃气管道正式通气投用"),   # a forecast
    ("南湖污水处理厂扩建", "南湖污水处理厂扩建项目中一期生化池、沉淀池等全面完工，二期设备安装正在进行"),  # a first phase
    ("新建东村、西村两所卫生室", "截至目前，东村卫生室已竣工，西村卫生室已开工建设"),            # one of two, the other started
    ("建设滨河、湖畔、山前三处游园", "滨河游园已建成并开放，湖畔游园正在施工，山前游园按时序推进"),  # one of three
])
def test_a_delivery_promised_partial_or_of_one_item_is_not_the_task_done(task, progress):
    on = judge(task, progress)
    assert on.status != "completed"
    # the forecast is dated after the report too: the twelfth round's dated_after_report reads it as well
    assert judge(task, progress, rules=without("completion_scope", "dated_after_report")).status == "completed"


def test_one_item_done_while_another_is_under_way_is_on_track_and_flagged():
    on = judge("新建东村、西村两所卫生室", "东村卫生室已竣工，西村卫生室正在施工")
    assert on.status == "on-track" and on.needs_review


@pytest.mark.parametrize("task, progress", [
    ("新建城南消防站", "城南消防站已竣工并投入使用"),                       # the whole, nothing else
    ("新建城南消防站", "城南消防站已竣工验收，正在办理结算"),               # paperwork after the delivery
    ("城东污水管网一期工程", "城东污水管网一期工程已全面完工"),             # the task's own phase
])
def test_the_task_delivered_whole_stays_completed(task, progress):
    assert judge(task, progress).status == "completed"


# ---- task_done_stated: the task's own task or target said done ------------------------------
@pytest.mark.parametrize("task, progress, at", [
    ("农村饮水安全巩固任务", "农村饮水安全巩固任务全面完成，受益群众3.2万人", judge),
    ("城区公厕改造", "全面完成目标任务，群众如厕条件明显改善", judge),
    ("5县保障房基本建成任务", "5县保障房基本建成任务已全面完成", judge),
    ("全年安排重点水利项目12项", "截至12月底，已累计完成投资8.6亿元，6个项目竣工，其余项目加快施工，完成预期目标", year_end),
])
def test_the_task_itself_said_done_is_completed(task, progress, at):
    on = at(task, progress)
    assert on.status == "completed" and on.status_rule == "explicit-completed"
    assert at(task, progress, rules=without("task_done_stated")).status != "completed"


@pytest.mark.parametrize("task, progress, at", [
    ("农村饮水安全巩固任务", "力争年底前农村饮水安全巩固任务全面完成", judge),          # a goal
    ("农村饮水安全巩固任务", "三季度节点任务全面完成", judge),                           # a node
    ("南湖片区改造", "南湖片区一期改造任务全面完成，二期正在推进", judge),              # a part
    ("全年安排重点水利项目12项", "已完成投资5.1亿元，完成预期目标", judge),               # not a year-end report
    ("全年安排重点水利项目12项", "年内有望完成预期目标", year_end),                       # a forecast
])
def test_a_goal_a_node_a_part_or_mid_year_words_are_not_the_task_done(task, progress, at):
    assert at(task, progress).status_rule != "explicit-completed"


# ---- named_delivery: the task's object built or finished and put into use -------------------
@pytest.mark.parametrize("task, progress", [
    ("城北公交首末站", "完成城北公交首末站建设，并投入使用，新增停车位40个"),
    ("县妇幼保健院门诊楼", "建成县妇幼保健院门诊楼并投入运营"),
])
def test_the_tasks_object_built_and_in_use_is_completed(task, progress):
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "one-off-completed"
    assert judge(task, progress, rules=without("named_delivery")).status != "completed"


@pytest.mark.parametrize("task, progress", [
    ("城北公交首末站", "计划年底前完成城北公交首末站建设并投入使用"),   # a plan
    ("城北公交首末站", "建成城南停车场并投入使用"),                     # another object
    ("县妇幼保健院门诊楼", "门诊楼主体基本建成，尚未投入使用"),         # partial, not in use
])
def test_a_plan_another_object_or_a_part_is_not_the_delivery(task, progress):
    assert judge(task, progress).status != "completed"


# ---- completion_scope, widened: a year's completion of one item; a promise only -------------
@pytest.mark.parametrize("task, progress", [
    ("加强社会救助保障", "城乡低保标准每人每月提高30元，完成年度提标任务；临时救助办法正在研究制定"),
    ("实现80岁以上老人健康体检全覆盖", "有序推进老人健康体检工作，全市平均进度达58.3%，甲县、乙县提前完成年度目标任务"),
])
def test_a_years_completion_of_one_item_is_not_the_rows(task, progress):
    on = judge(task, progress)
    assert on.status == "on-track" and on.needs_review
    assert judge(task, progress, rules=only_off("completion_scope")).status == "completed"


@pytest.mark.parametrize("progress", ["年内竣工使用", "年底建成投用"])
def test_a_promise_of_delivery_is_not_delivered(progress):
    on = judge("城南文化中心", progress)
    assert on.status == "on-track" and on.status_rule == "default-on-track"
    assert judge("城南文化中心", progress, rules=only_off("completion_scope")).status == "completed"


def test_at_year_end_a_delivery_at_the_years_end_is_a_fact():
    assert year_end("城南文化中心", "已于年底建成投用").status == "completed"


# ---- document_done: a document task's document issued or approved ---------------------------
@pytest.mark.parametrize("task, progress", [
    ("编制城区停车设施专项规划", "经多轮论证，编制完成《城区停车设施专项规划（2024-2030）》并已获区政府批复"),
    ("制定农村集体资产管理办法", "经广泛调研，制定了《农村集体资产管理暂行办法》，自下月起施行"),
    ("组建县招商引资工作专班", "县政府办已下发了《关于组建县招商引资工作专班的通知》"),
])
def test_a_document_task_with_its_document_issued_is_completed(task, progress):
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "one-off-completed"
    assert judge(task, progress, rules=only_off("document_done")).status != "completed"


@pytest.mark.parametrize("task, progress", [
    ("编制城区停车设施专项规划", "已制定《城区停车设施专项规划（草案）》"),                       # a draft
    ("编制城区停车设施专项规划", "正在起草《城区停车设施专项规划》，计划年底前印发"),             # a plan
    ("建设20家社区托育机构", "已印发《社区托育机构建设指引》"),                                  # a count task
    ("深化国有企业薪酬制度改革", "制定出台《市属企业负责人薪酬核定办法》"),                     # open-ended
])
def test_a_draft_a_plan_or_a_document_on_the_way_is_not_the_task_done(task, progress):
    assert judge(task, progress).status != "completed"


# ---- named_works_done: a task that names only its object, delivered by a works verb ----------
@pytest.mark.parametrize("task, progress", [
    ("城关镇幸福里、和平里、丰收里小区", "以上小区已改造完成"),
    ("县二中学生宿舍楼", "宿舍楼维修工作已完成，学生已返校入住"),
    ("东环路至北环路连接线", "经协调，路面已硬化完成"),
])
def test_a_named_object_delivered_by_a_works_verb_is_completed(task, progress):
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "one-off-completed"
    assert judge(task, progress, rules=only_off("named_works_done")).status != "completed"


@pytest.mark.parametrize("task, progress", [
    ("城关镇幸福里、和平里、丰收里小区", "幸福里已改造完成，其余两个小区正在施工"),   # the rest under way
    ("城关镇幸福里、和平里、丰收里小区", "已改造完成120户"),                           # a count
    ("城关镇幸福里、和平里、丰收里小区", "计划年内改造完成"),                           # a plan
    ("持续推进老旧小区品质提升", "已改造完成"),                                       # open-ended
])
def test_the_rest_under_way_a_count_a_plan_or_an_open_task_is_not_delivered(task, progress):
    assert judge(task, progress).status_rule != "one-off-completed"


# ---- coverage_achieved: full coverage stated achieved ---------------------------------------
@pytest.mark.parametrize("task, progress", [
    ("实现行政村快递服务全覆盖", "各乡镇稳步推进，新建村级快递服务站46个，实现了全县行政村快递服务全覆盖"),
    ("城乡低保提标扩面", "全年新增纳入低保对象320户，做到了应保尽保"),
    ("防止返贫动态监测帮扶", "监测户风险已全部动态清零"),
])
def test_full_coverage_achieved_is_completed(task, progress):
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "explicit-completed"
    assert judge(task, progress, rules=only_off("coverage_achieved")).status != "completed"


@pytest.mark.parametrize("progress", [
    "已基本实现行政村快递服务全覆盖",                 # partial
    "力争年底前实现行政村快递服务全覆盖",             # a goal
    "目前尚未实现行政村快递服务全覆盖",               # negated
    "行政村快递服务覆盖率达到76%，年底实现全覆盖",    # a share and a promise
])
def test_coverage_partial_promised_or_negated_is_not_completed(progress):
    assert judge("实现行政村快递服务全覆盖", progress).status != "completed"


# ---- none of the block's families reads a stage done or a plan's all-done as the task done ---
@pytest.mark.parametrize("task, progress", [
    ("城东体育公园", "施工图设计已完成，施工招标正在进行"),                 # a stage done
    ("城东体育公园", "已完成方案设计任务"),                                 # a stage as the task word
    ("城东体育公园", "计划年底前全部建成并投入使用"),                       # a plan's all-done
    ("城东体育公园", "前期任务已全面完成，预计明年开工"),                   # a stage's task done
])
def test_a_stage_done_or_a_plans_all_done_is_not_the_task_done(task, progress):
    on = judge(task, progress)
    assert on.status != "completed"


# ---- task_verb_done_more: a phase the task itself names is its own object --------------------
def test_a_dated_delivery_of_the_tasks_own_phase_is_completed():
    task, progress = "东湖隧道一期工程建成通车", "东湖隧道一期工程已于2023年5月28日通车试运营"
    on = judge(task, progress)
    assert on.status == "completed" and on.status_rule == "one-off-completed"
    assert judge(task, progress, rules=only_off("task_verb_done_more")).status != "completed"


def test_a_dated_delivery_of_a_phase_the_task_does_not_name_is_not_the_task():
    assert judge("东湖隧道工程建成通车", "东湖隧道一期工程已于2023年5月28日通车试运营").status != "completed"
