"""Word documents (.docx), read with python-docx.

Paragraphs and tables in document order: a paragraph is a text row (its
heading level from the style, "Heading 2"/"标题 2", so a leader heading above
each table is a section), a table row is a cells row. Each paragraph of a cell
is one line; a table nested in a cell gives one line per row (its cells joined by "；"). A merged cell gives its text once: the rest of its first row is
empty (``""``), the rows it covers below are ``None`` ("the same as above").
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from src.table.ingest.rows import RawRow, RawTable
from src.table.problems import ParseIssue, RawTableError

ACCEPT_DAMAGED_ENV = "ACCEPT_DAMAGED"  # set by --accept-damaged (make reports ACCEPT_DAMAGED=1)

_HEADING = re.compile(r"(?:heading|标题)\s*(\d)", re.IGNORECASE)


def _level(paragraph) -> int:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title" or name == "标题":
        return 1
    match = _HEADING.search(name)
    return int(match.group(1)) if match else 0


def _cell_text(cell) -> str:
    """The cell's paragraphs, one per line; a table nested in the cell is read too: each of its rows
    one line, its cells joined by "；" (nested again: the same, inside)."""

    lines = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                texts = [text for text in dict.fromkeys(_cell_text(inner).replace("\n", "；") for inner in row.cells) if text]
                if texts:
                    lines.append("；".join(texts))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def read_docx(path: Path) -> RawTable:
    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises several kinds for a damaged file
        raise RawTableError(path, None, f"无法读取 Word 文件：{error} (cannot read the .docx)") from None
    rows: list[RawRow] = []
    notes: list[ParseIssue] = []
    paragraph_no = table_no = 0
    for element in _body_blocks(document.element.body):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph_no += 1
            paragraph = Paragraph(element, document)
            text = paragraph.text
            if text.strip():
                rows.append(RawRow([text], paragraph_no, kind="text", level=_level(paragraph), table="正文段落"))
            else:
                rows.append(RawRow([], paragraph_no, kind="blank", table="正文段落"))
        elif tag == "tbl":
            table_no += 1
            rows.extend(_table_rows(Table(element, document), f"第{table_no}个表格", path, notes))
    if not any(row.filled for row in rows):
        raise RawTableError(path, None, "Word 文件中没有任何文字 (the document is empty)")
    return RawTable(path, "docx", rows, markup="text", grid=True, notes=notes)


def _body_blocks(body):
    """Paragraphs and tables in order, including those inside content controls
    (``w:sdt``, which some templates wrap around a table)."""
    for element in body.iterchildren():
        if element.tag.rsplit("}", 1)[-1] == "sdt":
            for content in element.iterchildren():
                if content.tag.rsplit("}", 1)[-1] == "sdtContent":
                    yield from _body_blocks(content)
        else:
            yield element


def _short_by(table, row) -> int:
    """How many grid columns a row physically lacks: its cells (with their spans) and
    the columns it declares skipped (``gridBefore`` / ``gridAfter``) cover fewer columns
    than the table's grid. 0 for a whole row."""
    columns = len(table._tbl.tblGrid.gridCol_lst)
    tr = row._tr
    covered = sum(tc.grid_span for tc in tr.tc_lst) + (tr.grid_before or 0) + (tr.grid_after or 0)
    return max(0, columns - covered)


def _damaged(path, table_label: str, number: int, values: list, missing: int, notes: list) -> list:
    """A row with cells physically missing (a damaged file, a bad copy-paste): the build
    stops naming the table, row and task, unless the analyst accepts it
    (``--accept-damaged``): then its missing cells read as empty at the row's end (so a
    missing 进展情况 makes the task 未报送) and the data-quality summary says so."""
    present = [v for v in values if v not in ("", None)]
    task_id = present[0].strip() if present else ""
    task = " ".join(present[1].split())[:30] if len(present) > 1 else ""
    which = f"序号 {task_id}" + (f"，任务“{task}”" if task else "")
    width = len(values) + missing
    if os.environ.get(ACCEPT_DAMAGED_ENV, "").strip() not in ("", "0"):
        notes.append(ParseIssue(number, f"这一行只有 {len(values)} 格、表格有 {width} 列，缺的 {missing} 格按空白读入（{which}）；"
                                        "进展情况为空的任务按未报送发布，请向报送单位核实", None, table_label))
        return values + [""] * missing
    raise RawTableError(
        path, number,
        f"这一行缺了 {missing} 个单元格（只有 {len(values)} 格，表格有 {width} 列），{which}：Word 文件中这一行已损坏，"
        "无法知道缺的是哪几列。请在 Word 中补全这一行的单元格后重新生成；确认按“未报送”发布时加 --accept-damaged"
        "（make reports ACCEPT_DAMAGED=1） (a physically short row: cells missing)",
        table=table_label,
    )


def _table_rows(table, label: str, path=None, notes: list | None = None) -> list[RawRow]:
    rows = []
    above: list = []
    for number, row in enumerate(table.rows, start=1):
        cells = list(row.cells)
        values: list[str | None] = []
        for position, cell in enumerate(cells):
            if position and cell._tc is cells[position - 1]._tc:
                values.append("")  # the rest of a cell merged across
            elif position < len(above) and cell._tc is above[position]._tc:
                values.append(None)  # a cell merged down from the row above
            else:
                values.append(_cell_text(cell))
        above = cells
        missing = _short_by(table, row)
        if missing and any(v not in ("", None) for v in values):
            values = _damaged(path, label, number, values, missing, notes if notes is not None else [])
        while values and values[-1] == "":
            values.pop()
        kind = "cells" if any(v not in ("", None) for v in values) else "blank"
        rows.append(RawRow(values, number, kind=kind, table=label))
    return rows
