"""Stage 2, rules: read ``data/reference/status_rules.toml``, compile its
patterns into a :class:`Rules`, and prepare (once per rules object, on first
use) the phrase lists, word sets, patterns and literal prefilters that depend
only on the rules."""
from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from src.classify.columns import STATUSES
from src.classify.literals import Found, LiteralIndex, PatternFamily, PhraseList, WordSet, build_literal_filter
from src.classify.spans import strip_for_only
from src.fingerprints import read_reference
from src.paths import REFERENCE_DIR

RULES_PATH = REFERENCE_DIR / "status_rules.toml"
CN_NUMERAL_RUN = "零〇一二两三四五六七八九十百千万"


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
    _prepared: dict = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self._prepared is None:
            self._prepared = _Prepared(self)
        # rules.ready[key] ≡ rules.prepared(key), as a plain dict lookup once
        # built (the classifier reads these for every row)
        self.ready = self._prepared

    def __getitem__(self, key):
        return self.raw[key]

    def family(self, name: str) -> dict:
        """``[families.<name>]`` (empty when absent; a switched-off family reads as its switches off)."""
        return self.raw.get("families", {}).get(name, {})

    def prepared(self, key: str):
        """``_PREPARERS[key](self)`` – a phrase list sorted, a pattern compiled –
        built on first use and kept for the life of this rules object, so that
        rows do not redo work that depends only on the rules. Built lazily, a
        rules dict lacking a key fails where the classifier first reads it,
        as before."""
        return self._prepared[key]

    def prepare_all(self) -> Rules:
        """Build everything :meth:`prepared` would build on first use, now (a process that
        forks builds, :mod:`src.builder.forkserver`, does it once for all of them)."""
        for key in _PREPARERS:
            self._prepared[key]
        return self

    def literals_in(self, row: dict, field_name: str) -> Found:
        """What the literal index (the phrases of :data:`INDEXED_PHRASES`) finds in
        ``row[field_name]``: one search per column of a row, kept in the row,
        instead of one per phrase list."""
        cache = row.get("_literals")
        if cache is None:
            cache = row["_literals"] = {}
        else:
            found = cache.get(field_name)
            if found is not None:
                return found
        found = cache[field_name] = self._prepared["literal_index"].present(row[field_name])
        return found

    def words(self, section: str, name: str, default=None) -> WordSet:
        """The word list ``[section].name`` (``default`` when absent, an error
        when there is none) as a :class:`WordSet`, built once."""
        key = ("words", section, name)
        prepared = self._prepared
        if key not in prepared:
            table = self.raw[section]
            prepared[key] = WordSet(table[name] if default is None else table.get(name, default))
        return prepared[key]


class _Prepared(dict):
    """What is prepared from one rules object, each built on first use."""

    def __init__(self, rules: Rules):
        super().__init__()
        self.rules = rules

    def __missing__(self, key):
        value = self[key] = _PREPARERS[key](self.rules)
        return value


def family_list(raw: dict, family: str, key: str) -> list:
    """``[families.<family>].<key>`` of the rules file (empty when absent or switched off)."""
    return list(raw.get("families", {}).get(family, {}).get(key, []))


def families_with(raw: dict, key: str) -> list[str]:
    """The names of the families that hold ``key`` (in the file's order): cue families
    (``delay_cues``, ``delay_patterns``, ``on_track``, ``early_stage_patterns``) are
    gathered from every family that declares them, so a new family is a table of the
    rules file, not a line of code."""
    return [name for name, table in raw.get("families", {}).items() if isinstance(table, dict) and key in table]


def families_list(raw: dict, key: str) -> list:
    """``key`` of every family that holds it, concatenated in the file's order."""
    return [item for name in families_with(raw, key) for item in family_list(raw, name, key)]


def _compile_rules(raw: dict) -> Rules:
    schedule = raw.get("schedule", {})
    fields = raw.get("fields", {})
    completed = raw["completed"]
    guards = raw["guards"]
    quantities = raw["quantities"]
    tie = schedule.get("majority_tie", "on-track")
    if tie not in STATUSES:
        raise ValueError(f"status_rules: schedule.majority_tie must be one of {STATUSES}, got {tie!r}")
    units = sorted(dict.fromkeys([*quantities["units"], *family_list(raw, "plan_share", "units")]), key=len, reverse=True)
    multipliers = quantities.get("multipliers", {})
    mult_alt = "|".join(re.escape(m) for m in sorted(multipliers, key=len, reverse=True))
    unit_alt = "|".join(re.escape(u) for u in units)
    compiled = {
        "annual_cues": [re.compile(p) for p in [*completed["annual_cues"], *family_list(raw, "stated_words", "completed")]],
        "weak_cues": [re.compile(p) for p in completed.get("weak_cues", [])],
        "share_follow": re.compile(completed["share_follow_pattern"]),
        "risk_follow": re.compile(completed.get("risk_follow_pattern", "(?!)")),
        "delay_patterns": [re.compile(p) for p in [*raw["lagging"].get("delay_patterns", []),
                                                   *families_list(raw, "delay_patterns")]],
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
        "annual_share": re.compile("|".join(f"(?:{p})" for p in [quantities["annual_share_pattern"],
                                                                  *family_list(raw, "plan_share", "share_patterns")])),
        "rate": re.compile(quantities["rate_pattern"]),
        "not_target_follow": re.compile(quantities["not_target_follow_pattern"]),
        "in_row_target": re.compile(quantities.get("in_row_target_pattern", "(?!)")),
        # number, optional multiplier (万/亿…), unit. The number starts with a
        # digit not after a digit or a point: the pattern opens with the digit
        # and looks back past it (\d(?<![\d.]\d), the same as (?<![\d.])\d),
        # so that the engine skips to digits instead of trying every position.
        "quantity": re.compile(
            rf"(\d(?<![\d.]\d)\d*(?:\.\d+)?)\s*({mult_alt})?\s*({unit_alt})" if mult_alt
            else rf"(\d(?<![\d.]\d)\d*(?:\.\d+)?)\s*()({unit_alt})"
        ),
        # a count in Chinese numerals with a power (一百二十场, 五万二千人, 十二个); not
        # an ordinal (第十二批) and not a bare digit (一批, 三年), which are mostly words.
        # Written to open with a numeral (as "quantity" opens with a digit): the
        # same as (?<![第N])((?=[N]*[十百千万])[N]{{2,}}), N the numerals.
        "quantity_cn": re.compile(
            rf"([{CN_NUMERAL_RUN}](?<![第{CN_NUMERAL_RUN}][{CN_NUMERAL_RUN}])"
            rf"(?:(?<=[十百千万])|(?=[{CN_NUMERAL_RUN}]*[十百千万]))[{CN_NUMERAL_RUN}]+)\s*()({unit_alt})"
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
    raw = tomllib.loads(read_reference(path).decode())
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
# where each family was read from (leave-one-notice-out)
# --------------------------------------------------------------------------
# Every family / cue group of the rules file records ``read_from = [...]``: the
# notices (corpus notice ids, or "dev2020" / "external_dev" for the gold sets)
# its wordings were read from. Scoring notice X, the families read from X are
# switched off, so that a family is only ever measured on rows it was not
# written from.
NEVER = "(?!)"


def families_read_from(rules) -> dict[str, list[str]]:
    """``{"lagging": ["dev2020", …], "families.over_fulfilment": […], …}``: every
    table of the rules file that records ``read_from``, by its dotted path."""
    raw = load_rules(rules).raw
    found: dict[str, list[str]] = {}

    def walk(table: dict, path: str) -> None:
        if "read_from" in table:
            found[path] = [str(x) for x in table["read_from"]]
        for key, value in table.items():
            if isinstance(value, dict):
                walk(value, f"{path}.{key}" if path else key)

    walk(raw, "")
    return found


def _switch_off(table: dict, origin: str) -> bool:
    changed = False
    if origin in [str(x) for x in table.get("read_from", [])]:
        for key, value in list(table.items()):
            if key in ("read_from", "version") or isinstance(value, dict):
                continue
            if isinstance(value, list) and all(isinstance(v, (str, list)) for v in value):  # phrases, patterns, triggers
                table[key], changed = [], True
            elif isinstance(value, str) and key.endswith("pattern"):
                table[key], changed = NEVER, True
            elif isinstance(value, bool) and value:
                table[key], changed = False, True
    for value in table.values():
        if isinstance(value, dict):
            changed = _switch_off(value, origin) or changed
    return changed


def rules_without(rules, origin: str) -> Rules:
    """The rules with every family read from ``origin`` switched off (its phrase
    and pattern lists emptied, its patterns never matching, its switches off);
    the same object when no family was read from it."""
    rules = load_rules(rules)
    raw = copy.deepcopy(rules.raw)
    if not _switch_off(raw, str(origin)):
        return rules
    return _compile_rules(raw)


def _x_of_y_patterns(rules: Rules) -> tuple:
    """The "M of N" patterns of :func:`_x_of_y_measures` (done before, done
    after, slash), compiled once per rules object."""
    q = rules["quantities"]
    count_units = {*q["count_units"], *family_list(rules.raw, "plan_share", "units")}
    before_alt = "|".join(re.escape(v) for v in sorted(q["done_verbs_before"], key=len, reverse=True))
    after_alt = "|".join(re.escape(v) for v in sorted(q["done_verbs_after"], key=len, reverse=True))
    unit_alt = "|".join(re.escape(u) for u in sorted(count_units, key=len, reverse=True))
    return (
        re.compile(rf"(?:{before_alt})[^，,。；;\d]{{0,8}}?(\d+)\s*({unit_alt})"),
        # (?<![\d.])(\d+) written to open with the digit, as "quantity" is
        re.compile(rf"(\d(?<![\d.]\d)\d*)\s*({unit_alt})[^，,。；;\d]{{0,6}}?(?:{after_alt})"),
        re.compile(rf"(?:{before_alt})[^，,。；;\d]{{0,8}}?(\d+(?:\.\d+)?)\s*[/／]\s*(\d+(?:\.\d+)?)\s*({unit_alt})?"),
    )


# --------------------------------------------------------------------------
# work that depends only on the rules (see Rules.prepared)
# --------------------------------------------------------------------------
def _by_length(words) -> tuple:
    return tuple(sorted(words, key=len, reverse=True))


# Characters of a pattern that let one pattern character match several text
# characters (or leave the match open-ended): with none of them, a match is never
# longer than the pattern's own text.
_REPEATS = re.compile(r"[*+{]")


def _x_of_y_filters(rules: Rules) -> tuple:
    """Word sets for the "M of N" patterns (done before, done after, slash): each is
    built from a verb list, so every match holds one of its verbs."""
    q = rules["quantities"]
    before = WordSet(q["done_verbs_before"])
    return before, WordSet(q["done_verbs_after"]), before


def _only_max_chars(rules: Rules) -> int | None:
    """At most how many characters a value saying only "已完成" can have (the longest
    of ``next_steps_only`` and ``empty_values``, and a bound on the matches of
    ``next_steps_only_pattern``: its own length, when it is anchored at the end and
    repeats nothing, since then each character of a match uses at least one of the
    pattern's); None when it cannot be told."""
    lengths = [len(v) for v in (*rules.ready["only_set"], *rules.ready["empty_values"])]
    pattern = rules.ready["only_pattern"]
    if pattern is not None:
        text = pattern.pattern
        if not (text.endswith("$") or text.endswith(r"\Z")) or text.endswith(r"\$") or _REPEATS.search(text):
            return None  # matches the start of longer values too, or repeats: no bound
        lengths.append(len(text))
    return max(lengths, default=0)


def _triggers(rules: Rules, *places) -> list:
    """The trigger words of each pattern of a family, in the order its patterns are
    compiled, from every table that adds patterns to it: ``(table, patterns key,
    triggers key)``. A flat list of words applies to every pattern of its table; a
    list of lists gives each pattern its own (same length as the patterns)."""
    out: list = []
    for table, patterns_key, key in places:
        section = rules.raw
        for part in table.split("."):
            section = section.get(part, {})
        patterns, words = section.get(patterns_key, []), section.get(key, [])
        if not patterns:
            continue
        if words and all(isinstance(w, list) for w in words):
            if len(words) != len(patterns):
                raise ValueError(f"status_rules.toml: [{table}].{key} 应与 {patterns_key} 一一对应 / needs one list of "
                                 f"trigger words per pattern ({len(words)} for {len(patterns)})")
            out += [tuple(w) for w in words]
        else:
            out += [tuple(words)] * len(patterns)
    return out


def _period_amount_patterns(rules: Rules) -> tuple:
    """[families.arith_period_amount]: (+1 over / -1 under, the words before a difference)."""
    family = rules.family("arith_period_amount")
    return tuple([(1, re.compile(p)) for p in family.get("over_patterns", [])]
                 + [(-1, re.compile(p)) for p in family.get("under_patterns", [])])


def _done_remaining_pattern(rules: Rules):
    """[families.arith_done_remaining]: a remaining count (剩余 87 个), or None without words or units."""
    family = rules.family("arith_done_remaining")
    words, units = family.get("remaining_words", []), rules["quantities"].get("count_units", [])
    if not words or not units:
        return None
    word_alt, unit_alt = ("|".join(re.escape(w) for w in _by_length(ws)) for ws in (words, units))
    return re.compile(rf"(?:{word_alt})(?:的)?\s*(\d+)\s*({unit_alt})")


def _optional_pattern(pattern):
    return re.compile(pattern) if pattern else None


_PREPARERS = {
    # literal phrase lists (see PhraseList)
    "delay_cues": lambda rules: PhraseList([*rules.raw["lagging"]["delay_cues"],
                                            *families_list(rules.raw, "delay_cues")]),
    "unfinished_cues": lambda rules: PhraseList(rules.raw["lagging"].get("unfinished_cues", [])),
    "pending_cues": lambda rules: PhraseList(rules.raw["lagging"].get("pending_cues", [])),
    "on_track_cues": lambda rules: PhraseList([*rules.raw["on_track"]["cues"],
                                               *families_list(rules.raw, "on_track")]),
    "plan_share_rates": lambda rules: frozenset([*rules.raw["quantities"]["plan_share_rates"],
                                                 *family_list(rules.raw, "plan_share", "rates")]),
    "delivery_done": lambda rules: WordSet(rules.raw["completed"].get("delivery", {}).get("done_before", [])),
    "delivery_partial": lambda rules: WordSet(rules.raw["completed"].get("delivery", {}).get("partial_before", [])),
    "delivery_planned": lambda rules: WordSet(rules.raw["completed"].get("delivery", {}).get("planned_before", [])),
    "delivery_done_after": lambda rules: re.compile(
        "|".join(re.escape(w) for w in _by_length(rules.raw["completed"].get("delivery", {}).get("done_after", []))) or "(?!)"
    ),
    "delivery_verbs": lambda rules: PhraseList(rules.raw["completed"].get("delivery", {}).get("verbs", [])),
    "one_off_cues": lambda rules: PhraseList(rules.raw["completed"].get("one_off_cues", [])),
    "false_friends": lambda rules: tuple((f, re.compile(re.escape(f))) for f in [
        *rules.raw["lagging"].get("false_friends", []), *families_list(rules.raw, "false_friends")]),
    # word lists, longest first
    "negators": lambda rules: _by_length(rules.raw["guards"]["negators"]),
    "stopwords": lambda rules: _by_length(rules.raw["quantities"]["match_stopwords"]),
    "stopwords_multi": lambda rules: tuple(w for w in _by_length(rules.raw["quantities"]["match_stopwords"]) if len(w) > 1),
    "verb_tokens": lambda rules: frozenset(
        ch for verb in [*rules.raw["quantities"].get("bare_actual_verbs", []), *rules.raw["quantities"].get("start_verbs", [])] for ch in verb
    ),
    # "only 已完成" values, stripped as the cells are
    "empty_values": lambda rules: frozenset(strip_for_only(v) for v in rules.raw["completed"].get("empty_values", [])),
    "only_set": lambda rules: frozenset(strip_for_only(p) for p in rules.raw["completed"]["next_steps_only"]),
    "only_pattern": lambda rules: _optional_pattern(rules.raw["completed"].get("next_steps_only_pattern")),
    # the longest stripped tail that can say "only 已完成" (or be an empty value);
    # None when the pattern can match a longer one
    "only_max_chars": lambda rules: _only_max_chars(rules),
    # patterns
    "start_later": lambda rules: re.compile(rules.raw["lagging"]["start_later_pattern"]),
    "start_month": lambda rules: re.compile(rules.raw["lagging"]["start_month_pattern"]),
    "milestone_met": lambda rules: tuple(re.compile(p) for p in rules.raw["on_track"].get("milestone_patterns", [])),
    "forecast_miss": lambda rules: tuple(re.compile(p) for p in rules.raw["lagging"].get("forecast_miss_patterns", [])),
    "early_stage_cues": lambda rules: PhraseList(rules.raw["lagging"].get("early_stage_cues", [])),
    "early_stage_patterns": lambda rules: tuple(re.compile(p) for p in [
        *rules.raw["lagging"].get("early_stage_patterns", []),
        *families_list(rules.raw, "early_stage_patterns")]),
    "due_month": lambda rules: _optional_pattern(rules.raw["lagging"].get("due_month_pattern")),
    "start_rate": lambda rules: re.compile(rules.raw["quantities"].get("start_rate_pattern", "(?!)")),
    # a count anywhere in the rest of the clause (建成 … 六个, 竣工 12 座)
    "count_after": lambda rules: re.compile(
        rf"[^，,。；;：:\n]*?(?<![第\d.])(?:\d+(?:\.\d+)?|[{CN_NUMERAL_RUN}]+)\s*(?:"
        + "|".join(re.escape(u) for u in sorted(dict.fromkeys([*rules.raw["quantities"]["units"],
                                                               *family_list(rules.raw, "plan_share", "units")]),
                                                key=len, reverse=True)) + ")"
    ),
    "node_due": lambda rules: _optional_pattern(rules.raw["quantities"].get("node_due_pattern")),
    "period_month": lambda rules: _optional_pattern(rules.raw.get("schedule", {}).get("period_month_pattern")),
    "x_of_y": _x_of_y_patterns,
    # prefilters of the measure families: one alternation of a family's patterns
    # (build_literal_filter), None for a single pattern (it simply runs)
    "gap_filter": lambda rules: build_literal_filter([*rules.compiled["gap_behind"], *rules.compiled["gap_ahead"]],
                                                     rules.raw["quantities"].get("gap_triggers", [])),
    "in_row_target_filter": lambda rules: build_literal_filter(
        [rules.compiled["in_row_target"], rules.compiled["adjusted_target"], rules.compiled["milestone"]],
        rules.raw["quantities"].get("in_row_target_triggers", []),
    ),
    # every SHARE match holds one of these (%, 百分之…, 三分之一, 三成)
    "share_filter": lambda rules: WordSet(["%", "％", "分之", "成"]),
    # the "M of N" patterns are made of these verb lists: every match holds one of them
    "x_of_y_filters": _x_of_y_filters,
    # cue families written as patterns: one alternation tells whether any can match (PatternFamily)
    "delay_family": lambda rules: PatternFamily(rules.compiled["delay_patterns"], _triggers(
        rules, ("lagging", "delay_patterns", "delay_pattern_triggers"),
        *[(f"families.{name}", "delay_patterns", "delay_triggers") for name in families_with(rules.raw, "delay_patterns")]),
        "[lagging].delay_patterns"),
    "annual_family": lambda rules: PatternFamily(rules.compiled["annual_cues"], _triggers(
        rules, ("completed", "annual_cues", "annual_cue_triggers"),
        ("families.stated_words", "completed", "completed_triggers")),
        "[completed].annual_cues"),
    "weak_family": lambda rules: PatternFamily(rules.compiled["weak_cues"], _triggers(
        rules, ("completed", "weak_cues", "weak_cue_triggers")), "[completed].weak_cues"),
    "milestone_met_family": lambda rules: PatternFamily(rules.prepared("milestone_met"), _triggers(
        rules, ("on_track", "milestone_patterns", "milestone_triggers")), "[on_track].milestone_patterns"),
    "forecast_miss_family": lambda rules: PatternFamily(rules.prepared("forecast_miss"), _triggers(
        rules, ("lagging", "forecast_miss_patterns", "forecast_miss_triggers")), "[lagging].forecast_miss_patterns"),
    "early_stage_family": lambda rules: PatternFamily(rules.prepared("early_stage_patterns"), _triggers(
        rules, ("lagging", "early_stage_patterns", "early_stage_triggers"),
        *[(f"families.{name}", "early_stage_patterns", "early_stage_triggers")
          for name in families_with(rules.raw, "early_stage_patterns")]),
        "[lagging].early_stage_patterns"),
    # the arithmetic families of src/classify/arithmetic.py, compiled once
    "growth": lambda rules: {
        # the growth family's patterns, and those of every later family that adds to them
        # ([families.arith_growth_forms]: more forms of the same arithmetic)
        **{key: tuple(re.compile(p) for p in families_list(rules.raw, key))
           for key in ("ahead_patterns", "behind_patterns", "rise_patterns", "fall_patterns", "task_target_patterns",
                       "sentence_target_patterns")},
        **{key: tuple(re.compile(p) for p in family_list(rules.raw, "growth", key))
           for key in ("met_patterns", "missed_patterns")},
        "indicator_words": WordSet(family_list(rules.raw, "growth", "indicator_words")),
        "met": PatternFamily([re.compile(p) for p in family_list(rules.raw, "growth", "met_patterns")], _triggers(
            rules, ("families.growth", "met_patterns", "met_triggers")), "[families.growth].met_patterns"),
        "missed": PatternFamily([re.compile(p) for p in family_list(rules.raw, "growth", "missed_patterns")], _triggers(
            rules, ("families.growth", "missed_patterns", "missed_triggers")), "[families.growth].missed_patterns"),
    },
    "period_plan": lambda rules: re.compile("|".join(f"(?:{p})" for p in family_list(rules.raw, "period_plan",
                                                                                       "share_patterns")) or "(?!)"),
    "plan_figure": lambda rules: re.compile("|".join(f"(?:{p})" for p in [
        *family_list(rules.raw, "arith_plan_figure", "share_patterns"),
        *family_list(rules.raw, "arith_plan_words", "share_patterns"),
        *family_list(rules.raw, "arith_share_any_words", "share_patterns")]) or "(?!)"),
    "period_amount": _period_amount_patterns,
    "done_remaining": _done_remaining_pattern,
    "excess_share": lambda rules: _optional_pattern("|".join(family_list(rules.raw, "arith_excess_share", "patterns"))),
    "all_done": lambda rules: _optional_pattern("|".join(family_list(rules.raw, "arith_all_done", "patterns"))),
    "all_done_year": lambda rules: _optional_pattern("|".join(family_list(rules.raw, "arith_all_done",
                                                                          "year_task_patterns"))),
    "multi_year": lambda rules: _optional_pattern(rules.family("narrow_multi_year").get("multi_year_pattern")),
    "decline": lambda rules: tuple(re.compile(p) for p in family_list(rules.raw, "decline", "patterns")),
    "over_fulfilment": lambda rules: PatternFamily(
        [re.compile(p) for p in family_list(rules.raw, "over_fulfilment", "patterns")],
        _triggers(rules, ("families.over_fulfilment", "patterns", "triggers")), "[families.over_fulfilment].patterns"),
    # every phrase of these phrase lists, found in a text in one search (Rules.literals_in)
    "literal_index": lambda rules: LiteralIndex(
        [*(phrase for key in INDEXED_PHRASES for phrase, _ in rules.ready[key].ordered),
         *(t for key in INDEXED_FAMILIES for t in rules.ready[key].triggers)]
    ),
}
# The phrase lists Rules.literals_in looks for, and the pattern families whose
# trigger words it looks for too (PatternFamily).
INDEXED_PHRASES = (
    "delay_cues", "unfinished_cues", "pending_cues", "on_track_cues", "one_off_cues", "early_stage_cues", "delivery_verbs",
)
INDEXED_FAMILIES = (
    "delay_family", "annual_family", "weak_family", "milestone_met_family", "forecast_miss_family", "early_stage_family",
)
