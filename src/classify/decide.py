"""Stage 5, decision: read a row's measures and cues, run the decision steps of
:mod:`src.classify.steps` in the order documented at the top of
``status_rules.toml`` (:func:`_decide`), and add the status columns to a task
table (:func:`classify_tasks`)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from src.classify.arithmetic import (
    decline_measures,
    growth_measures,
    has_numbers,
    original_evidence,
    structured_measures,
    to_simplified,
    year_end_forecast_measures,
)
from src.classify.columns import (
    DEFAULT_RULE,
    HEADER_FIELDS,
    NOT_REPORTED,
    NOT_REPORTED_RULE,
    NUMBER_FIELDS,
    REQUIRED_TEXT_FIELDS,
    STATUS_COLUMNS,
    TEXT_FIELDS,
)
from src.classify.cues import (
    find_completion_cues,
    find_delay_cues,
    find_early_stage_cues,
    find_forecast_cues,
    find_on_track_cues,
)
from src.classify.due_dates import deadline_schedule  # ROUND 12 judge13
from src.classify.features import feature_settings, load_model, review_model_p
from src.classify.measures import DERIVED_KINDS, EXPLICIT_KINDS, Measure, find_measures, task_targets
from src.classify.order import RULE_STEPS
from src.classify.period_plan import target_fields
from src.classify.profiles import load_profile
from src.classify.relations import dated_measures
from src.classify.relative_targets import budget_measures, relative_measures
from src.classify.review import date_signals
from src.classify.rules import Rules, load_rules
from src.classify.schedule import elapsed_share, to_date
from src.classify.spans import cell_text, strip_for_only
from src.classify.steps import Decision, Facts, measure_review
from src.classify.unreported import says_not_yet_available

ROW_FIELDS = TEXT_FIELDS + NUMBER_FIELDS + HEADER_FIELDS  # what a row is judged from


def _deciding(measures: list[Measure], row: dict | None = None, rules: Rules | None = None) -> list[Measure]:
    """Explicit shares of the annual plan first; derived ones (target pairs,
    M of N) only when the row states no share itself. Within the chosen group,
    a total beats its breakdown (codebook: judge the main measure)."""
    explicit = [m for m in measures if m.decisive and m.kind in EXPLICIT_KINDS]
    chosen = explicit or [m for m in measures if m.decisive and m.kind in DERIVED_KINDS]
    if any(m.kind == "target-match" and not m.sub_target for m in chosen):
        chosen = [m for m in chosen if not m.sub_target]  # the task's main target decides (codebook)
    if row is None or rules is None:
        return chosen
    return _drop_breakdown(chosen, row, rules)


def _drop_breakdown(measures: list[Measure], row: dict, rules: Rules) -> list[Measure]:
    """Drop measures that break down a total stated before them in the same
    paragraph (完成投资 7.55 亿元，为年度任务的 47%。其中，A 工程…为年度任务的
    31%): the total is the task's main measure."""
    words = rules["quantities"].get("breakdown_words", [])
    if len(measures) < 2 or not words:
        return measures
    kept = []
    for m in measures:
        text = row[m.source_field]
        line_start = text.rfind("\n", 0, m.position) + 1
        marks = [i for w in words for i in [text.rfind(w, line_start, m.position)] if i >= 0]
        mark = max(marks) if marks else -1
        is_part = mark >= 0 and any(
            other is not m and other.source_field == m.source_field and line_start <= other.position < mark
            for other in measures
        )
        if not is_part:
            kept.append(m)
    return kept or measures


def _with_growth(measures: list[Measure], growth: list[Measure]) -> list[Measure]:
    """The growth measures join the others, except a year-on-year change without a target
    rate when the row states a share of its plan: the amount's share of the year decides."""
    if any(m.kind in EXPLICIT_KINDS and m.decisive for m in measures):
        growth = [g for g in growth if g.target is not None or g.unit == "pts"]
    return measures + growth


def _decide(row: dict, rules: Rules, schedule: float, tolerance: float) -> tuple[Decision, list[Measure], Facts]:
    """Read the row's measures and completion phrases, flag weak or conflicting
    measures, then run :data:`src.classify.order.RULE_STEPS` in order (the ORDER OF
    DECISION at the top of status_rules.toml): the first step that decides wins."""
    schedule, deadline = deadline_schedule(row, rules, schedule)  # ROUND 12 judge13: the task's own deadline
    structured = structured_measures(row, rules)  # the table's number columns are read first
    growth = growth_measures(row, rules, schedule)
    if not any(g.value < 0 for g in growth):
        growth += decline_measures(row, rules, schedule)
    if not growth:  # ROUND 12 judge14: a decrease promised, a target relative to another place
        growth = relative_measures(row, rules, schedule)
    measures = structured or _with_growth(find_measures(row, rules) + budget_measures(row, rules), growth
                                          + year_end_forecast_measures(row, rules, schedule))
    deciding = structured or _deciding(measures, row, rules)
    review = []
    if not structured and deciding and _multi_year(row, rules):
        kept = [m for m in deciding if not _share_of_a_multi_year_total(m, row, rules)]
        if len(kept) < len(deciding):
            review.append("the task's target spans several years: a share of that total is not judged against "
                          "the year's schedule")
            deciding = kept
    if not structured:
        deciding = dated_measures(deciding, row, rules)
    facts = Facts(row, rules, schedule, tolerance, measures, review=review,
                  deciding=deciding,
                  completions=find_completion_cues(row, rules, row["_as_of"]),
                  targets=task_targets(row, rules))
    if deadline:
        review.append(f"judged against the task's own deadline '{deadline}': {schedule * 100:.1f}% due")
    measure_review(facts)
    for step in RULE_STEPS:
        decision = step(facts)
        if decision is not None:
            return _finish(decision, facts), measures, facts
    raise AssertionError("the last step always decides")  # pragma: no cover


def _multi_year(row: dict, rules: Rules) -> bool:
    """The task's target spans several years (2013—2017年, 到2025年) ending after the
    report year ([families.narrow_multi_year])."""
    pattern = rules.ready["multi_year"]
    year = row["_date"].year
    for match in pattern.finditer(row["task"]) if pattern is not None else ():
        first, last, reach = match.groups()
        if (first and last and int(last) > int(first) and int(last) >= year) or (reach and int(reach) > year):
            return True
    # [families.due_later_year]: the progress dates the whole task's end to a later year (为2027年底全面完成…)
    later = rules.family("due_later_year").get("pattern")
    return bool(later) and any(int(m.group("year")) > year for m in re.finditer(later, row["progress"]))


def _share_of_a_multi_year_total(m: Measure, row: dict, rules: Rules) -> bool:
    """A measure against the task's multi-year total: a task target paired with a count,
    M of N, or a share of the plan that does not name the year."""
    if m.kind in ("target-match", "x-of-y"):
        return True
    words = rules.family("narrow_multi_year").get("year_words", [])
    return m.kind in ("annual-share", "completion-rate") and not any(w in m.phrase for w in words)


def _finish(decision: Decision, f: Facts) -> Decision:
    """Flags that do not change the status: a delay, forecast or early stage next to a
    status that is not lagging, a completion phrase not counted, a borderline measure."""
    rules = f.rules
    if decision.status != "lagging":
        forecasts = f.cues(find_forecast_cues)
        early_due = [c for c in f.cues(find_early_stage_cues) if not c.weak]
        if forecasts or early_due:
            decision.review.append(f"'{(forecasts or early_due)[0].phrase}' but status {decision.status}")
        strong_delays = [c for c in f.cues(find_delay_cues) if not c.weak]
        if strong_delays:
            decision.review.append(f"delay phrase '{strong_delays[0].phrase}' but status {decision.status}")
        weak_delays = [c for c in f.cues(find_delay_cues) if c.weak]
        if weak_delays:
            decision.review.append(f"minor delay phrase '{weak_delays[0].phrase}'")
    # a delivery verb next to a count short of the target (已建成 8 个 of 10) is
    # no contradiction: the count says how far the delivery has got
    delivery_verbs = set(rules["completed"].get("delivery", {}).get("verbs", []))
    events = [c for c in f.one_off if c.phrase not in delivery_verbs] if f.short_of_target else f.one_off
    if (f.weak_completions or f.annual or events) and decision.status != "completed" \
            and decision.rule != "stated-on-track":
        cue = (f.annual or events or f.weak_completions)[0]
        decision.review.append(f"completion phrase '{cue.phrase}' not counted")
    if decision.rule.startswith("quantified") and not math.isnan(decision.ratio):
        if abs(decision.ratio * 100 - f.schedule * 100) < rules.borderline_pts:
            decision.review.append("deciding measure within the borderline band")
    review_signals(decision, f)
    off = rules.raw.get("review", {}).get("off", [])
    decision.review = [r for r in f.review + decision.review if not any(r.startswith(o) for o in off)]
    return decision


def review_signals(decision: Decision, f: Facts) -> None:
    """The review signals of ``[review]`` that read the decision itself: figures the rules
    did not read next to a word of a plan, a target or a fall (a default's status), and
    lagging decided only by counts paired with the task's targets."""
    review = f.rules.raw.get("review", {})
    progress = f.row["progress"]
    if decision.rule == DEFAULT_RULE and any(m in progress for m in review.get("unread_figure_marks", [])) and any(
            w in progress for w in review.get("unread_figure_words", [])):
        decision.review.append("figures the rules did not read, next to a word of a plan, a target or a fall")
    if review.get("arithmetic_conflicts") and decision.rule in ARITHMETIC_RULES:
        conflict = _status_word_against(decision, f)
        if conflict:
            decision.review.append(f"arithmetic says {decision.status}, the cell says '{conflict}'")
    if (review.get("flag_lagging_by_pairs") and decision.rule == "quantified-below-schedule" and f.deciding
            and all(m.kind in DERIVED_KINDS for m in f.deciding)):
        decision.review.append("lagging judged only on counts paired with the task's targets")
    decision.review.extend(date_signals(decision, f))


# the rules that decide by arithmetic (numbers against a target or the schedule)
ARITHMETIC_RULES = ("quantified-below-schedule", "quantified-on-schedule", "target-met")


def _status_word_against(decision: Decision, f: Facts) -> str:
    """A status word of the progress cell that says otherwise than the arithmetic (the phrase), or
    "": lagging beside an on-schedule or a done phrase; completed or on-track beside a delay, a
    forecast of a miss or an early stage due; on-track beside the year's task said done. An
    on-schedule phrase counts against lagging only when it names the schedule or a smooth course
    (``[review].conflict_on_track_marks``: 序时, 顺利 …), not a generic 加快推进."""
    if decision.status == "lagging":
        marks = f.rules.raw.get("review", {}).get("conflict_on_track_marks", [])
        words = [c for c in f.cues(find_on_track_cues) if any(m in c.phrase for m in marks)] + f.annual + f.only
        return words[0].phrase if words else ""
    against = ([c for c in f.cues(find_delay_cues)] + f.cues(find_forecast_cues)
               + [c for c in f.cues(find_early_stage_cues) if not c.weak])
    if decision.status == "on-track" and not against:
        against = f.annual + f.only
    return against[0].phrase if against else ""


_EMPTY_MAX_CHARS = 12  # a longer cell reports something (empty values and 未报送 words are short)


def _empty(text: str, rules: Rules) -> bool:
    """A cell that reports nothing: empty, a dash, 无, 未报送 …"""
    text = text.strip()
    if not text:
        return True
    if len(text) > _EMPTY_MAX_CHARS:
        return says_not_yet_available(text, rules)  # 统计数据尚未发布: [families.not_yet_published]
    stripped = strip_for_only(text)
    if not stripped and not any(ch.isdigit() for ch in text):
        return True
    families = rules.raw.get("families", {})
    values = [*families.get("not_reported", {}).get("values", []), *families.get("no_data_yet", {}).get("values", [])]
    return stripped in rules.ready["empty_values"] or stripped in values or says_not_yet_available(text, rules)


_LOWER = {"high": "medium", "medium": "low", "low": "low"}


def confidence_of(decision: Decision, gap: float, rules: Rules, schedule: float = 0.5) -> dict:
    """``confidence`` (high / medium / low), its plain-Chinese reason (in words
    that fit the report date: 序时进度 during the year, 年度目标 at its end), and
    ``no_clear_statement`` (on-track only because nothing was said)."""
    level, reason = rules["confidence"].get(decision.rule, ("medium", "按规则判断"))  # status_rules.toml [confidence]
    if decision.rule.startswith("quantified") and not math.isnan(gap):
        side = "低于" if gap < 0 else "高于"
        if schedule >= 1:
            reason = f"年末量化完成量{side}年度目标{abs(gap):.1f}个百分点" if gap < 0 else "年末量化完成量达到年度目标"
        else:
            reason = f"量化进度{side}序时进度（{schedule * 100:.1f}%）{abs(gap):.1f}个百分点"
        if abs(gap) < rules.borderline_pts:
            level, reason = "medium", reason + "（接近临界线）"
    if decision.review:
        level = _LOWER[level]
        reason += "；另有需复核的情况"
    return {"confidence": level, "confidence_reason": reason, "no_clear_statement": decision.rule == DEFAULT_RULE,
            "by_default": decision.rule == DEFAULT_RULE}


@dataclass(frozen=True)
class TableContext:
    """What every row of one table is judged with: the rules, the office profile, the
    report date (as given, as a date, and its elapsed share) and the tolerance band."""

    rules: object
    office: object
    as_of: object
    report_date: object
    schedule: float
    tolerance: float


def judge_rows(records, table: TableContext) -> list[dict]:
    """The status columns of each row (a tuple of ``TEXT_FIELDS`` values), in order.
    Each row is judged on its own text alone: any split of the rows gives the same result."""
    rules, office, as_of, report_date = table.rules, table.office, table.as_of, table.report_date
    schedule, tolerance = table.schedule, table.tolerance
    model, settings = load_model(), feature_settings()  # the review model's files, read once per table
    rows = []
    for record in records:
        original = {name: cell_text(value) for name, value in zip(ROW_FIELDS, record)}
        # traditional characters judged in simplified ones (same length); evidence given back as written
        row = {name: to_simplified(text) if text else text for name, text in original.items()}
        row["_as_of"] = as_of
        row["_date"] = report_date  # as_of as a date, and its elapsed share: worked out once per table
        row["_schedule"] = schedule
        unreported = _empty(row["progress"], rules) and not has_numbers(row)
        facts = None  # what the rules read (the review model's features); none for 未报送
        if unreported and all(_empty(row[name], rules) for name in ("problems", "next_steps")):
            decision, measures = Decision(NOT_REPORTED, NOT_REPORTED_RULE, ""), []
        else:
            decision, measures, facts = _decide(row, rules, schedule, tolerance)
            if unreported and decision.rule == DEFAULT_RULE:  # nothing reported and no rule fired
                decision = Decision(NOT_REPORTED, NOT_REPORTED_RULE, "")
        evidence = original_evidence(decision.evidence, row, original)
        if decision.measure is not None and decision.measure.note and decision.measure.note not in evidence:
            evidence += decision.measure.note  # the numbers compared (worked out, not in the row)
        ratio = decision.ratio
        yardstick = facts.schedule if facts is not None else schedule  # ROUND 12 judge13: the task's own deadline
        gap = ratio * 100 - yardstick * 100 if not math.isnan(ratio) else float("nan")
        m = decision.measure
        confidence = confidence_of(decision, gap, rules, yardstick)
        rows.append({
            "status": decision.status,
            "status_evidence": evidence,
            "status_rule": decision.rule,
            "progress_ratio": round(ratio, 6) if not math.isnan(ratio) else float("nan"),
            "schedule_gap_pts": round(gap, 4) if not math.isnan(gap) else float("nan"),
            "progress_items": [m.as_item() for m in measures],
            "needs_review": bool(decision.review),
            "review_reason": "; ".join(dict.fromkeys(decision.review)),
            **confidence,
            "review_model_p": review_model_p(facts, decision, confidence["confidence"], model, settings),
            "gap": round(gap, 4) if not math.isnan(gap) else float("nan"),
            "measure_target": float(m.target) if m is not None and m.target is not None else float("nan"),
            "measure_actual": float(m.value) if m is not None else float("nan"),
            "measure_unit": m.unit if m is not None else "",
            "measure_share": round(m.ratio * 100, 4) if m is not None and m.ratio is not None else float("nan"),
            "items_total": decision.items[0],
            "items_behind": decision.items[1],
            "lag_tier": office.lag_tier(decision.status, gap),
            "profile": office.name,
        })
    return rows


def classify_tasks(df: pd.DataFrame, as_of, *, rules=None, tolerance_pts=None, profile=None) -> pd.DataFrame:
    """Return ``df`` with the status columns added (see ``STATUS_COLUMNS``).

    ``as_of`` (required): the report date, a date or "YYYY-MM-DD"; it sets the
    elapsed share of the year (序时进度) every measure is judged against.
    ``profile``: the office profile (``None`` → the strict default; a name in
    ``data/reference/profiles/``, a path or a dict; see :mod:`.profiles`): its
    tolerance band and lag tiers. ``tolerance_pts`` overrides the profile's band
    for one run. Only ``task`` and ``progress`` are required; a table without
    ``problems`` / ``next_steps`` (other offices' rows) reads them as empty.

    * ``status`` – one of ``completed``, ``on-track``, ``lagging``;
    * ``status_evidence`` – verbatim phrase of the row that decided it (a cut
      at either end is marked "…"; without the "…" it is a substring of the row);
    * ``status_rule`` – explicit-completed, target-met, one-off-completed,
      quantified-below-schedule, quantified-on-schedule, stated-delay,
      stated-pending, stated-forecast, stated-not-started, stated-milestone,
      stated-on-track, stated-over-fulfilment, stated-growth-behind, stated-growth-met, stated-delivered,
      default-on-track or not-reported;
    * ``progress_ratio`` – fraction of the annual target done by the deciding
      measure (the median one of the winning side), NaN when no measure decides;
      for measures against the schedule itself (a gap stated in points, a share
      of 序时进度, the row's own milestone) it is the schedule-equivalent share,
      so that ratio against the elapsed share always gives the status;
    * ``schedule_gap_pts`` – ``progress_ratio*100 - elapsed_share(as_of)*100``;
    * ``progress_items`` – every quantified measure found (phrase, value, unit,
      target, ratio, source_field, kind, decisive);
    * ``needs_review`` / ``review_reason`` – weak or conflicting evidence;
    * ``confidence`` (high / medium / low) and ``confidence_reason`` (plain
      Chinese: why the status is as sure as it is);
    * ``no_clear_statement`` – True when the task is on-track only because its
      progress states neither a number nor a clear word (reports count these
      apart: "其中 N 项进展表述中未见量化进度或明确表述");
    * ``lag_tier`` – for a lagging task, the profile's severity tier by the gap
      to the schedule (e.g. yellow / red; "unquantified" when no number); ""
      otherwise or when the profile defines no tiers;
    * ``profile`` – the name of the office profile used;
    * ``status_source`` = ``rule``, ``override_reason`` = "", ``rule_status``
      = ``status`` (changed by :func:`apply_overrides`), ``rules_version``.
    """
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        raise ValueError("classify_tasks: 需要报告日期 as_of（如 as_of=\"2020-06-30\"）/ the report date as_of is required")
    rules = load_rules(rules)
    office = load_profile(profile)
    schedule = elapsed_share(as_of)
    report_date = to_date(as_of)
    if tolerance_pts is not None:
        tolerance = float(tolerance_pts)
    elif office.tolerance_pts is not None:
        tolerance = office.tolerance_pts
    else:
        tolerance = rules.tolerance_pts
    missing = [c for c in REQUIRED_TEXT_FIELDS if c not in df.columns]
    if missing:
        raise ValueError(f"classify_tasks: 任务表缺少文本列 {missing} / the table lacks the text column(s) {missing}")
    df_texts = df.assign(**target_fields(df))  # the parser's 年度目标 / period plan columns as `target`
    df_texts = df_texts.assign(**{c: "" for c in ROW_FIELDS if c not in df_texts.columns})
    texts = df_texts[list(ROW_FIELDS)]
    # column by column (as itertuples walks them, but without a tuple object per row)
    records = list(zip(*(texts.iloc[:, k].tolist() for k in range(texts.shape[1]))))
    table = TableContext(rules, office, as_of, report_date, schedule, tolerance)
    rows = judge_rows(records, table)
    added = pd.DataFrame(rows, index=df.index, columns=list(STATUS_COLUMNS[:STATUS_COLUMNS.index("profile") + 1]))
    out = df.drop(columns=[c for c in STATUS_COLUMNS if c in df.columns]).copy()
    for column in added.columns:
        out[column] = added[column]
    out["progress_ratio"] = out["progress_ratio"].astype("float64")
    out["schedule_gap_pts"] = out["schedule_gap_pts"].astype("float64")
    out["needs_review"] = out["needs_review"].astype(bool)
    out["no_clear_statement"] = out["no_clear_statement"].astype(bool)
    out["by_default"] = out["by_default"].astype(bool)
    for column in ("gap", "measure_target", "measure_actual", "measure_share", "review_model_p"):
        out[column] = out[column].astype("float64")
    out["items_total"] = out["items_total"].astype("int64")
    out["items_behind"] = out["items_behind"].astype("int64")
    out.attrs["by_default"] = int(out["by_default"].sum())
    out.attrs["not_reported"] = int((out["status"] == NOT_REPORTED).sum())
    out["status_source"] = "rule"
    out["override_reason"] = ""
    out["override_reviewer"] = ""
    out["override_date"] = ""
    out["rule_evidence"] = out["status_evidence"]
    out["rule_status"] = out["status"]
    out["rules_version"] = rules.version
    out = out[[c for c in out.columns if c not in STATUS_COLUMNS] + list(STATUS_COLUMNS)]
    out.attrs["elapsed_share"] = schedule
    out.attrs["rules_version"] = rules.version
    out.attrs["profile"] = office.name
    out.attrs["profile_label"] = office.label
    return out
