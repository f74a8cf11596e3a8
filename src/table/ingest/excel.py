"""Excel workbooks, .xlsx and legacy .xls (as WPS and old Excel save them).

Read with python-calamine (one reader for both, fast); without it, .xlsx falls
back to openpyxl and .xls to xlrd. Every visible sheet is read in order; each
keeps its own header. Cells become text (``3.0`` → ``3``, a date →
``2021-09-30``), line breaks inside a cell kept. A merged cell gives its value
at the top-left; the other cells of its first row are empty (``""``) and the
cells of the rows below are ``None``, which the grammar reads as "the same as
the row above" (a leader or lead unit merged over several tasks).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import xlrd
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from src.table.ingest.rows import RawRow, RawTable
from src.table.problems import ParseIssue, RawTableError


def cell_text(value) -> str:
    """A spreadsheet value as the text a reader sees.

    >>> cell_text(3.0), cell_text(2.5), cell_text(dt.date(2021, 9, 30)), cell_text(None)
    ('3', '2.5', '2021-09-30', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_workbook(path: Path, fmt: str) -> RawTable:
    try:
        sheets, notes = _read_calamine(path)
    except ImportError:
        sheets, notes = (_read_openpyxl(path) if fmt == "xlsx" else _read_xlrd(path)), []
    if fmt == "xls" and path.suffix.lower() == ".xlsx":
        notes.append(ParseIssue(None, "文件扩展名为 .xlsx，实际是旧版 .xls 格式（WPS 常见），已按 .xls 读入"))
    rows: list[RawRow] = []
    for name, grid, merged in sheets:
        rows.extend(_sheet_rows(name, grid, merged))
    if not any(row.filled for row in rows):
        raise RawTableError(path, None, "工作簿中没有任何内容 (the workbook has no cells with content)")
    return RawTable(path, fmt, rows, markup="text", grid=True, notes=notes)


def _sheet_rows(name: str, grid: list[list[str]], merged: list[tuple[int, int, int, int]]) -> list[RawRow]:
    """Rows of one sheet, merged regions applied, columns empty everywhere dropped."""
    cells: list[list[str | None]] = [list(row) for row in grid]
    for top, left, bottom, right in merged:
        for r in range(top, min(bottom, len(cells) - 1) + 1):
            for c in range(left, right + 1):
                if (r, c) == (top, left) or c >= len(cells[r]):
                    continue
                cells[r][c] = "" if r == top else None
    width = max((len(row) for row in cells), default=0)
    used = [c for c in range(width) if any(c < len(row) and row[c] not in ("", None) for row in cells)]
    label = f"工作表“{name}”"
    rows = []
    for r, row in enumerate(cells):
        picked = [row[c] if c < len(row) else "" for c in used]
        while picked and picked[-1] == "":
            picked.pop()
        kind = "cells" if any(cell not in ("", None) for cell in picked) else "blank"
        rows.append(RawRow(picked, r + 1, kind=kind, table=label, sheet=name))
    return rows


def _read_calamine(path: Path):
    try:
        with open(path, "rb") as handle:  # by content, not extension: WPS may save .xls as .xlsx
            workbook = CalamineWorkbook.from_filelike(handle)
    except Exception as error:  # calamine raises its own error classes for damaged files
        raise RawTableError(
            path, None,
            f"无法读取工作簿（{error}）：文件可能已损坏或设有打开密码，请在 Excel/WPS 中打开后另存为 .xlsx（不设密码） "
            "(cannot read the workbook: damaged or password-protected)",
        ) from None
    sheets, notes = [], []
    for meta in workbook.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            notes.append(ParseIssue(None, f"隐藏的工作表“{meta.name}”未读入"))
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
        except Exception:  # a chart sheet, not a worksheet
            continue
        grid = [[cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        merged = [(top, left, bottom, right) for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])]
        sheets.append((meta.name, grid, merged))
    return sheets, notes


def _read_openpyxl(path: Path):
    workbook = openpyxl.load_workbook(path, read_only=False, data_only=True)
    sheets = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        grid = [[cell_text(v) for v in row] for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)]
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in sheet.merged_cells.ranges]
        sheets.append((sheet.title, grid, merged))
    return sheets


def _read_xlrd(path: Path):
    book = xlrd.open_workbook(str(path), formatting_info=True)
    sheets = []
    for sheet in book.sheets():
        if sheet.visibility:
            continue
        grid = []
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                else:
                    row.append(cell_text(cell.value))
            grid.append(row)
        merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        sheets.append((sheet.name, grid, merged))
    return sheets
