"""A report's charts: each drawn as an embedded PNG with
Chinese alt text and, for screens under 500 px, the chart's own numbers as a table.

:func:`chart_specs` says which charts an 附件 of a report holds; the HTML (and so the PDF) and
the Word document both draw from it, so they hold the same charts in the same places."""
from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt

from src.report import plots, render
from src.report.chart_files import drawn_chart
from src.report.plots import figure_png
from src.report.render import Html

if TYPE_CHECKING:  # the report object imports this module to compose its sections
    from src.report.model import Report

__all__ = ["COMPACT_MAX_TASKS", "is_compact", "chart", "chart_png", "chart_specs", "report_charts", "cause_chart_html",
           "leader_charts_html"]

COMPACT_MAX_TASKS = 3  # a leader with this few tasks gets no charts: the notice and the table say it all
PROGRESS_NOTE = "下图每个点是进展情况中一项可与年度目标对比的量化指标，虚线为序时进度；点在虚线左侧即低于序时进度。"


def is_compact(report: Report) -> bool:
    return len(report.tasks) <= COMPACT_MAX_TASKS


def chart_png(plot, *args, **kwargs) -> tuple[bytes, str, object]:
    """(PNG, alt text, the chart's table or None) of ``plot``: an ``ax`` something was drawn on, a
    function that draws and returns one, or a two-step ``plot_*`` of :mod:`src.report.plots` (its table,
    then its drawing)."""

    data = None
    if callable(plot) and hasattr(plot, "draw"):  # a two-step plot_* function: its table, then its drawing
        data = plot.data(*args, **kwargs)
        ax = plot.draw(data)
    elif callable(plot):
        ax = plot(*args, **kwargs)
    else:
        ax = plot
    figure = ax.figure
    drawn_alt = (ax.get_label() if ax.get_label() and not ax.get_label().startswith("_") else "") or ax.get_title() or "图表"
    png = figure_png(figure)
    plt.close(figure)
    return png, drawn_alt, data


def chart(plot, *args, alt: str = "", caption: str = "", phone_table: bool = False, **kwargs) -> Html:
    """A chart as an embedded PNG with Chinese alt text (see :func:`chart_png`):
    ``chart(plots.plot_leader_status, report.tasks)``. ``alt`` defaults to the description the plot function
    left on the axes (its label), else its title. ``phone_table``: the chart's numbers as a table
    that replaces the picture on screens under 500 px (for a two-step ``plot_*``)."""
    png, drawn_alt, data = chart_png(plot, *args, **kwargs)
    table = render.chart_table_html(data) if phone_table and data is not None else ""
    return Html(render.figure_html(png, alt or drawn_alt, caption, table))


def _cause_chart_worth_drawing(report: Report) -> bool:
    """Only when some cause is shared by two tasks or more (a chart where every bar is 1 says
    nothing a list would not)."""

    if not plots.has_tags(report.tasks, "cause_tags", "cause"):
        return False
    data = plots.plot_cause_counts.data(report.tasks)
    frame = data[0] if isinstance(data, tuple) else data
    return not frame.empty and frame.sum(axis=1).max() > 1


def chart_specs(report: Report, kind: str) -> list[tuple[object, tuple, str]]:
    """The charts of one 附件 kind (see :func:`src.report.model.annex_list`): [(plot, args, note before it)]."""

    tasks = report.tasks
    if kind == "leaders":
        return [(plots.plot_leader_status, (tasks,), "")]
    if kind == "lagging":
        return [(plots.plot_cause_counts, (tasks,), "")] if _cause_chart_worth_drawing(report) else []
    if kind != "charts" or is_compact(report):
        return []
    specs = [(plots.plot_status_breakdown, (tasks,), "")]
    units = tasks["lead_units"].explode().dropna()
    if units.nunique() > 1 and units.value_counts().max() > 1:  # not a chart where every bar is 1
        specs.append((plots.plot_units_by_status, (tasks,), ""))
    if not plots.progress_points(tasks).empty:
        specs.append((plots.plot_progress_vs_schedule, (tasks, report.as_of), PROGRESS_NOTE))
    return specs


def report_charts(report: Report, kind: str, before_draw=None) -> list[tuple[bytes, str, object, str]]:
    """The charts of one 附件 kind as (PNG, alt text, the chart's table, note before it), each drawn once
    per build (:mod:`src.report.chart_files`): the pages and the Word document show the same PNG, and
    whichever job comes second reads it. ``before_draw()`` runs before a chart is actually drawn."""

    def draw(plot):
        def drawing(data):
            if before_draw:
                before_draw()
            return chart_png(plot.draw, data)[:2]
        return drawing

    folder = report.charts_dir
    return [(*drawn_chart(plot, args, folder, draw(plot)), note) for plot, args, note in chart_specs(report, kind)]


def charts_html(report: Report, kind: str) -> Html:
    parts = []
    for png, alt, data, note in report_charts(report, kind):
        if note:
            parts.append(f'<p class="note">{render.esc(note)}</p>')
        table = render.chart_table_html(data) if data is not None else ""
        parts.append(render.figure_html(png, alt, "", table))
    return Html("\n".join(parts))


def cause_chart_html(report: Report) -> Html:
    return charts_html(report, "lagging")


def leader_charts_html(report: Report) -> Html:
    """A leader's charts (none for a small portfolio, and none that would be empty). Kept for
    callers: the report templates now show them as an 附件 (:func:`src.report.model.annexes_html`)."""
    return charts_html(report, "charts")
