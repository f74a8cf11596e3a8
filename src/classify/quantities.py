"""Stage 4b, numbers with a unit: each number of a text read as a target (the
task's promise) or an actual (progress), with the words around it, and the
task's own targets."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from src.classify.rules import Rules
from src.classify.spans import CLAUSE_SEPS, SENTENCE_SEPS, bound_left, bound_right, cn_number

_DATES = re.compile(r"\d+\s*[-—~～至到]\s*\d+\s*月份?|\d+\s*月(?:底|份|末|初|中旬|下旬|上旬)?|\d+\s*日|20\d\d\s*年")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[\u3400-\u9fffA-Za-z]")
_PERCENT_OR_PER_UNIT = re.compile(r"\s*[%％/]")
# 835 元/人月, 2200 元/人·月, 20100 元/人年: a standard per person (or household) and period
_PER_PERSON = re.compile(r"\s*[/／]\s*(?:人|户|月|年)")
_LIST_CLAUSE_SEPS = CLAUSE_SEPS.replace("、", "")
_CN_POWER = re.compile("[十百千万]")


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
        return context_tokens(self.context_text, self.stopwords)

    @cached_property
    def bare(self) -> bool:
        """Nothing but a verb around it (已完成 3 个, 已开工 8 个)."""
        return all(token in self.verb_tokens for token in self.context)


def number_matches(text: str, rules: Rules) -> list:
    """The matches of a number with a unit in ``text`` (digits, or Chinese
    numerals with a power), in reading order."""
    matches = list(rules.compiled["quantity"].finditer(text))
    if _CN_POWER.search(text):
        matches = sorted(matches + list(rules.compiled["quantity_cn"].finditer(text)), key=lambda m: m.start())
    return matches


def row_number_matches(row: dict, field_name: str, rules: Rules) -> list:
    """:func:`_number_matches` of one column of a row, worked out once per row
    (actuals and in-row targets read the same numbers)."""
    cache = row.get("_numbers")
    if cache is None:
        cache = row["_numbers"] = {}
    if field_name not in cache:
        cache[field_name] = number_matches(row[field_name], rules)
    return cache[field_name]


def quantities_in(text: str, rules: Rules, *, targets: bool, keep=None, matches=None) -> list[Quantity]:
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
        matches = number_matches(text, rules)
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


def actuals_in(row: dict, field_name: str, rules: Rules) -> list[Quantity]:
    """The actuals of one column of a row, worked out once per row."""
    cache = row.setdefault("_actuals", {})
    if field_name not in cache:
        cache[field_name] = quantities_in(row[field_name], rules, targets=False,
                                        matches=row_number_matches(row, field_name, rules))
    return cache[field_name]


def actuals_of(row: dict, field_name: str, rules: Rules) -> list[Quantity]:
    """The numbers with a unit in one column of a row, read as actuals (see
    :func:`_quantities`); worked out once per row."""
    return actuals_in(row, field_name, rules)


def context_tokens(context: str, stopwords: tuple) -> list[str]:
    """Tokens of ``context`` with dates and ``stopwords`` (longest first) taken out."""
    context = _DATES.sub(" ", context)
    for word in stopwords:
        context = context.replace(word, " ")
    return _TOKEN.findall(context)



def task_targets(row: dict, rules: Rules) -> list[Quantity]:
    """The numbers the task promises. When it states several of one unit and
    labels one as this office's own share (我市任务: … 130 公里, next to the
    province's 500 公里), only that one is this task's target of that unit."""
    if "_targets" in row:  # worked out once per row
        return row["_targets"]
    row["_targets"] = targets = _own_share(row["task"], quantities_in(row["task"], rules, targets=True), rules)
    return targets


def _own_share(task: str, targets: list, rules: Rules) -> list:
    words = rules["quantities"].get("own_share_words", [])
    if len(targets) < 2 or not words:
        return targets
    own = [t for t in targets if any(w in task[max(0, t.start - 24):t.start] for w in words)]
    own_units = {t.unit for t in own}
    return [t for t in targets if t.unit not in own_units or t in own]


