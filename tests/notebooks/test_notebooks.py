"""Every notebook in one place: hygiene (one tagged parameters cell of commented
literals, no committed outputs) for the analysts' notebooks and the report
templates, and each notebook run end to end under papermill on a fixture."""
from __future__ import annotations

import json

import nbformat
import papermill as pm
import pytest

from scripts.nbtools import notebook_problems
from src import store
from src.report import export
from src.text import search_tasks
from tests.conftest import MINI_TABLE, REAL_TABLE, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
TEMPLATES = ROOT / "notebooks" / "templates"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_one_parameters_cell_and_no_outputs(path):
    assert notebook_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_parameters_cell_holds_literals_with_comments(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for line in filter(str.strip, cell.source.splitlines()):
        name, _, rest = line.partition("=")
        value, _, comment = rest.partition("#")
        assert name.strip().isidentifier(), line
        assert comment.strip(), f"{path.name}: parameter without a comment: {line}"
        compile(value.strip(), path.name, "eval")  # a plain literal


@pytest.mark.slow
def test_clean_notebook_on_the_real_table(tmp_path):
    out = tmp_path / "processed"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "01_clean.ipynb"),
        str(tmp_path / "01_clean.out.ipynb"),
        parameters={"raw_path": str(REAL_TABLE), "output_dir": str(out)},
        cwd=str(tmp_path),  # paths must not depend on the working directory
        progress_bar=False,
        kernel_name="python3",
    )
    tasks = store.read_tasks_csv(out / "tasks.csv")
    assert len(tasks) == 143
    assert tasks["task_id"].tolist() == list(range(1, 144))
    assert tasks["leader"].drop_duplicates().tolist() == ["刘忻", "戴建平", "柯吉欣", "缪承潮", "王宏", "胡伟", "陈国妹", "陈卫强"]
    for column in ["task_id", "leader", "leader_title", "leader_order", "task", "lead_unit", "lead_units",
                   "progress", "problems", "next_steps"]:
        assert column in tasks.columns
    quality = json.loads((out / "quality.json").read_text(encoding="utf-8"))
    assert quality["rows_read"] == quality["rows_written"] == 143
    executed = (tmp_path / "01_clean.out.ipynb").read_text(encoding="utf-8")
    assert "读入数据行" in executed  # the data-quality summary is shown


def test_environment_yml_installs_the_pinned_requirements():
    """One source of truth for the pins: environment.yml installs requirements.txt."""
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "conda-forge" in text and "python=3.11" in text
    assert "-r requirements.txt" in text
    pins = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    names = {line.split("==")[0].lower() for line in pins if "==" in line}
    assert {"jupyterlab", "pandas", "matplotlib", "seaborn", "jieba", "nbconvert", "papermill"} <= names
    assert all("==" in line for line in pins if line.strip() and not line.startswith("#"))


def test_notebooks_carry_no_path_code():
    """One way to import: the project root is on the environment's path (make setup)."""
    for path in NOTEBOOKS:
        source = "".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert "sys.path" not in source, path.name


# ---------------------------------------------------------------- report templates
@pytest.mark.slow
@pytest.mark.parametrize("notebook, parameters", [
    ("leader_report.ipynb", {"leader": "戴建平"}),
    ("overview_report.ipynb", {}),
])
def test_report_templates_run_on_a_fixture(tmp_path, mini_processed, notebook, parameters):
    out = tmp_path / notebook
    pm.execute_notebook(
        str(TEMPLATES / notebook), str(out), cwd=str(tmp_path), progress_bar=False, kernel_name="python3",
        parameters={"data_dir": str(mini_processed), **parameters},
    )
    body = export.notebook_body_html(out)
    assert "重点工作" in body and "<img" in body
    assert "2020-06-30（50.0%）" in body  # the date the statuses were computed at
    if parameters:
        assert "戴建平常务副市长牵头重点工作" in body
    else:
        assert "全市重点工作" in body


@pytest.mark.slow
def test_unknown_leader_fails_loudly(tmp_path, mini_processed):
    with pytest.raises(pm.PapermillExecutionError, match="unknown leader"):
        pm.execute_notebook(
            str(TEMPLATES / "leader_report.ipynb"), str(tmp_path / "x.ipynb"), progress_bar=False,
            parameters={"data_dir": str(mini_processed), "leader": "某某"},
        )


def test_report_templates_take_no_date_the_data_folder_carries_it():
    """A template run by hand cannot print one date above statuses computed at another: the date
    is the one in the data folder's metadata.json, never a parameter."""
    assert set(pm.inspect_notebook(str(TEMPLATES / "overview_report.ipynb"))) == {"data_dir"}
    assert set(pm.inspect_notebook(str(TEMPLATES / "leader_report.ipynb"))) == {"leader", "data_dir"}


# ---------------------------------------------------------------- 02_classify
@pytest.mark.slow
def test_classify_notebook_writes_to_its_scratch_folder_only(tmp_path):
    from src.pipeline import clean_stage

    processed = tmp_path / "processed"
    clean_stage(MINI_TABLE, processed)
    before = {p.name: p.read_bytes() for p in processed.iterdir()}
    overrides = tmp_path / "ov.csv"
    overrides.write_text("task_id,status,reason,reviewer,date\n2,lagging,复核认为滞后,张三,2020-07-10\n", encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text("id,label,evidence\n1,on-track,x\n5,lagging,47%\n", encoding="utf-8")
    pm.execute_notebook(
        str(ROOT / "notebooks" / "02_classify.ipynb"), str(tmp_path / "run.ipynb"), cwd=str(tmp_path),
        parameters={"processed_dir": str(processed), "output_dir": str(tmp_path / "out"),
                    "overrides_path": str(overrides), "labels_path": str(labels), "as_of": "2020-09-30"},
        progress_bar=False, kernel_name="python3",
    )
    classified = store.read_tasks_csv(tmp_path / "out" / "tasks_classified.csv")
    assert len(classified) == 9
    assert classified.loc[classified["task_id"] == 2, "status_source"].item() == "override"
    assert "参考日期 2020-09-30（本笔记本指定）" in (tmp_path / "run.ipynb").read_text(encoding="utf-8")
    assert {p.name: p.read_bytes() for p in processed.iterdir()} == before  # the build's folder is untouched


@pytest.mark.slow
def test_the_notebooks_chain_by_hand_clean_classify_then_either_report(tmp_path):
    """01_clean → 02_classify → a report template, run by hand with papermill on an analyst's
    scratch folder (nothing of the build's): the classify notebook writes what the templates read."""
    scratch = tmp_path / "scratch"
    run = {"progress_bar": False, "kernel_name": "python3", "cwd": str(tmp_path)}
    pm.execute_notebook(str(ROOT / "notebooks" / "01_clean.ipynb"), str(tmp_path / "01.ipynb"),
                        parameters={"raw_path": str(MINI_TABLE), "output_dir": str(scratch)}, **run)
    pm.execute_notebook(str(ROOT / "notebooks" / "02_classify.ipynb"), str(tmp_path / "02.ipynb"),
                        parameters={"processed_dir": str(scratch), "output_dir": str(scratch), "overrides_path": "",
                                    "labels_path": "", "as_of": "2020-09-30"}, **run)
    leader = store.read_table(scratch / "tasks_classified.parquet")["leader"].iloc[0]
    pm.execute_notebook(str(TEMPLATES / "leader_report.ipynb"), str(tmp_path / "leader.ipynb"),
                        parameters={"data_dir": str(scratch), "leader": leader}, **run)
    pm.execute_notebook(str(TEMPLATES / "overview_report.ipynb"), str(tmp_path / "overview.ipynb"),
                        parameters={"data_dir": str(scratch)}, **run)
    overview = (tmp_path / "overview.ipynb").read_text(encoding="utf-8")
    assert "截至9月底" in overview  # the date the analyst chose in 02_classify, carried in the folder
    assert leader in (tmp_path / "leader.ipynb").read_text(encoding="utf-8")
    assert {p.name for p in scratch.iterdir()} >= {"tasks.parquet", "tasks_classified.parquet", "metadata.json",
                                                   "classification.json", "keywords.parquet", "quality.json"}


def fake_status(frame):
    """A stand-in for the classifier: tasks with problems text lag, the rest alternate."""
    has_problems = frame["problems"].fillna("").str.strip() != ""
    status = ["lagging" if lag else ("completed" if i % 3 == 0 else "on-track") for i, lag in enumerate(has_problems)]
    evidence = ["进度滞后" if s == "lagging" else "" for s in status]
    return frame.assign(status=status, status_evidence=evidence)


# ---------------------------------------------------------------- explore


def run_explore(tmp_path, parameters):
    out = tmp_path / "explore.out.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"),
        str(out),
        parameters=parameters,
        cwd=str(tmp_path),  # nothing may depend on the working directory
        progress_bar=False,
        kernel_name="python3",
    )
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_explore_notebook_runs_on_a_plain_table(tmp_path):
    from src.pipeline import clean_stage

    clean_stage(REAL_TABLE, tmp_path / "processed")
    executed = run_explore(tmp_path, {"table_path": str(tmp_path / "processed" / "tasks.parquet"), "leader": "戴建平"})
    assert "未分类" in executed
    assert "筛选后 39 / 143 项任务" in executed


@pytest.mark.slow
def test_explore_notebook_prefers_the_classified_table(tmp_path, real_tasks):
    tasks = real_tasks
    folder = tmp_path / "processed"
    store.write_parquet(tasks, folder / "tasks.parquet")
    store.write_parquet(fake_status(tasks), folder / "tasks_classified.parquet")
    executed = run_explore(tmp_path, {"table_path": str(folder / "tasks.parquet"), "status": "lagging", "query": "疫情 资金"})
    assert "tasks_classified.parquet" in executed and "已分类" in executed
    lagging = fake_status(tasks).query("status == 'lagging'")
    found = len(search_tasks(lagging, "疫情 资金"))  # the search filters too, like the other conditions
    assert f"筛选后 {found} / 143 项任务（状态：滞后；检索“疫情 资金”）" in executed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_import_only_the_helpers(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "from src import helpers as h" in "".join(c.source for c in code)
