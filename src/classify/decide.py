"""Stage 5, decision: weigh a row's measures and cues in the order documented
at the top of ``status_rules.toml`` (:func:`_decide`), and add the status
columns to a task table (:func:`classify_tasks`)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from src.classify.arithmetic import (
    growth_measures,
    has_numbers,
    original_evidence,
    over_fulfilment,
    stated_growth_behind,
    stated_growth_on_track,
    structured_measures,
    to_simplified,
)
from src.classify.columns import (
    DEFAULT_RULE,
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
from src.classify.measures import (
    DERIVED_KINDS,
    EXPLICIT_KINDS,
    SCHEDULE_KINDS,
    Measure,
    actuals_of,
    find_measures,
    task_targets,
)
from src.classify.parallel import judge_in_parallel, parallel_workers
from src.classify.profiles import load_profile
from src.classify.rules import Rules, load_rules
from src.classify.schedule import elapsed_share, to_date
from src.classify.spans import cell_text, first_clause, month_number, sentence_of, strip_for_only


@dataclass
class Decision:
    status: str
    rule: str
    evidence: str
    ratio: float = float("nan")
    review: list = field(default_factory=list)
    measure: Measure | None = None  # the deciding measure (its gap is the one shown, never the most favourable)
    items: tuple = (0, 0)  # multi-item rows: (measures weighed, of them below the schedule)


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


def _starts_on_schedule(row: dict, rules: Rules, below: list, schedule: float) -> bool:
    """True when the row counts works started at or above the schedule (开工率
    80%, or a count started against the same target) next to measures below it."""
    text = row["progress"]
    if any(float(rate) >= schedule * 100 for rate in rules.ready["start_rate"].findall(text)):
        return True
    starts = [q for q in actuals_of(row, "progress", rules) if q.starts_works]
    return any(q.unit == m.unit and m.target and q.value / m.target >= schedule for q in starts for m in below)


def _representative(measures: list[Measure]) -> Measure:
    """The median measure of a group (lower median), in reading order on ties."""
    ordered = sorted(measures, key=lambda m: (m.ratio, m.position))
    return ordered[(len(ordered) - 1) // 2]


def _decide(row: dict, rules: Rules, schedule: float, tolerance: float) -> tuple[Decision, list[Measure]]:
    """Apply the rules in order (see the header of status_rules.toml)."""
    structured = structured_measures(row, rules)  # the table's number columns are read first
    measures = structured or _with_growth(find_measures(row, rules), growth_measures(row, rules, schedule))
    deciding = structured or _deciding(measures, row, rules)
    completions = find_completion_cues(row, rules, row["_as_of"])
    # the delay, forecast, early-stage and on-track phrases are looked for when
    # first needed: a row decided by its measures as lagging needs none of them
    found: dict = {}

    def cues(finder) -> list:
        if finder not in found:
            found[finder] = finder(row, rules)
        return found[finder]

    def on_schedule(m: Measure) -> bool:
        return m.ratio * 100 - schedule * 100 >= -tolerance

    below = [m for m in deciding if not on_schedule(m)]
    at_or_above = [m for m in deciding if on_schedule(m)]
    review: list[str] = []
    if below and at_or_above:
        review.append("measures on both sides of the schedule")
    physical = [m for m in measures if m.kind == "physical" and m.ratio is not None]
    report_month = row["_date"].month
    period = rules.ready["period_month"]
    for m in deciding if period else []:
        text = row[m.source_field]
        months = [month_number(a or b) for a, b in period.findall(sentence_of(text, m.position, m.position))]
        months = [n for n in months if 0 < n < report_month]
        if months and m.ratio is not None and m.kind not in SCHEDULE_KINDS:
            own = months[-1] / 12
            if on_schedule(m) != (m.ratio * 100 - own * 100 >= -tolerance):
                review.append(f"measure dated to month {months[-1]}: against that month's schedule it would flip")
                break
    if any(m.kind == "milestone" for m in deciding):
        review.append("judged against the row's own milestone (节点目标), not the elapsed share of the year")
    if any(m.adjusted for m in deciding):
        review.append("annual target adjusted in the row (调整目标): judged against the adjusted target")
    if any(m.ambiguous for m in deciding):
        review.append("a task target was paired with one of several counts in the same sentence")
    if deciding and physical and (
        (len(below) > len(at_or_above) and all(p.ratio >= schedule for p in physical))
        or (len(below) < len(at_or_above) and all(p.ratio < schedule for p in physical))
    ):
        review.append("works-progress figures point the other way")

    targets = task_targets(row, rules)
    money = set(rules["quantities"].get("money_units", []))
    money_words = rules.words("quantities", "money_words", [])
    if deciding and any(m.ratio < 1 for m in deciding) and all(
            m.unit in money or money_words.found_in(m.phrase) for m in deciding) and targets and not any(
            t.unit in money for t in targets):  # the task promises a measure, and not money
        review.append("judged on money spent; the task promises another measure")
    matched_units = [m.unit for m in measures if m.kind == "target-match"]
    if any(m.kind == "target-match" for m in deciding) and any(
            sum(t.unit == unit for t in targets) > max(1, matched_units.count(unit)) for unit in set(matched_units)):
        review.append("the task states several targets in the same unit, not all of them answered")
    if below and len(below) >= len(at_or_above) and _starts_on_schedule(row, rules, below, schedule):
        review.append("works started on schedule while completions lag (a schedule that is not linear?)")
    only = [c for c in completions if c.kind == "completed-only"]
    annual = [c for c in completions if c.kind == "completed"]
    one_off = [c for c in completions if c.kind == "one-off"]
    weak_completions = [c for c in completions if c.kind == "weak-completed"]
    short_of_target = [m for m in deciding if m.ratio < 1]
    delivery_verbs = set(rules["completed"].get("delivery", {}).get("verbs", []))

    def finish(decision: Decision) -> tuple[Decision, list[Measure]]:
        if decision.status != "lagging":
            forecasts = cues(find_forecast_cues)
            early_due = [c for c in cues(find_early_stage_cues) if not c.weak]
            if forecasts or early_due:
                decision.review.append(f"'{(forecasts or early_due)[0].phrase}' but status {decision.status}")
            strong_delays = [c for c in cues(find_delay_cues) if not c.weak]
            if strong_delays:
                decision.review.append(f"delay phrase '{strong_delays[0].phrase}' but status {decision.status}")
            weak_delays = [c for c in cues(find_delay_cues) if c.weak]
            if weak_delays:
                decision.review.append(f"minor delay phrase '{weak_delays[0].phrase}'")
        # a delivery verb next to a count short of the target (已建成 8 个 of 10) is
        # no contradiction: the count says how far the delivery has got
        events = [c for c in one_off if c.phrase not in delivery_verbs] if short_of_target else one_off
        if (weak_completions or annual or events) and decision.status != "completed" and decision.rule != "stated-on-track":
            cue = (annual or events or weak_completions)[0]
            decision.review.append(f"completion phrase '{cue.phrase}' not counted")
        if decision.rule.startswith("quantified") and not math.isnan(decision.ratio):
            if abs(decision.ratio * 100 - schedule * 100) < rules.borderline_pts:
                decision.review.append("deciding measure within the borderline band")
        decision.review = review + decision.review
        return decision, measures

    def with_ratio(decision: Decision) -> Decision:
        if deciding and math.isnan(decision.ratio):
            decision.measure = _representative(deciding)
            decision.ratio = decision.measure.ratio
        return decision

    # 1. explicit completion
    if only:
        if short_of_target:
            review.append("next steps say 已完成 but a measure is below 100%")
        return finish(with_ratio(Decision("completed", "explicit-completed", only[0].evidence)))
    if annual and not short_of_target:
        return finish(with_ratio(Decision("completed", "explicit-completed", annual[0].evidence)))
    if annual:
        review.append("completion phrase contradicted by a measure below 100%")
    # 1b. a stated over-fulfilment (超额完成, 完成率 125%) beats counts paired from the task
    #     text (the promised figure read as the actual), not a share the row states itself
    over = over_fulfilment(row, rules)
    if over and not any(m.ratio < 1 for m in deciding if m.kind in EXPLICIT_KINDS):
        if short_of_target:
            review.append("over-fulfilment stated; a count paired with the task's target says otherwise")
        return finish(Decision("completed", "stated-over-fulfilment", over))
    # 2. every target-bearing measure met
    target_bearing = [m for m in deciding if m.kind != "x-of-y" and m.kind not in SCHEDULE_KINDS]
    task_matches = [m for m in measures if m.kind == "target-match"]
    unmatched_targets = bool(task_matches) and len(targets) > len(task_matches)
    if unmatched_targets and all(m.ratio >= 1 for m in deciding):
        review.append("task states more numeric targets than the progress reports")
    if (target_bearing and len(target_bearing) == len(deciding) and all(m.ratio >= 1 for m in deciding)
            and not unmatched_targets):
        smallest = min(deciding, key=lambda m: (m.ratio, m.position))
        items = (len(deciding), 0) if len(deciding) > 1 else (0, 0)
        return finish(Decision("completed", "target-met", smallest.phrase, smallest.ratio, measure=smallest, items=items))
    # 3. one-off deliverable done
    if one_off and not short_of_target:
        return finish(with_ratio(Decision("completed", "one-off-completed", one_off[0].evidence)))
    # 4. quantified against the schedule
    if deciding:
        items = (len(deciding), len(below)) if len(deciding) > 1 else (0, 0)
        if len(below) > len(at_or_above):
            m = _representative(below)
            return finish(_quantified("lagging", m, items, schedule))
        if len(below) == len(at_or_above):
            review.append("measures split evenly; tie-break applied")
            if rules.majority_tie == "lagging":
                m = _representative(below)
                return finish(_quantified("lagging", m, items, schedule))
        # the least favourable measure that still decides on-track, never the most favourable
        m = min(at_or_above, key=lambda x: (x.ratio, x.position))
        return finish(_quantified("on-track", m, items, schedule))
    # 5. a forecast that the target will be missed
    forecasts = cues(find_forecast_cues)
    if forecasts:
        return finish(Decision("lagging", "stated-forecast", forecasts[0].evidence))
    # 5a. stated delay
    strong_delays = [c for c in cues(find_delay_cues) if not c.weak]
    on_track = cues(find_on_track_cues)
    if strong_delays:
        cue = strong_delays[0]
        if on_track:
            review.append(f"on-schedule phrase '{on_track[0].phrase}' next to a delay phrase")
        return finish(Decision("lagging", "stated-delay" if cue.kind == "delay" else "stated-pending", cue.evidence))
    growth_behind = stated_growth_behind(row, rules)
    if growth_behind:
        return finish(Decision("lagging", "stated-growth-behind", growth_behind))
    # 5b. not started, or still at an early stage, when the work is due
    early = cues(find_early_stage_cues)
    early_due = [c for c in early if not c.weak]
    if early_due:
        return finish(Decision("lagging", "stated-not-started", early_due[0].evidence))
    if early and not on_track:
        review.append(f"early stage '{early[0].phrase}' but the due date cannot be told")
        return finish(Decision("on-track", "stated-early-stage", early[0].evidence))
    # 6. stated on-track (a node met is on-track too, never completed)
    if on_track:
        cue = on_track[0]
        return finish(Decision("on-track", "stated-milestone" if cue.kind == "milestone" else "stated-on-track", cue.evidence))
    # 7. a partial delivery or completion (主体已完工, 基本建成): a clear word of
    #    progress short of done
    if weak_completions:
        return finish(Decision("on-track", "stated-on-track", weak_completions[0].evidence))
    growth_met = stated_growth_on_track(row, rules)
    if growth_met:
        return finish(Decision("on-track", "stated-growth-met", growth_met))
    # 8. default
    if targets or any((row.get(name) or "").strip() for name in ("target",)):
        review.append("quantified task without a measure or a clear word in the progress")
    if report_month >= int(rules["schedule"].get("year_end_month", 12)):
        review.append("year-end report without a clear word of completion or delay")
    evidence = first_clause(row["progress"]) or first_clause(row["task"])
    return finish(Decision("on-track", "default-on-track", evidence))


def _quantified(status: str, m: Measure, items: tuple, schedule: float) -> Decision:
    """A quantified decision; a multi-item row states how many of its items are
    behind ("6 项中 3 项低于序时进度：…") before the deciding measure's phrase."""
    rule = "quantified-below-schedule" if status == "lagging" else "quantified-on-schedule"
    evidence = m.phrase
    total, behind = items
    if total > 1:
        line = "年度目标" if schedule >= 1 else "序时进度"
        evidence = f"{total} 项中 {behind} 项低于{line}：{m.phrase}"
    return Decision(status, rule, evidence, m.ratio, measure=m, items=items)


_EMPTY_MAX_CHARS = 12  # a longer cell reports something (empty values and 未报送 words are short)


def _empty(text: str, rules: Rules) -> bool:
    """A cell that reports nothing: empty, a dash, 无, 未报送 …"""
    text = text.strip()
    if not text:
        return True
    if len(text) > _EMPTY_MAX_CHARS:
        return False
    stripped = strip_for_only(text)
    if not stripped and not any(ch.isdigit() for ch in text):
        return True
    values = rules.raw.get("families", {}).get("not_reported", {}).get("values", [])
    return stripped in rules.ready["empty_values"] or stripped in values


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
    rows = []
    for record in records:
        original = {name: cell_text(value) for name, value in zip(TEXT_FIELDS + NUMBER_FIELDS, record)}
        # traditional characters judged in simplified ones (same length); evidence given back as written
        row = {name: to_simplified(text) for name, text in original.items()}
        row["_as_of"] = as_of
        row["_date"] = report_date  # as_of as a date, and its elapsed share: worked out once per table
        row["_schedule"] = schedule
        unreported = _empty(row["progress"], rules) and not has_numbers(row)
        if unreported and all(_empty(row[name], rules) for name in ("problems", "next_steps")):
            decision, measures = Decision(NOT_REPORTED, NOT_REPORTED_RULE, ""), []
        else:
            decision, measures = _decide(row, rules, schedule, tolerance)
            if unreported and decision.rule == DEFAULT_RULE:  # nothing reported and no rule fired
                decision = Decision(NOT_REPORTED, NOT_REPORTED_RULE, "")
        evidence = original_evidence(decision.evidence, row, original)
        ratio = decision.ratio
        gap = ratio * 100 - schedule * 100 if not math.isnan(ratio) else float("nan")
        m = decision.measure
        rows.append({
            "status": decision.status,
            "status_evidence": evidence,
            "status_rule": decision.rule,
            "progress_ratio": round(ratio, 6) if not math.isnan(ratio) else float("nan"),
            "schedule_gap_pts": round(gap, 4) if not math.isnan(gap) else float("nan"),
            "progress_items": [m.as_item() for m in measures],
            "needs_review": bool(decision.review),
            "review_reason": "; ".join(dict.fromkeys(decision.review)),
            **confidence_of(decision, gap, rules, schedule),
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


def classify_tasks(df: pd.DataFrame, as_of, *, rules=None, tolerance_pts=None, profile=None,
                   workers: int | None = None) -> pd.DataFrame:
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
      stated-on-track or default-on-track;
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

    ``workers``: processes that judge the rows (each row on its own, so the result
    is the same); ``None`` → every core for a large table (see
    :func:`src.classify.parallel.parallel_workers`), 1 → this process only.
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
    if "target" not in df.columns and "annual_target" in df.columns:  # the parser's name for 年度目标
        df = df.assign(target=df["annual_target"])
        df_texts = df.assign(**{c: "" for c in TEXT_FIELDS + NUMBER_FIELDS if c not in df.columns})
        df = df.drop(columns=["target"])
    else:
        df_texts = df.assign(**{c: "" for c in TEXT_FIELDS + NUMBER_FIELDS if c not in df.columns})
    texts = df_texts[list(TEXT_FIELDS + NUMBER_FIELDS)]
    # column by column (as itertuples walks them, but without a tuple object per row)
    records = list(zip(*(texts.iloc[:, k].tolist() for k in range(texts.shape[1]))))
    table = TableContext(rules, office, as_of, report_date, schedule, tolerance)
    rows = judge_in_parallel(records, table, workers) if parallel_workers(len(records), workers) > 1 \
        else judge_rows(records, table)
    added = pd.DataFrame(rows, index=df.index, columns=list(STATUS_COLUMNS[:STATUS_COLUMNS.index("profile") + 1]))
    out = df.drop(columns=[c for c in STATUS_COLUMNS if c in df.columns]).copy()
    for column in added.columns:
        out[column] = added[column]
    out["progress_ratio"] = out["progress_ratio"].astype("float64")
    out["schedule_gap_pts"] = out["schedule_gap_pts"].astype("float64")
    out["needs_review"] = out["needs_review"].astype(bool)
    out["no_clear_statement"] = out["no_clear_statement"].astype(bool)
    out["by_default"] = out["by_default"].astype(bool)
    for column in ("gap", "measure_target", "measure_actual", "measure_share"):
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
