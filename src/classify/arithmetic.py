"""Stage 4b, targets as numbers: the table's structured number columns
(``target`` / ``actual`` / ``rate``: 年度目标, 截至本期完成值, 完成率 …, named in
``data/reference/table_format.toml``), read before any text, and the same
arithmetic for numbers in text that the older measures do not read: growth
indicators against their expected rate (增长 7.1% against a target of 8%, 同比
下降, 高于年度目标增幅 5.6 个百分点) and stated over-fulfilment (超额完成, 加倍完成,
完成率 125%). Traditional characters are normalised to simplified for judging
(OpenCC); the original text is kept for display and evidence
(:func:`to_simplified`, :func:`original_evidence`).

Every phrase and pattern is in ``[families.*]`` of ``status_rules.toml``, each
family with the notices it was read from (``read_from``)."""
from __future__ import annotations

import re
from functools import lru_cache

from opencc import OpenCC  # opencc-python-reimplemented (pure Python)

from src.classify.cells import actual_cell_number, bounded_target, ceiling_measure, parse_cell_number, same_scale
from src.classify.measures import Measure, task_targets
from src.classify.period_plan import is_period_plan, period_measure
from src.classify.quantities import quantities_in
from src.classify.rules import Rules
from src.classify.spans import SENTENCE_SEPS, bound_left, bound_right, cn_number, evidence_phrase


# --------------------------------------------------------------------------
# traditional characters
# --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _converter():
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset:
    """The characters OpenCC's t2s changes one for one (worked out once)."""
    convert = _converter().convert
    chars = "".join(chr(c) for c in range(0x4E00, 0x9FA6))
    simplified = convert(chars)
    if len(simplified) != len(chars):  # a phrase mapping changed the length: check one by one
        return frozenset(ch for ch in chars if convert(ch) != ch)
    return frozenset(a for a, b in zip(chars, simplified) if a != b)


@lru_cache(maxsize=1)
def _traditional_search():
    """``search`` of a pattern matching any of :func:`_traditional_chars` (one character
    class: a set lookup per character in the engine, no string object per character)."""
    return re.compile("[" + "".join(sorted(_traditional_chars())) + "]").search


# Pinyin a web page added after a character (生產(chǎn)總值): taken out for judging.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")


def to_simplified(text: str) -> str:
    """``text`` as it is judged: simplified characters, pinyin annotations taken out;
    the same object when nothing changes. Evidence is given back in the row's own
    characters by :func:`original_evidence` (:func:`judged_positions` maps each judged
    character to its place in the original)."""
    return judged_positions(text)[0]


def judged_positions(text: str) -> tuple[str, tuple | None]:
    """(text as judged, the original index of each judged character or None when the
    two are the same length and aligned)."""
    if not text:
        return text, None
    positions = None
    judged = text
    if "(" in text and _PINYIN.search(text):
        keep = [True] * len(text)
        for match in _PINYIN.finditer(text):
            for i in range(match.start(), match.end()):
                keep[i] = False
        positions = tuple(i for i, k in enumerate(keep) if k)
        judged = "".join(text[i] for i in positions)
    if _traditional_search()(judged) is not None:
        converted = _converter().convert(judged)
        if len(converted) == len(judged):
            judged = converted
    return judged, positions


def original_evidence(evidence: str, judged: dict, original: dict) -> str:
    """The evidence phrase found in a judged text, given back in the row's own
    characters (through :func:`judged_positions`)."""
    if not evidence:
        return evidence
    core = evidence.strip("…")
    for name, text in judged.items():
        source = original.get(name)
        if not isinstance(source, str) or source is text or not core:
            continue
        at = text.find(core)
        if at < 0:
            continue
        positions = judged_positions(source)[1]
        if positions is None:
            return evidence.replace(core, source[at:at + len(core)])
        return evidence.replace(core, source[positions[at]:positions[at + len(core) - 1] + 1])
    return evidence


# --------------------------------------------------------------------------
# structured number columns
# --------------------------------------------------------------------------
def structured_measures(row: dict, rules: Rules) -> list[Measure]:
    """The deciding measure of the structured columns: the completion rate when
    the table gives one, else actual / target when both are numbers in the same
    unit. Empty when the columns are absent or hold no numbers."""
    if not (row.get("target") or row.get("actual") or row.get("rate")):
        return []
    target, ceiling = bounded_target(row, rules)
    actual = actual_cell_number(row, rules)
    target, actual = same_scale(row, target, actual, rules)
    rate = parse_cell_number(row.get("rate", ""))
    headers = rules.family("structured").get("labels", {})
    parts = [f"{headers.get(name, name)} {row[name].strip()}" for name in ("target", "actual", "rate")
             if (row.get(name) or "").strip()]
    phrase = "；".join(parts)
    if rate is not None and not (target and actual and is_period_plan(row, rules)):
        # (beside a period's plan and an actual, the rate column may be the year's: the two cells decide)
        value, _, percent = rate
        share = value / 100 if percent or value > 2 or float(value).is_integer() else value
        if not percent and share == value and _rate_read_by_columns(rules) and target and actual and target[0] > 0:
            # a rate column without a sign (1.2): per cent when the table's own actual / target says so
            computed = actual[0] / target[0]
            if abs(computed - value / 100) < abs(computed - value):
                share = value / 100
        return [period_measure(Measure(phrase, share * 100, "%", 100.0, share, "rate", "structured", True), row, rules)]
    growth = _growth_columns(row, rules, target, actual, phrase)
    if growth is not None:
        return [growth]
    if target is not None and actual is not None and target[0] > 0:
        if target[1] and actual[1] and target[1] != actual[1]:
            return []
        if ceiling and actual[0] >= 0:
            return [ceiling_measure(row, phrase, target[0], actual[0], "%" if target[2] and actual[2] else actual[1])]
        unit = "%" if target[2] and actual[2] else actual[1]  # a rate against a target rate
        measure = Measure(phrase, actual[0], unit, target[0], actual[0] / target[0], "actual", "structured", True)
        return [period_measure(measure, row, rules)]  # a period's plan judged on its own span
    return []


def _growth_columns(row: dict, rules: Rules, target, actual, phrase: str) -> Measure | None:
    """An indicator's target and actual columns read as growth rates ([families.growth_rate_columns]):
    a task naming an economic indicator whose target cell is a rate (35%, or 6左右 / 8以上 below
    max_rate) and whose actual is a bare number or a per cent. The rate against the target rate in
    points, on the schedule's scale like a growth figure of the text; None otherwise."""
    family = rules.family("growth_rate_columns")
    if not family.get("rate_columns_as_growth") or target is None or actual is None:
        return None
    cell = (row.get("target") or "").strip()
    rate = target[2] or (any(q in cell for q in family.get("qualifiers", []))
                         and abs(target[0]) < float(family.get("max_rate", 0)))
    bare = actual[2] or not actual[1] or actual[1] in family.get("qualifiers", [])
    if not (rate and bare and rules.ready["growth"]["indicator_words"].found_in(row["task"])):
        return None
    gap = actual[0] - target[0]
    note = f"〔核算：增长{actual[0]:g}%，目标增长{target[0]:g}%，相差{gap:+.1f}个百分点〕"
    return Measure(phrase, actual[0], "%", target[0], row["_schedule"] + gap / 100, "actual", "growth", True,
                   note=note)


def _rate_read_by_columns(rules: Rules) -> bool:
    """[families.rate_column_by_columns]: a rate column without a per-cent sign read as per cent or
    fraction by the row's own actual / target."""
    return bool(rules.family("rate_column_by_columns").get("switch"))


def has_numbers(row: dict) -> bool:
    return any(parse_cell_number(row.get(name, "")) is not None for name in ("actual", "rate"))


# --------------------------------------------------------------------------
# growth indicators against their expected rate
# --------------------------------------------------------------------------

# Every growth figure the growth patterns read is a percentage or a gap in points.
_GROWTH_MARKS = ("%", "％", "百分点")


def growth_measures(row: dict, rules: Rules, schedule: float) -> list[Measure]:
    """A growth indicator judged by its rate against the target rate, not by the
    share of the year (REPORTING.md): a gap stated against the target's growth
    (高于年度目标增幅 5.6 个百分点), a growth rate with its target rate in the task or
    the same sentence (增长 7.1%, target 8%), a decline (同比下降 3.7%) for a task
    that does not promise a decrease. The ratio is put on the schedule scale
    (schedule ± gap in points), so it decides against 序时进度 like a stated gap
    and never says the annual target is met."""
    text = row["progress"]
    if not any(mark in text for mark in _GROWTH_MARKS):
        return []
    compiled = rules.ready["growth"]
    family = rules.family("growth")
    measures: list[Measure] = []
    if "百分点" in text:  # every gap pattern reads a number of points
        for pattern in compiled["ahead_patterns"]:
            measures += _gap(text, pattern, 1, schedule)
        for pattern in compiled["behind_patterns"]:
            measures += _gap(text, pattern, -1, schedule)
        if measures:
            return measures
    own_chars = _own_indicator_chars(rules)
    if not own_chars and not compiled["indicator_words"].found_in(row["task"]) and not any(
            p.search(row["task"]) for p in compiled["task_target_patterns"]):
        return []  # a rate counts only for a task naming an indicator or promising a growth rate
    decrease_task = any(w in row["task"] for w in family.get("decrease_task_words", []))
    # a figure after one of these is a share of the plan (为年计划的 109.5%), not a target rate
    not_share = tuple(rules.family("arith_growth_forms").get("share_not_target_rate", []))
    targets = [float(m.group(1)) for p in compiled["task_target_patterns"] for m in p.finditer(row["task"])]
    latest = bool(rules.family("arith_latest_growth").get("report_period_first"))
    seen: set = set()
    for pattern, sign in [(p, 1) for p in compiled["rise_patterns"]] + [(p, -1) for p in compiled["fall_patterns"]]:
        for match in pattern.finditer(text):
            if match.start(1) in seen:
                continue
            seen.add(match.start(1))
            value = sign * float(match.group(1))
            start = bound_left(text, match.start(), SENTENCE_SEPS)
            sentence = text[start:bound_right(text, match.end(), SENTENCE_SEPS)]
            own = [float(m.group(1)) for p in compiled["sentence_target_patterns"] for m in p.finditer(sentence)
                   if not (not_share and m.group(0)[:m.start(1) - m.start()].rstrip().endswith(not_share))]
            before = sentence[:match.start() - start]
            if not targets and not _about_task(before, row["task"], family) and not (
                    own_chars and names_the_task(before, row["task"], own_chars, family.get("indicator_words", []))):
                continue  # a growth figure given as background (the task promises something else)
            target = (own or targets or [None])[0]
            phrase = evidence_phrase(text, match.start(), match.end())
            if target is not None and not decrease_task:
                gap = value - target
            elif value < 0 and not decrease_task:
                gap = value
            else:
                continue
            note = (f"〔核算：增长{value:g}%，目标增长{target:g}%，相差{gap:+.1f}个百分点〕" if target is not None
                    else f"〔核算：同比{value:g}%，低于零增长〕")
            measures.append(Measure(phrase, value, "%", target, schedule + gap / 100, "progress", "growth", True,
                                    match.start(), note=note))
            if not latest:
                break
        if measures and not latest:
            break
    if latest and len(measures) > 1:
        # a figure for the report's own period (预计上半年增长 6% in a June report) beats an earlier one
        # (一季度增长 5.1%); else the first, as before ([families.arith_latest_growth])
        own = [m for m in measures if period_month_before(text, m.position, rules) == row["_date"].month]
        measures = [own[-1] if own else min(measures, key=lambda m: m.position)]
    return measures[:1] if latest else measures


_RANGE_MONTH = re.compile(r"1\s*[-—~～至到]\s*(\d{1,2})\s*月|前\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*个月")


def period_month_before(text: str, pos: int, rules: Rules) -> int | None:
    """The month the nearest period named before ``pos`` in its sentence ends with (1-5月 → 5,
    上半年 → 6, 前三季度 → 9, 全年 → 12: ``[families.arith_latest_growth].period_months``), or None."""
    start = bound_left(text, pos, SENTENCE_SEPS)
    before = text[start:pos]
    best, month = -1, None
    for match in _RANGE_MONTH.finditer(before):
        if match.start() > best:
            best, month = match.start(), int(cn_number(match.group(1) or match.group(2)))
    for word, value in rules.family("arith_latest_growth").get("period_months", {}).items():
        at = before.rfind(word)
        if at > best or (at == best and at >= 0 and month is not None and len(word) > 2):
            best, month = at, int(value)
    return month


def decline_measures(row: dict, rules: Rules, schedule: float) -> list[Measure]:
    """An indicator that falls (同比下降 3.7%, 降幅 5%, 增长 -2.1%) for a task naming that
    indicator and not promising a decrease ([families.decline]): behind its year, the
    fall in points below the schedule. A year-on-year change with no target rate: it
    never beats a share of the plan the row states (:func:`src.classify.decide._with_growth`)."""
    text = row["progress"]
    if "%" not in text and "％" not in text:
        return []
    patterns = rules.ready["decline"]
    family = rules.family("decline")
    if not patterns or not any(w in row["task"] for w in family.get("indicator_words", [])):
        return []
    if any(w in row["task"] for w in family.get("decrease_task_words", [])):
        return []
    for pattern in patterns:
        for match in pattern.finditer(text):
            start = bound_left(text, match.start(), SENTENCE_SEPS)
            if not _about_task(text[start:match.start()], row["task"], family):
                continue
            value = float(match.group(1))
            if value <= 0:
                continue
            phrase = evidence_phrase(text, match.start(), match.end())
            return [Measure(phrase, -value, "%", None, schedule - value / 100, "progress", "growth", True,
                            match.start())]
    return []


def _own_indicator_chars(rules: Rules) -> int:
    """[families.arith_growth_forms]: how many characters of the task's own name the words
    before a growth figure must repeat for the figure to be the task's (0: switched off)."""
    family = rules.family("arith_growth_forms")
    return int(family.get("own_indicator_chars", 0)) if family.get("own_indicator") else 0


_NAME_CHARS = re.compile(r"[\u4e00-\u9fff]+")


def names_the_task(before: str, task: str, chars: int, others=()) -> bool:
    """True when ``before`` repeats ``chars`` characters in a row of the task's own words (the
    indicator the task names, whatever it is called: 招商引资到位资金 …) and names no other
    indicator (``others``) after them."""
    last = -1
    for run in _NAME_CHARS.findall(task):
        for i in range(len(run) - chars + 1):
            last = max(last, before.rfind(run[i:i + chars]) + chars if run[i:i + chars] in before else -1)
    return last >= 0 and not any(w in before[last:] for w in others)


def _about_task(before: str, task: str, family: dict) -> bool:
    """True when the task names an indicator (生产总值, 增加值, 收入 …) that the words
    before the growth figure in its sentence name too."""
    return any(word in task and word in before for word in family.get("indicator_words", []))



def _gap(text: str, pattern: re.Pattern, sign: int, schedule: float) -> list[Measure]:
    out = []
    for match in pattern.finditer(text):
        gap = sign * float(match.group(1))
        out.append(Measure(evidence_phrase(text, match.start(), match.end()), gap, "pts", None,
                           schedule + gap / 100, "progress", "growth", True, match.start()))
    return out


def over_fulfilment(row: dict, rules: Rules) -> str | None:
    """The evidence of a stated over-fulfilment of the year's target (超额完成…年度目标,
    加倍完成, 完成率 125%), or None."""
    text = row["progress"]
    for pattern in rules.ready["over_fulfilment"].that_may_match(text):
        match = pattern.search(text)
        if match and not _of_a_period(text, match, rules):
            return evidence_phrase(text, match.start(), match.end())
    return None


def _of_a_period(text: str, match: re.Match, rules: Rules) -> bool:
    """[families.over_fulfilment_period]: the over-fulfilment follows a period's figure that ends before the
    year does (1-7 月累计完成投资 7.7 亿元，超额完成 2.7 亿元) and names no year: ahead of the period's plan."""
    family = rules.family("over_fulfilment_period")
    if not family.get("switch") or any(w in match.group(0) for w in family.get("year_words", [])):
        return False
    month = _RANGE_MONTH.search(text[bound_left(text, match.start(), SENTENCE_SEPS):match.start()])
    return month is not None and int(cn_number(month.group(1) or month.group(2))) < 12


def stated_growth_on_track(row: dict, rules: Rules) -> str | None:
    """Evidence of a growth indicator said to meet its expected rate (增速达到或超过预期目标)."""
    text = row["progress"]
    for pattern in rules.ready["growth"]["met"].that_may_match(text):
        match = pattern.search(text)
        if match:
            return evidence_phrase(text, match.start(), match.end())
    return None


def stated_growth_behind(row: dict, rules: Rules) -> str | None:
    """Evidence of a growth indicator said to be below its expected rate (增幅低于目标任务)."""
    text = row["progress"]
    for pattern in rules.ready["growth"]["missed"].that_may_match(text):
        match = pattern.search(text)
        if match:
            return evidence_phrase(text, match.start(), match.end())
    return None


def year_end_forecast_measures(row: dict, rules: Rules, schedule: float) -> list[Measure]:
    """At a year-end report (the elapsed share is 100%), a forecast for the whole year
    (预计全年完成投资 90 亿元) against the task's target of the same unit is a measure: below
    the target the year's target is missed (lagging); at or above it the task is on
    schedule, never completed (a forecast is not a delivery)."""
    words = rules.family("year_end_forecast").get("words", [])
    text = row["progress"]
    if schedule < 1 or not words or not any(w in text for w in words):
        return []
    targets = task_targets(row, rules)
    if not targets:
        return []
    measures = []
    for word in words:
        at = text.find(word)
        if at < 0:
            continue
        end = bound_right(text, at, SENTENCE_SEPS)
        for number in quantities_in(text[at:end], rules, targets=True):
            same = [t for t in targets if t.unit == number.unit and t.value > 0]
            if len(same) != 1:
                continue
            target = same[0]
            start = at + number.start
            measures.append(Measure(evidence_phrase(text, start, at + number.end), number.value, number.unit,
                                    target.value, number.value / target.value * schedule, "progress", "forecast",
                                    True, start))
            break
        if measures:
            break
    return measures
