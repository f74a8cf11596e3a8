"""Parse a supervision-office key-task table into one row per task.

The names the rest of the project uses, in one place. The work is done by:

* :mod:`src.table.ingest` — one reader per format (Markdown converted from the PDF,
  Excel .xlsx/.xls, Word .docx, CSV, text PDF; .doc/.wps/.et through LibreOffice),
  each giving the same raw rows (cells as text, line breaks kept);
* :mod:`src.table.cells` — bytes and cell HTML to clean text;
* :mod:`src.table.vocabulary` — what the table's words mean
  (``data/reference/table_format.toml``): column names, leader headings and
  cells, lead-unit lists, the problems/next-steps split;
* :mod:`src.table.document` — title, office, date, period, table of contents;
* :mod:`src.table.header` — the document header, where leaders come from,
  the header row (its names, a second row under merged cells, required columns);
* :mod:`src.table.grammar` — one pass over the rows: leader sections or
  column, repeated headers, continuation rows, merged cells, validation and
  row reconciliation;
* :mod:`src.table.records` — the tasks read made into task records, task ids
  and table of contents checked;
* :mod:`src.table.quality` — the data-quality summary and its checks.

Every task row becomes one task. Problems the parser can repair are recorded
as :class:`ParseIssue` warnings; problems it cannot repair raise
:class:`RawTableError`, whose message names the file, the sheet or table, the
line or row and the fault.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

from src.table.cells import clean_cell, clean_text_cell, join_cjk_spaces  # noqa: F401
from src.table.document import read_period  # noqa: F401
from src.table.grammar import (  # noqa: F401
    NO_LEADERS_WARNING,
    ParsedTable,
    parse_rows,
)
from src.table.ingest import read_raw_rows  # noqa: F401
from src.table.ingest.inbox import find_inbox_table  # noqa: F401
from src.table.problems import ParseIssue, RawTableError  # noqa: F401
from src.table.quality import (  # noqa: F401
    check_all_rows_accounted,
    quality_summary,
    quality_table,
    tasks_per_leader,
    warnings_table,
)
from src.table.records import TASK_COLUMNS  # noqa: F401
from src.table.vocabulary import (  # noqa: F401
    column_name,
    parse_leader_heading,
    parse_section_row,
    split_fifth_column,
    split_lead_units,
)


def parse_table(path: str | Path) -> ParsedTable:
    """Read a raw key-task table (any supported format) into one clean row per task.

    Raises :class:`RawTableError` for faults it cannot repair; repaired oddities
    are returned as warnings. Every data row read is either written or raises.
    """
    with _cycle_collector_paused():
        return parse_rows(read_raw_rows(path))


@contextmanager
def _cycle_collector_paused():
    """Reading a table makes a few objects per row and cell, none of them in a
    reference cycle: reference counting frees them all. Meanwhile the cycle
    collector would walk the whole heap again and again for nothing, so it
    waits until the table is read (outputs are the same either way)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
