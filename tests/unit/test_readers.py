"""Every input format gives the same table.

The 2020 table rendered by ``tests/fixtures/make_renderings.py`` into .xlsx
(merged title and section rows, lead units merged down), .xls (WPS, header
repeated per section), .docx (leader headings, one table each), .csv (UTF-8 BOM)
and a text PDF (header repeated on each page, rows split across pages) must
parse into the same clean table as the Markdown: all 143 tasks, the same
leaders, and the same text up to whitespace. Other layouts (another city's
column names, a leader column), the period, the inbox, legacy files and the
template workbook are checked on small files made here.
"""
from __future__ import annotations

import re
import shutil
import stat
import tomllib
from pathlib import Path

import pytest

from src.table.ingest import read_raw_rows
from src.table.ingest.pdf import join_wrapped_lines
from src.table.parse import (
    NO_LEADERS_WARNING,
    RawTableError,
    check_all_rows_accounted,
    column_name,
    find_inbox_table,
    parse_rows,
    parse_section_row,
    parse_table,
    read_period,
)
from tests.conftest import FIXTURES, MINI_TABLE, REAL_TABLE, ROOT

RENDERINGS = FIXTURES / "renderings"
FORMATS = ["xlsx", "xls", "docx", "csv", "pdf"]
TEXT_COLUMNS = ["task", "lead_unit", "progress", "problems", "next_steps"]
TEMPLATE = ROOT / "data" / "reference" / "汇总表模板.xlsx"


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


# Reading the 40-page PDF takes about 10 s: it runs with `make test`, not `make test-fast`.
@pytest.fixture(scope="module", params=[pytest.param(fmt, marks=pytest.mark.slow) if fmt == "pdf" else fmt for fmt in FORMATS])
def raw_rendering(request):
    return request.param, read_raw_rows(RENDERINGS / f"{REAL_TABLE.stem}.{request.param}")


@pytest.fixture(scope="module")
def rendered(raw_rendering):
    fmt, raw = raw_rendering
    return fmt, parse_rows(raw)


def test_each_rendering_gives_the_markdown_table(rendered, real_parsed):
    fmt, parsed = rendered
    reference, tasks = real_parsed.tasks, parsed.tasks
    check_all_rows_accounted(parsed)
    assert parsed.rows_read == 143 == len(tasks)
    assert tasks["task_id"].tolist() == list(range(1, 144))
    for column in ["leader", "leader_title", "leader_order"]:
        assert tasks[column].tolist() == reference[column].tolist(), (fmt, column)
    for column in TEXT_COLUMNS:
        differing = [
            task_id for task_id, a, b in zip(reference["task_id"], reference[column], tasks[column]) if _squash(a) != _squash(b)
        ]
        assert differing == [], (fmt, column, differing[:5])
    assert [[_squash(u) for u in units] for units in tasks["lead_units"]] == [
        [_squash(u) for u in units] for units in reference["lead_units"]
    ]
    for key in ["title", "issuing_office", "issued", "period", "year", "as_of", "leaders"]:
        assert parsed.metadata[key] == real_parsed.metadata[key], (fmt, key)
    assert parsed.metadata["source_format"] == fmt
    assert parsed.warnings == [], [str(w) for w in parsed.warnings]  # merged cells, repeated headers: normal


def test_each_rendering_keeps_line_breaks_inside_cells(rendered, real_tasks):
    fmt, parsed = rendered
    progress = parsed.tasks.set_index("task_id")["progress"]
    reference = real_tasks.set_index("task_id")["progress"]
    assert progress[2].split("\n") == reference[2].split("\n"), fmt  # three numbered items, three lines


def test_the_layout_features_are_recognised_not_read_as_tasks(rendered):
    fmt, parsed = rendered
    recognised = parsed.recognised
    assert recognised["leader_sections"] == 8
    if fmt == "xlsx":
        assert recognised["merged_cells_carried_down"] > 0  # lead units merged down over their tasks
        assert recognised["rows_in_sheets_without_table"] > 0  # the notes sheet
    if fmt in {"xls", "docx"}:
        assert recognised["repeated_header_rows"] == 7
    if fmt == "pdf":
        assert recognised["repeated_header_rows"] > 20  # one per page
        assert recognised["continuation_rows"] > 10  # rows split across pages, joined back


def test_every_reader_gives_raw_rows_of_text(raw_rendering):
    fmt, raw = raw_rendering
    for table in [raw, read_raw_rows(REAL_TABLE)]:
        assert table.rows, fmt
        for row in table.rows:
            assert row.kind in {"cells", "text", "blank"}
            assert all(cell is None or isinstance(cell, str) for cell in row.cells), (fmt, row)
            assert isinstance(row.line, int) and row.line >= 1
    assert raw.format == fmt and raw.markup == "text"
    task_rows = [row for row in raw.rows if row.kind == "cells" and re.fullmatch(r"\d+", (row.cells[0] or "").strip())]
    assert len(task_rows) == 143  # every task starts on a row of its own, 序号 first


# --------------------------------------------------------------------------
# other layouts
# --------------------------------------------------------------------------
def test_another_citys_layout_with_a_leader_column():
    parsed = parse_table(FIXTURES / "corpus" / "ok_xlsx_leader_column.xlsx")
    tasks = parsed.tasks.set_index("task_id")
    assert parsed.metadata["leader_source"] == "column"
    assert parsed.metadata["leaders"] == ["甲一", "乙二"]
    assert tasks["leader"].tolist() == ["甲一", "甲一", "乙二", "乙二"]  # merged leader cells carried down
    assert tasks["leader_title"].tolist() == ["副市长", "副市长", "常务副市长", "常务副市长"]
    assert tasks["leader_order"].tolist() == [1, 1, 2, 2]
    assert tasks.loc[1, "problems"] == "资金到位较慢。" and tasks.loc[1, "next_steps"] == "加快资金拨付。"
    assert tasks.loc[3, "lead_units"] == ["市经信局", "市发改委"]
    assert tasks.loc[1, "cooperating_units"] == "各区政府" and tasks.loc[1, "deadline"] == "2021年12月"
    meta = parsed.metadata
    assert (meta["period"], meta["as_of"], meta["issued"]) == ("前三季度", "2021-09-30", "2021-10-08")
    assert meta["issuing_office"] == "某市人民政府督查室"
    assert parsed.warnings == []


@pytest.mark.parametrize(
    "header, field",
    [
        ("重点工作", "task"), ("重点任务", "task"), ("工作任务", "task"), ("目标任务", "task"), ("项目名称", "task"),
        ("2021 年重点工作", "task"), ("牵头单位", "lead_unit"), ("责任单位", "lead_unit"), ("主办单位", "lead_unit"),
        ("进展情况", "progress"), ("完成情况", "progress"), ("1-9月进展情况", "progress"),
        ("进展情况（截至9月底）", "progress"), ("存在问题", "problems"), ("下一步打算", "next_steps"),
        ("工作计划", "next_steps"), ("下一步工作安排", "next_steps"), ("配合单位", "cooperating_units"),
        ("完成时限", "deadline"), ("年度目标", "annual_target"), ("责任领导", "leader"), ("分管领导", "leader"),
        ("联系领导", "leader"), ("存在问题及下一步工作安排", "problems_and_next_steps"), ("序 号", "task_id"),
        ("备注", None),
    ],
)
def test_header_synonyms_come_from_the_format_file(header, field):
    assert column_name(header) == field


def test_every_required_column_has_a_label_and_the_template_uses_known_names():
    with open(ROOT / "data" / "reference" / "table_format.toml", "rb") as handle:
        columns = tomllib.load(handle)["columns"]
    assert {name for name, spec in columns.items() if spec.get("required")} == {"task", "lead_unit", "progress"}
    assert all(spec.get("label") for spec in columns.values())


def test_a_new_synonym_is_a_line_in_the_format_file(tmp_path, monkeypatch):
    from src.table import vocabulary as table_vocabulary

    text = (ROOT / "data" / "reference" / "table_format.toml").read_text(encoding="utf-8")
    edited = text.replace('names = ["进展情况",', 'names = ["推进成效", "进展情况",', 1)
    assert edited != text
    custom = tmp_path / "table_format.toml"
    custom.write_text(edited, encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text("序号,重点工作,牵头单位,推进成效\n1,建设某项目,市建委,已完成\n", encoding="utf-8")
    with pytest.raises(RawTableError, match="lacks column progress"):
        parse_table(table)
    original = table_vocabulary.table_format
    monkeypatch.setattr(table_vocabulary, "table_format", lambda path=None: original(custom))
    table_vocabulary._column_matchers.cache_clear()
    table_vocabulary.header_names.cache_clear()
    try:
        assert parse_table(table).tasks.loc[0, "progress"] == "已完成"
    finally:
        monkeypatch.undo()
        table_vocabulary._column_matchers.cache_clear()
        table_vocabulary.header_names.cache_clear()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("刘忻市长主抓重点工作", ("刘忻", "市长")),
        ("刘忻市长", ("刘忻", "市长")),
        ("二、柯吉欣副市长分管（12项）", ("柯吉欣", "副市长")),
        ("（三）王 宏副市长牵头重点工作", ("王宏", "副市长")),
        ("戴建平常务副市长联系的重点工作", ("戴建平", "常务副市长")),
        ("一、经济发展", None),
        ("2021年政府工作报告重点工作汇总表", None),
    ],
)
def test_section_rows_name_leaders(text, expected):
    assert parse_section_row(text) == expected


def test_word_table_with_a_leader_column_merged_down(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("2022年重点工作上半年推进情况")
    table = document.add_table(rows=4, cols=5)
    for cell, text in zip(table.rows[0].cells, ["序号", "工作任务", "主办单位", "联系领导", "完成情况"]):
        cell.text = text
    for row, values in zip(table.rows[1:], [["1", "甲", "市一局", "张三副市长", "进行中"], ["2", "乙", "市二局", "", "已完成"],
                                            ["3", "丙", "市三局", "李四市长", "推进中"]]):
        for cell, text in zip(row.cells, values):
            cell.text = text
    table.cell(1, 3).merge(table.cell(2, 3))
    path = tmp_path / "word.docx"
    document.save(path)
    parsed = parse_table(path)
    assert parsed.tasks["leader"].tolist() == ["张三", "张三", "李四"]
    assert parsed.metadata["as_of"] == "2022-06-30" and parsed.metadata["title"] == "2022年重点工作上半年推进情况"


def test_a_table_without_leaders_warns_that_leader_reports_need_a_leader_column(tmp_path):
    path = tmp_path / "2021年1-9月汇总.csv"
    path.write_text("序号,重点工作,牵头单位,进展情况\n1,建设某项目,市建委,已完成\n2,推进某改革,市发改委,推进中\n", encoding="utf-8")
    parsed = parse_table(path)
    assert parsed.tasks["leader"].tolist() == ["", ""]
    assert [w.message for w in parsed.warnings] == [NO_LEADERS_WARNING]
    assert parsed.metadata["leader_source"] == "none"
    # no title: the period comes from the file name
    assert (parsed.metadata["as_of"], parsed.metadata["period_from"]) == ("2021-09-30", "file_name")


def test_no_id_column_numbers_tasks_in_order(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("重点任务,责任单位,进展情况,分管领导\n建设甲,市一局,已完成,张三副市长\n建设乙,市二局,推进中,\n", encoding="utf-8")
    parsed = parse_table(path)
    assert parsed.tasks["task_id"].tolist() == [1, 2]
    assert parsed.tasks["leader"].tolist() == ["张三", "张三"]
    assert parsed.metadata["as_of"] is None  # no period anywhere: the build asks for AS_OF


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2020年政府工作报告重点工作半年度完成情况汇总表", ("半年度", "06-30")),
        ("2021年上半年重点工作", ("半年度", "06-30")),
        ("2021年1-9月", ("前三季度", "09-30")),
        ("前三季度", ("前三季度", "09-30")),
        ("2022年1-10月重点工作进展", ("1-10月", "10-31")),
        ("2021年1-6月", ("半年度", "06-30")),
        ("重点工作汇总表", None),
    ],
)
def test_the_period_from_a_title_or_file_name(text, expected):
    assert read_period(text) == expected


def test_pdf_cells_are_joined_where_the_text_only_wrapped():
    # (text, x0, x1) of each line of a cell from x=100 to x=300, 10 pt characters, 2 pt padding
    lines = [("深入落实全面从严", 102, 296), ("治党主体责任。", 102, 172), ("1. 第一项；", 102, 160), ("2. 第二项完成投资", 102, 297),
             ("12.5 亿元。", 102, 150)]
    assert join_wrapped_lines(lines, 100, 300, 10) == "深入落实全面从严治党主体责任。\n1. 第一项；\n2. 第二项完成投资12.5 亿元。"
    # a sentence that ends well before the edge keeps its break; a line that only wrapped near the edge does not
    assert join_wrapped_lines([("存在的问题：", 102, 160), ("资金不足。", 102, 150)], 100, 300, 10) == "存在的问题：\n资金不足。"
    assert join_wrapped_lines([("进展顺利，完成", 102, 262), ("80%。", 102, 130)], 100, 300, 10) == "进展顺利，完成80%。"


# --------------------------------------------------------------------------
# the inbox, legacy files, the template
# --------------------------------------------------------------------------
def _retitled(source: Path, title: str, target: Path) -> Path:
    text = source.read_text(encoding="utf-8").replace("2020 年政府工作报告重点工作半年度完成情况汇总表", title, 1)
    target.write_text(text, encoding="utf-8")
    return target


def test_the_inbox_takes_the_newest_period(tmp_path):
    _retitled(MINI_TABLE, "2020 年政府工作报告重点工作半年度完成情况汇总表", tmp_path / "a_half_year.md")
    newest = _retitled(MINI_TABLE, "2020 年政府工作报告重点工作前三季度完成情况汇总表", tmp_path / "b.md")
    shutil.copy(RENDERINGS / f"{REAL_TABLE.stem}.xlsx", tmp_path / "c_2020_h1.xlsx")
    (tmp_path / "~$b.xlsx").write_bytes(b"lock file of an open workbook")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    (tmp_path / "z_broken.xlsx").write_bytes(b"not a workbook")
    path, reason = find_inbox_table(tmp_path)
    assert path == newest
    assert "b.md" in reason and "2020-09-30" in reason and "4 个汇总表" in reason
    assert "z_broken.xlsx 无法读取" in reason


def test_the_inbox_reads_the_period_from_a_file_name(tmp_path):
    plain = MINI_TABLE.read_text(encoding="utf-8").replace("半年度", "")
    (tmp_path / "汇总表.md").write_text(plain, encoding="utf-8")
    (tmp_path / "2020年1-11月汇总表.md").write_text(plain, encoding="utf-8")
    path, reason = find_inbox_table(tmp_path)
    assert path.name == "2020年1-11月汇总表.md" and "2020-11-30" in reason


def test_an_empty_inbox_is_a_clear_error(tmp_path):
    with pytest.raises(RawTableError, match="no table in the inbox"):
        find_inbox_table(tmp_path)


def test_legacy_files_go_through_libreoffice_when_it_is_installed(tmp_path, monkeypatch):
    """A stand-in ``soffice`` on PATH (the real one is not installed here) that
    'converts' by copying the .docx rendering: the wiring around it is real."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(
        "#!/bin/sh\n# soffice --headless --convert-to docx --outdir DIR FILE\n"
        'out="$5"; name=$(basename "$6"); stem="${name%.*}"\n'
        f'cp "{RENDERINGS / (REAL_TABLE.stem + ".docx")}" "$out/$stem.$3"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    legacy = tmp_path / "2020年上半年.doc"
    legacy.write_bytes((FIXTURES / "corpus" / "fatal_legacy_word.doc").read_bytes())
    parsed = parse_table(legacy)
    assert len(parsed.tasks) == 143 and parsed.metadata["source_format"] == "doc→docx"
    assert parsed.metadata["source_file"] == "2020年上半年.doc"


def test_legacy_files_without_libreoffice_ask_for_docx_or_xlsx(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RawTableError) as caught:
        parse_table(FIXTURES / "corpus" / "fatal_legacy_word.doc")
    assert "另存为” .docx" in str(caught.value)


def test_the_blank_template_is_recognised_and_a_filled_copy_parses(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    with pytest.raises(RawTableError, match="只有表头，没有任务行"):
        parse_table(TEMPLATE)
    workbook = openpyxl.load_workbook(TEMPLATE)
    sheet = workbook["汇总表"]
    header = [cell.value for cell in sheet[4] if cell.value]
    assert [column_name(name) for name in header] == [
        "task_id", "task", "lead_unit", "cooperating_units", "leader", "deadline", "annual_target", "progress",
        "problems", "next_steps",
    ]
    sheet["A1"] = "2021年政府工作报告重点工作1-9月完成情况汇总表"
    for column, value in enumerate(["1", "建设某项目", "市建委", "", "张三副市长", "", "", "完成60%", "", "加快推进"], start=1):
        sheet.cell(5, column, value)
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    parsed = parse_table(filled)
    assert parsed.tasks.loc[0, ["leader", "progress", "next_steps"]].tolist() == ["张三", "完成60%", "加快推进"]
    assert parsed.metadata["as_of"] == "2021-09-30" and parsed.warnings == []


def test_a_two_row_header_under_merged_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["2021年重点工作前三季度进展"])
    sheet.append(["序号", "重点工作", "牵头单位", "分管领导", "工作推进情况", None])
    sheet.append([None, None, None, None, "进展情况", "存在问题"])
    sheet.append([1, "建设甲", "市一局", "张三副市长", "完成80%", "资金紧"])
    sheet.merge_cells("E2:F2")
    for column in "ABCD":
        sheet.merge_cells(f"{column}2:{column}3")
    path = tmp_path / "two_rows.xlsx"
    workbook.save(path)
    parsed = parse_table(path)
    assert parsed.tasks.loc[0, ["progress", "problems", "leader"]].tolist() == ["完成80%", "资金紧", "张三"]
    assert parsed.recognised["header_rows"] == 2 and parsed.warnings == []


def test_one_sheet_per_leader_named_after_the_leader(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    for index, name in enumerate(["张三副市长", "李四市长"]):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name
        sheet.append(["序号", "重点工作", "牵头单位", "进展情况"])
        sheet.append([index + 1, f"任务{index + 1}", "市一局", "推进中"])
    path = tmp_path / "2021年上半年.xlsx"
    workbook.save(path)
    parsed = parse_table(path)
    assert parsed.tasks["leader"].tolist() == ["张三", "李四"]
    assert parsed.metadata["leader_source"] == "sheets" and parsed.tasks["leader_order"].tolist() == [1, 2]


def test_markdown_pipe_tables_read_like_the_converters_tab_tables(tmp_path):
    lines = []
    for line in MINI_TABLE.read_text(encoding="utf-8").split("\n"):
        cells = line.split("\t")
        if len(cells) == 5:
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
            if cells[0] == "序号":
                lines.append("|---|---|---|---|---|")
        else:
            lines.append(line)
    piped = tmp_path / "piped.md"
    piped.write_text("\n".join(lines), encoding="utf-8")
    reference, tasks = parse_table(MINI_TABLE).tasks, parse_table(piped).tasks
    for column in ["task_id", "leader", "task", "lead_unit", "progress", "problems", "next_steps"]:
        assert tasks[column].tolist() == reference[column].tolist(), column


def test_word_table_inside_a_content_control_is_read(tmp_path):
    docx = pytest.importorskip("docx")
    from docx.oxml import OxmlElement

    document = docx.Document()
    document.add_paragraph("2021年上半年重点工作进展")
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, ["序号", "重点工作", "牵头单位", "进展情况"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "建设甲", "市一局", "推进中"]):
        cell.text = text
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    table._tbl.addprevious(sdt)
    sdt.append(content)
    content.append(table._tbl)  # the table now sits inside the content control
    path = tmp_path / "sdt.docx"
    document.save(path)
    assert parse_table(path).tasks["task"].tolist() == ["建设甲"]


def test_rows_below_the_table_that_are_not_tasks(tmp_path):
    path = tmp_path / "2021年上半年.csv"
    path.write_text(
        "序号,重点工作,牵头单位,进展情况,分管领导\n1,建设甲,市一局,推进中,张三副市长\n"
        "一、经济发展,,,,\n2,建设乙,市二局,已完成,\n合计,,共2项,,\n填表人：王五,,,联系电话：123,\n",
        encoding="utf-8",
    )
    parsed = parse_table(path)
    assert parsed.tasks["task_id"].tolist() == [1, 2] and parsed.warnings == []
    assert parsed.recognised["other_rows"] == 3  # a category row and two footer rows, counted, not tasks
    bad = tmp_path / "bad.csv"
    bad.write_text("序号,重点工作,牵头单位,进展情况\n一,建设甲,市一局,推进中\n", encoding="utf-8")
    with pytest.raises(RawTableError, match="non-numeric task id"):
        parse_table(bad)  # a task with a word for its number still stops the build


# ---------------------------------------------------------- the title as a person reads it (issue 25)
def _office_documents(tmp_path):
    """The 2020 table as offices lay it out in Word (title a plain bold paragraph, each
    leader a "Heading 1") and in PDF (a title too long for one line: broken over two)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from tests.fixtures import make_renderings

    doc = make_renderings.read_document()
    document = docx.Document()
    title = document.add_paragraph()
    title.add_run(doc.title).bold = True
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(doc.office)
    document.add_paragraph(doc.date)
    for heading, tasks in doc.sections:
        document.add_heading(heading, level=1)
        table = document.add_table(rows=1, cols=len(doc.header))
        for cell, text in zip(table.rows[0].cells, doc.header):
            cell.text = text
        for cells in tasks:
            for cell, text in zip(table.add_row().cells, cells):
                cell.text = text
    document.save(tmp_path / "office.docx")
    doc.pdf_css = "h1 { width: 90mm; margin-left: auto; margin-right: auto; }"  # the title wraps
    make_renderings.write_pdf(doc, tmp_path / "office.pdf")
    return doc


@pytest.mark.slow
def test_word_and_pdf_title_found_as_a_person_reads_it(tmp_path, real_parsed):
    import pdfplumber

    _office_documents(tmp_path)
    with pdfplumber.open(tmp_path / "office.pdf") as pdf:
        first_lines = [line["text"] for line in pdf.pages[0].extract_text_lines()][:3]
    assert "完成情况汇总表" not in first_lines[0]  # the title really is on two lines
    for name in ("office.docx", "office.pdf"):
        parsed = parse_table(tmp_path / name)
        for key in ("title", "issuing_office", "period", "year", "as_of"):
            assert parsed.metadata[key] == real_parsed.metadata[key], (name, key)
        assert len(parsed.tasks) == len(real_parsed.tasks)


def test_a_leader_heading_is_never_the_title():
    from src.table.document import grid_metadata

    metadata = grid_metadata([("2020年重点工作", 0), ("1-9月完成情况汇总表", 0), ("某市人民政府督查室", 0),
                              ("刘忻市长主抓重点工作", 1)], "x.docx")
    assert (metadata["title"], metadata["period"], metadata["as_of"]) == (
        "2020年重点工作1-9月完成情况汇总表", "前三季度", "2020-09-30")
    assert grid_metadata([("刘忻市长主抓重点工作", 1)], "x.docx")["title"] is None


def _damaged_docx(path):
    """A Word table whose third row lost two of its five cells (a damaged file)."""
    import docx

    document = docx.Document()
    document.add_paragraph("2020年政府工作报告重点工作半年度完成情况汇总表")
    document.add_paragraph("某市人民政府督查室")
    document.add_heading("刘忻市长主抓重点工作", level=2)
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ["序号", "重点工作", "牵头单位", "进展情况", "存在问题及下一步工作安排"]):
        cell.text = text
    for number in (1, 2, 3):
        for cell, text in zip(table.add_row().cells, [str(number), f"推进第{number}项工程建设。", "市建委",
                                                      "完成年度计划的60%。", "下一步：加快推进。"]):
            cell.text = text
    row = table.rows[2]._tr
    for cell in row.tc_lst[3:]:
        row.remove(cell)
    document.save(path)
    return path


def test_a_physically_short_word_row_stops_the_build_naming_table_row_and_task(tmp_path):
    import subprocess
    import sys

    raw = _damaged_docx(tmp_path / "damaged.docx")
    result = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(raw), "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True, env={**__import__("os").environ, "ACCEPT_DAMAGED": ""})
    assert result.returncode == 2, result.stderr
    message = result.stdout + result.stderr
    assert "第1个表格:第3行" in message and "缺了 2 个单元格" in message
    assert "序号 2" in message and "推进第2项工程建设" in message and "--accept-damaged" in message
    assert not (tmp_path / "out" / "reports" / "overview.html").exists()


def test_an_accepted_damaged_row_reads_empty_and_is_warned(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCEPT_DAMAGED", "1")
    parsed = parse_table(_damaged_docx(tmp_path / "damaged.docx"))
    row = parsed.tasks.set_index("task_id").loc[2]
    assert row["progress"] == "" and row["lead_unit"] == "市建委"
    warnings = " ".join(parsed.quality["warnings"])
    assert "第1个表格第3行" in warnings and "缺的 2 格按空白读入" in warnings and "未报送" in warnings
