"""The review queue's learned fill (issue 22): the review model as data (src/classify/features.py,
data/reference/review_model.toml) and the budget's room filled after the signals' rows
(src/classify/queue.py). Invented tables and invented two-feature models."""
from __future__ import annotations

import ast
import copy
import math

import pandas as pd
import pytest

from src.classify import features
from src.classify.queue import (
    IN_QUEUE,
    MODEL_REASON,
    SEE_ALSO,
    model_filled,
    rank_review,
    review_order,
    review_queue_summary,
)
from src.classify.rules import load_rules
from tests.conftest import ROOT

PRECISION = {"signals": {"alpha signal": (40, 36), "beta signal": (30, 12)}, "all": (70, 48)}


def rules_with(**review) -> dict:
    raw = copy.deepcopy(load_rules().raw)
    raw["review"] = {**raw.get("review", {}), **review}
    return raw


def invented_table(p=None) -> pd.DataFrame:
    """20 tasks: rows 3 (beta) and 11 (alpha) flagged by the signals; a P on every other row but
    row 0 (未报送: NaN)."""
    reasons = {3: "beta signal", 11: "alpha signal (month 9)"}
    p = p or {1: 0.10, 2: 0.62, 5: 0.35, 6: 0.62, 8: 0.05, 9: 0.48, 14: 0.20, 17: 0.30}
    return pd.DataFrame({
        "task_id": range(1, 21),
        "status": ["on-track"] * 10 + ["lagging"] * 5 + ["completed"] * 5,
        "needs_review": [k in reasons for k in range(20)],
        "review_reason": [reasons.get(k, "") for k in range(20)],
        "review_model_p": [p.get(k, 0.01) if k else math.nan for k in range(20)],
    })


def write_model(path, intercept=0.3, weights=None, version=None):
    weights = {"a": 1.2, "b": -0.7} if weights is None else weights
    version = load_rules().version if version is None else version
    lines = ["[model]", f'rules_version = "{version}"', "corpus_rows = 12", f"intercept = {intercept}"]
    for name, weight in weights.items():
        lines += ["[[weight]]", f'feature = "{name}"', f"weight = {weight}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_fill_takes_the_budgets_room_after_the_signals_rows():
    table = invented_table()
    ranked = rank_review(table, budget=0.2, precision=PRECISION, rules=rules_with(model_min_p=0.3))
    assert ranked["status"].tolist() == table["status"].tolist()  # statuses never change
    queue = ranked[ranked["needs_review"]]
    assert len(queue) == 4  # floor(0.2 × 20): the two signals' rows and two filled
    assert (queue["review_tier"] == IN_QUEUE).all()
    filled = ranked[model_filled(ranked)]
    # the highest P among the unflagged rows, ties by table order (rows 2 and 6 at 0.62)
    assert filled["task_id"].tolist() == [3, 7]
    assert filled["review_score"].tolist() == [0.62, 0.62]
    assert filled["review_reason"].str.startswith(MODEL_REASON + "状态有误的估计概率 0.62（非规则判断").all()
    assert "learned model, not a rule" in filled["review_reason"].iloc[0]
    # the signals' rows come first in the analyst's order, whatever their score
    assert review_order(queue)["task_id"].tolist() == [12, 4, 3, 7]
    assert ranked.attrs["review_queue"]["model_fill"] == 2
    assert ranked.attrs["review_queue"]["in_queue"] == 4 and ranked.attrs["review_queue"]["see_also"] == 0


def test_the_fill_keeps_to_min_p_and_never_exceeds_the_budget():
    table = invented_table()
    high = rank_review(table, budget=0.5, precision=PRECISION, rules=rules_with(model_min_p=0.5))
    assert high.loc[model_filled(high), "task_id"].tolist() == [3, 7]  # only P >= 0.5, though room is 8
    wide = rank_review(table, budget=0.5, precision=PRECISION, rules=rules_with(model_min_p=0.0))
    assert wide["needs_review"].sum() == 10  # floor(0.5 × 20), never more
    assert not model_filled(wide).iloc[0]  # a row without a P (NaN) is never filled
    full = invented_table()
    full["needs_review"] = [k < 5 for k in range(20)]
    full["review_reason"] = ["beta signal" if k < 5 else "" for k in range(20)]
    ranked = rank_review(full, budget=0.2, precision=PRECISION, rules=rules_with(model_min_p=0.0))
    assert not model_filled(ranked).any()  # no room: the signals' rows fill the budget, one to 另见
    assert (ranked["review_tier"] == SEE_ALSO).sum() == 1


def test_the_switch_turns_the_fill_off_and_a_bad_value_is_refused():
    off = rank_review(invented_table(), budget=0.2, precision=PRECISION, rules=rules_with(model_fill=False))
    assert off["needs_review"].sum() == 2 and not model_filled(off).any()
    with pytest.raises(ValueError, match="^\\[review\\].model_min_p 须在 0 到 1 之间"):
        rank_review(invented_table(), precision=PRECISION, rules=rules_with(model_min_p=3))


def test_a_ruled_row_is_not_filled_and_a_table_without_p_fills_nothing():
    table = invented_table().assign(status_source="rule")
    table.loc[2, "status_source"] = "override"
    ranked = rank_review(table, budget=0.2, precision=PRECISION, rules=rules_with(model_min_p=0.3))
    assert ranked.loc[model_filled(ranked), "task_id"].tolist() == [7, 10]
    bare = rank_review(invented_table().drop(columns=["review_model_p"]), budget=0.2, precision=PRECISION)
    assert bare["needs_review"].sum() == 2 and not model_filled(bare).any()


def test_the_fill_is_deterministic_and_ranking_again_gives_the_same_queue():
    rules = rules_with(model_min_p=0.3)
    once = rank_review(invented_table(), budget=0.2, precision=PRECISION, rules=rules)
    pd.testing.assert_frame_equal(rank_review(invented_table(), budget=0.2, precision=PRECISION, rules=rules), once)
    pd.testing.assert_frame_equal(rank_review(once, budget=0.2, precision=PRECISION, rules=rules), once)
    order = [19, 6, 3, 0, 11, 2, 9, 5, 14, 1, 8, 17, 4, 7, 10, 12, 13, 15, 16, 18]
    shuffled = rank_review(invented_table().iloc[order], budget=0.2, precision=PRECISION, rules=rules)
    # a tie (rows 2 and 6 at 0.62) goes by table order: the same rows, whichever comes first
    assert sorted(shuffled.loc[shuffled["needs_review"], "task_id"]) == [3, 4, 7, 12]
    wider = rank_review(once, budget=0.3, precision=PRECISION, rules=rules)  # the fill is redone, not kept
    assert wider.loc[model_filled(wider), "task_id"].tolist() == [3, 6, 7, 10]


def test_the_model_files_score_is_a_logistic_of_a_dot_product(tmp_path):
    model = features.load_model(write_model(tmp_path / "m.toml"))
    x = {"a": 0.5, "b": 2.0, "unknown": 9.0}  # a feature the model does not know weighs nothing
    assert features.score(x, model) == pytest.approx(1 / (1 + math.exp(-(0.3 + 1.2 * 0.5 - 0.7 * 2.0))))
    assert features.score({}, model) == pytest.approx(1 / (1 + math.exp(-0.3)))
    assert features.score({"a": 1000.0}, model) == pytest.approx(1.0)  # no overflow either way
    assert features.score({"b": 1000.0}, model) == pytest.approx(0.0)


def test_a_broken_model_file_is_refused_naming_it(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[model]\nrules_version = \"1\"\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.toml: 复核模型文件须有"):
        features.load_model(bad)


def test_a_missing_model_file_means_no_p_and_no_fill(tmp_path, monkeypatch):
    from src.classify import classify_tasks

    monkeypatch.setattr(features, "MODEL_PATH", tmp_path / "absent.toml")
    assert features.load_model() is None
    table = pd.DataFrame({"task_id": [1, 2, 3, 4, 5],
                          "task": ["虚构任务甲：年内建成某设施", "虚构任务乙", "虚构任务丙", "虚构任务丁", "虚构任务戊"],
                          "progress": ["已完成年度计划的20%", "正在推进", "", "已全部完成", "项目前期工作正在开展"]})
    classified = classify_tasks(table, as_of="2020-10-31")
    assert classified["review_model_p"].isna().all()
    ranked = rank_review(classified, budget=1.0, rules=rules_with(model_min_p=0.0))
    assert not model_filled(ranked).any()
    summary = review_queue_summary(ranked)
    assert summary["model_fill"] == 0 and summary["model"]["file"] == "" and summary["model"]["warning"] == ""


def test_judge_rows_scores_each_row_with_the_model_file(tmp_path, monkeypatch):
    from src.classify import classify_tasks

    path = write_model(tmp_path / "m.toml", intercept=-1.0, weights={"status_lagging": 2.5, "rule=explicit-completed": -1})
    monkeypatch.setattr(features, "MODEL_PATH", path)
    table = pd.DataFrame({"task_id": [1, 2, 3, 4],
                          "task": ["虚构任务甲：全年新建某设施10处", "虚构任务乙", "虚构任务丙", "虚构任务丁"],
                          "progress": ["已建成2处，进度滞后", "已全部完成", "", "按计划推进"]})
    classified = classify_tasks(table, as_of="2020-10-31")
    p = classified["review_model_p"]
    assert p.iloc[2] != p.iloc[2]  # 未报送: no P
    for k in (0, 1, 3):
        z = -1.0 + 2.5 * (classified["status"].iloc[k] == "lagging") - (
            classified["status_rule"].iloc[k] == "explicit-completed")
        assert p.iloc[k] == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-6)
    assert classified["status"].iloc[0] == "lagging"  # the invented rows reach both weights
    assert classified["status_rule"].iloc[1] == "explicit-completed"


def test_a_model_fitted_on_another_rules_version_warns_and_still_fills(tmp_path, monkeypatch):
    monkeypatch.setattr(features, "MODEL_PATH", write_model(tmp_path / "m.toml", version="0.0.1"))
    note = features.model_note(load_rules().version)
    assert note["warning"].startswith("复核模型按规则版本 0.0.1 拟合，当前规则为 " + load_rules().version)
    assert "fitted on rules 0.0.1" in note["warning"]
    rules = rules_with(model_min_p=0.3)
    ranked = rank_review(invented_table(), budget=0.2, precision=PRECISION, rules=rules)
    summary = review_queue_summary(ranked, rules)
    assert summary["model_fill"] == 2 and summary["model"]["warning"] == note["warning"]
    monkeypatch.setattr(features, "MODEL_PATH", write_model(tmp_path / "same.toml"))
    assert features.model_note(load_rules().version)["warning"] == ""


def test_the_shipped_model_file_is_fitted_on_the_rules_and_says_on_what():
    model = features.load_model()
    if model is None:
        pytest.skip("no review model shipped")
    assert model["rules_version"] == load_rules().version
    assert model["corpus_rows"] >= 300 and len(model["weights"]) > 10
    assert all(math.isfinite(w) for w in model["weights"].values())


def test_src_never_imports_scikit_learn():
    found = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "sklearn"]
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "import_module", "__import__") and any(
                    isinstance(a, ast.Constant) and str(a.value).startswith("sklearn") for a in node.args):
                found.append(f"{path.name}: dynamic import of sklearn")
    assert found == []


def test_the_analyst_page_lists_the_fill_after_the_signals_rows_in_chinese():
    from src.report.analyst import review_queue

    ranked = rank_review(invented_table(), budget=0.2, precision=PRECISION, rules=rules_with(model_min_p=0.3))
    table = ranked.assign(leader="甲", task=[f"虚构任务{k}" for k in range(1, 21)], status_rule="default-on-track",
                          confidence="low", status_evidence="", status_source="rule", progress="推进中")
    shown = review_queue(table)
    assert shown["序号"].tolist() == [12, 4, 3, 7]
    assert shown["复核原因"].iloc[2] == "模型提示：状态有误的估计概率 0.62（非规则判断，规则未标记此行）"
    assert review_queue(table, SEE_ALSO).empty  # no 另见 row: an empty list, not an error
    assert review_order(ranked.iloc[0:0]).empty
