"""Stage 2a, rule preparation: literal prefilters, word sets and phrase lists.

Built once per rules object (see :meth:`Rules.prepared`), they let the
classifier skip a pattern family or a phrase list on a text that cannot
match it, with one search instead of one per pattern or phrase.
"""
from __future__ import annotations

import re
from re import _constants as _sre  # for _required_literals
from re import _parser as _sre_parser

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


def find_phrases(text: str, phrases) -> list[tuple[int, int, str]]:
    """Occurrences of literal phrases, longest phrase first, non-overlapping."""
    if not isinstance(phrases, PhraseList):
        phrases = PhraseList(phrases)
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
