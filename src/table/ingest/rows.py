"""The one shape every reader gives: a list of raw rows.

A reader knows its format (bytes, cells, merged regions, pages) and nothing
about key-task tables; :mod:`src.table.grammar` knows the table and nothing
about formats. Between them is :class:`RawTable`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from src.table.problems import ParseIssue


@dataclass(slots=True)  # many thousands per table: no per-row __dict__
class RawRow:
    """One row as found.

    ``kind`` is ``"cells"`` (a table row), ``"text"`` (a line or paragraph outside
    any table: title, office, date, a heading) or ``"blank"``. ``cells`` holds the
    cell texts with their line breaks (``None`` for the covered part of a merged
    cell); a text row has one cell. ``line`` is the line (Markdown, CSV) or the row
    number inside ``table`` (a sheet, a Word table, a PDF page), which messages name.
    ``level`` is a heading level (Markdown ``#``, Word "Heading N"), 0 otherwise.
    ``sheet`` groups rows that share one header (an Excel sheet); ``None`` elsewhere.
    """

    cells: list[str | None]
    line: int
    kind: str = "cells"
    level: int = 0
    table: str | None = None
    sheet: str | None = None
    source: str | None = None  # Markdown: the line as written
    trailing_space: bool = False  # Markdown: trailing spaces were removed

    @property
    def filled(self) -> list[str]:
        return [cell for cell in self.cells if cell is not None and cell.strip()]


@dataclass
class RawTable:
    """What a reader found in one file.

    ``markup`` is ``"html"`` when cells hold the PDF converter's formatting HTML
    (the Markdown tables), ``"text"`` when they are plain text. ``grid`` is true
    for formats whose cells sit in a real grid (Excel, Word, PDF): there, empty
    trailing cells and merged cells are normal and need no warning.
    """

    path: Path
    format: str
    rows: list[RawRow]
    markup: str = "text"
    grid: bool = True
    encoding: str | None = None
    notes: list[ParseIssue] = field(default_factory=list)
    wrapped_lines: bool = False  # PDF: line breaks inside a cell are where the text wrapped
