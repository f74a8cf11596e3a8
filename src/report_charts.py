"""A report's charts: each drawn (or taken from the build's chart cache) as an embedded PNG with
Chinese alt text and, for screens under 500 px, the chart's own numbers as a table."""
from __future__ import annotations

from src import render
from src.report import Html, Report

__all__ = ["COMPACT_MAX_TASKS", "is_compact", "chart", "cause_chart_html", "leader_charts_html"]

COMPACT_MAX_TASKS = 3  # a leader with this few tasks gets no charts: the notice and the table say it all


def is_compact(report: Report) -> bool:
    return len(report.tasks) <= COMPACT_MAX_TASKS


def chart(plot, *args, cache=None, alt: str = "", caption: str = "", **kwargs) -> Html:
    """A chart as an embedded PNG with Chinese alt text.

    ``plot`` is either an ``ax`` something was drawn on (the figure is closed), or a
    ``plot_*`` function of :mod:`src.plots` with its arguments:
    ``chart(plots.plot_leader_status, report.tasks, cache=charts)``. Given a
    function and a :class:`src.chart_cache.ChartCache`, the chart is drawn only
    when the cache has no drawing of the same table with the same code and
    settings; the PNG is the same either way (tested). ``alt`` defaults to the
    description the plot function left on the axes (its label), else its title."""
    import matplotlib.pyplot as plt

    from src.plots import figure_png

    key, data = None, None
    if callable(plot) and hasattr(plot, "draw"):  # a two-step plot_* function: its table, then its drawing
        data = plot.data(*args, **kwargs)
        if cache is not None:
            from src.chart_cache import chart_key

            key = chart_key(plot.draw, data)
            kept = cache.get(key)
            if kept is not None:
                png, drawn_alt = kept
                return Html(render.figure_html(png, alt or drawn_alt, caption, render.chart_table_html(data)))
        ax = plot.draw(data)
    elif callable(plot):  # any other function that draws and returns an ax
        ax = plot(*args, **kwargs)
    else:
        ax = plot
    figure = ax.figure
    drawn_alt = (ax.get_label() if ax.get_label() and not ax.get_label().startswith("_") else "") or ax.get_title() or "图表"
    png = figure_png(figure)
    plt.close(figure)
    if key is not None:
        cache.put(key, png, drawn_alt)
    table = render.chart_table_html(data) if data is not None else ""
    return Html(render.figure_html(png, alt or drawn_alt, caption, table))


def cause_chart_html(report: Report, cache=None) -> Html:
    """The causes chart, only when some cause is shared by two tasks or more (a chart where
    every bar is 1 says nothing a list would not)."""
    from src import plots

    if not plots.has_tags(report.tasks, "cause_tags", "cause"):
        return Html("")
    data = plots.plot_cause_counts.data(report.tasks)
    frame = data[0] if isinstance(data, tuple) else data
    if frame.empty or frame.sum(axis=1).max() <= 1:
        return Html("")
    return chart(plots.plot_cause_counts, report.tasks, cache=cache)


def leader_charts_html(report: Report, cache=None) -> Html:
    """A leader's charts under their heading; none for a small portfolio (and none that would be empty).
    ``cache``: the build's chart cache (see :func:`chart`)."""
    from src import plots

    tasks = report.tasks
    if is_compact(report):
        return Html("")
    parts = ["<h2>图表</h2>", chart(plots.plot_status_breakdown, tasks, cache=cache)]
    if tasks["lead_units"].map(len).gt(0).any() and tasks["lead_unit"].nunique() > 1:
        parts.append(chart(plots.plot_units_by_status, tasks, cache=cache))
    if not plots.progress_points(tasks).empty:
        parts.append('<p class="note">下图每个点是进展情况中一项可与年度目标对比的量化指标，虚线为序时进度；点在虚线左侧即低于序时进度。</p>')
        parts.append(chart(plots.plot_progress_vs_schedule, tasks, report.as_of, cache=cache))
    parts.append(cause_chart_html(report, cache))
    return Html("\n".join(parts))


