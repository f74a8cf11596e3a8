"""A period's plan column is the period's yardstick (issue 22, eighth round): a target column
whose header names a plan to a date (1-7月计划, 前三季度投资计划, 上半年目标) is judged on the
plan's own span, end to end through the table reader. Invented tables and figures."""
from __future__ import annotations

import pytest

from src.classify.period_plan import plan_span
from src.classify.rules import families_read_from, load_rules, rules_without
from src.helpers import classify_tasks
from src.table.parse import parse_table

HEAD = "序号,重点工作,牵头单位,进展情况"


def _judge(tmp_path, header: str, rows: list[str], as_of: str):
    table = tmp_path / "plan.csv"
    table.write_text(f"{HEAD},{header}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    tasks = parse_table(table).tasks
    return tasks, classify_tasks(tasks, as_of=as_of)


def test_a_plan_to_the_report_date_is_due_in_full(tmp_path):
    tasks, judged = _judge(tmp_path, "1-7月计划,截至本期完成值,完成率",
                           ["1,新建乡村驿站,县文旅局,有序推进,40,36,90%",
                            "2,改造农贸市场,县商务局,有序推进,50,53,106%"], "2021-07-31")
    assert tasks.loc[0, "target_header"] == "1-7月计划" and tasks.loc[0, "period_target"] == "40"
    lagging, ahead = judged.iloc[0], judged.iloc[1]
    # 90% of the plan to date is behind, though 90% of a year's target would be ahead in July
    assert lagging.status == "lagging" and lagging.status_rule == "quantified-below-schedule"
    assert "1-7月计划" in lagging.status_evidence and "应完成该计划的100.0%" in lagging.status_evidence
    assert not lagging.status_evidence.startswith("年度目标")
    # 106% of a period's plan is on schedule, never the year's target met
    assert ahead.status == "on-track"


def test_a_plan_to_a_later_date_is_due_for_the_elapsed_part_of_its_span(tmp_path):
    _, judged = _judge(tmp_path, "前三季度投资计划,截至本期完成值",
                       ["1,城北片区路网工程,区建设局,正在施工,90,72",
                        "2,滨河公园二期,区园林局,正在施工,90,63"], "2019-07-31")
    # at the end of July a plan to the end of September is due for 7/9 of itself (77.8%)
    assert judged.iloc[0].status == "on-track"  # 80%
    assert judged.iloc[1].status == "lagging"  # 70%
    assert "77.8%" in judged.iloc[1].status_evidence and "前三季度投资计划" in judged.iloc[1].status_evidence


def test_the_years_target_is_judged_against_the_elapsed_share_as_before(tmp_path):
    _, judged = _judge(tmp_path, "年度目标,截至本期完成值",
                       ["1,新建乡村驿站,县文旅局,有序推进,40,24"], "2021-07-31")
    assert judged.iloc[0].status == "on-track"  # 60% of the year's target at 58.3% elapsed


def test_the_period_plan_decides_over_the_years_target_in_the_same_table(tmp_path):
    _, judged = _judge(tmp_path, "年度目标,上半年目标,截至本期完成值",
                       ["1,新建停车泊位,市交通局,有序推进,1000,600,540"], "2022-06-30")
    # 54% of the year's target would be ahead at the end of June; 90% of the half-year's plan is behind
    assert judged.iloc[0].status == "lagging"
    assert "上半年目标" in judged.iloc[0].status_evidence


@pytest.mark.parametrize(("header", "span"), [
    ("1-7月计划", 7), ("2020年1至10月目标任务", 10), ("上半年目标", 6), ("前三季度投资计划", 9),
    ("一季度任务", 3), ("截至本期计划", None),
])
def test_plan_span_reads_the_end_of_the_plans_period(header, span):
    found = plan_span(header, load_rules())
    assert found is not None and found[1] == span


@pytest.mark.parametrize("header", ["年度计划", "全年目标", "计划任务数", ""])
def test_a_header_naming_no_period_short_of_the_year_is_the_years_target(header):
    assert plan_span(header, load_rules()) is None


def test_the_family_switches_off_where_it_was_read():
    rules = load_rules()
    origin = families_read_from(rules)["families.period_plan_column"][0]
    assert plan_span("1-7月计划", rules_without(rules, origin)) is None


def test_beside_a_period_plan_the_two_cells_decide_over_the_rate_column(tmp_path):
    # the rate column here is the share of the year's target (60%): the period's plan and the
    # actual decide (540 of 600 = 90% of the half-year's plan, due in full at the end of June)
    _, judged = _judge(tmp_path, "年度目标,上半年目标,截至本期完成值,完成率",
                       ["1,新建停车泊位,市交通局,有序推进,900,600,540,60%"], "2022-06-30")
    assert judged.iloc[0].status == "lagging" and "90.0%" in judged.iloc[0].status_evidence
