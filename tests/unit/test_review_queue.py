"""The review queue ranked within a budget (src/classify/queue.py; issue 22, eighth round)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from src.classify.queue import (
    IN_QUEUE,
    PRECISION_PATH,
    SEE_ALSO,
    load_precision,
    model_filled,
    priority_of,
    rank_review,
    reason_keys,
    review_order,
    row_score,
    signal_scores,
)

# invented signals and their measured counts (flagged, wrong)
PRECISION = {"signals": {"alpha signal": (40, 36), "beta signal": (30, 12), "gamma signal": (50, 5)},
             "all": (120, 53)}


def invented_table() -> pd.DataFrame:
    """10 tasks, 4 flagged: rows 2 (gamma), 4 (beta), 7 (alpha, with a row's phrase), 9 (gamma and beta)."""
    reasons = {2: "gamma signal", 4: "beta signal ('某阶段', month 9)", 7: "alpha signal (month 11)",
               9: "gamma signal; beta signal"}
    return pd.DataFrame({
        "task_id": range(1, 11),
        "status": ["on-track", "completed", "lagging", "on-track", "on-track", "completed", "on-track", "lagging",
                   "on-track", "on-track"],
        "needs_review": [k in reasons for k in range(10)],
        "review_reason": [reasons.get(k, "") for k in range(10)],
    })


def test_budget_keeps_the_best_rows_in_the_queue_and_the_others_as_see_also():
    table = invented_table()
    ranked = rank_review(table, budget=0.2, precision=PRECISION)
    assert ranked["status"].tolist() == table["status"].tolist()  # the review never changes a status
    queue = ranked[ranked["needs_review"]]
    assert len(queue) == 2  # floor(0.2 × 10)
    assert queue["task_id"].tolist() == [5, 8]  # the table keeps its order ...
    # ... and the queue is read by priority: alpha (36/40) first, then the first beta row (beta beats gamma)
    assert review_order(queue)["task_id"].tolist() == [8, 5]
    assert review_order(queue)["review_priority"].tolist() == [1, 2]
    assert (queue["review_tier"] == IN_QUEUE).all()
    see_also = ranked[ranked["review_tier"] == SEE_ALSO]
    assert see_also["task_id"].tolist() == [3, 10]
    assert not see_also["needs_review"].any()
    assert see_also["review_reason"].tolist() == table.loc[[2, 9], "review_reason"].tolist()  # reasons kept
    assert (ranked.loc[~table["needs_review"], "review_tier"] == "").all()
    assert ranked.attrs["review_queue"] == {"budget": 0.2, "tasks": 10, "flagged": 4, "in_queue": 2, "see_also": 2,
                                            "model_fill": 0}  # no review_model_p column: nothing to fill with
    # the analyst's order: the queue by score, then 另见 by score
    assert review_order(ranked[ranked["review_tier"] != ""])["task_id"].tolist() == [8, 5, 10, 3]


def test_priorities_follow_the_measured_precision():
    ranked = rank_review(invented_table(), budget=1.0, precision=PRECISION)
    by_task = ranked.set_index("task_id")
    scores, prior = signal_scores(PRECISION, 4.0)
    assert by_task.loc[8, "review_score"] == pytest.approx((36 + 4 * 53 / 120) / 44, abs=1e-4)
    assert by_task.loc[8, "review_priority"] == 1
    assert by_task.loc[5, "review_priority"] == 2  # (12 + 1.77) / 34 = 0.405
    assert by_task.loc[3, "review_priority"] == 3  # (5 + 1.77) / 54 = 0.125
    assert by_task.loc[10, "review_score"] == by_task.loc[5, "review_score"]  # its most telling reason
    assert by_task.loc[1, "review_priority"] == 0 and math.isnan(by_task.loc[1, "review_score"])
    assert ranked["needs_review"].sum() == 4  # a budget of the whole table keeps every flag
    assert row_score("unknown signal (x)", scores, prior) == pytest.approx(53 / 120)


def test_the_queue_is_deterministic_and_does_not_depend_on_row_order():
    table = invented_table()
    table.loc[9, "review_reason"] = "gamma signal; a signal the table does not know"  # every score distinct
    first = rank_review(table, budget=0.2, precision=PRECISION)
    again = rank_review(table, budget=0.2, precision=PRECISION)
    pd.testing.assert_frame_equal(first, again)
    assert first.loc[first["needs_review"], "task_id"].tolist() == [8, 10]  # the unknown signal scores the prior
    shuffled = rank_review(table.iloc[[9, 3, 0, 7, 2, 5, 1, 8, 4, 6]], budget=0.2, precision=PRECISION)
    assert sorted(shuffled.loc[shuffled["needs_review"], "task_id"]) == [8, 10]


def test_a_small_table_and_a_zero_budget_flag_nothing_silently():
    table = invented_table().head(4)  # 4 tasks, 1 flagged: floor(0.2 × 4) = 0
    ranked = rank_review(table, budget=0.2, precision=PRECISION)
    assert not ranked["needs_review"].any()
    assert ranked.loc[2, "review_tier"] == SEE_ALSO and ranked.loc[2, "review_reason"] == "gamma signal"


def test_a_bad_budget_is_refused_in_chinese_first():
    with pytest.raises(ValueError, match="^\\[review\\].budget 须在 0 到 1 之间"):
        rank_review(invented_table(), budget=1.5, precision=PRECISION)


def test_priority_bands_and_reason_keys():
    assert [priority_of(s) for s in (0.9, 0.5, 0.3, 0.25, 0.1, math.nan)] == [1, 1, 2, 2, 3, 0]
    assert reason_keys("a stage word late in the year ('招标', month 9); delay phrase '滞后' but status on-track") == [
        "a stage word late in the year", "delay phrase"]
    assert reason_keys("") == [] and reason_keys(float("nan")) == []


def test_the_shipped_precision_table_holds_counts_behind_each_figure():
    table = load_precision()
    assert PRECISION_PATH.exists() and table["signals"]
    for name, (flagged, wrong) in table["signals"].items():
        assert name and 0 <= wrong <= flagged and flagged > 0
    flagged, wrong = table["all"]
    assert 0 < wrong < flagged


def test_a_table_without_review_columns_gets_an_empty_queue():
    ranked = rank_review(pd.DataFrame({"task_id": [1, 2]}), precision=PRECISION)
    assert ranked["review_tier"].tolist() == ["", ""] and not ranked["needs_review"].any()



def test_the_build_ranks_the_queue_and_says_so_in_classification_json(tmp_path):
    from src import store
    from src.classify import classify_tasks
    from src.paths import DEFAULT_RAW_PATH
    from src.pipeline import analyse_stage, clean_stage

    clean_stage(DEFAULT_RAW_PATH, tmp_path / "clean")
    classified = analyse_stage(tmp_path / "clean", tmp_path / "out")
    rules_only = classify_tasks(store.read_table(tmp_path / "clean" / "tasks.parquet"), as_of="2020-06-30")
    assert classified["status"].tolist() == rules_only["status"].tolist()  # the review never changes a status
    flagged = rules_only["needs_review"]
    filled = model_filled(classified)  # the learned fill: unflagged rows only, in the queue
    assert not (filled & flagged.to_numpy()).any() and (classified.loc[filled, "review_tier"] == IN_QUEUE).all()
    assert classified["review_tier"].ne("").tolist() == (flagged.to_numpy() | filled).tolist()
    assert classified["needs_review"].sum() <= int(0.2 * len(classified))
    flagged = flagged | filled.to_numpy()
    assert set(classified.loc[flagged.to_numpy(), "review_priority"]) <= {1, 2, 3}
    assert (classified.loc[~flagged.to_numpy(), "review_priority"] == 0).all()
    summary = store.read_json(tmp_path / "out" / "classification.json")["review_queue"]
    assert summary["budget"] == 0.2 and summary["limit"] == int(0.2 * len(classified))
    assert summary["in_queue"] == int(classified["needs_review"].sum())
    assert sum(summary["by_priority"].values()) == summary["in_queue"]
    assert summary["see_also"] == int((classified["review_tier"] == SEE_ALSO).sum())
    assert summary["model_fill"] == int(filled.sum()) and summary["model"]["warning"] == ""  # fitted on these rules
    back = store.read_table(tmp_path / "out" / "tasks_classified.parquet")
    assert back["review_priority"].tolist() == classified["review_priority"].tolist()


def analyst_table() -> pd.DataFrame:
    ranked = rank_review(invented_table(), budget=0.2, precision=PRECISION)
    return ranked.assign(leader="甲", task=[f"虚构任务{k}" for k in range(1, 11)], lead_unit="某局",
                         status_rule="default-on-track", confidence="low", status_evidence="",
                         status_source="rule", progress="推进中")


def test_the_analyst_page_lists_the_queue_by_priority_and_the_rest_as_see_also():
    from src.report.analyst import review_queue

    tasks = analyst_table()
    queue = review_queue(tasks)
    assert queue["序号"].tolist() == [8, 5] and queue["优先级"].tolist() == ["1", "2"]
    see_also = review_queue(tasks, SEE_ALSO)
    assert see_also["序号"].tolist() == [10, 3]  # beta's score before gamma's
    assert see_also["复核原因"].str.len().gt(0).all()  # the reasons are shown, not dropped


def test_the_explore_queue_puts_the_budgeted_rows_first_and_marks_see_also():
    from src.explore.review import review_queue

    queue = review_queue(analyst_table())
    assert queue["task_id"].tolist()[:4] == [8, 5, 10, 3]
    assert queue["reasons"].tolist()[:4] == ["待复核", "待复核", "另见", "另见"]
    assert queue["priority"].tolist()[:4] == [1, 2, 2, 3]


def test_the_workbook_shows_priority_and_tier_but_not_for_a_ruled_task():
    from src.report.workbook import _excel_value

    row = analyst_table().iloc[7].to_dict()
    assert _excel_value("review_priority", row) == 1 and _excel_value("review_tier", row) == IN_QUEUE
    assert _excel_value("review_tier", analyst_table().iloc[2].to_dict()) == SEE_ALSO
    assert _excel_value("review_priority", analyst_table().iloc[0].to_dict()) is None  # no reason: empty
    ruled = {**row, "status_source": "override"}
    assert _excel_value("review_priority", ruled) is None and _excel_value("review_tier", ruled) is None


def test_a_see_also_task_is_not_counted_as_saying_nothing():
    from src.report import narrative

    tasks = analyst_table().assign(no_clear_statement=True)
    unclear = set(narrative.unclear_tasks(tasks)["task_id"])
    assert 10 not in unclear and 5 not in unclear  # 另见 and 待复核: their reasons are statements
    assert unclear == {1, 4, 7, 9}  # the on-track rows without a reason


def test_ranking_a_ranked_table_again_gives_the_same_queue():
    once = rank_review(invented_table(), budget=0.2, precision=PRECISION)
    pd.testing.assert_frame_equal(rank_review(once, budget=0.2, precision=PRECISION), once)
    wider = rank_review(once, budget=0.4, precision=PRECISION)  # a larger budget takes the 另见 rows back
    assert wider["needs_review"].sum() == 4 and (wider["review_tier"] == IN_QUEUE).sum() == 4
