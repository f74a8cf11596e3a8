"""Stage 2a, rule preparation: pattern families, literal phrase lists and word sets.

Built once per rules object (see :meth:`Rules.prepared`). A
:class:`PatternFamily` joins its patterns into one alternation: one search
tells whether any of them can match a text (exactly: the alternation matches
where one of its patterns does), and only then are its patterns run one by one.
The :class:`LiteralIndex` finds, in one search of a text, every cue phrase of
the literal phrase lists it holds. Nothing here reads the regular-expression
engine's internals.
"""
from __future__ import annotations

import re
from typing import NamedTuple

# A pattern that cannot join an alternation as it is: a back-reference (\1,
# (?P=name)) would point at another pattern's group, a named group may repeat a
# name, global flags may only open a pattern.
_NOT_JOINABLE = re.compile(r"\\[1-9]|\(\?P=|\(\?P<|\(\?<(?![=!])|^\(\?[aiLmsux]+\)")


def _named_in(trigger: str, source: str) -> bool:
    """A trigger word a pattern can hold: written in it, or every character of it is
    (已完成 for (?:已经|已)…完成). A check against typos and forgotten triggers; the
    tests check on a corpus that every match holds one."""
    return trigger in source or all(ch in source for ch in trigger)


def alternation(patterns) -> re.Pattern | None:
    """One pattern that matches where any of ``patterns`` matches (``(?:p1)|(?:p2)…``);
    None when one of them cannot be joined (then they simply all run)."""
    patterns = list(patterns)
    if not patterns or any(_NOT_JOINABLE.search(p.pattern) or p.flags & ~re.UNICODE for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
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


def build_literal_filter(patterns, triggers=()):
    """A test that fails on a text only when no pattern of ``patterns`` can match it:
    the trigger words the rules file declares for them (every match contains one; a
    :class:`WordSet`) when given, else their :func:`alternation` when there are
    several; None for a single pattern without triggers (running it is the test).
    Checked with :func:`may_match`."""
    patterns = list(patterns)
    triggers = [t for t in triggers if t]
    if triggers:
        for pattern in patterns:
            if not any(_named_in(t, pattern.pattern) for t in triggers):
                raise ValueError(f"status_rules.toml: 模式不含任何触发词 / a pattern names none of its trigger words "
                                 f"{triggers}: {pattern.pattern}")
        return WordSet(triggers)
    return alternation(patterns) if len(patterns) > 1 else None


class Found(NamedTuple):
    """What a :class:`LiteralIndex` found in a text: the strings."""

    strings: frozenset


NOTHING_FOUND = Found(frozenset())


class PatternFamily:
    """Patterns tried in order, each with the trigger words the rules file declares
    for it (``*_triggers``: every match of the pattern contains one of them; the
    loader checks that each pattern names one of its own, and the tests check on a
    corpus that no match lacks one). ``that_may_match(text, found)`` gives the
    patterns whose triggers ``found`` holds (what a :class:`LiteralIndex` holding the
    triggers found in ``text``). A pattern without triggers is found with one
    :func:`alternation` of all such patterns instead."""

    def __init__(self, patterns, triggers=(), name: str = "patterns"):
        self.patterns = tuple(patterns)
        triggers = list(triggers) + [frozenset()] * (len(self.patterns) - len(triggers))
        self.pattern_triggers = tuple(frozenset(t for t in words if t) for words in triggers[:len(self.patterns)])
        for i, (pattern, words) in enumerate(zip(self.patterns, self.pattern_triggers), 1):
            if words and not any(_named_in(t, pattern.pattern) for t in words):
                raise ValueError(f"status_rules.toml: {name} 第 {i} 条模式不含它的触发词 / pattern {i} names none of "
                                 f"its trigger words {sorted(words)}: {pattern.pattern}")
        self.triggers = frozenset().union(*self.pattern_triggers) if self.patterns else frozenset()
        untriggered = [p for p, words in zip(self.patterns, self.pattern_triggers) if not words]
        self.any = alternation(untriggered)
        self._untriggered = frozenset(untriggered)
        self._chosen: dict = {}

    def that_may_match(self, text: str, found: Found | None = None) -> tuple:
        if not self.patterns or not text:
            return ()
        strings = found.strings if found is not None else frozenset(t for t in self.triggers if t in text)
        loose = bool(self._untriggered) and (self.any is None or self.any.search(text) is not None)
        key = (strings, loose)  # a frozenset keeps its hash: one lookup for the families sharing a Found
        chosen = self._chosen.get(key)
        if chosen is None:  # the answer depends only on what was found: kept per combination (bounded)
            chosen = tuple(p for p, words in zip(self.patterns, self.pattern_triggers)
                           if (not words.isdisjoint(strings) if words else loose))
            if len(self._chosen) < 4096:
                self._chosen[key] = chosen
        return chosen


class LiteralIndex:
    """Which of many literal strings occur in a text, in one search:
    ``present(text).strings`` is exactly ``frozenset(s for s in strings if s
    in text)``.

    The search stops at every character that starts one of the strings and
    reads, from there, the longest string that starts there (a lookahead
    inside a one-character lookbehind, so that overlapping strings are all
    seen); the shorter strings that start there are its prefixes among the
    strings, added from a table made once."""

    def __init__(self, strings):
        strings = frozenset(s for s in strings if s)
        self.strings = strings
        self._found = {}
        for string in strings:
            prefixes = frozenset(string[:i] for i in range(1, len(string) + 1) if string[:i] in strings)
            self._found[string] = Found(prefixes)
        self._strings_of = {string: found.strings for string, found in self._found.items()}
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
        return Found(frozenset().union(*map(self._strings_of.__getitem__, longest)))


def may_match(literal_filter, text: str) -> bool:
    """False only when the filter of :func:`build_literal_filter` rules ``text`` out."""
    if literal_filter is None:
        return True
    if isinstance(literal_filter, WordSet):
        return literal_filter.found_in(text)
    return literal_filter.search(text) is not None


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
