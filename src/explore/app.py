"""The explore notebook's app (:class:`ExploreApp`): drop-downs and a search box
over one task table, and every section following them; the output helpers it
renders with. Part of :mod:`src.explore` (``ex.ExploreApp`` works as before).
"""
from __future__ import annotations

import base64
import io
from pathlib import Path

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from src import compare, store
from src.explore.query import (
    ALL_LABEL,
    DATATABLES_LANGUAGE,
    REVIEW,
    ExploreInputError,
    Loaded,
    _status_text,
    _task_id,
    cause_evidence_frame,
    cause_frame,
    detail_frame,
    filter_tasks,
    keyword_frame,
    normalise_leader,
    normalise_status,
    normalise_unit,
    table_frame,
    theme_frame,
)
from src.paths import INTERIM_DIR, resolve
from src.report.narrative import short_task
from src.report.plots import (
    plot_cause_counts,
    plot_progress_vs_schedule,
    plot_status_breakdown,
    plot_units_by_status,
    set_report_style,
)
from src.report.render import esc, frame_html, key_value_html
from src.report.style import status_label, status_order

try:
    from itables import to_html_datatable
except ImportError:  # itables is in the requirements; without it the explore notebook shows plain tables
    to_html_datatable = None

__all__ = ["ExploreApp", "interactive_table_html"]


# ------------------------------------------------------------------ output


def _html_bundle(html: str, plain: str = "") -> dict:
    return {"output_type": "display_data", "data": {"text/html": html, "text/plain": plain or "（表格）"}, "metadata": {}}


def _small_table_html(frame: pd.DataFrame, empty: str = "（无）") -> str:
    if frame.empty:
        return f"<p>{esc(empty)}</p>"
    return f'<div class="explore-table" style="overflow-x:auto">{frame_html(frame)}</div>'


def interactive_table_html(frame: pd.DataFrame) -> str:
    """The sortable, searchable table: itables (offline: its JavaScript comes from
    the :func:`setup_notebook` cell) when installed, else a plain escaped table."""
    if to_html_datatable is None:
        return _small_table_html(frame, "没有符合条件的任务")
    text_columns = [i for i, column in enumerate(frame.columns) if not pd.api.types.is_numeric_dtype(frame[column])]
    return to_html_datatable(
        frame, connected=False, maxBytes=0, pageLength=15, lengthMenu=[15, 50, 200, -1],
        language=DATATABLES_LANGUAGE, classes="display compact", showIndex=False,
        columnDefs=[{"className": "dt-left", "targets": text_columns}],
    )


def _figure_bundle(figure) -> dict:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)  # lighter than the reports (144): redrawn on every change
    plt.close(figure)
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": "（图表）"}}


# --------------------------------------------------------------------- app


class ExploreApp:
    """Drop-downs and a search box over one task table; every section follows.

    Widgets: ``leader_box``, ``status_box``, ``unit_box`` (drop-downs; the unit
    box also takes any text), ``query_box`` (free text), ``task_box`` (one
    task's detail), ``reset_button``, ``export_button``. Parts to display:
    ``controls``, ``table_out``, ``charts_out``, ``keywords_out``,
    ``causes_out``, ``themes_out``, ``detail`` (or all of it: ``widget``).
    After each change: ``view`` (matching tasks), ``table`` (what the table
    shows), ``figures`` (chart name → matplotlib figure, closed),
    ``keywords``, ``causes``, ``cause_evidence``, ``themes``, ``detail_table``.
    """

    def __init__(self, loaded: Loaded | pd.DataFrame, leader="", status="", unit="", query="", task_id=None,
                 scratch_dir: str | Path = INTERIM_DIR, comparison: pd.DataFrame | None = None):

        set_report_style()  # charts in a real CJK font, or CJKFontError saying how to install one
        if isinstance(loaded, pd.DataFrame):
            loaded = Loaded(loaded.sort_values("task_id", kind="stable").reset_index(drop=True), Path("."),
                            "status" in loaded.columns, str(loaded.attrs.get("as_of") or ""))
        self.loaded = loaded
        self.comparison = comparison  # with the previous period (load_comparison), or None
        self.history_table = pd.DataFrame()
        self.tasks = loaded.tasks
        self.classified = loaded.classified
        self.scratch_dir = resolve(scratch_dir)
        self.figures: dict = {}
        self._holding = False

        leaders = self.tasks.drop_duplicates("leader")
        if "leader_order" in leaders.columns:
            leaders = leaders.sort_values("leader_order", kind="stable")
        leader_options = [(ALL_LABEL, "")] + [
            (f"{row.leader}（{row.leader_title}）" if getattr(row, "leader_title", "") else row.leader, row.leader)
            for row in leaders.itertuples(index=False)
        ]
        status_options = [(ALL_LABEL, "")]
        if self.classified:
            status_options += [(status_label(s), s) for s in status_order()] + [("待复核", REVIEW)]
        units = self.tasks["lead_units"].explode().dropna() if "lead_units" in self.tasks.columns else self.tasks["lead_unit"]
        unit_options = [str(u) for u in units.value_counts().index]
        style = {"description_width": "5em"}
        self.leader_box = w.Dropdown(options=leader_options, description="分管领导", style=style)
        self.status_box = w.Dropdown(options=status_options, description="状态", style=style,
                                     disabled=not self.classified)
        self.unit_box = w.Combobox(options=unit_options, description="牵头单位", placeholder="选择或输入单位名称中的文字",
                                   ensure_option=False, style=style, continuous_update=False)
        self.query_box = w.Text(description="全文检索", placeholder="如：亚运 场馆（空格分隔，须同时出现），回车确认",
                                style=style, continuous_update=False, layout=w.Layout(width="32em"))
        self.reset_button = w.Button(description="清除筛选", icon="undo")
        self.export_button = w.Button(description="导出筛选结果", icon="download",
                                      tooltip=f"写入 {self.scratch_dir}（分析用的草稿目录，不影响报告）")
        self.count_html = w.HTML()
        self.message_html = w.HTML()
        self.task_box = w.Dropdown(description="查看任务", style=style, layout=w.Layout(width="48em"))
        self.table_out, self.charts_out, self.keywords_out = w.Output(), w.Output(), w.Output()
        self.causes_out, self.themes_out, self.detail_out = w.Output(), w.Output(), w.Output()
        self.controls = w.VBox([
            w.HBox([self.leader_box, self.status_box]),
            w.HBox([self.unit_box, self.query_box]),
            w.HBox([self.reset_button, self.export_button]),
            self.count_html, self.message_html,
        ])
        self.detail = w.VBox([self.task_box, self.detail_out])
        self.widget = w.VBox([self.controls, self.table_out, self.charts_out, self.keywords_out,
                              self.causes_out, self.themes_out, self.detail])

        self.set_filters(leader=leader, status=status, unit=unit, query=query, refresh=False)
        self._wanted_task = _task_id(task_id)
        for box in (self.leader_box, self.status_box, self.unit_box, self.query_box):
            box.observe(self._on_filter, names="value")
        self.task_box.observe(self._on_task, names="value")
        self.reset_button.on_click(lambda _: self.set_filters())
        self.export_button.on_click(lambda _: self.export())
        self.refresh()

    # -- filters
    def set_filters(self, leader="", status="", unit="", query="", refresh: bool = True) -> None:
        """Set every filter at once from natural values (滞后, 戴建平常务副市长, 王 宏)."""
        code = normalise_status(status)
        if code and not self.classified:
            raise ExploreInputError("这张表还没有分类（没有状态列），不能按状态筛选；先运行 make reports")
        values = {
            self.leader_box: normalise_leader(leader, self.tasks),
            self.status_box: code,
            self.unit_box: str(unit or "").strip(),
            self.query_box: str(query or "").strip(),
        }
        self._holding = True
        try:
            for box, value in values.items():
                box.value = value
        finally:
            self._holding = False
        if refresh:
            self.refresh()

    def filters(self) -> dict:
        return {"leader": self.leader_box.value, "status": self.status_box.value,
                "unit": normalise_unit(self.unit_box.value), "query": self.query_box.value.strip()}

    def describe(self) -> str:
        parts = []
        current = self.filters()
        if current["leader"]:
            parts.append(f"领导：{current['leader']}")
        if current["status"]:
            parts.append("状态：" + ("待复核" if current["status"] == REVIEW else status_label(current["status"])))
        if current["unit"]:
            parts.append(f"牵头单位含“{current['unit']}”")
        if current["query"]:
            parts.append(f"检索“{current['query']}”")
        return "；".join(parts)

    def summary(self) -> str:
        """筛选后 N / M 项任务（conditions）."""
        conditions = self.describe()
        return f"筛选后 {len(self.view)} / {len(self.tasks)} 项任务" + (f"（{conditions}）" if conditions else "")

    def _on_filter(self, change) -> None:
        if not self._holding:
            self.refresh()

    def _on_task(self, change) -> None:
        if not self._holding:
            self._render_detail()

    # -- rendering
    def refresh(self) -> None:
        """Recompute the matching tasks and redraw every section."""

        self.view = filter_tasks(self.tasks, **self.filters())
        self.table = table_frame(self.view)
        self.count_html.value = f"<b>{esc(self.summary())}</b>"
        self.message_html.value = ""
        if self.view.empty:
            self.message_html.value = "<span style='color:#c62828'>没有符合条件的任务：放宽条件，或点“清除筛选”。</span>"
        self.table_out.outputs = (_html_bundle(interactive_table_html(self.table), self.summary()),)
        self._render_charts()
        self.keywords = keyword_frame(self.tasks, self.view)
        self.keywords_out.outputs = (_html_bundle(_small_table_html(self.keywords, "没有符合条件的任务")),)
        self._render_causes()
        self.themes = theme_frame(self.view)
        self.themes_out.outputs = (_html_bundle(_small_table_html(self.themes, "没有识别出政策主题")),)
        self._update_task_choices()

    def _render_charts(self) -> None:
        self.figures = {}
        if self.view.empty:
            self.charts_out.outputs = ()
            return
        if not self.classified:
            self.charts_out.outputs = (_html_bundle("<p>这张表还没有分类，没有状态图。</p>"),)
            return
        self.figures["status"] = plot_status_breakdown(self.view).figure
        self.figures["units"] = plot_units_by_status(self.view).figure
        if self.loaded.as_of and "progress_items" in self.view.columns:
            self.figures["progress"] = plot_progress_vs_schedule(self.view, self.loaded.as_of).figure
        self.charts_out.outputs = tuple(_figure_bundle(figure) for figure in self.figures.values())

    def _render_causes(self) -> None:
        self.causes = cause_frame(self.view)
        self.cause_evidence = cause_evidence_frame(self.view)
        bundles = [_html_bundle(_small_table_html(self.causes, "筛选结果的“存在问题”中没有识别出可归类的原因"))]
        if self.classified and not self.view.empty and not self.causes.empty:
            self.figures["causes"] = plot_cause_counts(self.view).figure
            bundles.append(_figure_bundle(self.figures["causes"]))
        bundles.append(_html_bundle(_small_table_html(self.cause_evidence, "（没有带原因标签的任务）")))
        self.causes_out.outputs = tuple(bundles)

    def _update_task_choices(self) -> None:
        options = [(f"{row.task_id}. {short_task(row.task, 40)}", int(row.task_id)) for row in self.view.itertuples(index=False)]
        wanted = self._wanted_task if self._wanted_task is not None else self.task_box.value
        self._wanted_task = None
        ids = [value for _, value in options]
        self._holding = True
        try:
            self.task_box.options = options
            self.task_box.value = wanted if wanted in ids else (ids[0] if ids else None)
        finally:
            self._holding = False
        self._render_detail()

    def _render_detail(self) -> None:
        task_id = self.task_box.value
        if task_id is None:
            self.detail_table = pd.DataFrame(columns=["字段", "内容"])
            self.detail_out.outputs = (_html_bundle("<p>（没有选中的任务）</p>"),)
            return
        row = self.tasks.loc[self.tasks["task_id"] == task_id].iloc[0]
        self.detail_table = detail_frame(row)
        title = f"<h4>{esc(task_id)}. {esc(_status_text(row.get('status')))}</h4>"
        history = ""
        if self.comparison is not None and task_id in set(self.comparison["task_id"].dropna()):
            self.history_table = compare.task_history(self.comparison, task_id=task_id)
            history = "<h4>两期对照（与上期比较）</h4>" + _small_table_html(self.history_table)
        else:
            self.history_table = pd.DataFrame()
        self.detail_out.outputs = (_html_bundle(title + key_value_html(list(self.detail_table.itertuples(index=False)))
                                                + history),)

    def select_task(self, task_id) -> None:
        """Show one task's full row (it must be among the matching tasks)."""
        key = _task_id(task_id)
        if key not in set(self.view["task_id"]):
            raise ExploreInputError(f"任务 {task_id} 不在当前筛选结果中")
        self.task_box.value = key

    def export(self) -> Path:
        """Write the matching tasks (Chinese headers) to the scratch folder, never
        into the build's folders. Returns the file."""

        path = self.scratch_dir / "explore_筛选结果.csv"
        store.write_csv(self.table, path)
        self.message_html.value = f"已导出 {len(self.table)} 项任务：{esc(path)}"
        return path

    def _ipython_display_(self) -> None:
        display(self.widget)
