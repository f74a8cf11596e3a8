"""What the documents say of one task: its short name, its deciding measure, the clause that
decided it, its light and the 督办 it gets.

Plain text only (the renderers escape it). The deciding measure is read from the classified
table's ``gap`` / ``measure_*`` / ``items_*`` columns (INTERFACES.md) where they exist, else from
the decisive item of ``progress_items`` that gives the row's ``schedule_gap_pts``: never the most
favourable of a row's measures.
"""
from __future__ import annotations

import logging
import math
import re
import warnings
from datetime import date
from functools import cache

import jieba
import pandas as pd

from src.classify.measure_types import NOTE_MARK
from src.classify.profiles import load_profile
from src.report.office import date_words, deadline_date
from src.report.style import report_style

__all__ = ["short_task", "deciding_measure", "gap_of", "deciding_clause", "naming_sentence", "light_of",
           "supervision_of", "proof_of_completion", "amount_words", "reader_evidence"]

_CLAUSE_END = re.compile(r"[。；;！？!?\n]")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})[\.、．)）]\s*")


def _get(task, name: str, default=None):
    """A field of a row (dict, Series or namedtuple); ``default`` when absent or missing (NaN, NA).
    Lists and arrays (``progress_items``) come back as they are."""

    value = task.get(name, default) if isinstance(task, (dict, pd.Series)) else getattr(task, name, default)
    if value is None:
        return default
    if isinstance(value, str) or not hasattr(value, "__len__"):
        try:
            if pd.isna(value):
                return default
        except (TypeError, ValueError):
            pass
    return value


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


# ---------------------------------------------------------------- short names
@cache
def _jieba():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
    jieba.setLogLevel(logging.WARNING)
    return jieba


def short_task(text, limit: int | None = None) -> str:
    """A task's name for a sentence or a chart: its first clause, cut (when too long) at a word
    boundary found by jieba or at a comma, never in the middle of a word; "…" marks a cut."""
    limit = limit or report_style()["text"]["task_short_chars"]
    first = _CLAUSE_END.split(_text(text).strip(), maxsplit=1)[0]
    first = _NUMBERING.sub("", first).strip().rstrip("，,、：:")
    if len(first) <= limit:
        return first
    commas = [m.start() for m in re.finditer(r"[，,、]", first) if 4 <= m.start() <= limit - 1]
    if commas:
        return first[: commas[-1]] + "…"
    end = 0
    for _word, _start, stop in _jieba().tokenize(first):
        if stop > limit - 1:
            break
        end = stop
    return first[: end or limit - 1] + "…"


# ---------------------------------------------------------------- the deciding measure
def gap_of(task) -> float | None:
    """The deciding gap in points (``gap``, else ``schedule_gap_pts``); None without a number."""
    for column in ("gap", "schedule_gap_pts"):
        value = _get(task, column)
        if value is not None:
            try:
                return float(value)
            except (TypeError, ValueError):
                continue
    return None


def _items(task) -> list[dict]:
    items = _get(task, "progress_items")
    if items is None:
        return []
    return [item for item in list(items) if isinstance(item, dict)]


def deciding_measure(task, elapsed_pct: float) -> dict | None:
    """{target, actual, unit, share, gap, items_total, items_behind} of the deciding measure, or None."""
    gap = gap_of(task)
    if gap is None:
        return None
    measure = {"gap": gap, "target": _get(task, "measure_target"), "actual": _get(task, "measure_actual"),
               "unit": _text(_get(task, "measure_unit", "")), "share": _get(task, "measure_share"),
               "items_total": _get(task, "items_total"), "items_behind": _get(task, "items_behind")}
    items = [item for item in _items(task) if item.get("ratio") is not None and item.get("ratio") == item.get("ratio")]
    if measure["actual"] is None and items:
        decisive = [item for item in items if item.get("decisive")] or items
        best = min(decisive, key=lambda item: abs(float(item["ratio"]) * 100 - elapsed_pct - gap))
        measure.update(target=best.get("target"), actual=best.get("value"), unit=_text(best.get("unit")),
                       share=float(best["ratio"]) * 100)
        if measure["items_total"] is None and len(decisive) > 1:
            measure["items_total"] = len(decisive)
            measure["items_behind"] = sum(float(item["ratio"]) * 100 < elapsed_pct for item in decisive)
    if measure["share"] is None and measure["actual"] is not None and measure["target"]:
        measure["share"] = float(measure["actual"]) / float(measure["target"]) * 100
    return measure


def amount_words(value, unit: str) -> str:
    """117200, 人 → 11.72万人; 24, 亿元 → 24亿元; 46.8, % → 46.8%."""
    if value is None:
        return ""
    value = float(value)
    if unit not in {"%", "亿元", "万元", "万人", "万亩", "万平方米", "万吨"} and abs(value) >= 10000:
        value, unit = value / 10000, "万" + unit
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def is_percent_only(measure: dict) -> bool:
    return measure["unit"] == "%" and (measure["target"] in (None, 100, 100.0))


def measure_words(measure: dict, as_of_words: str) -> str:
    """年度目标24亿元，截至6月底完成11.25亿元（46.9%）; a bare percentage: 截至6月底完成46.8%."""
    if measure["actual"] is None:
        return ""
    if is_percent_only(measure):
        return f"{as_of_words}完成{amount_words(measure['actual'], '%')}"
    share = f"（{measure['share']:.1f}%）" if measure["share"] is not None else ""
    target = f"年度目标{amount_words(measure['target'], measure['unit'])}，" if measure["target"] else ""
    return f"{target}{as_of_words}完成{amount_words(measure['actual'], measure['unit'])}{share}"


def gap_words(gap: float) -> str:
    if gap < 0:
        return f"低于序时进度{abs(gap):.1f}个百分点"
    if gap > 0:
        return f"超序时进度{gap:.1f}个百分点"
    return "与序时进度持平"


# ---------------------------------------------------------------- the deciding clause
def _clauses(text: str) -> list[str]:
    return [part.strip() for part in _CLAUSE_END.split(_text(text)) if part.strip()]


def deciding_clause(task) -> tuple[str, str]:
    """(where, clause): the whole clause of the progress or problems column that holds the
    evidence; a clause found only in the next steps is returned with where = "下一步工作安排"
    so that it is never presented as a finding. ("", "") when nothing fits."""
    evidence = _text(_get(task, "rule_evidence") or _get(task, "status_evidence", "")).strip()
    if evidence.startswith("人工认定"):
        evidence = ""
    evidence = evidence.split(NOTE_MARK, 1)[0].strip()  # the row's own words, without the worked-out numbers
    for column, where in (("progress", "进展情况"), ("problems", "存在问题"), ("next_steps", "下一步工作安排")):
        for clause in _clauses(_get(task, column, "")):
            if evidence and (evidence in clause or clause in evidence):
                return where, _NUMBERING.sub("", clause)
    return "", ""


def reader_evidence(task) -> str:
    """What a reader sees of why: an analyst's ruling as 人工认定：<reason> (no reviewer, no date)."""
    if _get(task, "status_source") == "override":
        reason = _text(_get(task, "override_reason", "")).strip()
        if not reason:
            evidence = _text(_get(task, "status_evidence", ""))
            reason = re.sub(r"^人工认定：", "", evidence)
            reason = re.sub(r"（[^（）]*）$", "", reason)  # the reviewer and the date
        return f"人工认定：{reason or '经核实认定'}"
    where, clause = deciding_clause(task)
    if clause:
        return clause if where == "进展情况" else f"{where}：{clause}"
    return _text(_get(task, "status_evidence", ""))


def naming_sentence(task, as_of_words: str, elapsed_pct: float) -> str:
    """点名: 市甲局牵头的甲任务，年度目标24亿元，截至6月底完成11.25亿元（46.9%），低于序时进度3.1个百分点
    (+ 6项指标中3项低于序时进度); without a number the whole clause that decided it, quoted."""
    unit = _text(_get(task, "lead_unit", "")).strip() or "牵头单位未注明"
    head = f"{unit}牵头的{short_task(_get(task, 'task', ''))}"
    if _get(task, "status_source") == "override":
        return f"{head}，{reader_evidence(task)}"
    measure = deciding_measure(task, elapsed_pct)
    if measure is not None and measure["actual"] is not None:
        parts = [head, measure_words(measure, as_of_words), gap_words(measure["gap"])]
        total, behind = measure.get("items_total"), measure.get("items_behind")
        if total and int(total) > 1 and behind is not None:
            parts.append(f"{int(total)}项指标中{int(behind)}项低于序时进度")
        return "，".join(parts)
    if measure is not None:
        return f"{head}，{gap_words(measure['gap'])}"
    where, clause = deciding_clause(task)
    if clause and where != "下一步工作安排":
        return f"{head}，{where}中反映“{clause}”"
    if clause:
        return f"{head}，进展情况中未见量化进度，下一步工作安排为“{clause}”"
    return f"{head}，{_text(_get(task, 'status_evidence', ''))}"


# ---------------------------------------------------------------- lights and 督办
def light_of(task, settings) -> str:
    """绿灯 / 黄灯 / 红灯 (office.toml [lights]); "" for a status that gets no light (未报送)."""
    status = _get(task, "status", "")
    if status in ("completed", "on-track"):
        return settings.lights.green
    if status != "lagging":
        return ""
    tier = _text(_get(task, "lag_tier", "")).strip()
    if not tier:
        gap = gap_of(task)
        tier = load_profile(settings.lights.profile).lag_tier("lagging", float("nan") if gap is None else gap)
    return settings.lights.tiers.get(tier, "")


def supervision_of(light: str, start: date, settings) -> str:
    """挂牌督办，限期报送整改措施（2020年7月20日前）; "" when no rule names this light."""

    rule = settings.supervision_for(light)
    if rule is None:
        return ""
    return f"{rule.advice}，{rule.deadline}（{date_words(deadline_date(start, rule.days))}前）"


_RESULT_WORDS = re.compile(r"完成|实现|达到|建成|累计|新增|超额|超过|全部|通水|通车|投用|开工|出清|退出|办理|举办")


def proof_of_completion(task) -> str:
    """A clause with a number that shows a completed (or ahead) task's result: the evidence when
    it holds a digit, else the first clause of the progress with a number and a word of result
    (完成、实现、累计…); "" when none (the task is then not quoted as an achievement: never one
    that says only 已完成)."""
    evidence = _NUMBERING.sub("", _text(_get(task, "status_evidence", ""))).strip()
    if re.search(r"\d", evidence) and len(evidence) >= 6:
        return evidence if len(evidence) <= 60 else _clause_with_number(evidence)
    for sentence in _clauses(_get(task, "progress", "")):
        sentence = _NUMBERING.sub("", sentence).strip()
        if re.search(r"\d", sentence) and _RESULT_WORDS.search(sentence):
            found = sentence if len(sentence) <= 60 else _clause_with_number(sentence)
            if found:
                return found
    return ""


def _clause_with_number(sentence: str) -> str:
    """The comma clause of a long sentence that holds a number and a word of result."""
    for clause in re.split(r"[，,]", sentence):
        clause = clause.strip()
        if re.search(r"\d", clause) and _RESULT_WORDS.search(clause) and 6 <= len(clause) <= 60:
            return clause
    return ""
