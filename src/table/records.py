"""The task rows read by :mod:`src.table.grammar`, made into task records.

A task read is its cells as the header placed them (continuation rows already
joined) and its leader. Here each becomes one record of :data:`TASK_COLUMNS`:
cells cleaned (what was repaired is a warning on the task), lead units split,
the 问题及下一步 column split in two; then the task ids are checked (gaps, a first
id other than 1, ids out of file order) and the table of contents against the
leader sections. Nothing is renumbered or dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from src.table.cells import clean_cell, clean_text_cell, join_cjk_spaces
from src.table.ingest.rows import RawRow
from src.table.problems import ParseIssue
from src.table.vocabulary import column_label, split_fifth_column, split_lead_units

if TYPE_CHECKING:
    from src.table.header import Header

TASK_COLUMNS = [
    "task_id",
    "leader",
    "leader_title",
    "leader_order",
    "task",
    "lead_unit",
    "lead_units",
    "progress",
    "problems",
    "next_steps",
    "source_line",
]
# Recognised columns kept as extra task columns when the table has them.
OPTIONAL_COLUMNS = ["cooperating_units", "deadline", "annual_target", "actual", "rate", "period_target"]
# A column whose header the judgement needs beside its cells: the period plan's header
# (1-7月计划, 前三季度投资计划) says the plan's span (the record's `target_header`).
HEADER_COLUMNS = {"period_target": "target_header"}
# The columns a task record is made from, when the header has them.
RECORD_COLUMNS = ("task", "lead_unit", "progress", "problems_and_next_steps", "problems", "next_steps",
                  *OPTIONAL_COLUMNS)


@dataclass(slots=True)
class PendingTask:
    """One task read: its cells (in header order), its first row, its leader (name, title, order)."""

    task_id: int
    cells: list[str | None]
    row: RawRow
    leader: tuple[str, str, int]
    header: Header
    joined: int = 0


@dataclass(frozen=True)
class TaskIssues:
    """In the pass's warnings: where the warnings of the ``task``-th task read go."""

    task: int


def make_records(finished: list[PendingTask], warnings: list, markup: str) -> tuple[list[dict], list[ParseIssue]]:
    """Every task read made into its record (cells cleaned, units split), in order, and the
    pass's ``warnings`` with each task's own put where its :class:`TaskIssues` marks."""
    made = [task_record(pending, markup) for pending in finished]
    placed = []
    for issue in warnings:
        placed.extend(made[issue.task][1] if isinstance(issue, TaskIssues) else [issue])
    return [record for record, _ in made], placed


def task_record(pending: PendingTask, markup: str) -> tuple[dict, list[ParseIssue]]:
    """The task's record and what was repaired in its cells."""
    task_id, row, index = pending.task_id, pending.row, pending.header.index
    issues: list[ParseIssue] = []

    def warn(message: str) -> None:
        issues.append(ParseIssue(row.line, message, task_id, row.table))

    cells = {}
    html = markup == "html"
    clean = clean_cell if html else clean_text_cell  # a cell that is never None
    for name, position in pending.header.record_columns:
        raw = pending.cells[position] or ""
        cleaned = clean(raw)
        for note in cleaned.notes:
            warn(f"{column_label(name)}：{note}")
        if html and "&" in raw:  # an entity starts with "&"
            entities = sorted(set(_ENTITY.findall(raw)))
            if entities:
                warn(f"{column_label(name)}：HTML 实体 {' '.join(entities)} 已转换为字符")
        if not cleaned.text and name in _WARN_EMPTY:
            warn(f"{column_label(name)}为空")
        cells[name] = cleaned.text
    if not cells["task"]:
        warn("重点工作内容为空，请核对原表")
    lead_unit = cells["lead_unit"]
    if "\n" in lead_unit:  # _LINE_BREAK needs one
        lead_unit = _LINE_BREAK.sub("", lead_unit)
    lead_unit = join_cjk_spaces(lead_unit)
    if "（" in lead_unit or "(" in lead_unit:  # _SPACE_BEFORE_BRACKET needs one
        lead_unit = _SPACE_BEFORE_BRACKET.sub("", lead_unit)
    if "problems_and_next_steps" in cells:
        problems, next_steps = split_fifth_column(cells["problems_and_next_steps"])
        problems = _join_lines(problems, cells.get("problems", ""))
        next_steps = _join_lines(next_steps, cells.get("next_steps", ""))
    else:
        problems, next_steps = cells.get("problems", ""), cells.get("next_steps", "")
    leader, title, order = pending.leader
    record = {
        "task_id": task_id,
        "leader": leader,
        "leader_title": title,
        "leader_order": order,
        "task": cells["task"],
        "lead_unit": lead_unit,
        "lead_units": split_lead_units(lead_unit),
        "progress": cells["progress"],
        "problems": problems,
        "next_steps": next_steps,
        "source_line": row.line,
    }
    for name in OPTIONAL_COLUMNS:
        if name in index:
            record[name] = cells[name]
    for name, field in HEADER_COLUMNS.items():
        if name in index:
            record[field] = header_text(pending.header, index[name], markup)
    return record, issues


def header_text(header: Header, position: int, markup: str) -> str:
    """The header cell of a column as the table words it (spaces taken out), else the column's label."""
    cells = header.row.cells
    raw = cells[position] if position < len(cells) else None
    text = re.sub(r"\s+", "", (clean_cell if markup == "html" else clean_text_cell)(raw or "").text)
    return text or column_label(header.names[position])


def _join_lines(first: str, second: str) -> str:
    """The two texts, one under the other; an empty one left out."""
    if first and second:
        return first + "\n" + second
    return first or second


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_SPACE_BEFORE_BRACKET = re.compile(r"\s+(?=[（(])")
_WARN_EMPTY = frozenset({"task", "lead_unit", "progress", "problems_and_next_steps"})


_SENTENCE_END = "。；;：:！!？?）)”"
_ITEM_START = re.compile(r"^\s*(\d{1,2}[.．、]|（\d{1,2}）|\(\d{1,2}\)|[一二三四五六七八九十]{1,2}[、.．]|[（(][一二三四五六七八九十]{1,2}[）)]|[①-⑳])")


def join_parts(before: str, after: str, wrapped: bool) -> str:
    """Join a cell continued on the next row. In a PDF the break is where the
    text wrapped: joined without a break unless a sentence ended or a numbered
    item starts."""
    if not before:
        return after
    if not wrapped:
        return before + "\n" + after
    if before.rstrip()[-1:] in _SENTENCE_END or _ITEM_START.match(after):
        return before + "\n" + after
    return before + after



def check_ids(ids: list[int], file_order: list[int]) -> list[ParseIssue]:
    """Gaps, a first id other than 1, ids out of file order: warnings (never renumbered)."""
    ids = sorted(ids)
    missing = sorted(set(range(ids[0], ids[-1] + 1)) - set(ids)) if ids else []
    notes = []
    if ids and ids[0] != 1:
        notes.append(ParseIssue(None, f"序号不从 1 开始（首个为 {ids[0]}）"))
    if missing:
        shown = "、".join(str(i) for i in missing[:20]) + ("…" if len(missing) > 20 else "")
        notes.append(ParseIssue(None, f"序号不连续，缺少 {shown}（保留原序号，未重新编号）"))
    if file_order != sorted(file_order):
        notes.append(ParseIssue(None, "序号未按文件顺序递增"))
    return notes


def check_toc(toc: list[str], leaders: list[tuple[str, str]]) -> list[ParseIssue]:
    """The table of contents against the leader sections found, in order."""
    names = [name for name, _ in leaders]
    if not toc:
        return [ParseIssue(None, "未找到目录，领导顺序按正文章节顺序")]
    if toc != names:
        return [ParseIssue(None, f"目录中的领导顺序（{'、'.join(toc)}）与正文章节（{'、'.join(names)}）不一致")]
    return []
