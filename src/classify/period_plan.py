"""A period's plan column is the period's yardstick (issue 22, eighth round).

A table whose number column holds the plan *to a date* (1-7月计划, 上半年目标,
前三季度投资计划, 截至本期计划, 一季度任务) does not hold the year's target: the
column's header (``target_header``, carried by the table reader from
``[columns.period_target]`` of ``table_format.toml``) says which span the plan
covers. The actual is judged against that plan on the plan's own span (the
codebook's "the row's own milestone is the yardstick", REPORTING.md): at the end
of July, a plan to the end of September is due for 7/9 of itself; a plan to the
report date (1-7月计划 at the end of July, 截至本期计划) for all of itself.

The measure is given back on the year's scale (a schedule-equivalent share, kind
``milestone``: it places the task against 序时进度 and never says the year's
target is met), with the evidence naming the plan
(〔核算：前三季度投资计划的 78.5%，截至7月底应完成该计划的 77.8%〕).

Every word and pattern is in ``[families.period_plan_column]`` of ``status_rules.toml``."""
from __future__ import annotations

import calendar
import re

from src.classify.measure_types import Measure
from src.classify.rules import Rules
from src.classify.spans import month_number

_FIELD = "target_header"


def plan_span(header: str, rules: Rules) -> tuple[str, int | None] | None:
    """(the period the header names, its end month; None = to the report date) of a
    period plan's column header, or None when the header names no period short of
    the year (年度计划, 全年目标, or no period word at all)."""
    family = rules.family("period_plan_column")
    text = re.sub(r"\s+", "", header or "")
    if not text or not family.get("switch"):
        return None
    if any(word in text for word in family.get("year_words", [])):
        return None
    for pattern in family.get("end_month_patterns", []):
        match = re.search(pattern, text)
        if match:
            month = month_number(match.group("end_month"))
            return (match.group(0), month) if 0 < month < 12 else None
    for word, month in family.get("named_spans", []):
        if word in text:
            return word, int(month)
    for pattern in family.get("to_date_patterns", []):
        match = re.search(pattern, text)
        if match:
            return match.group(0), None
    return None


def is_period_plan(row: dict, rules: Rules) -> bool:
    """True when the row's target column is a period's plan (its header names a period)."""
    header = (row.get(_FIELD) or "").strip()
    return bool(header) and plan_span(header, rules) is not None


def period_measure(m: Measure, row: dict, rules: Rules) -> Measure:
    """``m`` (a share of the plan in the target column) judged on the plan's own span
    when the column's header names a period plan; ``m`` itself otherwise."""
    header = (row.get(_FIELD) or "").strip()
    span = plan_span(header, rules) if header else None
    schedule = row.get("_schedule")
    if span is None or m.ratio is None or not schedule:
        return m
    _, end_month = span
    due = 1.0 if end_month is None else min(1.0, schedule / (end_month / 12))
    report = row.get("_date")
    when = "截至报告日"
    if report is not None:
        last = calendar.monthrange(report.year, report.month)[1]
        when = f"截至{report.month}月底" if report.day == last else f"截至{report.month}月{report.day}日"
    note = (f"〔核算：{header}的{m.ratio * 100:.1f}%，{when}应完成该计划的{due * 100:.1f}%"
            f"（期间计划，非全年目标）〕")
    phrase = m.phrase
    label = rules.family("structured").get("labels", {}).get("target", "")
    if label and phrase.startswith(label):
        phrase = header + phrase[len(label):]  # the column is the period's plan, not the year's target
    return Measure(phrase, m.value, m.unit, m.target, m.ratio / due * schedule, m.source_field, "milestone",
                   m.decisive, m.position, note=note)


def target_fields(df) -> dict:
    """The ``target`` (and ``target_header``) columns a table read by the parser gives the
    judgement: a period plan's column (``period_target``, with its header) where it holds a
    cell, else the year's target (``annual_target``). Empty when the frame already has
    ``target`` (the caller's own number columns) or neither column."""
    if "target" in df.columns:
        return {}
    annual = df["annual_target"].fillna("").astype(str) if "annual_target" in df.columns else None
    if "period_target" not in df.columns:
        return {} if annual is None else {"target": annual}
    period = df["period_target"].fillna("").astype(str)
    stated = period.str.strip() != ""
    header = df[_FIELD].fillna("").astype(str) if _FIELD in df.columns else period.where(False, "")
    target = period if annual is None else period.where(stated, annual)
    return {"target": target, _FIELD: header.where(stated, "")}
