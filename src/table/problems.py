"""What can go wrong with a raw table: the fatal error and the repaired oddity.

:class:`RawTableError` stops the build with a message naming the file, the
sheet or table (for formats that have several), the line or row and the fault;
:class:`ParseIssue` is a repaired oddity listed in the data-quality summary.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RawTableError(ValueError):
    """A fault in the raw table that the parser cannot repair.

    >>> str(RawTableError("a.md", 12, "字段数为 3"))
    'a.md:12: 字段数为 3'
    >>> str(RawTableError("a.xlsx", 7, "字段数为 3", table="工作表“汇总”"))
    'a.xlsx:工作表“汇总”:第7行: 字段数为 3'
    """

    def __init__(self, path: str | Path, line: int | None, message: str, table: str | None = None):
        self.path = str(path)
        self.line = line
        self.table = table
        self.reason = message
        if table:
            where = f"{self.path}:{table}" + (f":第{line}行" if line else "")
        else:
            where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class IncompleteTableError(RuntimeError):
    """Rows read and rows written differ: something was lost."""


@dataclass(frozen=True)
class ParseIssue:
    """A repaired oddity, shown in the data-quality summary.

    ``table`` names the sheet, Word table or PDF page for formats that have
    several; a Markdown or CSV file has one table and leaves it empty.
    """

    line: int | None
    message: str
    task_id: int | None = None
    table: str | None = None

    def __str__(self) -> str:
        where = f"第{self.line}行" if self.line else ("" if self.table else "文件")
        if self.table:
            where = f"{self.table}{where}"
        task = f"（序号 {self.task_id}）" if self.task_id is not None else ""
        return f"{where}{task}：{self.message}"
