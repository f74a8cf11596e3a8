"""The review loop: the queue of tasks to look at, and the widget that writes the
period's overrides file, which the next build shows."""
from __future__ import annotations

import pandas as pd
import pytest

from src.explore.review import review_queue
from tests.conftest import MINI_TABLE


def test_the_queue_names_why_each_task_is_there():
    classified = pd.DataFrame([
        {"task_id": 1, "task": "A", "status": "on-track", "status_source": "rule", "needs_review": True,
         "review_reason": "证据相互矛盾", "progress": "完成 40%", "by_default": False},
        {"task_id": 2, "task": "B", "status": "on-track", "status_source": "rule", "needs_review": False,
         "review_reason": "", "progress": "新建 12 个站点，推进中", "by_default": True},
        {"task_id": 3, "task": "C", "status": "not-reported", "status_source": "rule", "needs_review": False,
         "review_reason": "", "progress": "", "by_default": False},
        {"task_id": 4, "task": "D", "status": "on-track", "status_source": "rule", "needs_review": False,
         "review_reason": "", "progress": "有序推进", "by_default": True},
        {"task_id": 5, "task": "E", "status": "lagging", "status_source": "override", "needs_review": True,
         "review_reason": "x", "progress": "有序推进", "by_default": False},
    ])
    comparison = pd.DataFrame({"task_id": [4, 5], "progress_stale": [True, True]})
    queue = review_queue(classified, comparison).set_index("task_id")["reasons"].to_dict()
    assert queue == {1: "待复核", 2: "按默认判定的量化任务", 3: "未报送", 4: "进展未更新", 5: "进展未更新"}


@pytest.fixture
def raw_with_a_gap(tmp_path):
    """The mini table with one progress cell left empty: a 未报送 task, which the queue always takes
    (whatever the rules' review signals flag on the other rows)."""
    text = MINI_TABLE.read_text(encoding="utf-8")
    progress = "6月29日城北线完成通水仪式并全线通水。"
    assert text.count(progress) == 1
    raw = tmp_path / "raw" / MINI_TABLE.name
    raw.parent.mkdir()
    raw.write_text(text.replace(progress, ""), encoding="utf-8")
    return raw


@pytest.fixture
def built(tmp_path, raw_with_a_gap):
    from src.builder import build

    code, summary = build(raw=str(raw_with_a_gap), out=str(tmp_path / "out"))
    assert code == 0, summary.failures
    return tmp_path / "out"


@pytest.mark.slow
def test_the_widget_writes_an_override_the_next_build_shows(built, raw_with_a_gap):
    from src.builder import build
    from src.explore.review import ReviewQueue

    review = ReviewQueue(built / "data")
    assert review.overrides_path == (built / "overrides.csv").resolve()  # the file the build read
    assert len(review.queue) and review.task_box.options
    task_id = review.task_box.options[-1][1]
    review.task_box.value = task_id  # the analyst picks a task of the queue
    before = review.classified.set_index("task_id").loc[task_id, "status"]
    wanted = "completed" if before != "completed" else "lagging"
    review.reviewer_box.value = ""
    review.change_button.click()
    assert "请填写复核人" in review.message_html.value  # refused, nothing written
    review.status_box.value = wanted
    review.reason_box.value = "督查组实地核查后认定"
    review.reviewer_box.value = "张三"
    review.change_button.click()
    assert "已认定" in review.message_html.value, review.message_html.value
    code, summary = build(raw=str(raw_with_a_gap), out=str(built))
    assert code == 0 and "classify" in summary.stages_run
    classified = pd.read_parquet(built / "data" / "tasks_classified.parquet").set_index("task_id")
    assert (classified.loc[task_id, "status"], classified.loc[task_id, "status_source"]) == (wanted, "override")
    leader = classified.loc[task_id, "leader"]
    pages = [p.read_text(encoding="utf-8") for p in (built / "reports").glob("leader-*.html")]
    assert any("督查组实地核查后认定" in page and leader in page for page in pages)
    again = ReviewQueue(built / "data").queue.set_index("task_id")
    # decided: never back in 待复核; a task with no progress stays listed under 未报送 (the unit still owes it)
    assert task_id not in again.index or (
        "待复核" not in again.loc[task_id, "reasons"]
        and (again.loc[task_id, "status"], again.loc[task_id, "status_source"]) == (wanted, "override"))
