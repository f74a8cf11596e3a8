"""Report text in the plain style of a 督查通报, written from the data.

Everything here returns *plain text*; the renderer escapes it on the way into
HTML, so text from the table can never become markup.

The shape follows how supervision offices write (shared/REPORTING.md):
总体情况 (counts first, then 占 x%, to one decimal) → 主要成效 (concrete results
with numbers) → 存在问题 (lagging tasks by name, lead unit, gap in 个百分点,
cause) → 下一步工作要求.
"""
from __future__ import annotations

import re
from datetime import date

import pandas as pd

from src.style import report_style, status_label, status_order

__all__ = [
    "as_of_phrase",
    "elapsed_percent",
    "short_task",
    "subject_name",
    "status_summary",
    "headline_sentence",
    "achievements",
    "problem_items",
    "requirements",
    "report_sections",
    "gap_phrase",
]


def _as_date(as_of) -> date:
    return as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)[:10])


def elapsed_percent(as_of) -> float:
    """Share of the year elapsed at ``as_of``, in percent (the 序时进度 line)."""
    from src.classify import elapsed_share

    return elapsed_share(as_of) * 100


def as_of_phrase(as_of) -> str:
    """2020-06-30 → 截至6月底; 2020-09-15 → 截至9月15日."""
    day = _as_date(as_of)
    next_day = day.toordinal() + 1
    if date.fromordinal(next_day).day == 1:
        return f"截至{day.month}月底"
    return f"截至{day.month}月{day.day}日"


def short_task(text: str, limit: int | None = None) -> str:
    """The first clause of a task, for naming it in a sentence or a chart."""
    limit = limit or report_style()["text"]["task_short_chars"]
    first = re.split(r"[。；;\n]", str(text).strip(), maxsplit=1)[0]
    first = re.sub(r"^\d+[\.、．]\s*", "", first)
    return first if len(first) <= limit else first[: limit - 1] + "…"


def subject_name(leader: str | None = None, title: str | None = None) -> str:
    return f"{leader}{title or ''}" if leader else "全市"


def status_summary(tasks: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares per status, in the official order (with zero rows)."""
    counts = tasks["status"].value_counts().reindex(status_order(), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "status": counts.index,
            "状态": [status_label(s) for s in counts.index],
            "任务数": counts.values.astype(int),
            "占比": [f"{(c / total if total else 0):.1%}" for c in counts.values],
        }
    )


def headline_sentence(tasks: pd.DataFrame, subject: str, as_of) -> str:
    """截至6月底，X副市长牵头的N项重点工作中，已完成a项，占x%；序时推进b项，占y%；滞后c项，占z%。"""
    summary = status_summary(tasks)
    total = int(summary["任务数"].sum())
    whose = "全市" if subject == "全市" else f"{subject}牵头的"
    parts = [
        f"{row.状态}{row.任务数}项，占{row.占比}"
        for row in summary.itertuples(index=False)
        if row.任务数
    ]
    lagging = int(summary.loc[summary["status"] == "lagging", "任务数"].iloc[0])
    tail = "" if lagging else "，无滞后任务"
    return f"{as_of_phrase(as_of)}，{whose}{total}项重点工作中，{'；'.join(parts)}{tail}。"


def gap_phrase(gap_pts) -> str:
    """-3.2 → 滞后序时进度3.2个百分点; 5 → 超序时进度5.0个百分点."""
    if gap_pts is None or gap_pts != gap_pts:
        return ""
    if gap_pts < 0:
        return f"滞后序时进度{abs(gap_pts):.1f}个百分点"
    if gap_pts > 0:
        return f"超序时进度{gap_pts:.1f}个百分点"
    return "与序时进度持平"


def _strip_numbering(text) -> str:
    return re.sub(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})[\.、．)）]\s*", "", str(text))


def _unit(task) -> str:
    return task.lead_unit or "牵头单位未注明"


def achievements(tasks: pd.DataFrame, limit: int | None = None) -> list[str]:
    """A few concrete results with numbers: completed tasks first, then the
    quantified tasks furthest ahead of schedule."""
    limit = limit or report_style()["text"]["achievements"]
    completed = tasks[tasks["status"] == "completed"]
    ahead = tasks[(tasks["status"] == "on-track") & tasks["schedule_gap_pts"].gt(0)].sort_values(
        "schedule_gap_pts", ascending=False, kind="stable"
    )
    lines = [
        f"{short_task(task.task)}（{_unit(task)}）：{_strip_numbering(task.status_evidence)}。"
        for task in completed.head(limit).itertuples(index=False)
    ]
    for task in ahead.itertuples(index=False):
        if len(lines) >= limit:
            break
        lines.append(f"{short_task(task.task)}（{_unit(task)}）：{_strip_numbering(task.status_evidence)}，{gap_phrase(task.schedule_gap_pts)}。")
    return [line.replace("。。", "。") for line in lines]


def _causes(task) -> str:
    tags = getattr(task, "cause_tags", None)
    if not isinstance(tags, list) or not tags:
        return ""
    names = list(dict.fromkeys(tag["cause"] for tag in tags))
    return "主要原因：" + "、".join(names)


def problem_items(tasks: pd.DataFrame) -> list[str]:
    """Each lagging task by name, with its lead unit, evidence, gap and cause."""
    lagging = tasks[tasks["status"] == "lagging"].sort_values("task_id")
    lines = []
    for task in lagging.itertuples(index=False):
        pieces = [_strip_numbering(task.status_evidence).rstrip("。；;，,")]
        gap = gap_phrase(task.schedule_gap_pts)
        if gap:
            pieces.append(gap)
        cause = _causes(task)
        if cause:
            pieces.append(cause)
        lines.append(f"{task.task_id}. {short_task(task.task)}（{_unit(task)}）：{'；'.join(pieces)}。")
    return lines


def requirements(tasks: pd.DataFrame) -> list[str]:
    lagging = tasks[tasks["status"] == "lagging"]
    review = tasks[tasks["needs_review"].fillna(False).astype(bool)] if "needs_review" in tasks else tasks.iloc[0:0]
    lines = []
    if len(lagging):
        units = "、".join(dict.fromkeys(lagging["lead_unit"]))
        lines.append(
            f"对未达到序时进度的{len(lagging)}项任务，请{units}分析原因、倒排工期、明确节点，"
            "确保下半年赶上进度、完成年度目标；督查室将对未达到序时进度的目标任务进行重点督查，跟踪问效。"
        )
    else:
        lines.append("各项任务均达到序时进度，请各牵头单位保持工作节奏，确保全面完成年度目标。")
    if len(review):
        lines.append(f"另有{len(review)}项任务的进展表述不足以明确判断，请牵头单位在下次报送时补充量化进度。")
    return lines


def report_sections(tasks: pd.DataFrame, subject: str, as_of) -> dict[str, list[str]]:
    """The four parts of a notice, each a list of plain-text paragraphs."""
    return {
        "总体情况": [headline_sentence(tasks, subject, as_of)],
        "主要成效": achievements(tasks) or ["本期无已完成或超序时进度的量化任务。"],
        "存在问题": problem_items(tasks) or ["本期无滞后序时进度的任务。"],
        "下一步工作要求": requirements(tasks),
    }
