"""What a report notebook needs, in one object: the tasks in scope, the
document's metadata, the build's data-quality summary and the reference date.

Report notebooks call :func:`load_report` once, then the ``*_html`` and
``plot_*`` functions; each returns something Jupyter displays. The build makes
its plan (one job per report, titles, counts, the index) from the same
objects: ``load_report(data_dir).roster()``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from src import narrative, render
from src.paths import resolve
from src.report_date import ReportDateError, metadata_report_date, to_date
from src.store import ProcessedDataError, load_processed
from src.style import status_order

__all__ = [
    "Html",
    "Report",
    "ReportError",
    "load_report",
    "report_title",
    "header_html",
    "notice_html",
    "lagging_table_html",
    "all_tasks_table_html",
    "leaders_table",
    "leaders_table_html",
    "units_ranking_html",
    "units_ranking",
    "quality_html",
    "keywords_html",
    "comparison_html",
    "report_links",
    "nav_html",
    "method_note_html",
    "chart",
    "is_compact",
    "leader_charts_html",
    "COMPACT_MAX_TASKS",
]


class ReportError(ValueError):
    """The report cannot be built as asked (unknown leader, missing table)."""


class Html(str):
    """A string that Jupyter displays as (already escaped) HTML."""

    def _repr_html_(self) -> str:
        return str(self)


@dataclass
class Report:
    """One report: the tasks in scope (one leader's, or all for the overview),
    the whole table, the document's metadata and the report date decided by
    the build. Made only by :func:`load_report` / :meth:`for_leader`; the
    build plans its jobs and the index from these objects, and each report
    notebook loads the same one."""

    tasks: pd.DataFrame  # the tasks in scope (one leader, or all)
    all_tasks: pd.DataFrame
    metadata: dict
    quality: dict
    classification: dict
    as_of: date
    leader: str = ""
    leader_title: str = ""
    leader_order: int = 0
    keywords: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)  # with the previous period (empty: none)
    comparison_info: dict = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return narrative.subject_name(self.leader, self.leader_title)

    @property
    def slug(self) -> str:
        """ASCII file stem: ``overview`` or ``leader-NN`` (NN = the leader's place in the 目录)."""
        return render.slugify_leader(self.leader_order) if self.leader else "overview"

    @property
    def title(self) -> str:
        return report_title(self)

    @property
    def counts(self) -> dict[str, int]:
        return {status: int(count) for status, count in self.tasks["status"].value_counts().items()}

    def leaders(self) -> list[str]:
        """The leaders of the whole table, in the order of the table of contents."""
        firsts = self.all_tasks.drop_duplicates("leader").sort_values("leader_order", kind="stable")
        return [name for name in firsts["leader"].tolist() if isinstance(name, str) and name.strip()]

    def for_leader(self, leader: str) -> Report:
        """The same data scoped to one leader (an unknown leader is an error naming the known ones)."""
        leader = str(leader).strip()
        tasks = self.all_tasks[self.all_tasks["leader"] == leader]
        if tasks.empty:
            known = "、".join(self.leaders())
            raise ReportError(f"表中没有领导“{leader}”（表中有：{known}） (unknown leader)")
        first = tasks.iloc[0]
        return replace(self, tasks=tasks.reset_index(drop=True), leader=leader,
                       leader_title=str(first["leader_title"]), leader_order=int(first["leader_order"]))

    def sections(self) -> dict[str, list[str]]:
        """The notice's sections, the same in HTML, PDF and Word: with a previous
        period, 与上期比较 and the tasks lagging two periods running named first."""
        if self.comparison.empty:
            return narrative.report_sections(self.tasks, self.subject, self.as_of)
        from src import compare

        label = self.comparison_info.get("previous_label") or "上期"
        both = compare.lagging_both_periods(self.comparison, self.leader)
        repeated = {int(row.task_id): f"连续两期滞后（上期{compare.gap_words(row.previous_gap_pts)}）"
                    for row in both.itertuples(index=False)}
        sentences = compare.comparison_sentences(self.comparison, self.leader, previous_label=label)
        return narrative.report_sections(self.tasks, self.subject, self.as_of, sentences, repeated)

    def overview(self) -> Report:
        """The whole table's report (the overview) from any report of it."""
        return replace(self, tasks=self.all_tasks, leader="", leader_title="", leader_order=0)

    def roster(self) -> list[Report]:
        """The overview, then one report per leader (the build's fan-out)."""
        return [self] + [self.for_leader(leader) for leader in self.leaders()]


def load_report(data: str | Path = "data/processed", leader: str = "", as_of=None) -> Report:
    """The report for one leader ('' = the overview, 全市) from a build's data folder
    (or its ``tasks_classified.parquet``). The report date is the one the build
    decided (``metadata.json``); an ``as_of`` that disagrees with it is refused."""
    path = resolve(data)
    try:
        data = load_processed(path if path.suffix != ".parquet" else path.parent)
    except ProcessedDataError as error:
        raise ReportError(str(error)) from None
    files = data.files
    all_tasks = data.classified.sort_values("task_id", kind="stable").reset_index(drop=True)
    try:
        decided = metadata_report_date(data.metadata, where=files.metadata)
    except ReportDateError as error:
        raise ReportError(str(error)) from None
    if as_of not in (None, "") and to_date(as_of) != decided:
        raise ReportError(
            f"{files.metadata}: 数据按参考日期 {decided.isoformat()} 判定，不能按 {to_date(as_of).isoformat()} 出报告；"
            f"请用 AS_OF={to_date(as_of).isoformat()} 重新构建 (the statuses were computed at {decided}, not {as_of})"
        )
    overview = Report(
        tasks=all_tasks, all_tasks=all_tasks, metadata=data.metadata, quality=data.quality,
        classification=data.classification, as_of=decided, keywords=data.keywords,
        comparison=data.comparison, comparison_info=data.comparison_info,
    )
    return overview.for_leader(leader) if leader else overview




def report_title(report: Report) -> str:
    period = report.metadata.get("period") or ""
    year = report.metadata.get("year") or report.as_of.year
    if report.leader:
        return f"{report.subject}牵头重点工作{year}年{period}进展分析"
    return f"全市重点工作{year}年{period}进展分析（总览）"


def header_html(report: Report, build_date: date | None = None) -> Html:
    """Title, provenance line and headline cards."""
    meta = report.metadata
    provenance = {
        "来源": meta.get("title"),
        "印发单位": meta.get("issuing_office"),
        "印发时间": meta.get("issued"),
        "统计期": meta.get("period"),
        "参考日期（序时进度）": f"{report.as_of.isoformat()}（{narrative.elapsed_percent(report.as_of):.1f}%）",
        "生成日期": (build_date or date.today()).isoformat(),
        "判定规则版本": report.classification.get("rule_version", ""),
    }
    return Html(nav_html(report) + render.report_header_html(report_title(report), provenance)
                + render.headline_html(report.tasks))


def report_links(report: Report) -> list[dict]:
    """Every report of this table, in index order (the roster): slug, subject and the file names."""
    # What roster() gives, without scoping the table once per leader (each leader's first row
    # gives the title and the place in the 目录, as in for_leader): every report links every other.
    firsts = report.all_tasks.drop_duplicates("leader").sort_values("leader_order", kind="stable")
    leaders = [(name, str(title), int(order)) for name, title, order
               in zip(firsts["leader"], firsts["leader_title"], firsts["leader_order"]) if isinstance(name, str) and name.strip()]
    stems = [("overview", "全市总览")] + [(render.slugify_leader(order), narrative.subject_name(name, title))
                                         for name, title, order in leaders]
    return [{"slug": slug, "subject": subject, "html": f"{slug}.html", "pdf": f"{slug}.pdf", "docx": f"{slug}.docx"}
            for slug, subject in stems]


def nav_html(report: Report) -> Html:
    """目录 · 上一份 · 下一份 · 全市总览 and this report's PDF and Word files (not printed)."""
    entries = report_links(report)
    slugs = [entry["slug"] for entry in entries]
    here = slugs.index(report.slug)
    links = [("← 报告目录", "index.html")]
    if here > 0:
        links.append((f"上一份：{entries[here - 1]['subject']}", entries[here - 1]["html"]))
    if here < len(entries) - 1:
        links.append((f"下一份：{entries[here + 1]['subject']}", entries[here + 1]["html"]))
    if here != 0:
        links.append(("全市总览", "overview.html"))
    links += [("PDF", entries[here]["pdf"]), ("Word", entries[here]["docx"])]
    return Html(render.nav_html(links))


def method_note_html(report: Report) -> Html:
    return Html(f'<p class="method">{render.esc(narrative.method_note(report.as_of))}</p>')


def notice_html(report: Report) -> Html:
    """How statuses were judged, then 总体情况 / 主要成效 / 存在问题 / 下一步工作要求, written from the data."""
    return Html(method_note_html(report)
                + render.sections_html(report.sections()))


# The lagging table keeps five narrow columns on A4; the long text goes beneath each task.
TABLE_LAGGING = [
    ("task_id", "序号"), ("task", "重点工作"), ("lead_unit", "牵头单位"), ("status", "状态"),
    ("status_evidence", "判定依据"), ("schedule_gap_pts", "差距（百分点）"),
]
TABLE_LAGGING_DETAILS = [("problems", "存在问题"), ("next_steps", "下一步工作安排")]
TABLE_ALL = [
    ("task_id", "序号"), ("task", "重点工作"), ("lead_unit", "牵头单位"), ("status", "状态"),
    ("status_evidence", "判定依据"),
]


def lagging_table_html(report: Report) -> Html:
    tasks = report.tasks
    review = narrative.needs_review_flags(tasks)
    chosen = tasks[(tasks["status"] == "lagging") | review].sort_values(["status", "task_id"], key=_status_key)
    return Html(render.task_table_html(chosen, TABLE_LAGGING, empty="本组无滞后或待复核的任务。", details=TABLE_LAGGING_DETAILS))


def _status_key(column: pd.Series) -> pd.Series:
    if column.name == "status":
        return column.map({status: rank for rank, status in enumerate(reversed(status_order()))})  # lagging first
    return column


def all_tasks_table_html(report: Report, with_leader: bool = False) -> Html:
    columns = TABLE_ALL if not with_leader else TABLE_ALL[:1] + [("leader", "牵头领导")] + TABLE_ALL[1:]
    return Html(render.task_table_html(report.tasks, columns))


def leaders_table(report: Report) -> pd.DataFrame:
    """Tasks and status shares per leader, in the order of the table of contents."""
    tasks = report.all_tasks
    counts = (
        pd.crosstab([tasks["leader_order"], tasks["leader"], tasks["leader_title"]], tasks["status"])
        .reindex(columns=status_order(), fill_value=0)
        .reset_index()
    )
    total = counts[status_order()].sum(axis=1)
    return (
        counts.assign(total=total, lagging_share=(counts["lagging"] / total).map("{:.1%}".format))
        .rename(columns={"leader": "领导", "leader_title": "职务", "total": "任务数", "completed": "已完成",
                         "on-track": "序时推进", "lagging": "滞后", "lagging_share": "滞后占比"})
        [["领导", "职务", "任务数", "已完成", "序时推进", "滞后", "滞后占比"]]
    )


def units_ranking(report: Report, top: int = 15) -> pd.DataFrame:
    """Lead units ranked by their share of lagging tasks, then by lagging tasks, then
    by tasks (each unit of a shared task counts). ``attrs["units"]`` is how many units there are."""
    table = _units_table(report)
    ranked = (
        table.sort_values(["share", "lagging", "total"], ascending=False, kind="stable")
        .head(top)
        .reset_index()
        .assign(share=lambda frame: frame["share"].map("{:.1%}".format))
        .rename(columns={"unit": "牵头单位", "total": "任务数", "completed": "已完成", "on-track": "序时推进",
                         "lagging": "滞后", "share": "滞后占比"})
        [["牵头单位", "任务数", "已完成", "序时推进", "滞后", "滞后占比"]]
    )
    ranked.attrs["units"] = len(table)
    return ranked


def _units_table(report: Report) -> pd.DataFrame:
    exploded = report.tasks.explode("lead_units").rename(columns={"lead_units": "unit"})
    exploded["unit"] = exploded["unit"].fillna("（未注明）")
    table = pd.crosstab(exploded["unit"], exploded["status"]).reindex(columns=status_order(), fill_value=0)
    total = table.sum(axis=1)
    return table.assign(total=total, share=table["lagging"] / total)


def leaders_table_html(report: Report) -> Html:
    return Html(render.frame_html(leaders_table(report)))


def units_ranking_html(report: Report, top: int = 15) -> Html:
    ranking = units_ranking(report, top)
    units = ranking.attrs["units"]
    shown = f"前 {len(ranking)} 家（共 {units} 家）" if len(ranking) < units else f"全部 {units} 家"
    caption = f"牵头单位按滞后任务占比排序（占比相同时按滞后任务数、任务数），列出{shown}；多家单位共同牵头的任务计入每一家。"
    return Html(render.frame_html(ranking, caption=caption))


def quality_html(report: Report) -> Html:
    quality = report.quality
    if not quality:
        return Html("<p>（本次构建未提供数据质量摘要）</p>")
    rows = [
        ("源文件", quality.get("source_file")),
        ("读入数据行", quality.get("rows_read")),
        ("写出任务数", quality.get("rows_written")),
        ("全部行均已计入", "是" if quality.get("all_rows_accounted_for") else "否"),
        ("领导数", quality.get("leaders")),
    ]
    warnings = quality.get("warnings") or []
    items = "".join(f"<li>{render.esc(w)}</li>" for w in warnings) or "<li>无</li>"
    return Html(render.key_value_html(rows) + f"<h3>警告（{len(warnings)} 条）</h3><ul>{items}</ul>")


def keywords_html(report: Report, top: int = 12) -> Html:
    """The terms most distinctive of this leader's tasks (TF-IDF, precomputed by the build)."""
    keywords = report.keywords
    if keywords.empty:
        return Html("<p>（未生成关键词）</p>")
    if report.leader:
        subset = keywords[(keywords["scope"] == "leader") & (keywords["leader"] == report.leader)]
    else:  # the overview: what distinguishes lagging tasks from the rest
        subset = keywords[(keywords["scope"] == "status") & (keywords["status"] == "lagging")]
    subset = subset.sort_values(["weight", "term"], ascending=[False, True]).head(top)
    rows = "".join(
        f'<tr><td data-label="关键词">{render.esc(r.term)}</td><td class="num" data-label="权重">{r.weight:.3f}</td>'
        f'<td class="num" data-label="涉及任务数">{int(r.tasks)}</td></tr>'
        for r in subset.itertuples(index=False)
    )
    return Html(f'<table class="tasks"><thead><tr><th>关键词</th><th>权重（TF-IDF）</th><th>涉及任务数</th></tr></thead><tbody>{rows}</tbody></table>')


# ---------------------------------------------------------------- charts and layout
COMPACT_MAX_TASKS = 3  # a leader with this few tasks gets no charts: the notice and the table say it all


def is_compact(report: Report) -> bool:
    return len(report.tasks) <= COMPACT_MAX_TASKS


def chart(plot, *args, alt: str = "", caption: str = "", **kwargs) -> Html:
    """A chart as an embedded PNG with Chinese alt text.

    ``plot`` is either an ``ax`` something was drawn on (the figure is closed), or a
    ``plot_*`` function of :mod:`src.plots` with its arguments:
    ``chart(plots.plot_leader_status, report.tasks)``. ``alt`` defaults to the
    description the plot function left on the axes (its label), else its title."""
    import matplotlib.pyplot as plt

    from src.plots import figure_png

    if callable(plot) and hasattr(plot, "draw"):  # a two-step plot_* function: its table, then its drawing
        ax = plot.draw(plot.data(*args, **kwargs))
    elif callable(plot):  # any other function that draws and returns an ax
        ax = plot(*args, **kwargs)
    else:
        ax = plot
    figure = ax.figure
    drawn_alt = (ax.get_label() if ax.get_label() and not ax.get_label().startswith("_") else "") or ax.get_title() or "图表"
    png = figure_png(figure)
    plt.close(figure)
    return Html(render.figure_html(png, alt or drawn_alt, caption))


def leader_charts_html(report: Report) -> Html:
    """A leader's charts under their heading; none for a small portfolio (and none that would be empty)."""
    from src import plots

    tasks = report.tasks
    if is_compact(report):
        return Html("")
    parts = ["<h2>图表</h2>", chart(plots.plot_status_breakdown, tasks)]
    if tasks["lead_units"].map(len).gt(0).any() and tasks["lead_unit"].nunique() > 1:
        parts.append(chart(plots.plot_units_by_status, tasks))
    if not plots.progress_points(tasks).empty:
        parts.append('<p class="note">下图每个点是进展情况中一项可与年度目标对比的量化指标，虚线为序时进度；点在虚线左侧即低于序时进度。</p>')
        parts.append(chart(plots.plot_progress_vs_schedule, tasks, report.as_of))
    if plots.has_tags(tasks, "cause_tags", "cause"):
        parts.append(chart(plots.plot_cause_counts, tasks))
    return Html("\n".join(parts))


def comparison_html(report: Report, top: int = 15) -> Html:
    """与上期比较 tables: transitions (every report); for the overview also the lagging
    share per leader and the lead units' ranking, each with its change. Empty
    without a previous period (the notice's 与上期比较 sentences say the rest)."""
    if report.comparison.empty:
        return Html("")
    from src import compare

    label = report.comparison_info.get("previous_label") or "上期"
    transitions = compare.transition_counts(report.comparison, report.leader)
    parts = [f"<h2>与上期比较（{render.esc(label)}）</h2>",
             render.frame_html(transitions[["transition", "tasks"]].rename(columns={"transition": "变化", "tasks": "任务数"}),
                               caption="状态变化")]
    if not report.leader:
        shares = compare.lagging_share_change(report.comparison, by="leader")
        parts.append(render.frame_html(
            shares.assign(本期=shares["lagging_share_pct"].map(_pct), 上期=shares["previous_lagging_share_pct"].map(_pct),
                          变化=shares["change_pts"].map(_pts))
            [["leader", "lagging", "本期", "上期", "变化"]].rename(columns={"leader": "领导", "lagging": "滞后（项）"}),
            caption="各位领导牵头任务的滞后占比"))
        ranking = compare.unit_ranking_change(report.comparison)
        ranked = ranking[ranking["rank"].notna()]
        shown = ranked.head(top)
        parts.append(render.frame_html(
            shown[["lead_unit", "lagging", "sentence"]].rename(columns={"lead_unit": "牵头单位", "lagging": "滞后（项）",
                                                                       "sentence": "排名变化"}),
            caption=f"牵头单位滞后任务数排名：前 {len(shown)} 家（共 {len(ranked)} 家有滞后任务）"))
    return Html('<section class="comparison">' + "".join(parts) + "</section>")


def _pct(value) -> str:
    return "" if value is None or value != value else f"{value:.1f}%"


def _pts(value) -> str:
    if value is None or value != value:
        return "—"
    return "持平" if abs(value) < 0.05 else f"{'提高' if value > 0 else '下降'} {abs(value):.1f} 个百分点"
