"""The 公文 page and styles of the Word documents (GB/T 9704-2012), and the text primitives
:mod:`src.report.word` and :mod:`src.report.word_tables` write with: fonts named for East Asian text, the
document grid, page numbers, font substitutes, the office's document properties."""
from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from src.report.model import issued, report_title
from src.report.office import office_name
from src.table.cells import shorten

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


def _clear(paragraph) -> None:
    """Remove every run (``paragraph.text = ""`` would leave an empty one behind)."""

    for run in paragraph._p.findall(qn("w:r")):
        paragraph._p.remove(run)


def _use_style(paragraph, style):
    """``paragraph.style = style`` without python-docx's search for the default style on
    every call (half the time of a report's Word file). Our styles are never the default
    paragraph style, for which python-docx would write no w:pStyle; the XML is the same."""
    paragraph._p.style = style.style_id
    return paragraph


class _StyleId:
    """A style's id looked up by name once per document (python-docx searches the styles part
    with XPath on every ``styles[name]``: a second per overview document)."""

    def __init__(self, style_id: str):
        self.style_id = style_id


def _style(part, name: str) -> _StyleId:
    known = part.__dict__.setdefault("_key_tasks_style_ids", {})
    if name not in known:
        known[name] = _StyleId(part.document.styles[name].style_id)
    return known[name]


def _cell_text(cell, text: str) -> None:
    paragraph = cell.paragraphs[0]
    _clear(paragraph)
    _use_style(paragraph, _style(cell.part, "表格文字"))
    _run(paragraph, text, "body")


# ---------------------------------------------------------------- text
def _clean(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _XML_ILLEGAL.sub("", str(value))


def _paragraph(document, text: str, style: str, indent: bool = True):
    paragraph = _use_style(document.add_paragraph(), _style(document.part, style))
    if style == "公文正文" and not indent:
        paragraph.paragraph_format.first_line_indent = 0
    role = {"公文标题": "title", "附件标题": "title", "版头": "title", "Heading 1": "heading1", "Heading 2": "heading2",
            "附件标记": "heading1"}.get(style, "body")
    if text:
        _run(paragraph, _clean(text), role)
    return paragraph


def _run(paragraph, text: str, role: str):
    run = paragraph.add_run(_clean(text))
    _set_fonts(run._element.get_or_add_rPr(), FONTS[role][0])
    return run


def _set_fonts(rpr, east_asian: str, latin: str = LATIN_FONT) -> None:
    """w:rFonts with the Chinese font for East Asian text and no theme font attributes."""

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
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

    try:
        part = document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return

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

    when, _ = issued(report)
    office = _clean(office_name(report.metadata))
    properties = document.core_properties

    # the document properties hold at most 255 characters (python-docx refuses more): a long name is shortened
    properties.title = shorten(report_title(report), 255)
    properties.author = properties.last_modified_by = shorten(office, 255)
    properties.comments = ""
    properties.keywords = ""
    properties.subject = shorten(report.subject, 255)
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

    settings = document.settings.element
    for lang in settings.iter(qn("w:themeFontLang")):
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")


