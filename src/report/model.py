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

from src import compare
from src.paths import resolve
from src.report import findings, narrative, render, slices
from src.report.charts import COMPACT_MAX_TASKS, cause_chart_html, chart, charts_html, is_compact, leader_charts_html
from src.report.office import date_words, issue_date, office_name, office_settings
from src.report.rankings import units_ranking, units_ranking_html
from src.report.render import Html
from src.report.style import status_label, status_order
from src.report_date import ReportDateError, metadata_report_date, to_date
from src.store import ProcessedDataError, load_processed

__all__ = [
    "Html",
    "Report",
    "ReportError",
    "load_report",
    "report_title",
    "header_html",
    "notice_html",
    "annex_list",
    "annexes_html",
    "lagging_table_html",
    "all_tasks_table_html",
    "leaders_table",
    "leaders_table_html",
    "units_ranking_html",
    "units_ranking",
    "lagging_tasks",
    "unquantified_html",
    "signature_html",
    "issued",
    "comparison_html",
    "report_links",
    "nav_html",
    "method_note_html",
    "chart",
    "is_compact",
    "leader_charts_html",
    "cause_chart_html",
    "COMPACT_MAX_TASKS",
]


class ReportError(ValueError):
    """The report cannot be built as asked (unknown leader, missing table)."""


class _WholeTable:
    """``Report.all_tasks``: the whole table, or a function that reads it, called on first use.
    A leader's report read by its key (:mod:`src.report.slices`: what each of the build's jobs
    does) is given the function, so the report itself never reads the whole table. (A descriptor-
    typed dataclass field: its ``__get__`` on the class raises AttributeError, so it has no default.)"""

    def __set_name__(self, owner, name: str) -> None:
        self.attribute = f"_{name}"

    def __get__(self, report, owner=None):
        if report is None:
            raise AttributeError("all_tasks")
        value = report.__dict__[self.attribute]
        if callable(value):
            value = report.__dict__[self.attribute] = value()
        return value

    def __set__(self, report, value) -> None:
        report.__dict__[self.attribute] = value


@dataclass
class Report:
    """One report: the tasks in scope (one leader's, or all for the overview),
    the whole table, the document's metadata and the report date decided by
    the build. Made only by :func:`load_report` / :meth:`for_leader`; the
    build plans its jobs and the index from these objects, and each report
    notebook loads the same one."""

    tasks: pd.DataFrame  # the tasks in scope (one leader, or all)
    all_tasks: pd.DataFrame = _WholeTable()  # read on first use by a leader's report read by its key
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
    # every leader of the table in 目录 order, (name, title, place in the 目录); None: from all_tasks
    leader_list: list[tuple[str, str, int]] | None = None
    # a leader's report read by its key (src.report.slices): the data folder the whole table is read from
    read_from: Path | None = None
    charts_dir: Path | None = None  # where each chart is drawn once per build (src.report.chart_files)

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
        return [name for name, _, _ in self.listed_leaders()]

    def listed_leaders(self) -> list[tuple[str, str, int]]:
        """(name, title, place in the 目录) of every leader of the whole table, in 目录 order: each
        leader's first row gives its title and place, as in :meth:`for_leader`."""
        if self.leader_list is not None:
            return self.leader_list
        firsts = self.all_tasks.drop_duplicates("leader").sort_values("leader_order", kind="stable")
        return [(name, str(title), int(order)) for name, title, order
                in zip(firsts["leader"], firsts["leader_title"], firsts["leader_order"])
                if isinstance(name, str) and name.strip()]

    def for_leader(self, leader: str) -> Report:
        """The same data scoped to one leader (an unknown leader is an error naming the known ones)."""
        if self.read_from is not None:  # this report holds one leader's comparison rows: start from the whole
            return load_report(self.read_from, leader)
        leader = str(leader).strip()
        return self._scoped(leader, self.all_tasks[self.all_tasks["leader"] == leader])

    def _scoped(self, leader: str, tasks: pd.DataFrame) -> Report:
        if tasks.empty:
            known = "、".join(self.leaders())
            raise ReportError(f"表中没有领导“{leader}”（表中有：{known}） (unknown leader)")
        title, order = tasks["leader_title"].iloc[0], tasks["leader_order"].iloc[0]  # (a row of mixed types is slow)
        return replace(self, tasks=tasks.reset_index(drop=True), leader=leader, leader_title=str(title),
                       leader_order=int(order))

    def sections(self) -> dict[str, list[str]]:
        """The document's parts, the same in HTML, PDF and Word: a 通报 for the overview, a 专报
        for a leader. With a previous period, 与上期比较 and the tasks lagging two periods running
        named first, marked 连续滞后."""
        day, _ = issued(self)
        annex = annex_name(self, "unquantified")
        options = {"special": bool(self.leader), "annex": annex, "issued": day}
        if self.comparison.empty:
            return narrative.report_sections(self.tasks, self.subject, self.as_of, **options)

        label = self.comparison_info.get("previous_label") or "上期"
        sentences = compare.comparison_sentences(self.comparison, self.leader, previous_label=label)
        return narrative.report_sections(self.tasks, self.subject, self.as_of, sentences, self.repeated(), **options)

    def repeated(self) -> dict[int, str]:
        """Task id → what the previous period said, for the tasks lagging in both periods ({} without one)."""
        if self.comparison.empty:
            return {}

        both = compare.lagging_both_periods(self.comparison, self.leader)
        return {int(row.task_id): f"连续两期滞后（上期{compare.gap_words(row.previous_gap_pts)}）"
                for row in both.itertuples(index=False)}

    def overview(self) -> Report:
        """The whole table's report (the overview) from any report of it."""
        if self.read_from is not None:
            return load_report(self.read_from)
        return replace(self, tasks=self.all_tasks, leader="", leader_title="", leader_order=0)

    def roster(self) -> list[Report]:
        """The overview, then one report per leader (the build's fan-out). The table is split by
        leader once (the same rows as :meth:`for_leader` gives each), not scanned once per leader."""
        overview = self.overview()
        listed = overview.listed_leaders()
        overview = replace(overview, leader_list=listed)
        groups = dict(tuple(overview.all_tasks.groupby("leader", sort=False)))
        none = overview.all_tasks.iloc[:0]
        return [overview] + [overview._scoped(name.strip(), groups.get(name.strip(), none)) for name, _, _ in listed]


def load_report(data: str | Path = "data/processed", leader: str = "", as_of=None) -> Report:
    """The report for one leader ('' = the overview, 全市) from a build's data folder
    (or its ``tasks_classified.parquet``). The report date is the one the build
    decided (``metadata.json``); an ``as_of`` that disagrees with it is refused.

    A leader's report reads only that leader's rows when the build cut them from the folder's
    tables (:mod:`src.report.slices`); ``all_tasks`` is then read on first use."""
    path = resolve(data)
    folder = path if path.suffix != ".parquet" else path.parent
    part = slices.read_leader(folder, str(leader).strip()) if leader else None
    try:
        data = load_processed(folder, tables=part is None)
    except ProcessedDataError as error:
        raise ReportError(str(error)) from None
    files = data.files
    try:
        decided = metadata_report_date(data.metadata, where=files.metadata)
    except ReportDateError as error:
        raise ReportError(str(error)) from None
    if as_of not in (None, "") and to_date(as_of) != decided:
        raise ReportError(
            f"{files.metadata}: 数据按参考日期 {decided.isoformat()} 判定，不能按 {to_date(as_of).isoformat()} 出报告；"
            f"请用 AS_OF={to_date(as_of).isoformat()} 重新构建 (the statuses were computed at {decided}, not {as_of})"
        )
    if part is not None:
        name, title, order = next(entry for entry in part.leaders if entry[0] == str(leader).strip())
        return Report(tasks=part.tasks, all_tasks=lambda: load_report(folder).all_tasks, metadata=data.metadata,
                      quality=data.quality, classification=data.classification, as_of=decided, leader=name,
                      leader_title=title, leader_order=order, keywords=data.keywords, comparison=part.comparison,
                      comparison_info=data.comparison_info, leader_list=part.leaders, read_from=folder,
                      charts_dir=slices.charts_folder(folder))
    all_tasks = data.classified.sort_values("task_id", kind="stable").reset_index(drop=True)
    overview = Report(
        tasks=all_tasks, all_tasks=all_tasks, metadata=data.metadata, quality=data.quality,
        classification=data.classification, as_of=decided, keywords=data.keywords,
        comparison=data.comparison, comparison_info=data.comparison_info, charts_dir=slices.charts_folder(folder),
    )
    return overview.for_leader(leader) if leader else overview




def report_title(report: Report) -> str:
    """The 通报's title (overview) or the leader's 专报 title, from office.toml."""

    settings = office_settings()
    period = report.metadata.get("period") or ""
    year = report.metadata.get("year") or report.as_of.year
    template = settings.special_report.title if report.leader else settings.notice.title
    return template.format(year=year, period=period, subject=report.subject, n=len(report.tasks))


def issued(report: Report) -> tuple[date, bool]:
    """The documents' date (落款) and whether it has a day: office.toml, else the table's 印发时间."""

    return issue_date(report.metadata, report.as_of)


def header_html(report: Report, build_date: date | None = None) -> Html:
    """版头 (the publication, 期号, office and date), title, 主送机关 (通报) or the leader addressed
    (专报), then the headline cards. Nothing of the analyst's workbench: no build date, no rule
    version, no file name (those are on the analyst page)."""

    settings = office_settings()
    day, with_day = issued(report)
    publication = settings.special_report.publication if report.leader else settings.office.publication
    masthead = render.masthead_html(publication, f"第{settings.office.issue_number}期",
                                    office_name(report.metadata, settings), date_words(day, with_day))
    if report.leader:
        address = (f'<p class="salutation">{render.esc(settings.special_report.salutation.format(subject=report.subject))}</p>'
                   f'<p class="opening">{render.esc(_opening(report, settings))}</p>')
    else:
        address = f'<p class="salutation">{render.esc(settings.office.recipients)}：</p>' if settings.office.recipients else ""
    period = {"统计期": report.metadata.get("period"),
              "参考日期（序时进度）": f"{report.as_of.isoformat()}（{narrative.elapsed_percent(report.as_of):.1f}%）"}
    line = "".join(f"<span>{render.esc(k)}：{render.esc(v)}</span>" for k, v in period.items() if v)
    return Html(nav_html(report) + masthead + f'<h1 class="report-title">{render.esc(report_title(report))}</h1>'
                + f'<div class="provenance screen-only">{line}</div>' + address + render.headline_html(report.tasks))


def _opening(report: Report, settings) -> str:
    return settings.special_report.opening.format(n=len(report.tasks), period=report.metadata.get("period") or "",
                                                   subject=report.subject)


def signature_html(report: Report) -> Html:
    """落款: the office and the documents' date, right-aligned (never the build date)."""

    day, with_day = issued(report)
    return Html(f'<p class="signature">{render.esc(office_name(report.metadata))}<br>{render.esc(date_words(day, with_day))}</p>')


def report_links(report: Report) -> list[dict]:
    """Every report of this table, in index order (the roster): slug, subject and the file names."""
    # What roster() gives, without scoping the table once per leader: every report links every other.
    stems = [("overview", "全市总览")] + [(render.slugify_leader(order), narrative.subject_name(name, title))
                                         for name, title, order in report.listed_leaders()]
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
    """How statuses were judged, then the numbered parts (一、总体情况 …), the 附件 list and the 落款."""
    sections = report.sections()
    numbered = {f"{CHINESE_NUMBERS[i]}、{heading}": paragraphs for i, (heading, paragraphs) in enumerate(sections.items())}
    annexes = annex_list(report)
    lines = [f"{'附件：' if i == 1 else '　　　'}{_annex_label(i, len(annexes))}{name}"  # aligned as in the Word file
             for i, (name, _) in enumerate(annexes, start=1)]
    annex = f'<p class="annex-list">{"<br>".join(render.esc(line) for line in lines)}</p>' if annexes else ""
    return Html(method_note_html(report)
                + render.sections_html(numbered, numbered=(), listed=tuple(h for h in numbered if "存在问题" in h))
                + annex + signature_html(report))


CHINESE_NUMBERS = "一二三四五六七八九十"


def _annex_label(index: int, total: int) -> str:
    return f"{index}. " if total > 1 else ""


def annex_list(report: Report) -> list[tuple[str, str]]:
    """The document's 附件 in order, as (title, kind); the same in HTML, PDF and Word."""
    tasks = report.tasks
    annexes = []
    if not report.leader:
        annexes += [("各位领导牵头任务情况", "leaders"), ("牵头单位滞后情况排名", "ranking")]
    if (tasks["status"] == "lagging").any():
        annexes.append(("滞后任务及督办建议", "lagging"))
    if not narrative.unclear_tasks(tasks).empty:
        annexes.append(("未报量化进度的任务（按牵头单位）", "unquantified"))
    if report.leader:
        annexes.append(("全部任务", "all"))
        if not is_compact(report):
            annexes.append(("图表", "charts"))
    return annexes


def annex_name(report: Report, kind: str) -> str:
    """附件N of an annex kind ("" when the document has no such annex)."""
    annexes = annex_list(report)
    for index, (_, each) in enumerate(annexes, start=1):
        if each == kind:
            return f"附件{index}" if len(annexes) > 1 else "附件"
    return ""


def annexes_html(report: Report) -> Html:
    """Every 附件 under its heading, with its charts (see :func:`annex_list`)."""

    annexes = annex_list(report)
    parts = []
    for index, (name, kind) in enumerate(annexes, start=1):
        label = f"附件{index}" if len(annexes) > 1 else "附件"
        parts.append(f'<h2 class="annex">{render.esc(label)}　{render.esc(name)}</h2>')
        if kind == "leaders":
            parts.append(leaders_table_html(report))
        elif kind == "ranking":
            parts.append(units_ranking_html(report))
        elif kind == "lagging":
            parts.append(lagging_table_html(report))
        elif kind == "unquantified":
            parts.append(unquantified_html(report))
        elif kind == "all":
            parts.append(all_tasks_table_html(report))
        parts.append(charts_html(report, kind))
    return Html("\n".join(parts))


# The lagging table keeps few narrow columns on A4; the long text goes beneath each task.
TABLE_LAGGING = [
    ("task_id", "序号"), ("task", "重点工作"), ("lead_unit", "牵头单位"), ("light", "亮灯"),
    ("reader_evidence", "判定依据"), ("schedule_gap_pts", "差距（百分点）"),
]
TABLE_LAGGING_DETAILS = [("problems", "存在问题"), ("supervision", "督办建议及整改时限")]
TABLE_ALL = [
    ("task_id", "序号"), ("task", "重点工作"), ("lead_unit", "牵头单位"), ("status", "状态"),
    ("reader_evidence", "判定依据"),
]


def lagging_tasks(report: Report) -> pd.DataFrame:
    """The lagging tasks by 序号 with what a reader sees of each: light, evidence (an override's
    reason, no reviewer), 督办 and deadline."""

    settings = office_settings()
    tasks = report.tasks[report.tasks["status"] == "lagging"].sort_values("task_id", kind="stable")
    start, _ = issued(report)
    lights = [findings.light_of(task, settings) for task in tasks.itertuples(index=False)]
    return tasks.assign(
        light=lights,
        reader_evidence=[findings.reader_evidence(task) for task in tasks.itertuples(index=False)],
        supervision=[findings.supervision_of(light, start, settings) for light in lights],
    )


def lagging_table_html(report: Report) -> Html:
    return Html(render.task_table_html(lagging_tasks(report), TABLE_LAGGING, empty="无滞后任务。",
                                       details=TABLE_LAGGING_DETAILS))


def all_tasks_table_html(report: Report, with_leader: bool = False) -> Html:
    columns = TABLE_ALL if not with_leader else TABLE_ALL[:1] + [("leader", "牵头领导")] + TABLE_ALL[1:]
    tasks = report.tasks.assign(reader_evidence=[findings.reader_evidence(task)
                                                 for task in report.tasks.itertuples(index=False)])
    return Html(render.task_table_html(tasks, columns))


def unquantified_html(report: Report) -> Html:
    """附件: the tasks without quantified progress, grouped by lead unit, with the request."""
    table = narrative.unquantified_by_unit(report.tasks, per_row=narrative.TASKS_PER_ROW)
    if table.empty:
        return Html("")

    request = office_settings().wording.quantify_request
    return Html(f"<p>{render.esc(request)}</p>" + render.frame_html(table))


def leaders_table(report: Report) -> pd.DataFrame:
    """Tasks and status counts per leader, in the order of the table of contents (every status of
    ``status_order()`` that has tasks; 滞后占比 of all tasks)."""
    tasks = report.all_tasks
    order = status_order()
    counts = (
        pd.crosstab([tasks["leader_order"], tasks["leader"], tasks["leader_title"]], tasks["status"])
        .reindex(columns=order, fill_value=0)
        .reset_index()
    )
    total = counts[order].sum(axis=1)
    labels = {code: status_label(code) for code in order}
    shown = [code for code in order if code != "not-reported" or counts[code].any()]
    return (
        counts.assign(total=total, lagging_share=(counts["lagging"] / total).map("{:.1%}".format))
        .rename(columns={"leader": "领导", "leader_title": "职务", "total": "任务数", "lagging_share": "滞后占比", **labels})
        [["领导", "职务", "任务数", *[labels[code] for code in shown], "滞后占比"]]
    )


def leaders_table_html(report: Report) -> Html:
    return Html(render.frame_html(leaders_table(report)))


def comparison_html(report: Report, top: int = 15) -> Html:
    """与上期比较 tables: transitions (every report); for the overview also the lagging
    share per leader and the lead units' ranking, each with its change. Empty
    without a previous period (the notice's 与上期比较 sentences say the rest)."""
    if report.comparison.empty:
        return Html("")

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
    # on screen only: the printed 通报 and the Word file carry the 与上期比较 sentences in the body
    return Html('<section class="comparison screen-only">' + "".join(parts) + "</section>")


def _pct(value) -> str:
    return "" if value is None or value != value else f"{value:.1f}%"


def _pts(value) -> str:
    if value is None or value != value:
        return "—"
    return "持平" if abs(value) < 0.05 else f"{'提高' if value > 0 else '下降'} {abs(value):.1f} 个百分点"

