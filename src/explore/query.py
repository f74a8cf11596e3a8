"""The logic of ``notebooks/explore.ipynb``: load the build's tables read-only,
understand filters the way analysts type them, and an ipywidgets app whose
table, charts, keyword, cause and theme sections and task detail all follow
the filters.

The notebook only calls :func:`load_tasks`, :class:`ExploreApp` and displays
the app's parts; everything here can be driven from Python (the tests set a
widget's value and read :attr:`ExploreApp.view`, :attr:`ExploreApp.table` and
:attr:`ExploreApp.figures`).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w
import pandas as pd

from src import compare, store
from src.explore.review import ReviewQueue
from src.paths import INTERIM_DIR, ProcessedFiles, resolve
from src.report.plots import set_report_style
from src.report.style import review_reason_text, rule_name, status_code, status_label, status_order
from src.text import add_text_features, cause_counts, keywords, search_tasks, theme_counts

try:
    from itables import init_notebook_mode
except ImportError:  # itables is in the requirements; without it the explore notebook shows plain tables
    init_notebook_mode = None

__all__ = [
    "ExploreInputError",
    "Loaded",
    "NothingBuiltError",
    "cause_evidence_frame",
    "cause_frame",
    "detail_frame",
    "filter_tasks",
    "keyword_frame",
    "load_tasks",
    "normalise_leader",
    "normalise_status",
    "normalise_unit",
    "load_comparison",
    "review_widget",
    "setup_notebook",
    "table_frame",
    "theme_frame",
]

REVIEW = "review"  # the fourth status choice: tasks the classifier flagged 待复核
ALL_LABEL = "全部"

# What analysts type for the fourth choice; the statuses' words are in report_style.toml (src.report.style.status_code).
REVIEW_WORDS = ("review", "needs_review", "needs review", "待复核", "需复核", "复核")

# Column headers shown to analysts, in the order of the task detail.
FIELD_LABELS = {
    "task_id": "序号",
    "leader": "分管领导",
    "leader_title": "职务",
    "lead_unit": "牵头单位",
    "task": "重点工作",
    "status": "状态",
    "status_evidence": "判定依据",
    "status_rule": "判定规则",
    "schedule_gap_pts": "与序时进度差（百分点）",
    "progress_ratio": "完成年度目标比例",
    "needs_review": "待复核",
    "review_reason": "复核原因",
    "review_priority": "复核优先级",
    "review_tier": "复核层级",
    "status_source": "判定来源",
    "rule_status": "规则判定",
    "rule_evidence": "规则依据",
    "override_reason": "人工认定原因",
    "override_reviewer": "认定人",
    "override_date": "认定日期",
    "progress": "进展情况",
    "problems": "存在问题",
    "next_steps": "下一步工作",
    "progress_items": "量化指标",
    "cause_tags": "问题原因",
    "theme_tags": "政策主题",
    "source_line": "原表行号",
    "rules_version": "规则版本",
    "by_default": "按默认判定",
}
TABLE_COLUMNS = ("task_id", "leader", "status", "lead_unit", "task", "status_evidence", "schedule_gap_pts", "needs_review",
                 "by_default")
SEARCH_COLUMNS = {"score": "相关度", "snippet": "匹配片段"}

# DataTables' own words, in Chinese (itables passes them through).
DATATABLES_LANGUAGE = {
    "search": "在表中查找：",
    "info": "第 _START_–_END_ 项，共 _TOTAL_ 项",
    "infoEmpty": "共 0 项",
    "infoFiltered": "（从 _MAX_ 项中筛出）",
    "lengthMenu": "每页 _MENU_ 项",
    "zeroRecords": "没有符合条件的任务",
    "emptyTable": "没有符合条件的任务",
    "loadingRecords": "正在加载…",
}


class _CleanMessage:
    """Jupyter shows these errors as their message alone, without a traceback."""

    def _render_traceback_(self):
        return [str(self)]


class NothingBuiltError(_CleanMessage, FileNotFoundError):
    """The build's tables are not there (yet), or cannot be read."""


class ExploreInputError(_CleanMessage, ValueError):
    """A filter value that matches no choice (an unknown leader or status)."""


# ------------------------------------------------------------------ loading


@dataclass
class Loaded:
    tasks: pd.DataFrame
    path: Path
    classified: bool
    as_of: str = ""
    info: dict = field(default_factory=dict)

    def summary(self) -> str:
        state = "已分类" if self.classified else "未分类：只能按领导、单位和文字筛选"
        return f"读取：{self.path}（{len(self.tasks)} 项任务；{state}）"


def load_tasks(table_path: str | Path = "data/processed/tasks_classified.parquet") -> Loaded:
    """Read the build's task table (never written to). ``tasks.parquet`` with a
    ``tasks_classified.parquet`` beside it → the classified one. Nothing built
    yet, or an unreadable file → :class:`NothingBuiltError` saying 先运行 make reports."""

    path = resolve(table_path)
    if path.is_dir():  # a folder such as data/processed: its classified table
        path = ProcessedFiles(path).classified
    beside = ProcessedFiles(path.parent)
    if path == beside.tasks and beside.classified.exists():
        path = beside.classified
    if not path.exists():
        raise NothingBuiltError(
            f"还没有可浏览的数据：{path} 不存在。先运行 make reports（在项目根目录的终端中），"
            "生成后再从头运行本笔记本。 (nothing built yet: run `make reports` first)"
        )
    try:
        tasks = store.read_table(path)
    except (OSError, ValueError, KeyError) as error:  # half-written or foreign: say what to do, not a pyarrow traceback
        raise NothingBuiltError(
            f"无法读取 {path}（{type(error).__name__}）。先运行 make reports FORCE=1 重新生成，再从头运行本笔记本。"
            f" (cannot read the table: {error})"
        ) from None
    if "task_id" not in tasks.columns:
        raise NothingBuiltError(f"{path} 不是任务表（没有 task_id 列）。先运行 make reports。 (not a task table)")
    if "cause_tags" not in tasks.columns or "theme_tags" not in tasks.columns:
        tasks = add_text_features(tasks)
    tasks = tasks.sort_values("task_id", kind="stable").reset_index(drop=True)
    info = {}
    for sibling in (beside.classification, beside.metadata):
        if sibling.exists():
            try:
                info.update({k: v for k, v in json.loads(sibling.read_text(encoding="utf-8")).items() if k not in info})
            except (OSError, ValueError):
                pass
    return Loaded(tasks, path, "status" in tasks.columns, str(info.get("as_of") or ""), info)


def load_comparison(loaded: Loaded, previous: str | Path = "") -> pd.DataFrame | None:
    """The two periods, task by task: with ``previous`` (the previous period's raw table
    or the OUT folder of its build) compared here, in the scratch folder; else the
    build's own ``comparison.parquet`` beside the table, when it made one; else None."""

    if previous:
        earlier = compare.load_previous(resolve(previous), work_dir=INTERIM_DIR / "previous")
        return compare.compare_periods(loaded.tasks, earlier.classified)
    built = ProcessedFiles(loaded.path.parent).comparison
    return compare.read_comparison(built.parent) if built.exists() else None


# -------------------------------------------------------------- normalising


def _squash(value) -> str:
    """Full-width → half-width, every space (also 　) removed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def normalise_status(value) -> str:
    """'滞后', 'lagging', ' Lagging ', '进度滞后' → 'lagging'; '待复核' → 'review';
    '' / '全部' → ''. Anything else → :class:`ExploreInputError` listing the choices."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    if text in ("", ALL_LABEL, "all"):
        return ""
    code = status_code(text, loose=True)
    if code:
        return code
    if text.replace(" ", "") in {w.replace(" ", "") for w in REVIEW_WORDS}:
        return REVIEW
    choices = "、".join([status_label(s) for s in status_order()] + ["待复核"])
    raise ExploreInputError(f"状态“{value}”无法识别，可选：{choices}（或 completed / on-track / lagging / review）")


def normalise_leader(value, tasks: pd.DataFrame) -> str:
    """'戴建平', '戴建平常务副市长', '常务副市长 戴建平', '王 宏' → the leader's name as in
    the table; '' / '全部' → ''. A name no leader matches → :class:`ExploreInputError`."""
    text = _squash(value)
    if text in ("", ALL_LABEL):
        return ""
    leaders = list(dict.fromkeys(tasks["leader"].dropna().astype(str)))
    by_key = {_squash(name): name for name in leaders}
    if text in by_key:
        return by_key[text]
    found = [key for key in by_key if key and key in text]
    if found:
        return by_key[max(found, key=len)]  # the longest name contained in what was typed
    raise ExploreInputError(f"没有找到领导“{value}”，可选：{'、'.join(leaders)}")


def normalise_unit(value) -> str:
    """Text to look for in 牵头单位 (spaces and full-width forms do not matter)."""
    text = _squash(value)
    return "" if text == ALL_LABEL else text


def _task_id(value) -> int | None:
    text = _squash(value)
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise ExploreInputError(f"任务序号“{value}”不是数字") from None


# ---------------------------------------------------------------- filtering


def filter_tasks(tasks: pd.DataFrame, leader: str = "", status: str = "", unit: str = "", query: str = "") -> pd.DataFrame:
    """The tasks matching every given filter (already normalised values: a leader
    name, a status code or 'review', unit text, search terms). Without a query:
    in task order; with one: by relevance, with ``score`` and ``snippet``."""
    view = tasks
    if leader:
        view = view[view["leader"] == leader]
    if status and "status" in view.columns:
        if status == REVIEW:
            flagged = view["needs_review"].astype(bool) if "needs_review" in view.columns else pd.Series(False, index=view.index)
            view = view[flagged]
        else:
            view = view[view["status"] == status]
    if unit:
        units = view["lead_unit"].map(_squash)
        view = view[units.str.contains(unit, regex=False, na=False)]
    if query and query.split():
        hits = search_tasks(view, query) if len(view) else pd.DataFrame(columns=["task_id", "score", "snippet"])
        order = hits[["task_id", "score", "snippet"]]
        view = order.merge(view, on="task_id", how="left")[[*view.columns, "score", "snippet"]]
    return view.reset_index(drop=True)


# -------------------------------------------------------- what is displayed


def _status_text(code) -> str:
    return status_label(code) if isinstance(code, str) else ""


def _number(value, digits: int = 1, suffix: str = "") -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(number) else f"{number:.{digits}f}{suffix}"


def _tags(value, key: str) -> str:
    items = list(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else []
    return "；".join(f"{item.get(key, '')}（{item.get('evidence', '')}）" for item in items if isinstance(item, dict))


def _items(value) -> str:
    items = list(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else []
    parts = []
    for item in items:
        if not isinstance(item, dict):
            continue
        ratio = item.get("ratio")
        share = f"，约为年度目标的 {_number(float(ratio) * 100)}%" if ratio is not None and not math.isnan(ratio) else ""
        mark = "（判定依据）" if item.get("decisive") else ""
        parts.append(f"{item.get('phrase', '')}{share}{mark}")
    return "\n".join(parts)


def _display_value(column: str, value) -> str:
    if column == "status" or column == "rule_status":
        return _status_text(value)
    if column == "needs_review":
        return "是" if bool(value) else ""
    if column == "review_priority":  # 1 look first … 3; 0 outside the queue
        return str(int(value)) if value == value and value else ""
    if column == "by_default":  # INTERFACES.md: a status reached only by the default
        return "按默认（未见量化进度或明确表述）" if value is True or (bool(value) and value == value) else ""
    if column in ("status_rule", "review_reason") and isinstance(value, str):  # in Chinese (issue 24)

        return rule_name(value) if column == "status_rule" else review_reason_text(value)
    if column == "status_source":
        return {"override": "人工认定", "rule": "规则判定"}.get(value, str(value or ""))
    if column == "schedule_gap_pts":
        return _number(value)
    if column == "progress_ratio":
        return _number(float(value) * 100, suffix="%") if _number(value) else ""
    if column == "cause_tags":
        return _tags(value, "cause")
    if column == "theme_tags":
        return _tags(value, "theme")
    if column == "progress_items":
        return _items(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def table_frame(view: pd.DataFrame) -> pd.DataFrame:
    """All matching tasks with Chinese headers (序号, 分管领导, 状态 …); with a
    search, 相关度 and 匹配片段 too."""
    columns = [c for c in TABLE_COLUMNS if c in view.columns]
    columns += [c for c in SEARCH_COLUMNS if c in view.columns]
    out = pd.DataFrame(index=view.index)
    for column in columns:
        values = view[column]
        out[FIELD_LABELS.get(column) or SEARCH_COLUMNS[column]] = (
            values if column in ("task_id", "score") else values.map(lambda v, c=column: _display_value(c, v))
        )
    return out.reset_index(drop=True)


def detail_frame(row: pd.Series) -> pd.DataFrame:
    """One task, every field with its Chinese name (字段, 内容); empty fields left out."""
    rows = []
    overridden = row.get("status_source") == "override"
    for column, label in FIELD_LABELS.items():
        if column in ("rule_status", "rule_evidence") and not overridden:
            continue  # the same as 状态 and 判定依据
        if column in row.index:
            text = _display_value(column, row[column])
            if text:
                rows.append((label, text))
    return pd.DataFrame(rows, columns=["字段", "内容"])


def keyword_frame(tasks: pd.DataFrame, view: pd.DataFrame, top_n: int = 10) -> pd.DataFrame:
    """Distinctive words (TF-IDF): with no filter, per leader; with a filter, of
    the matching tasks against all the others."""

    if view.empty:
        return pd.DataFrame(columns=["范围", "关键词（按权重）"])
    if len(view) == len(tasks) or len(view) == 0:
        table = keywords(tasks, by="leader", top_n=top_n)
        grouped = table.groupby("leader", sort=False)["term"].agg("、".join)
        return pd.DataFrame({"范围": grouped.index, "关键词（按权重）": grouped.values})
    inside = tasks["task_id"].isin(set(view["task_id"]))
    scoped = tasks.assign(_scope=inside.map({True: "筛选结果", False: "其余任务"}))
    table = keywords(scoped, by="_scope", top_n=top_n)
    terms = "、".join(table.loc[table["_scope"] == "筛选结果", "term"])
    label = f"筛选结果 {len(view)} 项（与其余 {len(tasks) - len(view)} 项相比）"
    return pd.DataFrame({"范围": [label], "关键词（按权重）": [terms or "（没有与其余任务明显不同的词）"]})


def _tag_frame(view: pd.DataFrame, kind: str) -> pd.DataFrame:
    counter, label = (cause_counts, "原因") if kind == "cause" else (theme_counts, "主题")
    if view.empty:
        return pd.DataFrame(columns=[label, "任务数"])
    if "status" not in view.columns:
        counts = counter(view, by=None)
        counts = counts[counts["tasks"] > 0]
        return pd.DataFrame({label: counts[kind].values, "任务数": counts["tasks"].values})
    counts = counter(view, by="status")
    table = counts.pivot(index=kind, columns="status", values="tasks").reindex(counts[kind].unique())
    table = table.reindex(columns=[s for s in status_order()], fill_value=0).fillna(0).astype(int)
    table = table.assign(合计=table.sum(axis=1))
    table = table[table["合计"] > 0].sort_values("合计", ascending=False, kind="stable")
    table.columns = [status_label(c) if c in status_order() else c for c in table.columns]
    return table.rename_axis(label).reset_index()


def cause_frame(view: pd.DataFrame) -> pd.DataFrame:
    """Tasks per problem cause (and per status when classified), causes with no task left out."""
    return _tag_frame(view, "cause")


def theme_frame(view: pd.DataFrame) -> pd.DataFrame:
    return _tag_frame(view, "theme")


def cause_evidence_frame(view: pd.DataFrame) -> pd.DataFrame:
    """Each task with a cause tag, the causes with the words they were recognised by."""
    columns = ["序号", "分管领导", "状态", "牵头单位", "原因（原文证据）", "存在问题"]
    if view.empty or "cause_tags" not in view.columns:
        return pd.DataFrame(columns=columns)
    tagged = view[view["cause_tags"].map(lambda tags: len(tags) if hasattr(tags, "__len__") else 0) > 0]
    return pd.DataFrame({
        "序号": tagged["task_id"].values,
        "分管领导": tagged["leader"].values,
        "状态": tagged["status"].map(_status_text).values if "status" in tagged.columns else "",
        "牵头单位": tagged["lead_unit"].values,
        "原因（原文证据）": tagged["cause_tags"].map(lambda v: _tags(v, "cause")).values,
        "存在问题": tagged["problems"].values,
    }, columns=columns)


def setup_notebook() -> str:
    """Once, at the top of the notebook: the CJK chart style, and itables' offline
    JavaScript (no network). Returns the chart font."""

    family = set_report_style()
    if init_notebook_mode is None:
        return family
    init_notebook_mode(all_interactive=False, connected=False)
    return family


def review_widget(loaded: Loaded, comparison: pd.DataFrame | None = None):
    """The review queue (复核队列) of the build whose table ``loaded`` is: see :mod:`src.explore.review`."""

    if not loaded.classified or not (loaded.path.parent / "tasks_classified.parquet").exists():
        return w.HTML("复核队列：这张表还没有判定（只有清洗后的任务表）。运行 make reports 后，这里列出需要复核的任务。")
    return ReviewQueue(loaded.path.parent, comparison=comparison)
