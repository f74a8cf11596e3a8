"""Stage 5a, the decision steps: what is known of one row (:class:`Facts`), the
review flags its measures raise (:func:`measure_review`), and the rules of
decision as an ordered list of functions (:data:`src.classify.order.RULE_STEPS`; the seventh round's in
`late_steps.py`), one per step of
the ORDER OF DECISION at the top of ``status_rules.toml``: the first step that
returns a :class:`Decision` decides."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from src.classify.arithmetic import over_fulfilment, stated_growth_behind, stated_growth_on_track
from src.classify.cues import find_delay_cues, find_early_stage_cues, find_forecast_cues, find_on_track_cues, names_a_node
from src.classify.measures import EXPLICIT_KINDS, SCHEDULE_KINDS, Measure, actuals_of
from src.classify.quantities import quantities_in
from src.classify.relations import period_plan_month
from src.classify.rules import Rules
from src.classify.spans import (
    CLAUSE_SEPS,
    SENTENCE_SEPS,
    bound_left,
    bound_right,
    evidence_phrase,
    first_clause,
    month_number,
    sentence_of,
    strip_for_only,
)


@dataclass
class Decision:
    status: str
    rule: str
    evidence: str
    ratio: float = float("nan")
    review: list = field(default_factory=list)
    measure: Measure | None = None  # the deciding measure (its gap is the one shown, never the most favourable)
    items: tuple = (0, 0)  # multi-item rows: (measures weighed, of them below the schedule)


@dataclass
class Facts:
    """One row and what was read from it, shared by the steps. The cue phrases are
    looked for when a step first needs them (:meth:`cues`): a row decided by its
    measures needs none of them."""

    row: dict
    rules: Rules
    schedule: float
    tolerance: float
    measures: list
    deciding: list
    completions: list
    targets: list
    review: list = field(default_factory=list)
    found: dict = field(default_factory=dict)

    def __post_init__(self):
        if _narrowing(self.rules, "arith_restated_count", "restated_is_no_measure"):
            # the task's own figure repeated is no measure of progress at all
            self.deciding = [m for m in self.deciding if not restated_target(m, self)]
        self.below = [m for m in self.deciding if not self.on_schedule(m)]
        self.at_or_above = [m for m in self.deciding if self.on_schedule(m)]
        self.only = [c for c in self.completions if c.kind == "completed-only"]
        self.annual = [c for c in self.completions if c.kind == "completed"]
        self.one_off = [c for c in self.completions if c.kind == "one-off"]
        self.weak_completions = [c for c in self.completions if c.kind == "weak-completed"]
        self.short_of_target = [m for m in self.deciding if m.ratio < 1]

    def on_schedule(self, m: Measure) -> bool:
        return m.ratio * 100 - self.schedule * 100 >= -self.tolerance

    def cues(self, finder) -> list:
        if finder not in self.found:
            self.found[finder] = finder(self.row, self.rules)
        return self.found[finder]

    def with_ratio(self, decision: Decision) -> Decision:
        """The decision, carrying the median deciding measure when it has none of its own."""
        if self.deciding and math.isnan(decision.ratio):
            decision.measure = representative(self.deciding)
            decision.ratio = decision.measure.ratio
        return decision


def representative(measures: list[Measure]) -> Measure:
    """The median measure of a group (lower median), in reading order on ties."""
    ordered = sorted(measures, key=lambda m: (m.ratio, m.position))
    return ordered[(len(ordered) - 1) // 2]


def quantified(status: str, m: Measure, items: tuple, schedule: float) -> Decision:
    """A quantified decision; a multi-item row states how many of its items are
    behind ("6 项中 3 项低于序时进度：…") before the deciding measure's phrase."""
    rule = "quantified-below-schedule" if status == "lagging" else "quantified-on-schedule"
    evidence = m.phrase
    total, behind = items
    if total > 1:
        line = "年度目标" if schedule >= 1 else "序时进度"
        evidence = f"{total} 项中 {behind} 项低于{line}：{m.phrase}"
    return Decision(status, rule, evidence, m.ratio, measure=m, items=items)


# --------------------------------------------------------------------------
# review flags of the measures (before any step decides)
# --------------------------------------------------------------------------
def measure_review(f: Facts) -> None:
    """Flags for weak or conflicting quantified evidence, whatever step decides."""
    row, rules, deciding, below, at_or_above = f.row, f.rules, f.deciding, f.below, f.at_or_above
    review = f.review
    if below and at_or_above:
        review.append("measures on both sides of the schedule")
    physical = [m for m in f.measures if m.kind == "physical" and m.ratio is not None]
    report_month = row["_date"].month
    period = rules.ready["period_month"]
    for m in deciding if period else []:
        text = row[m.source_field]
        months = [month_number(a or b) for a, b in period.findall(sentence_of(text, m.position, m.position))]
        months = [n for n in months if 0 < n < report_month]
        if months and m.ratio is not None and m.kind not in SCHEDULE_KINDS:
            if f.on_schedule(m) != (m.ratio * 100 - months[-1] / 12 * 100 >= -f.tolerance):
                review.append(f"measure dated to month {months[-1]}: against that month's schedule it would flip")
                break
    if any(m.kind == "milestone" and not m.note for m in deciding):  # a worked-out yardstick states itself
        review.append("judged against the row's own milestone (节点目标), not the elapsed share of the year")
    if any(m.adjusted for m in deciding):
        review.append("annual target adjusted in the row (调整目标): judged against the adjusted target")
    if any(m.ambiguous for m in deciding):
        review.append("a task target was paired with one of several counts in the same sentence")
    if deciding and physical and (
        (len(below) > len(at_or_above) and all(p.ratio >= f.schedule for p in physical))
        or (len(below) < len(at_or_above) and all(p.ratio < f.schedule for p in physical))
    ):
        review.append("works-progress figures point the other way")
    money = set(rules["quantities"].get("money_units", []))
    money_words = rules.words("quantities", "money_words", [])
    if deciding and any(m.ratio < 1 for m in deciding) and all(
            m.unit in money or money_words.found_in(m.phrase) for m in deciding) and f.targets and not any(
            t.unit in money for t in f.targets):  # the task promises a measure, and not money
        review.append("judged on money spent; the task promises another measure")
    matched_units = [m.unit for m in f.measures if m.kind == "target-match"]
    if any(m.kind == "target-match" for m in deciding) and any(
            sum(t.unit == unit for t in f.targets) > max(1, matched_units.count(unit)) for unit in set(matched_units)):
        review.append("the task states several targets in the same unit, not all of them answered")
    if below and len(below) >= len(at_or_above) and _starts_on_schedule(f):
        review.append("works started on schedule while completions lag (a schedule that is not linear?)")


def _starts_on_schedule(f: Facts) -> bool:
    """True when the row counts works started at or above the schedule (开工率
    80%, or a count started against the same target) next to measures below it."""
    text = f.row["progress"]
    if any(float(rate) >= f.schedule * 100 for rate in f.rules.ready["start_rate"].findall(text)):
        return True
    starts = [q for q in actuals_of(f.row, "progress", f.rules) if q.starts_works]
    return any(q.unit == m.unit and m.target and q.value / m.target >= f.schedule for q in starts for m in f.below)


# --------------------------------------------------------------------------
# the steps, in the ORDER OF DECISION of status_rules.toml
# --------------------------------------------------------------------------
def _narrowing(rules: Rules, family: str, key: str):
    """A narrowing switch of ``[families.<family>]`` (False / empty when switched off)."""
    return rules.family(family).get(key)


def _about_a_node(cue, rules: Rules) -> bool:
    """A completion phrase whose clause names a node or period target (超额完成了节点任务)."""
    text = cue if isinstance(cue, str) else cue.evidence
    year_words = _narrowing(rules, "narrow_node_completion", "year_words") or []
    return (bool(_narrowing(rules, "narrow_node_completion", "node_not_completed")) and names_a_node(text, rules)
            and not any(w in text for w in year_words))


def explicit_completed(f: Facts) -> Decision | None:
    """1. The next steps (or the progress's first sentence) say only 已完成, or the
    progress says the year's target is met, unless a measure below 100% contradicts it."""
    f.annual = [c for c in f.annual if not _about_a_node(c, f.rules)]
    if f.only:
        if f.short_of_target:
            f.review.append("next steps say 已完成 but a measure is below 100%")
        return f.with_ratio(Decision("completed", "explicit-completed", f.only[0].evidence))
    if f.annual and not f.short_of_target:
        return f.with_ratio(Decision("completed", "explicit-completed", f.annual[0].evidence))
    if f.annual:
        f.review.append("completion phrase contradicted by a measure below 100%")
    return None


def stated_over_fulfilment(f: Facts) -> Decision | None:
    """2. A stated over-fulfilment (超额完成, 完成率 125%) beats counts paired from the
    task text (the promised figure read as the actual), not a share the row states itself."""
    over = over_fulfilment(f.row, f.rules)
    if over and (_about_a_node(over, f.rules) or period_plan_month(over, f.rules)):  # a period's plan met
        over = None
    if over and not any(m.ratio < 1 for m in f.deciding if m.kind in EXPLICIT_KINDS):
        if f.short_of_target:
            f.review.append("over-fulfilment stated; a count paired with the task's target says otherwise")
        return Decision("completed", "stated-over-fulfilment", over)
    return None


def target_met(f: Facts) -> Decision | None:
    """3. Every target-bearing measure at or above 100%, at any report date."""
    deciding = f.deciding
    if not _may_be_met(f):
        return None
    target_bearing = [m for m in deciding if m.kind != "x-of-y" and m.kind not in SCHEDULE_KINDS]
    if f.schedule >= 1 and _narrowing(f.rules, "arith_year_end_growth", "growth_met_at_year_end"):
        # at the year's end a growth rate against its target rate is the year's figure
        target_bearing += [m for m in deciding if m.kind == "growth" and m.target is not None]
    if f.schedule >= 1 and _narrowing(f.rules, "arith_year_end_gap", "gap_met_at_year_end"):
        # at the year's end the schedule is the year's target: a stated gap at or above it
        # (高于预期目标 N 个百分点, 超序时进度 N 个百分点 in December) says the target is met
        target_bearing += [m for m in deciding if (m.kind == "stated-gap" or (m.kind == "growth" and m.unit == "pts"))
                           and m not in target_bearing]
    if target_bearing and _narrowing(f.rules, "arith_share_beats_gap", "year_share_beats_gap"):
        # a share of the year's plan at or above 100% with figures on the schedule's scale that
        # agree (超序时进度 N 个百分点): the share says the year's target is met
        deciding = [m for m in deciding if m in target_bearing or m.kind not in SCHEDULE_KINDS
                    or not (m.ratio >= f.schedule)]
    task_matches = [m for m in f.measures if m.kind == "target-match"]
    unmatched_targets = bool(task_matches) and len(f.targets) > len(task_matches) + _answered_otherwise(f)
    if unmatched_targets and all(m.ratio >= 1 for m in deciding):
        f.review.append("task states more numeric targets than the progress reports")
    if (target_bearing and len(target_bearing) == len(deciding) and all(m.ratio >= 1 for m in deciding)
            and not unmatched_targets):
        smallest = min(deciding, key=lambda m: (m.ratio, m.position))
        items = (len(deciding), 0) if len(deciding) > 1 else (0, 0)
        return Decision("completed", "target-met", smallest.phrase, smallest.ratio, measure=smallest, items=items)
    return None


def _answered_otherwise(f: Facts) -> int:
    """Task targets answered without a pair ([families.targets_answered]): a standard (每生每年 500 元
    提高到 600 元) is a level, not an amount to report; a share of the year's plan (完成年度计划的 173%)
    answers the task's plan amount."""
    family = f.rules.family("targets_answered")
    if not family.get("count_standards_and_shares"):
        return 0
    words = family.get("year_words", [])
    shares = [m for m in f.deciding if m.kind in ("annual-share", "completion-rate") and any(w in m.phrase for w in words)]
    return sum(t.standard for t in f.targets) + min(len(shares), 1)


def _may_be_met(f: Facts) -> bool:
    """The narrowings of target-met: works progress below 100% in the row, a rate against
    a target rate before the year's end (each a switch of ``[families.narrow_*]``)."""
    rules, deciding = f.rules, f.deciding
    if not deciding or all(m.ratio < 1 for m in deciding):
        return True
    if _narrowing(rules, "narrow_works_progress", "works_progress_blocks_target_met") and any(
            m.kind == "physical" and m.ratio is not None and m.ratio < 1 for m in f.measures):
        f.review.append("a count meets the target while works progress in the row is below 100%")
        return False
    growth_words = _narrowing(rules, "narrow_rate_targets", "growth_words") or []
    if (_narrowing(rules, "narrow_rate_targets", "rate_targets_not_completed") and f.schedule < 1
            and any(w in f.row["task"] for w in growth_words) and all(is_rate_against_rate(m) for m in deciding)):
        return False
    return True


def is_rate_against_rate(m: Measure) -> bool:
    """A rate judged against a target rate (a growth or coverage rate), not a share of a plan."""
    return m.kind == "rate-vs-target" or (m.kind in ("structured", "target-match") and m.unit == "%"
                                          and m.target is not None and m.target < 100)


def restated_target(m: Measure, f: Facts) -> bool:
    """The task's own figure repeated in the progress, not a measure of progress: equal to the
    task's figure, with the same words after it as in the task and no verb of doing before it
    in its clause (12 个社区老年食堂选址已确定), or the same words before it and no verb of doing
    anywhere before it in its sentence (…等 9 个项目 in both; 完成新建、改扩建学校 9 所 is an
    actual)."""
    if m.kind != "target-match" or m.target is None or m.value != m.target or not m.unit:
        return False
    n = int(_narrowing(f.rules, "arith_restated_count", "restated_chars") or 3)
    text, task = f.row[m.source_field], f.row["task"]
    q = f.rules["quantities"]
    verbs = [*q.get("done_verbs_before", []), *q.get("bare_actual_verbs", []), *q.get("start_verbs", []), "已"]
    if any(v in text[bound_left(text, m.position, CLAUSE_SEPS):m.position] for v in verbs):
        return False
    done_after = _narrowing(f.rules, "arith_restated_done", "done_after") or []
    if any(w in text[m.position:bound_right(text, m.position, CLAUSE_SEPS)] for w in done_after):
        return False  # 为 600 个行政村配建了健身器材: the task's figure said done
    same = [t for t in f.targets if t.value == m.value and t.unit == m.unit]
    at = text.find(m.unit, m.position)
    after = text[at + len(m.unit):at + len(m.unit) + n] if at >= 0 else ""
    if len(after) == n and any(task[t.end:t.end + n] == after for t in same):
        return True
    before = text[max(0, m.position - n):m.position]
    sentence = text[bound_left(text, m.position, SENTENCE_SEPS):m.position]
    return len(before) == n and not any(v in sentence for v in verbs) and any(
        t.start >= n and task[t.start - n:t.start] == before for t in same)


def one_off_completed(f: Facts) -> Decision | None:
    """4. The task's one-off deliverable reported done (已竣工, 均已建成)."""
    if f.one_off and not f.short_of_target:
        return f.with_ratio(Decision("completed", "one-off-completed", f.one_off[0].evidence))
    return None


def quantified_against_schedule(f: Facts) -> Decision | None:
    """5. The majority of the deciding measures against the schedule (a tie: the
    rules' majority_tie); the gap carried is the deciding one, never the most favourable."""
    if not f.deciding:
        return None
    below, at_or_above = f.below, f.at_or_above
    items = (len(f.deciding), len(below)) if len(f.deciding) > 1 else (0, 0)
    if len(below) > len(at_or_above):
        return quantified("lagging", representative(below), items, f.schedule)
    if len(below) == len(at_or_above):
        main = names_task_measure(f) or largest_amount(f)
        if main is not None:  # the main sub-target by size decides (codebook: judge the main one)
            return quantified("lagging" if main in below else "on-track", main, items, f.schedule)
        f.review.append("measures split evenly; tie-break applied")
        if f.rules.majority_tie == "lagging":
            return quantified("lagging", representative(below), items, f.schedule)
    # the least favourable measure that still decides on-track
    return quantified("on-track", min(at_or_above, key=lambda x: (x.ratio, x.position)), items, f.schedule)


def names_task_measure(f: Facts) -> Measure | None:
    """Of measures split evenly, the side whose phrases name the measure the task promises (a task of
    年度计划投资: the share of 完成投资, not of 新开工项目): the main sub-target
    ([families.main_by_task_noun]); None when both sides or neither name it."""
    nouns = [n for n in f.rules.family("main_by_task_noun").get("measure_nouns", []) if n in f.row["task"]]
    named = [m for m in f.deciding if any(n in m.phrase for n in nouns)]
    if not named or len(named) == len(f.deciding):
        return None
    sides = {m in f.below for m in named}
    return named[0] if len(sides) == 1 else None


def largest_amount(f: Facts) -> Measure | None:
    """Of measures split evenly, the one whose phrase states the largest amount when every one
    states an amount in the same unit (完成投资 38.45 亿元，占年度计划 26.3%；…1.11 亿元，占 30.2%)
    and it is larger than all the others together: the main sub-target
    ([families.arith_main_by_size]); None otherwise."""
    if not _narrowing(f.rules, "arith_main_by_size", "largest_decides"):
        return None
    sizes = []
    for m in f.deciding:
        found = quantities_in(m.phrase, f.rules, targets=False)
        if not found:
            return None
        sizes.append((found[0].unit, found[0].value, m))
    if len({unit for unit, _, _ in sizes}) != 1:
        return None
    ranked = sorted(sizes, key=lambda s: -s[1])
    if ranked[0][1] <= sum(size for _, size, _ in ranked[1:]):
        return None  # main only when larger than all the others together
    return ranked[0][2]


def stated_forecast(f: Facts) -> Decision | None:
    """6. A forecast that the target will be missed (预计…难以完成)."""
    forecasts = f.cues(find_forecast_cues)
    return Decision("lagging", "stated-forecast", forecasts[0].evidence) if forecasts else None


def stated_delay(f: Facts) -> Decision | None:
    """7. A delay or obstruction phrase; "to be decided" for a task to build something."""
    strong = [c for c in f.cues(find_delay_cues) if not c.weak]
    if not strong:
        return None
    on_track = f.cues(find_on_track_cues)
    if on_track:
        f.review.append(f"on-schedule phrase '{on_track[0].phrase}' next to a delay phrase")
    cue = strong[0]
    return Decision("lagging", "stated-delay" if cue.kind == "delay" else "stated-pending", cue.evidence)


def growth_stated_behind(f: Facts) -> Decision | None:
    """8. A growth indicator said to be below its expected rate (增幅低于预期目标)."""
    evidence = stated_growth_behind(f.row, f.rules)
    return Decision("lagging", "stated-growth-behind", evidence) if evidence else None


def stated_not_started(f: Facts) -> Decision | None:
    """9. Not started or still at an early stage when the work is due; a deliverable of an
    earlier year than the report's still not delivered ([families.earlier_year_undone])."""
    due = [c for c in f.cues(find_early_stage_cues) if not c.weak]
    if due:
        return Decision("lagging", "stated-not-started", due[0].evidence)
    overdue = earlier_year_undone(f)
    return Decision("lagging", "stated-not-started", overdue) if overdue else None


def earlier_year_undone(f: Facts) -> str:
    """The phrase of a deliverable dated to a year before the report's and said not delivered
    (2018年项目未竣工 in a 2020 report): overdue whatever the month. "" when none."""
    pattern = _narrowing(f.rules, "earlier_year_undone", "pattern")
    text = f.row["progress"]
    if not pattern or "未" not in text and "没有" not in text:
        return ""
    for match in re.finditer(pattern, text):
        if int(match.group("year")) < f.row["_date"].year:
            return evidence_phrase(text, match.start(), match.end())
    return ""


def stated_early_stage(f: Facts) -> Decision | None:
    """10. The same when the due date cannot be told: on-track, flagged."""
    early = f.cues(find_early_stage_cues)
    if early and not f.cues(find_on_track_cues):
        f.review.append(f"early stage '{early[0].phrase}' but the due date cannot be told")
        return Decision("on-track", "stated-early-stage", early[0].evidence)
    return None


def stated_on_track(f: Facts) -> Decision | None:
    """11. An on-schedule phrase, or a node met (on-track, never completed)."""
    on_track = f.cues(find_on_track_cues)
    if not on_track:
        return None
    cue = on_track[0]
    return Decision("on-track", "stated-milestone" if cue.kind == "milestone" else "stated-on-track", cue.evidence)


def partial_delivery(f: Facts) -> Decision | None:
    """12. A partial delivery or completion (主体已完工, 基本建成): progress short of done."""
    if f.weak_completions:
        return Decision("on-track", "stated-on-track", f.weak_completions[0].evidence)
    return None


def growth_stated_met(f: Facts) -> Decision | None:
    """13. A growth indicator said to meet its expected rate (增速达到预期目标, 好于预期)."""
    evidence = stated_growth_on_track(f.row, f.rules)
    return Decision("on-track", "stated-growth-met", evidence) if evidence else None


def bare_delivery(f: Facts) -> Decision | None:
    """13b. A progress cell that says only that the deliverable is delivered (建成投产,
    投入运营) for a task that promises no number ([families.bare_delivery])."""
    family = f.rules.family("bare_delivery")
    words = family.get("done_words", [])
    text = f.row["progress"].strip()
    core = strip_for_only(text)
    if not words or not core or len(core) > int(family.get("max_chars", 10)) or f.targets or has_digit(text):
        return None
    if any(w in core for w in family.get("not_words", [])) or not any(w in core for w in words):
        return None
    return Decision("completed", "stated-delivered", text)


def has_digit(text: str) -> bool:
    return any(ch.isdigit() or ch in "一二三四五六七八九十百千万" for ch in text)


def default_on_track(f: Facts) -> Decision:
    """14. Nothing else: on-track by the codebook's tie-break (by_default); a quantified
    task or a year-end report is flagged."""
    row = f.row
    if f.targets or (row.get("target") or "").strip():
        f.review.append("quantified task without a measure or a clear word in the progress")
    if row["_date"].month >= int(f.rules["schedule"].get("year_end_month", 12)):
        f.review.append("year-end report without a clear word of completion or delay")
    return Decision("on-track", "default-on-track", first_clause(row["progress"]) or first_clause(row["task"]))
