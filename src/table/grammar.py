"""The key-task table's grammar, the same for every input format.

A reader (:mod:`src.table.ingest`) gives raw rows; one pass here recognises in them
leader sections (Markdown ``##`` headings, Word headings, merged or one-cell
section rows) or a leader column, header rows, blank and other non-task rows,
continuation rows and the task rows. The document header and the header row
are :mod:`src.table.header`'s; the tasks read are made into records by
:mod:`src.table.records`. Every task row read becomes exactly one task, or the
parse stops with a :class:`RawTableError` naming the file, the sheet or table,
the row and the fault.

Normal features of these tables (a header repeated at each page or section,
merged cells, a row split across two PDF pages) are counted in the quality
summary, not listed as warnings; repaired oddities are warnings.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from src.table.cells import clean_cell, clean_text_cell
from src.table.document import is_toc_line, read_toc
from src.table.header import (
    Header,
    check_header,
    column_index,
    header_row_names,
    is_task_number,
    leader_mode,
    merge_sub_header,
    no_header_error,
    read_metadata,
)
from src.table.ingest.rows import RawRow, RawTable
from src.table.problems import ParseIssue, RawTableError
from src.table.records import (
    HEADER_COLUMNS,
    OPTIONAL_COLUMNS,
    TASK_COLUMNS,
    PendingTask,
    TaskIssues,
    check_ids,
    check_toc,
    join_parts,
    make_records,
)

if TYPE_CHECKING:  # pandas is imported where the task frame is built: reading a title (the inbox) needs none
    import pandas as pd

import pandas as pd

from src.table.vocabulary import (
    cell_text,
    header_names,
    is_header,
    parse_leader_cell,
    parse_leader_heading,
    parse_section_row,
    squash,
    strip_markdown,
)

# The Hangzhou layout, for messages and the template.
NO_LEADERS_WARNING = "表中没有领导列/分组行，领导报告需要领导列"


@dataclass
class ParsedTable:
    tasks: pd.DataFrame
    metadata: dict
    warnings: list[ParseIssue] = field(default_factory=list)
    rows_read: int = 0
    recognised: dict = field(default_factory=dict)  # non-task rows by kind, and joined rows

    @property
    def quality(self) -> dict:
        from src.table.quality import quality_summary  # cold start: pandas, which reading a title does not need

        return quality_summary(self)


class TableGrammar:
    """One pass over a :class:`RawTable` (see the module docstring)."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.path = raw.path
        self.markdown = raw.format == "markdown"
        self.warnings: list[ParseIssue] = list(raw.notes)
        self.recognised = {
            "title_rows": 0, "header_rows": 0, "repeated_header_rows": 0, "leader_sections": 0,
            "blank_rows": 0, "other_rows": 0, "continuation_rows": 0, "leader_cells_carried_down": 0,
            "merged_cells_carried_down": 0, "rows_in_sheets_without_table": 0,
        }
        self.other_rows: list[str] = []
        self.leaders: list[tuple[str, str]] = []  # in order of first appearance
        self.current_leader: tuple[str, str] | None = None
        self.headers: dict[str | None, Header] = {}  # by sheet
        self.records: list[dict] = []
        self.pending: PendingTask | None = None
        self.finished: list[PendingTask] = []  # every task read, made into records after the pass
        self.rows_read = 0
        self.seen_ids: dict[int, RawRow] = {}
        self.next_id = 1
        self.reported_columns: set[tuple] = set()
        self.previous_leader_cell: dict[str | None, str] = {}
        self.last_cells: dict[str | None, list] = {}
        self.repeat_pending: tuple | None = None
        self.current_sheet: object = ()

    # ---- helpers ---------------------------------------------------------
    def error(self, row: RawRow | None, message: str) -> RawTableError:
        if row is None:
            return RawTableError(self.path, None, message)
        return RawTableError(self.path, row.line, message, table=row.table)

    def warn(self, row: RawRow | None, message: str, task_id: int | None = None) -> None:
        self.warnings.append(ParseIssue(row.line if row else None, message, task_id, row.table if row else None))

    def clean(self, cell: str | None):
        if cell is None:
            return clean_text_cell("")
        return clean_cell(cell) if self.raw.markup == "html" else clean_text_cell(cell)

    def add_leader(self, heading: tuple[str, str]) -> None:
        self.current_leader = heading
        if heading[0] not in [name for name, _ in self.leaders]:
            self.leaders.append(heading)

    def leader_order(self, name: str) -> int:
        return [n for n, _ in self.leaders].index(name) + 1

    # ---- the pass --------------------------------------------------------
    def parse(self) -> ParsedTable:
        rows = self.raw.rows
        self.leader_mode, self.sheets_with_header = leader_mode(self.raw)
        metadata = read_metadata(self.raw, self.sheets_with_header)
        metadata["source_format"] = self.raw.format
        if self.raw.encoding:
            metadata["encoding"] = self.raw.encoding
        toc = read_toc([r.source or "" for r in rows]) if self.markdown else []

        index = 0
        while index < len(rows):
            row = rows[index]
            index += 1
            if row.kind == "blank" or (row.kind == "cells" and not self.markdown and not row.filled):
                self.recognised["blank_rows"] += 1
                continue
            if self.markdown:
                index = self._markdown_row(row, rows, index)
            else:
                self._grid_row(row)
        self._flush()
        self._make_records()

        if self.rows_read == 0:
            for header in self.headers.values():
                self._check_header(header)
            if not self.headers and not self.markdown:
                raise no_header_error(self.raw)
            found = "（只有表头，没有任务行）" if self.headers else ""
            raise self.error(None, "没有找到任何数据行：文件中没有表格" + found + " (no table rows found)")
        columns = TASK_COLUMNS + [c for c in OPTIONAL_COLUMNS if any(c in h.index for h in self.headers.values())]
        columns += [HEADER_COLUMNS[c] for c in columns if c in HEADER_COLUMNS]  # the period plan's header

        tasks = pd.DataFrame.from_records(self.records, columns=columns)
        tasks = tasks.sort_values("task_id", kind="stable").reset_index(drop=True)
        self.warnings.extend(check_ids(tasks["task_id"].tolist(), [r["task_id"] for r in self.records]))
        if self.markdown or toc:
            self.warnings.extend(check_toc(toc, self.leaders))
        if self.leader_mode == "none":
            self.warnings.append(ParseIssue(None, NO_LEADERS_WARNING))
        metadata["leaders"] = [name for name, _ in self.leaders]
        metadata["leader_source"] = self.leader_mode
        recognised = dict(self.recognised)
        if self.other_rows:
            recognised["other_row_texts"] = self.other_rows[:20]
        return ParsedTable(tasks=tasks, metadata=metadata, warnings=self.warnings, rows_read=self.rows_read,
                           recognised=recognised)

    # ---- Markdown rows: today's rules, line by line -------------------------
    def _markdown_row(self, row: RawRow, rows: list[RawRow], index: int) -> int:
        line = row.source or ""
        if row.kind == "text":
            if line.lstrip().startswith("#"):
                heading = parse_leader_heading(line)
                if heading and row.level >= 2:
                    self._flush()
                    self.leaders.append(heading)
                    self.current_leader = heading
                    self.recognised["leader_sections"] += 1
                    if " " in strip_markdown(line) or "\u3000" in line:
                        self.warn(row, f"领导标题含空格，已规范为 {heading[0]}{heading[1]}")
                else:
                    self.recognised["title_rows"] += 1
            else:
                self.recognised["title_rows"] += 1
            return index  # title, office, date, table-of-contents lines
        fields = row.cells
        header_row = is_header(fields, "html")
        if row.trailing_space and not header_row:
            self.warn(row, "行尾有多余空白，已去除")
        if header_row:
            self._take_header(row)
            return index
        if not self.leaders and is_toc_line(line):
            self.recognised["title_rows"] += 1
            return index
        self._flush()
        self.rows_read += 1
        if not self.leaders and self.leader_mode == "sections":
            raise self.error(row, "数据行出现在任何领导标题之前 (data row before any leader heading)")
        header = self.headers.get(None)
        if header is None:
            raise self.error(row, "数据行之前缺少表头行 (no header row before this data row)")
        index, fields = self._repair_markdown_fields(row, fields, rows, index, len(header.names))
        self._start_task(row, fields, header)
        return index

    def _repair_markdown_fields(self, row, fields, rows, index, expected):
        """Return (next row index, fields) with exactly ``expected`` fields, or raise."""
        if len(fields) > expected and all(not f.strip() for f in fields[expected:]):
            self.warn(row, f"行尾有 {len(fields) - expected} 个多余的空字段，已去除")
            return index, fields[:expected]
        if len(fields) < expected:
            # A cell broken over several lines by the converter: join continuation lines.
            joined, cursor = list(fields), index
            while len(joined) < expected and cursor < len(rows):
                nxt = rows[cursor].source or ""
                if not nxt.strip() or nxt.lstrip().startswith("#") or is_header(nxt.split("\t")):
                    break
                parts = nxt.split("\t")
                if re.fullmatch(r"\s*[0-9０-９]+\s*", parts[0]) and len(parts) >= expected:
                    break  # the next task starts
                joined[-1] = joined[-1] + "\n" + parts[0]
                joined.extend(parts[1:])
                cursor += 1
            if len(joined) == expected and cursor > index:
                self.warn(row, f"一行被拆成 {cursor - index + 1} 行（单元格内换行），已合并")
                return cursor, joined
        if len(fields) != expected:
            raise self.error(
                row, f"字段数为 {len(fields)}，应为 {expected}，无法修复 (row has {len(fields)} fields, expected {expected})",
            )
        return index, fields

    # ---- spreadsheet, Word, CSV and PDF rows --------------------------------
    def _grid_row(self, row: RawRow) -> None:
        if row.sheet is not None and row.sheet not in self.sheets_with_header:
            self.recognised["rows_in_sheets_without_table"] += 1  # notes, lists: no header, no tasks
            return
        if self.leader_mode == "sheets" and row.sheet != self.current_sheet:
            self._flush()
            self.current_sheet = row.sheet
            self.add_leader(parse_section_row(row.sheet))
            self.recognised["leader_sections"] += 1
        header = self.headers.get(row.sheet)
        if row.kind == "cells" and is_header(row.cells, self.raw.markup):
            self._take_header(row)
            return
        if header is not None and self._sub_header(row, header):
            return
        filled = row.filled
        one_cell = row.kind == "text" or (
            len(filled) == 1 and (row.cells[0] or "").strip() and not is_task_number(filled[0])
        )
        if one_cell:
            text = cell_text(filled[0], self.raw.markup) if filled else ""
            heading = parse_section_row(text) if self.leader_mode == "sections" else None
            task_first = header is not None and "task_id" not in header.index and header.index.get("task") == 0
            if heading:
                self._flush()
                self.add_leader(heading)
                self.recognised["leader_sections"] += 1
                return
            if not (task_first and row.kind == "cells"):
                if header is None:
                    self.recognised["title_rows"] += 1
                else:
                    self.recognised["other_rows"] += 1
                    self.other_rows.append(text[:60])
                return
        if header is None:  # office and date rows above the header, in several cells
            self.recognised["title_rows"] += 1
            return
        self._check_header(header)
        header.open = False
        fields = self._fit_fields(row, header)
        id_column = header.index.get("task_id")
        if id_column is not None and not (fields[id_column] or "").strip():
            if self.pending is not None:
                self._continue_task(row, fields)
                return
            raise self.error(row, f"序号为空，且上方没有可以接续的任务行 (empty task id)；本行内容：{_preview(fields)}")
        task_text = (fields[header.index["task"]] or "").strip()
        if id_column is not None and not task_text and not is_task_number(fields[id_column] or ""):
            # 合计, 注：…, 填表人：… below the table: no task text, no number
            self.recognised["other_rows"] += 1
            self.other_rows.append(_preview(fields)[1:-1][:60])
            return
        self._flush()
        self.rows_read += 1
        if not self.leaders and self.leader_mode == "sections":
            raise self.error(row, "数据行出现在任何领导分组行之前 (data row before any leader heading)")
        self._start_task(row, fields, header)

    def _fit_fields(self, row: RawRow, header: Header) -> list[str | None]:
        """The row's cells, as many as the header has: empty cells past the end are
        dropped (a warning in CSV, normal in a grid); text past the end or missing
        cells in CSV stop the parse."""
        expected = len(header.names)
        fields = list(row.cells)
        if len(fields) > expected:
            extra = fields[expected:]
            if any(cell is not None and cell.strip() for cell in extra):
                raise self.error(
                    row,
                    f"字段数为 {len(fields)}，应为 {expected}：表头之外的列有内容 {_preview(extra)} "
                    f"(row has {len(fields)} fields, expected {expected})",
                )
            if not self.raw.grid:
                self.warn(row, f"行尾有 {len(extra)} 个多余的空字段，已去除")
            fields = fields[:expected]
        if len(fields) < expected:
            if not self.raw.grid:
                raise self.error(
                    row,
                    f"字段数为 {len(fields)}，应为 {expected}，无法修复 (row has {len(fields)} fields, expected {expected})",
                )
            fields = fields + [""] * (expected - len(fields))
        return fields

    def _continue_task(self, row: RawRow, fields: list[str | None]) -> None:
        """A row without 序号 under a task row: the rest of that task (a row split
        across PDF pages, or a cell continued on the next spreadsheet row)."""
        pending = self.pending
        for position, cell in enumerate(fields):
            if cell is None or not cell.strip():
                continue
            before = pending.cells[position] or ""
            pending.cells[position] = join_parts(before, cell, self.raw.wrapped_lines)
        pending.joined += 1
        self.recognised["continuation_rows"] += 1
        if self.raw.format != "pdf":
            self.warn(row, f"本行没有序号，已并入上一行的任务（序号 {pending.task_id}）", pending.task_id)

    # ---- shared -------------------------------------------------------------
    def _take_header(self, row: RawRow) -> None:
        sheet_header = self.headers.get(row.sheet)
        names = header_row_names(row, sheet_header, self.raw.markup)
        if sheet_header is not None and sheet_header.first_names == tuple(names):
            self.recognised["repeated_header_rows"] += 1
            self.repeat_pending = sheet_header.sub_names
            return
        self._flush()
        self.recognised["header_rows"] += 1
        header = Header(names, column_index(names), row, first_names=tuple(names))
        self.headers[row.sheet] = header
        if self.markdown:
            self._check_header(header)

    def _sub_header(self, row: RawRow, header: Header) -> bool:
        """A repeat of a second header row, or a second header row (:func:`merge_sub_header`)."""
        if self.repeat_pending is not None:
            names = header_names(tuple(row.cells), self.raw.markup)
            if tuple(names) == self.repeat_pending:
                self.repeat_pending = None
                self.recognised["repeated_header_rows"] += 1
                return True
        self.repeat_pending = None
        if not merge_sub_header(row, header, self.raw.markup):
            return False
        self.recognised["header_rows"] += 1
        return True

    def _check_header(self, header: Header) -> None:
        self.warnings.extend(check_header(header, self.raw.markup, self.path, self.reported_columns))

    def _start_task(self, row: RawRow, fields: list[str | None], header: Header) -> None:
        if "task_id" in header.index:
            task_id = self._parse_task_id(fields[header.index["task_id"]] or "", row)
        else:
            task_id = self.next_id
        self.next_id = task_id + 1
        if task_id in self.seen_ids:
            first = self.seen_ids[task_id]
            where = f"{first.table}第 {first.line} 行" if first.table else f"第 {first.line} 行"
            raise self.error(row, f"序号 {task_id} 重复（{where}已出现） (duplicate task id)")
        self.seen_ids[task_id] = row
        leader = self._row_leader(row, fields, header)
        above = self.last_cells.get(row.sheet)
        if None in fields and above is not None:
            for position, cell in enumerate(fields):
                if cell is None and position < len(above) and header.names[position] not in {"task_id", "leader"}:
                    fields[position] = above[position]  # a cell merged over several rows
                    self.recognised["merged_cells_carried_down"] += 1
        self.last_cells[row.sheet] = list(fields)
        self.pending = PendingTask(task_id, list(fields), row, leader, header)

    def _row_leader(self, row: RawRow, fields, header: Header) -> tuple[str, str, int]:
        if "leader" in header.index:
            text = squash(cell_text(fields[header.index["leader"]], self.raw.markup))
            if not text:
                text = self.previous_leader_cell.get(row.sheet, "")
                if text:
                    self.recognised["leader_cells_carried_down"] += 1  # a merged cell: the leader above
            if text:
                self.previous_leader_cell[row.sheet] = text
                name, title = parse_leader_cell(text)
                self.add_leader((name, title))
                return name, title, self.leader_order(name)
            if self.current_leader is None:
                self.warn(row, "责任领导为空")
                return "", "", 0
        if self.current_leader is None:
            return "", "", 0
        name, title = self.current_leader
        order = len(self.leaders) if self.markdown else self.leader_order(name)
        return name, title, order

    def _parse_task_id(self, raw: str, row: RawRow) -> int:
        if raw.isascii() and raw.isdigit():  # plain digits: cleaning and normalising change nothing
            return int(raw)
        cleaned = self.clean(raw).text
        normalized = _WHITESPACE.sub("", unicodedata.normalize("NFKC", cleaned))
        if not self.markdown:
            normalized = _NUMBER_CELL.sub(r"\1", normalized)  # 3.0 from a number cell, "3." or "3、"
        if not _DIGITS.fullmatch(normalized):
            raise self.error(row, f"序号不是数字：{cleaned!r} (non-numeric task id)")
        if normalized != raw and (self.markdown or normalized != raw.strip()):
            self.warn(row, f"序号 {raw!r} 含全角数字或空白，已规范为 {normalized}", int(normalized))
        return int(normalized)

    def _flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        self.finished.append(pending)
        self.warnings.append(TaskIssues(len(self.finished) - 1))  # the task's own warnings go here

    def _make_records(self) -> None:
        self.records, self.warnings = make_records(self.finished, self.warnings, self.raw.markup)


_WHITESPACE = re.compile(r"\s+")
_NUMBER_CELL = re.compile(r"^(\d+)(\.0)?[.、]?$")
_DIGITS = re.compile(r"\d+")


def _preview(cells) -> str:
    text = " | ".join((c or "").replace("\n", " ")[:20] for c in cells if c and c.strip())
    return f"“{text}”" if text else "（空）"


def parse_rows(raw: RawTable) -> ParsedTable:
    """The grammar over a reader's rows: one clean row per task."""
    return TableGrammar(raw).parse()
