"""The synthetic tables the benchmarks parse: the real table repeated, and varied."""
from __future__ import annotations

from src.paths import DEFAULT_RAW_PATH
from src.synthetic import repeated_table


def _task_cells(text: str) -> list[str]:
    """The cells after the id of every task line."""
    return [line.split("\t", 1)[1] for line in text.split("\n") if line[:1].isdigit() and "\t" in line]


def test_repeated_copies_read_the_same_and_varied_copies_do_not():
    real = DEFAULT_RAW_PATH.read_text(encoding="utf-8")
    rows = len(_task_cells(real))
    repeated = _task_cells(repeated_table(real, 3))
    varied = _task_cells(repeated_table(real, 3, vary=True))
    assert len(repeated) == len(varied) == 3 * rows
    assert repeated[:rows] == repeated[rows:2 * rows] == repeated[2 * rows:]
    assert varied[:rows] == repeated[:rows]  # the first copy is the real table
    assert len(set(varied)) == len(varied)  # no row of any copy reads like another


def test_varied_numbers_keep_markup_years_and_the_unit():
    row = "1\t<p>新建 5 个</p>\t市建委\t<ol style=\"x\"><li>2020 年完成 3 个</li></ol>\t无"
    head = "# 表\n\n## 张三市长\n\n序号\t任务\t牵头单位\t进展\t问题\n"
    third = repeated_table(head + row, 3, vary=True).split("\n")[-1].split("\t")
    assert third[1:] == ["<p>新建 7 个</p>", "市建委", "<ol style=\"x\"><li>2020 年完成 5 个</li></ol>", "无（2）"]
