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

import re
from datetime import date
from pathlib import Path

import pandas as pd

from src import narrative
from src.cells import shorten
from src.style import status_label, status_order

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
}
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHINESE_NUMBERS = "一二三四五六七八九十"


def docx_title(report) -> str:
    """关于…重点工作2020年半年度进展情况的通报."""
    period = report.metadata.get("period") or ""
    year = report.metadata.get("year") or report.as_of.year
    whose = f"{report.subject}牵头" if report.leader else "全市"
    return f"关于{whose}重点工作{year}年{period}进展情况的通报"


def report_docx_for(classified_path, path, leader: str = "", as_of: str = "", build_date: date | None = None) -> Path:
    """Load the report (as a report notebook does) and write its Word document."""
    from src.report import load_report

    return write_report_docx(load_report(classified_path, leader=leader, as_of=as_of), path, build_date)


def write_report_docx(report, path, build_date: date | None = None) -> Path:
    """Write ``report`` (a :class:`src.report.Report`) as a 公文-layout .docx at ``path``."""
    from docx import Document

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    _set_up_styles(document)
    _set_up_page(document)
    _name_substitutes(document)
    body = document.paragraphs[0] if document.paragraphs else None
    if body is not None:  # the template's empty first paragraph
        body._element.getparent().remove(body._element)

    _paragraph(document, docx_title(report), "公文标题")
    _paragraph(document, "", "公文正文")
    _paragraph(document, narrative.method_note(report.as_of), "公文正文")
    sections = report.sections()
    for number, (heading, paragraphs) in enumerate(sections.items()):
        _paragraph(document, f"{_CHINESE_NUMBERS[number]}、{heading}", "Heading 1")
        if heading == "存在问题" and not report.leader and _problems_by_leader(document, report):
            continue
        numbered = heading == "主要成效" and len(paragraphs) > 1
        for index, text in enumerate(paragraphs, start=1):
            _paragraph(document, f"{index}. {text}" if numbered else text, "公文正文")

    annexes = _annexes(report)
    _paragraph(document, "", "公文正文")
    for index, (name, _) in enumerate(annexes, start=1):
        label = "附件：" if index == 1 else "　　　"
        numbered = f"{index}. {name}" if len(annexes) > 1 else name
        _paragraph(document, f"{label}{numbered}", "公文正文", indent=False)
    _signature(document, report, build_date or date.today())

    for index, (name, draw) in enumerate(annexes, start=1):
        _page_break(document)
        _paragraph(document, f"附件{index}" if len(annexes) > 1 else "附件", "附件标记")
        _paragraph(document, name, "公文标题")
        draw(document)
    _properties(document, report, build_date or date.today())
    document.save(path)
    return path


def _problems_by_leader(document, report) -> bool:
    """City-wide 存在问题 grouped under （一）（二）… one per leader with lagging tasks."""
    lagging = report.tasks[report.tasks["status"] == "lagging"]
    if lagging.empty:
        return False
    leaders = lagging.drop_duplicates("leader").sort_values("leader_order", kind="stable")
    for number, leader in enumerate(leaders.itertuples(index=False)):
        mine = lagging[lagging["leader"] == leader.leader]
        subject = narrative.subject_name(leader.leader, leader.leader_title)
        _paragraph(document, f"（{_chinese_number(number + 1)}）{subject}牵头的{len(mine)}项任务", "Heading 2")
        for text in narrative.problem_items(mine):
            _paragraph(document, text, "公文正文")
    return True


def _chinese_number(n: int) -> str:
    if n <= 10:
        return _CHINESE_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{_CHINESE_NUMBERS[tens - 1] if tens > 1 else ''}十{_CHINESE_NUMBERS[ones - 1] if ones else ''}"


# ---------------------------------------------------------------- annexes
TASK_COLUMNS = [("task_id", "序号", 12), ("task", "重点工作", 52), ("lead_unit", "牵头单位", 26),
                ("status", "状态", 18), ("status_evidence", "判定依据", 48)]  # widths in mm: 156 in all
DETAILS = [("problems", "存在问题"), ("next_steps", "下一步工作安排")]


def _annexes(report) -> list[tuple[str, object]]:
    tasks = report.tasks
    flagged = narrative.needs_review_flags(tasks)
    chosen = tasks[(tasks["status"] == "lagging") | flagged]
    rank = {status: i for i, status in enumerate(reversed(status_order()))}
    chosen = chosen.assign(_rank=chosen["status"].map(rank)).sort_values(["_rank", "task_id"], kind="stable")
    annexes = []
    if not report.leader:
        annexes.append(("各位领导牵头任务情况", lambda document: _leaders_table(document, report)))
    annexes.append(("滞后及待复核任务", lambda document: _task_table(document, chosen, DETAILS, "本组无滞后或待复核的任务。")))
    if report.leader:
        ordered = tasks.sort_values("task_id", kind="stable")
        annexes.append(("全部任务", lambda document: _task_table(document, ordered, [], "（无）")))
    return annexes


def _task_table(document, tasks: pd.DataFrame, details, empty: str) -> None:
    from docx.shared import Mm

    if tasks.empty:
        _paragraph(document, empty, "公文正文")
        return
    table = document.add_table(rows=1, cols=len(TASK_COLUMNS))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    _header_row(table, [label for _, label, _ in TASK_COLUMNS])
    for row in tasks.to_dict("records"):
        cells = table.add_row().cells
        for cell, (column, _, _) in zip(cells, TASK_COLUMNS):
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
    for column_cells, (_, _, width) in zip(table.columns, TASK_COLUMNS):
        for cell in column_cells.cells:
            cell.width = Mm(width)


def _leaders_table(document, report) -> None:
    from src.report import leaders_table

    frame = leaders_table(report)
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = document.styles["Table Grid"]
    _header_row(table, list(frame.columns))
    for values in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values):
            _cell_text(cell, str(value))


def _cell_value(row: dict, column: str) -> str:
    if column == "status":
        text = status_label(row.get("status"))
        if narrative.is_override(row):
            return f"{text}（人工认定）"
        if row.get("needs_review"):
            return f"{text}（待复核）"
        return text
    if column == "status_evidence":
        evidence = narrative.evidence_text(row)
        gap = "" if narrative.is_override(row) else narrative.gap_phrase(row.get("schedule_gap_pts"))
        return f"{evidence}（{gap}）" if gap else evidence
    return _clean(row.get(column))


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
    define("表格文字", "body", PAGE["table_pt"], fixed=False, base=normal, align=WD_ALIGN_PARAGRAPH.LEFT)
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


def _properties(document, report, when: date) -> None:
    """Title and office; dates from the build date, so the same build gives the same file."""
    from datetime import UTC, datetime

    properties = document.core_properties
    # the document properties hold at most 255 characters (python-docx refuses more): a long name is shortened
    properties.title = shorten(docx_title(report), 255)
    properties.author = properties.last_modified_by = shorten(_clean(report.metadata.get("issuing_office")), 255)
    properties.comments = ""
    properties.subject = shorten(report.subject, 255)
    properties.created = properties.modified = datetime(when.year, when.month, when.day, tzinfo=UTC)
    properties.revision = 1


def _page_break(document) -> None:
    from docx.enum.text import WD_BREAK

    paragraph = _use_style(document.add_paragraph(), document.styles["公文正文"])
    paragraph.add_run().add_break(WD_BREAK.PAGE)


def _signature(document, report, when: date) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    office = _clean(report.metadata.get("issuing_office"))
    _paragraph(document, "", "公文正文")
    for text in ([office] if office else []) + [f"{when.year}年{when.month}月{when.day}日"]:
        paragraph = _paragraph(document, text, "公文正文", indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(4 * PAGE["body_pt"])
