"""The parsed table's data-quality summary, its checks, and its presentation
as small tables for the notebooks and reports."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from src.table.problems import IncompleteTableError

if TYPE_CHECKING:  # the table grammar imports this module (for ParsedTable.quality): no import back at run time
    from src.table.grammar import ParsedTable

_RECOGNISED_LABELS = {
    "repeated_header_rows": "重复的表头行（分页、分节处）",
    "leader_sections": "领导分组行或标题",
    "continuation_rows": "跨页或续行并入的行",
    "title_rows": "标题、单位、日期等表头上方的行",
    "other_rows": "其他非任务行（分组、页码等）",
    "blank_rows": "空行",
}


def quality_summary(parsed: ParsedTable) -> dict:
    tasks = parsed.tasks
    leaders = tasks.loc[tasks["leader"].ne(""), "leader"]
    summary = {
        "source_file": parsed.metadata.get("source_file"),
        "rows_read": parsed.rows_read,
        "rows_written": int(len(tasks)),
        "all_rows_accounted_for": parsed.rows_read == len(tasks),
        "leaders": int(leaders.nunique()),
        "task_id_min": int(tasks["task_id"].min()),
        "task_id_max": int(tasks["task_id"].max()),
        "warnings": [str(w) for w in parsed.warnings],
    }
    if parsed.recognised:
        summary["recognised_rows"] = dict(parsed.recognised)
    return summary


def tasks_per_leader(tasks: pd.DataFrame) -> pd.DataFrame:
    return (
        tasks.groupby(["leader_order", "leader", "leader_title"], as_index=False)
        .agg(tasks=("task_id", "size"), first_id=("task_id", "min"), last_id=("task_id", "max"))
        .sort_values("leader_order")
        .reset_index(drop=True)
    )


def check_all_rows_accounted(parsed: ParsedTable) -> ParsedTable:
    """Raise unless every data row read became exactly one task."""
    written = len(parsed.tasks)
    if parsed.rows_read != written:
        raise IncompleteTableError(
            f"{parsed.metadata.get('source_file')}: 读入 {parsed.rows_read} 行数据，写出 {written} 个任务，不一致"
        )
    if parsed.tasks["task"].eq("").any():
        empty = parsed.tasks.loc[parsed.tasks["task"].eq(""), "task_id"].tolist()
        raise IncompleteTableError(f"{parsed.metadata.get('source_file')}: 序号 {empty} 的重点工作内容为空")
    return parsed


def quality_table(parsed: ParsedTable | dict) -> pd.DataFrame:
    """The data-quality summary as a two-column table for reports."""
    quality = parsed if isinstance(parsed, dict) else parsed.quality
    rows = [
        ("源文件", quality["source_file"]),
        ("读入数据行", quality["rows_read"]),
        ("写出任务数", quality["rows_written"]),
        ("全部行均已计入", "是" if quality["all_rows_accounted_for"] else "否"),
        ("领导数", quality["leaders"]),
        ("序号范围", f"{quality['task_id_min']}–{quality['task_id_max']}"),
    ]
    recognised = quality.get("recognised_rows") or {}
    rows += [(label, recognised[key]) for key, label in _RECOGNISED_LABELS.items() if recognised.get(key)]
    rows.append(("警告数", len(quality["warnings"])))
    return pd.DataFrame(rows, columns=["项目", "值"]).astype({"值": str})


def warnings_table(parsed: ParsedTable | dict) -> pd.DataFrame:
    quality = parsed if isinstance(parsed, dict) else parsed.quality
    return pd.DataFrame({"警告": quality["warnings"] or ["（无）"]})
