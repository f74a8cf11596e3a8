"""The classifier's prefilters never skip what the rules would find.

The literal index (one search per column of a row) finds the cue phrases and
the trigger words the rules file declares for each pattern of a cue family;
these tests run every phrase list and every pattern family with and without
them over a corpus of wordings: the real table's cells, the other offices' labelled rows (when the
shared folder is there), every Chinese string written in the classifier's
tests, and wordings generated from the rules' own phrases. The rewritten
number patterns are checked against the forms they replace, on the same corpus.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from src import paths
from src.classify import rules as rules_module
from src.classify.cues import _stripped_up_to
from src.classify.literals import (
    LiteralIndex,
    PatternFamily,
    PhraseList,
    _bucketed_trie,
    _trie,
    alternation,
    find_phrases,
)
from src.classify.pairs import count_of_unit
from src.classify.rules import CN_NUMERAL_RUN, INDEXED_FAMILIES, INDEXED_PHRASES, load_rules
from src.classify.spans import CLAUSE_SEPS, SHARE, bound_left, bound_right, strip_for_only

TESTS = Path(__file__).resolve().parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _test_strings() -> list[str]:
    """Every string literal with Chinese in it written in the classifier's tests."""
    found = []
    for path in sorted(TESTS.glob("test_classify*.py")) + [TESTS / "test_overrides.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
                found.append(node.value)
    return found


def _generated(rules) -> list[str]:
    """Wordings made from the rules' own phrases: each phrase alone, in a
    sentence, negated, after a number, next to another phrase."""
    phrases = sorted({p for key in INDEXED_PHRASES for p, _ in rules.ready[key].ordered})
    literals = sorted({s for key in INDEXED_FAMILIES for s in rules.ready[key].triggers})
    out = []
    for i, phrase in enumerate(phrases + literals):
        other = (phrases + literals)[(i * 7 + 3) % len(phrases + literals)]
        out += [phrase, f"目前{phrase}。", f"项目未{phrase}，{other}", f"截至6月底{phrase}全年目标任务的55%",
                f"已完成12个，{phrase}{other}", f"{other}{phrase}"]
    return out


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def corpus(real_tasks, rules) -> list[str]:
    texts = []
    for column in ("task", "progress", "problems", "next_steps"):
        texts += [str(v) for v in real_tasks[column].fillna("") if str(v)]
    external = paths.GOLD_DIR / "external_dev.csv"
    if external.exists():
        frame = pd.read_csv(external, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        texts += [v for column in ("task", "progress") for v in frame[column] if v]
    texts += _test_strings() + _generated(rules)
    # each text also cut into its sentences and clauses (the families run on parts too)
    parts = [p for text in texts for p in re.split(r"[。；;\n，,]", text) if p]
    return list(dict.fromkeys(texts + parts))


def test_corpus_is_broad(corpus):
    assert len(corpus) > 2000


def test_literal_index_finds_exactly_the_strings_in_a_text(corpus, rules):
    index = rules.ready["literal_index"]
    assert len(index.strings) > 100
    for text in corpus:
        assert index.present(text).strings == frozenset(s for s in index.strings if s in text), text


def test_literal_index_on_overlapping_and_nested_strings():
    index = LiteralIndex(["完成", "完成全年", "成全", "全年任务", "年", "a\nb", "\nb"])
    text = "已完成全年任务\n"
    assert index.present(text).strings == {"完成", "完成全年", "成全", "全年任务", "年"}
    assert index.present("xa\nb").strings == {"a\nb", "\nb"}
    assert index.present("").strings == frozenset()
    assert LiteralIndex([]).present("完成").strings == frozenset()


def test_bucketed_trie_matches_like_the_trie(corpus, rules):
    strings = rules.ready["literal_index"].strings
    flat, bucketed = re.compile(_trie(strings)), re.compile(_bucketed_trie(strings, size=8))
    for text in corpus[:3000]:
        assert [m.span() for m in flat.finditer(text)] == [m.span() for m in bucketed.finditer(text)]


@pytest.mark.parametrize("key", INDEXED_FAMILIES)
def test_a_family_never_skips_a_pattern_that_matches(corpus, rules, key):
    family = rules.ready[key]
    index = rules.ready["literal_index"]
    skipped = 0
    for text in corpus:
        may = family.that_may_match(text, index.present(text))
        for pattern in family.patterns:
            if pattern not in may:
                skipped += 1
                assert pattern.search(text) is None, (key, pattern.pattern, text)
    assert skipped > 0  # the prefilter does skip patterns


@pytest.mark.parametrize("key", INDEXED_PHRASES)
def test_phrase_lists_find_the_same_with_the_index(corpus, rules, key):
    phrases = rules.ready[key]
    index = rules.ready["literal_index"]
    for text in corpus:
        assert find_phrases(text, phrases, index.present(text)) == find_phrases(text, phrases), text


def _every_rule_pattern(rules) -> list[re.Pattern]:
    found = []
    for value in [*rules.compiled.values(), *(rules.ready[k] for k in rules_module._PREPARERS if k.endswith(
            ("_patterns", "_miss", "_met", "x_of_y", "start_later", "start_month", "due_month", "node_due")))]:
        items = value if isinstance(value, (list, tuple)) else [value]
        found += [p for p in items if isinstance(p, re.Pattern)]
    return found + [SHARE]


def test_every_match_contains_one_of_its_trigger_words(corpus, rules):
    """The trigger words the rules file declares: every match of a pattern holds one."""
    checked = 0
    families = [rules.ready[key] for key in INDEXED_FAMILIES]
    families += [rules.ready["over_fulfilment"], rules.ready["growth"]["met"], rules.ready["growth"]["missed"]]
    pairs = [(p, words) for family in families for p, words in zip(family.patterns, family.pattern_triggers) if words]
    q = rules.raw["quantities"]
    pairs += [(p, frozenset(q["gap_triggers"])) for p in [*rules.compiled["gap_behind"], *rules.compiled["gap_ahead"]]]
    pairs += [(p, frozenset(q["in_row_target_triggers"])) for p in
              (rules.compiled["in_row_target"], rules.compiled["adjusted_target"], rules.compiled["milestone"])]
    pairs.append((SHARE, frozenset(["%", "％", "分之", "成"])))
    done_before, done_after, slash = rules.ready["x_of_y"]
    pairs += [(done_before, frozenset(q["done_verbs_before"])), (slash, frozenset(q["done_verbs_before"])),
              (done_after, frozenset(q["done_verbs_after"]))]
    for pattern, words in pairs:
        for text in corpus:
            for match in pattern.finditer(text):
                assert any(w in match.group(0) for w in words), (pattern.pattern, sorted(words), match.group(0))
                checked += 1
    assert checked > 300


def test_a_pattern_must_name_one_of_its_triggers():
    with pytest.raises(ValueError, match="触发词"):
        PatternFamily([re.compile("进度(?:缓慢|偏慢)")], [("滞后",)], name="[lagging].delay_patterns")
    family = PatternFamily([re.compile("进度(?:缓慢|偏慢)"), re.compile(r"\d+个百分点")], [("缓慢", "偏慢")])
    assert family.that_may_match("进度缓慢") == (family.patterns[0],)  # the untriggered one: its alternation found nothing
    assert family.that_may_match("按计划推进") == ()
    assert family.that_may_match("低于序时3个百分点") == (family.patterns[1],)


def test_alternation_matches_where_one_of_its_patterns_does(corpus, rules):
    patterns = list(rules.compiled["delay_patterns"])
    joined = alternation(patterns)
    assert joined is not None
    for text in corpus[:3000]:
        assert (joined.search(text) is not None) == any(p.search(text) for p in patterns), text
    assert alternation([re.compile(r"(a)\1"), re.compile("b")]) is None  # a back-reference cannot join


def test_number_patterns_match_as_the_forms_they_replace(corpus, rules):
    q = rules["quantities"]
    extra = rules.raw.get("families", {}).get("plan_share", {}).get("units", [])  # a family's further units
    units = "|".join(re.escape(u) for u in sorted(dict.fromkeys([*q["units"], *extra]), key=len, reverse=True))
    mults = "|".join(re.escape(m) for m in sorted(q["multipliers"], key=len, reverse=True))
    n = CN_NUMERAL_RUN
    original = {
        "quantity": re.compile(rf"(?=\d)(?<![\d.])(\d+(?:\.\d+)?)\s*({mults})?\s*({units})"),
        "quantity_cn": re.compile(rf"(?<![第{n}])((?=[{n}]*[十百千万])[{n}]{{2,}})\s*()({units})"),
    }
    tricky = ["第十二批", "一百二十场", "五万二千人", "十二个", "三年", "1.5万元", "2020年3.5亿元", "12.5.6个", "１２个",
              "a12个", "十个", "二十", "百个", "千万元", "两千个", "3 万 元", "0.5亩", ".5亩", "第一百个", "万个", "十万"]
    for name, pattern in original.items():
        for text in corpus + tricky:
            assert [m.span() + m.groups() for m in pattern.finditer(text)] == \
                [m.span() + m.groups() for m in rules.compiled[name].finditer(text)], (name, text)
    count_units = "|".join(re.escape(u) for u in sorted(set(q["count_units"]), key=len, reverse=True))
    after = "|".join(re.escape(v) for v in sorted(q["done_verbs_after"], key=len, reverse=True))
    done_after = re.compile(rf"(?=\d)(?<![\d.])(\d+)\s*({count_units})[^，,。；;\d]{{0,6}}?(?:{after})")
    tricky += ["共12个项目已完成", "1.5个已完成", "3个已完成，12项已全部完成", "x12个已完成"]
    for text in corpus + tricky:
        assert [m.span() + m.groups() for m in done_after.finditer(text)] == \
            [m.span() + m.groups() for m in rules.ready["x_of_y"][1].finditer(text)], text
        for unit in ("个", "项", "件"):
            old_count = re.compile(rf"(?=\d)(?<![\d.])(\d+)\s*({unit})")
            assert [m.span() + m.groups() for m in old_count.finditer(text)] == \
                [m.span() + m.groups() for m in count_of_unit(unit).finditer(text)], text


def test_stripped_up_to(corpus, rules):
    limit = rules.ready["only_max_chars"]
    assert limit is not None and limit >= max(map(len, rules.ready["only_set"]))
    for text in corpus + ["", "已完成", "1. 已完成。", " 已 完 成 ", "无"]:
        stripped = strip_for_only(text)
        assert _stripped_up_to(text, limit) == (stripped if len(stripped) <= limit else None)
        assert _stripped_up_to(text, None) == stripped


def test_only_limit_is_unknown_for_an_unanchored_pattern(rules):
    raw = {**rules.raw, "completed": {**rules.raw["completed"], "next_steps_only_pattern": "^已完成"}}
    assert load_rules(raw).ready["only_max_chars"] is None
    raw["completed"]["next_steps_only_pattern"] = "^已完成.*$"
    assert load_rules(raw).ready["only_max_chars"] is None


def test_bounds_are_unchanged(corpus):
    def left(text, pos):
        return max((text.rfind(c, 0, pos) + 1 for c in CLAUSE_SEPS), default=0) if pos > 0 else pos

    def right(text, pos):
        if pos >= len(text):
            return pos
        found = [i for i in (text.find(c, pos) for c in CLAUSE_SEPS) if i >= 0]
        return min(found) if found else len(text)

    for text in corpus[:2000]:
        for pos in range(0, len(text) + 1, 7):
            assert bound_left(text, pos, CLAUSE_SEPS) == left(text, pos)
            assert bound_right(text, pos, CLAUSE_SEPS) == right(text, pos)


def test_phrase_list_without_index_for_an_empty_phrase():
    phrases = PhraseList(["", "完成"])
    assert phrases.phrases is None  # an empty phrase: no index, the plain search
    assert find_phrases("已完成", phrases, LiteralIndex(["完成"]).present("已完成")) == find_phrases("已完成", phrases)


def test_tidy_phrase_as_the_substitution_it_replaces(corpus):
    from src.classify.spans import _LIST_NUMBER, tidy_phrase

    for text in corpus + ["1. 已完成", "（二）推进", " 3、开工 ", "12.5%完成", "十一、完成", "（1)x", "一．完成"]:
        assert tidy_phrase(text) == _LIST_NUMBER.sub("", text.strip(), count=1).strip(), text


def test_literal_index_with_single_characters_and_pairs(corpus):
    strings = ["完成", "成", "%", "进度", "度", "a", "ab", "b"]
    index = LiteralIndex(strings)
    for text in corpus[:3000] + ["完成度%", "ab", "ba", "成完", "度进"]:
        assert index.present(text).strings == frozenset(s for s in strings if s in text), text


def test_prepare_all_builds_what_first_use_would():
    """What a forking build process prepares once (src.builder.forkserver) is what the rows would use."""
    from src.classify.rules import _PREPARERS, _compile_rules, load_rules

    rules = _compile_rules(load_rules().raw)  # a fresh object: nothing prepared yet
    assert not any(key in rules._prepared for key in _PREPARERS)
    assert rules.prepare_all() is rules
    assert all(key in rules._prepared for key in _PREPARERS)
    assert rules.prepared("literal_index") is rules._prepared["literal_index"]
