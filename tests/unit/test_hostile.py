"""A hostile-input corpus: each case is a table (or a cell, a label, a file) made here, and the
answer expected of it — kept as text and escaped, cleaned with a warning that names the row,
or refused with a message that names the file and what is wrong. Never a crash, a hang or
a silent drop.

The corpus covers what issue 27 found (``$`` read as math by matplotlib, NUL bytes and bidi
overrides, a 48 MB cell, names over 250 characters, nested Word tables) and more of the same
kind: other control characters, entities that encode them, markup and formulas, broken files.
"""
from __future__ import annotations

import html
import re

import matplotlib
import pandas as pd
import pytest

from src.report import plots
from src.table.cells import clean_cell, clean_text_cell, max_cell_bytes, shorten
from src.table.parse import RawTableError, parse_table

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="module")
def report_style():
    plots.set_report_style()  # the CJK font, as in a report

TITLE = "2020年政府工作报告重点工作半年度完成情况汇总表"
HEADER = ["序号", "重点工作", "牵头单位", "进展情况", "责任领导"]


def csv_table(tmp_path, rows: list[list[str]], title: str = TITLE, name: str = "t.csv"):
    """A CSV table with a title row, the header and ``rows`` (task, unit, progress, leader)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([title])
    writer.writerow(HEADER)
    for number, row in enumerate(rows, start=1):
        writer.writerow([str(number), *row])
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def one_task(tmp_path, task="建设学校", unit="市教育局", progress="有序推进", leader="张三副市长"):
    parsed = parse_table(csv_table(tmp_path, [[task, unit, progress, leader]]))
    return parsed.tasks.iloc[0], [str(w) for w in parsed.warnings]


# ---------------------------------------------------------------- control characters: stripped, warned with the row
CONTROLS = {
    "NUL": "\x00", "SOH": "\x01", "BEL": "\x07", "BS": "\x08", "ESC": "\x1b", "US": "\x1f", "DEL": "\x7f",
    "NEL (C1)": "\x85", "CSI (C1)": "\x9b",
    "LRE": "\u202a", "RLE": "\u202b", "PDF": "\u202c", "LRO": "\u202d", "RLO": "\u202e",
    "LRI": "\u2066", "RLI": "\u2067", "FSI": "\u2068", "PDI": "\u2069",
}


@pytest.mark.parametrize("name", list(CONTROLS))
def test_a_control_character_in_a_task_is_removed_with_a_warning_naming_the_row(tmp_path, name):
    task, warnings = one_task(tmp_path, task=f"建设{CONTROLS[name]}学校")
    assert task["task"] == "建设学校"
    code = f"U+{ord(CONTROLS[name]):04X}"
    assert any(w.startswith("第3行（序号 1）") and code in w and "控制字符" in w for w in warnings), warnings


def test_a_bidi_override_in_a_leader_name_does_not_reverse_it(tmp_path):
    task, _ = one_task(tmp_path, leader="\u202e张三\u202c副市长")
    assert task["leader"] == "张三"


@pytest.mark.parametrize("entity, code", [("&#x202E;", "U+202E"), ("&#8294;", "U+2066"), ("&#x2067;", "U+2067")])
def test_a_control_character_typed_as_an_entity_in_html_is_removed_too(entity, code):
    cleaned = clean_cell(f"<p>建设{entity}学校</p>")
    assert cleaned.text == "建设学校" and any(code in note for note in cleaned.notes)


def test_a_nul_typed_as_an_entity_becomes_the_replacement_character():
    assert clean_cell("<p>建设&#0;学校</p>").text == "建设\ufffd学校"  # as HTML5 decodes it: no NUL reaches Word


def test_tab_and_line_breaks_are_not_control_characters_to_remove():
    cleaned = clean_text_cell("第一项\n第二项\t完成")
    assert cleaned.text == "第一项\n第二项 完成" and cleaned.notes == []


def test_a_cell_of_nothing_but_control_characters_is_an_empty_cell_with_both_warnings(tmp_path):
    task, warnings = one_task(tmp_path, progress="\x00\u202e\x07")
    assert task["progress"] == ""
    assert any("控制字符" in w for w in warnings) and any("进展情况为空" in w for w in warnings)


# ---------------------------------------------------------------- size: cut for judging, warned, never hanging
def test_a_48_mb_cell_is_cut_to_the_limit_with_a_warning_and_classified(tmp_path):
    from src.classify import classify_tasks

    huge = "完成年度计划的30%。" + "进展顺利" * 12_000_000  # 48 MB of UTF-8
    task, warnings = one_task(tmp_path, progress=huge)
    assert len(task["progress"].encode("utf-8")) <= max_cell_bytes() == 200_000
    assert any(w.startswith("第3行") and "单元格过长" in w and "200 KB" in w for w in warnings), warnings
    classified = classify_tasks(pd.DataFrame([task]), as_of="2020-06-30")
    assert classified.iloc[0]["status"] == "lagging"  # the figure at its start still decides


def test_a_cell_just_under_the_limit_is_kept_whole():
    text = "甲" * 66_000  # 198 KB
    assert clean_text_cell(text).text == text and clean_text_cell(text).notes == []


def test_a_cut_never_splits_a_character():
    cut = clean_text_cell("𠀀" * 60_000).text  # four bytes each, 240 KB
    assert set(cut) == {"𠀀"} and len(cut.encode("utf-8")) <= 200_000


# ---------------------------------------------------------------- "$" in chart labels: text, not math
DOLLARS = ["US$70亿", "$$", "$x^2$", "成本$5亿，收入$7亿", "\\$", "$"]


@pytest.mark.parametrize("label", DOLLARS)
def test_a_dollar_in_a_chart_label_is_drawn_as_text(label):
    table = pd.DataFrame({"completed": [1, 0], "on-track": [0, 2], "lagging": [1, 1]},
                         index=[f"{label}单位", "市发改委"])
    ax = plots.draw_units_by_status((table, "各牵头单位任务数（按状态）"))
    plots.figure_png(ax.figure)  # drawing does not fail
    ticks = [tick.get_text() for tick in ax.get_yticklabels()]
    assert plots.as_text(f"{label}单位") in ticks
    # matplotlib shows an escaped "\$" as "$": the label reads as typed
    from matplotlib.text import Text

    shown = Text(text=plots.as_text(label))
    assert not shown._preprocess_math(shown.get_text())[1]  # not math text
    matplotlib.pyplot.close("all")


def test_a_dollar_in_a_leader_name_draws_the_leader_chart():
    table = pd.DataFrame({"completed": [1], "on-track": [1], "lagging": [0]}, index=["US$王$五"])
    ax = plots.draw_leader_status(table)
    plots.figure_png(ax.figure)
    assert [t.get_text() for t in ax.get_yticklabels()] == [r"US\$王\$五"]
    matplotlib.pyplot.close("all")


# ---------------------------------------------------------------- long names: shortened where a limit exists
def test_a_leader_name_over_250_characters_still_gives_a_word_document(tmp_path):
    import docx

    from src.pipeline import analyse_stage, clean_stage
    from src.report import word
    from src.report.model import load_report

    long_name = "张" * 300
    raw = csv_table(tmp_path, [["建设学校", "市教育局", "已完成", long_name]], name="long.csv")
    data = tmp_path / "data"
    clean_stage(raw, data)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("task_id,status,reason,reviewer,date\n", encoding="utf-8")
    analyse_stage(data, overrides_path=overrides)
    report = load_report(data).roster()[1]
    word.write_report_docx(report, tmp_path / "leader.docx")
    title = docx.Document(str(tmp_path / "leader.docx")).core_properties.title
    assert len(title) <= 255 and title.endswith("…") and title.startswith("关于张张")
    assert report.slug == "leader-01"  # file names never come from the name


def test_shorten_keeps_short_text_and_marks_a_cut():
    assert shorten("市发改委", 10) == "市发改委"
    assert shorten("甲" * 20, 10) == "甲" * 9 + "…"
    assert shorten(None, 5) == ""


@pytest.mark.parametrize("leader", ["张" * 40, "王[五]:*?/\\"])
def test_leader_sheet_names_fit_excel_rules(tmp_path, leader):
    from openpyxl import load_workbook

    from src.report.workbook import write_excel

    tasks = pd.DataFrame([{"task_id": 1, "leader": leader, "leader_order": 1, "task": "任务", "lead_unit": "单位",
                           "status": "on-track", "progress": "", "problems": "", "next_steps": ""}])
    write_excel(tasks, tmp_path / "k.xlsx")
    names = load_workbook(tmp_path / "k.xlsx").sheetnames
    assert names[0] == "全部任务" and names[-1] == "打印" and len(names) == 3  # one leader sheet between them
    assert len(names[1]) <= 31 and not re.search(r"[\[\]:*?/\\]", names[1])


# ---------------------------------------------------------------- nested Word tables: read, their text joined
def _docx_with_nested_table(path, depth: int = 1):
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=2, cols=5)
    for position, heading in enumerate(HEADER):
        table.cell(0, position).text = heading
    for position, value in enumerate(["1", "建设学校", "市教育局", "", "张三副市长"]):
        table.cell(1, position).text = value
    cell = table.cell(1, 3)
    cell.text = "分项进展："
    for level in range(depth):
        inner = cell.add_table(rows=2, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = f"项目A{level}", "已完成"
        inner.cell(1, 0).text, inner.cell(1, 1).text = f"项目B{level}", "完成年度计划的60%"
        cell = inner.cell(1, 1)
    document.save(str(path))
    return path


def test_a_table_nested_in_a_word_cell_is_read_row_by_row(tmp_path):
    parsed = parse_table(_docx_with_nested_table(tmp_path / "nested.docx"))
    assert parsed.tasks.iloc[0]["progress"] == "分项进展：\n项目A0；已完成\n项目B0；完成年度计划的60%"
    assert not any("为空" in str(w) for w in parsed.warnings)


def test_a_table_nested_twice_is_read_too(tmp_path):
    progress = parse_table(_docx_with_nested_table(tmp_path / "nested2.docx", depth=2)).tasks.iloc[0]["progress"]
    assert "项目A1" in progress and "项目B1" in progress and "项目A0" in progress


# ---------------------------------------------------------------- markup, formulas, links: text
@pytest.mark.parametrize("typed", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                   "[点我](javascript:alert(1))", "{{ 7*7 }}", "<!--注释-->"])
def test_markup_typed_into_a_cell_is_shown_escaped(tmp_path, typed):
    from src.report import render

    task, _ = one_task(tmp_path, task=f"建设学校{typed}")
    assert typed in task["task"]  # kept as typed
    page = render.esc(task["task"])
    assert "<script" not in page and "<img" not in page and html.unescape(page) == task["task"]


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://evil.example","点击")', "+1+1", "@SUM(A1:A2)", "-2+3"])
def test_a_formula_typed_into_a_cell_stays_text_in_excel(tmp_path, formula):
    from openpyxl import load_workbook

    from src.report.workbook import write_excel

    tasks = pd.DataFrame([{"task_id": 1, "leader": "张三", "leader_order": 1, "task": formula, "lead_unit": "单位",
                           "status": "on-track", "progress": formula, "problems": "", "next_steps": ""}])
    write_excel(tasks, tmp_path / "k.xlsx")
    cell = load_workbook(tmp_path / "k.xlsx")["全部任务"]["C2"]
    assert cell.value == formula and cell.data_type == "s"


# ---------------------------------------------------------------- broken files: refused, naming the file
@pytest.mark.parametrize("name, content, expected", [
    ("empty.csv", b"", "文件为空"),
    ("spaces.md", b"   \n\n  ", "文件为空"),
    ("bad.csv", b"\xff\xfe\xfe" + "汇总表".encode("gbk")[:1] + b"\x81", "UTF-16"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "文件已损坏"),
    ("fake.pdf", b"%PDF-1.4 nothing else", "fake.pdf"),
    ("fake.xlsx", b"just text, not a workbook", "fake.xlsx"),
])
def test_a_broken_file_is_refused_naming_it(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RawTableError) as raised:
        parse_table(path)
    assert name in str(raised.value) and expected in str(raised.value)


def test_a_row_with_more_cells_than_the_header_is_refused_naming_its_line(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(f"{TITLE}\n{','.join(HEADER)}\n1,建设学校,市教育局,已完成,张三,多出来,又多出来\n", encoding="utf-8")
    with pytest.raises(RawTableError) as raised:
        parse_table(path)
    assert "wide.csv" in str(raised.value) and ":3:" in str(raised.value)


def test_invisible_and_emoji_text_is_kept(tmp_path):
    task, warnings = one_task(tmp_path, task="建设学校😀👨‍👩‍👧𪚥")
    assert task["task"] == "建设学校😀👨‍👩‍👧𪚥" and not any("控制字符" in w for w in warnings)
