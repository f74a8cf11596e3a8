"""Stage 2a, rule preparation: literal prefilters, word sets and phrase lists.

Built once per rules object (see :meth:`Rules.prepared`), they let the
classifier skip a pattern family or a phrase list on a text that cannot
match it, with one search instead of one per pattern or phrase. The
:class:`LiteralIndex` goes further: one search of a text finds every cue
phrase it holds and every literal the cue families' patterns require
(:class:`PatternFamily`: each pattern with all the literal sets its matches
must contain, so a pattern runs only where all of them are met). Everything
here is worked out from the rules; nothing is a hand-kept list.
"""
from __future__ import annotations

import re
from functools import reduce
from operator import or_
from re import _constants as _sre  # for _required_literals
from re import _parser as _sre_parser
from typing import NamedTuple

# Every match of 滞后序时进度(\d+)个百分点 contains the literal 百分点, so a text
# without 百分点 needs no scan. _required_literals works such strings out of a
# pattern's parse tree (a few strings, one of which every match contains) and
# build_literal_filter joins those of a family into one trie-shaped alternation: one
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


def _selective(group: frozenset) -> bool:
    """False for a set holding a single character (units: 个, 项 …) or a string
    led by a digit (20 of 2020年, 1季度): such sets are met in most texts, and
    a search for them stops at every digit."""
    return all(len(string) > 1 and not string[0].isdigit() for string in group)


def _best_window(run, only=None):
    """The most selective product of consecutive fixed items of a run (of
    those for which ``only(strings)`` holds, when given)."""
    best = None
    for i in range(len(run)):
        strings = frozenset({""})
        for j in range(i, len(run)):
            strings = _product(strings, run[j])
            if strings is None:
                break
            if min(map(len, strings)) > 0 and (best is None or _selectivity(strings) >= _selectivity(best)) \
                    and (only is None or only(strings)):
                best = strings
    return best


def _required_in(items):
    """Strings one of which occurs in every match of the parsed sequence, or None."""
    best = None
    for literals in _required_candidates(items):  # the most selective; on ties the later one
        if best is None or _selectivity(literals) >= _selectivity(best):
            best = literals
    return best


def _required_candidates(items, also_selective: bool = False) -> list:
    """Every set of strings the parsed sequence is known to require: each set
    holds strings one of which occurs in every match (so all the sets hold at
    once). ``also_selective``: for each run of fixed items, the best window
    that is :func:`_selective` too, when the best one is not."""
    candidates, run = [], []

    def close_run():
        if run:
            window = _best_window(run)
            if window:
                candidates.append(window)
            if also_selective and not (window and _selective(window)):
                window = _best_window(run, only=_selective)
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
    return candidates


def _required_literals(pattern: re.Pattern) -> frozenset | None:
    """Strings one of which every match of ``pattern`` contains, or None."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        return _required_in(_sre_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unexpected parse tree: no filter, the pattern just runs
        return None


def required_literal_groups(pattern: re.Pattern) -> tuple:
    """Sets of strings every match of ``pattern`` contains one of, each set (a
    conjunction: a text missing every string of one set cannot match); ``()``
    when nothing is known (the pattern must then always run)."""
    if pattern.flags & re.IGNORECASE:
        return ()
    try:
        candidates = _required_candidates(_sre_parser.parse(pattern.pattern, pattern.flags), also_selective=True)
    except Exception:  # an unexpected parse tree: no filter, the pattern just runs
        return ()
    return tuple(dict.fromkeys(frozenset(c) for c in candidates if c and all(c)))


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


def _stop_at(strings) -> str:
    """A pattern of one character where one of ``strings`` may start: a
    first character of one of them, followed by a second character of one
    of them unless it is a whole string itself. The search skips to such
    characters (the pattern opens with a character set), and the next
    character rules most of them out before the strings are tried."""
    def chars(found) -> str:
        return "".join(re.escape(c) for c in sorted(found))

    singles = {s for s in strings if len(s) == 1}
    longer = [s for s in strings if len(s) > 1]
    firsts = {s[0] for s in strings}
    if not longer:
        return f"[{chars(firsts)}]"
    follow = f"(?=[{chars({s[1] for s in longer})}])"
    if singles:
        follow = f"(?:(?<=[{chars(singles)}])|{follow})"
    return f"[{chars(firsts)}]{follow}"


def _bucketed_trie(strings, size: int = 24) -> str:
    """:func:`_trie`, its branches put in groups of ``size`` first characters,
    each group tried only when the character is one of them (the engine tries
    a trie's branches one after another: with a hundred first characters,
    a few groups are quicker). Matches exactly what ``_trie(strings)`` does."""
    by_first: dict[str, set] = {}
    for string in strings:
        by_first.setdefault(string[0], set()).add(string)
    firsts = sorted(by_first)
    if len(firsts) <= size:
        return _trie(strings)
    parts = []
    for i in range(0, len(firsts), size):
        bucket = firsts[i:i + size]
        chars = "".join(re.escape(c) for c in bucket)
        parts.append(f"(?=[{chars}])" + _trie(set().union(*(by_first[c] for c in bucket))))
    return "(?:" + "|".join(parts) + ")"


def build_literal_filter(patterns) -> re.Pattern | None:
    """One search that fails on a text only when no pattern of ``patterns`` can
    match it; None when some pattern requires no known literal."""
    literals = set()
    for pattern in patterns:
        found = _required_literals(pattern)
        if not found:
            return None
        literals |= found
    return re.compile(_trie(literals)) if literals else None


class Found(NamedTuple):
    """What a :class:`LiteralIndex` found in a text: the strings, and one bit
    for each literal set of a :class:`PatternFamily` some string of which
    occurs."""

    strings: frozenset
    bits: int


NOTHING_FOUND = Found(frozenset(), 0)


_MAX_KEPT = 4096


class PatternFamily:
    """Patterns, each with the literal sets every match of it contains (see
    :func:`required_literal_groups`). Once a :class:`LiteralIndex` is built
    with the family, ``that_may_match(found)`` gives the patterns, in order,
    that can match a text in which the index ``found`` what it found; a
    pattern left out has no match in that text (a set it requires is
    missing)."""

    def __init__(self, patterns):
        self.patterns = tuple(patterns)
        requirements = []
        for pattern in self.patterns:
            groups = required_literal_groups(pattern)
            # sets with a single character (units: 个, 项 …) or a string led by a
            # digit (20 of 2020年, 1季度) are met in most texts and make the
            # search stop at every digit: left to the pattern when it has other sets
            requirements.append(tuple(g for g in groups if _selective(g)) or groups)
        self.requirements = tuple(requirements)
        self.literals = frozenset(s for groups in requirements for group in groups for s in group)
        self._checks = tuple((pattern, 0) for pattern in self.patterns)
        self._mask = 0
        self._always = list(self.patterns)  # until indexed: every pattern runs
        self._by_met: dict[int, list] = {}

    def _bind(self, first_bit: int) -> dict:
        """Give each literal set a bit from ``first_bit`` on; the strings' bits."""
        bits: dict[str, int] = {}
        checks, bit = [], first_bit
        for pattern, groups in zip(self.patterns, self.requirements):
            need = 0
            for group in groups:
                for string in group:
                    bits[string] = bits.get(string, 0) | (1 << bit)
                need |= 1 << bit
                bit += 1
            checks.append((pattern, need))
        self._checks = tuple(checks)
        self._mask = sum(need for _, need in checks)
        self._always = [pattern for pattern, need in checks if not need]  # nothing known: always run
        self._by_met = {}
        self.bit_count = bit - first_bit
        return bits

    def that_may_match(self, found: Found) -> list:
        met = found.bits & self._mask
        if not met:
            return self._always
        # the answer depends only on which of the family's sets are met: kept per
        # combination of them (a few dozen in practice; bounded in any case)
        patterns = self._by_met.get(met)
        if patterns is None:
            patterns = [pattern for pattern, need in self._checks if met & need == need]
            if len(self._by_met) < _MAX_KEPT:
                self._by_met[met] = patterns
        return patterns


class LiteralIndex:
    """Which of many literal strings occur in a text, in one search:
    ``present(text).strings`` is exactly ``frozenset(s for s in strings if s
    in text)`` for the given strings and the literals of the given pattern
    families, and ``present(text).bits`` says which of the families' literal
    sets are met (see :meth:`PatternFamily.that_may_match`).

    The search stops at every character that starts one of the strings and
    reads, from there, the longest string that starts there (a lookahead
    inside a one-character lookbehind, so that overlapping strings are all
    seen); the shorter strings that start there are its prefixes among the
    strings, added from a table made once."""

    def __init__(self, strings, families=()):
        bits: dict[str, int] = {}
        first_bit = 0
        for family in families:
            for string, string_bits in family._bind(first_bit).items():
                bits[string] = bits.get(string, 0) | string_bits
            first_bit += family.bit_count
        strings = frozenset(s for s in (*strings, *bits) if s)
        self.strings = strings
        self._found = {}
        for string in strings:
            prefixes = frozenset(string[:i] for i in range(1, len(string) + 1) if string[:i] in strings)
            self._found[string] = Found(prefixes, sum_bits(bits.get(p, 0) for p in prefixes))
        self._strings_of = {string: found.strings for string, found in self._found.items()}
        self._bits_of = {string: found.bits for string, found in self._found.items()}
        if strings:
            self._scan = re.compile(f"{_stop_at(strings)}(?<=(?=({_bucketed_trie(strings)}))(?s:.))")
        else:
            self._scan = None

    def present(self, text: str) -> Found:
        """What of the strings occurs in ``text`` (see the class)."""
        if self._scan is None or not text:
            return NOTHING_FOUND
        longest = set(self._scan.findall(text))
        if len(longest) == 1:
            return self._found[longest.pop()]
        if not longest:
            return NOTHING_FOUND
        return Found(frozenset().union(*map(self._strings_of.__getitem__, longest)),
                     reduce(or_, map(self._bits_of.__getitem__, longest)))


def sum_bits(values) -> int:
    total = 0
    for value in values:
        total |= value
    return total


def may_match(literal_filter: re.Pattern | None, text: str) -> bool:
    return literal_filter is None or literal_filter.search(text) is not None


class WordSet:
    """``found_in(text)`` ≡ ``any(word in text for word in words)``, in one search."""

    def __init__(self, words):
        words = set(words)
        self.always = "" in words
        words.discard("")
        self.pattern = re.compile(_trie(words)) if words else None

    def found_in(self, text: str) -> bool:
        return self.always or (self.pattern is not None and self.pattern.search(text) is not None)


class PhraseList:
    """A list of literal phrases prepared once per rules object: each phrase
    compiled, in the order :func:`find_phrases` tries them (longest first),
    plus one alternation of them all that tells in a single pass whether a
    text holds any of them."""

    def __init__(self, phrases):
        ordered = sorted(set(phrases), key=lambda phrase: (-len(phrase), phrase))  # stable across runs
        self.ordered = tuple((phrase, re.compile(re.escape(phrase))) for phrase in ordered)
        self.any = re.compile(_trie(ordered)) if ordered and all(ordered) else None
        self.phrases = frozenset(ordered) if self.any is not None else None  # None: an empty phrase, no index
        self._rank = {phrase: i for i, (phrase, _) in enumerate(self.ordered)}


def find_phrases(text: str, phrases, present: Found | None = None) -> list[tuple[int, int, str]]:
    """Occurrences of literal phrases, longest phrase first, non-overlapping.
    ``present``, when given, is what a :class:`LiteralIndex` holding every
    phrase of the list found in ``text``, so no search is needed to rule the
    others out."""
    if not isinstance(phrases, PhraseList):
        phrases = PhraseList(phrases)
    if present is not None and phrases.phrases is not None:
        hits = phrases.phrases & present.strings
        if not hits:
            return []
        candidates = [phrases.ordered[i] for i in sorted(map(phrases._rank.__getitem__, hits))]
    elif not phrases.ordered or (phrases.any is not None and phrases.any.search(text) is None):
        return []  # none of the phrases occurs: the common case, in one pass
    else:
        candidates = phrases.ordered
    found: list[tuple[int, int, str]] = []
    for phrase, pattern in candidates:
        if phrase not in text:
            continue
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e, _ in found):
                continue
            found.append((match.start(), match.end(), phrase))
    return sorted(found)
