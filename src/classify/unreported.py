"""未报送 in words (issue 22, eighth round): a progress cell that states only that the
figure is not yet available (数据尚未发布, 还未公布, 暂未统计, 待数据出来后, 按年统计) reports
nothing for the period, like an empty cell.

A small grammar, not a list of phrases: a data word (数据, 统计数据 …, optional) + a
not-yet word (尚未, 还未, 暂未 …) + a publish / count verb (发布, 公布, 统计, 出来 …); or
待 + (data word) + verb (待数据出来后); or a statement that the figure is counted only
once a period (按年统计, 年底统计). The cell counts as saying *only* that when it is short,
holds no figure (a year or month aside) and none of the words of progress. Every word is in
``[families.not_yet_published]`` of ``status_rules.toml``."""
from __future__ import annotations

import re

from src.classify.rules import Rules

_PUNCTUATION = re.compile(r"[\s，,。.；;：:、！!？?（）()“”\"'…—-]")
_DATES = re.compile(r"\d{4}\s*年度?|\d{1,2}\s*月(?:份|底|末)?|\d{1,2}\s*日")


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _grammar(rules: Rules) -> re.Pattern | None:
    family = rules.family("not_yet_published")
    data, not_yet, verbs = (family.get(k, []) for k in ("data_words", "not_yet_words", "verbs"))
    if not (not_yet and verbs):
        return None
    data_part = f"(?:{_alternation(data)})?" if data else ""
    forms = [f"{data_part}(?:{_alternation(not_yet)})(?:{_alternation(verbs)})"]
    if family.get("pending_words"):
        forms.append(f"(?:{_alternation(family['pending_words'])}){data_part}(?:{_alternation(verbs)})")
    if family.get("periodic_words"):
        forms.append(f"(?:{_alternation(family['periodic_words'])})")
    return re.compile("|".join(forms))


def says_not_yet_available(text: str, rules: Rules) -> bool:
    """True when ``text`` states only that the figure is not yet available (not yet
    published or counted, or counted once a period): 未报送."""
    family = rules.family("not_yet_published")
    text = (text or "").strip()
    if not text or len(text) > int(family.get("max_chars", 0)):
        return False
    grammar = _grammar(rules)
    match = grammar.search(text) if grammar is not None else None
    if match is None:
        return False
    if any(ch.isdigit() for ch in _DATES.sub("", text)):
        return False  # a figure is reported
    if any(word in text for word in family.get("progress_words", [])):
        return False
    if any(word in text for word in family.get("data_words", [])):
        return True
    # no data word: the statement must be the whole cell (目前暂未统计), not about a deliverable (方案尚未发布)
    rest = _PUNCTUATION.sub("", text[:match.start()] + text[match.end():])
    return len(rest) <= int(family.get("bare_leftover", 0))
