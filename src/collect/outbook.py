"""One unit's workbook (openpyxl): its tasks pre-filled and locked, the cells to
fill unlocked with Chinese input messages and validation, a 填报说明 sheet, and
a hidden 回传信息 sheet (period, unit, fingerprint, task ids) by which the
return is matched back. Opens in Excel, WPS and LibreOffice.

The sheet is protected without a password: the reference cells cannot be typed
over by mistake, rows can still be sorted, filtered and inserted, and an office
that must can lift the protection (审阅 → 撤销工作表保护).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from src.collect.settings import (
    COORDINATION_CHOICES,
    HEADER_ROW,
    HEADERS,
    INFO_SHEET,
    INPUT_COLUMNS,
    KEY_HEADER,
    MAIN_SHEET,
    NOTES_SHEET,
    REFERENCE_COLUMNS,
    Period,
    show_time,
)
from src.collect.source import Task

COLUMN = {name: get_column_letter(i) for i, name in enumerate(HEADERS, start=1)}
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(vertical="top", wrap_text=True)
_SPARE_ROWS = 5  # unlocked empty rows under the tasks, for a task the unit adds (reported on return)


def fingerprint(period: Period, unit: str, tasks: list[Task]) -> str:
    """What was sent to this unit this round: period, unit, every task id with its text hash."""
    text = "\n".join([period.key, unit, *sorted(task.key for task in tasks)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def write_unit_workbook(path: Path, unit: str, tasks: list[Task], period: Period, deadline: dt.datetime,
                        settings: dict, office: str, sent_at: dt.datetime, source_title: str = "") -> str:
    """Write the unit's workbook; returns its fingerprint."""
    book = Workbook()
    sheet = book.active
    sheet.title = MAIN_SHEET
    _title_rows(sheet, unit, period, deadline, settings)
    for column, (name, width) in enumerate(REFERENCE_COLUMNS + INPUT_COLUMNS + [(KEY_HEADER, 18)], start=1):
        cell = sheet.cell(HEADER_ROW, column, name)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 32
    first = HEADER_ROW + 1
    for offset, task in enumerate(tasks):
        _task_row(sheet, first + offset, task)
    last = first + len(tasks) - 1
    for row in range(last + 1, last + 1 + _SPARE_ROWS):
        _blank_row(sheet, row)
    _validations(sheet, first, last + _SPARE_ROWS, tasks)
    sheet.column_dimensions[COLUMN[KEY_HEADER]].hidden = True
    sheet.freeze_panes = sheet.cell(first, 3)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{COLUMN[KEY_HEADER]}{last + _SPARE_ROWS}"
    protection = sheet.protection
    protection.sheet = True
    protection.sort = protection.autoFilter = protection.insertRows = False  # False = allowed
    protection.formatColumns = protection.formatRows = protection.formatCells = False
    _notes_sheet(book.create_sheet(NOTES_SHEET), unit, tasks, period, deadline, settings, office, source_title)
    mark = fingerprint(period, unit, tasks)
    _info_sheet(book.create_sheet(INFO_SHEET), unit, tasks, period, deadline, settings, mark, sent_at)
    book.properties.creator = "src.collect"
    book.properties.title = f"{unit} {period.name}重点工作填报"
    book.properties.created = sent_at.astimezone(dt.UTC).replace(tzinfo=None)
    book.save(path)
    return mark


def _title_rows(sheet, unit: str, period: Period, deadline: dt.datetime, settings: dict) -> None:
    last = COLUMN[INPUT_COLUMNS[-1][0]]
    sheet["A1"] = period.title(settings["workbook_title"])
    sheet["A1"].font = Font(bold=True, size=15)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = f"填报单位：{unit}　　报送截止：{show_time(deadline, settings)}"
    sheet.merge_cells(f"A2:{last}2")
    sheet["A3"] = ("灰色格为下发内容（不能修改）；淡黄色格请填写。不要删除或改名表头、不要删除行；"
                   "确有新增任务请写在表格下方空行。详见“填报说明”。")
    sheet["A3"].alignment = _WRAP
    sheet.merge_cells(f"A3:{last}3")
    sheet.row_dimensions[3].height = 30


def _task_row(sheet, row: int, task: Task) -> None:
    values = {
        "序号": task.task_id, "重点工作": task.task, "责任领导": task.leader, "配合单位": task.cooperating,
        "年度目标": task.target_value if task.target_value is not None else (task.target_text or "（非量化任务）"),
        "计量单位": task.target_unit, "上期进展情况（参考）": task.previous_progress,
        "上期状态（参考）": task.previous_status, KEY_HEADER: task.key,
    }
    for name, value in values.items():
        cell = sheet[f"{COLUMN[name]}{row}"]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text from the table is stored as text, never run as a formula
        cell.protection = Protection(locked=True)
        cell.fill = _LOCKED_FILL
        cell.alignment = _WRAP
        cell.border = _BORDER
    for name, _ in INPUT_COLUMNS:
        cell = sheet[f"{COLUMN[name]}{row}"]
        cell.protection = Protection(locked=False)
        cell.fill = _INPUT_FILL
        cell.alignment = _WRAP
        cell.border = _BORDER
    if task.target_value is not None:
        target, actual = f"{COLUMN['年度目标']}{row}", f"{COLUMN['截至本期完成值']}{row}"
        rate = sheet[f"{COLUMN['完成率']}{row}"]
        rate.value = f'=IF(AND(ISNUMBER({target}),ISNUMBER({actual}),{target}<>0),{actual}/{target},"")'
        rate.number_format = "0.0%"
    for name in ("联系电话", "截至本期完成值"):
        sheet[f"{COLUMN[name]}{row}"].number_format = "@" if name == "联系电话" else "General"
    sheet.row_dimensions[row].height = _row_height(task)


def _row_height(task: Task) -> float:
    """Points enough for the longest pre-filled text (a CJK character is about two width units),
    at least room to type in, at most Excel's 409."""
    widths = dict(REFERENCE_COLUMNS)
    lines = max(
        sum(len(part) // max(1, int(widths[name] / 2)) + 1 for part in text.split("\n"))
        for name, text in (("重点工作", task.task), ("上期进展情况（参考）", task.previous_progress))
    )
    return float(min(409, max(60, lines * 14 + 6)))


def _blank_row(sheet, row: int) -> None:
    for column in range(1, len(HEADERS) + 1):
        cell = sheet.cell(row, column)
        cell.protection = Protection(locked=column == len(HEADERS))
        cell.border = _BORDER
        cell.alignment = _WRAP


def _validations(sheet, first: int, last: int, tasks: list[Task]) -> None:
    def rows(name: str) -> str:
        return f"{COLUMN[name]}{first}:{COLUMN[name]}{last}"

    numeric = [first + i for i, task in enumerate(tasks) if task.target_value is not None]
    actual = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorStyle="warning")
    actual.promptTitle, actual.prompt = "截至本期完成值", "填写截至本期末的累计完成数，只填数字，单位与“计量单位”列相同。"
    actual.errorTitle, actual.error = "请填数字", "这里应填数字（如 12.5），单位见“计量单位”列。文字说明请写在“进展情况”中。"
    for row in numeric:
        actual.add(f"{COLUMN['截至本期完成值']}{row}")
    if numeric:
        sheet.add_data_validation(actual)
    prompts = [
        ("完成率", "完成率", "有年度目标数字的任务自动计算（完成值 ÷ 年度目标），不用填写；非量化任务可填完成比例，如 60%。"),
        ("进展情况", "进展情况（必填）", "写明截至本期末的进展：完成了什么、完成数、占年度目标的比例。不能空着，空着按未报送处理。"),
        ("存在问题", "存在问题", "没有问题可空；有问题请写明原因。"),
        ("下一步工作安排", "下一步工作安排", "下一步的具体举措和时间节点。"),
        ("填报人", "填报人", "填报人姓名。"),
    ]
    for name, title, text in prompts:
        prompt = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showErrorMessage=False)
        prompt.promptTitle, prompt.prompt = title, text
        prompt.add(rows(name))
        sheet.add_data_validation(prompt)
    choice = DataValidation(type="list", formula1='"' + ",".join(COORDINATION_CHOICES) + '"', allow_blank=True,
                            showErrorMessage=True, errorStyle="stop")
    choice.promptTitle, choice.prompt = "是否需要协调", "从下拉列表选择“是”或“否”；选“是”时请在“存在问题”中写明需要协调的事项。"
    choice.errorTitle, choice.error = "请从列表选择", "只能填“是”或“否”。"
    choice.add(rows("是否需要协调"))
    sheet.add_data_validation(choice)
    phone = DataValidation(type="textLength", operator="between", formula1="7", formula2="20", allow_blank=True,
                           showErrorMessage=True, errorStyle="warning")
    phone.promptTitle, phone.prompt = "联系电话", "手机或座机号码，如 13800000000 或 0571-87000000。"
    phone.errorTitle, phone.error = "电话号码", "电话号码应为 7 到 20 位。"
    phone.add(rows("联系电话"))
    sheet.add_data_validation(phone)


def _notes_sheet(sheet, unit: str, tasks: list[Task], period: Period, deadline: dt.datetime, settings: dict,
                 office: str, source_title: str) -> None:
    contact = "，".join(x for x in (settings["contact_name"], f"电话 {settings['contact_phone']}" if settings["contact_phone"] else "",
                                   f"邮箱 {settings['contact_email']}" if settings["contact_email"] else "") if x)
    lines = [
        f"{period.name}重点工作完成情况填报说明",
        f"填报单位：{unit}（共 {len(tasks)} 项任务）",
        f"报送截止时间：{show_time(deadline, settings)}（逾期报送的在填报情况中注明“逾期”）",
        f"报送方式：填好后将本工作簿原样发回{office or '督查室'}；文件可以改名，可以用 Excel、WPS 或 LibreOffice 保存（.xlsx）。",
        f"联系人：{contact}",
        "",
        "填写要求：",
        "1. 灰色格是下发的任务和上期情况，供参考，不能修改；淡黄色格由本单位填写。"
        + (f"上期情况摘自《{source_title}》。" if source_title else ""),
        "2. “截至本期完成值”只填数字（如 12.5），单位见“计量单位”列；“完成率”自动计算，超过 100% 时请在进展情况中说明。",
        "3. “进展情况”必填，空着按“未报送”处理；写明完成数、占年度目标的比例或具体节点。",
        "4. “是否需要协调”从下拉列表选择；选“是”时在“存在问题”中写明需协调的事项。",
        "5. 可以调整行的顺序、筛选，但不要删除任务行、不要修改表头和隐藏列（回传编号用于自动汇总）。",
        "6. 确有新增任务，请写在任务下方的空行中，汇总时单独列出，由督查室核实。",
        "7. 一个单位只需报送一份；重复报送的，以最后保存的一份为准。",
    ]
    sheet.column_dimensions["A"].width = 110
    for row, text in enumerate(lines, start=1):
        cell = sheet.cell(row, 1, text)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)


def _info_sheet(sheet, unit: str, tasks: list[Task], period: Period, deadline: dt.datetime, settings: dict,
                mark: str, sent_at: dt.datetime) -> None:
    pairs = [("统计期", period.key), ("统计期名称", period.name), ("填报单位", unit), ("指纹", mark),
             ("下发时间", show_time(sent_at, settings)), ("截止时间", show_time(deadline, settings)),
             ("说明", "本表用于自动汇总，请勿修改。")]
    for row, (name, value) in enumerate(pairs, start=1):
        sheet.cell(row, 1, name)
        sheet.cell(row, 2, value).data_type = "s"
    start = len(pairs) + 2
    for column, name in enumerate(("回传编号", "序号", "重点工作"), start=1):
        sheet.cell(start, column, name)
    for offset, task in enumerate(tasks, start=1):
        sheet.cell(start + offset, 1, task.key).data_type = "s"
        sheet.cell(start + offset, 2, task.task_id)
        sheet.cell(start + offset, 3, task.task).data_type = "s"
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
