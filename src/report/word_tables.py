"""The 附件 of the Word documents: task tables whose grid holds the intended widths, and the
same charts as the HTML and PDF (src.report.charts.chart_specs)."""
from __future__ import annotations

import io

import pandas as pd
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import _Cell
from PIL import Image

from src.report import findings, narrative
from src.report.charts import report_charts
from src.report.model import lagging_tasks, leaders_table, units_ranking
from src.report.office import office_settings
from src.report.plots import set_report_style
from src.report.style import status_label
from src.report.word_layout import PAGE, _cell_text, _clean, _clear, _paragraph, _run, _style, _use_style

# ---------------------------------------------------------------- annexes
# (column, heading, width in mm): each table's widths add up to the 156 mm text block.
TEXT_WIDTH_MM = 210 - PAGE["margins_mm"]["left"] - PAGE["margins_mm"]["right"]
ALL_COLUMNS = [("task_id", "序号", 12), ("task", "重点工作", 54), ("lead_unit", "牵头单位", 28),
               ("status", "状态", 18), ("reader_evidence", "判定依据", 44)]
LAGGING_COLUMNS = [("task_id", "序号", 12), ("task", "重点工作", 48), ("lead_unit", "牵头单位", 26),
                   ("light", "亮灯", 14), ("reader_evidence", "判定依据", 56)]
LAGGING_DETAILS = [("problems", "存在问题"), ("supervision", "督办建议及整改时限")]
UNQUANTIFIED_COLUMNS = [("牵头单位", "牵头单位", 40), ("项数", "项数", 14), ("任务", "任务", 102)]


def _annex_all(document, report) -> None:
    tasks = report.tasks.sort_values("task_id", kind="stable")
    tasks = tasks.assign(reader_evidence=[findings.reader_evidence(t) for t in tasks.itertuples(index=False)])
    _task_table(document, tasks, ALL_COLUMNS, [])


def _annex_lagging(document, report) -> None:
    _task_table(document, lagging_tasks(report), LAGGING_COLUMNS, LAGGING_DETAILS)


def _annex_unquantified(document, report) -> None:
    table = narrative.unquantified_by_unit(report.tasks, per_row=narrative.TASKS_PER_ROW)

    _paragraph(document, office_settings().wording.quantify_request, "公文正文")
    _task_table(document, table, UNQUANTIFIED_COLUMNS, [])


def _annex_leaders(document, report) -> None:
    frame = leaders_table(report)
    widths = _share_widths(list(frame.columns), {"领导": 22, "职务": 30})
    _task_table(document, frame, [(c, c, w) for c, w in zip(frame.columns, widths)], [])


def _annex_ranking(document, report) -> None:
    ranking = units_ranking(report)
    minimum = ranking.attrs["min_tasks"]
    _paragraph(document, f"牵头{minimum}项及以上任务的单位按滞后任务数排序（相同时按量化任务的平均差距）；"
                         "多家单位共同牵头的任务计入每一家。", "公文正文")
    widths = _share_widths(list(ranking.columns), {"名次": 14, "牵头单位": 62})
    _task_table(document, ranking, [(c, c, w) for c, w in zip(ranking.columns, widths)], [])
    for key, heading in (("party", "党委部门（不参加排名）"), ("few", f"牵头任务少于{minimum}项的单位（不参加排名）")):
        apart = ranking.attrs[key]
        if len(apart):
            listed = "、".join(f"{unit}（{int(row.total)}项，滞后{int(row.lagging)}项）" for unit, row in apart.iterrows())
            _paragraph(document, f"{heading}：{listed}。", "公文正文")


def _charts(document, report, kind: str) -> None:
    """The 附件's charts, the same as its HTML and PDF (src.report.charts.chart_specs), full width."""

    styled = []

    def style_once() -> None:  # only before a chart the pages job has not drawn already
        if not styled:
            set_report_style()
            styled.append(True)

    for png, _, _, note in report_charts(report, kind, before_draw=style_once):
        if note:
            _paragraph(document, note, "公文正文")
        paragraph = _use_style(document.add_paragraph(), document.styles["图表"])  # single spacing: a fixed line clips it

        pixels_wide, pixels_high = Image.open(io.BytesIO(png)).size
        width = min(TEXT_WIDTH_MM - 6, PAGE["chart_max_height_mm"] * pixels_wide / pixels_high)  # as the PDF's
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width))


ANNEX_WRITERS = {"all": _annex_all, "charts": lambda document, report: None, "lagging": _annex_lagging, "unquantified": _annex_unquantified,
                 "leaders": _annex_leaders, "ranking": _annex_ranking}


def _share_widths(columns: list[str], fixed: dict[str, float]) -> list[float]:
    """Widths in mm: the named columns as given, the rest sharing what is left of the text block."""
    rest = [c for c in columns if c not in fixed]
    left = TEXT_WIDTH_MM - sum(fixed.get(c, 0) for c in columns)
    return [fixed.get(c, left / max(len(rest), 1)) for c in columns]


def _task_table(document, tasks: pd.DataFrame, columns, details) -> None:
    """A table whose grid (w:tblGrid) holds the intended widths, fixed layout, every cell its
    column's width and a merged detail row the full width: Word and LibreOffice draw the same."""
    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    _header_row(table, [label for _, label, _ in columns])
    for row in tasks.to_dict("records"):
        cells = table.add_row().cells
        for cell, (column, _, _) in zip(cells, columns):
            _cell_text(cell, _cell_value(row, column))
        lines = [(label, _clean(row.get(column))) for column, label in details]
        lines = [(label, text) for label, text in lines if text.strip()]
        if lines:
            cell = _full_width_row(table)
            _clear(cell.paragraphs[0])
            for index, (label, text) in enumerate(lines):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                _use_style(paragraph, _style(document.part, "表格文字"))
                _run(paragraph, f"{label}：", "heading1")
                _run(paragraph, text, "body")
    _fix_grid(table, [width for _, _, width in columns])


def _full_width_row(table):
    """A new last row of one cell spanning every column: what merging a new row's cells gives (the
    first cell as wide as all, ``gridSpan`` the column count, the others gone), made directly.
    python-docx's merge finds the row's place among all the table's rows first, which makes a
    table of thousands of tasks (a province's 通报) quadratic."""
    grid = table._tbl.tblGrid.gridCol_lst
    tc = table._tbl.add_tr().add_tc()
    widths = [column.w for column in grid]
    if all(width is not None for width in widths):
        tc.width = sum(widths)
    tc.grid_span = len(grid)
    return _Cell(tc, table)


def _fix_grid(table, widths_mm: list[float]) -> None:
    twips = [int(round(Mm(width).twips)) for width in widths_mm]
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), twips):
        column.set(qn("w:w"), str(width))
    properties = table._tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        for element in properties.findall(qn(tag)):
            properties.remove(element)
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(sum(twips)))
    total.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(total)
    properties.append(layout)
    for row in table._tbl.tr_lst:
        position = 0
        for tc in row.tc_lst:
            span = tc.grid_span
            tc.width = Mm(sum(widths_mm[position:position + span]))
            position += span


def _cell_value(row: dict, column: str) -> str:
    if column == "status":
        text = status_label(row.get("status"))
        return f"{text}（人工认定）" if narrative.is_override(row) else text
    if column == "reader_evidence":
        evidence = _clean(row.get("reader_evidence"))
        gap = "" if narrative.is_override(row) else narrative.gap_phrase(row.get("schedule_gap_pts"))
        return f"{evidence}（{gap}）" if gap else evidence
    value = row.get(column)
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return _clean(value)



def _header_row(table, labels: list[str]) -> None:
    row = table.rows[0]
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")  # repeated at the top of every page
    header.set(qn("w:val"), "true")
    properties.append(header)
    for cell, label in zip(row.cells, labels):
        _clear(cell.paragraphs[0])
        _use_style(cell.paragraphs[0], _style(table.part, "表格文字"))
        _run(cell.paragraphs[0], label, "heading1")


