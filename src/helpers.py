"""The one import surface for notebooks: ``from src import helpers as h``.

Logic lives in modules by job; this file names, explicitly, what an analyst uses from
them — nothing the build alone needs (workers, publishing, PDF and page rendering), no
star imports. A name not listed here is an internal of its module: import the module
itself if you really need it.
"""
from src.classify import (
    STATUSES,
    OverrideError,
    apply_overrides,
    available_profiles,
    classify_tasks,
    elapsed_share,
    evaluate,
    load_profile,
    load_rules,
    status_counts,
)
from src.paths import (
    DATA_DIR,
    DEFAULT_RAW_PATH,
    DEV_LABELS_PATH,
    INTERIM_DIR,
    OVERRIDES_PATH,
    PROCESSED_DIR,
    PROJECT_ROOT,
    RAW_DIR,
    REFERENCE_DIR,
    ProcessedFiles,
    processed_files,
    resolve,
)
from src.pipeline import analyse_stage, classification_summary, classify_table, clean_stage
from src.report.analyst import keywords_html, quality_html, review_queue
from src.report.charts import COMPACT_MAX_TASKS, chart, leader_charts_html
from src.report.model import (
    Report,
    ReportError,
    all_tasks_table_html,
    annexes_html,
    comparison_html,
    header_html,
    lagging_table_html,
    leaders_table,
    leaders_table_html,
    load_report,
    method_note_html,
    notice_html,
    units_ranking,
    units_ranking_html,
)
from src.report.narrative import as_of_phrase, elapsed_percent, headline_sentence, report_sections, status_summary
from src.report.plots import (
    plot_cause_counts,
    plot_leader_status,
    plot_progress_vs_schedule,
    plot_status_breakdown,
    plot_theme_status,
    plot_units_by_status,
    set_report_style,
)
from src.report.style import CJKFontError, status_label
from src.report_date import ReportDateError, decide_report_date, to_date
from src.store import load_processed, read_json, read_table, read_tasks_csv, write_csv, write_json, write_parquet
from src.table.parse import (
    ParsedTable,
    ParseIssue,
    RawTableError,
    check_all_rows_accounted,
    parse_table,
    quality_summary,
    quality_table,
    split_lead_units,
    tasks_per_leader,
    warnings_table,
)
from src.text import add_text_features, keyword_table, search_tasks, tag_causes, tag_themes, tokenize

__all__ = [
    # paths
    "PROJECT_ROOT", "DATA_DIR", "RAW_DIR", "PROCESSED_DIR", "INTERIM_DIR", "REFERENCE_DIR", "OVERRIDES_PATH",
    "DEFAULT_RAW_PATH", "DEV_LABELS_PATH", "ProcessedFiles", "processed_files", "resolve",
    # the table: parse, quality
    "parse_table", "ParsedTable", "ParseIssue", "RawTableError", "check_all_rows_accounted", "quality_summary",
    "quality_table", "warnings_table", "tasks_per_leader", "split_lead_units",
    # the report date
    "decide_report_date", "to_date", "ReportDateError",
    # judgement
    "classify_tasks", "apply_overrides", "OverrideError", "elapsed_share", "load_rules", "load_profile",
    "available_profiles", "status_counts", "evaluate", "STATUSES",
    # the chain and the files
    "clean_stage", "analyse_stage", "classify_table", "classification_summary", "load_processed", "read_json",
    "read_table", "read_tasks_csv", "write_csv", "write_json", "write_parquet",
    # text
    "tokenize", "search_tasks", "keyword_table", "add_text_features", "tag_causes", "tag_themes",
    # the report object, its text and charts
    "load_report", "Report", "ReportError", "chart", "header_html", "notice_html", "comparison_html",
    "lagging_table_html", "leader_charts_html", "leaders_table", "leaders_table_html", "all_tasks_table_html",
    "units_ranking", "units_ranking_html", "keywords_html", "quality_html", "method_note_html", "COMPACT_MAX_TASKS",
    "annexes_html", "review_queue",
    "report_sections", "headline_sentence", "status_summary", "as_of_phrase", "elapsed_percent",
    "plot_status_breakdown", "plot_units_by_status", "plot_leader_status", "plot_progress_vs_schedule",
    "plot_cause_counts", "plot_theme_status", "set_report_style", "status_label", "CJKFontError",
]
