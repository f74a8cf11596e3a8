"""The one import surface for notebooks: ``from src import helpers as h``.

Logic lives in modules by job; this file only re-exports their public names
so notebooks never reach into internals. The layers:

* data — :mod:`src.parse` (raw table → tasks), :mod:`src.report_date`,
  :mod:`src.classify` (the judgement), :mod:`src.text` (tokens, keywords,
  tags, search), :mod:`src.store` (CSV/parquet/JSON), :mod:`src.pipeline`
  (the chain: clean → classify → overrides → tags → write);
* presentation — :mod:`src.narrative` (the 通报 text), :mod:`src.plots`,
  :mod:`src.render` (escaped HTML, PDF, index, Excel), :mod:`src.report`
  (the report object), :mod:`src.style`;
* orchestration — :mod:`src.build` (not re-exported: it runs notebooks).
"""
from src.classify import *
from src.narrative import *
from src.parse import (
    IncompleteTableError,
    ParsedTable,
    ParseIssue,
    RawTableError,
    check_all_rows_accounted,
    clean_cell,
    parse_table,
    quality_summary,
    quality_table,
    split_fifth_column,
    split_lead_units,
    tasks_per_leader,
    warnings_table,
)
from src.paths import *
from src.pipeline import *
from src.plots import *
from src.render import *
from src.report import *
from src.report_date import *
from src.store import read_json, read_table, read_tasks_csv, write_csv, write_json, write_parquet
from src.style import CJKFontError, find_cjk_font, status_label
from src.text import *
