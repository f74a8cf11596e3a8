"""Writing and reading the processed tables.

CSV files are UTF-8 with BOM (Excel opens them correctly) and safe to open in
a spreadsheet: a cell that starts with ``= + - @`` is written with a leading
apostrophe so Excel shows it as text instead of running it as a formula.
:func:`read_tasks_csv` undoes exactly that, so a write/read round trip gives the
same table back.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from src.paths import ProcessedFiles, processed_files

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"
LIST_COLUMNS = ("lead_units", "progress_items", "cause_tags", "theme_tags")
# Always text, whatever they happen to contain (a task text may be just "123").
TEXT_COLUMNS = (
    "leader", "leader_title", "task", "lead_unit", "progress", "problems", "next_steps",
    "status", "status_evidence", "status_rule", "status_source", "override_reason", "rule_status",
    "override_reviewer", "override_date", "rule_evidence",
)


def escape_formula(value):
    """'=1+1' → "'=1+1". A value already starting with an apostrophe is escaped too,
    so unescaping is unambiguous."""
    if isinstance(value, str) and value and (value[0] in FORMULA_PREFIXES or value[0] == _ESCAPE):
        return _ESCAPE + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and len(value) > 1 and value[0] == _ESCAPE and (
        value[1] in FORMULA_PREFIXES or value[1] == _ESCAPE
    ):
        return value[1:]
    return value


def _encode_lists(frame: pd.DataFrame) -> pd.DataFrame:
    encoded = {
        column: frame[column].map(lambda items: json.dumps(_plain(items), ensure_ascii=False, sort_keys=True))
        for column in LIST_COLUMNS
        if column in frame.columns
    }
    return frame.assign(**encoded)


def _plain(value):
    """numpy arrays / pandas NA inside nested values → plain JSON-able Python."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Deterministic, Excel-safe CSV (UTF-8 with BOM, LF line ends)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    safe = _encode_lists(frame)
    safe = safe.assign(**{column: safe[column].map(escape_formula) for column in text_columns})
    # The csv module quotes a cell holding "\n" but not one holding a lone "\r",
    # which a reader then takes for a line end; quote every cell when one has it.
    has_cr = any(safe[c].map(lambda v: isinstance(v, str) and "\r" in v).any() for c in text_columns)
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n", float_format="%.10g",
                quoting=csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL)
    return path


def read_tasks_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV written by :func:`write_csv` back into the same table.

    Text stays text (an empty cell is ``""``, not NaN); columns whose every
    non-empty value is a number or a boolean get that type back.
    """
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = frame.assign(**{
        column: frame[column].map(unescape_formula).astype(object) if column in TEXT_COLUMNS else _restore_type(frame[column])
        for column in frame.columns
    })
    decoded = {c: frame[c].map(json.loads) for c in LIST_COLUMNS if c in frame.columns}
    return frame.assign(**decoded)


def _restore_type(column: pd.Series) -> pd.Series:
    filled = column[column != ""]
    if len(filled) and filled.isin(["True", "False"]).all() and len(filled) == len(column):
        return column.eq("True")
    numbers = pd.to_numeric(filled, errors="coerce")
    if len(filled) and numbers.notna().all():
        converted = pd.to_numeric(column.replace("", None), errors="coerce")
        if len(filled) == len(column) and (numbers == numbers.round()).all() and not filled.str.contains(r"[.eE]").any():
            return converted.astype("int64")
        return converted.astype("float64")
    return column.map(unescape_formula).astype(object)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return path


def read_table(path: str | Path) -> pd.DataFrame:
    """Load a processed table (.parquet preferred, .csv understood; .arrow: Arrow's file format,
    each leader's rows for its report, :mod:`src.report.slices`)."""
    path = Path(path)
    if path.suffix in (".parquet", ".arrow"):
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_feather(path)
        listy = {c: frame[c].map(_plain) for c in LIST_COLUMNS if c in frame.columns}
        return frame.assign(**listy)
    return read_tasks_csv(path)


def write_json(data, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_json(path: str | Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ------------------------------------------------------------- the processed folder
class ProcessedDataError(FileNotFoundError):
    """A data folder without a classified table (nothing built there yet)."""


@dataclass
class ProcessedData:
    """What a build wrote into one data folder (:class:`src.paths.ProcessedFiles`), read once."""

    files: ProcessedFiles
    classified: pd.DataFrame
    metadata: dict
    classification: dict
    quality: dict
    keywords: pd.DataFrame
    comparison: pd.DataFrame
    comparison_info: dict


def load_processed(folder: str | Path, tables: bool = True) -> ProcessedData:
    """The one loader of a data folder (``data/processed``, ``<OUT>/data`` or an analyst's scratch folder
    written by ``02_classify``): the classified table, the JSON summaries (``{}`` when absent) and the
    keyword and comparison tables (empty when absent). ``tables=False``: all but the classified and
    comparison tables (left empty), for a leader's report that reads its own rows
    (:mod:`src.report.slices`)."""
    files = processed_files(folder)
    if not files.classified.exists():
        raise ProcessedDataError(
            f"{files.classified}: 分类后的任务表不存在，请先运行 make reports (classified table not found)")

    def optional(path: Path) -> dict:
        return read_json(path) if path.exists() else {}

    return ProcessedData(
        files=files, classified=read_table(files.classified) if tables else pd.DataFrame(),
        metadata=optional(files.metadata),
        classification=optional(files.classification), quality=optional(files.quality),
        keywords=pd.read_parquet(files.keywords) if files.keywords.exists() else pd.DataFrame(),
        comparison=read_table(files.comparison) if tables and files.comparison.exists() else pd.DataFrame(),
        comparison_info=optional(files.comparison_info),
    )
