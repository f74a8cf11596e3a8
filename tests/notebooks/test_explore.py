"""The explore notebook's logic (src/explore.py): natural filter values, the
widget app driven from Python (set a filter, the table, charts and sections
follow), the 'nothing built yet' message, and the notebook under papermill."""
from __future__ import annotations

import ast
import dataclasses
import json

import nbformat
import pandas as pd
import papermill as pm
import pytest

from src import explore as ex
from src import store
from src.classify import apply_overrides
from src.paths import INTERIM_DIR
from tests.conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture(scope="module")
def loaded(mini_processed):
    return ex.load_tasks(mini_processed / "tasks.parquet")


@pytest.fixture
def app(loaded, tmp_path):
    return ex.ExploreApp(loaded, scratch_dir=tmp_path / "scratch")


def bar_counts(figure) -> dict[str, float]:
    """What the status chart draws: bar label → length (the tick labels are the statuses)."""
    ax = figure.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    return dict(zip(labels, [patch.get_width() for patch in ax.patches]))


def lead_units(frame: pd.DataFrame) -> set:
    return set(frame["牵头单位"])


# ---------------------------------------------------------------- normalisers


@pytest.mark.parametrize("typed, code", [
    ("滞后", "lagging"), ("lagging", "lagging"), (" Lagging ", "lagging"), ("进度滞后", "lagging"),
    ("已完成", "completed"), ("done", "completed"), ("序时推进", "on-track"), ("on track", "on-track"),
    ("待复核", "review"), ("", ""), ("全部", ""), (None, ""),
])
def test_status_as_analysts_type_it(typed, code):
    assert ex.normalise_status(typed) == code


def test_an_unknown_status_lists_the_choices():
    with pytest.raises(ex.ExploreInputError, match="状态“停滞”无法识别，可选：已完成、序时推进、滞后、未报送、待复核"):
        ex.normalise_status("停滞")


@pytest.mark.parametrize("typed, name", [
    ("戴建平", "戴建平"), ("戴建平常务副市长", "戴建平"), ("常务副市长 戴建平", "戴建平"), ("王 宏", "王宏"),
    ("王宏副市长", "王宏"), ("刘　忻", "刘忻"), ("", ""), ("全部", ""),
])
def test_leader_with_title_or_spaces(real_tasks, typed, name):
    assert ex.normalise_leader(typed, real_tasks) == name


def test_an_unknown_leader_lists_the_leaders(real_tasks):
    with pytest.raises(ex.ExploreInputError, match="没有找到领导“张三”，可选：刘忻、戴建平"):
        ex.normalise_leader("张三", real_tasks)


def test_unit_text_ignores_spaces_and_full_width():
    assert ex.normalise_unit(" 市 发改委 ") == "市发改委"
    assert ex.normalise_unit("ＡＢＣ") == "ABC"


# ------------------------------------------------------------ the widget app


def test_the_app_starts_with_every_task(app, loaded):
    assert len(app.table) == len(loaded.tasks) == 9
    assert list(app.table.columns[:4]) == ["序号", "分管领导", "状态", "牵头单位"]
    assert set(app.table["状态"]) <= {"已完成", "序时推进", "滞后"}
    assert sum(bar_counts(app.figures["status"]).values()) == 9
    assert [label for label, _ in app.status_box.options] == ["全部", "已完成", "序时推进", "滞后", "未报送", "待复核"]


def test_setting_a_leader_filters_the_table_and_the_charts(app, loaded):
    app.leader_box.value = "戴建平"
    expected = loaded.tasks[loaded.tasks["leader"] == "戴建平"]
    assert app.table["序号"].tolist() == expected["task_id"].tolist()
    assert app.summary() == f"筛选后 {len(expected)} / 9 项任务（领导：戴建平）"
    drawn = bar_counts(app.figures["status"])
    for code, label in [("completed", "已完成"), ("on-track", "序时推进"), ("lagging", "滞后")]:
        assert drawn[label] == (expected["status"] == code).sum()
    assert app.keywords["范围"].tolist() == [f"筛选结果 {len(expected)} 项（与其余 {9 - len(expected)} 项相比）"]
    assert set(app.task_box.options) == {(label, task_id) for label, task_id in app.task_box.options
                                         if task_id in set(expected["task_id"])}
    html = app.table_out.outputs[0]["data"]["text/html"]
    assert all(unit in html for unit in expected["lead_unit"])
    assert "刘忻" not in html  # the other leaders' tasks are gone from the table


def test_status_then_search_then_unit_then_reset(app, loaded):
    tasks = loaded.tasks
    app.status_box.value = "lagging"
    assert set(app.table["状态"]) == {"滞后"}
    assert len(app.table) == (tasks["status"] == "lagging").sum()
    assert bar_counts(app.figures["status"]) == {"已完成": 0, "序时推进": 0, "滞后": len(app.table), "未报送": 0}
    app.query_box.value = "投资"
    assert {"相关度", "匹配片段"} <= set(app.table.columns)
    assert app.table["匹配片段"].str.contains("投资").all() and len(app.table) >= 1
    assert app.table["相关度"].is_monotonic_decreasing
    app.query_box.value = ""
    app.unit_box.value = "发改"
    assert lead_units(app.table) == {"市发改委"}
    app.reset_button.click()
    assert len(app.table) == 9 and app.unit_box.value == "" and app.status_box.value == ""


def test_review_choice_and_nothing_matching(loaded, tmp_path):
    # the choice must show exactly the flagged tasks: flag two here, whatever the rules flag in the fixture today
    tasks = loaded.tasks.copy()
    flagged = tasks["task_id"].iloc[[1, 4]].tolist()
    tasks["needs_review"] = tasks["task_id"].isin(flagged)
    app = ex.ExploreApp(dataclasses.replace(loaded, tasks=tasks), scratch_dir=tmp_path / "scratch")
    app.status_box.value = "review"
    assert app.table["序号"].tolist() == flagged
    assert set(app.table["待复核"]) == {"是"}
    app.query_box.value = "不存在的词语组合"
    assert app.table.empty and app.figures == {} and "没有符合条件的任务" in app.message_html.value
    assert app.task_box.value is None


def test_natural_values_from_the_parameters(loaded, tmp_path):
    app = ex.ExploreApp(loaded, leader="戴建平常务副市长", status="滞后", unit=" 市发改委 ", scratch_dir=tmp_path)
    assert (app.leader_box.value, app.status_box.value) == ("戴建平", "lagging")
    assert app.table["序号"].tolist() == [5]
    with pytest.raises(ex.ExploreInputError, match="没有找到领导"):
        ex.ExploreApp(loaded, leader="李四", scratch_dir=tmp_path)


def test_cause_section_shows_the_evidence_and_follows_the_filter(app, loaded):
    tagged = loaded.tasks[loaded.tasks["cause_tags"].map(len) > 0]
    assert len(tagged) >= 1
    assert app.cause_evidence["序号"].tolist() == tagged["task_id"].tolist()
    for row in app.cause_evidence.itertuples(index=False):
        task = loaded.tasks.loc[loaded.tasks["task_id"] == row[0]].iloc[0]
        for tag in task["cause_tags"]:
            assert f"{tag['cause']}（{tag['evidence']}）" in row[4]
            assert tag["evidence"] in task["problems"] + task["status_evidence"]  # verbatim from the row
    html = "".join(o["data"].get("text/html", "") for o in app.causes_out.outputs)
    assert "原因（原文证据）" in html
    app.leader_box.value = "刘忻"  # task 1 has no problems text
    assert app.cause_evidence.empty and app.causes.empty


def test_one_task_in_full(app):
    app.select_task(5)
    detail = dict(app.detail_table.itertuples(index=False))
    assert detail["状态"] == "滞后" and "47%" in detail["判定依据"]
    assert detail["与序时进度差（百分点）"] == "-3.0"
    assert detail["判定规则"] == "量化进度低于序时进度"  # the rule's Chinese name (issue 24)
    assert "判定依据" in detail["量化指标"]
    assert "规则依据" not in detail  # only shown when an analyst overrode the rule
    assert "47%" in app.detail_out.outputs[0]["data"]["text/html"]
    app.status_box.value = "completed"
    with pytest.raises(ex.ExploreInputError, match="不在当前筛选结果中"):
        app.select_task(5)


def test_one_task_in_both_periods(loaded, tmp_path):
    """Two periods loaded: the selected task shows its history (上期, 本期) beside its row."""
    from src import compare

    earlier = loaded.tasks.assign(status=lambda t: t["status"].where(t["task_id"] != 5, "on-track"))
    history = compare.compare_periods(loaded.tasks, earlier)
    app = ex.ExploreApp(loaded, scratch_dir=tmp_path / "scratch", comparison=history)
    app.select_task(5)
    assert app.history_table["期次"].tolist() == ["上期", "本期"]
    assert app.history_table["状态"].tolist() == ["序时推进", "滞后"]
    assert app.history_table["变化"].iloc[0] == "转为滞后"
    assert "两期对照" in app.detail_out.outputs[0]["data"]["text/html"]
    without = ex.ExploreApp(loaded, scratch_dir=tmp_path / "scratch")
    without.select_task(5)
    assert without.history_table.empty and "两期对照" not in without.detail_out.outputs[0]["data"]["text/html"]


def test_load_comparison_uses_the_builds_file_or_a_given_previous_table(loaded, mini_processed):
    assert ex.load_comparison(loaded) is None  # no previous period in this build
    from tests.conftest import MINI_TABLE

    given = ex.load_comparison(loaded, MINI_TABLE)  # the same table as its own previous period
    assert set(given["match"]) == {"id"} and len(given) == len(loaded.tasks)


def test_an_overridden_task_shows_the_analyst_and_the_rule(loaded, tmp_path):
    overrides = tmp_path / "ov.csv"
    overrides.write_text("task_id,status,reason,reviewer,date\n5,序时推进,年度计划调整后已达序时,张三,2020/7/20\n",
                         encoding="gbk")
    tasks = apply_overrides(loaded.tasks, overrides)
    app = ex.ExploreApp(ex.Loaded(tasks, loaded.path, True, loaded.as_of), task_id=5, scratch_dir=tmp_path)
    detail = dict(app.detail_table.itertuples(index=False))
    assert detail["判定来源"] == "人工认定" and detail["状态"] == "序时推进" and detail["规则判定"] == "滞后"
    assert detail["判定依据"] == "人工认定：年度计划调整后已达序时（张三，2020-07-20）"
    assert "47%" in detail["规则依据"] and detail["认定日期"] == "2020-07-20"


def test_export_goes_to_the_scratch_folder_only(app, tmp_path, mini_processed):
    before = sorted(p.name for p in mini_processed.iterdir())
    app.leader_box.value = "缪承潮"
    path = app.export()
    assert path.parent == tmp_path / "scratch"
    back = store.read_tasks_csv(path)
    assert back.columns[0] == "序号" and back["分管领导"].eq("缪承潮").all() and len(back) == len(app.table)
    assert sorted(p.name for p in mini_processed.iterdir()) == before


def test_without_a_build_the_message_says_run_make_reports(tmp_path):
    with pytest.raises(ex.NothingBuiltError, match="先运行 make reports") as caught:
        ex.load_tasks(tmp_path / "processed" / "tasks_classified.parquet")
    assert caught.value._render_traceback_() == [str(caught.value)]  # Jupyter shows the message, no traceback
    with pytest.raises(ex.NothingBuiltError, match="tasks_classified.parquet 不存在"):
        ex.load_tasks(tmp_path)  # a folder: its classified table
    broken = tmp_path / "tasks_classified.parquet"
    broken.write_bytes(b"PAR1 half written")
    with pytest.raises(ex.NothingBuiltError, match="make reports FORCE=1"):
        ex.load_tasks(broken)


# ------------------------------------------------------------------ notebook


def run(tmp_path, parameters, name="explore.out.ipynb"):
    out = tmp_path / name
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(tmp_path),
                        progress_bar=False, kernel_name="python3")
    return nbformat.read(out, as_version=4)


def output_widget_html(nb) -> list[str]:
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [
        output["data"]["text/html"]
        for model in state.values() if model["model_name"] == "OutputModel"
        for output in model["state"].get("outputs", []) if "text/html" in output.get("data", {})
    ]


@pytest.mark.slow
def test_notebook_runs_with_its_parameters(mini_processed, tmp_path):
    nb = run(tmp_path, {"table_path": str(mini_processed / "tasks_classified.parquet"), "leader": "戴建平常务副市长",
                        "status": "滞后", "scratch_dir": str(tmp_path / "scratch")})
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    labels = [model["state"].get("value", "") for model in state.values() if model["model_name"] == "HTMLModel"]
    assert "<b>筛选后 3 / 9 项任务（领导：戴建平；状态：滞后）</b>" in labels
    tables = [html for html in output_widget_html(nb) if "萧山区政府" in html and "市发改委" in html]
    assert tables, "the task table (tasks 3, 4, 5) is in the saved widget state"
    assert not any("市政府办公厅" in html for html in tables)  # task 2, on track, is filtered out
    assert not (tmp_path / "scratch").exists() or not any((tmp_path / "scratch").iterdir())


@pytest.mark.slow
def test_notebook_before_the_first_build(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as caught:
        run(tmp_path, {"table_path": str(tmp_path / "processed" / "tasks_classified.parquet")}, "missing.ipynb")
    assert caught.value.ename == "NothingBuiltError" and "先运行 make reports" in caught.value.evalue
    nb = nbformat.read(tmp_path / "missing.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1 and errors[0]["traceback"] == [caught.value.evalue]
    assert "pyarrow" not in json.dumps(errors, ensure_ascii=False)


@pytest.mark.parametrize("name, parameter", [
    ("explore.ipynb", "scratch_dir"), ("01_clean.ipynb", "output_dir"), ("02_classify.ipynb", "output_dir"),
])
def test_analyst_notebooks_write_to_the_scratch_folder(name, parameter):
    """Analysts' runs never write into the build's data/processed or reports/ by default."""
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    namespace = {}
    for line in filter(str.strip, cell.source.splitlines()):
        key, _, rest = line.partition("=")
        namespace[key.strip()] = ast.literal_eval(rest.partition("#")[0].strip())
    assert ROOT / namespace[parameter] == INTERIM_DIR
    code = "".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "sys.path" not in code  # the project comes from the environment (pip install -e .)


def test_a_table_not_yet_classified_can_be_browsed_without_status(mini_processed, tmp_path):
    plain = ex.load_tasks(mini_processed / "tasks_classified.parquet").tasks.drop(columns=["status"])
    app = ex.ExploreApp(plain, scratch_dir=tmp_path)
    assert app.status_box.disabled and [label for label, _ in app.status_box.options] == ["全部"]
    assert "状态" not in app.table.columns and len(app.table) == 9 and app.figures == {}
    app.leader_box.value = "缪承潮"
    assert set(app.table["分管领导"]) == {"缪承潮"}
    with pytest.raises(ex.ExploreInputError, match="还没有分类"):
        app.set_filters(status="滞后")
