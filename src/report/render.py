"""HTML, PDF and Excel output.

Safety rule: every piece of text that comes from the table goes through
:func:`esc` (``html.escape``) before it reaches HTML, so ``<script>`` in a cell
is shown as text. Pages are self-contained: one inline stylesheet, figures
embedded as data URIs, no script, no external link; the PDF renderer refuses
to fetch anything that is not a data URI.
"""
from __future__ import annotations

import base64
import html
from datetime import date
from pathlib import Path

import pandas as pd

from src.report.narrative import evidence_text, is_override, status_summary
from src.report.style import light_color, status_label, status_order
from src.report.workbook import EXCEL_COLUMNS  # noqa: F401  (re-exported: [(column, heading)] of the workbook)
from src.report.workbook import write_excel as write


class Html(str):
    """A string that Jupyter displays as (already escaped) HTML."""

    def _repr_html_(self) -> str:
        return str(self)

__all__ = [
    "esc",
    "sections_html",
    "report_header_html",
    "masthead_html",
    "headline_html",
    "task_table_html",
    "key_value_html",
    "frame_html",
    "nav_html",
    "figure_html",
    "page_html",
    "index_html",
    "write_excel",
    "EXCEL_COLUMNS",
    "slugify_leader",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def esc(text) -> str:
    """Escape text for HTML; line breaks become <br>."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return html.escape(str(text), quote=True).replace("\n", "<br>")


def sections_html(sections: dict[str, list[str]], numbered: tuple[str, ...] = ("主要成效",), listed: tuple[str, ...] = ("存在问题",)) -> str:
    """The 督查通报 sections (plain text from src.report.narrative) as escaped HTML."""
    parts = ['<div class="notice">']
    for heading, paragraphs in sections.items():
        parts.append(f"<h3>{esc(heading)}</h3>")
        if heading in numbered and len(paragraphs) > 1:
            parts.append("<ol>" + "".join(f"<li>{esc(p)}</li>" for p in paragraphs) + "</ol>")
        elif heading in listed and len(paragraphs) > 1:
            parts.append('<ul class="plain">' + "".join(f"<li>{esc(p)}</li>" for p in paragraphs) + "</ul>")
        else:
            parts.extend(f"<p>{esc(p)}</p>" for p in paragraphs)
    parts.append("</div>")
    return "\n".join(parts)


def masthead_html(publication: str, number: str, office: str, day: str) -> str:
    """版头: the publication in large red type, 期号, then the office and the date over a red rule."""
    return (f'<header class="masthead"><div class="publication">{esc(publication)}</div>'
            f'<div class="issue-number">{esc(number)}</div>'
            f'<div class="issuer"><span>{esc(office)}</span><span>{esc(day)}</span></div></header>')


def report_header_html(title: str, provenance: dict[str, str]) -> str:
    spans = "".join(f"<span>{esc(key)}：{esc(value)}</span>" for key, value in provenance.items() if value)
    return f'<h1 class="report-title">{esc(title)}</h1>\n<div class="provenance">{spans}</div>'


def headline_html(tasks: pd.DataFrame) -> str:
    """Headline cards: total and each status with its share (data-* for tests)."""
    summary = status_summary(tasks)
    total = int(summary["任务数"].sum())
    cards = [f'<div class="card total" data-status="total"><span class="n">{total}</span><span class="label">重点工作（项）</span></div>']
    for row in summary.itertuples(index=False):
        cards.append(
            f'<div class="card {esc(row.status)}" data-status="{esc(row.status)}" data-count="{row.任务数}">'
            f'<span class="n">{row.任务数}</span><span class="label">{esc(row.状态)}（{esc(row.占比)}）</span></div>'
        )
    return '<div class="headline">' + "".join(cards) + "</div>"


def _light(light: str) -> str:
    return f'<span class="badge light" style="background:{esc(light_color(light))}">{esc(light)}</span>'


def _badge(status: str) -> str:
    return f'<span class="badge {esc(status)}">{esc(status_label(status))}</span>'


def task_table_html(tasks: pd.DataFrame, columns: list[tuple[str, str]], empty: str = "（无）",
                    details: list[tuple[str, str]] | None = None) -> str:
    """A task table; ``columns`` is [(column, heading)]. Every cell is escaped.

    Each cell carries its heading as ``data-label`` (a narrow screen shows each
    row as a card with these labels). ``details`` ([(column, label)]) are long
    text fields shown beneath each task in one full-width row, so the table
    keeps few columns on A4 and each row can break across pages; each task is
    then its own ``<tbody class="task">``.
    """
    if tasks.empty:
        return f"<p>{esc(empty)}</p>"
    head = "".join(f'<th class="col-{esc(column)}">{esc(label)}</th>' for column, label in columns)
    colgroup = "<colgroup>" + "".join(f'<col style="width:{COLUMN_WIDTHS.get(c, "auto")}">' for c, _ in columns) + "</colgroup>"
    body = []
    for row in tasks.to_dict("records"):
        cells = "".join(_task_cell(row, column, label) for column, label in columns)
        if not details:
            body.append(f"<tr>{cells}</tr>")
            continue
        parts = [
            f'<p><span class="label">{esc(label)}：</span>{esc(_text(row.get(column)))}</p>'
            for column, label in details if _text(row.get(column)).strip()
        ]
        detail = (f'<tr class="detail"><td colspan="{len(columns)}" data-label="">{"".join(parts)}</td></tr>' if parts else "")
        body.append(f'<tbody class="task"><tr class="main">{cells}</tr>{detail}</tbody>')
    rows = "".join(body) if details else f"<tbody>{''.join(body)}</tbody>"
    css_class = "tasks with-details" if details else "tasks"
    return f'<table class="{css_class}">{colgroup}<thead><tr>{head}</tr></thead>{rows}</table>'


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, list):
        return "、".join(_tag_text(v) for v in value)
    return str(value)


def _task_cell(row: dict, column: str, label: str) -> str:
    value = row.get(column, "")
    if column == "task_id":  # a plain cell: the phone layout labels the first cell 序号 from the stylesheet
        return f"<td>{esc(_text(value))}</td>"
    attributes = f'data-label="{esc(label)}" class="col-{esc(column)}'
    if column == "status":
        source = ' <span class="override">人工认定</span>' if is_override(row) else ""
        return f'<td {attributes}">{_badge(value)}{source}</td>'
    if column == "light":
        return f'<td {attributes}">{_light(value)}</td>' if value else f'<td {attributes}"></td>'
    if column == "status_evidence":
        return f'<td {attributes}">{esc(evidence_text(row))}</td>'
    if column == "schedule_gap_pts":
        shown = "" if value is None or value != value or is_override(row) else f"{value:+.1f}"
        return f'<td {attributes} num">{shown}</td>'
    if column == "progress_ratio":
        return f'<td {attributes} num">{"" if value is None or value != value else f"{value:.1%}"}</td>'
    return f'<td {attributes}">{esc(_text(value))}</td>'


# Fixed widths for the narrow columns; text columns share the rest.
COLUMN_WIDTHS = {"task_id": "3.2em", "status": "6.2em", "light": "4.2em", "lead_unit": "7.5em", "leader": "4.8em",
                 "schedule_gap_pts": "5.4em", "progress_ratio": "4.8em"}


def _tag_text(value) -> str:
    if isinstance(value, dict):
        return str(value.get("cause") or value.get("theme") or value.get("phrase") or "")
    return str(value)


def frame_html(frame: pd.DataFrame, numeric: tuple[str, ...] = (), caption: str = "") -> str:
    """A small summary table (leaders compared, units ranked), every cell escaped."""
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(
            f'<td class="num" data-label="{esc(c)}">{esc(v)}</td>' if (c in numeric or isinstance(v, (int, float)))
            else f'<td data-label="{esc(c)}">{esc(v)}</td>'
            for c, v in zip(frame.columns, values)
        ) + "</tr>"
        for values in frame.itertuples(index=False)
    )
    caption_html = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="tasks summary">{caption_html}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def nav_html(links: list[tuple[str, str]], current: str = "") -> str:
    """A small navigation bar: [(label, href)]; the current page is not a link.
    Hidden when printed."""
    items = [
        f'<span aria-current="page">{esc(label)}</span>' if label == current or not href else f'<a href="{esc(href)}">{esc(label)}</a>'
        for label, href in links
    ]
    return '<nav class="report-nav">' + " · ".join(items) + "</nav>"


def figure_html(png: bytes, alt: str, caption: str = "", table: str = "") -> str:
    """A chart as an embedded PNG with Chinese alt text (read aloud, shown if the image fails);
    ``table`` (HTML of the chart's numbers) replaces the picture on screens under 500 px."""

    data = base64.b64encode(png).decode("ascii")
    figcaption = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    extra = f'<div class="chart-table">{table}</div>' if table else ""
    css = "chart has-table" if table else "chart"
    return f'<figure class="{css}"><img src="data:image/png;base64,{data}" alt="{esc(alt)}">{extra}{figcaption}</figure>'


_CHART_NAMES = {"leader": "领导", "cause": "原因", "theme": "主题", "unit": "牵头单位", "lead_unit": "牵头单位",
                "task_label": "任务", "status": "状态", "percent": "进度（%）", "decisive": "决定性指标"}


def chart_table_html(data, limit: int = 40) -> str:
    """A chart's own table (the ``plot.data`` of :mod:`src.report.plots`) in Chinese, for narrow screens."""
    frame = data[0] if isinstance(data, tuple) else data
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return ""
    frame = frame.head(limit)
    if frame.index.name or not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame = frame.drop(columns=[c for c in ("decisive",) if c in frame.columns])
    if "status" in frame.columns:
        frame = frame.assign(status=frame["status"].map(status_label))
    frame = frame.rename(columns=lambda c: status_label(c) if c in status_order() else _CHART_NAMES.get(c, c))
    return frame_html(frame)


def key_value_html(rows: list[tuple[str, object]]) -> str:
    return '<table class="meta">' + "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows) + "</table>"


# --------------------------------------------------------------------------
# a page
# --------------------------------------------------------------------------
def report_css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def inline_style(css: str) -> str:
    return f"<style>\n{css}\n</style>"


def page_html(title: str, body: str) -> str:
    """A complete, self-contained page: inline CSS, no scripts, no external links."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">\n'
        f"<title>{esc(title)}</title>\n{inline_style(report_css())}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------
# index and Excel
# --------------------------------------------------------------------------
def slugify_leader(order: int) -> str:
    """ASCII file stem for a leader's report: leader-01, leader-02…"""
    return f"leader-{int(order):02d}"


def index_html(entries: list[dict], metadata: dict, as_of, rule_version: str, build_date: date | None = None) -> str:
    """reports/index.html: the overview and every leader's report with headline counts.

    ``entries``: dicts with subject, html, pdf and counts {status: n}; an
    optional ``docx`` (the Word file's name) adds a Word link, and an optional
    ``change`` (one sentence: what moved since the previous period) a 与上期比较 column.
    """
    with_change = any(entry.get("change") for entry in entries)
    head = "".join(f"<th>{esc(status_label(s))}</th>" for s in status_order())
    rows = []
    for entry in entries:
        counts = entry["counts"]
        cells = "".join(f'<td class="num" data-status="{esc(s)}" data-label="{esc(status_label(s))}">{int(counts.get(s, 0))}</td>'
                        for s in status_order())
        rows.append(
            f'<tr><td data-label="报告">{esc(entry["subject"])}</td><td class="num" data-label="任务数">{int(sum(counts.values()))}</td>{cells}'
            f'<td data-label="下载"><a href="{esc(entry["html"])}">HTML</a> · <a href="{esc(entry["pdf"])}">PDF</a>'
            + (f' · <a href="{esc(entry["docx"])}">Word</a>' if entry.get("docx") else "")
            + "</td>"
            + (f'<td data-label="与上期比较">{esc(entry.get("change", ""))}</td>' if with_change else "")
            + "</tr>"
        )
    # No build date, rule version or file name: every report links here (they are on the analyst page).
    provenance = {
        "来源": metadata.get("title"), "印发单位": metadata.get("issuing_office"), "统计期": metadata.get("period"),
        "参考日期": str(as_of),
    }
    body = (
        report_header_html(f"{metadata.get('title') or '重点工作'} · 分析报告", provenance)
        + f'<table class="tasks index-table"><thead><tr><th>报告</th><th>任务数</th>{head}<th>下载</th>'
        + ("<th>与上期比较</th>" if with_change else "") + "</tr></thead>"
        + f"<tbody>{''.join(rows)}</tbody></table>"
        + '<p><a href="key_tasks_classified.xlsx">下载全部任务的 Excel 表（每位领导一张工作表）</a></p>'
    )
    return page_html(f"{metadata.get('title') or '重点工作'} · 报告目录", body)


def write_excel(tasks: pd.DataFrame, path: str | Path, comparison: pd.DataFrame | None = None) -> Path:
    """The Excel workbook (see :mod:`src.report.workbook`, which also holds ``EXCEL_COLUMNS``); kept here for existing callers."""

    return write(tasks, path, comparison)

