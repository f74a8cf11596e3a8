"""Period over period, end to end: a second-period table built with the first as
its previous period states what moved in every report, the index, the workbook
and the Word 通报 (the same sentences everywhere)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from src import compare
from src.store import read_table
from tests.conftest import REAL_TABLE, ROOT
from tests.fixtures.make_second_period import make_second_period

pytestmark = pytest.mark.slow  # two builds


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """The half-year table and a generated 前三季度 table, built with PREVIOUS= the half-year table
    (a folder outside data/raw/ is never searched for the previous period: tests/unit/test_compare.py)."""
    base = tmp_path_factory.mktemp("series")
    raw = base / "raw"
    raw.mkdir()
    (raw / "h1.md").write_text(REAL_TABLE.read_text(encoding="utf-8"), encoding="utf-8")
    period = make_second_period(raw / "q3.md", seed=5)
    result = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(period.path), "--out", str(base / "out"),
                             "--previous", str(raw / "h1.md")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return base / "out", period, result.stderr


def test_the_console_says_which_table_is_the_previous_period(series):
    _, _, console = series
    assert "h1.md" in console and "上期：2020年半年度" in console


def test_comparison_file_agrees_with_both_classified_tables(series):
    out, period, _ = series
    frame = compare.read_comparison(out / "data")
    current = read_table(out / "data" / "tasks_classified.parquet").set_index("task_id")["status"]
    previous = read_table(out / "data" / "previous" / "tasks_classified.parquet").set_index("task_id")["status"]
    matched = frame[frame["match"].isin(["id", "text"])]
    assert len(matched) >= 0.97 * min(len(current), len(previous))
    for row in matched.itertuples(index=False):
        assert row.status == current[row.task_id] and row.previous_status == previous[row.previous_task_id]
    assert sorted(frame.loc[frame["match"] == "new", "task_id"]) == sorted(period.added)
    assert (out / "data" / "comparison.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM


def test_reports_state_the_transitions_and_name_tasks_lagging_twice_first(series):
    out, _, _ = series
    frame = compare.read_comparison(out / "data")
    overview = (out / "reports" / "overview.html").read_text(encoding="utf-8")
    assert "与上期比较" in overview and "2020年半年度" in overview
    for sentence in compare.transition_counts(frame)["sentence"]:
        assert sentence.split(" ")[0] in overview
    both = compare.lagging_both_periods(frame)
    if len(both):
        problems = overview[overview.index("存在问题"):]
        first_item = re.search(r"<li>(.*?)</li>|<p>(.*?)</p>", problems).group(0)
        assert "连续两期滞后" in first_item


def test_index_workbook_and_word_carry_the_comparison(series):
    from docx import Document
    from openpyxl import load_workbook

    out, _, _ = series
    frame = compare.read_comparison(out / "data")
    index = (out / "reports" / "index.html").read_text(encoding="utf-8")
    assert "<th>与上期比较</th>" in index
    first_leader = compare.leader_changes(frame).iloc[0]
    assert first_leader["sentence"].split("；")[-1].split("，")[0] in index
    book = load_workbook(out / "reports" / "key_tasks_classified.xlsx")
    assert "与上期比较" in book.sheetnames
    assert book["与上期比较"].max_row == len(frame) + 1
    text = "\n".join(p.text for p in Document(str(out / "reports" / "overview.docx")).paragraphs)
    assert "与上期比较" in text and compare.comparison_sentences(frame, "", "2020年半年度")[0] in text
