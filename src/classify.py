"""Status classifier: completed / on-track / lagging for each key task.

The contract is the status codebook (shared/gold/CODEBOOK.md); every cue
phrase, threshold and tie-break is read from ``data/reference/status_rules.toml``
so that an analyst can extend the rules without touching code. The order of
decision is documented at the top of that file and in :func:`_decide`.

Public API (re-exported by ``src.helpers``):

* :func:`elapsed_share` – share of the year elapsed at a report date.
* :func:`load_rules` – the parsed rules file (``rules["version"]``…).
* :func:`classify_tasks` – add the status columns to a task table.
* :func:`apply_overrides` – apply analyst overrides from ``data/overrides.csv``.
* :func:`classify_stage` – the build stage: read, classify, override, write.
* :func:`evaluate` – confusion matrix and scores against reference labels.

Elapsed share (序时进度): a month-end ``as_of`` gives ``month / 12`` exactly
(30 June → 0.5, 30 September → 0.75, 30 November → 0.9167); any other date
gives a day-precise ``day_of_year / days_in_year`` (15 May 2020 → 136/366).
"""
from __future__ import annotations

import calendar
import csv
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from re import _constants as _sre, _parser as _sre_parser  # for _required_literals
from pathlib import Path

import pandas as pd

from src import store
from src.paths import DEV_LABELS_PATH, OVERRIDES_PATH, REFERENCE_DIR

__all__ = [
    "STATUSES",
    "STATUS_COLUMNS",
    "RULES_PATH",
    "OverrideError",
    "elapsed_share",
    "load_rules",
    "classify_tasks",
    "apply_overrides",
    "classify_stage",
    "evaluate",
    "status_counts",
]

RULES_PATH = REFERENCE_DIR / "status_rules.toml"
STATUSES = ("completed", "on-track", "lagging")
TEXT_FIELDS = ("task", "progress", "problems", "next_steps")
STATUS_COLUMNS = (
    "status",
    "status_evidence",
    "status_rule",
    "progress_ratio",
    "schedule_gap_pts",
    "progress_items",
    "needs_review",
    "review_reason",
    "status_source",
    "override_reason",
    "rule_status",
    "rules_version",
)
OVERRIDE_HEADER = ["task_id", "status", "reason", "reviewer", "date"]
CLASSIFIED_OUTPUTS = ("tasks_classified.csv", "tasks_classified.parquet", "classification.json")

# Measures the row states itself (a share of the plan, a rate against its
# target, a target and an actual side by side) decide before derived ones
# (a task-text target paired with a progress number, "M of N" counts).
EXPLICIT_KINDS = ("annual-share", "completion-rate", "rate-vs-target", "in-row-target", "stated-gap", "schedule-share",
                  "milestone")
# Measures against the schedule itself (a stated gap in points, a share of the
# elapsed-time target): they place a task against 序时进度 but never say the
# annual target is met.
SCHEDULE_KINDS = ("stated-gap", "schedule-share", "milestone")
DERIVED_KINDS = ("target-match", "x-of-y")

# Punctuation that bounds sentences and clauses. These are structural, not
# cue phrases, so they live here rather than in the rules file.
_SENTENCE_SEPS = "。；;！!？?\n"
_CLAUSE_SEPS = _SENTENCE_SEPS + "，,、：:"
_PERCENT = re.compile(r"(?<![\d.])(-?\d+(?:\.\d+)?)\s*[%％]")
# A share written as a percentage, or in words: 三分之一, 四成 (成 not starting
# a word such as 成本, 成果, 成为).
#
# Patterns whose matches start after a lookbehind begin with a lookahead for
# the first character a match can have ((?=\d) …): it changes no match, but
# lets the engine reject most positions with one character test.
_SHARE = re.compile(
    r"(?=[-\d一二三四五六七八九十])"
    r"(?:(?<![\d.])(?P<pct>-?\d+(?:\.\d+)?)\s*[%％]"
    r"|(?P<den>[一二三四五六七八九十])分之(?P<num>[一二三四五六七八九十])"
    r"|(?<![一二三四五六七八九十\d])(?P<tenth>[一二三四五六七八九])成(?![本员果为功立绩效交型熟品都]))"
)
_DATES = re.compile(r"\d+\s*[-—~～至到]\s*\d+\s*月份?|\d+\s*月(?:底|份|末|初|中旬|下旬|上旬)?|\d+\s*日|20\d\d\s*年")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[\u3400-\u9fffA-Za-z]")
_COLON = re.compile(r"[：:]")
_PERCENT_OR_PER_UNIT = re.compile(r"\s*[%％/]")
_STRIP_ONLY = re.compile(r"[\s\d\.、，,。；;：:！!（）()\-—·]+")


# --------------------------------------------------------------------------
# schedule
# --------------------------------------------------------------------------
def _to_date(as_of) -> date:
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    if hasattr(as_of, "to_pydatetime"):
        return as_of.to_pydatetime().date()
    text = str(as_of).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise ValueError(f"as_of must be a date or 'YYYY-MM-DD', got {as_of!r}") from error


def elapsed_share(as_of) -> float:
    """Share of the calendar year elapsed at ``as_of`` (the 序时进度 yardstick).

    Month-end dates give ``month / 12`` (2020-06-30 → 0.5, 09-30 → 0.75,
    11-30 → 0.9167, 12-31 → 1.0). Other dates give the day-precise
    ``day_of_year / days_in_year`` (2020-05-15 → 136 / 366).
    """
    day = _to_date(as_of)
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return day.month / 12
    days_in_year = 366 if calendar.isleap(day.year) else 365
    return day.timetuple().tm_yday / days_in_year


# --------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------
@dataclass
class Rules:
    """The rules file, parsed and with its patterns compiled."""

    raw: dict
    version: str
    tolerance_pts: float
    borderline_pts: float
    majority_tie: str
    cue_fields: tuple
    quantity_fields: tuple
    compiled: dict = field(default_factory=dict)
    _prepared: dict = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, key):
        return self.raw[key]

    def prepared(self, key: str):
        """``_PREPARERS[key](self)`` – a phrase list sorted, a pattern compiled –
        built on first use and kept for the life of this rules object, so that
        rows do not redo work that depends only on the rules. Built lazily, a
        rules dict lacking a key fails where the classifier first reads it,
        as before."""
        prepared = self._prepared
        if key not in prepared:
            prepared[key] = _PREPARERS[key](self)
        return prepared[key]

    def words(self, section: str, name: str, default=None) -> "_WordSet":
        """The word list ``[section].name`` (``default`` when absent, an error
        when there is none) as a :class:`_WordSet`, built once."""
        key = ("words", section, name)
        prepared = self._prepared
        if key not in prepared:
            table = self.raw[section]
            prepared[key] = _WordSet(table[name] if default is None else table.get(name, default))
        return prepared[key]


def _compile_rules(raw: dict) -> Rules:
    schedule = raw.get("schedule", {})
    fields = raw.get("fields", {})
    completed = raw["completed"]
    guards = raw["guards"]
    quantities = raw["quantities"]
    tie = schedule.get("majority_tie", "on-track")
    if tie not in STATUSES:
        raise ValueError(f"status_rules: schedule.majority_tie must be one of {STATUSES}, got {tie!r}")
    units = sorted(quantities["units"], key=len, reverse=True)
    multipliers = quantities.get("multipliers", {})
    mult_alt = "|".join(re.escape(m) for m in sorted(multipliers, key=len, reverse=True))
    unit_alt = "|".join(re.escape(u) for u in units)
    compiled = {
        "annual_cues": [re.compile(p) for p in completed["annual_cues"]],
        "weak_cues": [re.compile(p) for p in completed.get("weak_cues", [])],
        "share_follow": re.compile(completed["share_follow_pattern"]),
        "risk_follow": re.compile(completed.get("risk_follow_pattern", "(?!)")),
        "delay_patterns": [re.compile(p) for p in raw["lagging"].get("delay_patterns", [])],
        "start_quarter": re.compile(raw["lagging"].get("start_quarter_pattern", "(?!)")),
        "gap_behind": [re.compile(p) for p in quantities.get("behind_gap_patterns", [])],
        "gap_ahead": [re.compile(p) for p in quantities.get("ahead_gap_patterns", [])],
        "schedule_share": re.compile(quantities.get("schedule_share_pattern", "(?!)")),
        "milestone": re.compile(quantities.get("milestone_target_pattern", "(?!)")),
        "superseded_follow": re.compile(quantities.get("superseded_follow_pattern", "(?!)")),
        "adjusted_target": re.compile(quantities.get("adjusted_target_pattern", "(?!)")),
        "partial_follow": re.compile(completed["partial_follow_pattern"]),
        "year": re.compile(completed["year_pattern"]),
        "generic_follow": re.compile(guards["generic_follow_pattern"]),
        "aspiration": re.compile(guards["aspiration_pattern"]),
        "annual_share": re.compile(quantities["annual_share_pattern"]),
        "rate": re.compile(quantities["rate_pattern"]),
        "not_target_follow": re.compile(quantities["not_target_follow_pattern"]),
        "in_row_target": re.compile(quantities.get("in_row_target_pattern", "(?!)")),
        # number, optional multiplier (万/亿…), unit
        "quantity": re.compile(
            rf"(?=\d)(?<![\d.])(\d+(?:\.\d+)?)\s*({mult_alt})?\s*({unit_alt})" if mult_alt
            else rf"(?=\d)(?<![\d.])(\d+(?:\.\d+)?)\s*()({unit_alt})"
        ),
        "negation_fillers": re.compile(
            "^(?:" + "|".join(re.escape(w) for w in sorted(guards.get("negation_fillers", []), key=len, reverse=True)) + ")*$"
            if guards.get("negation_fillers")
            else "^$"
        ),
    }
    return Rules(
        raw=raw,
        version=str(raw["version"]),
        tolerance_pts=float(schedule.get("tolerance_pts", 0.0)),
        borderline_pts=float(schedule.get("borderline_pts", 0.0)),
        majority_tie=tie,
        cue_fields=tuple(fields.get("cue_fields", ["progress", "problems", "next_steps"])),
        quantity_fields=tuple(fields.get("quantity_fields", ["progress", "problems"])),
        compiled=compiled,
    )


@lru_cache(maxsize=8)
def _load_rules_file(path: str, mtime: float) -> Rules:
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    if "version" not in raw:
        raise ValueError(f"{path}: the rules file needs a top-level 'version' key")
    return _compile_rules(raw)


def load_rules(rules=None) -> Rules:
    """The classifier rules: ``None`` → ``data/reference/status_rules.toml``; a
    path → that TOML file; a dict → rules given inline; a :class:`Rules` → itself.
    ``load_rules()["version"]`` is the rule version reported with the statuses."""
    if isinstance(rules, Rules):
        return rules
    if isinstance(rules, dict):
        if "version" not in rules:
            raise ValueError("rules dict needs a top-level 'version' key")
        return _compile_rules(rules)
    path = Path(rules) if rules is not None else RULES_PATH
    return _load_rules_file(str(path.resolve()), path.stat().st_mtime)


# --------------------------------------------------------------------------
# small text helpers
# --------------------------------------------------------------------------
def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA:
        return ""
    return str(value)


@lru_cache(maxsize=16)
def _separator_patterns(seps: str) -> tuple[re.Pattern, re.Pattern]:
    """(everything up to the last separator, one separator) for a separator set."""
    chars = "".join(re.escape(c) for c in seps)
    return re.compile(rf"(?s).*[{chars}]"), re.compile(rf"[{chars}]")


def _bound_left(text: str, pos: int, seps: str) -> int:
    """Index just after the last separator before ``pos``."""
    if pos <= 0:
        return pos
    match = _separator_patterns(seps)[0].match(text, 0, pos)
    return match.end() if match else 0


def _bound_right(text: str, pos: int, seps: str) -> int:
    """Index of the first separator at or after ``pos`` (the end of the text if none)."""
    if pos >= len(text):
        return pos
    match = _separator_patterns(seps)[1].search(text, pos)
    return match.start() if match else len(text)


_LIST_NUMBER = re.compile(r"^\s*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*(?:[\.．](?!\d)|[、)）])|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,2})[)）])\s*")


def _tidy(phrase: str) -> str:
    """Drop list numbering ("1. ", "二、", "(3)") and spaces at the ends; the
    result is still a verbatim substring of the row."""
    return _LIST_NUMBER.sub("", phrase.strip(), count=1).strip()


def _phrase(text: str, start: int, end: int, min_chars: int = 10) -> str:
    """A readable verbatim phrase around text[start:end]: its clause, extended to
    the previous clause (same sentence) when the clause alone is short."""
    left = _bound_left(text, start, _CLAUSE_SEPS)
    if end - left < min_chars and left > 0 and text[left - 1] not in _SENTENCE_SEPS:
        left = _bound_left(text, left - 1, _CLAUSE_SEPS)
    phrase = _tidy(text[left:end])
    return phrase or text[start:end].strip()


def _sentence_of(text: str, start: int, end: int) -> str:
    return text[_bound_left(text, start, _SENTENCE_SEPS):_bound_right(text, end, _SENTENCE_SEPS)]


def _first_clause(text: str, limit: int = 60) -> str:
    text = text.strip()
    if not text:
        return ""
    end = _bound_right(text, 0, _SENTENCE_SEPS)
    return _tidy(text[:min(end, limit)])


# --------------------------------------------------------------------------
# cue phrases
# --------------------------------------------------------------------------
@dataclass
class Cue:
    kind: str  # delay / pending / on-track / completed / one-off / weak-completed
    phrase: str  # the cue itself
    evidence: str  # verbatim phrase of the row
    source_field: str
    weak: bool = False


def _negated(text: str, start: int, rules: Rules) -> bool:
    clause_start = _bound_left(text, start, _CLAUSE_SEPS)
    before = text[clause_start:start]
    for negator in rules.prepared("negators"):
        index = before.rfind(negator)
        if index < 0:
            continue
        gap = before[index + len(negator):].replace(" ", "")
        if rules.compiled["negation_fillers"].match(gap):
            return True
    return False


def _generic_frame(text: str, start: int, end: int, rules: Rules) -> bool:
    clause_start = _bound_left(text, start, _CLAUSE_SEPS)
    before = text[clause_start:start]
    if not any(prefix in before for prefix in rules["guards"]["generic_prefixes"]):
        return False
    return bool(rules.compiled["generic_follow"].match(text[end:]))


def _inside_false_friend(text: str, start: int, end: int, friends) -> bool:
    """``friends``: (phrase, compiled phrase) pairs (``rules.prepared("false_friends")``)."""
    for friend, pattern in friends:
        if friend not in text:
            continue
        for match in pattern.finditer(text):
            if match.start() <= start and end <= match.end():
                return True
    return False


# --------------------------------------------------------------------------
# literal prefilters: skip a pattern family on a text that cannot match it
# --------------------------------------------------------------------------
# Every match of 滞后序时进度(\d+)个百分点 contains the literal 百分点, so a text
# without 百分点 needs no scan. _required_literals works such strings out of a
# pattern's parse tree (a few strings, one of which every match contains) and
# _literal_filter joins those of a family into one trie-shaped alternation: one
# fast search tells whether any pattern of the family can match at all. The
# analysis only ever claims what the parse tree proves; where it cannot prove
# anything (a case-insensitive pattern, a pattern that may match without any
# fixed text) there is no filter and the patterns simply run.
_MAX_LITERALS = 64


def _product(left, right):
    if left is None or right is None or len(left) * len(right) > _MAX_LITERALS:
        return None
    return frozenset(a + b for a in left for b in right)


def _fixed_strings(op, av):
    """The strings one parsed item matches when they are few and fixed (a
    literal, [abc], 完成|完工, 度?, a group of those), else None."""
    if op is _sre.LITERAL:
        return frozenset(chr(av))
    if op is _sre.IN:
        if len(av) <= _MAX_LITERALS and all(kind is _sre.LITERAL for kind, _ in av):
            return frozenset(chr(code) for _, code in av)
        return None
    if op is _sre.SUBPATTERN:
        _, add_flags, del_flags, inner = av
        return None if add_flags or del_flags else _fixed_sequence(inner)
    if op is _sre.BRANCH:
        strings = frozenset()
        for alternative in av[1]:
            fixed = _fixed_sequence(alternative)
            if fixed is None or len(strings | fixed) > _MAX_LITERALS:
                return None
            strings |= fixed
        return strings
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, high, inner = av
        fixed = _fixed_sequence(inner)
        if fixed is None or high > 1:
            return None
        return fixed | {""} if low == 0 else fixed
    return None


def _fixed_sequence(items):
    strings = frozenset({""})
    for op, av in items:
        strings = _product(strings, _fixed_strings(op, av))
        if strings is None:
            return None
    return strings


def _selectivity(literals) -> tuple:
    return (min(map(len, literals)), -len(literals))


def _best_window(run):
    """The most selective product of consecutive fixed items of a run."""
    best = None
    for i in range(len(run)):
        strings = frozenset({""})
        for j in range(i, len(run)):
            strings = _product(strings, run[j])
            if strings is None:
                break
            if min(map(len, strings)) > 0 and (best is None or _selectivity(strings) >= _selectivity(best)):
                best = strings
    return best


def _required_in(items):
    """Strings one of which occurs in every match of the parsed sequence, or None."""
    candidates, run = [], []

    def close_run():
        if run:
            window = _best_window(run)
            if window:
                candidates.append(window)
            run.clear()

    for op, av in items:
        fixed = _fixed_strings(op, av)
        if fixed is not None:
            run.append(fixed)  # consecutive fixed items: their concatenation is required
            continue
        close_run()
        found = None
        if op is _sre.SUBPATTERN:
            _, add_flags, del_flags, inner = av
            if not (add_flags or del_flags):
                found = _required_in(inner)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            if av[0] >= 1:  # repeated at least once
                found = _required_in(av[2])
        elif op is _sre.BRANCH:  # every alternative must require something
            found = frozenset()
            for alternative in av[1]:
                literals = _required_in(alternative)
                if literals is None:
                    found = None
                    break
                found |= literals
        elif op is _sre.ATOMIC_GROUP:
            found = _required_in(av)
        if found:
            candidates.append(found)
    close_run()
    best = None
    for literals in candidates:  # the most selective; on ties the later one
        if best is None or _selectivity(literals) >= _selectivity(best):
            best = literals
    return best


def _required_literals(pattern: re.Pattern) -> frozenset | None:
    """Strings one of which every match of ``pattern`` contains, or None."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        return _required_in(_sre_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unexpected parse tree: no filter, the pattern just runs
        return None


def _trie(strings) -> str:
    """A regex matching exactly the given non-empty strings, one branch per
    first character (the engine skips to those characters and tries few branches)."""
    groups: dict[str, set] = {}
    for string in strings:
        groups.setdefault(string[0], set()).add(string[1:])
    parts = []
    for first in sorted(groups):
        rest = groups[first]
        tail = _trie(rest - {""}) if rest - {""} else ""
        if tail and "" in rest:
            tail = f"(?:{tail})?"
        parts.append(re.escape(first) + tail)
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _literal_filter(patterns) -> re.Pattern | None:
    """One search that fails on a text only when no pattern of ``patterns`` can
    match it; None when some pattern requires no known literal."""
    literals = set()
    for pattern in patterns:
        found = _required_literals(pattern)
        if not found:
            return None
        literals |= found
    return re.compile(_trie(literals)) if literals else None


def _may_match(literal_filter: re.Pattern | None, text: str) -> bool:
    return literal_filter is None or literal_filter.search(text) is not None


class _WordSet:
    """``found_in(text)`` ≡ ``any(word in text for word in words)``, in one search."""

    def __init__(self, words):
        words = set(words)
        self.always = "" in words
        words.discard("")
        self.pattern = re.compile(_trie(words)) if words else None

    def found_in(self, text: str) -> bool:
        return self.always or (self.pattern is not None and self.pattern.search(text) is not None)


class _PhraseList:
    """A list of literal phrases prepared once per rules object: each phrase
    compiled, in the order :func:`_find_phrases` tries them (longest first),
    plus one alternation of them all that tells in a single pass whether a
    text holds any of them."""

    def __init__(self, phrases):
        ordered = sorted(set(phrases), key=lambda phrase: (-len(phrase), phrase))  # stable across runs
        self.ordered = tuple((phrase, re.compile(re.escape(phrase))) for phrase in ordered)
        self.any = re.compile(_trie(ordered)) if ordered and all(ordered) else None


def _find_phrases(text: str, phrases) -> list[tuple[int, int, str]]:
    """Occurrences of literal phrases, longest phrase first, non-overlapping."""
    if not isinstance(phrases, _PhraseList):
        phrases = _PhraseList(phrases)
    if not phrases.ordered or (phrases.any is not None and phrases.any.search(text) is None):
        return []  # none of the phrases occurs: the common case, in one pass
    found: list[tuple[int, int, str]] = []
    for phrase, pattern in phrases.ordered:
        if phrase not in text:
            continue
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e, _ in found):
                continue
            found.append((match.start(), match.end(), phrase))
    return sorted(found)


def _delay_cues(row: dict, rules: Rules) -> list[Cue]:
    lag = rules["lagging"]
    guards = rules["guards"]
    cues: list[Cue] = []
    task = row["task"]
    pending_ok = rules.words("lagging", "pending_task_terms", []).found_in(task)
    for field_name in rules.cue_fields:
        text = row[field_name]
        if not text:
            continue
        hits = [(s, e, p, "delay") for s, e, p in _find_phrases(text, rules.prepared("delay_cues"))]
        families = rules.compiled["delay_patterns"] if _may_match(rules.prepared("delay_filter"), text) else ()
        for pattern in families:  # cue families written as patterns
            for match in pattern.finditer(text):
                if not any(s < match.end() and match.start() < e for s, e, _, _ in hits):
                    hits.append((match.start(), match.end(), match.group(0), "delay-family"))
        if pending_ok:
            hits += [(s, e, p, "pending") for s, e, p in _find_phrases(text, rules.prepared("pending_cues"))]
        for start, end, phrase, kind in sorted(hits):
            if _inside_false_friend(text, start, end, rules.prepared("false_friends")):
                continue
            not_due = phrase in lag.get("start_cues", []) and _start_not_due(row, rules)
            if _negated(text, start, rules) or _generic_frame(text, start, end, rules):
                continue
            sentence = _sentence_of(text, start, end)
            if any(word in sentence for word in guards.get("caught_up", [])):
                continue
            clause = text[_bound_left(text, start, _CLAUSE_SEPS):end]
            weak = not_due or any(word in clause for word in guards.get("softeners", []))
            cues.append(Cue(kind, phrase, _phrase(text, start, end), field_name, weak))
    # a listed cue phrase is the clearer evidence; the broader families come after it
    cues.sort(key=lambda cue: cue.kind == "delay-family")
    for cue in cues:
        cue.kind = "delay" if cue.kind == "delay-family" else cue.kind
    return cues


def _start_not_due(row: dict, rules: Rules) -> bool:
    """True when the task or next steps put the start of works after the report
    date (力争年底前开工, 计划9月开工): "not yet started" is then no delay."""
    lag = rules["lagging"]
    month = row["_date"].month
    text = row["task"] + "\n" + row["next_steps"]
    if month < 12 and rules.prepared("start_later").search(text):
        return True
    if any(_month_number(m) > month for m in rules.prepared("start_month").findall(text)):
        return True
    # 计划三季度开工: due by the end of that quarter
    return any(_month_number(q) * 3 > month for q in rules.compiled["start_quarter"].findall(text))


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _cn_number(text: str) -> float:
    """Arabic or simple Chinese numerals up to 99 (九, 十, 十二, 二十)."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return float(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0))
    return float(_CN_DIGITS.get(text, 0))


def _month_number(text: str) -> int:
    return int(_cn_number(text))


def _on_track_cues(row: dict, rules: Rules) -> list[Cue]:
    cues = []
    for field_name in rules.cue_fields:
        text = row[field_name]
        for start, end, phrase in _find_phrases(text, rules.prepared("on_track_cues")):
            if _negated(text, start, rules):
                continue
            cues.append(Cue("on-track", phrase, _phrase(text, start, end), field_name))
    return cues


def _strip_for_only(text: str) -> str:
    return _STRIP_ONLY.sub("", text)


def _completion_cues(row: dict, rules: Rules, as_of) -> list[Cue]:
    completed = rules["completed"]
    cues: list[Cue] = []
    empty = rules.prepared("empty_values")
    parts = {name: _strip_for_only(row[name]) for name in ("problems", "next_steps")}
    parts = {name: ("" if value in empty else value) for name, value in parts.items()}
    tail = parts["problems"] + parts["next_steps"]
    only_pattern = rules.prepared("only_pattern")
    only_set = rules.prepared("only_set")

    def says_only_done(value: str) -> bool:
        return bool(value) and (value in only_set or bool(only_pattern and only_pattern.match(value)))

    if says_only_done(tail):
        field_name = "next_steps" if parts["next_steps"] else "problems"
        text = row[field_name]
        cues.append(Cue("completed-only", text.strip(), text.strip(), field_name))
    elif completed.get("progress_only", False):
        progress = row["progress"].strip()
        first = _tidy(progress[:_bound_right(progress, 0, _SENTENCE_SEPS)])
        first = _COLON.split(first)[-1].strip()  # 进展情况：已完成
        if says_only_done(_strip_for_only(first)):
            cues.append(Cue("completed-only", first, first, "progress"))
    year = _to_date(as_of).year
    for field_name in rules.quantity_fields:
        text = row[field_name]
        for pattern in rules.compiled["annual_cues"] if _may_match(rules.prepared("annual_filter"), text) else ():
            for match in pattern.finditer(text):
                follow = text[match.end():]
                if rules.compiled["share_follow"].match(follow) or rules.compiled["partial_follow"].match(follow):
                    continue
                if rules.compiled["risk_follow"].match(follow):
                    continue  # 完成全年目标任务压力较大: a risk to the target, not its completion
                if _partial_before(text, match.start(), rules):
                    cues.append(Cue("weak-completed", match.group(0), _phrase(text, match.start(), match.end()), field_name, True))
                    continue  # 已基本完成全年任务: not fully achieved
                if _negated(text, match.start(), rules) or _aspiration_before(text, match.start(), rules):
                    continue
                sentence_start = _bound_left(text, match.start(), _SENTENCE_SEPS)
                years = {int(y) for y in rules.compiled["year"].findall(text[sentence_start:match.end()])}
                if years and year not in years:
                    continue
                cues.append(Cue("completed", match.group(0), _phrase(text, match.start(), match.end()), field_name))
    if not _open_ended(row["task"], rules):
        for field_name in rules.quantity_fields:
            text = row[field_name]
            for start, end, phrase in _find_phrases(text, rules.prepared("one_off_cues")):
                if _negated(text, start, rules) or _aspiration_before(text, start, rules):
                    continue
                sentence = _sentence_of(text, start, end).replace(phrase, " ")  # the object, not the verb
                if _longest_common_run(_without_stopwords(sentence, rules), _without_stopwords(row["task"], rules)) \
                        >= completed.get("one_off_min_overlap", 3):
                    cues.append(Cue("one-off", phrase, _phrase(text, start, end), field_name))
    for field_name in rules.quantity_fields:
        text = row[field_name]
        for pattern in rules.compiled["weak_cues"] if _may_match(rules.prepared("weak_filter"), text) else ():
            for match in pattern.finditer(text):
                if _negated(text, match.start(), rules) or _aspiration_before(text, match.start(), rules):
                    continue
                if rules.compiled["risk_follow"].match(text[match.end():]):
                    continue
                cues.append(Cue("weak-completed", match.group(0), _phrase(text, match.start(), match.end()), field_name, True))
    return cues


def _without_stopwords(text: str, rules: Rules) -> list[str]:
    """Characters of ``text`` with the words that prove nothing (全市, 完成, 项目…)
    blanked out, so that a shared run must be the object itself."""
    for word in rules.prepared("stopwords_multi"):
        text = text.replace(word, " ")
    return list(text)


def _partial_before(text: str, pos: int, rules: Rules) -> bool:
    """A completion phrase qualified as partial (基本完成, 初步完成, 大部分完成)."""
    before = text[max(0, pos - 5):pos].replace("已经", "").replace("已", "")
    return any(before.endswith(word) for word in rules["guards"].get("partial_completion_before", []))


def _open_ended(task: str, rules: Rules) -> bool:
    return rules.words("completed", "open_ended_markers").found_in(task)


def _aspiration_before(text: str, pos: int, rules: Rules) -> bool:
    clause = text[_bound_left(text, pos, _CLAUSE_SEPS):pos]
    return bool(rules.compiled["aspiration"].search(clause))


# --------------------------------------------------------------------------
# quantified measures
# --------------------------------------------------------------------------
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


_SHARE_FILTER = _literal_filter([_SHARE])  # %, ％, 三成, 分之一 …


def _percent_measures(row: dict, rules: Rules) -> list[Measure]:
    q = rules["quantities"]
    measures: list[Measure] = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        last_percent_end = 0
        milestones: dict[int, float] = {}  # sentence start -> the row's own milestone share
        for match in _SHARE.finditer(text) if _may_match(_SHARE_FILTER, text) else ():
            clause_start = max(_bound_left(text, match.start(), _CLAUSE_SEPS), last_percent_end)
            last_percent_end = match.end()
            before = text[clause_start:match.start()]
            sentence_start = _bound_left(text, match.start(), _SENTENCE_SEPS)
            if match.group("pct") is not None:
                value = float(match.group("pct"))
            elif match.group("den"):
                value = round(_cn_number(match.group("num")) / _cn_number(match.group("den")) * 100, 4)
            else:
                value = _cn_number(match.group("tenth")) * 10
            if match.group("pct") is None and not before:
                continue  # a bare 三成 / 三分之一 with nothing to say what it is a share of

            def add(kind, decisive, target=100.0, ratio=None):
                ratio = value / target if ratio is None and target else ratio
                phrase = _phrase(text, match.start(), match.end(), min_chars=16)  # only for a measure kept
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
            if rules.words("quantities", "plan_words").found_in(before):
                continue  # a plan or forecast, not progress
            if rules.words("quantities", "physical_words").found_in(before):
                add("physical", False)
                continue
            if rules.words("quantities", "progress_words").found_in(before):
                add("completion-rate", True)
                continue
            rate = rules.compiled["rate"].search(before)
            if rate:
                name = rate.group(1)
                prefix = before[:rate.start(1)]
                if name + "率" in q["plan_share_rates"] and not any(
                    prefix.endswith(p) for p in q.get("quality_rate_prefixes", [])
                ):
                    add("completion-rate", True)
                    continue
                target = None if name + "率" in q["plan_share_rates"] else _rate_target(name, row)
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
                sentence = _sentence_of(text, match.start(), match.end())
                if rules.words("quantities", "annual_context_words", []).found_in(sentence):
                    add("annual-share", True)  # 序时进度为75%，实际完成68%
                else:
                    add("physical", False)
    return measures


def _gap_measures(row: dict, rules: Rules) -> list[Measure]:
    """A gap to the schedule written in points: 滞后序时进度9.8个百分点,
    超序时进度2.99个百分点, 低于目标21.7个百分点. The ratio is the elapsed share
    plus or minus the gap, so ``schedule_gap_pts`` repeats the stated gap."""
    schedule = row["_schedule"]
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        seen = set()
        if not _may_match(rules.prepared("gap_filter"), text):
            continue
        for sign, patterns in ((-1, rules.compiled["gap_behind"]), (1, rules.compiled["gap_ahead"])):
            for pattern in patterns:
                for match in pattern.finditer(text):
                    if match.start(1) in seen or _negated(text, match.start(), rules):
                        continue
                    seen.add(match.start(1))
                    gap = float(match.group(1))
                    measures.append(Measure(_phrase(text, match.start(), match.end()), sign * gap, "个百分点", None,
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
    stopwords: tuple = field(default=(), repr=False)  # rules.prepared("stopwords")
    verb_tokens: frozenset = field(default=frozenset(), repr=False)  # rules.prepared("verb_tokens")

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


def _quantities(text: str, rules: Rules, *, targets: bool, keep=None) -> list[Quantity]:
    """Numbers with a unit in ``text``, as targets or as actuals. ``keep(before)``,
    when given, is a further test of the words before the number in its clause;
    it runs first, so numbers a caller would drop cost little."""
    q = rules["quantities"]
    multipliers = q.get("multipliers", {})
    found = []
    for match in rules.compiled["quantity"].finditer(text):
        clause_start = _bound_left(text, match.start(), _CLAUSE_SEPS)
        before = text[clause_start:match.start()]
        if keep is not None and not keep(before):
            continue
        follow = text[match.end():]
        if _PERCENT_OR_PER_UNIT.match(follow):
            continue  # a percentage or a per-unit rate (万吨/日)
        if rules.compiled["not_target_follow"].match(follow):
            continue  # qualifier or threshold: 10 亿元以上项目, 1万元以下
        if targets and rules.compiled["superseded_follow"].match(follow):
            continue  # the old target in 目标由 5000 套调减为 3000 套
        value = float(match.group(1)) * multipliers.get(match.group(2) or "", 1)
        if value <= 0:
            continue
        clause_end = _bound_right(text, match.end(), _CLAUSE_SEPS)
        if not targets and rules.words("quantities", "not_actual_before").found_in(before[-6:]):
            continue
        if not targets and rules.words("quantities", "plan_words").found_in(before):
            continue
        context = before + " " + text[match.end():clause_end]
        start_verbs = q.get("start_verbs", [])
        # a target is about starting works when its clause says so (开工建设 20 个);
        # an actual when the words just before it do (开工 1964 个，完工 611 个)
        after = text[match.end():clause_end]
        starts_works = any(verb in (context if targets else before[-8:] + " " + after) for verb in start_verbs)
        found.append(Quantity(value, match.group(3), match.start(), match.end(), context, before, starts_works,
                              rules.prepared("stopwords"), rules.prepared("verb_tokens")))
    return found


def _context_tokens(context: str, stopwords: tuple) -> list[str]:
    """Tokens of ``context`` with dates and ``stopwords`` (longest first) taken out."""
    context = _DATES.sub(" ", context)
    for word in stopwords:
        context = context.replace(word, " ")
    return _TOKEN.findall(context)


def _longest_common_run(a: list, b: list) -> int:
    best = 0
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def _in_row_target_measures(row: dict, rules: Rules) -> list[Measure]:
    """A target stated in the progress text itself: 年度计划 8 亿元，已完成 3.2 亿元."""
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        if not _may_match(rules.prepared("in_row_target_filter"), text):
            continue  # no target word (计划, 目标 …) anywhere, so none before a number
        in_row, adjusted, milestone = (rules.compiled[k] for k in ("in_row_target", "adjusted_target", "milestone"))
        targets = [
            (t, bool(adjusted.search(t.text_before)))
            for t in _quantities(
                text, rules, targets=True,
                keep=lambda before: bool(in_row.search(before) or adjusted.search(before) or milestone.search(before)),
            )
        ]
        if not targets:
            continue
        actuals = [a for a in _quantities(text, rules, targets=False) if not a.starts_works]
        for target, adjusted in targets:
            milestone = bool(rules.compiled["milestone"].search(target.text_before))
            lo, hi = _bound_left(text, target.start, _SENTENCE_SEPS), _bound_right(text, target.end, _SENTENCE_SEPS)
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
                Measure(_phrase(text, min(actual.start, target.start), max(actual.end, target.end)), actual.value,
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
    clause = text[_bound_left(text, actual.start, _CLAUSE_SEPS):actual.start]
    return any(w in between for w in q.get("breakdown_words", [])) and not any(
        v in clause for v in q.get("bare_actual_verbs", []))


def _task_targets(row: dict, rules: Rules) -> list[Quantity]:
    return _quantities(row["task"], rules, targets=True)


def _target_measures(row: dict, rules: Rules) -> list[Measure]:
    """Actual vs a number promised in the task text (造林 4.5 万亩 → 完成造林 5.0 万亩)."""
    q = rules["quantities"]
    targets = _task_targets(row, rules)
    if not targets:
        return []
    actuals = []
    for field_name in rules.quantity_fields:
        actuals += [(field_name, a) for a in _quantities(row[field_name], rules, targets=False)]
    pairs = []
    for t_index, target in enumerate(targets):
        only_of_unit = sum(t.unit == target.unit for t in targets) == 1
        for a_index, (field_name, actual) in enumerate(actuals):
            if actual.unit != target.unit:
                continue
            if actual.starts_works and not target.starts_works:
                continue  # works started are not the deliverable done (开工 1964 个 vs 改造 2000 个)
            overlap = _longest_common_run(target.context, actual.context)
            if overlap >= q["min_overlap"] or (overlap >= q["min_overlap_full"] and overlap == len(target.context)):
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
        sentence = (_bound_left(text, actual.start, _SENTENCE_SEPS), _bound_right(text, actual.end, _SENTENCE_SEPS))
        measures.append(
            Measure(_phrase(text, actual.start, actual.end), actual.value, actual.unit, target.value,
                    actual.value / target.value, field_name, "target-match", True, actual.start)
        )
        measures[-1]._sentence = sentence
    for measure in measures:  # an unpaired count of the same unit in the same sentence
        measure.ambiguous = any(
            i not in used_a and other_field == measure.source_field and other.unit == measure.unit
            and measure._sentence[0] <= other.start < measure._sentence[1]
            for i, (other_field, other) in enumerate(actuals)
        )
    return sorted(measures, key=lambda m: (rules.quantity_fields.index(m.source_field), m.position))


def _x_of_y_patterns(rules: Rules) -> tuple:
    """The "M of N" patterns of :func:`_x_of_y_measures` (done before, done
    after, slash), compiled once per rules object."""
    q = rules["quantities"]
    count_units = set(q["count_units"])
    before_alt = "|".join(re.escape(v) for v in sorted(q["done_verbs_before"], key=len, reverse=True))
    after_alt = "|".join(re.escape(v) for v in sorted(q["done_verbs_after"], key=len, reverse=True))
    unit_alt = "|".join(re.escape(u) for u in sorted(count_units, key=len, reverse=True))
    return (
        re.compile(rf"(?:{before_alt})[^，,。；;\d]{{0,8}}?(\d+)\s*({unit_alt})"),
        re.compile(rf"(?=\d)(?<![\d.])(\d+)\s*({unit_alt})[^，,。；;\d]{{0,6}}?(?:{after_alt})"),
        re.compile(rf"(?:{before_alt})[^，,。；;\d]{{0,8}}?(\d+(?:\.\d+)?)\s*[/／]\s*(\d+(?:\.\d+)?)\s*({unit_alt})?"),
    )


@lru_cache(maxsize=256)
def _count_of_unit(unit: str) -> re.Pattern:
    """A count of one unit (49 项), compiled once per unit."""
    return re.compile(rf"(?=\d)(?<![\d.])(\d+)\s*({re.escape(unit)})")


def _x_of_y_measures(row: dict, rules: Rules) -> list[Measure]:
    """"M of N" forms inside one sentence: 细化分解落实 49 项任务，完成 32 项."""
    q = rules["quantities"]
    done_before, done_after, slash = rules.prepared("x_of_y")
    before_filter, after_filter, slash_filter = rules.prepared("x_of_y_filters")
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        seen = set()
        for match in slash.finditer(text) if _may_match(slash_filter, text) else ():  # 已完成 12/20 个
            done, total = float(match.group(1)), float(match.group(2))
            if 0 < total and done <= total:
                seen.add(match.start(1))
                measures.append(Measure(_phrase(text, match.start(), match.end()), done, match.group(3) or "",
                                        total, done / total, field_name, "x-of-y", True, match.start(1)))
        for pattern, verb_first, literal_filter in ((done_before, True, before_filter), (done_after, False, after_filter)):
            for match in pattern.finditer(text) if _may_match(literal_filter, text) else ():
                number_start = match.start(1)
                if number_start in seen:
                    continue
                done, unit = float(match.group(1)), match.group(2)
                sentence_start = _bound_left(text, match.start(), _SENTENCE_SEPS)
                scope_end = match.start() if verb_first else number_start
                earlier = []
                for m in _count_of_unit(unit).finditer(text[sentence_start:scope_end]):
                    at = sentence_start + m.start()
                    lead = text[_bound_left(text, at, _CLAUSE_SEPS):at]
                    if rules.words("quantities", "not_total_before").found_in(lead):
                        continue  # a progress count (开工 1964 个), not the size of a set
                    if float(m.group(1)) >= done and float(m.group(1)) > 0:
                        earlier.append((at, float(m.group(1))))
                if not earlier:
                    continue
                seen.add(number_start)
                total_at, total = earlier[-1]
                clause = text[_bound_left(text, match.start(), _CLAUSE_SEPS):match.end()]
                decisive = not rules.words("quantities", "non_plan_words").found_in(clause)
                phrase = _phrase(text, total_at, match.end())
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


def _measures(row: dict, rules: Rules) -> list[Measure]:
    found = (_percent_measures(row, rules) + _gap_measures(row, rules) + _target_measures(row, rules)
             + _in_row_target_measures(row, rules) + _x_of_y_measures(row, rules))
    positions = {(m.source_field, m.position) for m in found if m.kind in ("target-match", "in-row-target")}
    found = [m for m in found if not (m.kind == "x-of-y" and (m.source_field, m.position) in positions)]
    order = {name: i for i, name in enumerate(rules.quantity_fields)}
    return sorted(_dedupe(found), key=lambda m: (order.get(m.source_field, 99), m.position))


# --------------------------------------------------------------------------
# decision
# --------------------------------------------------------------------------
@dataclass
class Decision:
    status: str
    rule: str
    evidence: str
    ratio: float = float("nan")
    review: list = field(default_factory=list)


def _deciding(measures: list[Measure], row: dict | None = None, rules: Rules | None = None) -> list[Measure]:
    """Explicit shares of the annual plan first; derived ones (target pairs,
    M of N) only when the row states no share itself. Within the chosen group,
    a total beats its breakdown (codebook: judge the main measure)."""
    explicit = [m for m in measures if m.decisive and m.kind in EXPLICIT_KINDS]
    chosen = explicit or [m for m in measures if m.decisive and m.kind in DERIVED_KINDS]
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


def _representative(measures: list[Measure]) -> Measure:
    """The median measure of a group (lower median), in reading order on ties."""
    ordered = sorted(measures, key=lambda m: (m.ratio, m.position))
    return ordered[(len(ordered) - 1) // 2]


def _decide(row: dict, rules: Rules, schedule: float, tolerance: float) -> tuple[Decision, list[Measure]]:
    """Apply the rules in order (see the header of status_rules.toml)."""
    measures = _measures(row, rules)
    deciding = _deciding(measures, row, rules)
    delays = _delay_cues(row, rules)
    strong_delays = [c for c in delays if not c.weak]
    completions = _completion_cues(row, rules, row["_as_of"])
    on_track = _on_track_cues(row, rules)

    def on_schedule(m: Measure) -> bool:
        return m.ratio * 100 - schedule * 100 >= -tolerance

    below = [m for m in deciding if not on_schedule(m)]
    at_or_above = [m for m in deciding if on_schedule(m)]
    review: list[str] = []
    if below and at_or_above:
        review.append("measures on both sides of the schedule")
    physical = [m for m in measures if m.kind == "physical" and m.ratio is not None]
    report_month = row["_date"].month
    period = rules.prepared("period_month")
    for m in deciding if period else []:
        text = row[m.source_field]
        months = [_month_number(a or b) for a, b in period.findall(_sentence_of(text, m.position, m.position))]
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

    only = [c for c in completions if c.kind == "completed-only"]
    annual = [c for c in completions if c.kind == "completed"]
    one_off = [c for c in completions if c.kind == "one-off"]
    weak_completions = [c for c in completions if c.kind == "weak-completed"]
    short_of_target = [m for m in deciding if m.ratio < 1]

    def finish(decision: Decision) -> tuple[Decision, list[Measure]]:
        if strong_delays and decision.status != "lagging":
            decision.review.append(f"delay phrase '{strong_delays[0].phrase}' but status {decision.status}")
        if [c for c in delays if c.weak] and decision.status != "lagging":
            decision.review.append(f"minor delay phrase '{[c for c in delays if c.weak][0].phrase}'")
        if (weak_completions or annual or one_off) and decision.status != "completed":
            cue = (annual or one_off or weak_completions)[0]
            decision.review.append(f"completion phrase '{cue.phrase}' not counted")
        if decision.rule.startswith("quantified") and not math.isnan(decision.ratio):
            if abs(decision.ratio * 100 - schedule * 100) < rules.borderline_pts:
                decision.review.append("deciding measure within the borderline band")
        decision.review = review + decision.review
        return decision, measures

    def with_ratio(decision: Decision) -> Decision:
        if deciding and math.isnan(decision.ratio):
            decision.ratio = _representative(deciding).ratio
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
    # 2. every target-bearing measure met
    target_bearing = [m for m in deciding if m.kind != "x-of-y" and m.kind not in SCHEDULE_KINDS]
    task_matches = [m for m in deciding if m.kind == "target-match"]
    unmatched_targets = bool(task_matches) and len(_task_targets(row, rules)) > len(task_matches)
    if unmatched_targets and all(m.ratio >= 1 for m in deciding):
        review.append("task states more numeric targets than the progress reports")
    if (target_bearing and len(target_bearing) == len(deciding) and all(m.ratio >= 1 for m in deciding)
            and not unmatched_targets):
        smallest = min(deciding, key=lambda m: (m.ratio, m.position))
        return finish(Decision("completed", "target-met", smallest.phrase, smallest.ratio))
    # 3. one-off deliverable done
    if one_off and not short_of_target:
        return finish(with_ratio(Decision("completed", "one-off-completed", one_off[0].evidence)))
    # 4. quantified against the schedule
    if deciding:
        if len(below) > len(at_or_above):
            m = _representative(below)
            return finish(Decision("lagging", "quantified-below-schedule", m.phrase, m.ratio))
        if len(below) == len(at_or_above):
            review.append("measures split evenly; tie-break applied")
            if rules.majority_tie == "lagging":
                m = _representative(below)
                return finish(Decision("lagging", "quantified-below-schedule", m.phrase, m.ratio))
        m = _representative(at_or_above)
        return finish(Decision("on-track", "quantified-on-schedule", m.phrase, m.ratio))
    # 5. stated delay
    if strong_delays:
        cue = strong_delays[0]
        if on_track:
            review.append(f"on-schedule phrase '{on_track[0].phrase}' next to a delay phrase")
        return finish(Decision("lagging", "stated-delay" if cue.kind == "delay" else "stated-pending", cue.evidence))
    # 6. stated on-track
    if on_track:
        return finish(Decision("on-track", "stated-on-track", on_track[0].evidence))
    # 7. default
    evidence = _first_clause(row["progress"]) or _first_clause(row["task"])
    return finish(Decision("on-track", "default-on-track", evidence))


# --------------------------------------------------------------------------
# work that depends only on the rules (see Rules.prepared)
# --------------------------------------------------------------------------
def _by_length(words) -> tuple:
    return tuple(sorted(words, key=len, reverse=True))


def _optional_pattern(pattern):
    return re.compile(pattern) if pattern else None


_PREPARERS = {
    # literal phrase lists (see _PhraseList)
    "delay_cues": lambda rules: _PhraseList(rules.raw["lagging"]["delay_cues"]),
    "pending_cues": lambda rules: _PhraseList(rules.raw["lagging"].get("pending_cues", [])),
    "on_track_cues": lambda rules: _PhraseList(rules.raw["on_track"]["cues"]),
    "one_off_cues": lambda rules: _PhraseList(rules.raw["completed"].get("one_off_cues", [])),
    "false_friends": lambda rules: tuple((f, re.compile(re.escape(f))) for f in rules.raw["lagging"].get("false_friends", [])),
    # word lists, longest first
    "negators": lambda rules: _by_length(rules.raw["guards"]["negators"]),
    "stopwords": lambda rules: _by_length(rules.raw["quantities"]["match_stopwords"]),
    "stopwords_multi": lambda rules: tuple(w for w in _by_length(rules.raw["quantities"]["match_stopwords"]) if len(w) > 1),
    "verb_tokens": lambda rules: frozenset(
        ch for verb in [*rules.raw["quantities"].get("bare_actual_verbs", []), *rules.raw["quantities"].get("start_verbs", [])] for ch in verb
    ),
    # "only 已完成" values, stripped as the cells are
    "empty_values": lambda rules: frozenset(_strip_for_only(v) for v in rules.raw["completed"].get("empty_values", [])),
    "only_set": lambda rules: frozenset(_strip_for_only(p) for p in rules.raw["completed"]["next_steps_only"]),
    "only_pattern": lambda rules: _optional_pattern(rules.raw["completed"].get("next_steps_only_pattern")),
    # patterns
    "start_later": lambda rules: re.compile(rules.raw["lagging"]["start_later_pattern"]),
    "start_month": lambda rules: re.compile(rules.raw["lagging"]["start_month_pattern"]),
    "period_month": lambda rules: _optional_pattern(rules.raw.get("schedule", {}).get("period_month_pattern")),
    "x_of_y": _x_of_y_patterns,
    # literal prefilters of the pattern families (see _literal_filter)
    "delay_filter": lambda rules: _literal_filter(rules.compiled["delay_patterns"]),
    "annual_filter": lambda rules: _literal_filter(rules.compiled["annual_cues"]),
    "weak_filter": lambda rules: _literal_filter(rules.compiled["weak_cues"]),
    "gap_filter": lambda rules: _literal_filter([*rules.compiled["gap_behind"], *rules.compiled["gap_ahead"]]),
    "in_row_target_filter": lambda rules: _literal_filter(
        [rules.compiled["in_row_target"], rules.compiled["adjusted_target"], rules.compiled["milestone"]]
    ),
    "x_of_y_filters": lambda rules: tuple(_literal_filter([pattern]) for pattern in rules.prepared("x_of_y")),
}


# --------------------------------------------------------------------------
# public: classify
# --------------------------------------------------------------------------
def classify_tasks(df: pd.DataFrame, as_of="2020-06-30", rules=None, tolerance_pts=None) -> pd.DataFrame:
    """Return ``df`` with the status columns added (see ``STATUS_COLUMNS``).

    * ``status`` – one of ``completed``, ``on-track``, ``lagging``;
    * ``status_evidence`` – verbatim phrase of the row that decided it;
    * ``status_rule`` – explicit-completed, target-met, one-off-completed,
      quantified-below-schedule, quantified-on-schedule, stated-delay,
      stated-pending, stated-on-track or default-on-track;
    * ``progress_ratio`` – fraction of the annual target done by the deciding
      measure (the median one of the winning side), NaN when no measure decides;
      for measures against the schedule itself (a gap stated in points, a share
      of 序时进度, the row's own milestone) it is the schedule-equivalent share,
      so that ratio against the elapsed share always gives the status;
    * ``schedule_gap_pts`` – ``progress_ratio*100 - elapsed_share(as_of)*100``;
    * ``progress_items`` – every quantified measure found (phrase, value, unit,
      target, ratio, source_field, kind, decisive);
    * ``needs_review`` / ``review_reason`` – weak or conflicting evidence;
    * ``status_source`` = ``rule``, ``override_reason`` = "", ``rule_status``
      = ``status`` (changed by :func:`apply_overrides`), ``rules_version``.
    """
    rules = load_rules(rules)
    schedule = elapsed_share(as_of)
    report_date = _to_date(as_of)
    tolerance = rules.tolerance_pts if tolerance_pts is None else float(tolerance_pts)
    missing = [c for c in TEXT_FIELDS if c not in df.columns]
    if missing:
        raise ValueError(f"classify_tasks: the table lacks the text column(s) {missing}")
    rows = []
    texts = df[list(TEXT_FIELDS)]
    # column by column (as itertuples walks them, but without a tuple object per row)
    for record in zip(*(texts.iloc[:, k].tolist() for k in range(texts.shape[1]))):
        row = {name: _text(value) for name, value in zip(TEXT_FIELDS, record)}
        row["_as_of"] = as_of
        row["_date"] = report_date  # as_of as a date, and its elapsed share: worked out once per table
        row["_schedule"] = schedule
        decision, measures = _decide(row, rules, schedule, tolerance)
        ratio = decision.ratio
        gap = ratio * 100 - schedule * 100 if not math.isnan(ratio) else float("nan")
        rows.append({
            "status": decision.status,
            "status_evidence": decision.evidence,
            "status_rule": decision.rule,
            "progress_ratio": round(ratio, 6) if not math.isnan(ratio) else float("nan"),
            "schedule_gap_pts": round(gap, 4) if not math.isnan(gap) else float("nan"),
            "progress_items": [m.as_item() for m in measures],
            "needs_review": bool(decision.review),
            "review_reason": "; ".join(dict.fromkeys(decision.review)),
        })
    added = pd.DataFrame(rows, index=df.index, columns=list(STATUS_COLUMNS[:8]))
    out = df.drop(columns=[c for c in STATUS_COLUMNS if c in df.columns]).copy()
    for column in added.columns:
        out[column] = added[column]
    out["progress_ratio"] = out["progress_ratio"].astype("float64")
    out["schedule_gap_pts"] = out["schedule_gap_pts"].astype("float64")
    out["needs_review"] = out["needs_review"].astype(bool)
    out["status_source"] = "rule"
    out["override_reason"] = ""
    out["rule_status"] = out["status"]
    out["rules_version"] = rules.version
    out.attrs["elapsed_share"] = schedule
    out.attrs["rules_version"] = rules.version
    return out


# --------------------------------------------------------------------------
# public: overrides
# --------------------------------------------------------------------------
class OverrideError(ValueError):
    """A fault in the analyst overrides file; the message names file and line."""

    def __init__(self, path, line: int | None, message: str):
        self.path, self.line, self.reason = str(path), line, message
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {message}")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _read_overrides(path: Path, known_ids: set) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise OverrideError(path, 1, f"the file is empty; it needs the header {','.join(OVERRIDE_HEADER)}") from None
        header = [h.strip() for h in header]
        if header != OVERRIDE_HEADER:
            raise OverrideError(path, 1, f"header must be {','.join(OVERRIDE_HEADER)}, found {','.join(header)}")
        entries, seen = [], {}
        while True:
            start_line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise OverrideError(path, start_line, f"unreadable CSV ({error})") from None
            if not record or all(not cell.strip() for cell in record):
                continue
            line = start_line
            if len(record) != len(OVERRIDE_HEADER):
                raise OverrideError(path, line, f"expected {len(OVERRIDE_HEADER)} fields ({','.join(OVERRIDE_HEADER)}), found {len(record)}")
            task_id, status, reason, reviewer, when = (cell.strip() for cell in record)
            try:
                key = int(task_id)
            except ValueError:
                raise OverrideError(path, line, f"task_id {task_id!r} is not a number") from None
            if key not in known_ids:
                raise OverrideError(path, line, f"unknown task_id {key} (not in the classified table)")
            if key in seen:
                raise OverrideError(path, line, f"duplicate task_id {key} (first given on line {seen[key]})")
            if status not in STATUSES:
                raise OverrideError(path, line, f"invalid status {status!r}; use one of {', '.join(STATUSES)}")
            if not reason:
                raise OverrideError(path, line, f"missing reason for task_id {key}; every override needs one")
            if not _DATE.match(when):
                raise OverrideError(path, line, f"malformed date {when!r}; use YYYY-MM-DD")
            try:
                date.fromisoformat(when)
            except ValueError:
                raise OverrideError(path, line, f"malformed date {when!r}; not a calendar date") from None
            seen[key] = line
            entries.append({"task_id": key, "status": status, "reason": reason, "reviewer": reviewer, "date": when, "line": line})
    return entries


def apply_overrides(df: pd.DataFrame, overrides_path) -> pd.DataFrame:
    """Apply analyst overrides (CSV ``task_id,status,reason,reviewer,date``) last.

    An overridden row gets the new ``status``, ``status_source = "override"``
    and ``override_reason``; ``status_evidence`` stays the rule's evidence and
    ``rule_status`` keeps what the rule said. Any fault (unknown task id,
    invalid status, missing reason, duplicate task id, malformed date, bad
    header) raises :class:`OverrideError` naming the file and line.
    """
    path = Path(overrides_path)
    if not path.exists():
        raise OverrideError(path, None, "overrides file not found")
    out = df.copy()
    if "rule_status" not in out.columns:
        out["rule_status"] = out["status"]
    if "status_source" not in out.columns:
        out["status_source"] = "rule"
    if "override_reason" not in out.columns:
        out["override_reason"] = ""
    known = {int(v) for v in out["task_id"].tolist()}
    for entry in _read_overrides(path, known):
        mask = out["task_id"].astype(int) == entry["task_id"]
        out.loc[mask, "status"] = entry["status"]
        out.loc[mask, "status_source"] = "override"
        out.loc[mask, "override_reason"] = entry["reason"]
    return out


# --------------------------------------------------------------------------
# public: stage
# --------------------------------------------------------------------------
def classify_stage(processed_dir, out_dir=None, as_of=None, overrides_path=None) -> pd.DataFrame:
    """Read ``<processed_dir>/tasks.parquet``, classify, apply overrides, and write
    ``tasks_classified.csv`` / ``.parquet`` and ``classification.json`` (as_of,
    elapsed_share, rule_version, counts…) into ``out_dir`` (default
    ``processed_dir``). ``as_of`` None or "" → ``metadata.json``'s ``as_of``.
    ``overrides_path`` None → ``src.paths.OVERRIDES_PATH`` (skipped if absent)."""
    processed_dir = Path(processed_dir)
    out_dir = Path(out_dir) if out_dir else processed_dir
    tasks = store.read_table(processed_dir / "tasks.parquet")
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        metadata_path = processed_dir / "metadata.json"
        if not metadata_path.exists():
            raise ValueError(f"{metadata_path}: not found; pass as_of explicitly")
        as_of = store.read_json(metadata_path).get("as_of")
        if not as_of:
            raise ValueError(f"{metadata_path}: no 'as_of' key; pass as_of explicitly")
    classified = classify_tasks(tasks, as_of=as_of)
    if overrides_path is None or (isinstance(overrides_path, str) and not overrides_path.strip()):
        overrides_path = OVERRIDES_PATH if Path(OVERRIDES_PATH).exists() else None
    if overrides_path is not None:
        classified = apply_overrides(classified, overrides_path)
    classified.attrs["as_of"] = str(_to_date(as_of))
    rules = load_rules()
    counts = classified["status"].value_counts()
    summary = {
        "as_of": str(_to_date(as_of)),
        "elapsed_share": round(elapsed_share(as_of), 6),
        "rule_version": rules.version,
        "rules_file": RULES_PATH.name,
        "tolerance_pts": rules.tolerance_pts,
        "counts": {status: int(counts.get(status, 0)) for status in STATUSES},
        "needs_review": int(classified["needs_review"].sum()),
        "overrides_applied": int((classified["status_source"] == "override").sum()),
        "overrides_file": Path(overrides_path).name if overrides_path is not None else "",
        "tasks": int(len(classified)),
    }
    store.write_csv(classified, out_dir / CLASSIFIED_OUTPUTS[0])
    store.write_parquet(classified, out_dir / CLASSIFIED_OUTPUTS[1])
    store.write_json(summary, out_dir / CLASSIFIED_OUTPUTS[2])
    return classified


# --------------------------------------------------------------------------
# public: evaluation
# --------------------------------------------------------------------------
def evaluate(classified_df: pd.DataFrame, labels_path=DEV_LABELS_PATH) -> dict | None:
    """Compare statuses with reference labels (CSV ``id,label,evidence``).

    Returns ``confusion`` (reference rows × predicted columns, in the order
    completed, on-track, lagging), ``per_class`` (precision, recall, f1,
    support), ``macro_f1``, ``accuracy``, ``n`` and ``disagreements`` (task_id,
    reference, predicted, status_rule, status_evidence, reference_evidence).
    A missing labels file gives None.
    """
    if labels_path is None:
        return None
    labels_path = Path(labels_path)
    if not labels_path.exists():
        return None
    labels = pd.read_csv(labels_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    id_column = "id" if "id" in labels.columns else "task_id"
    labels = labels.rename(columns={id_column: "task_id", "label": "reference", "evidence": "reference_evidence"})
    labels["task_id"] = labels["task_id"].astype(int)
    if "reference_evidence" not in labels.columns:
        labels["reference_evidence"] = ""
    predicted = classified_df[["task_id", "status", "status_rule", "status_evidence"]].copy()
    predicted["task_id"] = predicted["task_id"].astype(int)
    merged = labels.merge(predicted, on="task_id", how="inner").sort_values("task_id").reset_index(drop=True)
    merged = merged.rename(columns={"status": "predicted"})
    confusion = pd.DataFrame(0, index=pd.Index(STATUSES, name="reference"), columns=pd.Index(STATUSES, name="predicted"))
    for ref, pred in zip(merged["reference"], merged["predicted"]):
        if ref in STATUSES and pred in STATUSES:
            confusion.loc[ref, pred] += 1
    per_class = []
    for status in STATUSES:
        tp = int(confusion.loc[status, status])
        predicted_n = int(confusion[status].sum())
        support = int(confusion.loc[status].sum())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append({"status": status, "precision": precision, "recall": recall, "f1": f1, "support": support})
    per_class = pd.DataFrame(per_class).set_index("status")
    n = int(len(merged))
    # like scikit-learn: average over the classes present in the reference or the predictions
    present = per_class[(per_class["support"] > 0) | (confusion.sum(axis=0) > 0)]
    macro_f1 = float(present["f1"].mean()) if len(present) else float("nan")
    accuracy = float((merged["reference"] == merged["predicted"]).mean()) if n else float("nan")
    disagreements = merged.loc[
        merged["reference"] != merged["predicted"],
        ["task_id", "reference", "predicted", "status_rule", "status_evidence", "reference_evidence"],
    ].reset_index(drop=True)
    return {
        "confusion": confusion,
        "per_class": per_class,
        "macro_f1": macro_f1,
        "accuracy": accuracy,
        "n": n,
        "disagreements": disagreements,
    }


def status_counts(classified_df: pd.DataFrame) -> pd.DataFrame:
    """Tasks per status in the order completed, on-track, lagging: count and
    share of all tasks in percent (one decimal place, as notices print them)."""
    counts = classified_df["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    total = int(counts.sum())
    shares = (counts / total * 100).round(1) if total else counts * 0.0
    return pd.DataFrame({"status": list(STATUSES), "tasks": counts.to_numpy(), "share_pct": shares.to_numpy()})
