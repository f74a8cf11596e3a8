"""The one import surface for notebooks: ``from src import helpers as h``.

Logic lives in small modules by stage (parse, classify, text, plots, render);
this file only re-exports them so notebooks never reach into internals.
"""
from src.paths import *  # noqa: F401,F403
from src.parse import (  # noqa: F401
    ParsedTable,
    ParseIssue,
    RawTableError,
    IncompleteTableError,
    as_of_date,
    check_all_rows_accounted,
    quality_table,
    warnings_table,
    clean_cell,
    parse_table,
    quality_summary,
    split_fifth_column,
    split_lead_units,
    tasks_per_leader,
)
from src.pipeline import analyse_stage, clean_stage  # noqa: F401
from src.store import read_json, read_table, read_tasks_csv, write_csv, write_json, write_parquet  # noqa: F401
from src.narrative import *  # noqa: F401,F403
from src.plots import *  # noqa: F401,F403
from src.render import *  # noqa: F401,F403
from src.report import *  # noqa: F401,F403
from src.style import CJKFontError, find_cjk_font, status_label  # noqa: F401
from src.text import *  # noqa: F401,F403
from src.classify import *  # noqa: F401,F403
