"""The text layer (src/text.py): segmentation, keywords, cause/theme tags, search,
and the exploration notebook."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from src import store, text

DOMAIN_TERMS = [
    "最多跑一次", "亲清在线", "城市大脑", "未来社区", "杭州城西科创大走廊", "亚运会", "亚残运会",
    "数字经济", "营商环境", "序时进度",
]
SEARCH_FIELDS = list(text.FREE_TEXT_COLUMNS)


@pytest.fixture(scope="module")
def tasks(real_tasks):
    return real_tasks.copy()


@pytest.fixture(scope="module")
def featured(tasks):
    return text.add_text_features(tasks)


def fake_status(frame: pd.DataFrame) -> pd.DataFrame:
    """A stand-in for the classifier: tasks with problems text lag, the rest alternate."""
    has_problems = frame["problems"].fillna("").str.strip() != ""
    status = ["lagging" if lag else ("completed" if i % 3 == 0 else "on-track") for i, lag in enumerate(has_problems)]
    evidence = ["进度滞后" if s == "lagging" else "" for s in status]
    return frame.assign(status=status, status_evidence=evidence)


def contains(frame: pd.DataFrame, term: str) -> pd.Series:
    """Plain pandas: does any searched field contain ``term`` (case-insensitive)?"""
    hits = [frame[c].fillna("").str.contains(term, case=False, regex=False) for c in SEARCH_FIELDS]
    return pd.concat(hits, axis=1).any(axis=1)


# ----------------------------------------------------------------- segmentation


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_terms_stay_whole_in_context(term):
    assert term in text.tokenize(f"加快推进{term}相关工作，确保取得实效。")


def test_every_user_dictionary_word_segments_whole():
    stop = text.load_stopwords()
    words = [line.split()[0] for line in text.USERDICT_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert words, "userdict.txt is empty"
    broken = [w for w in words if w.lower() not in stop and text.tokenize(w) != [w.lower()]]
    assert broken == []


def test_userdict_file_is_plain_jieba_format():
    for line in text.USERDICT_PATH.read_text(encoding="utf-8").splitlines():
        word, freq, pos = line.split()
        assert freq.isdigit() and pos.isalpha(), line


def test_quoted_programme_numbers_survive_but_plain_numbers_do_not():
    tokens = text.tokenize("深入推进“152”项目工程，“5433”工程完成投资541.4亿元，完成年度计划的47%。")
    assert "152" in tokens and "5433" in tokens
    assert not {"541.4", "47", "47%", "亿元", "%"} & set(tokens)


def test_tokenize_drops_stopwords_punctuation_and_single_characters():
    tokens = text.tokenize("进一步加快推进全市重点工作，目前已完成 6 个项目（占 50%）。")
    stop = text.load_stopwords()
    assert all(len(t) > 1 for t in tokens)
    assert not set(tokens) & stop
    assert not any(ch in "，。（）%" for t in tokens for ch in t)
    assert text.tokenize("") == [] and text.tokenize(None) == [] and text.tokenize(float("nan")) == []


def test_latin_is_lowercased_and_fullwidth_normalised():
    assert "app" in text.tokenize("完善“杭州办事服务”ＡＰＰ功能") + text.tokenize("APP 功能")
    assert "5g" in text.tokenize("支持 5G 产业发展")


# --------------------------------------------------------------------- keywords


def test_stopwords_never_appear_among_keywords(tasks):
    stop = text.load_stopwords()
    for frame, by in [(tasks, "leader"), (fake_status(tasks), "status")]:
        kw = text.keywords(frame, by=by, top_n=40)
        assert not set(kw["term"]) & stop
        assert not kw["term"].str.fullmatch(r"[\d.%]+").any()


def test_keywords_shape_order_and_counts(tasks):
    kw = text.keywords(tasks, by="leader", top_n=10)
    assert list(kw.columns) == ["leader", "term", "weight", "tasks", "rank"]
    assert kw["leader"].drop_duplicates().tolist() == tasks["leader"].drop_duplicates().tolist()
    sizes = tasks["leader"].value_counts()
    for leader, group in kw.groupby("leader", sort=False):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        expected = group.sort_values(["weight", "term"], ascending=[False, True])
        assert group["term"].tolist() == expected["term"].tolist()
        assert group["tasks"].between(1, sizes[leader]).all()
    pd.testing.assert_frame_equal(kw, text.keywords(tasks, by="leader", top_n=10))  # deterministic


def test_keywords_tasks_column_counts_tasks_containing_the_term(tasks):
    kw = text.keywords(tasks, by="leader", top_n=5)
    row = kw.iloc[0]
    members = tasks[tasks["leader"] == row["leader"]]
    expected = sum(row["term"] in text.tokenize(text.task_text(r)) for _, r in members.iterrows())
    assert row["tasks"] == expected


def test_keywords_favour_what_sets_a_group_apart():
    frame = pd.DataFrame({
        "group": ["A", "A", "B", "B"],
        "task": ["亚运会场馆平台", "亚运会场馆平台", "污水治理平台", "污水治理平台"],
        "progress": ["平台", "平台", "平台", "平台"],
        "problems": ["", "", "", ""],
        "next_steps": ["", "", "", ""],
    })
    kw = text.keywords(frame, by="group", top_n=3)
    top = kw[kw["rank"] == 1].set_index("group")["term"]
    assert top["A"] in {"亚运会", "场馆"} and top["B"] in {"污水", "治理"}


def test_keywords_by_status_needs_the_column(tasks):
    with pytest.raises(KeyError, match="status"):
        text.keywords(tasks, by="status")
    kw = text.keywords(fake_status(tasks), by="status", top_n=5)
    assert kw["status"].drop_duplicates().tolist() == ["completed", "on-track", "lagging"]


# ------------------------------------------------------------------------- tags


def test_cause_tags_carry_verbatim_evidence(featured):
    tagged = 0
    for _, row in featured.iterrows():
        for tag in row["cause_tags"]:
            assert set(tag) == {"cause", "evidence"}
            assert tag["cause"] in text.CAUSES
            assert tag["evidence"] and tag["evidence"] in row["problems"]
            tagged += 1
    assert tagged > 0


def test_task_without_problems_gets_no_cause_tag(featured):
    empty = featured["problems"].fillna("").str.strip() == ""
    assert empty.any()
    assert featured.loc[empty, "cause_tags"].map(len).eq(0).all()


def test_most_problem_texts_get_a_cause(featured):
    with_problems = featured[featured["problems"].fillna("").str.strip() != ""]
    assert with_problems["cause_tags"].map(len).gt(0).mean() >= 0.8
    task33 = featured.set_index("task_id").loc[33, "cause_tags"]
    assert {"疫情影响", "资金/经费"} <= {t["cause"] for t in task33}


def test_cause_tags_read_status_evidence_of_lagging_tasks():
    frame = pd.DataFrame({
        "task_id": [1, 2, 3],
        "task": ["建设场馆", "建设场馆", "建设场馆"],
        "problems": ["", "", ""],
        "status": ["lagging", "completed", "lagging"],
        "status_evidence": ["受疫情影响，施工进度滞后", "受疫情影响，已完成", ""],
    })
    tags = text.tag_causes(frame)["cause_tags"].tolist()
    assert tags[0] == [{"cause": "疫情影响", "evidence": "疫情"}]
    assert tags[1] == [] and tags[2] == []
    for tag in tags[0]:
        assert tag["evidence"] in frame.loc[0, "status_evidence"]


def test_tags_work_without_status_columns(tasks):
    assert "status" not in tasks.columns
    out = text.add_text_features(tasks)
    assert {"cause_tags", "theme_tags"} <= set(out.columns)
    assert len(out) == len(tasks) and out.index.equals(tasks.index)


def test_theme_tags_carry_verbatim_evidence(featured):
    for _, row in featured.iterrows():
        in_task = [t for t in row["theme_tags"] if t["evidence"] in row["task"]]
        for tag in row["theme_tags"]:
            assert set(tag) == {"theme", "evidence"}
            assert tag["theme"] in text.THEMES
            # from the task text; the progress text only when the task text matched nothing
            assert tag["evidence"] in row["task"] or (not in_task and tag["evidence"] in row["progress"])
    assert featured["theme_tags"].map(len).gt(0).mean() >= 0.9


def test_counts_are_long_format_with_zeros(featured):
    counts = text.cause_counts(featured, by="leader")
    assert list(counts.columns) == ["leader", "cause", "tasks"]
    assert len(counts) == featured["leader"].nunique() * len(text.CAUSES)
    overall = text.cause_counts(featured, by=None).set_index("cause")["tasks"]
    assert counts.groupby("cause")["tasks"].sum().reindex(overall.index).tolist() == overall.tolist()
    themes = text.theme_counts(fake_status(featured), by="status")
    assert list(themes.columns) == ["status", "theme", "tasks"]
    assert text.theme_counts(featured, by=None)["tasks"].sum() == featured["theme_tags"].map(len).sum()


def test_tags_survive_the_store_round_trip(featured, tmp_path):
    store.write_parquet(featured, tmp_path / "t.parquet")
    back = store.read_table(tmp_path / "t.parquet")
    assert back["cause_tags"].tolist() == featured["cause_tags"].tolist()
    assert back["theme_tags"].tolist() == featured["theme_tags"].tolist()


# ----------------------------------------------------------------------- search


@pytest.mark.parametrize("term", ["亚运", "疫情", "资金", "城市大脑", "app", "5433", "滞后"])
def test_search_finds_exactly_the_tasks_containing_the_term(tasks, term):
    result = text.search_tasks(tasks, term)
    expected = tasks.loc[contains(tasks, term), "task_id"]
    assert sorted(result["task_id"]) == sorted(expected)
    assert result["snippet"].str.lower().str.contains(term.lower(), regex=False).all()


def test_search_substring_matching_finds_longer_words(tasks):
    found = text.search_tasks(tasks, "亚运")
    joined = found.merge(tasks, on="task_id")
    texts = joined[SEARCH_FIELDS].fillna("").agg("\n".join, axis=1)
    assert texts.str.contains("亚运会").any() and texts.str.contains("亚运村").any()


def test_search_requires_every_term(tasks):
    result = text.search_tasks(tasks, "疫情  资金")
    expected = tasks.loc[contains(tasks, "疫情") & contains(tasks, "资金"), "task_id"]
    assert sorted(result["task_id"]) == sorted(expected)
    assert 0 < len(result) < min(contains(tasks, "疫情").sum(), contains(tasks, "资金").sum())


def test_search_ranking_columns_and_limit(tasks):
    result = text.search_tasks(tasks, "疫情")
    assert list(result.columns) == ["task_id", "leader", "lead_unit", "score", "snippet"]
    assert result["score"].is_monotonic_decreasing
    assert text.search_tasks(tasks, "疫情", limit=3)["task_id"].tolist() == result["task_id"].head(3).tolist()
    with_status = text.search_tasks(fake_status(tasks), "疫情")
    assert list(with_status.columns) == ["task_id", "leader", "status", "lead_unit", "score", "snippet"]


def test_search_snippet_marks_cuts():
    frame = pd.DataFrame({"task_id": [1], "leader": ["甲"], "lead_unit": ["乙"], "task": ["前" * 50 + "亚运会" + "后" * 50],
                          "progress": [""], "problems": [""], "next_steps": [""]})
    snippet = text.search_tasks(frame, "亚运")["snippet"].iloc[0]
    assert snippet == "…" + "前" * 30 + "亚运" + "会" + "后" * 29 + "…"


@pytest.mark.parametrize("query", ["", "   ", "\u3000"])
def test_empty_query_is_a_clear_error(tasks, query):
    with pytest.raises(ValueError, match="empty"):
        text.search_tasks(tasks, query)


# ------------------------------------------------------------------------ jieba


def test_jieba_is_quiet_on_first_use(tmp_path):
    """A fresh process, a fresh cache directory: no jieba chatter on stdout/stderr."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        import src.text.segment as text
        text.JIEBA_CACHE_DIR = Path({str(tmp_path / 'jieba')!r})
        print(text.tokenize("深化机关内部“最多跑一次”改革"))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    for chatter in ("Building prefix dict", "Loading model", "Dumping model", "Prefix dict has been built"):
        assert chatter not in output
    assert done.stderr == ""
    assert "最多跑一次" in done.stdout
    assert (tmp_path / "jieba" / "jieba.cache").exists()  # the cache went where we said


# ------------------------------------------------------------------ terms per task (kept between builds)


def test_task_terms_are_the_tokens_of_each_task_text(tasks):
    sample = tasks.head(20)
    terms = text.task_terms(sample)
    assert list(terms.index) == list(sample.index)
    assert [list(t) for t in terms] == [text.tokenize(text.task_text(row)) for row in sample.to_dict("records")]


def test_task_terms_read_back_without_segmenting_when_only_statuses_change(tasks, tmp_path, monkeypatch):
    from src.text import segment

    cache = tmp_path / "task_terms.parquet"
    first = text.task_terms(tasks, cache=cache)
    assert pd.read_parquet(cache)["text_key"].is_unique
    monkeypatch.setattr(segment, "tokenize", lambda value: pytest.fail("segmented a text already in the cache"))
    again = text.task_terms(fake_status(tasks), cache=cache)
    assert [list(t) for t in again] == [list(t) for t in first]
    assert text.keyword_table(fake_status(tasks), terms=again).equals(text.keyword_table(fake_status(tasks)))


def test_task_terms_segment_changed_texts_and_forget_old_ones(tasks, tmp_path, monkeypatch):
    from src.text import segment

    cache = tmp_path / "task_terms.parquet"
    text.task_terms(tasks.head(10), cache=cache)
    changed = tasks.head(10).copy()
    changed.loc[changed.index[0], "progress"] = "新增“亩均论英雄”改革试点"
    segmented = []
    real_tokenize = segment.tokenize
    monkeypatch.setattr(segment, "tokenize", lambda value: segmented.append(value) or real_tokenize(value))
    terms = text.task_terms(changed, cache=cache)
    assert len(segmented) == 1 and "新增“亩均论英雄”改革试点" in segmented[0]  # only the changed text
    assert "亩均论英雄" in terms.iloc[0]
    stored = pd.read_parquet(cache)
    assert set(stored["text_key"]) == {segment.text_key(text.task_text(row)) for row in changed.to_dict("records")}


def test_task_terms_cache_from_another_vocabulary_is_not_used(tasks, tmp_path, monkeypatch):
    from src.text import segment

    cache = tmp_path / "task_terms.parquet"
    text.task_terms(tasks.head(5), cache=cache)
    monkeypatch.setattr(segment, "vocabulary_key", lambda: "another-dictionary")
    segmented = []
    real_tokenize = segment.tokenize
    monkeypatch.setattr(segment, "tokenize", lambda value: segmented.append(value) or real_tokenize(value))
    text.task_terms(tasks.head(5), cache=cache)
    assert len(segmented) == 5
