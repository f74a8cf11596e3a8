"""Charts for the reports. Each function takes a task frame and an optional
``ax``, draws one chart and returns the ``ax`` (axes-level, so they compose)."""
from __future__ import annotations

import io
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import MaxNLocator
from PIL import Image

from src.report.narrative import elapsed_percent, short_task
from src.report.style import find_cjk_font, report_style, status_color, status_label, status_order

__all__ = [
    "set_report_style",
    "plot_status_breakdown",
    "plot_units_by_status",
    "plot_progress_vs_schedule",
    "plot_leader_status",
    "plot_cause_counts",
    "plot_theme_status",
    "progress_points",
    "has_tags",
    "PAGE_ROWS",
    "figure_png",
]

# A chart must fit on one A4 page: at 8 in wide it is printed about 180 mm wide,
# so it may be at most about 10 in tall. Rows beyond this are left out and the title says so.
PAGE_ROWS = 24


def set_report_style() -> str:
    """One look for every chart, with a real CJK font. Returns the font family.

    Raises :class:`src.report.style.CJKFontError` when no CJK font is installed.
    """
    family, _ = find_cjk_font()
    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.dpi": report_style()["chart"]["dpi"],
            "savefig.dpi": report_style()["chart"]["dpi"],
            "figure.figsize": (8, 4),
            "svg.fonttype": "none",
        }
    )
    return family


def figure_png(figure) -> bytes:
    """The figure as an opaque RGB PNG, drawn once.

    ``savefig`` draws a figure with a layout engine twice (a dry run, then the real
    drawing) and writes RGBA, which the PDF step then splits into colour and a
    transparency mask; one drawing on the Agg canvas gives the same pixels
    (tested against ``savefig``) in about 0.87 of the time, and without an alpha
    channel WeasyPrint embeds the image once. Drawn at the figure's dpi
    (:func:`set_report_style` sets it to the report dpi); a transparent
    background is laid on white. No metadata, so the bytes depend only on the drawing."""

    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    image = Image.fromarray(rgba, "RGBA")
    if rgba[..., 3].min() < 255:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png")
    return buffer.getvalue()


def _short_label(name: str, limit: int = 14) -> str:
    """市防范金融风险暨网络借贷风险处置领导小组办公室（市金融办） → 市金融办 (the bracketed short name)."""
    bracket = re.search(r"[（(]([^（）()]+)[）)]\s*$", name)
    if len(name) > limit and bracket:
        return bracket.group(1)
    return name if len(name) <= limit else short_task(name, limit)  # cut between words, never inside one


def as_text(label) -> str:
    """A label from the table, drawn as text: matplotlib reads a pair of ``$`` as math
    (``US$70亿…US$5亿`` became italic boxes, ``$$`` crashed the drawing), ``\\$`` is a plain ``$``."""
    return str(label).replace("$", r"\$")


def _axes(ax, size=(8, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _empty(ax, message: str):
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555", transform=ax.transAxes)
    ax.set_axis_off()
    return ax


def _stacked_by_status(ax, table: pd.DataFrame, xlabel: str, title: str):
    """Horizontal bars of counts, one row per category, stacked by status (a status the table
    lacks counts 0)."""
    table = table.reindex(columns=status_order(), fill_value=0)
    left = pd.Series(0, index=table.index)
    for status in status_order():
        ax.barh([as_text(name) for name in table.index], table[status], left=left.to_numpy(), color=status_color(status),
                label=status_label(status))
        left = left + table[status]
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(left.max()) * 1.05, 3))  # a lone short bar should not fill the chart
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    rows = [
        f"{name}{int(sum(values))}项" + (f"（滞后{int(lagging)}项）" if lagging else "")
        for name, values, lagging in zip(table.index[:8], table.to_numpy()[:8], table["lagging"].to_numpy()[:8])
    ]
    more = f"等{len(table)}类" if len(table) > 8 else ""
    ax.set_label(f"{title}，条形图：" + "，".join(rows) + more + "。")
    _legend_below(ax)
    return ax


def _legend_below(ax, columns: int = 3):
    """The legend under the chart, clear of the bars and the axis label."""
    figure = ax.figure
    if figure.get_layout_engine() is not None and len(figure.axes) == 1:
        handles, labels = ax.get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncol=columns, frameon=False, fontsize=9)
    else:  # an axes inside someone else's figure: keep the legend on the axes
        ax.legend(loc="best", frameon=True, fontsize=9)


def _status_counts(tasks: pd.DataFrame) -> pd.Series:
    return tasks["status"].value_counts().reindex(status_order(), fill_value=0)


# Each chart is two steps: what it shows (``*_data``: a small table computed from the
# tasks) and how it is drawn (``draw_*``: from that table alone). ``plot_*`` does both.
def two_step(data, draw):
    """Mark a ``plot_*`` function as ``draw(data(*args), ax)``: ``plot.data`` and ``plot.draw``."""
    def mark(plot):
        plot.data, plot.draw = data, draw
        return plot
    return mark


def status_breakdown_data(tasks: pd.DataFrame) -> pd.Series:
    return _status_counts(tasks)


def draw_status_breakdown(counts: pd.Series, ax=None):
    """Horizontal bars: tasks per status, labelled with count and share."""
    ax = _axes(ax, (7, 2.6))
    total = int(counts.sum())
    if total == 0:
        return _empty(ax, "无任务")
    labels = [status_label(s) for s in counts.index]
    bars = ax.barh(labels, counts.values, color=[status_color(s) for s in counts.index])
    ax.invert_yaxis()
    for bar, count in zip(bars, counts.values):
        ax.text(bar.get_width() + total * 0.01, bar.get_y() + bar.get_height() / 2,
                f"{count} 项（{count / total:.1%}）", va="center", fontsize=10)
    ax.set_xlim(0, max(counts.max() * 1.3, 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("任务数")
    ax.set_title(f"任务状态分布（共 {total} 项）")
    ax.set_label(f"任务状态分布条形图：共{total}项，" + "，".join(
        f"{status_label(s)}{int(c)}项（{c / total:.1%}）" for s, c in counts.items()) + "。")
    return ax


@two_step(status_breakdown_data, draw_status_breakdown)
def plot_status_breakdown(tasks: pd.DataFrame, ax=None):
    """Horizontal bars: tasks per status, labelled with count and share."""
    return draw_status_breakdown(status_breakdown_data(tasks), ax)


def units_by_status_data(tasks: pd.DataFrame, top: int | None = None) -> tuple[pd.DataFrame, str]:
    """The lead units shown (first listed unit of each task, short names) by status, and the title."""
    top = top or report_style()["chart"]["max_units"]
    table = (
        tasks.assign(unit=tasks["lead_units"].map(lambda units: units[0] if len(units) else "（未注明）"))
        .pipe(lambda frame: pd.crosstab(frame["unit"], frame["status"]))
        .reindex(columns=status_order(), fill_value=0)
    )
    if table.empty:
        return table, ""
    table = table.assign(_total=table.sum(axis=1), _lag=table["lagging"]).sort_values(
        ["_total", "_lag"], ascending=False, kind="stable"
    )
    title = "各牵头单位任务数（按状态）" if len(table) <= top else f"任务最多的 {top} 家牵头单位（按状态）"
    table = table.iloc[:top].drop(columns=["_total", "_lag"])
    table.index = [_short_label(name) for name in table.index]
    return table, title


def draw_units_by_status(shown: tuple[pd.DataFrame, str], ax=None):
    table, title = shown
    if table.empty:
        return _empty(_axes(ax), "无任务")
    ax = _axes(ax, (8, max(2.5, 0.30 * len(table) + 1)))
    return _stacked_by_status(ax, table, "任务数", title)


@two_step(units_by_status_data, draw_units_by_status)
def plot_units_by_status(tasks: pd.DataFrame, ax=None, top: int | None = None):
    """Lead units ranked by tasks, bars stacked by status (first listed unit of each task)."""
    return draw_units_by_status(units_by_status_data(tasks, top), ax)


def progress_points(tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per quantified measure with a known ratio to its annual target."""
    rows = []
    for task in tasks.itertuples(index=False):
        for item in task.progress_items if isinstance(task.progress_items, list) else []:
            ratio = item.get("ratio")
            if ratio is None or ratio != ratio:
                continue
            rows.append(
                {"task_id": task.task_id, "task_label": f"{task.task_id}. {short_task(task.task, 16)}",
                 "status": task.status, "percent": float(ratio) * 100, "phrase": item.get("phrase", ""),
                 "decisive": bool(item.get("decisive", True))}
            )
    return pd.DataFrame(rows, columns=["task_id", "task_label", "status", "percent", "phrase", "decisive"])


def progress_vs_schedule_data(tasks: pd.DataFrame, as_of) -> tuple[pd.DataFrame, float]:
    """The measures drawn (label, status, percent, decisive) and the elapsed share of the year (%)."""
    points = progress_points(tasks)[["task_label", "status", "percent", "decisive"]]
    return points, float(elapsed_percent(as_of))


def draw_progress_vs_schedule(shown: tuple[pd.DataFrame, float], ax=None):
    points, schedule = shown
    cap = report_style()["chart"]["progress_axis_cap"]
    limit = report_style()["chart"]["max_progress_rows"]
    if points.empty:
        return _empty(_axes(ax, (8, 2)), "本组任务的进展情况中没有可与年度目标对比的量化数据")
    lowest = points.groupby("task_label", sort=False)["percent"].min().sort_values()
    limit = min(limit, PAGE_ROWS)
    order = lowest.index[:limit]
    points = points[points["task_label"].isin(order)]
    ax = _axes(ax, (8, max(2.5, 0.30 * len(order) + 1.2)))
    position = {label: index for index, label in enumerate(order)}
    for status in status_order():
        subset = points[(points["status"] == status) & points["decisive"]]
        if not subset.empty:
            ax.scatter(subset["percent"].clip(upper=cap), subset["task_label"].map(position), s=46,
                       color=status_color(status), label=status_label(status), zorder=3)
    context = points[~points["decisive"]]
    if not context.empty:  # works progress (形象进度) and the like: shown, but not what decided the status
        ax.scatter(context["percent"].clip(upper=cap), context["task_label"].map(position), s=40,
                   facecolors="none", edgecolors="#777", linewidths=1.2, label="其他量化指标（不作判定依据）", zorder=3)
    ax.axvline(schedule, color="#333", linestyle="--", linewidth=1.2, zorder=2)
    ax.text(schedule, -0.8, f" 序时进度 {schedule:.1f}%", fontsize=9, va="bottom")
    ax.set_yticks(range(len(order)), [as_text(label) for label in order])
    ax.set_ylim(len(order) - 0.5, -1.2)
    ax.set_xlim(0, cap + 5)
    ax.set_xlabel("完成年度目标的比例（%）")
    title = "量化任务进度与序时进度对比（实心点为判定依据）"
    if len(lowest) > len(order):
        title = f"量化任务进度与序时进度对比：进度最低的前 {len(order)} 项（共 {len(lowest)} 项）"
    ax.set_title(title)
    below = [label for label, percent in lowest.items() if percent < schedule]
    ax.set_label(
        f"{title}。{len(lowest)}项任务有可与年度目标对比的量化数据，序时进度{schedule:.1f}%，"
        f"其中{len(below)}项有指标低于序时进度" + ("：" + "；".join(below[:8]) + ("等" if len(below) > 8 else "") if below else "") + "。"
    )
    _legend_below(ax)
    return ax


@two_step(progress_vs_schedule_data, draw_progress_vs_schedule)
def plot_progress_vs_schedule(tasks: pd.DataFrame, as_of, ax=None):
    """Each quantified measure (% of its annual target) against the elapsed-time line."""
    return draw_progress_vs_schedule(progress_vs_schedule_data(tasks, as_of), ax)


def leader_status_data(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks per leader (in 目录 order) and status."""
    return (
        pd.crosstab([tasks["leader_order"], tasks["leader"]], tasks["status"])
        .reindex(columns=status_order(), fill_value=0)
        .droplevel(0)
    )


def draw_leader_status(table: pd.DataFrame, ax=None):
    ax = _axes(ax, (8, max(2.5, 0.45 * len(table) + 1)))
    if table.empty:
        return _empty(ax, "无任务")
    table = table.reindex(columns=status_order(), fill_value=0)
    shares = table.div(table.sum(axis=1), axis=0) * 100
    left = pd.Series(0.0, index=shares.index)
    for status in status_order():
        ax.barh([as_text(name) for name in shares.index], shares[status], left=left.to_numpy(),
                color=status_color(status), label=status_label(status))
        left = left + shares[status]
    for index, (_leader, total) in enumerate(table.sum(axis=1).items()):
        ax.text(101, index, f"{total} 项", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xlabel("占该领导牵头任务的比例（%）")
    ax.set_title("各位领导牵头任务的状态构成")
    ax.set_label("各位领导牵头任务的状态构成，百分比堆积条形图：" + "；".join(
        f"{leader}{int(row.sum())}项，滞后{int(row['lagging'])}项" for leader, row in table.iterrows()) + "。")
    _legend_below(ax)
    return ax


@two_step(leader_status_data, draw_leader_status)
def plot_leader_status(tasks: pd.DataFrame, ax=None):
    """Leaders compared: share of each status in their tasks (stacked, 100%)."""
    return draw_leader_status(leader_status_data(tasks), ax)


def _explode_tags(tasks: pd.DataFrame, column: str, key: str) -> pd.DataFrame:
    if column not in tasks.columns:
        return pd.DataFrame(columns=["task_id", "status", key])
    rows = [
        {"task_id": task_id, "status": status, key: tag[key]}
        for task_id, status, tags in zip(tasks["task_id"], tasks["status"], tasks[column])
        for tag in (tags if isinstance(tags, list) else [])
    ]
    return pd.DataFrame(rows, columns=["task_id", "status", key]).drop_duplicates()


def has_tags(tasks: pd.DataFrame, column: str, key: str) -> bool:
    """Whether any task carries a tag (a chart of them would not be empty)."""
    return not _explode_tags(tasks, column, key).empty


def cause_counts_data(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks per problem cause and status, most lagging first (empty: no cause recognised)."""
    tags = _explode_tags(tasks, "cause_tags", "cause")
    if tags.empty:
        return pd.DataFrame(columns=status_order())
    table = pd.crosstab(tags["cause"], tags["status"]).reindex(columns=status_order(), fill_value=0)
    table = table.assign(_lag=table["lagging"], _all=table.sum(axis=1)).sort_values(["_lag", "_all"], ascending=False)
    return table.drop(columns=["_lag", "_all"])


def draw_cause_counts(table: pd.DataFrame, ax=None):
    if table.empty:
        return _empty(_axes(ax, (8, 2)), "问题栏中未识别出可归类的原因")
    ax = _axes(ax, (8, max(2.5, 0.32 * len(table) + 1)))
    return _stacked_by_status(ax, table, "涉及任务数", "存在问题的原因分类（按任务状态）")


@two_step(cause_counts_data, draw_cause_counts)
def plot_cause_counts(tasks: pd.DataFrame, ax=None):
    """Why tasks are held back: tasks per problem cause, stacked by status."""
    return draw_cause_counts(cause_counts_data(tasks), ax)


def theme_status_data(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks per policy theme and status, largest theme first (empty: no theme recognised)."""
    tags = _explode_tags(tasks, "theme_tags", "theme")
    if tags.empty:
        return pd.DataFrame(columns=status_order())
    table = pd.crosstab(tags["theme"], tags["status"]).reindex(columns=status_order(), fill_value=0)
    return table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def draw_theme_status(table: pd.DataFrame, ax=None):
    if table.empty:
        return _empty(_axes(ax, (8, 2)), "未识别出政策主题")
    ax = _axes(ax, (8, max(2.5, 0.32 * len(table) + 1)))
    return _stacked_by_status(ax, table, "任务数", "政策主题分布（按任务状态）")


@two_step(theme_status_data, draw_theme_status)
def plot_theme_status(tasks: pd.DataFrame, ax=None):
    """Policy themes: tasks per theme, stacked by status."""
    return draw_theme_status(theme_status_data(tasks), ax)
