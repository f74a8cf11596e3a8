"""Write the blank template workbook data/reference/汇总表模板.xlsx that an office
hands to its units (run by hand; the workbook is committed):

    PYTHONPATH=$PWD .venv/bin/python scripts/make_table_template.py

Its header uses the column names of data/reference/table_format.toml, so a
filled-in copy is read without any change; the second sheet explains each
column. Leaders come from the 责任领导 column (one name per row, or one cell
merged down over that leader's rows).
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "data" / "reference" / "汇总表模板.xlsx"

# (header, column width, what to write)
COLUMNS = [
    ("序号", 6, "从 1 起连续编号，一项任务一行。"),
    ("重点工作", 36, "政府工作报告中的重点工作原文。"),
    ("牵头单位", 16, "多个单位用顿号“、”分隔。"),
    ("配合单位", 16, "可空。"),
    ("责任领导", 12, "领导姓名和职务，如“张三副市长”；同一领导的多行可以合并单元格。"),
    ("完成时限", 12, "可空，如“2021年12月底”。"),
    ("年度目标", 24, "可空；量化目标请写明数字和单位。"),
    ("进展情况", 48, "截至统计期末的进展，写明完成数、年度计划数或百分比。"),
    ("存在问题", 32, "没有问题可空。"),
    ("下一步工作安排", 32, "下一步打算。"),
]
TITLE = "XXXX年政府工作报告重点工作1-X月完成情况汇总表"
NOTES = [
    "填写说明",
    "1. 第一行标题请写明年份和统计期（如“2021年政府工作报告重点工作1-9月完成情况汇总表”、“上半年”、“前三季度”），"
    "报告的序时进度按统计期计算。",
    "2. 第二行写填报单位，第三行写填报日期（如“2021年10月”）。",
    "3. 表头不要改名、不要合并；可以删去不用的可选列（配合单位、完成时限、年度目标）。",
    "4. 一项任务一行；单元格内可以换行（Alt+Enter）。不要在表格中间插入合计行或说明行。",
    "5. 也可以不填“责任领导”列，改为在每位领导的任务之前插入一行、合并整行，写“张三副市长牵头重点工作”。",
    "",
    "各列：",
    *[f"{name}：{what}" for name, _, what in COLUMNS],
]


def main() -> Path:
    sys.path.insert(0, str(ROOT))
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "汇总表"
    last = get_column_letter(len(COLUMNS))
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = "填报单位：XX市人民政府督查室"
    sheet.merge_cells(f"A2:{last}2")
    sheet["A3"] = "XXXX年X月"
    sheet.merge_cells(f"A3:{last}3")
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, (name, width, _) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(4, column, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(column)].width = width
        for row in range(5, 55):
            body = sheet.cell(row, column)
            body.border = border
            body.alignment = Alignment(vertical="top", wrap_text=True)
            body.number_format = "@"  # text, so 序号 and dates stay as typed
    sheet.freeze_panes = "A5"
    sheet.print_title_rows = "4:4"  # the header repeats on every printed page
    sheet.page_setup.orientation = "landscape"
    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 110
    for row, text in enumerate(NOTES, start=1):
        notes.cell(row, 1, text).alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = Font(bold=True, size=14)
    stamp = dt.datetime(2021, 1, 1)
    workbook.properties.creator = "scripts/make_table_template.py"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.save(TEMPLATE)
    return TEMPLATE


if __name__ == "__main__":
    print(main().relative_to(ROOT))
