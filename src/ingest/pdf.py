"""Text PDFs (as offices publish them), read with pdfplumber.

Page by page, top to bottom: the text lines outside tables (title, office,
date, leader headings, page numbers) are text rows; each table row is a cells
row. A cell's line breaks where its text merely wrapped are joined (kept where
a sentence ends or a numbered item starts). The header a table repeats on each
page and the remainder of a row split across two pages (a row without 序号) are
left to the grammar, which knows what a header and a task are. A PDF without
any text (a scan) cannot be read: OCR is not done here.
"""
from __future__ import annotations

import re
from pathlib import Path

from src.ingest.rows import RawRow, RawTable
from src.table_problems import RawTableError

_SENTENCE_END = "。；;：:！!？?"
_ITEM_START = re.compile(
    r"^\s*(\d{1,2}[.．、](?!\d)|（\d{1,2}）|\(\d{1,2}\)|[一二三四五六七八九十]{1,2}[、.．]|[（(][一二三四五六七八九十]{1,2}[）)]|[①-⑳]"
    r"|存在的?问题|下一步|主要问题)"
)


def unwrap(text: str | None) -> str | None:
    """Join the lines of a PDF cell where the text only wrapped.

    >>> unwrap("深入落实全面从严治党主体\\n责任。\\n1. 第一项")
    '深入落实全面从严治党主体责任。\\n1. 第一项'
    """
    if text is None:
        return None
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        if out and not (out[-1][-1:] in _SENTENCE_END or _ITEM_START.match(line)):
            joiner = " " if re.search(r"[A-Za-z0-9]$", out[-1]) and re.match(r"[A-Za-z]", line) else ""
            out[-1] = out[-1] + joiner + line
        else:
            out.append(line)
    return "\n".join(out)


def read_pdf(path: Path) -> RawTable:
    import pdfplumber

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
        for cells in table.extract():
            values = [unwrap(cell) for cell in cells]
            while values and values[-1] == "":
                values.pop()
            kind = "cells" if any(v for v in values) else "blank"
            table_rows.append(RawRow(values, 0, kind=kind, table=label))
        items.append((table.bbox[1], 1, table_rows))
    ordered = [row for _, _, block in sorted(items, key=lambda item: (item[0], item[1])) for row in block]
    for number, row in enumerate(ordered, start=1):
        row.line = number
    return ordered
