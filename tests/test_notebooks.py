"""Notebook hygiene and the cleaning notebook end to end."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from scripts.nbtools import notebook_problems
from src import store
from tests.conftest import REAL_TABLE, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_parameters_cell_and_no_outputs(path):
    assert notebook_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_holds_literals_with_comments(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for line in filter(str.strip, cell.source.splitlines()):
        name, _, rest = line.partition("=")
        value, _, comment = rest.partition("#")
        assert name.strip().isidentifier(), line
        assert comment.strip(), f"{path.name}: parameter without a comment: {line}"
        compile(value.strip(), path.name, "eval")  # a plain literal


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
