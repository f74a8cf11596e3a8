"""What stands above and at the top of a key-task table, for :mod:`src.table.grammar`.

The document header (title, issuing office, date → period and reference date),
where the leaders come from (sections, a column, one sheet each, or none), and
the header row: its column names (synonyms in ``data/reference/table_format.toml``),
a second header row under merged header cells, a repeat of it, and the check that
the required columns are there. A table with no header row gets an error that shows
the row most like one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from src.table.document import grid_metadata, markdown_metadata
from src.table.ingest.rows import RawRow, RawTable
from src.table.problems import ParseIssue, RawTableError
from src.table.records import RECORD_COLUMNS
from src.table.vocabulary import (
    cell_text,
    column_label,
    header_names,
    is_header,
    parse_leader_heading,
    parse_section_row,
    required_columns,
    squash,
    table_format,
)


@dataclass
class Header:
    names: list[str]  # one per column: a field name or the header text
    index: dict[str, int]  # field → column
    row: RawRow
    first_names: tuple = ()  # the header row as found (a repeat of it is recognised)
    sub_names: tuple | None = None  # a second header row under merged header cells
    open: bool = True  # no task row yet: a second header row may follow
    checked: bool = False
    record_columns: tuple = ()  # (field, column) for each field of a task record the header has

    def __post_init__(self) -> None:
        self.set_index(self.index)

    def set_index(self, index: dict[str, int]) -> None:
        self.index = index
        self.record_columns = tuple((name, index[name]) for name in RECORD_COLUMNS if name in index)


def column_index(names: list[str]) -> dict[str, int]:
    """Field → column, for each recognised field (its first column)."""
    known = table_format()["columns"]
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in known and name not in index:
            index[name] = position
    return index


def is_task_number(text: str) -> bool:
    """A cell holding only a task number ("3", "3.0", "3、")."""
    return bool(_TASK_NUMBER.fullmatch(text or ""))


_TASK_NUMBER = re.compile(r"\s*[0-9０-９]+(\.0)?\s*[.、]?\s*")


def _error(path, row: RawRow | None, message: str) -> RawTableError:
    if row is None:
        return RawTableError(path, None, message)
    return RawTableError(path, row.line, message, table=row.table)


# --------------------------------------------------------------------------
# above the table
# --------------------------------------------------------------------------
def leader_mode(raw: RawTable) -> tuple[str, set]:
    """Where leaders come from: "sections", "column", "sheets" or "none"; and the
    sheets that have a header row at all."""
    rows, markup, markdown = raw.rows, raw.markup, raw.format == "markdown"
    column = False
    # Only named sheets are ever looked up here (rows outside a sheet have
    # sheet None), and one header row is enough for a sheet.
    sheets_with_header = set()
    for row in rows:
        if row.sheet is not None and row.sheet not in sheets_with_header and row.kind == "cells" \
                and is_header(row.cells, markup):
            sheets_with_header.add(row.sheet)
    for row in rows:
        if row.kind == "text" and markdown:
            if row.level >= 2 and parse_leader_heading(row.cells[0]):
                return "sections", sheets_with_header
        elif row.kind == "text" or (row.kind == "cells" and not markdown and len(row.filled) == 1):
            text = row.filled[0] if row.filled else ""
            if not markdown and parse_section_row(text) and not is_task_number(text):
                return "sections", sheets_with_header
        elif row.kind == "cells" and is_header(row.cells, markup):
            if "leader" in header_names(tuple(row.cells), markup):
                column = True
    if column:
        return "column", sheets_with_header
    sheets = [sheet for sheet in sheets_with_header if sheet is not None]
    if sheets and all(parse_section_row(sheet) for sheet in sheets):
        return "sheets", sheets_with_header  # one sheet per leader, named after the leader
    return "none", sheets_with_header


def read_metadata(raw: RawTable, sheets_with_header: set | None = None) -> dict:
    """The document header above the table (title, office, date → period, as_of).
    ``sheets_with_header``: when known, the rows of other sheets (notes) are skipped."""
    rows = raw.rows
    if raw.format == "markdown":
        return markdown_metadata([r.source or "" for r in rows], raw.path)
    texts = []
    for row in rows:
        if row.sheet is not None and sheets_with_header is not None and row.sheet not in sheets_with_header:
            continue  # a notes sheet before the table
        if row.kind == "cells" and is_header(row.cells, raw.markup):
            break
        if row.kind == "text" or row.kind == "cells":
            text = " ".join(cell_text(c, raw.markup) for c in row.filled)
            if text:
                texts.append((text, row.level))
    return grid_metadata(texts, raw.path)


# --------------------------------------------------------------------------
# the header row
# --------------------------------------------------------------------------
def header_row_names(row: RawRow, sheet_header: Header | None, markup: str) -> list[str] | tuple:
    """The header row's names, trailing empty ones dropped (the sheet's first names when it
    repeats the sheet's header word for word)."""
    if sheet_header is not None and row.cells == sheet_header.row.cells:
        return sheet_header.first_names  # the header row again, word for word: the same names
    names = list(header_names(tuple(row.cells), markup))
    while names and names[-1] == "":
        names.pop()
    return names


def merge_sub_header(row: RawRow, header: Header, markup: str) -> bool:
    """A second header row under merged header cells (进展情况 over 完成情况 |
    完成率): its names replace the merged cell's for those columns. False when
    ``row`` is not one."""
    if not header.open or row.kind != "cells":
        return False
    names = header_names(tuple(row.cells), markup)
    known = table_format()["columns"]
    filled = [i for i, cell in enumerate(row.cells) if cell is not None and cell.strip()]
    if not filled or not all(names[i] in known and names[i] != "task_id" for i in filled):
        return False
    merged = list(header.names) + [""] * max(0, len(row.cells) - len(header.names))
    for position in filled:
        merged[position] = names[position]
    header.names, header.sub_names = merged, tuple(names)
    header.set_index(column_index(merged))
    return True


def check_header(header: Header, markup: str, path, reported_columns: set) -> list[ParseIssue]:
    """Required columns present (else stop, naming the columns found); unknown
    and doubled columns are warned about once per layout (``reported_columns``)."""
    if header.checked:
        return []
    header.checked = True
    row, names, index = header.row, header.names, header.index
    known = table_format()["columns"]
    found = " / ".join(squash(cell_text(c, markup)) for c in row.cells if c and c.strip())
    missing = [name for name in required_columns() if name not in index]
    if missing:
        labels = "、".join(column_label(name) for name in missing)
        raise _error(
            path,
            row,
            f"表头缺少“{labels}”列：找到的列为 {found}；"
            f"如果这一列换了名称，请在 data/reference/table_format.toml 中加上这个名称 "
            f"(header row lacks column {', '.join(missing)}; columns found: {found})",
        )
    issues = []
    signature = tuple(names)
    if signature not in reported_columns:
        reported_columns.add(signature)
        unknown = [n for n in names if n and n not in known]
        doubled = [n for pos, n in enumerate(names) if n in known and index[n] != pos]
        if unknown:
            issues.append(ParseIssue(row.line, f"未识别的列：{'、'.join(unknown)}（未读入；如需读入，在 table_format.toml 中加上列名）",
                                     None, row.table))
        if doubled:
            issues.append(ParseIssue(row.line, f"重复的列：{'、'.join(column_label(n) for n in doubled)}（只读入第一列）",
                                     None, row.table))
    return issues


def no_header_error(raw: RawTable) -> RawTableError:
    """No header row recognised: say what a header needs, and show the row
    that looks most like one, so an analyst knows which name to add."""
    needed = "、".join(column_label(name) for name in required_columns())
    candidates = [row for row in raw.rows if row.kind == "cells" and len(row.filled) >= 3]
    if not candidates:
        if raw.format == "pdf":
            return _error(raw.path, None, "PDF 中没有找到带表格线的表格（没有表格线的 PDF 无法可靠地分列），请索取 Word/Excel 原件 "
                          "(no ruled table found in the PDF; no table rows found)")
        return _error(raw.path, None, "没有找到任何数据行：文件中没有表格 (no table rows found)")
    row = candidates[0]
    shown = " / ".join(squash(cell_text(c, raw.markup)) for c in row.filled)
    return _error(
        raw.path,
        row,
        f"没有找到表头行：表头需要有 {needed} 这几列（列名的同义词见 data/reference/table_format.toml）；"
        f"第一个像表格的行是 {shown[:200]} (no header row found; no table rows found)",
    )
