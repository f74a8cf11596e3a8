"""Report text in the plain style of a 督查通报, written from the data.

Everything here returns *plain text*; the renderer escapes it on the way into
HTML, so text from the table can never become markup.

The shape follows how supervision offices write (shared/REPORTING.md):
总体情况 (counts first, then 占 x%, to one decimal) → 主要成效 (concrete results
with numbers) → 存在问题 (lagging tasks by name, lead unit, gap in 个百分点,
cause) → 下一步工作要求.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from src.classify import elapsed_share
from src.report import findings
from src.report.office import office_settings
from src.report.style import status_label, status_order
from src.report_date import to_date

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
    "reader_evidence",
    "light_counts",
    "not_reported_sentence",
    "unquantified_by_unit",
    "unquantified_request",
]

reader_evidence = findings.reader_evidence


def elapsed_percent(as_of) -> float:
    """Share of the year elapsed at ``as_of``, in percent (the 序时进度 line)."""

    return elapsed_share(as_of) * 100


def as_of_phrase(as_of) -> str:
    """2020-06-30 → 截至6月底; 2020-09-15 → 截至9月15日."""
    day = to_date(as_of)
    next_day = day.toordinal() + 1
    if date.fromordinal(next_day).day == 1:
        return f"截至{day.month}月底"
    return f"截至{day.month}月{day.day}日"


def short_task(text: str, limit: int | None = None) -> str:
    """The first clause of a task, cut at a word or clause boundary (:func:`src.report.findings.short_task`)."""
    return findings.short_task(text, limit)


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
    """截至6月底，X副市长牵头的N项重点工作中，已完成a项，占x%；序时推进b项，占y%；滞后c项，占z%（红灯…）。
    Every status of ``status_order()`` that has tasks is counted apart (未报送 too)."""

    summary = status_summary(tasks)
    total = int(summary["任务数"].sum())
    whose = "全市" if subject == "全市" else f"{subject}牵头的"
    unclear = len(unclear_tasks(tasks))
    lights = light_counts(tasks, office_settings())
    parts = []
    for row in summary.itertuples(index=False):
        if not row.任务数:
            continue
        note = ""
        if row.status == "on-track" and unclear:
            note = f"（其中{unclear}项进展表述中未见量化进度或明确表述）"
        if row.status == "lagging" and lights:
            note = "（" + "、".join(f"{light}{n}项" for light, n in lights.items()) + "）"
        parts.append(f"{row.状态}{row.任务数}项，占{row.占比}{note}")
    lagging = int(summary.loc[summary["status"] == "lagging", "任务数"].sum())
    tail = "，未发现滞后任务" if not lagging and total and not unclear else ""
    return f"{as_of_phrase(as_of)}，{whose}{total}项重点工作中，{'；'.join(parts)}{tail}。"


def light_counts(tasks: pd.DataFrame, settings) -> dict[str, int]:
    """Lagging tasks per light (红灯 first, in office.toml's order), lights with tasks only."""
    lagging = tasks[tasks["status"] == "lagging"]
    lights = [findings.light_of(task, settings) for task in lagging.itertuples(index=False)]
    order = list(dict.fromkeys(settings.lights.tiers.values()))
    return {light: lights.count(light) for light in order if lights.count(light)}


def not_reported_sentence(tasks: pd.DataFrame) -> str:
    """另有未报送进展的任务N项：市甲局2项、市乙局1项。 ("" when every task reported)."""
    missing = tasks[tasks["status"] == "not-reported"]
    if missing.empty:
        return ""
    units = missing["lead_unit"].fillna("").replace("", "牵头单位未注明").value_counts(sort=False)
    listed = "、".join(f"{unit}{n}项" for unit, n in units.items())
    return f"{status_label('not-reported')}进展的任务{len(missing)}项：{listed}。"


TASKS_PER_ROW = 10  # the 附件's rows list at most this many tasks: a cell taller than a page cannot be read
# (and WeasyPrint lays a row out again on every page it spans: a province's unit with 700 tasks took minutes)


def unquantified_by_unit(tasks: pd.DataFrame, per_row: int | None = None) -> pd.DataFrame:
    """The tasks without a quantified progress, grouped by lead unit (most tasks first):
    columns 牵头单位 / 项数 / 任务 (short names). ``per_row``: a unit with more tasks continues on
    rows of its own (牵头单位 marked （续）, 项数 empty), as the 附件 shows it."""
    unclear = unclear_tasks(tasks)
    if unclear.empty:
        return pd.DataFrame(columns=["牵头单位", "项数", "任务"])
    unclear = unclear.assign(_unit=unclear["lead_unit"].fillna("").replace("", "牵头单位未注明"))
    names = {unit: [short_task(text, 20) for text in group["task"]] for unit, group in unclear.groupby("_unit", sort=False)}
    rows = [{"牵头单位": unit, "项数": len(listed), "任务": "；".join(listed)} for unit, listed in names.items()]
    table = pd.DataFrame(rows).sort_values("项数", ascending=False, kind="stable").reset_index(drop=True)
    if per_row is None or table["项数"].max() <= per_row:
        return table
    rows = [{"牵头单位": unit if start == 0 else f"{unit}（续）", "项数": count if start == 0 else "",
             "任务": "；".join(names[unit][start:start + per_row])}
            for unit, count in zip(table["牵头单位"], table["项数"]) for start in range(0, count, per_row)]
    return pd.DataFrame(rows)


def unquantified_request(tasks: pd.DataFrame) -> str:
    """请以下单位于下次报送时补充量化进度：市发改委 11 项、市建委 3 项…。"""
    table = unquantified_by_unit(tasks)
    if table.empty:
        return ""

    listed = "、".join(f"{row.牵头单位} {row.项数} 项" for row in table.itertuples(index=False))
    return f"{office_settings().wording.quantify_request}{listed}。"


def gap_phrase(gap_pts) -> str:
    """-3.2 → 滞后序时进度3.2个百分点; 5 → 超序时进度5.0个百分点."""
    if gap_pts is None or gap_pts != gap_pts:
        return ""
    if gap_pts < 0:
        return f"滞后序时进度{abs(gap_pts):.1f}个百分点"
    if gap_pts > 0:
        return f"超序时进度{gap_pts:.1f}个百分点"
    return "与序时进度持平"


def _unit(task) -> str:
    return task.lead_unit or "牵头单位未注明"


def achievements(tasks: pd.DataFrame, limit: int | None = None, as_of=None) -> list[str]:
    """主要成效: completed tasks, then quantified tasks furthest ahead of schedule, each with the
    numbers that prove it (a task whose text says only 已完成 is left out), as one paragraph
    一是…；二是…等。 — [] when there is nothing to show."""

    limit = limit or office_settings().achievements.count
    completed = tasks[tasks["status"] == "completed"]
    overridden = _override_mask(tasks)
    ahead = tasks[(tasks["status"] == "on-track") & tasks["schedule_gap_pts"].gt(0) & ~overridden].sort_values(
        "schedule_gap_pts", ascending=False, kind="stable")
    items = []
    for task in completed.itertuples(index=False):
        proof = findings.proof_of_completion(task)
        if proof and len(items) < limit:
            items.append(f"{_unit(task)}牵头的{short_task(task.task)}：{proof}")
    for task in ahead.itertuples(index=False):
        if len(items) >= limit:
            break
        proof = findings.proof_of_completion(task)
        if not proof:
            continue
        measure = findings.deciding_measure(task, elapsed_percent(as_of)) if as_of is not None else None
        if measure and measure["actual"] is not None and not findings.is_percent_only(measure):
            proof += f"，{findings.measure_words(measure, as_of_phrase(as_of))}"
        items.append(f"{_unit(task)}牵头的{short_task(task.task)}：{proof}，{gap_phrase(task.schedule_gap_pts)}")
    if not items:
        return []
    ordinals = "一二三四五六七八九十"
    body = "；".join(f"{ordinals[i]}是{item.rstrip('。；')}" for i, item in enumerate(items))
    return [f"{body}{'等' if len(items) >= 3 else ''}。"]


def problem_items(tasks: pd.DataFrame, as_of, repeated: dict[int, str] | None = None) -> list[str]:
    """点名通报: each lagging task in one fixed sentence (lead unit, short name, target, actual,
    share and gap of the deciding measure; without a number the whole clause that decided it),
    with its light and, for a task lagging in the previous period too, 连续滞后.

    ``repeated``: task id → what the previous period said of a task lagging in both periods;
    those are named first."""

    settings = office_settings()
    repeated = repeated or {}
    words, elapsed = as_of_phrase(as_of), elapsed_percent(as_of)
    lagging = tasks[tasks["status"] == "lagging"].assign(_first=lambda t: ~t["task_id"].isin(list(repeated)))
    lagging = lagging.sort_values(["_first", "task_id"], kind="stable")
    lines = []
    for task in lagging.itertuples(index=False):
        light = findings.light_of(task, settings)
        tail = f"（{light}）" if light else ""
        if task.task_id in repeated:  # 连续两期滞后（上期…）: the escalation a director looks for
            tail += f"；{repeated[task.task_id]}"
        lines.append(f"{findings.naming_sentence(task, words, elapsed)}{tail}。")
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
        f"{'、'.join(status_label(code) for code in status_order() if code != 'not-reported')}。量化任务以完成年度目标的比例与序时进度之差计，单位为百分点。"
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

    Uses the classifier's ``no_clear_statement`` flag when the table has it, else its
    ``by_default`` flag (INTERFACES.md: no rule fired); otherwise the tasks decided by the
    default rule without any progress ratio."""
    on_track = tasks["status"].eq("on-track") & ~_override_mask(tasks)
    if "no_clear_statement" in tasks:
        flag = tasks["no_clear_statement"].fillna(False).astype(bool)
    elif "by_default" in tasks:
        flag = tasks["by_default"].fillna(False).astype(bool)
    elif "status_rule" in tasks:
        flag = tasks["status_rule"].eq("default-on-track")
        if "progress_ratio" in tasks:
            flag &= tasks["progress_ratio"].isna()
    else:
        return tasks.iloc[0:0]
    said_something = needs_review_flags(tasks)  # a doubtful phrase is a statement: those are 待复核 instead
    if "review_tier" in tasks:  # … or 另见, flagged beyond the review budget (src/classify/queue.py)
        said_something = said_something | tasks["review_tier"].eq("另见")
    return tasks[on_track & flag & ~said_something].sort_values("task_id", kind="stable")


def task_ids_phrase(tasks: pd.DataFrame, name_limit: int = 5) -> str:
    """Name a few tasks (序号 and short name); many tasks by 序号 only."""
    if len(tasks) <= name_limit:
        return "；".join(f"第{task.task_id}项“{short_task(task.task, 20)}”" for task in tasks.itertuples(index=False))
    return "序号" + "、".join(str(task_id) for task_id in tasks["task_id"])


def requirements(tasks: pd.DataFrame, as_of, *, annex: str = "", issued: date | None = None) -> list[str]:
    """下一步工作要求 (or a 专报's 工作建议): what lagging units must do and the 督办 per light,
    the request for quantified progress (the units are listed in ``annex`` when given), and
    the tasks not reported. Never a review note: that is the office's business. ``issued``: the
    documents' date, from which the 整改时限 are counted (default: the report date)."""

    settings = office_settings()
    lagging = tasks[tasks["status"] == "lagging"]
    unclear = unclear_tasks(tasks)
    missing = tasks[tasks["status"] == "not-reported"]
    lines = []
    words = settings.wording
    if len(lagging):
        units = "、".join(dict.fromkeys(lagging["lead_unit"].fillna("").replace("", "牵头单位未注明")))
        lines.append(words.lagging.format(n=len(lagging), units=units, catch_up=catch_up_phrase(as_of)))
        start = issued or to_date(as_of)
        for light, count in light_counts(tasks, settings).items():
            rule = findings.supervision_of(light, start, settings)
            if rule:
                lines.append(f"{light}任务{count}项：{rule}。")
    elif not len(unclear) and not len(missing):
        closing = "做好年度工作收尾" if to_date(as_of).month == 12 else "确保全面完成年度目标"
        lines.append(words.all_on_schedule.format(closing=closing))
    if len(unclear):
        where = f"（名单见{annex}）" if annex else ""
        lines.append(words.unquantified.format(n=len(unclear), where=where))
    if len(missing):
        lines.append(words.not_reported.format(n=len(missing)))
    return lines


def report_sections(tasks: pd.DataFrame, subject: str, as_of, comparison: list[str] | None = None,
                    repeated: dict[int, str] | None = None, *, special: bool = False,
                    annex: str = "", issued: date | None = None) -> dict[str, list[str]]:
    """The parts of a 通报 (or, ``special``, a leader's 专报), each a list of plain-text
    paragraphs. A part with nothing to say is left out (no "本期无…" sentences). With a
    previous period, ``comparison`` follows 总体情况 as 与上期比较, and the tasks lagging in both
    periods (``repeated``) are named first in 存在问题, marked 连续滞后."""
    overall = [headline_sentence(tasks, subject, as_of)]
    missing = not_reported_sentence(tasks)
    if missing:
        overall.append(missing)
    sections = {"总体情况": overall}
    if comparison:
        sections["与上期比较"] = list(comparison)
    found = achievements(tasks, as_of=as_of)
    if found:
        sections["主要成效"] = found
    problems = problem_items(tasks, as_of, repeated)
    if problems:
        sections["存在问题"] = problems
    sections["工作建议" if special else "下一步工作要求"] = requirements(tasks, as_of, annex=annex, issued=issued)
    return sections
