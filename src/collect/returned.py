"""Reading one returned workbook, whatever saved it (Excel, WPS, LibreOffice;
.xlsx, .xls or .ods; renamed, rows sorted, rows added): the hidden 回传信息
(period, unit, fingerprint), the header by its names, every filled row with its
row number, and when it was saved. Nothing is matched or judged here.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from src.collect.settings import HEADERS, INFO_SHEET, KEY_HEADER, MAIN_SHEET, squash
from src.table.ingest.excel import cell_text

READABLE = {".xlsx", ".xlsm", ".xls", ".et", ".ods"}
_WANTED = {squash(name): name for name in HEADERS}
_NEEDED = ("重点工作", "进展情况")


@dataclass
class Fault:
    file: str
    row: int | None
    text: str
    level: str = "错误"  # 错误: the office must act; 提示: read, with an assumption stated

    def line(self) -> str:
        where = f"第{self.row}行：" if self.row else ""
        return f"【{self.level}】{self.file}：{where}{self.text}"


@dataclass
class ReturnedRow:
    row: int  # as the unit sees it in its sheet
    key: str
    cells: dict  # header -> raw value (str, float, datetime…)

    def text(self, name: str) -> str:
        return cell_text(self.cells.get(name)).strip()


@dataclass
class ReturnedFile:
    path: Path
    saved_at: dt.datetime | None = None  # aware
    info: dict = field(default_factory=dict)  # 回传信息: 统计期, 填报单位, 指纹…
    info_keys: list[str] = field(default_factory=list)
    title: str = ""
    unit_line: str = ""
    sheet: str = ""
    rows: list[ReturnedRow] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    unreadable: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    def fault(self, row: int | None, text: str, level: str = "错误") -> None:
        self.faults.append(Fault(self.name, row, text, level))


def read_return(path: Path) -> ReturnedFile:
    returned = ReturnedFile(Path(path))
    try:
        with open(path, "rb") as handle:  # by content, not extension: WPS may save .xls under .xlsx
            book = CalamineWorkbook.from_filelike(handle)
            sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    except Exception as error:  # calamine's own error classes: damaged, encrypted, not a workbook
        returned.unreadable = True
        returned.fault(None, f"无法读取（{type(error).__name__}）：文件可能已损坏、设有打开密码或不是工作簿，请单位重新报送 .xlsx")
        return returned
    returned.saved_at = saved_time(returned.path)
    if INFO_SHEET in sheets:
        _read_info(returned, sheets[INFO_SHEET])
    found = _main_sheet(sheets)
    if found is None:
        returned.unreadable = True
        returned.fault(None, "找不到填报表：没有同时含“重点工作”和“进展情况”表头的工作表（表头被改名或删除？）")
        return returned
    name, grid, header_at, columns = found
    returned.sheet = name
    returned.title = _first_text(grid[:header_at])
    returned.unit_line = next((_cell(r[0]) for r in grid[:header_at] if r and "填报单位" in _cell(r[0])), "")
    for index in range(header_at + 1, len(grid)):
        values = grid[index]
        cells = {header: values[c] if c < len(values) else "" for header, c in columns.items()}
        if all(_cell(v) == "" for v in cells.values()):
            continue
        key = _cell(cells.pop(KEY_HEADER, ""))
        returned.rows.append(ReturnedRow(index + 1, key, cells))
    return returned


def _cell(value) -> str:
    return cell_text(value).strip()


def _first_text(rows) -> str:
    for row in rows:
        for value in row:
            if _cell(value):
                return _cell(value)
    return ""


def _main_sheet(sheets: dict):
    ordered = sorted(sheets.items(), key=lambda item: item[0] != MAIN_SHEET)  # its own name first
    for name, grid in ordered:
        for index, row in enumerate(grid[:30]):
            columns = {}
            for position, value in enumerate(row):
                header = _WANTED.get(squash(_cell(value)))
                if header is None and squash(_cell(value)).startswith("回传编号"):
                    header = KEY_HEADER
                if header and header not in columns:
                    columns[header] = position
            if all(needed in columns for needed in _NEEDED):
                return name, grid, index, columns
    return None


def _read_info(returned: ReturnedFile, grid) -> None:
    for row in grid:
        cells = [_cell(v) for v in row] + ["", ""]
        if cells[0] == "回传编号":
            continue
        if re.fullmatch(r"\d+-[0-9a-f]{8}", cells[0]):
            returned.info_keys.append(cells[0])
        elif cells[0]:
            returned.info[cells[0]] = cells[1]


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def saved_time(path: Path) -> dt.datetime:
    """When the unit last saved it: the workbook's own record (docProps/core.xml,
    which Excel, WPS and LibreOffice write on saving), else the file's time."""
    try:
        with zipfile.ZipFile(path) as archive:
            match = _MODIFIED.search(archive.read("docProps/core.xml"))
        if match:
            stamp = dt.datetime.fromisoformat(match.group(1).decode().strip().replace("Z", "+00:00"))
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
