"""Word documents (.docx), read with python-docx.

Paragraphs and tables in document order: a paragraph is a text row (its
heading level from the style, "Heading 2"/"标题 2", so a leader heading above
each table is a section), a table row is a cells row. Each paragraph of a cell
is one line; a table nested in a cell gives one line per row (its cells joined by "；"). A merged cell gives its text once: the rest of its first row is
empty (``""``), the rows it covers below are ``None`` ("the same as above").
"""
from __future__ import annotations

import re
from pathlib import Path

from src.ingest.rows import RawRow, RawTable
from src.table_problems import RawTableError

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
    from docx.table import Table

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
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises several kinds for a damaged file
        raise RawTableError(path, None, f"无法读取 Word 文件：{error} (cannot read the .docx)") from None
    rows: list[RawRow] = []
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
            rows.extend(_table_rows(Table(element, document), f"第{table_no}个表格"))
    if not any(row.filled for row in rows):
        raise RawTableError(path, None, "Word 文件中没有任何文字 (the document is empty)")
    return RawTable(path, "docx", rows, markup="text", grid=True)


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


def _table_rows(table, label: str) -> list[RawRow]:
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
        while values and values[-1] == "":
            values.pop()
        kind = "cells" if any(v not in ("", None) for v in values) else "blank"
        rows.append(RawRow(values, number, kind=kind, table=label))
    return rows
