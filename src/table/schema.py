"""The contract of the parsed task table, checked before anything is written.

Every reader (Markdown, Excel, Word, CSV, PDF) ends in the same table; this module
says what that table must hold and refuses one that does not, with a
:class:`src.table.problems.RawTableError` naming the file, the line of the raw
table, what is wrong and how to fix it, in Chinese first (the build exits 2).

Plain checks, not pandera: pandera 0.35 costs 1.0–1.35 s to import after pandas on
the development machine (three runs), more than the whole clean step of a city's
table, for four checks a dozen lines say as clearly. (The overrides file has its
own row-by-row contract in :func:`src.classify.overrides.read_overrides`: header,
numeric and known and unique task ids, status, reason, date; each refusal names
the line and the fix.)
"""
from __future__ import annotations

import pandas as pd

from src.table.problems import RawTableError

__all__ = ["TASK_COLUMNS", "validate_tasks"]

# column → kind: "id" (a positive whole number, unique), "int", "text" (a string), "text!" (a non-empty string),
# "list" (a list of strings)
TASK_COLUMNS = {
    "task_id": "id", "leader": "text!", "leader_title": "text", "leader_order": "int", "task": "text!",
    "lead_unit": "text", "lead_units": "list", "progress": "text", "problems": "text", "next_steps": "text",
    "source_line": "int",
}

_FIX = {
    "task": "请在原始汇总表中补上这项任务的“重点工作”内容，或删除这一行",
    "leader": "请在这项任务之前写明牵头的市领导（如“某某副市长牵头重点工作”的分节标题）",
}
_NAMES = {"task": "重点工作内容", "leader": "牵头市领导"}


def validate_tasks(tasks: pd.DataFrame, source: str) -> pd.DataFrame:
    """``tasks`` if it keeps the contract (:data:`TASK_COLUMNS`), else a :class:`RawTableError`
    for the first row that breaks it (``source``: the raw table's name, for the message)."""
    missing = [column for column in TASK_COLUMNS if column not in tasks.columns]
    if missing:
        raise RawTableError(source, None, f"解析结果缺少列 {missing}，请报告这一问题并附上原始汇总表 "
                            f"(the parsed table lacks {missing}: a reader bug)")
    lines = tasks["source_line"].tolist()
    ids = tasks["task_id"].tolist()
    first_line: dict[int, int] = {}
    for line, task_id in zip(lines, ids):
        if isinstance(task_id, bool) or not isinstance(task_id, int) or task_id < 1:
            raise RawTableError(source, line, f"序号“{task_id}”不是正整数；请把序号改成 1、2、3… "
                                f"(task_id must be a positive whole number)")
        if task_id in first_line:
            raise RawTableError(source, line, f"序号 {task_id} 重复（第 {first_line[task_id]} 行已使用）；"
                                f"请给这项任务一个未用过的序号 (duplicate task_id {task_id})")
        first_line[task_id] = line
    for column, kind in TASK_COLUMNS.items():
        values = tasks[column].tolist()
        for line, task_id, value in zip(lines, ids, values):
            problem = _problem(kind, value)
            if problem:
                what = _NAMES.get(column, column)
                fix = _FIX.get(column, "请检查原始汇总表的这一行")
                raise RawTableError(source, line, f"序号 {task_id} 的{what}{problem}；{fix} "
                                    f"(column {column}: {'empty' if problem == '为空' else 'wrong type'})")
    return tasks


def _problem(kind: str, value) -> str:
    if kind in ("text", "text!"):
        if not isinstance(value, str):
            return f"不是文本（{type(value).__name__}）"
        if kind == "text!" and not value.strip():
            return "为空"
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"不是整数（{value!r}）"
    elif kind == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return f"不是文本列表（{value!r}）"
    return ""
