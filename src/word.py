"""The report as a Word document in the 公文 layout (GB/T 9704-2012), ready to circulate.

One document per leader and one city-wide: the 通报 text first (title, 一、二、… headings,
body paragraphs), then the task tables as 附件.

Layout (shared/REPORTING.md, "The 公文 layout"):

- A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
- title 方正小标宋简体 二号 (22 pt), centred; body 仿宋_GB2312 三号 (16 pt) at a fixed line
  spacing of 28.95 pt (22 lines to the page), first line indented two characters;
- headings 一、 in 黑体, （一） in 楷体_GB2312, both 三号;
- page numbers "— 1 —" in 宋体 四号 at the outer side: right on odd pages, left on even ones
  (a PAGE field in separate odd and even footers);
- tables (附件) in 仿宋 五号 with single line spacing (a fixed 29 pt would inflate every row),
  header row repeated on each page, rows allowed to break across pages.

Fonts: the official fonts are named for East Asian text explicitly (``w:eastAsia`` on every
``w:rFonts``, theme fonts removed, so Word does not fall back to the theme's Latin font), and
the document's font table names an open substitute for each (``w:altName``) for machines
without them; see :data:`FONTS`.

Text from the table goes in as text: python-docx escapes XML, and characters XML cannot
hold (control characters) are dropped.
"""
from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pandas as pd

from src import narrative
from src.style import status_label

__all__ = ["FONTS", "PAGE", "write_report_docx", "docx_title", "report_docx_for"]

# role: (official font, open substitute). The document names the official font; an office
# machine that has it uses it. The substitute is named in the document's font table (w:altName,
# which Word honours); LibreOffice ignores it and asks fontconfig, so the same mapping is in
# config/fontconfig/65-key-tasks-gongwen.conf (installed by scripts/setup_system.sh).
FONTS = {
    "title": ("方正小标宋简体", "Noto Serif CJK SC"),
    "body": ("仿宋_GB2312", "Noto Serif CJK SC"),
    "heading1": ("黑体", "Noto Sans CJK SC"),
    "heading2": ("楷体_GB2312", "AR PL UKai CN"),
    "page_number": ("宋体", "Noto Serif CJK SC"),
}
LATIN_FONT = "Times New Roman"  # digits and Latin letters in 公文 are usually set in Times New Roman

# Sizes and spacing in points; margins in millimetres.
PAGE = {
    "margins_mm": {"top": 37, "bottom": 35, "left": 28, "right": 26},
    "footer_distance_mm": 25,
    "title_pt": 22,        # 二号
    "body_pt": 16,         # 三号
    "line_pt": 28.95,      # fixed: 22 lines in the 225 mm text block
    "page_number_pt": 14,  # 四号
    "table_pt": 10.5,      # 五号
    "annex_title_pt": 18,  # 小二: an 附件's own title
    "masthead_pt": 36,     # the publication's name in the 版头
    "lines": 22,           # lines to the page (document grid)
    "chars": 28,           # characters to the line (document grid)
    "table_line_pt": 14,   # table text: a fixed 14 pt line (single spacing of the CJK fonts is ~1.45 x size)
    "chart_max_height_mm": 110,  # charts: at most this tall (the PDF's print stylesheet says the same)
    "condense_pt": 0.4,    # 三号 characters condensed by this much: 28 to the 156 mm line (15.6 pt each)
}
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHINESE_NUMBERS = "一二三四五六七八九十"


def docx_title(report) -> str:
    """The document's title: the 通报's (overview) or the leader's 专报 (office.toml)."""
    from src.report import report_title

    return report_title(report)


def report_docx_for(classified_path, path, leader: str = "", as_of: str = "", build_date: date | None = None) -> Path:
    """Load the report (as a report notebook does) and write its Word document."""
    from src.report import load_report

    return write_report_docx(load_report(classified_path, leader=leader, as_of=as_of), path, build_date)


def write_report_docx(report, path, build_date: date | None = None, chart_cache=None) -> Path:
    """Write ``report`` (a :class:`src.report.Report`) as a 公文-layout .docx at ``path``: the 通报
    (overview) or a leader's 专报, the same parts as the HTML and PDF. ``build_date`` is kept for
    callers; the document's dates are the period's issue date (office.toml), never the build's.
    ``chart_cache`` (a folder or :class:`src.chart_cache.ChartCache`): the charts the report's
    pages drew are taken from it instead of drawn again."""
    from docx import Document

    from src.office import office_settings
    from src.report import annex_list

    settings = office_settings()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    _set_up_styles(document)
    _set_up_page(document)
    _name_substitutes(document)
    body = document.paragraphs[0] if document.paragraphs else None
    if body is not None:  # the template's empty first paragraph
        body._element.getparent().remove(body._element)

    _masthead(document, report, settings)
    _paragraph(document, docx_title(report), "公文标题")
    if report.leader:
        _paragraph(document, settings.special_report.salutation.format(subject=report.subject), "公文正文", indent=False)
        _paragraph(document, settings.special_report.opening.format(
            n=len(report.tasks), period=report.metadata.get("period") or "", subject=report.subject), "公文正文")
    elif settings.office.recipients:
        _paragraph(document, f"{settings.office.recipients}：", "公文正文", indent=False)
    _paragraph(document, narrative.method_note(report.as_of), "公文正文")
    sections = report.sections()
    for number, (heading, paragraphs) in enumerate(sections.items()):
        _paragraph(document, f"{_CHINESE_NUMBERS[number]}、{heading}", "Heading 1")
        if heading == "存在问题" and not report.leader and _problems_by_leader(document, report):
            continue
        for text in paragraphs:
            _paragraph(document, text, "公文正文")

    annexes = annex_list(report)
    if annexes:
        _paragraph(document, "", "公文正文")
    for index, (name, _) in enumerate(annexes, start=1):
        label = "附件：" if index == 1 else "　　　"
        numbered = f"{index}. {name}" if len(annexes) > 1 else name
        _paragraph(document, f"{label}{numbered}", "公文正文")  # 附件说明: indented two characters
    if settings.office.contact:
        _paragraph(document, f"（联系人：{settings.office.contact}）", "公文正文")
    _signature(document, report)

    for index, (name, kind) in enumerate(annexes, start=1):
        _page_break(document)
        _paragraph(document, f"附件{index}" if len(annexes) > 1 else "附件", "附件标记")
        _paragraph(document, name, "附件标题")
        ANNEX_WRITERS[kind](document, report)
        _charts(document, report, kind, chart_cache)
    _properties(document, report)
    document.save(path)
    return path


def _masthead(document, report, settings) -> None:
    """版头: the publication in red (通报: office.toml [office] publication; 专报: [special_report]),
    第N期, then the office and the date on one line above a red rule."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    from src.office import date_words, office_name
    from src.report import issued

    publication = settings.special_report.publication if report.leader else settings.office.publication
    head = _paragraph(document, "", "版头")
    run = _run(head, publication, "title")
    run.font.color.rgb = RGBColor(0xC0, 0, 0)
    _paragraph(document, f"第{settings.office.issue_number}期", "版头期号")
    day, with_day = issued(report)
    line = _paragraph(document, "", "版头期号")
    line.alignment = WD_ALIGN_PARAGRAPH.LEFT
    text_width = Mm(210 - PAGE["margins_mm"]["left"] - PAGE["margins_mm"]["right"])
    line.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    _run(line, f"{office_name(report.metadata, settings)}\t{date_words(day, with_day)}", "body")
    borders = _put(line._p.get_or_add_pPr(), "w:pBdr", _PPR_ORDER)  # the red rule under the masthead
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    line.paragraph_format.space_after = Pt(PAGE["body_pt"])


def _problems_by_leader(document, report) -> bool:
    """City-wide 存在问题 grouped under （一）（二）… one per leader with lagging tasks."""
    lagging = report.tasks[report.tasks["status"] == "lagging"]
    if lagging.empty:
        return False
    leaders = lagging.drop_duplicates("leader").sort_values("leader_order", kind="stable")
    repeated = report.repeated()
    for number, leader in enumerate(leaders.itertuples(index=False)):
        mine = lagging[lagging["leader"] == leader.leader]
        subject = narrative.subject_name(leader.leader, leader.leader_title)
        _paragraph(document, f"（{_chinese_number(number + 1)}）{subject}牵头的{len(mine)}项任务", "Heading 2")
        for text in narrative.problem_items(mine, report.as_of, repeated):
            _paragraph(document, text, "公文正文")
    return True


def _chinese_number(n: int) -> str:
    if n <= 10:
        return _CHINESE_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{_CHINESE_NUMBERS[tens - 1] if tens > 1 else ''}十{_CHINESE_NUMBERS[ones - 1] if ones else ''}"


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
    from src import findings

    tasks = report.tasks.sort_values("task_id", kind="stable")
    tasks = tasks.assign(reader_evidence=[findings.reader_evidence(t) for t in tasks.itertuples(index=False)])
    _task_table(document, tasks, ALL_COLUMNS, [])


def _annex_lagging(document, report) -> None:
    from src.report import lagging_tasks

    _task_table(document, lagging_tasks(report), LAGGING_COLUMNS, LAGGING_DETAILS)


def _annex_unquantified(document, report) -> None:
    table = narrative.unquantified_by_unit(report.tasks)
    _paragraph(document, "请以下单位于下次报送时补充量化进度：", "公文正文")
    _task_table(document, table, UNQUANTIFIED_COLUMNS, [])


def _annex_leaders(document, report) -> None:
    from src.report import leaders_table

    frame = leaders_table(report)
    widths = _share_widths(list(frame.columns), {"领导": 22, "职务": 30})
    _task_table(document, frame, [(c, c, w) for c, w in zip(frame.columns, widths)], [])


def _annex_ranking(document, report) -> None:
    from src.report import units_ranking

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


def _charts(document, report, kind: str, cache) -> None:
    """The 附件's charts, the same as its HTML and PDF (src.report_charts.chart_specs), full width."""
    import io

    from docx.shared import Mm

    from src.report_charts import chart_png, chart_specs

    specs = chart_specs(report, kind)
    if not specs:
        return
    from src.chart_cache import ChartCache, chart_cache
    from src.plots import set_report_style

    set_report_style()
    cache = cache if isinstance(cache, ChartCache) or cache is None else chart_cache(str(cache))
    for plot, args, note in specs:
        if note:
            _paragraph(document, note, "公文正文")
        png, _, _ = chart_png(plot, *args, cache=cache)
        paragraph = _use_style(document.add_paragraph(), document.styles["图表"])  # single spacing: a fixed line clips it
        from PIL import Image

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
            merged = table.add_row().cells
            cell = merged[0].merge(merged[-1])
            _clear(cell.paragraphs[0])
            for index, (label, text) in enumerate(lines):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                _use_style(paragraph, document.styles["表格文字"])
                _run(paragraph, f"{label}：", "heading1")
                _run(paragraph, text, "body")
    _fix_grid(table, [width for _, _, width in columns])


def _fix_grid(table, widths_mm: list[float]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

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
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    row = table.rows[0]
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")  # repeated at the top of every page
    header.set(qn("w:val"), "true")
    properties.append(header)
    for cell, label in zip(row.cells, labels):
        _clear(cell.paragraphs[0])
        _use_style(cell.paragraphs[0], table.part.document.styles["表格文字"])
        _run(cell.paragraphs[0], label, "heading1")


def _clear(paragraph) -> None:
    """Remove every run (``paragraph.text = ""`` would leave an empty one behind)."""
    from docx.oxml.ns import qn

    for run in paragraph._p.findall(qn("w:r")):
        paragraph._p.remove(run)


def _use_style(paragraph, style):
    """``paragraph.style = style`` without python-docx's search for the default style on
    every call (half the time of a report's Word file). Our styles are never the default
    paragraph style, for which python-docx would write no w:pStyle; the XML is the same."""
    paragraph._p.style = style.style_id
    return paragraph


def _cell_text(cell, text: str) -> None:
    paragraph = cell.paragraphs[0]
    _clear(paragraph)
    _use_style(paragraph, cell.part.document.styles["表格文字"])
    _run(paragraph, text, "body")


# ---------------------------------------------------------------- text
def _clean(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _XML_ILLEGAL.sub("", str(value))


def _paragraph(document, text: str, style: str, indent: bool = True):
    paragraph = _use_style(document.add_paragraph(), document.styles[style])
    if style == "公文正文" and not indent:
        paragraph.paragraph_format.first_line_indent = 0
    role = {"公文标题": "title", "Heading 1": "heading1", "Heading 2": "heading2", "附件标记": "heading1"}.get(style, "body")
    if text:
        _run(paragraph, _clean(text), role)
    return paragraph


def _run(paragraph, text: str, role: str):
    run = paragraph.add_run(_clean(text))
    _set_fonts(run._element.get_or_add_rPr(), FONTS[role][0])
    return run


def _set_fonts(rpr, east_asian: str, latin: str = LATIN_FONT) -> None:
    """w:rFonts with the Chinese font for East Asian text and no theme font attributes."""
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        from docx.oxml import OxmlElement

        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


# ---------------------------------------------------------------- styles and page
def _set_up_styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the template's theme fonts would catch any run we miss
        for fonts in defaults.iter(qn("w:rFonts")):
            _set_fonts(fonts.getparent(), FONTS["body"][0])
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")

    def define(name: str, role: str, size: float, *, bold=False, align=None, fixed=True, first_line=False,
               before=0.0, after=0.0, base=None):
        style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if base is not None:
            style.base_style = base
        font = style.font
        font.size = Pt(size)
        font.bold = bold
        font.italic = False
        font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element.get_or_add_rPr(), FONTS[role][0])
        fmt = style.paragraph_format
        if fixed:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(PAGE["line_pt"])
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.first_line_indent = Pt(2 * size) if first_line else 0
        if align is not None:
            fmt.alignment = align
        return style

    for fonts in styles.element.iter(qn("w:rFonts")):  # the template's other styles: no theme fonts either
        if any(qn(a) in fonts.attrib for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")):
            _set_fonts(fonts.getparent(), fonts.get(qn("w:eastAsia")) or FONTS["body"][0])

    normal = define("Normal", "body", PAGE["body_pt"], align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    define("公文正文", "body", PAGE["body_pt"], first_line=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, base=normal)
    define("公文标题", "title", PAGE["title_pt"], align=WD_ALIGN_PARAGRAPH.CENTER, base=normal,
           fixed=False, before=0, after=PAGE["body_pt"])
    define("Heading 1", "heading1", PAGE["body_pt"], first_line=True, base=normal, align=WD_ALIGN_PARAGRAPH.LEFT)
    define("Heading 2", "heading2", PAGE["body_pt"], first_line=True, base=normal, align=WD_ALIGN_PARAGRAPH.LEFT)
    define("附件标记", "heading1", PAGE["body_pt"], base=normal, align=WD_ALIGN_PARAGRAPH.LEFT)
    define("附件标题", "title", PAGE["annex_title_pt"], align=WD_ALIGN_PARAGRAPH.CENTER, base=normal,
           fixed=False, before=0, after=PAGE["body_pt"] / 2)
    define("版头", "title", PAGE["masthead_pt"], align=WD_ALIGN_PARAGRAPH.CENTER, base=normal, fixed=False)
    define("版头期号", "body", PAGE["body_pt"], align=WD_ALIGN_PARAGRAPH.CENTER, base=normal)
    define("表格文字", "body", PAGE["table_pt"], fixed=False, base=normal, align=WD_ALIGN_PARAGRAPH.LEFT)
    define("图表", "body", PAGE["table_pt"], fixed=False, base=normal, align=WD_ALIGN_PARAGRAPH.CENTER,
           after=PAGE["table_pt"])
    # Every paragraph sets its characters at 三号 condensed by PAGE["condense_pt"] instead of snapping to the
    # character grid: Word then fits 28 a line either way, and LibreOffice, which gives a 16 pt character two
    # cells of a 15.8 pt grid, does too (docs/word-and-print.md).
    for name in ("Normal", "公文标题", "附件标题", "版头", "表格文字", "图表"):
        _snap_to_grid(styles[name], False)
    _put(normal.element.get_or_add_rPr(), "w:spacing", _RPR_ORDER, val=int(-PAGE["condense_pt"] * 20))
    for name in ("公文标题", "附件标题", "版头", "表格文字"):  # other sizes keep their natural spacing
        _put(styles[name].element.get_or_add_rPr(), "w:spacing", _RPR_ORDER, val=0)
    if defaults is not None:  # the grid's character pitch is counted from the default font size: 三号
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            for tag in ("w:sz", "w:szCs"):
                for element in rpr.findall(qn(tag)):
                    rpr.remove(element)
            from docx.oxml import OxmlElement

            for tag in ("w:sz", "w:szCs"):
                size = OxmlElement(tag)
                size.set(qn("w:val"), str(int(PAGE["body_pt"] * 2)))
                rpr.append(size)
    styles["表格文字"].paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    styles["表格文字"].paragraph_format.line_spacing = Pt(PAGE["table_line_pt"])
    styles["公文标题"].paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    styles["公文标题"].paragraph_format.line_spacing = Pt(PAGE["title_pt"] * 1.6)
    for name in ("Heading 1", "Heading 2"):  # keep the outline level (navigation pane) but not the theme look
        style = styles[name]
        style.paragraph_format.keep_with_next = True
        rpr = style.element.get_or_add_rPr()
        for tag in ("w:color", "w:b", "w:bCs", "w:i", "w:iCs"):
            for element in rpr.findall(qn(tag)):
                rpr.remove(element)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)


# The schema order of a paragraph's and a run's properties (Word refuses some files out of order).
_PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
              "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
              "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
              "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
              "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _put(parent, tag: str, order: tuple[str, ...], **attributes):
    """Replace ``parent``'s ``tag`` child with a new one, in its schema place."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for element in parent.findall(qn(tag)):
        parent.remove(element)
    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), str(value))
    later = order[order.index(tag) + 1:]
    parent.insert_element_before(element, *later)
    return element


def _snap_to_grid(style, on: bool) -> None:
    _put(style.element.get_or_add_pPr(), "w:snapToGrid", _PPR_ORDER, val="1" if on else "0")


def _document_grid(section) -> None:
    """w:docGrid linesAndChars: 22 lines of 28 characters in the text block (GB/T 9704). The line
    pitch is the block's height / 22; the character pitch the width / 28, written as the
    difference from the default 三号 size in 1/4096 pt (charSpace)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    sect = section._sectPr
    for element in sect.findall(qn("w:docGrid")):
        sect.remove(element)
    margins = PAGE["margins_mm"]
    height = Mm(297 - margins["top"] - margins["bottom"]).pt
    width = Mm(210 - margins["left"] - margins["right"]).pt
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(int(height / PAGE["lines"] * 20)))
    grid.set(qn("w:charSpace"), str(math.floor((width / PAGE["chars"] - PAGE["body_pt"]) * 4096)))
    sect.append(grid)


def _set_up_page(document) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    margins = PAGE["margins_mm"]
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.footer_distance = Mm(PAGE["footer_distance_mm"])
    section.header_distance = Mm(15)
    _document_grid(section)
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        _clear(paragraph)
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = 0
        fmt.first_line_indent = 0
        setattr(fmt, f"{side}_indent", Pt(PAGE["page_number_pt"]))  # one character in from the edge
        _page_number(paragraph)


def _page_number(paragraph) -> None:
    """— PAGE — in 宋体 四号, the number a PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def run(text: str = ""):
        r = paragraph.add_run(text)
        r.font.size = Pt(PAGE["page_number_pt"])
        _set_fonts(r._element.get_or_add_rPr(), FONTS["page_number"][0])
        return r

    run("— ")
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._element.append(char)
        elif instruction == " PAGE ":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instruction
            r._element.append(text)
        else:
            r.text = instruction
    run(" —")


def _name_substitutes(document) -> None:
    """The font table names each official font with its open substitute (w:altName) and the
    GB2312 character set, so a machine without the official font knows what to use."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    try:
        part = document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    present = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for official, substitute in dict(FONTS.values()).items():
        if official in present:
            continue
        font = OxmlElement("w:font")
        font.set(qn("w:name"), official)
        alt = OxmlElement("w:altName")
        alt.set(qn("w:val"), substitute)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")
        family = OxmlElement("w:family")
        family.set(qn("w:val"), "modern" if "黑" in official else "roman")
        font.extend([alt, charset, family])
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _properties(document, report) -> None:
    """The office's document properties: title, author = the office, zh-CN; dates from the period's
    issue date (the same table gives the same file); no template thumbnail, no Macintosh Word."""
    from datetime import UTC, datetime

    from src.office import office_name
    from src.report import issued

    when, _ = issued(report)
    office = _clean(office_name(report.metadata))
    properties = document.core_properties
    properties.title = docx_title(report)
    properties.author = properties.last_modified_by = office
    properties.comments = ""
    properties.keywords = ""
    properties.subject = report.subject
    properties.language = "zh-CN"
    properties.category = "督查通报" if not report.leader else "督查专报"
    properties.created = properties.modified = datetime(when.year, when.month, when.day, tzinfo=UTC)
    properties.revision = 1
    _drop_thumbnail(document)
    _app_properties(document, office)
    _theme_language(document)


def _drop_thumbnail(document) -> None:
    """python-docx's template carries a blank thumbnail (docProps/thumbnail.jpeg): file managers
    would show an empty page. The package relationship goes, and with it the part."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rel_id)


def _app_properties(document, office: str) -> None:
    """docProps/app.xml: the office as company; no "Microsoft Macintosh Word" template leftovers."""
    from xml.sax.saxutils import escape

    for part in document.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                f"<Application>key-tasks (python-docx)</Application><Company>{escape(office)}</Company>"
                "<DocSecurity>0</DocSecurity></Properties>"
            ).encode()


def _theme_language(document) -> None:
    """The template says ja-JP for East Asian theme text; this is a zh-CN document."""
    from docx.oxml.ns import qn

    settings = document.settings.element
    for lang in settings.iter(qn("w:themeFontLang")):
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")


def _page_break(document) -> None:
    from docx.enum.text import WD_BREAK

    paragraph = _use_style(document.add_paragraph(), document.styles["公文正文"])
    paragraph.add_run().add_break(WD_BREAK.PAGE)


def _signature(document, report) -> None:
    """落款: the office and the period's issue date (office.toml, else the table's 印发时间), right-aligned
    four characters in from the margin. Never the build date."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from src.office import date_words, office_name
    from src.report import issued

    day, with_day = issued(report)
    _paragraph(document, "", "公文正文")
    for text in (office_name(report.metadata), date_words(day, with_day)):
        paragraph = _paragraph(document, text, "公文正文", indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(4 * PAGE["body_pt"])
