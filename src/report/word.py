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

from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from src.report import narrative
from src.report.model import annex_list, issued, load_report, report_title
from src.report.office import date_words, office_name, office_settings
from src.report.word_layout import (
    _CHINESE_NUMBERS,
    _PPR_ORDER,
    FONTS,
    PAGE,
    _name_substitutes,
    _paragraph,
    _properties,
    _put,
    _run,
    _set_up_page,
    _set_up_styles,
    _use_style,
)
from src.report.word_tables import ANNEX_WRITERS, _charts

__all__ = ["FONTS", "PAGE", "write_report_docx", "docx_title", "report_docx_for"]


def docx_title(report) -> str:
    """The document's title: the 通报's (overview) or the leader's 专报 (office.toml)."""

    return report_title(report)


def report_docx_for(classified_path, path, leader: str = "", as_of: str = "", build_date: date | None = None) -> Path:
    """Load the report (as a report notebook does) and write its Word document."""

    return write_report_docx(load_report(classified_path, leader=leader, as_of=as_of), path, build_date)


def write_report_docx(report, path, build_date: date | None = None) -> Path:
    """Write ``report`` (a :class:`src.report.model.Report`) as a 公文-layout .docx at ``path``: the 通报
    (overview) or a leader's 专报, the same parts as the HTML and PDF. ``build_date`` is kept for
    callers; the document's dates are the period's issue date (office.toml), never the build's."""

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
        _charts(document, report, kind)
    _properties(document, report)
    document.save(path)
    return path


def _masthead(document, report, settings) -> None:
    """版头: the publication in red (通报: office.toml [office] publication; 专报: [special_report]),
    第N期, then the office and the date on one line above a red rule."""

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
    rows = dict(tuple(lagging.groupby("leader", sort=False)))  # split once: a province has hundreds of leaders
    for number, leader in enumerate(leaders.itertuples(index=False)):
        mine = rows[leader.leader]
        subject = narrative.subject_name(leader.leader, leader.leader_title)
        _paragraph(document, f"（{_chinese_number(number + 1)}）{subject}牵头的{len(mine)}项任务", "Heading 2")
        for text in narrative.problem_items(mine, report.as_of, repeated):
            _paragraph(document, text, "公文正文")
    return True


def _chinese_number(n: int) -> str:
    """（一）…（十一）…（一百零五）: 1 → 一, 11 → 十一, 23 → 二十三, 105 → 一百零五, 110 → 一百一十."""
    if n <= 10:
        return _CHINESE_NUMBERS[n - 1]
    if n < 100:
        tens, ones = divmod(n, 10)
        return f"{_CHINESE_NUMBERS[tens - 1] if tens > 1 else ''}十{_CHINESE_NUMBERS[ones - 1] if ones else ''}"
    if n >= 10000:  # no table has so many leaders; the figure is still right
        return str(n)
    parts, gap = [], False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, value)
        if digit:
            parts.append(("零" if gap else "") + "一二三四五六七八九"[digit - 1] + unit)
            gap = False
        else:
            gap = bool(parts)
    return "".join(parts)


def _page_break(document) -> None:
    paragraph = _use_style(document.add_paragraph(), document.styles["公文正文"])
    paragraph.add_run().add_break(WD_BREAK.PAGE)


def _signature(document, report) -> None:
    """落款: the office and the period's issue date (office.toml, else the table's 印发时间), right-aligned
    four characters in from the margin. Never the build date."""

    day, with_day = issued(report)
    _paragraph(document, "", "公文正文")
    for text in (office_name(report.metadata), date_words(day, with_day)):
        paragraph = _paragraph(document, text, "公文正文", indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(4 * PAGE["body_pt"])

