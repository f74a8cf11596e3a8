"""Text PDFs (as offices publish them), read with pdfplumber.

Page by page, top to bottom: the text lines outside tables (title, office,
date, leader headings, page numbers) are text rows; each table row is a cells
row. A cell's line breaks where its text merely wrapped (the line reaches the
cell's right edge) are joined; breaks before a numbered item are kept. The
header a table repeats on each page and the remainder of a row split across
two pages (a row without 序号) are left to the grammar, which knows what a
header and a task are. A PDF without any text (a scan) cannot be read: OCR is
not done here.
"""
from __future__ import annotations

import re
from pathlib import Path

from src.table.ingest.rows import RawRow, RawTable
from src.table.problems import RawTableError

_SENTENCE_END = "。；;：:！!？?"
_ITEM_START = re.compile(
    r"^\s*(\d{1,2}[.．、](?!\d)|（\d{1,2}）|\(\d{1,2}\)|[一二三四五六七八九十]{1,2}[、.．]|[（(][一二三四五六七八九十]{1,2}[）)]|[①-⑳]"
    r"|存在的?问题|下一步|主要问题)"
)


def _table_settings(page) -> dict:
    """Ruled tables, plus a ruling where the column lines start and end: the part
    of a row split across pages has no border at the page break."""
    vertical = [edge for edge in page.edges if edge["orientation"] == "v"]
    if not vertical:
        return {}
    return {"explicit_horizontal_lines": [min(e["top"] for e in vertical), max(e["bottom"] for e in vertical)]}


def _page_rows(page, label: str) -> list[RawRow]:
    tables = page.find_tables(_table_settings(page))
    boxes = [table.bbox for table in tables]

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    items: list[tuple[float, int, list[RawRow]]] = []
    for line in page.filter(outside).extract_text_lines():
        text = line["text"].strip()
        if text:
            items.append((line["top"], 0, [RawRow([text], 0, kind="text", table=label)]))
    for table in tables:
        table_rows = []
        for cells in _extract(page, table):
            values = list(cells)
            while values and values[-1] == "":
                values.pop()
            kind = "cells" if any(v for v in values) else "blank"
            table_rows.append(RawRow(values, 0, kind=kind, table=label))
        items.append((table.bbox[1], 1, table_rows))
    ordered = [row for _, _, block in sorted(items, key=lambda item: (item[0], item[1])) for row in block]
    for number, row in enumerate(ordered, start=1):
        row.line = number
    return ordered


def _extract(page, table) -> list[list[str | None]]:
    """The table's cells, like pdfplumber's ``Table.extract`` (same words, same
    lines), with each cell's lines joined where the text only wrapped.
    ``None`` where the grid has no cell (a merged cell)."""
    from pdfplumber.utils import cluster_objects, extract_words  # cold start: pdfplumber only for a PDF table

    def inside(char, box) -> bool:
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        return box[0] <= x < box[2] and box[1] <= y < box[3]

    rows = []
    for row in table.rows:
        row_chars = [char for char in page.chars if inside(char, row.bbox)]
        values: list[str | None] = []
        for box in row.cells:
            if box is None:
                values.append(None)
                continue
            chars = [char for char in row_chars if inside(char, box)]
            if not chars:
                values.append("")
                continue
            words = extract_words(chars)
            lines = [
                (" ".join(word["text"] for word in line), min(w["x0"] for w in line), max(w["x1"] for w in line))
                for line in cluster_objects(words, lambda word: word["top"], 3)
            ]
            size = sorted(char["size"] for char in chars)[len(chars) // 2]
            values.append(join_wrapped_lines(lines, box[0], box[2], size))
        rows.append(values)
    return rows


def join_wrapped_lines(lines: list[tuple[str, float, float]], left: float, right: float, size: float) -> str:
    r"""Join the (text, x0, x1) lines of one cell where the text wrapped.

    A line ending within 1.5 characters of the right edge (4.5 when it does not
    end a sentence: a number or a word may not have fitted) wrapped, unless the
    next line starts a numbered item; other breaks are kept.

    >>> join_wrapped_lines([("全面推进依法", 10, 98), ("行政。", 10, 40), ("1. 第一项", 10, 50)], 8, 100, 9)
    '全面推进依法行政。\n1. 第一项'
    """
    if not lines:
        return ""
    padding = max(0.0, min(x0 for _, x0, _ in lines) - left)
    limit = right - padding
    out: list[list] = []
    for text, _, x1 in lines:
        text = text.strip()
        if not text:
            continue
        if out:
            before, end = out[-1]
            room = (1.5 if before[-1:] in _SENTENCE_END else 4.5) * size
            if limit - end <= room and not _ITEM_START.match(text):
                joiner = " " if re.search(r"[A-Za-z0-9%]$", before) and re.match(r"[A-Za-z0-9]", text) else ""
                out[-1] = [before + joiner + text, x1]
                continue
        out.append([text, x1])
    return "\n".join(text for text, _ in out)


def read_pdf(path: Path) -> RawTable:
    import pdfplumber  # cold start: pdfplumber only for a PDF table

    try:
        pdf = pdfplumber.open(str(path))
    except Exception as error:  # pdfminer raises several kinds for a damaged file
        raise RawTableError(path, None, f"无法读取 PDF：{error} (cannot read the PDF)") from None
    rows: list[RawRow] = []
    with pdf:
        if not any(page.chars for page in pdf.pages):
            if any(page.images for page in pdf.pages):
                raise RawTableError(
                    path, None,
                    "不支持扫描件：这个 PDF 是扫描的图片，没有可读取的文字。请向报送单位索取 Word/Excel 原件，"
                    "或先用 OCR 软件转成文字版 PDF (scanned PDF: no text layer; OCR is not supported)",
                )
            raise RawTableError(path, None, "PDF 中没有任何文字 (the PDF has no text)")
        for number, page in enumerate(pdf.pages, start=1):
            rows.extend(_page_rows(page, f"第{number}页"))
    return RawTable(path, "pdf", rows, markup="text", grid=True, wrapped_lines=True)
