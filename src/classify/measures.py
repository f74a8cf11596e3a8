"""Stage 4, quantified measures: shares of the plan, rates against targets,
gaps stated in points, targets paired with actuals and "M of N" counts, each
as a :class:`Measure` with its ratio to the target."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from src.classify.cues import negated
from src.classify.literals import may_match
from src.classify.rules import Rules
from src.classify.spans import (
    CLAUSE_SEPS,
    SENTENCE_SEPS,
    SHARE,
    bound_left,
    bound_right,
    cn_number,
    evidence_phrase,
    longest_common_run,
    month_number,
    sentence_of,
)

# Measures the row states itself (a share of the plan, a rate against its
# target, a target and an actual side by side) decide before derived ones
# (a task-text target paired with a progress number, "M of N" counts).
EXPLICIT_KINDS = ("annual-share", "completion-rate", "rate-vs-target", "in-row-target", "stated-gap", "schedule-share",
                  "milestone", "structured", "growth")
# Measures against the schedule itself (a stated gap in points, a share of the
# elapsed-time target): they place a task against 序时进度 but never say the
# annual target is met.
SCHEDULE_KINDS = ("stated-gap", "schedule-share", "milestone", "growth")
DERIVED_KINDS = ("target-match", "x-of-y")

_PERCENT = re.compile(r"(?<![\d.])(-?\d+(?:\.\d+)?)\s*[%％]")
_SHARE = SHARE  # see spans.SHARE
_DATES = re.compile(r"\d+\s*[-—~～至到]\s*\d+\s*月份?|\d+\s*月(?:底|份|末|初|中旬|下旬|上旬)?|\d+\s*日|20\d\d\s*年")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[\u3400-\u9fffA-Za-z]")
_PERCENT_OR_PER_UNIT = re.compile(r"\s*[%％/]")
# 835 元/人月, 2200 元/人·月, 20100 元/人年: a standard per person (or household) and period
_PER_PERSON = re.compile(r"\s*[/／]\s*(?:人|户|月|年)")
_LIST_CLAUSE_SEPS = CLAUSE_SEPS.replace("、", "")
_CN_POWER = re.compile("[十百千万]")


@dataclass
class Measure:
    phrase: str
    value: float
    unit: str
    target: float | None
    ratio: float | None
    source_field: str
    kind: str  # one of EXPLICIT_KINDS, DERIVED_KINDS, "physical" (works progress) or "other-rate"
    decisive: bool
    position: int = 0
    ambiguous: bool = False  # a target pair whose sentence holds other counts of the same unit
    adjusted: bool = False  # judged against a target the row says was adjusted (目标调整为…)
    sub_target: bool = False  # paired with a task target that breaks down a main one (…18695 人，其中贫困人口 14861 人)
    _sentence: tuple = (0, 0)

    def as_item(self) -> dict:
        return {
            "phrase": self.phrase,
            "value": float(self.value),
            "unit": self.unit,
            "target": None if self.target is None else float(self.target),
            "ratio": None if self.ratio is None else round(float(self.ratio), 6),
            "source_field": self.source_field,
            "kind": self.kind,
            "decisive": bool(self.decisive),
        }


@lru_cache(maxsize=256)
def _rate_target_pattern(name: str) -> re.Pattern:
    """The target-rate pattern for one rate name (落地率 …), compiled once per name."""
    return re.compile(
        rf"(\d+(?:\.\d+)?)\s*[%％][^，,。；;\d]{{0,2}}?{re.escape(name)}率|{re.escape(name)}率[^，,。；;\d%]{{0,6}}?(\d+(?:\.\d+)?)\s*[%％]"
    )


def _rate_target(name: str, row: dict) -> float | None:
    """A target rate for the named rate in the task or next-steps text
    (确保完成全年60%落地率目标 → 60)."""
    pattern = _rate_target_pattern(name)
    for field_name in ("task", "next_steps"):
        if name + "率" not in row[field_name]:
            continue  # every match contains the rate's name
        match = pattern.search(row[field_name])
        if match:
            value = float(match.group(1) or match.group(2))
            if value > 0:
                return value
    return None


def _percent_measures(row: dict, rules: Rules) -> list[Measure]:
    q = rules["quantities"]
    measures: list[Measure] = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        last_percent_end = 0
        milestones: dict[int, float] = {}  # sentence start -> the row's own milestone share
        for match in _SHARE.finditer(text) if may_match(rules.ready["share_filter"], text) else ():
            clause_start = max(bound_left(text, match.start(), CLAUSE_SEPS), last_percent_end)
            last_percent_end = match.end()
            before = text[clause_start:match.start()]
            sentence_start = bound_left(text, match.start(), SENTENCE_SEPS)
            if match.group("pct") is not None:
                value = float(match.group("pct"))
            elif match.group("cnpct"):
                value = cn_number(match.group("cnpct"))
            elif match.group("den"):
                value = round(cn_number(match.group("num")) / cn_number(match.group("den")) * 100, 4)
            else:
                value = cn_number(match.group("tenth")) * 10
            if match.group("pct") is None and match.group("cnpct") is None and not before:
                continue  # a bare 三成 / 三分之一 with nothing to say what it is a share of

            def add(kind, decisive, target=100.0, ratio=None):
                ratio = value / target if ratio is None and target else ratio
                phrase = evidence_phrase(text, match.start(), match.end(), min_chars=16)  # only for a measure kept
                measures.append(Measure(phrase, value, "%", target, ratio, field_name, kind, decisive, match.start()))

            if rules.words("quantities", "excluded_before").found_in(before) or value < 0:
                continue
            if rules.compiled["milestone"].search(before):
                milestones[sentence_start] = value  # 上半年计划完成 60%: the yardstick, not progress
                continue
            if sentence_start in milestones and (
                rules.compiled["annual_share"].search(before) or rules.words("quantities", "completion_verbs").found_in(before)
            ):
                # …实际完成 55%: judged against the row's own milestone (60%), expressed
                # on the elapsed-share scale so that ratio vs 序时进度 gives the status
                add("milestone", True, target=milestones[sentence_start],
                    ratio=value / milestones[sentence_start] * row["_schedule"])
                continue
            if rules.compiled["schedule_share"].search(before):
                # 完成序时进度的85%: a share of the elapsed-time target, not of the year
                add("schedule-share", True, ratio=value / 100 * row["_schedule"])
                continue
            if rules.compiled["annual_share"].search(before):
                add("annual-share", True)
                continue
            rate = rules.compiled["rate"].search(before)
            plan_rate = rate is not None and rate.group(1) + "率" in rules.ready["plan_share_rates"]
            if rules.words("quantities", "plan_words").found_in(before) and not plan_rate:
                continue  # a plan or forecast, not progress (年度计划投资完成率 95% is progress)
            if rules.words("quantities", "physical_words").found_in(before):
                add("physical", False)
                continue
            if rules.words("quantities", "progress_words").found_in(before):
                add("completion-rate", True)
                continue
            if rate:
                name = rate.group(1)
                prefix = before[:rate.start(1)]
                if plan_rate and not any(
                    prefix.endswith(p) for p in q.get("quality_rate_prefixes", [])
                ):
                    add("completion-rate", True)
                    continue
                target = None if plan_rate else _rate_target(name, row)
                if target:
                    add("rate-vs-target", True, target=target)
                continue  # other named rates (整改率, 覆盖率 …) are not plan shares
            if q["share_word"] in before:
                previous = text[sentence_start:clause_start]
                if rules.words("quantities", "physical_words").found_in(previous):
                    add("physical", False)
                elif rules.words("quantities", "completion_verbs").found_in(previous):
                    add("completion-rate", True)
                continue
            if rules.words("quantities", "completion_verbs").found_in(before):
                due = _node_due(text, sentence_start, match.start(), row, rules)
                if due:  # 原计划6月底前完成…，目前只完成了百分之六十: the node is the yardstick
                    add("milestone", True, ratio=value / 100 * row["_schedule"])
                    continue
                sentence = sentence_of(text, match.start(), match.end())
                if rules.words("quantities", "annual_context_words", []).found_in(sentence):
                    add("annual-share", True)  # 序时进度为75%，实际完成68%
                else:
                    add("physical", False)
    return measures


def _node_due(text: str, start: int, end: int, row: dict, rules: Rules) -> bool:
    """True when text[start:end] states a node due by the report date
    (``[quantities].node_due_pattern``: 原计划6月底前完成…)."""
    pattern = rules.ready["node_due"]
    if pattern is None:
        return False
    report_month = row["_date"].month
    return any(0 < month_number(m) <= report_month for m in pattern.findall(text, start, end))


def _gap_measures(row: dict, rules: Rules) -> list[Measure]:
    """A gap to the schedule written in points: 滞后序时进度9.8个百分点,
    超序时进度2.99个百分点, 低于目标21.7个百分点. The ratio is the elapsed share
    plus or minus the gap, so ``schedule_gap_pts`` repeats the stated gap."""
    schedule = row["_schedule"]
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        seen = set()
        if not may_match(rules.ready["gap_filter"], text):
            continue
        for sign, patterns in ((-1, rules.compiled["gap_behind"]), (1, rules.compiled["gap_ahead"])):
            for pattern in patterns:
                for match in pattern.finditer(text):
                    if match.start(1) in seen or negated(text, match.start(), rules):
                        continue
                    seen.add(match.start(1))
                    gap = float(match.group(1))
                    measures.append(Measure(evidence_phrase(text, match.start(), match.end()), sign * gap, "个百分点", None,
                                            schedule + sign * gap / 100, field_name, "stated-gap", True, match.start()))
    return measures


@dataclass
class Quantity:
    value: float  # in the base unit
    unit: str
    start: int
    end: int
    context_text: str  # the clause around the number (words before it, a space, words after it)
    text_before: str
    starts_works: bool = False  # counts works started (开工 15 个), not things done
    standard: bool = False  # a standard or level (补助标准提高到每人每月 600 元), not an amount
    stopwords: tuple = field(default=(), repr=False)  # rules.ready["stopwords"]
    verb_tokens: frozenset = field(default=frozenset(), repr=False)  # rules.ready["verb_tokens"]

    # Only pairing a task target with an actual needs the tokens, so they are
    # worked out on first use rather than for every number found.
    @cached_property
    def context(self) -> list:
        """The clause's tokens once dates and stopwords are taken out."""
        return _context_tokens(self.context_text, self.stopwords)

    @cached_property
    def bare(self) -> bool:
        """Nothing but a verb around it (已完成 3 个, 已开工 8 个)."""
        return all(token in self.verb_tokens for token in self.context)


def _number_matches(text: str, rules: Rules) -> list:
    """The matches of a number with a unit in ``text`` (digits, or Chinese
    numerals with a power), in reading order."""
    matches = list(rules.compiled["quantity"].finditer(text))
    if _CN_POWER.search(text):
        matches = sorted(matches + list(rules.compiled["quantity_cn"].finditer(text)), key=lambda m: m.start())
    return matches


def _row_number_matches(row: dict, field_name: str, rules: Rules) -> list:
    """:func:`_number_matches` of one column of a row, worked out once per row
    (actuals and in-row targets read the same numbers)."""
    cache = row.get("_numbers")
    if cache is None:
        cache = row["_numbers"] = {}
    if field_name not in cache:
        cache[field_name] = _number_matches(row[field_name], rules)
    return cache[field_name]


def _quantities(text: str, rules: Rules, *, targets: bool, keep=None, matches=None) -> list[Quantity]:
    """Numbers with a unit in ``text``, as targets or as actuals. ``keep(before)``,
    when given, is a further test of the words before the number in its clause;
    it runs first, so numbers a caller would drop cost little. ``matches``: the
    text's :func:`_number_matches`, when already known."""
    q = rules["quantities"]
    multipliers = q.get("multipliers", {})
    found = []
    has_from = any(word in text for word in q.get("from_words", []))
    standard_units = q.get("standard_units", [])
    not_target_follow, superseded_follow = rules.compiled["not_target_follow"], rules.compiled["superseded_follow"]
    if matches is None:
        matches = _number_matches(text, rules)
    for match in matches:
        start, end = match.span()
        clause_start = bound_left(text, start, CLAUSE_SEPS)
        before = text[clause_start:start]
        if keep is not None and not keep(before):
            continue
        unit = match.group(3)
        # (these two patterns have no anchor and look back at nothing: matching
        # at ``end`` is matching the rest of the text)
        per_person = unit in standard_units and _PER_PERSON.match(text, end)
        if _PERCENT_OR_PER_UNIT.match(text, end) and not per_person:
            continue  # a percentage or a per-unit rate (万吨/日); 835 元/人月 is a standard
        if has_from and _old_level(text, start, end, rules):
            continue  # the level before a raise: 从每人每月 574 元提高到 609 元
        follow = text[end:]
        if not_target_follow.match(follow) and not (
            not targets and follow.startswith("的") and rules.words("quantities", "actual_before_de_verbs", []).found_in(before)
        ):
            continue  # qualifier or threshold: 10 亿元以上项目, 1万元以下 (but 解决 6.007 万人的饮水问题 is an actual)
        if targets and superseded_follow.match(follow):
            continue  # the old target in 目标由 5000 套调减为 3000 套
        number = match.group(1)
        value = (float(number) if number[0].isdigit() else cn_number(number)) * multipliers.get(match.group(2) or "", 1)
        if value <= 0:
            continue
        clause_end = bound_right(text, end, CLAUSE_SEPS)
        if not targets and rules.words("quantities", "not_actual_before").found_in(before[-6:]):
            continue
        if not targets and rules.words("quantities", "plan_words").found_in(before):
            continue
        after = text[end:clause_end]
        context = before + " " + after
        start_verbs = q.get("start_verbs", [])
        # a target is about starting works when its clause says so (开工建设 20 个);
        # an actual when the words just before it do (开工 1964 个，完工 611 个)
        starts_works = any(verb in (context if targets else before[-8:] + " " + after) for verb in start_verbs)
        standard = bool(per_person)
        if not standard and unit in standard_units:  # a standard is money per head (元)
            list_clause = text[bound_left(text, start, _LIST_CLAUSE_SEPS):start]  # over 、 lists
            standard = rules.words("quantities", "standard_words", []).found_in(list_clause)
        found.append(Quantity(value, unit, start, end, context, before, starts_works, standard,
                              rules.ready["stopwords"], rules.ready["verb_tokens"]))
    return found


def _old_level(text: str, start: int, end: int, rules: Rules) -> bool:
    """True for the level a standard is raised from (从 574 元提高到 609 元, 由
    每人每月 271 元、… 调整为…): a from-word before the number in its sentence,
    no raise word between them, and a raise word after it in the sentence."""
    q = rules["quantities"]
    sentence_start = bound_left(text, start, SENTENCE_SEPS)
    left = text[sentence_start:start]
    at = max((left.rfind(w) for w in q.get("from_words", [])), default=-1)
    if at < 0:
        return False
    raises = rules.words("quantities", "raise_words", [])
    return not raises.found_in(left[at:]) and raises.found_in(text[end:bound_right(text, end, SENTENCE_SEPS)])


def _actuals(row: dict, field_name: str, rules: Rules) -> list[Quantity]:
    """The actuals of one column of a row, worked out once per row."""
    cache = row.setdefault("_actuals", {})
    if field_name not in cache:
        cache[field_name] = _quantities(row[field_name], rules, targets=False,
                                        matches=_row_number_matches(row, field_name, rules))
    return cache[field_name]


def actuals_of(row: dict, field_name: str, rules: Rules) -> list[Quantity]:
    """The numbers with a unit in one column of a row, read as actuals (see
    :func:`_quantities`); worked out once per row."""
    return _actuals(row, field_name, rules)


def _context_tokens(context: str, stopwords: tuple) -> list[str]:
    """Tokens of ``context`` with dates and ``stopwords`` (longest first) taken out."""
    context = _DATES.sub(" ", context)
    for word in stopwords:
        context = context.replace(word, " ")
    return _TOKEN.findall(context)


def _in_row_target_measures(row: dict, rules: Rules) -> list[Measure]:
    """A target stated in the progress text itself: 年度计划 8 亿元，已完成 3.2 亿元."""
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        target_filter = rules.ready["in_row_target_filter"]
        if not may_match(target_filter, text):
            continue  # no target word (计划, 目标 …) anywhere, so none before a number
        in_row, adjusted, milestone = (rules.compiled[k] for k in ("in_row_target", "adjusted_target", "milestone"))
        targets = [
            (t, bool(adjusted.search(t.text_before)))
            for t in _quantities(
                text, rules, targets=True,
                # the family's literal filter on the words before the number first: most have none of its words
                keep=lambda before: bool(may_match(target_filter, before) and (
                    in_row.search(before) or adjusted.search(before) or milestone.search(before))),
                matches=_row_number_matches(row, field_name, rules),
            )
        ]
        if not targets:
            continue
        actuals = [a for a in _actuals(row, field_name, rules) if not a.starts_works]
        for target, adjusted in targets:
            milestone = bool(rules.compiled["milestone"].search(target.text_before))
            lo, hi = bound_left(text, target.start, SENTENCE_SEPS), bound_right(text, target.end, SENTENCE_SEPS)
            same = [a for a in actuals if a.unit == target.unit and lo <= a.start < hi and a.start != target.start
                    and not _breaks_down(text, target, a, rules)]
            if not same and adjusted:
                # 目标调整为 3000 套。截至 6 月底已完成 2000 套: the adjusted target
                # stands for the rest of the column
                same = [a for a in actuals if a.unit == target.unit and a.start > target.end][:1]
            if not same:
                continue
            actual = min(same, key=lambda a: abs(a.start - target.start))
            ratio = actual.value / target.value
            if milestone:  # 上半年目标 30 个，已完成 25 个: on the elapsed-share scale
                ratio *= row["_schedule"]
            measures.append(
                Measure(evidence_phrase(text, min(actual.start, target.start), max(actual.end, target.end)), actual.value,
                        actual.unit, target.value, ratio, field_name,
                        "milestone" if milestone else "in-row-target", True, actual.start, adjusted=adjusted)
            )
    return measures


def _breaks_down(text: str, target: Quantity, actual: Quantity, rules: Rules) -> bool:
    """True when ``actual`` splits the target up rather than reporting progress
    (计划绿道建设任务 500 公里，其中新建 335 公里): a breakdown word stands
    between them and the actual's clause has no completion verb."""
    q = rules["quantities"]
    if actual.start < target.end:
        return False
    between = text[target.end:actual.start]
    clause = text[bound_left(text, actual.start, CLAUSE_SEPS):actual.start]
    return any(w in between for w in q.get("breakdown_words", [])) and not any(
        v in clause for v in q.get("bare_actual_verbs", []))


def _is_sub_target(task: str, target: Quantity, rules: Rules) -> bool:
    """A task target after a breakdown word (其中) breaks down a main one before it."""
    words = rules["quantities"].get("breakdown_words", [])
    return any(0 <= task.rfind(w, 0, target.start) for w in words)


def task_targets(row: dict, rules: Rules) -> list[Quantity]:
    """The numbers the task promises. When it states several of one unit and
    labels one as this office's own share (我市任务: … 130 公里, next to the
    province's 500 公里), only that one is this task's target of that unit."""
    if "_targets" in row:  # worked out once per row
        return row["_targets"]
    row["_targets"] = targets = _own_share(row["task"], _quantities(row["task"], rules, targets=True), rules)
    return targets


def _own_share(task: str, targets: list, rules: Rules) -> list:
    words = rules["quantities"].get("own_share_words", [])
    if len(targets) < 2 or not words:
        return targets
    own = [t for t in targets if any(w in task[max(0, t.start - 24):t.start] for w in words)]
    own_units = {t.unit for t in own}
    return [t for t in targets if t.unit not in own_units or t in own]


def _target_measures(row: dict, rules: Rules) -> list[Measure]:
    """Actual vs a number promised in the task text (造林 4.5 万亩 → 完成造林 5.0 万亩)."""
    q = rules["quantities"]
    targets = task_targets(row, rules)
    if not targets:
        return []
    actuals = []
    for field_name in rules.quantity_fields:
        actuals += [(field_name, a) for a in _actuals(row, field_name, rules)]
    pairs = []
    for t_index, target in enumerate(targets):
        only_of_unit = sum(t.unit == target.unit for t in targets) == 1
        for a_index, (_field, actual) in enumerate(actuals):
            if actual.unit != target.unit:
                continue
            if actual.starts_works and not target.starts_works:
                continue  # works started are not the deliverable done (开工 1964 个 vs 改造 2000 个)
            if actual.standard != target.standard:
                continue  # a standard promised (每人每月 55 元) is met by a standard reached, not by money paid out
            overlap = longest_common_run(target.context, actual.context)
            if target.standard and actual.value == target.value:
                pairs.append((-100, a_index, t_index))  # the promised level itself, reached
            elif overlap >= q["min_overlap"] or (overlap >= q["min_overlap_full"] and overlap == len(target.context)) or (
                overlap >= q["min_overlap_full"] and actual.value == target.value
            ):  # the promised number itself, with a shared word (搬迁 18695 人 → 已完成搬迁入住 18695 人)
                pairs.append((-overlap, a_index, t_index))
            elif only_of_unit and actual.bare and actual.starts_works == target.starts_works and any(
                verb in actual.text_before for verb in [*q.get("bare_actual_verbs", []), *q.get("start_verbs", [])]
            ):
                pairs.append((0, a_index, t_index))  # 已完成 3 个 → the task's only 个 target
    measures, used_t, used_a = [], set(), set()
    for _, a_index, t_index in sorted(pairs):
        if a_index in used_a or t_index in used_t:
            continue
        used_a.add(a_index)
        used_t.add(t_index)
        field_name, actual = actuals[a_index]
        target = targets[t_index]
        text = row[field_name]
        sentence = (bound_left(text, actual.start, SENTENCE_SEPS), bound_right(text, actual.end, SENTENCE_SEPS))
        measures.append(
            Measure(evidence_phrase(text, actual.start, actual.end), actual.value, actual.unit, target.value,
                    actual.value / target.value, field_name, "target-match", True, actual.start,
                    sub_target=_is_sub_target(row["task"], target, rules))
        )
        measures[-1]._sentence = sentence
    for measure in measures:  # an unpaired count of the same unit in the same sentence
        measure.ambiguous = any(
            i not in used_a and other_field == measure.source_field and other.unit == measure.unit
            and measure._sentence[0] <= other.start < measure._sentence[1]
            for i, (other_field, other) in enumerate(actuals)
        )
    return sorted(measures, key=lambda m: (rules.quantity_fields.index(m.source_field), m.position))


@lru_cache(maxsize=256)
def _count_of_unit(unit: str) -> re.Pattern:
    r"""A count of one unit (49 项), compiled once per unit: (?<![\d.])(\d+) written
    to open with the digit (the engine then skips to digits)."""
    return re.compile(rf"(\d(?<![\d.]\d)\d*)\s*({re.escape(unit)})")


def _x_of_y_measures(row: dict, rules: Rules) -> list[Measure]:
    """"M of N" forms inside one sentence: 细化分解落实 49 项任务，完成 32 项."""
    done_before, done_after, slash = rules.ready["x_of_y"]
    before_filter, after_filter, slash_filter = rules.ready["x_of_y_filters"]
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        seen = set()
        if not text:
            continue
        slash_may = may_match(slash_filter, text)
        # the same verbs open the slash and the verb-first forms: often one filter
        before_may = slash_may if before_filter is slash_filter else may_match(before_filter, text)
        for match in slash.finditer(text) if slash_may else ():  # 已完成 12/20 个
            done, total = float(match.group(1)), float(match.group(2))
            if 0 < total and done <= total:
                seen.add(match.start(1))
                measures.append(Measure(evidence_phrase(text, match.start(), match.end()), done, match.group(3) or "",
                                        total, done / total, field_name, "x-of-y", True, match.start(1)))
        for pattern, verb_first, may in ((done_before, True, before_may), (done_after, False, None)):
            if may is None:
                may = may_match(after_filter, text)
            for match in pattern.finditer(text) if may else ():
                number_start = match.start(1)
                if number_start in seen:
                    continue
                done, unit = float(match.group(1)), match.group(2)
                sentence_start = bound_left(text, match.start(), SENTENCE_SEPS)
                scope_end = match.start() if verb_first else number_start
                earlier = []
                for m in _count_of_unit(unit).finditer(text[sentence_start:scope_end]):
                    at = sentence_start + m.start()
                    lead = text[bound_left(text, at, CLAUSE_SEPS):at]
                    if rules.words("quantities", "not_total_before").found_in(lead):
                        continue  # a progress count (开工 1964 个), not the size of a set
                    if float(m.group(1)) >= done and float(m.group(1)) > 0:
                        earlier.append((at, float(m.group(1))))
                if not earlier:
                    continue
                seen.add(number_start)
                total_at, total = earlier[-1]
                clause = text[bound_left(text, match.start(), CLAUSE_SEPS):match.end()]
                decisive = not rules.words("quantities", "non_plan_words").found_in(clause)
                phrase = evidence_phrase(text, total_at, match.end())
                measures.append(
                    Measure(phrase, done, unit, total, done / total, field_name,
                            "x-of-y" if decisive else "other-rate", decisive, number_start)
                )
    return sorted(measures, key=lambda m: (rules.quantity_fields.index(m.source_field), m.position))


def _dedupe(measures: list[Measure]) -> list[Measure]:
    """Drop a derived measure that repeats an explicit one (same ratio ± 2 pts)."""
    explicit = [m for m in measures if m.kind in EXPLICIT_KINDS]
    kept = []
    for measure in measures:
        if measure.kind in ("target-match", "x-of-y") and any(
            e.ratio is not None and measure.ratio is not None and abs(e.ratio - measure.ratio) <= 0.02 for e in explicit
        ):
            continue
        kept.append(measure)
    return kept


def find_measures(row: dict, rules: Rules) -> list[Measure]:
    found = (_percent_measures(row, rules) + _gap_measures(row, rules) + _target_measures(row, rules)
             + _in_row_target_measures(row, rules) + _x_of_y_measures(row, rules))
    positions = {(m.source_field, m.position) for m in found if m.kind in ("target-match", "in-row-target")}
    found = [m for m in found if not (m.kind == "x-of-y" and (m.source_field, m.position) in positions)]
    order = {name: i for i, name in enumerate(rules.quantity_fields)}
    return sorted(_dedupe(found), key=lambda m: (order.get(m.source_field, 99), m.position))
