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

from src.report_date import to_date
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
    "is_override",
    "override_text",
    "evidence_text",
    "needs_review_flags",
    "unclear_tasks",
    "catch_up_phrase",
    "method_note",
    "task_ids_phrase",
]


def elapsed_percent(as_of) -> float:
    """Share of the year elapsed at ``as_of``, in percent (the 序时进度 line)."""
    from src.classify import elapsed_share

    return elapsed_share(as_of) * 100


def as_of_phrase(as_of) -> str:
    """2020-06-30 → 截至6月底; 2020-09-15 → 截至9月15日."""
    day = to_date(as_of)
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
    unclear = len(unclear_tasks(tasks))
    parts = [
        f"{row.状态}{row.任务数}项，占{row.占比}"
        + (f"（其中{unclear}项进展表述中未见量化进度或明确表述）" if row.status == "on-track" and unclear else "")
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
    overridden = _override_mask(tasks)
    ahead = tasks[(tasks["status"] == "on-track") & tasks["schedule_gap_pts"].gt(0) & ~overridden].sort_values(
        "schedule_gap_pts", ascending=False, kind="stable"
    )
    lines = [
        f"{short_task(task.task)}（{_unit(task)}）：{_strip_numbering(evidence_text(task))}。"
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


def problem_items(tasks: pd.DataFrame, repeated: dict[int, str] | None = None) -> list[str]:
    """Each lagging task by name, with its lead unit, evidence, gap and cause.

    ``repeated``: task id → what the previous period said of a task lagging in
    both periods (连续两期滞后); those are named first, with that clause."""
    repeated = repeated or {}
    lagging = tasks[tasks["status"] == "lagging"].assign(_first=lambda t: ~t["task_id"].isin(list(repeated)))
    lagging = lagging.sort_values(["_first", "task_id"], kind="stable")
    lines = []
    for task in lagging.itertuples(index=False):
        pieces = [_strip_numbering(evidence_text(task)).rstrip("。；;，,")]
        if task.task_id in repeated:
            pieces.insert(0, repeated[task.task_id])
        # an analyst's ruling replaces the rule: the rule's gap would contradict it
        gap = "" if is_override(task) else gap_phrase(task.schedule_gap_pts)
        if gap:
            pieces.append(gap)
        cause = _causes(task)
        if cause:
            pieces.append(cause)
        lines.append(f"{task.task_id}. {short_task(task.task)}（{_unit(task)}）：{'；'.join(pieces)}。")
    return lines


def catch_up_phrase(as_of) -> str:
    """What lagging units are asked to do, in words that fit the report date:
    mid-year 确保下半年赶上进度, end of September 确保第四季度…, December 尽快完成."""
    day = to_date(as_of)
    if day.month == 12:
        return "尽快完成；年内确实无法完成的，须说明原因、明确完成时限"
    if day.month >= 10:
        return "确保完成全年目标"
    if day.month == 9:
        return "确保第四季度赶上进度、完成全年目标"
    if day.month == 6:
        return "确保下半年赶上进度、完成年度目标"
    return "确保尽快赶上序时进度、完成年度目标"


def method_note(as_of) -> str:
    """One sentence on how statuses were judged, with the schedule line of this report date."""
    return (
        f"按序时进度要求（{as_of_phrase(as_of)}，全年时间已过{elapsed_percent(as_of):.1f}%），逐项对照年度目标判定："
        "已完成、序时推进或滞后。量化任务以完成年度目标的比例与序时进度之差计，单位为百分点。"
    )


def _override_mask(tasks: pd.DataFrame) -> pd.Series:
    if "status_source" not in tasks:
        return pd.Series(False, index=tasks.index)
    return tasks["status_source"].eq("override")


def is_override(task) -> bool:
    """Whether an analyst overrode the rule's status for this task (row, dict or namedtuple)."""
    return _get(task, "status_source") == "override"


def _get(task, name: str, default=""):
    value = task.get(name, default) if isinstance(task, (dict, pd.Series)) else getattr(task, name, default)
    if value is None or (isinstance(value, float) and value != value):
        return default
    return value


def override_text(task) -> str:
    """人工认定：<reason>（<reviewer>，<date>）— from the override columns that are present."""
    reason = str(_get(task, "override_reason")).strip()
    who = [str(_get(task, column)).strip() for column in ("override_reviewer", "override_date")]
    who = [part for part in who if part]
    return f"人工认定：{reason or '（未填写理由）'}" + (f"（{'，'.join(who)}）" if who else "")


def evidence_text(task) -> str:
    """The evidence a reader sees: the analyst's ruling for an override, else the rule's evidence."""
    evidence = str(_get(task, "status_evidence"))
    if not is_override(task):
        return evidence
    if evidence.startswith("人工认定"):  # the overrides stage already wrote it
        return evidence
    return override_text(task)


def needs_review_flags(tasks: pd.DataFrame) -> pd.Series:
    """待复核, except where an analyst has already ruled (an override is the review)."""
    if "needs_review" not in tasks:
        return pd.Series(False, index=tasks.index)
    return tasks["needs_review"].fillna(False).astype(bool) & ~_override_mask(tasks)


def unclear_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    """On-track only because nothing was said: no measure and no statement.

    Uses the classifier's ``no_clear_statement`` flag when the table has it;
    otherwise the tasks decided by the default rule without any progress ratio."""
    on_track = tasks["status"].eq("on-track") & ~_override_mask(tasks)
    if "no_clear_statement" in tasks:
        flag = tasks["no_clear_statement"].fillna(False).astype(bool)
    elif "status_rule" in tasks:
        flag = tasks["status_rule"].eq("default-on-track")
        if "progress_ratio" in tasks:
            flag &= tasks["progress_ratio"].isna()
    else:
        return tasks.iloc[0:0]
    said_something = needs_review_flags(tasks)  # a doubtful phrase is a statement: those are 待复核 instead
    return tasks[on_track & flag & ~said_something].sort_values("task_id", kind="stable")


def task_ids_phrase(tasks: pd.DataFrame, name_limit: int = 5) -> str:
    """Name a few tasks (序号 and short name); many tasks by 序号 only."""
    if len(tasks) <= name_limit:
        return "；".join(f"第{task.task_id}项“{short_task(task.task, 20)}”" for task in tasks.itertuples(index=False))
    return "序号" + "、".join(str(task_id) for task_id in tasks["task_id"])


def requirements(tasks: pd.DataFrame, as_of=None) -> list[str]:
    lagging = tasks[tasks["status"] == "lagging"]
    review = tasks[needs_review_flags(tasks) & tasks["status"].ne("lagging")]
    unclear = unclear_tasks(tasks)
    lines = []
    if len(lagging):
        units = "、".join(dict.fromkeys(lagging["lead_unit"].fillna("").replace("", "牵头单位未注明")))
        catch_up = catch_up_phrase(as_of) if as_of is not None else "确保完成年度目标"
        lines.append(
            f"对未达到序时进度的{len(lagging)}项任务，请{units}分析原因、倒排工期、明确节点，"
            f"{catch_up}；督查室将对未达到序时进度的目标任务进行重点督查，跟踪问效。"
        )
    else:
        closing = "做好年度工作收尾" if as_of is not None and to_date(as_of).month == 12 else "确保全面完成年度目标"
        lines.append(f"各项任务均达到序时进度，请各牵头单位保持工作节奏，{closing}。")
    if len(unclear):
        lines.append(
            f"另有{len(unclear)}项任务的进展表述中未见量化进度或明确表述（{task_ids_phrase(unclear)}），"
            "暂按序时推进计，请牵头单位在下次报送时补充量化进度或明确进展。"
        )
    if len(review):
        lines.append(
            f"另有{len(review)}项任务的判定依据较弱或相互矛盾（{task_ids_phrase(review)}），已列为待复核，以核实结果为准。"
        )
    return lines


def report_sections(tasks: pd.DataFrame, subject: str, as_of, comparison: list[str] | None = None,
                    repeated: dict[int, str] | None = None) -> dict[str, list[str]]:
    """The parts of a notice, each a list of plain-text paragraphs. With a previous
    period, ``comparison`` (its sentences) follows 总体情况 as 与上期比较, and the
    tasks lagging in both periods (``repeated``) are named first in 存在问题."""
    sections = {"总体情况": [headline_sentence(tasks, subject, as_of)]}
    if comparison:
        sections["与上期比较"] = list(comparison)
    sections.update({
        "主要成效": achievements(tasks) or ["本期无已完成或超序时进度的量化任务。"],
        "存在问题": problem_items(tasks, repeated) or ["本期无滞后序时进度的任务。"],
        "下一步工作要求": requirements(tasks, as_of),
    })
    return sections
