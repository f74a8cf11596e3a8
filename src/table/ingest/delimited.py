"""CSV (and tab-separated) files, as Excel and WPS save them: UTF-8 with or
without BOM, or GBK/GB18030; comma, tab or semicolon separated; a quoted cell
may hold line breaks."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from src.table.cells import read_raw_text
from src.table.ingest.rows import RawRow, RawTable
from src.table.problems import RawTableError


def _delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    sample = text[:20000]
    counts = {sep: sample.count(sep) for sep in [",", "\t", ";"]}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        return ","
    return best


# A cell of any length is read (the csv module's default stops at 128 KB with an error); the cell cleaner
# then cuts an oversized cell with a warning naming its row (src.table.cells, [cells] in table_format.toml).
csv.field_size_limit(2**31 - 1)


def read_delimited(path: Path) -> RawTable:
    text, encoding, _ = read_raw_text(path)  # BOM, CRLF and GBK are how Excel and WPS save CSV: not warnings
    delimiter = _delimiter(text, path.suffix.lower())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[RawRow] = []
    line = 1
    try:
        for record in reader:
            kind = "cells" if any(cell.strip() for cell in record) else "blank"
            rows.append(RawRow(list(record), line, kind=kind))
            line = reader.line_num + 1
    except csv.Error as error:
        raise RawTableError(path, reader.line_num, f"CSV 格式错误：{error} (malformed CSV)") from None
    # Columns empty in every row past the last used one (a spreadsheet saved wider
    # than its table) are not part of the table.
    used = max((i + 1 for row in rows for i, cell in enumerate(row.cells) if cell.strip()), default=0)
    for row in rows:
        if len(row.cells) > used:
            row.cells = row.cells[:used]
    return RawTable(path, "csv", rows, markup="text", grid=False, encoding=encoding)
