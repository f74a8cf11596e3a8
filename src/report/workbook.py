"""The Excel workbook: one sheet with every task, one per leader, for editing and printing.

- every cell from the table is stored as text (never a formula);
- the 状态 column has a drop-down of the Chinese status words, and its colour
  comes from conditional formatting, so an edited status is recoloured;
- columns for the rule and the review reason (in Chinese; an overridden row's rule is 人工认定),
  causes, themes, the analyst's override (人工认定 / 认定理由 / 复核人 / 认定日期), the light and
  the confidence;
- a 打印 sheet of seven columns that prints on landscape A4 at 100 % (10 pt text);
- header wrapped and filled, frozen, filtered; printed landscape, fitted to the
  page width, with the header row repeated on every page; row heights set so
  wrapped text shows.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from src.report import findings
from src.report.narrative import evidence_text, is_override
from src.report.office import office_settings
from src.report.style import review_reason_text, rule_name, status_color, status_label, status_order

BY_DEFAULT_TEXT = "按默认（未见量化进度或明确表述）"

__all__ = ["EXCEL_COLUMNS", "EXCEL_WIDTHS", "write_excel"]

# (column in the classified table, heading). The first eleven keep their places from earlier
# versions (analysts' formulas and the tests read them by position); the review columns follow.
EXCEL_COLUMNS = [
    ("task_id", "序号"),
    ("leader", "牵头领导"),
    ("task", "重点工作"),
    ("lead_unit", "牵头单位"),
    ("status", "状态"),
    ("status_evidence", "判定依据"),
    ("schedule_gap_pts", "与序时进度差（百分点）"),
    ("needs_review", "待复核"),
    ("progress", "进展情况"),
    ("problems", "存在问题"),
    ("next_steps", "下一步工作安排"),
    ("status_rule", "判定规则"),
    ("review_reason", "复核原因"),
    ("status_source", "人工认定"),
    ("override_reason", "认定理由"),
    ("override_reviewer", "复核人"),
    ("override_date", "认定日期"),
    ("cause_tags", "问题原因"),
    ("theme_tags", "政策主题"),
    ("light", "亮灯"),
    ("confidence", "置信度"),
    ("by_default", "按默认判定"),  # status reached only by the default (no rule fired): INTERFACES.md
    ("review_priority", "复核优先级"),  # 1 look first … 3 (src/classify/queue.py)
    ("review_tier", "复核层级"),  # 待复核 within the review budget, 另见 beyond it (reasons kept)
]
# column widths in characters
EXCEL_WIDTHS = {"序号": 6, "牵头领导": 9, "重点工作": 40, "牵头单位": 18, "状态": 9, "判定依据": 36,
                "与序时进度差（百分点）": 11, "待复核": 7, "进展情况": 60, "存在问题": 40, "下一步工作安排": 50,
                "判定规则": 14, "复核原因": 24, "人工认定": 8, "认定理由": 24, "复核人": 9, "认定日期": 11,
                "问题原因": 16, "政策主题": 16, "亮灯": 7, "置信度": 7, "按默认判定": 22, "复核优先级": 8,
                "复核层级": 8}
# The 打印 sheet: what a printed page holds (at most 7 columns, landscape A4 at 100 %, 10 pt text).
# Widths in Excel's units (about 6.7 pt each in print): 105 of them fill the 770 pt between the margins.
PRINT_COLUMNS = [("task_id", "序号", 4.5), ("leader", "牵头领导", 7), ("task", "重点工作", 33), ("lead_unit", "牵头单位", 13),
                 ("status", "状态", 7), ("light", "亮灯", 5), ("reader_evidence", "判定依据", 36)]
PRINT_FONT_PT = 10
PRINT_LINE_PT = 13.5
CONFIDENCE_WORDS = {"high": "高", "medium": "中", "low": "低"}
STATUS_COLUMN = 5  # E: the tests and analysts rely on 状态 being the fifth column
LINE_HEIGHT_PT = 15  # one wrapped line of 10.5–11 pt text
MAX_ROW_LINES = 20  # Excel caps a row at 409 pt; very long cells stay scrollable
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_excel(tasks: pd.DataFrame, path: str | Path, comparison: pd.DataFrame | None = None) -> Path:
    """Write the workbook: sheet 全部任务, then one sheet per leader (table of contents order),
    and, with a previous period, the sheet 与上期比较 (``comparison``: :func:`src.compare.comparison_sheet`)."""

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write-only: each row is streamed to the file as it is appended, so time and memory grow with the rows
    # (a province's 14,300 tasks on 801 sheets), not with the rows squared as sheet[sheet.max_row] did.
    book = Workbook(write_only=True)
    _add_body_styles(book)
    leaders = [name for name in tasks.drop_duplicates("leader").sort_values("leader_order")["leader"].tolist()
               if isinstance(name, str) and name.strip()]  # a table without leaders has the first sheet only
    tasks = _with_reader_columns(tasks)  # once: each leader's sheet takes its rows (the table split once)
    groups = dict(tuple(tasks.groupby("leader", sort=False)))
    sheets = [("全部任务", tasks)] + [(_sheet_name(leader), groups[leader]) for leader in leaders]
    for name, frame in sheets:
        _write_sheet(book.create_sheet(name), frame.sort_values("task_id", kind="stable"))
    _write_print_sheet(book.create_sheet("打印"), tasks.sort_values("task_id", kind="stable"))
    if comparison is not None and not comparison.empty:
        _write_plain_sheet(book.create_sheet("与上期比较"), comparison)
    book.save(path)
    return path


BODY_STYLE = "任务表正文"  # wrapped, top-aligned, thin grey borders: every data cell of the task sheets
PLAIN_BODY_STYLE = "比较表正文"  # wrapped, top-aligned: the data cells of 与上期比较
PRINT_BODY_STYLE = "打印正文"  # 10 pt, wrapped, top-aligned, thin borders: the data cells of 打印


def _add_body_styles(book) -> None:
    """The data cells' look as two named styles, set per cell by name: assigning style objects
    cell by cell made openpyxl hash them once per cell (two thirds of the workbook's time)."""

    thin = Side(style="thin", color="FFBFC5CC")
    book.add_named_style(NamedStyle(name=BODY_STYLE, alignment=Alignment(wrap_text=True, vertical="top"),
                                    border=Border(left=thin, right=thin, top=thin, bottom=thin)))
    book.add_named_style(NamedStyle(name=PLAIN_BODY_STYLE, alignment=Alignment(wrap_text=True, vertical="top")))
    dark = Side(style="thin", color="FF808080")
    book.add_named_style(NamedStyle(name=PRINT_BODY_STYLE, font=Font(size=PRINT_FONT_PT),
                                    alignment=Alignment(wrap_text=True, vertical="top"),
                                    border=Border(left=dark, right=dark, top=dark, bottom=dark)))


def _text_cell(sheet, value, style: str):
    """A streamed cell in a named style; a string is stored as text, never as a formula."""

    cell = WriteOnlyCell(sheet, value)
    cell.style = style
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _write_sheet(sheet, frame: pd.DataFrame) -> None:
    # everything about the sheet is set first; then the rows are streamed
    for index, (_, label) in enumerate(EXCEL_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = EXCEL_WIDTHS[label]
    last = max(len(frame) + 1, 2)
    status = get_column_letter(STATUS_COLUMN)
    status_range = f"{status}2:{status}{max(last, 1000)}"  # rows an analyst may add keep the rules
    for code in status_order():
        sheet.conditional_formatting.add(status_range, CellIsRule(
            operator="equal", formula=[f'"{status_label(code)}"'], stopIfTrue=True,
            fill=PatternFill("solid", fgColor="FF" + status_color(code).lstrip("#").upper(),
                             bgColor="FF" + status_color(code).lstrip("#").upper()),
            font=Font(color="FFFFFFFF", bold=True),
        ))
    choices = ",".join(status_label(code) for code in status_order())
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=False, showDropDown=False,
                                errorTitle="状态", error=f"状态只能是：{choices}", promptTitle="状态", prompt=f"请选择：{choices}")
    validation.showErrorMessage = True
    sheet.data_validations.append(validation)
    validation.add(status_range)
    sheet.freeze_panes = "D2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXCEL_COLUMNS))}{last}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "第 &P 页 / 共 &N 页"

    thin = Side(style="thin", color="FFBFC5CC")
    header = []
    for _, label in EXCEL_COLUMNS:
        cell = WriteOnlyCell(sheet, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFDDE4EC")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        header.append(cell)
    sheet.row_dimensions[1].height = 2 * LINE_HEIGHT_PT + 4
    sheet.append(header)
    for number, row in enumerate(frame.to_dict("records"), start=2):
        values = [_excel_value(column, row) for column, _ in EXCEL_COLUMNS]
        sheet.row_dimensions[number].height = _row_height(values)
        sheet.append([_text_cell(sheet, value, BODY_STYLE) for value in values])


def _with_reader_columns(tasks: pd.DataFrame) -> pd.DataFrame:
    """The light and what a reader sees of the evidence (no reviewer's name), as columns."""

    settings = office_settings()
    rows = list(tasks.itertuples(index=False))
    return tasks.assign(light=[findings.light_of(row, settings) for row in rows],
                        reader_evidence=[findings.reader_evidence(row) for row in rows])


def _write_print_sheet(sheet, frame: pd.DataFrame) -> None:
    """打印: the seven columns a printed page holds, 10 pt on landscape A4 at 100 % (no shrinking to
    fit), header repeated, rows as tall as their wrapped text; text stored as text. Streamed like
    the other sheets (write-only): the sheet's settings first, then the rows."""

    for index, (_, _, width) in enumerate(PRINT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.print_area = f"A1:{get_column_letter(len(PRINT_COLUMNS))}{len(frame) + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.scale = 100
    sheet.sheet_properties.pageSetUpPr.fitToPage = False
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页 / 共 &N 页"

    thin = Side(style="thin", color="FF808080")
    header = []
    for _, label, _ in PRINT_COLUMNS:
        cell = WriteOnlyCell(sheet, label)
        cell.font = Font(size=PRINT_FONT_PT, bold=True)
        cell.fill = PatternFill("solid", fgColor="FFDDE4EC")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        header.append(cell)
    sheet.append(header)
    for number, row in enumerate(frame.to_dict("records"), start=2):
        values = [_print_value(column, row) for column, _, _ in PRINT_COLUMNS]
        lines = 1
        for value, (_, _, width) in zip(values, PRINT_COLUMNS):
            if isinstance(value, str):
                lines = max(lines, math.ceil(max(_display_width(value), 1) / max(width * 11 / PRINT_FONT_PT - 1, 1)))
        sheet.row_dimensions[number].height = min(lines, MAX_ROW_LINES) * PRINT_LINE_PT + 3
        sheet.append([_text_cell(sheet, value, PRINT_BODY_STYLE) for value in values])


def _print_value(column: str, row: dict):
    if column == "status":
        text = status_label(row.get("status"))
        return f"{text}（人工认定）" if is_override(row) else text
    if column == "task_id":
        return _excel_value(column, row)
    value = row.get(column)
    if value is None or (isinstance(value, float) and value != value):
        return None
    return _EXCEL_ILLEGAL.sub("", str(value)) or None


def _write_plain_sheet(sheet, frame: pd.DataFrame) -> None:
    """A read-only table (Chinese headers as given): text stored as text, header filled and repeated on print."""

    for index, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if "任务" in str(column) else 14
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    header = []
    for column in frame.columns:
        cell = WriteOnlyCell(sheet, str(column))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFDDE4EC")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    for values in frame.itertuples(index=False):
        sheet.append([_text_cell(sheet, _plain_value(value), PLAIN_BODY_STYLE) for value in values])


def _plain_value(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, str):
        return _EXCEL_ILLEGAL.sub("", value)
    return value if isinstance(value, (int, bool)) else str(value)


def _row_height(values) -> float:
    """Enough lines for the longest wrapped cell (CJK characters count double width)."""
    lines = 1
    for value, (_, label) in zip(values, EXCEL_COLUMNS):
        width = EXCEL_WIDTHS[label]
        if not isinstance(value, str) or not value:
            continue
        needed = sum(math.ceil(max(_display_width(part), 1) / max(width - 1, 1)) for part in value.split("\n"))
        lines = max(lines, needed)
    return min(lines, MAX_ROW_LINES) * LINE_HEIGHT_PT + 3


_WIDE = re.compile("[\u2e81-\U0010ffff]")  # characters that take two columns (CJK and above)


def _display_width(text: str) -> int:
    return len(text) + len(_WIDE.findall(text))


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"


def _excel_value(column: str, row: dict):
    value = row.get(column)
    if column == "status":
        return status_label(value)
    if column == "status_rule":  # the rule's Chinese name; an analyst's ruling replaces the rule
        if is_override(row):
            return rule_name("override")
        if row.get("by_default") is True:  # INTERFACES.md: reached only by the default
            return "按默认（未见量化进度或明确表述）"
        return rule_name(value) if value else None
    if column == "review_reason":
        return None if is_override(row) else (review_reason_text(value) or None)
    if column == "confidence":
        return CONFIDENCE_WORDS.get(value, value) or None
    if column in ("review_priority", "review_tier"):  # the queue's order and tier; none once ruled on
        if is_override(row) or value is None or value != value or value in (0, ""):
            return None
        return int(value) if column == "review_priority" else str(value)
    if column == "status_evidence":
        value = evidence_text(row)
    elif column == "needs_review":
        return "是" if bool(value) and not is_override(row) else ""
    elif column == "status_source":
        return "是" if is_override(row) else ""
    elif column == "by_default":
        return BY_DEFAULT_TEXT if value is True or (bool(value) and value == value) else ""
    elif column == "schedule_gap_pts":
        return None if value is None or value != value or is_override(row) else round(float(value), 1)
    elif column in {"cause_tags", "theme_tags"}:
        key = "cause" if column == "cause_tags" else "theme"
        tags = value if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else []
        value = "、".join(dict.fromkeys(str(tag.get(key, "")) for tag in list(tags) if isinstance(tag, dict)))
    elif column in {"task_id"}:
        return None if value is None or value != value else int(value)
    if value is None or (isinstance(value, float) and value != value):
        return None
    if not isinstance(value, str):
        value = str(value)
    # Control characters the xlsx format cannot hold (openpyxl refuses them): dropped, the rest kept.
    return _EXCEL_ILLEGAL.sub("", value) or None
