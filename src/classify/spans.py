"""Text spans shared by the cue and measure stages: cell text, sentence and
clause bounds, the verbatim evidence phrase, Chinese numerals and the
longest common run of two token lists."""
from __future__ import annotations

import math
import re

import pandas as pd

# Punctuation that bounds sentences and clauses. These are structural, not
# cue phrases, so they live here rather than in the rules file.
SENTENCE_SEPS = "。；;！!？?\n"
CLAUSE_SEPS = SENTENCE_SEPS + "，,、：:"
# A share written as a percentage, or in words: 三分之一, 四成 (成 not starting
# a word such as 成本, 成果, 成为).
#
# Patterns whose matches start after a lookbehind begin with a lookahead for
# the first character a match can have ((?=\d) …): it changes no match, but
# lets the engine reject most positions with one character test.
SHARE = re.compile(
    r"(?=[-\d一二三四五六七八九十百])"
    r"(?:(?<![\d.])(?P<pct>-?\d+(?:\.\d+)?)\s*[%％]"
    r"|百分之(?P<cnpct>[零〇一二两三四五六七八九十百点]+|\d+(?:\.\d+)?)"
    r"|(?P<den>[一二三四五六七八九十])分之(?P<num>[一二三四五六七八九十])"
    r"|(?<![一二三四五六七八九十\d])(?P<tenth>[一二三四五六七八九])成(?![本员果为功立绩效交型熟品都]))"
)
_STRIP_ONLY = re.compile(r"[\s\d\.、，,。；;：:！!（）()\-—·]+")


def cell_text(value) -> str:
    if type(value) is str:  # the usual cell: itself (str(value) would give the same string)
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA:
        return ""
    return str(value)


_SEPARATOR_PATTERNS: dict[str, tuple[re.Pattern, re.Pattern]] = {}  # a few separator sets, kept as used


def _separator_patterns(seps: str) -> tuple[re.Pattern, re.Pattern]:
    """(everything up to the last separator, one separator) for a separator set."""
    patterns = _SEPARATOR_PATTERNS.get(seps)
    if patterns is None:
        chars = "".join(re.escape(c) for c in seps)
        patterns = _SEPARATOR_PATTERNS[seps] = (re.compile(rf"(?s).*[{chars}]"), re.compile(rf"[{chars}]"))
    return patterns


def bound_left(text: str, pos: int, seps: str) -> int:
    """Index just after the last separator before ``pos``."""
    if pos <= 0:
        return pos
    patterns = _SEPARATOR_PATTERNS.get(seps) or _separator_patterns(seps)
    match = patterns[0].match(text, 0, pos)
    return match.end() if match else 0


def bound_right(text: str, pos: int, seps: str) -> int:
    """Index of the first separator at or after ``pos`` (the end of the text if none)."""
    if pos >= len(text):
        return pos
    patterns = _SEPARATOR_PATTERNS.get(seps) or _separator_patterns(seps)
    match = patterns[1].search(text, pos)
    return match.start() if match else len(text)


_LIST_NUMBER = re.compile(r"^\s*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*(?:[\.．](?!\d)|[、)）])|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,2})[)）])\s*")


def tidy_phrase(phrase: str) -> str:
    """Drop list numbering ("1. ", "二、", "(3)") and spaces at the ends; the
    result is still a verbatim substring of the row."""
    phrase = phrase.strip()
    numbering = _LIST_NUMBER.match(phrase)  # anchored at the start: the one place sub() could replace
    return (phrase[numbering.end():] if numbering else phrase).strip()


# Evidence is cut only where a reader can see it: at a clause or sentence
# boundary, or, inside a clause too long to show whole, at a place that splits
# no number (1065 件, 1.2 万, 102.6%), no ASCII word and no quoted title
# (《…》, “…”), marked with ELLIPSIS. Without the ELLIPSIS it is verbatim.
ELLIPSIS = "…"
EVIDENCE_TAIL_CHARS = 24  # the rest of the clause after the deciding words is shown when at most this long
_QUOTES = {"《": "》", "“": "”", "「": "」", "『": "』", "〈": "〉"}
_NUMBER_INNER = ".．,，"


def _joined(left: str, right: str) -> bool:
    """True when a cut between the characters ``left`` and ``right`` would split
    a number (1065, 1.2万, 102.6%) or an ASCII word."""
    if left.isdigit():
        return right.isdigit() or right in ".．%％万亿千百"
    if left in ".．" :
        return right.isdigit()
    return left.isascii() and left.isalnum() and right.isascii() and right.isalnum()


def safe_end(text: str, pos: int) -> int:
    """``pos`` moved right until ``text[:pos]`` ends neither inside a number or an
    ASCII word nor inside an open quoted title."""
    pos = max(0, min(pos, len(text)))
    while 0 < pos < len(text) and _joined(text[pos - 1], text[pos]):
        pos += 1
    for opener, closer in _QUOTES.items():
        at = text.rfind(opener, 0, pos)
        if at >= 0 and text.find(closer, at, pos) < 0:
            close = text.find(closer, pos)
            pos = close + 1 if close >= 0 else len(text)
    while 0 < pos < len(text) and _joined(text[pos - 1], text[pos]):
        pos += 1
    return pos


def _cut(text: str, left: int, right: int) -> str:
    """text[left:right] tidied, with ELLIPSIS when ``right`` stops inside a clause."""
    phrase = tidy_phrase(text[left:right])
    if phrase and right < len(text) and text[right] not in CLAUSE_SEPS and text[right:].strip():
        return phrase + ELLIPSIS
    return phrase


def evidence_phrase(text: str, start: int, end: int, min_chars: int = 10) -> str:
    """A readable verbatim phrase around text[start:end]: its clause, extended to
    the previous clause (same sentence) when the clause alone is short, and to
    the clause's end when little of it remains (else cut safely, with "…")."""
    left = _left_of_number(text, bound_left(text, start, CLAUSE_SEPS))
    if end - left < min_chars and left > 0 and text[left - 1] not in SENTENCE_SEPS:
        left = _left_of_number(text, bound_left(text, left - 1, CLAUSE_SEPS))
    right = bound_right(text, end, CLAUSE_SEPS)
    while _in_number(text, right):
        right = bound_right(text, right + 1, CLAUSE_SEPS)
    if right - end > EVIDENCE_TAIL_CHARS:
        right = safe_end(text, end)
    phrase = _cut(text, left, right)
    return phrase or text[start:end].strip()


def _left_of_number(text: str, left: int) -> int:
    """``left`` moved before a number it would cut at a thousands comma (13,866 万元)."""
    while _in_number(text, left - 1):
        left = bound_left(text, left - 1, CLAUSE_SEPS)
    return left


def _in_number(text: str, pos: int) -> bool:
    """True when text[pos] is a thousands comma inside a number (13,866: digits, then three digits)."""
    return (0 < pos < len(text) - 3 and text[pos] in ",，" and text[pos - 1].isdigit()
            and text[pos + 1:pos + 4].isdigit() and not text[pos + 4:pos + 5].isdigit())


def sentence_of(text: str, start: int, end: int) -> str:
    return text[bound_left(text, start, SENTENCE_SEPS):bound_right(text, end, SENTENCE_SEPS)]


def clause_before(text: str, pos: int, seps: str = CLAUSE_SEPS) -> str:
    """The part of ``pos``'s clause before it (clauses bounded by ``seps``)."""
    return text[bound_left(text, pos, seps):pos]


def clause_after(text: str, end: int, seps: str = CLAUSE_SEPS) -> str:
    """The part of ``end``'s clause after it (clauses bounded by ``seps``)."""
    return text[end:bound_right(text, end, seps)]


def shares_run(a: str, b: str, n: int, stop: list) -> bool:
    """True when ``a`` and ``b`` share a run of ``n`` characters that is not a stop word."""
    runs = {a[i:i + n] for i in range(len(a) - n + 1)}
    return any(run in b and run not in stop for run in runs)


def first_clause(text: str, limit: int = 60) -> str:
    """The first sentence of ``text``; a sentence longer than ``limit`` is cut at
    its last clause boundary before ``limit`` (or, without one, at a safe place
    after it) and marked "…"."""
    text = text.strip()
    if not text:
        return ""
    end = bound_right(text, 0, SENTENCE_SEPS)
    if end <= limit:
        return tidy_phrase(text[:end])
    clause_end = bound_left(text, limit, CLAUSE_SEPS) - 1  # the last separator before the limit
    if clause_end >= 10:
        return tidy_phrase(text[:clause_end]) + ELLIPSIS
    return _cut(text, 0, safe_end(text, limit))


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_POWERS = {"十": 10, "百": 100, "千": 1000}


def cn_number(text: str) -> float:
    """Arabic numerals, or Chinese numerals in any ordinary form: 九, 十二,
    二十, 六十五, 一百零二, 三千五百, 1.2 (as text), 十二点五, 三万二千.

    >>> cn_number("六十"), cn_number("一百零二点六"), cn_number("两万五千")
    (60.0, 102.6, 25000.0)
    """
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not _CN_ORDINARY.fullmatch(text):
        value = _cn2an(text)  # digit by digit (二〇二〇), mixed (1.2万), 壹贰叁 …
        if value is not None:
            return value
    whole, _, decimals = text.partition("点")
    value = 0.0
    if "万" in whole:
        high, _, whole = whole.partition("万")
        value += (cn_number(high) if high else 1) * 10000
    section, digit = 0, None
    for ch in whole:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_POWERS:
            section += (1 if digit is None else digit) * _CN_POWERS[ch]
            digit = None
    section += digit or 0
    value += section
    if decimals:
        value += float("0." + "".join(str(_CN_DIGITS.get(ch, 0)) for ch in decimals))
    return float(value)


# The ordinary forms cn_number reads itself (a power after every digit but the
# last: 一百零二, 三万二千, 十二点五); any other form goes to cn2an, imported on first
# use (it takes about half a second to import).
_CN_ORDINARY = re.compile(r"(?:[一二两三四五六七八九]?万)?(?:[一二两三四五六七八九]?千)?(?:[零〇]?[一二两三四五六七八九]?百)?"
                          r"(?:[零〇]?[一二两三四五六七八九]?十)?[零〇]?[一二两三四五六七八九]?(?:点[零〇一二两三四五六七八九]+)?")


def _cn2an(text: str) -> float | None:
    """cn2an's reading of ``text``; None when it reads none (the plain reading is used)."""
    import cn2an  # cold start: ~0.4 s to import, only for the rare forms it reads

    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def month_number(text: str) -> int:
    return int(cn_number(text))


def strip_for_only(text: str) -> str:
    return _STRIP_ONLY.sub("", text)


def longest_common_run(a: list, b: list) -> int:
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
