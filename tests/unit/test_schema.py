"""The parsed table's contract (src.table.schema): a table that breaks it is refused with its line and the fix,
and the build exits 2 (bad input), never with a traceback."""
from __future__ import annotations

import subprocess
import sys

import pytest

from src.table.problems import RawTableError
from src.table.schema import validate_tasks
from tests.conftest import MINI_TABLE, ROOT


@pytest.fixture(scope="module")
def mini_tasks():
    from src.table.parse import parse_table

    return parse_table(MINI_TABLE).tasks


def test_a_parsed_table_keeps_the_contract(mini_tasks):
    assert validate_tasks(mini_tasks, "mini.md") is mini_tasks


def test_an_empty_task_names_its_line_and_the_fix(mini_tasks):
    broken = mini_tasks.copy()
    broken.loc[1, "task"] = "  "
    with pytest.raises(RawTableError) as caught:
        validate_tasks(broken, "mini.md")
    line = int(broken.loc[1, "source_line"])
    assert str(caught.value).startswith(f"mini.md:{line}: 序号 {broken.loc[1, 'task_id']} 的重点工作内容为空；请在原始汇总表中补上")


def test_a_duplicate_or_non_numeric_task_id_is_refused(mini_tasks):
    twice = mini_tasks.copy()
    twice.loc[2, "task_id"] = twice.loc[0, "task_id"]
    with pytest.raises(RawTableError, match=f"重复（第 {twice.loc[0, 'source_line']} 行已使用）"):
        validate_tasks(twice, "mini.md")
    negative = mini_tasks.copy()
    negative.loc[0, "task_id"] = 0
    with pytest.raises(RawTableError, match="不是正整数"):
        validate_tasks(negative, "mini.md")


def test_a_missing_leader_or_wrong_type_is_refused(mini_tasks):
    no_leader = mini_tasks.copy()
    no_leader.loc[3, "leader"] = ""
    with pytest.raises(RawTableError, match="牵头市领导为空"):
        validate_tasks(no_leader, "mini.md")
    with pytest.raises(RawTableError, match="缺少列"):
        validate_tasks(mini_tasks.drop(columns=["progress"]), "mini.md")


def test_the_build_exits_2_on_an_empty_task_cell_with_its_row(tmp_path):
    lines = MINI_TABLE.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.split("\t")[0] == "2")
    cells = lines[row].split("\t")
    cells[1] = ""
    lines[row] = "\t".join(cells)
    raw = tmp_path / "empty_task.md"
    raw.write_text("\n".join(lines), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(raw), "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"empty_task.md:{row + 1}: 序号 2 的重点工作内容为空" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "data" / "tasks.parquet").exists()  # nothing written from a refused table
