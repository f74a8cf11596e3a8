"""The key-task table's grammar, the same for every input format.

A reader (:mod:`src.ingest`) gives raw rows; this module recognises in them the
document header (title, issuing office, date → period and reference date), the
header row (column names from ``data/reference/table_format.toml``), leader
sections (Markdown ``##`` headings, Word headings, merged or one-cell section
rows) or a leader column, repeated header rows, blank and other non-task rows,
and the task rows. It validates and reconciles them: every task row read
becomes exactly one task, or the parse stops with a :class:`RawTableError`
naming the file, the sheet or table, the row and the fault.

Normal features of these tables (a header repeated at each page or section,
merged cells, a row split across two PDF pages) are counted in the quality
summary, not listed as warnings; repaired oddities are warnings.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from src.cells import clean_cell, clean_text_cell, join_cjk_spaces
from src.ingest.rows import RawRow, RawTable
from src.table_document import grid_metadata, is_toc_line, markdown_metadata, read_toc
from src.table_problems import ParseIssue, RawTableError

if TYPE_CHECKING:  # pandas is imported where the task frame is built: reading a title (the inbox) needs none
    import pandas as pd

from src.table_vocabulary import (
    cell_text,
    column_label,
    header_names,
    is_header,
    parse_leader_cell,
    parse_leader_heading,
    parse_section_row,
    required_columns,
    split_fifth_column,
    split_lead_units,
    squash,
    strip_markdown,
    table_format,
)

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
OPTIONAL_COLUMNS = ["cooperating_units", "deadline", "annual_target", "actual", "rate"]
# The Hangzhou layout, for messages and the template.
FIELD_ORDER = ["task_id", "task", "lead_unit", "progress", "problems_and_next_steps"]
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
        from src.quality import quality_summary  # cold start: pandas, which reading a title does not need

        return quality_summary(self)


# --------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------
@dataclass
class _Header:
    names: list[str]  # one per column: a field name or the header text
    index: dict[str, int]  # field → column
    row: RawRow
    first_names: tuple = ()  # the header row as found (a repeat of it is recognised)
    sub_names: tuple | None = None  # a second header row under merged header cells
    open: bool = True  # no task row yet: a second header row may follow
    checked: bool = False
    record_columns: tuple = ()  # (field, column) for each field of a task record the header has

    def __post_init__(self) -> None:
        self.set_index(self.index)

    def set_index(self, index: dict[str, int]) -> None:
        self.index = index
        self.record_columns = tuple((name, index[name]) for name in _RECORD_COLUMNS if name in index)


def _column_index(names: list[str]) -> dict[str, int]:
    known = table_format()["columns"]
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in known and name not in index:
            index[name] = position
    return index


@dataclass(slots=True)
class _PendingTask:
    task_id: int
    cells: list[str | None]
    row: RawRow
    leader: tuple[str, str, int]
    header: _Header
    joined: int = 0


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
        self.headers: dict[str | None, _Header] = {}  # by sheet
        self.records: list[dict] = []
        self.pending: _PendingTask | None = None
        self.finished: list[_PendingTask] = []  # every task read, made into records after the pass
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
        self.leader_mode = self._leader_mode(rows)
        metadata = self.read_metadata(rows)
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
                raise self._no_header_error(rows)
            found = "（只有表头，没有任务行）" if self.headers else ""
            raise self.error(None, "没有找到任何数据行：文件中没有表格" + found + " (no table rows found)")
        columns = TASK_COLUMNS + [c for c in OPTIONAL_COLUMNS if any(c in h.index for h in self.headers.values())]
        import pandas as pd

        tasks = pd.DataFrame.from_records(self.records, columns=columns)
        tasks = tasks.sort_values("task_id", kind="stable").reset_index(drop=True)
        self.warnings.extend(_check_ids(tasks["task_id"].tolist(), [r["task_id"] for r in self.records]))
        if self.markdown or toc:
            self.warnings.extend(_check_toc(toc, self.leaders))
        if self.leader_mode == "none":
            self.warnings.append(ParseIssue(None, NO_LEADERS_WARNING))
        metadata["leaders"] = [name for name, _ in self.leaders]
        metadata["leader_source"] = self.leader_mode
        recognised = dict(self.recognised)
        if self.other_rows:
            recognised["other_row_texts"] = self.other_rows[:20]
        return ParsedTable(tasks=tasks, metadata=metadata, warnings=self.warnings, rows_read=self.rows_read,
                           recognised=recognised)

    def _no_header_error(self, rows: list[RawRow]) -> RawTableError:
        """No header row recognised: say what a header needs, and show the row
        that looks most like one, so an analyst knows which name to add."""
        needed = "、".join(column_label(name) for name in required_columns())
        candidates = [row for row in rows if row.kind == "cells" and len(row.filled) >= 3]
        if not candidates:
            if self.raw.format == "pdf":
                return self.error(None, "PDF 中没有找到带表格线的表格（没有表格线的 PDF 无法可靠地分列），请索取 Word/Excel 原件 "
                                  "(no ruled table found in the PDF; no table rows found)")
            return self.error(None, "没有找到任何数据行：文件中没有表格 (no table rows found)")
        row = candidates[0]
        shown = " / ".join(squash(cell_text(c, self.raw.markup)) for c in row.filled)
        return self.error(
            row,
            f"没有找到表头行：表头需要有 {needed} 这几列（列名的同义词见 data/reference/table_format.toml）；"
            f"第一个像表格的行是 {shown[:200]} (no header row found; no table rows found)",
        )

    def _leader_mode(self, rows: list[RawRow]) -> str:
        """Where leaders come from: "sections", "column" or "none". Also notes
        which sheets have a header row at all."""
        column = False
        # Only named sheets are ever looked up here (rows outside a sheet have
        # sheet None), and one header row is enough for a sheet.
        self.sheets_with_header = set()
        for row in rows:
            if row.sheet is not None and row.sheet not in self.sheets_with_header and row.kind == "cells" \
                    and is_header(row.cells, self.raw.markup):
                self.sheets_with_header.add(row.sheet)
        for row in rows:
            if row.kind == "text" and self.markdown:
                if row.level >= 2 and parse_leader_heading(row.cells[0]):
                    return "sections"
            elif row.kind == "text" or (row.kind == "cells" and not self.markdown and len(row.filled) == 1):
                text = row.filled[0] if row.filled else ""
                if not self.markdown and parse_section_row(text) and not _is_task_number(text):
                    return "sections"
            elif row.kind == "cells" and is_header(row.cells, self.raw.markup):
                if "leader" in header_names(tuple(row.cells), self.raw.markup):
                    column = True
        if column:
            return "column"
        sheets = [sheet for sheet in self.sheets_with_header if sheet is not None]
        if sheets and all(parse_section_row(sheet) for sheet in sheets):
            return "sheets"  # one sheet per leader, named after the leader
        return "none"

    def read_metadata(self, rows: list[RawRow]) -> dict:
        if self.markdown:
            return markdown_metadata([r.source or "" for r in rows], self.path)
        texts = []
        with_header = getattr(self, "sheets_with_header", None)
        for row in rows:
            if row.sheet is not None and with_header is not None and row.sheet not in with_header:
                continue  # a notes sheet before the table
            if row.kind == "cells" and is_header(row.cells, self.raw.markup):
                break
            if row.kind == "text" or row.kind == "cells":
                text = " ".join(cell_text(c, self.raw.markup) for c in row.filled)
                if text:
                    texts.append((text, row.level))
        return grid_metadata(texts, self.path)

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
            len(filled) == 1 and (row.cells[0] or "").strip() and not _is_task_number(filled[0])
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
        if id_column is not None and not task_text and not _is_task_number(fields[id_column] or ""):
            # 合计, 注：…, 填表人：… below the table: no task text, no number
            self.recognised["other_rows"] += 1
            self.other_rows.append(_preview(fields)[1:-1][:60])
            return
        self._flush()
        self.rows_read += 1
        if not self.leaders and self.leader_mode == "sections":
            raise self.error(row, "数据行出现在任何领导分组行之前 (data row before any leader heading)")
        self._start_task(row, fields, header)

    def _fit_fields(self, row: RawRow, header: _Header) -> list[str | None]:
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
            pending.cells[position] = _join_parts(before, cell, self.raw.wrapped_lines)
        pending.joined += 1
        self.recognised["continuation_rows"] += 1
        if self.raw.format != "pdf":
            self.warn(row, f"本行没有序号，已并入上一行的任务（序号 {pending.task_id}）", pending.task_id)

    # ---- shared -------------------------------------------------------------
    def _take_header(self, row: RawRow) -> None:
        sheet_header = self.headers.get(row.sheet)
        if sheet_header is not None and row.cells == sheet_header.row.cells:
            names = sheet_header.first_names  # the header row again, word for word: the same names
        else:
            names = list(header_names(tuple(row.cells), self.raw.markup))
            while names and names[-1] == "":
                names.pop()
        if sheet_header is not None and sheet_header.first_names == tuple(names):
            self.recognised["repeated_header_rows"] += 1
            self.repeat_pending = sheet_header.sub_names
            return
        self._flush()
        self.recognised["header_rows"] += 1
        header = _Header(names, _column_index(names), row, first_names=tuple(names))
        self.headers[row.sheet] = header
        if self.markdown:
            self._check_header(header)

    def _sub_header(self, row: RawRow, header: _Header) -> bool:
        """A second header row under merged header cells (进展情况 over 完成情况 |
        完成率): its names replace the merged cell's for those columns."""
        if self.repeat_pending is not None:
            names = header_names(tuple(row.cells), self.raw.markup)
            if tuple(names) == self.repeat_pending:
                self.repeat_pending = None
                self.recognised["repeated_header_rows"] += 1
                return True
        self.repeat_pending = None
        if not header.open or row.kind != "cells":
            return False
        names = header_names(tuple(row.cells), self.raw.markup)
        known = table_format()["columns"]
        filled = [i for i, cell in enumerate(row.cells) if cell is not None and cell.strip()]
        if not filled or not all(names[i] in known and names[i] != "task_id" for i in filled):
            return False
        merged = list(header.names) + [""] * max(0, len(row.cells) - len(header.names))
        for position in filled:
            merged[position] = names[position]
        header.names, header.sub_names = merged, tuple(names)
        header.set_index(_column_index(merged))
        self.recognised["header_rows"] += 1
        return True

    def _check_header(self, header: _Header) -> None:
        """Required columns present (else stop, naming the columns found); unknown
        and doubled columns are warned about once per layout."""
        if header.checked:
            return
        header.checked = True
        row, names, index = header.row, header.names, header.index
        known = table_format()["columns"]
        found = " / ".join(squash(cell_text(c, self.raw.markup)) for c in row.cells if c and c.strip())
        missing = [name for name in required_columns() if name not in index]
        if missing:
            labels = "、".join(column_label(name) for name in missing)
            raise self.error(
                row,
                f"表头缺少“{labels}”列：找到的列为 {found}；"
                f"如果这一列换了名称，请在 data/reference/table_format.toml 中加上这个名称 "
                f"(header row lacks column {', '.join(missing)}; columns found: {found})",
            )
        signature = tuple(names)
        if signature not in self.reported_columns:
            self.reported_columns.add(signature)
            unknown = [n for n in names if n and n not in known]
            doubled = [n for pos, n in enumerate(names) if n in known and index[n] != pos]
            if unknown:
                self.warn(row, f"未识别的列：{'、'.join(unknown)}（未读入；如需读入，在 table_format.toml 中加上列名）")
            if doubled:
                self.warn(row, f"重复的列：{'、'.join(column_label(n) for n in doubled)}（只读入第一列）")

    def _start_task(self, row: RawRow, fields: list[str | None], header: _Header) -> None:
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
        self.pending = _PendingTask(task_id, list(fields), row, leader, header)

    def _row_leader(self, row: RawRow, fields, header: _Header) -> tuple[str, str, int]:
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
        self.warnings.append(_TaskIssues(len(self.finished) - 1))  # the task's own warnings go here

    def _make_records(self) -> None:
        """Every task read made into its record (cells cleaned, units split), in order, and
        its warnings put where the task ended in the pass."""
        made = [self._task_record(pending) for pending in self.finished]
        self.records = [record for record, _ in made]
        warnings = []
        for issue in self.warnings:
            warnings.extend(made[issue.task][1] if isinstance(issue, _TaskIssues) else [issue])
        self.warnings = warnings

    def _task_record(self, pending: _PendingTask) -> tuple[dict, list[ParseIssue]]:
        """The task's record and what was repaired in its cells."""
        task_id, row, index = pending.task_id, pending.row, pending.header.index
        issues: list[ParseIssue] = []

        def warn(message: str) -> None:
            issues.append(ParseIssue(row.line, message, task_id, row.table))

        cells = {}
        html = self.raw.markup == "html"
        clean = clean_cell if html else clean_text_cell  # self.clean, for a cell that is never None
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
        return record, issues


@dataclass(frozen=True)
class _TaskIssues:
    """In the pass's warnings: where the warnings of the ``task``-th task read go."""

    task: int


def _join_lines(first: str, second: str) -> str:
    """The two texts, one under the other; an empty one left out."""
    if first and second:
        return first + "\n" + second
    return first or second


def _is_task_number(text: str) -> bool:
    return bool(_TASK_NUMBER.fullmatch(text or ""))


_TASK_NUMBER = re.compile(r"\s*[0-9０-９]+(\.0)?\s*[.、]?\s*")
_WHITESPACE = re.compile(r"\s+")
_NUMBER_CELL = re.compile(r"^(\d+)(\.0)?[.、]?$")
_DIGITS = re.compile(r"\d+")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_SPACE_BEFORE_BRACKET = re.compile(r"\s+(?=[（(])")
_RECORD_COLUMNS = ("task", "lead_unit", "progress", "problems_and_next_steps", "problems", "next_steps",
                   *OPTIONAL_COLUMNS)
_WARN_EMPTY = frozenset({"task", "lead_unit", "progress", "problems_and_next_steps"})


def _preview(cells) -> str:
    text = " | ".join((c or "").replace("\n", " ")[:20] for c in cells if c and c.strip())
    return f"“{text}”" if text else "（空）"


_SENTENCE_END = "。；;：:！!？?）)”"
_ITEM_START = re.compile(r"^\s*(\d{1,2}[.．、]|（\d{1,2}）|\(\d{1,2}\)|[一二三四五六七八九十]{1,2}[、.．]|[（(][一二三四五六七八九十]{1,2}[）)]|[①-⑳])")


def _join_parts(before: str, after: str, wrapped: bool) -> str:
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


def _check_ids(ids: list[int], file_order: list[int]) -> list[ParseIssue]:
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


def _check_toc(toc: list[str], leaders: list[tuple[str, str]]) -> list[ParseIssue]:
    names = [name for name, _ in leaders]
    if not toc:
        return [ParseIssue(None, "未找到目录，领导顺序按正文章节顺序")]
    if toc != names:
        return [ParseIssue(None, f"目录中的领导顺序（{'、'.join(toc)}）与正文章节（{'、'.join(names)}）不一致")]
    return []


def parse_rows(raw: RawTable) -> ParsedTable:
    """The grammar over a reader's rows: one clean row per task."""
    return TableGrammar(raw).parse()
