"""What ``collect in`` writes: the period's summary table (a NEW file in
``data/raw/``, never over an existing one, in the project's template layout
with 年度目标 / 截至本期完成值 / 完成率), the 填报情况 report (xlsx; its lines
also on the console) and the 催报 list, both in the round's folder.
"""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from src.collect.send import unit_contacts
from src.collect.settings import SUMMARY_HEADERS, show_time
from src.paths import RAW_DIR
from src.store import escape_formula

REPORT_FILE = "填报情况.xlsx"
CHASE_FILE = "催报清单"
_WIDTHS = {"序号": 6, "重点工作": 40, "牵头单位": 16, "配合单位": 14, "责任领导": 12, "完成时限": 10, "年度目标": 12,
           "截至本期完成值": 12, "完成率": 9, "进展情况": 50, "存在问题": 30, "下一步工作安排": 30}
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_outputs(result, to: Path | None = None) -> None:
    """The report and the 催报 list always; the summary only when at least one unit's return was read
    (a wrong folder must not put a table of nothing but 未报送 into the build's inbox)."""
    if any(state.state != "未报" for state in result.units):
        result.summary_path, result.summary_note = write_summary(result, Path(to) if to else RAW_DIR)
    else:
        result.summary_note = "没有读入任何单位的填报（文件夹对吗？），未写汇总表"
    result.report_path = write_report(result)
    result.chase_path = write_chase_list(result)


def summary_rows(result) -> list[list[str]]:
    rows = []
    for task in result.round.tasks:
        entry = result.entries.get(task.key)
        rows.append([
            str(task.task_id), task.task, task.lead_unit, task.cooperating, task.leader, task.deadline,
            task.target_shown,
            entry.actual_shown if entry else "", entry.rate_shown if entry else "",
            entry.progress if entry else "",  # empty: the build judges the task 未报送
            entry.problems if entry else "", entry.next_steps if entry else "",
        ])
    return rows


def write_summary(result, folder: Path) -> tuple[Path, str]:
    """The summary as a new file in ``folder``; an existing file of that name is never replaced
    (the new one is numbered instead). Returns the path and a note when it was numbered."""
    sent = result.round
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总表"
    last = get_column_letter(len(SUMMARY_HEADERS))
    issued = sent.deadline  # the month the returns are due: the same every run
    for row, text in enumerate((sent.title, f"填报单位：{sent.office or '督查室'}", f"{issued.year}年{issued.month}月"),
                               start=1):
        sheet.cell(row, 1, text).data_type = "s"
        sheet.merge_cells(f"A{row}:{last}{row}")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for column, name in enumerate(SUMMARY_HEADERS, start=1):
        cell = sheet.cell(4, column, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(name, 12)
    for offset, values in enumerate(summary_rows(result)):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(5 + offset, column, value)
            cell.data_type = "s"  # every cell as text: a cell starting with = is never run
            cell.number_format = "@"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = _BORDER
    sheet.freeze_panes = "A5"
    sheet.print_title_rows = "4:4"
    sheet.page_setup.orientation = "landscape"
    book.properties.creator = "src.collect"
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{sent.period.year}_{sent.period.label}_重点工作汇总表_各单位填报"
    return _save_new(book, folder, base)


def _save_new(book, folder: Path, base: str) -> tuple[Path, str]:
    """Save under ``base.xlsx``, or ``base(2).xlsx``… when taken. The file appears whole (a hard link
    from a temporary file, which fails rather than replace an existing name)."""
    handle, temporary = tempfile.mkstemp(prefix="~$collect-", suffix=".xlsx", dir=folder)  # ~$: ignored by the inbox
    os.close(handle)
    try:
        book.save(temporary)
        for number in range(1, 100):
            target = folder / (f"{base}.xlsx" if number == 1 else f"{base}({number}).xlsx")
            try:
                _link_or_copy(temporary, target)
            except FileExistsError:
                continue
            note = "" if number == 1 else f"已有 {base}.xlsx，未覆盖，本次写为 {target.name}"
            return target, note
        raise FileExistsError(f"{folder}/{base}(99).xlsx")
    finally:
        os.unlink(temporary)


def _link_or_copy(temporary: str, target: Path) -> None:
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: create exclusively, then copy
        with open(target, "xb") as out, open(temporary, "rb") as data:
            out.write(data.read())


def _state_rows(result) -> list[list]:
    settings = result.settings
    return [[s.unit, s.state, s.tasks, s.filled, s.file, show_time(s.saved_at, settings) if s.saved_at else "",
             s.reporter, s.phone] for s in result.units]


def chase_rows(result) -> list[list]:
    """Units that have not returned: unit, its tasks (序号 and text), its file, the unit's contact (from the
    mail-merge list, where the office filled it in) and the office's own."""

    settings = result.settings
    contact = " ".join(x for x in (settings["contact_name"], settings["contact_phone"]) if x)
    theirs = unit_contacts(result.round.folder)
    rows = []
    for state in result.units:
        if state.state != "未报":
            continue
        tasks = result.round.unit_tasks(state.unit)
        listed = "；".join(f"{t.task_id}. {t.task[:30]}{'…' if len(t.task) > 30 else ''}" for t in tasks)
        sent_file = next((u["file"] for u in result.round.units if u["unit"] == state.unit), "")
        rows.append([state.unit, len(tasks), listed, sent_file, show_time(result.round.deadline, settings),
                     *theirs.get(state.unit, ["", "", ""]), contact])
    return rows


CHASE_HEADER = ["单位", "任务数", "任务（序号. 内容）", "下发文件", "报送截止", "单位联系人", "联系电话", "邮箱", "督查室联系人"]
STATE_HEADER = ["单位", "填报情况", "任务数", "已填进展", "采用的文件", "保存时间", "填报人", "联系电话"]
FAULT_HEADER = ["类别", "文件", "行", "问题"]


def write_report(result) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "填报情况"
    _table(sheet, STATE_HEADER, _state_rows(result), (24, 8, 8, 8, 36, 17, 10, 14))
    faults = book.create_sheet("问题清单")
    _table(faults, FAULT_HEADER, [[f.level, f.file, f.row or "", f.text] for f in result.all_faults()], (6, 36, 6, 90))
    chase = book.create_sheet("催报清单")
    _table(chase, CHASE_HEADER, chase_rows(result), (24, 8, 80, 36, 17, 12, 16, 24, 24))
    need = book.create_sheet("需协调事项")
    rows = [[e.task.task_id, e.task.unit, e.task.task, e.problems, e.file, e.row]
            for e in result.entries.values() if e.coordination == "是"]
    _table(need, ["序号", "单位", "重点工作", "存在问题", "文件", "行"], rows, (6, 20, 40, 50, 30, 6))
    path = result.round.folder / REPORT_FILE
    book.save(path)
    return path


def _table(sheet, header: list[str], rows: list[list], widths) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def write_chase_list(result) -> Path:
    path = result.round.folder / f"{CHASE_FILE}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CHASE_HEADER)
        for row in chase_rows(result):
            writer.writerow([escape_formula(v) for v in row])  # the project's CSV convention
    return path


def console_lines(result) -> list[str]:
    counts = {state: sum(1 for s in result.units if s.state == state) for state in ("已报", "逾期", "未报")}
    sent = result.round
    lines = [f"{sent.period.name}填报情况：{len(result.units)} 个单位，已报 {counts['已报']}，逾期 {counts['逾期']}，"
             f"未报 {counts['未报']}；读入文件 {len(result.files)} 个"]
    for state in ("逾期", "未报"):
        named = [s.unit for s in result.units if s.state == state]
        if named:
            lines.append(f"{state}：{'、'.join(named)}")
    missing = sum(1 for task in sent.tasks if not (result.entries.get(task.key) and result.entries[task.key].progress))
    faults = result.all_faults()
    lines.append(f"问题 {len(faults)} 条（错误 {sum(f.level == '错误' for f in faults)}，"
                 f"核实 {sum(f.level == '核实' for f in faults)}，提示 {sum(f.level == '提示' for f in faults)}）：")
    lines.extend(f"  {fault.line()}" for fault in faults)
    if result.summary_path:
        lines.append(f"汇总表：{result.summary_path}（{len(sent.tasks)} 项任务，其中 {missing} 项进展为空，构建中按未报送）")
    if result.summary_note:
        lines.append(f"  {result.summary_note}")
    lines.append(f"填报情况：{result.report_path}")
    lines.append(f"催报清单：{result.chase_path}（{counts['未报']} 个单位）")
    return lines
