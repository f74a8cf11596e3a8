"""The text layer: segmentation (jieba), keywords, cause and theme tags, search.

Everything here reads the four free-text columns of the task table
(:data:`FREE_TEXT_COLUMNS`) and works with or without the classifier's ``status`` /
``status_evidence`` columns.

Vocabulary lives in ``data/reference/`` so it can be edited without touching code:

``userdict.txt``
    jieba user dictionary (``word freq pos``), domain terms jieba splits wrongly
    by default (最多跑一次, 亲清在线, 城市大脑 …). Plain jieba format, no comments,
    so ``jieba.load_userdict`` reads it too.
``stopwords.txt``
    generic verbs and fillers of government prose (推进, 加快, 进一步 …), one per
    line, ``#`` starts a comment.
``causes.csv`` / ``themes.csv``
    ``cause,phrase`` / ``theme,phrase``: one cue phrase per row. A task gets a tag
    when one of the category's phrases occurs verbatim in its text; the matched
    phrase is kept as evidence.

Tokenisation rules (:func:`tokenize`):

* jieba with the user dictionary (HMM on), text NFKC-normalised (full-width
  Latin/digits → half-width) and Latin lower-cased;
* a short quoted name — “152”, “5433”, “亩均论英雄”: 2–8 letters/digits (``+ - ·``
  allowed) between Chinese quotes — is kept as one term, because in these
  documents quotes mark programme names; that is how numeric programme names
  survive the number filter;
* dropped: stopwords, punctuation and whitespace, tokens without any letter
  (pure numbers, percentages, dates such as ``2020``, ``57.7%``) and single
  characters (年, 月, 亿, 个 … carry no topic on their own; single-character
  words that matter are rare and would rank as noise).

jieba is initialised lazily on first use, once per process, and quietly: its
logger is set to WARNING and its cache goes to ``.cache/jieba/`` in the project
(or the system temp dir when that is not writable).
"""
from __future__ import annotations

import csv
import logging
import math
import os
import re
import tempfile
import threading
import unicodedata
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd

from src.paths import PROJECT_ROOT, REFERENCE_DIR
from src.style import status_order

__all__ = [
    "FREE_TEXT_COLUMNS",
    "CAUSES",
    "THEMES",
    "USERDICT_PATH",
    "STOPWORDS_PATH",
    "CAUSES_PATH",
    "THEMES_PATH",
    "JIEBA_CACHE_DIR",
    "tokenize",
    "load_stopwords",
    "load_cause_phrases",
    "load_theme_phrases",
    "task_text",
    "keywords",
    "tag_causes",
    "cause_counts",
    "tag_themes",
    "theme_counts",
    "search_tasks",
    "add_text_features",
]

FREE_TEXT_COLUMNS = ("task", "progress", "problems", "next_steps")

USERDICT_PATH = REFERENCE_DIR / "userdict.txt"
STOPWORDS_PATH = REFERENCE_DIR / "stopwords.txt"
CAUSES_PATH = REFERENCE_DIR / "causes.csv"
THEMES_PATH = REFERENCE_DIR / "themes.csv"
JIEBA_CACHE_DIR = PROJECT_ROOT / ".cache" / "jieba"

CAUSES = (
    "疫情影响",
    "资金/经费",
    "用地/要素保障",
    "审批/手续/前期",
    "协调/体制",
    "人才/人力",
    "技术/系统",
    "上级政策/外部",
)
THEMES = (
    "数字经济与创新",
    "交通与基础设施",
    "生态环境",
    "民生与社会事业",
    "改革与营商环境",
    "安全与应急",
    "城乡建设",
    "文化旅游",
    "政府自身建设",
)

# --------------------------------------------------------------------------- jieba

_LOCK = threading.Lock()
_TOKENIZER = None
_USER_WORDS: frozenset[str] = frozenset()


def _writable_dir(preferred: Path) -> Path:
    try:
        preferred.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir())
    return preferred if os.access(preferred, os.W_OK) else Path(tempfile.gettempdir())


def _read_userdict(path: Path) -> list[tuple[str, int | None, str | None]]:
    entries = []
    if not path.exists():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split()
        if not parts or parts[0].startswith("#"):
            continue
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        entries.append((word, freq, tag))
    return entries


def _tokenizer():
    """The project's jieba tokenizer: built on first call, with the user dictionary."""
    global _TOKENIZER, _USER_WORDS
    if _TOKENIZER is not None:
        return _TOKENIZER
    with _LOCK:
        if _TOKENIZER is not None:
            return _TOKENIZER
        with warnings.catch_warnings():
            # jieba imports pkg_resources when it exists, which warns on new setuptools.
            warnings.simplefilter("ignore")
            import jieba
        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = str(_writable_dir(JIEBA_CACHE_DIR))
        tokenizer.initialize()
        entries = _read_userdict(USERDICT_PATH)
        for word, freq, tag in entries:
            tokenizer.add_word(_normalise(word), freq, tag)  # text is normalised before cutting
        _USER_WORDS = frozenset(_normalise(word) for word, _, _ in entries)
        _TOKENIZER = tokenizer
    return _TOKENIZER


# ----------------------------------------------------------------------- vocabulary


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].strip()


@lru_cache(maxsize=None)
def _stopwords(path: str) -> frozenset[str]:
    file = Path(path)
    if not file.exists():
        return frozenset()
    words = (_strip_comment(line) for line in file.read_text(encoding="utf-8").splitlines())
    return frozenset(_normalise(word) for word in words if word)


def load_stopwords(path: str | Path = STOPWORDS_PATH) -> frozenset[str]:
    """The stopword set (normalised like tokens: NFKC, Latin lower-case)."""
    return _stopwords(str(path))


@lru_cache(maxsize=None)
def _phrase_table(path: str, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    phrases: dict[str, list[str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            category = (row.get(key) or "").strip()
            phrase = (row.get("phrase") or "").strip()
            if not category or not phrase or category.startswith("#"):
                continue
            bucket = phrases.setdefault(category, [])
            if phrase not in bucket:
                bucket.append(phrase)
    return tuple((category, tuple(items)) for category, items in phrases.items())


def load_cause_phrases(path: str | Path = CAUSES_PATH) -> dict[str, tuple[str, ...]]:
    """``{cause: (phrase, …)}`` in file order."""
    return dict(_phrase_table(str(path), "cause"))


def load_theme_phrases(path: str | Path = THEMES_PATH) -> dict[str, tuple[str, ...]]:
    """``{theme: (phrase, …)}`` in file order."""
    return dict(_phrase_table(str(path), "theme"))


# --------------------------------------------------------------------- tokenising

_QUOTED = re.compile(r"[“\"「『]([0-9A-Za-z\u4e00-\u9fff+\-·]{2,8})[”\"」』]")
_SPACE = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _clean(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _keep(token: str, stopwords: frozenset[str], protected: bool = False) -> bool:
    if not token or token in stopwords:
        return False
    if protected or token in _USER_WORDS:
        return True
    if len(token) < 2:
        return False
    return any(ch.isalpha() for ch in token)


def tokenize(text) -> list[str]:
    """Segment ``text`` into terms (see the module docstring for what is dropped).

    >>> tokenize("深化机关内部“最多跑一次”改革")  # doctest: +SKIP
    ['机关', '内部', '最多跑一次', '改革']
    """
    text = _normalise(_clean(text))
    if not text.strip():
        return []
    return list(_tokenize(text))


@lru_cache(maxsize=8192)
def _tokenize(text: str) -> tuple[str, ...]:
    tokenizer = _tokenizer()
    stopwords = load_stopwords()
    tokens: list[str] = []
    position = 0
    for match in _QUOTED.finditer(text):
        tokens.extend(_cut(tokenizer, text[position:match.start()], stopwords))
        name = match.group(1)
        if _keep(name, stopwords, protected=True):
            tokens.append(name)
        position = match.end()
    tokens.extend(_cut(tokenizer, text[position:], stopwords))
    return tuple(tokens)


def _cut(tokenizer, text: str, stopwords: frozenset[str]) -> list[str]:
    if not text:
        return []
    return [token for token in (t.strip() for t in tokenizer.cut(text)) if _keep(token, stopwords)]


def task_text(row, columns=FREE_TEXT_COLUMNS) -> str:
    """One task's text fields joined by newlines (missing columns skipped)."""
    return "\n".join(_clean(row.get(column)) for column in columns if column in row)


# ---------------------------------------------------------------------- grouping


def _require(df: pd.DataFrame, column: str) -> None:
    if column not in df.columns:
        hint = " (run the classifier first)" if column in ("status", "status_evidence") else ""
        raise KeyError(f"the table has no {column!r} column{hint}; columns: {list(df.columns)}")


def _group_order(df: pd.DataFrame, by: str) -> list:
    """Group keys in a stable, meaningful order: categorical order, leader order,
    status order, else sorted."""
    column = df[by]
    present = column.dropna().unique().tolist()
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [key for key in column.cat.categories if key in set(present)]
    if by == "leader" and "leader_order" in df.columns:
        first = df.dropna(subset=[by]).groupby(by, sort=False)["leader_order"].min()
        return sorted(present, key=lambda key: (first[key], str(key)))
    if by == "status":
        rank = {status: i for i, status in enumerate(status_order())}  # other values sort after these
        return sorted(present, key=lambda key: (rank.get(key, len(rank)), str(key)))
    return sorted(present, key=str)


# ---------------------------------------------------------------------- keywords


def _idf(n_groups: int, groups_with_term: int) -> float:
    if n_groups < 2:
        return 1.0
    return math.log((1 + n_groups) / (1 + groups_with_term))


def keywords(df: pd.DataFrame, by: str = "leader", top_n: int = 10) -> pd.DataFrame:
    """Distinctive terms per group by TF-IDF.

    Each group's text (task + progress + problems + next_steps of all its tasks)
    is one document; IDF is computed over the groups of this table, so a term
    every group uses sinks and what sets a group apart rises.

    * tf = term count / number of terms in the group
    * idf = ln((1 + groups) / (1 + groups containing the term)) — a term every
      group uses gets 0 and is left out (with a single group, idf = 1: plain tf)
    * weight = tf·idf, L2-normalised within the group, rounded to 6 decimals

    Returns columns ``[by, "term", "weight", "tasks", "rank"]`` — ``tasks`` is
    how many of the group's tasks contain the term. Ordered by group (see
    :func:`_group_order`), then weight descending, then term. Rows whose key is
    missing are left out.
    """
    _require(df, by)
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    columns = [by, "term", "weight", "tasks", "rank"]
    frame = df[df[by].notna()]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    task_tokens = frame.apply(lambda row: tokenize(task_text(row)), axis=1)
    groups = _group_order(frame, by)
    counts: dict = {}
    task_counts: dict = {}
    for key in groups:
        member_tokens = task_tokens[frame[by] == key]
        counts[key] = Counter(token for tokens in member_tokens for token in tokens)
        task_counts[key] = Counter(token for tokens in member_tokens for token in set(tokens))
    document_frequency = Counter(term for key in groups for term in counts[key])
    n_groups = len(groups)
    rows = []
    for key in groups:
        total = sum(counts[key].values())
        if not total:
            continue
        raw = {term: (count / total) * _idf(n_groups, document_frequency[term]) for term, count in counts[key].items()}
        raw = {term: value for term, value in raw.items() if value > 0}
        if not raw:
            continue
        norm = math.sqrt(sum(value * value for value in raw.values())) or 1.0
        scored = sorted(((round(value / norm, 6), term) for term, value in raw.items()), key=lambda item: (-item[0], item[1]))
        for rank, (weight, term) in enumerate(scored[:top_n], start=1):
            rows.append({by: key, "term": term, "weight": weight, "tasks": task_counts[key][term], "rank": rank})
    return pd.DataFrame(rows, columns=columns)


# -------------------------------------------------------------------------- tags


def _first_hits(text: str, table: dict[str, tuple[str, ...]]) -> list[tuple[int, str, str]]:
    """``(position, category, phrase)`` of each category's earliest (then longest)
    phrase occurring in ``text``."""
    hits = []
    for category, phrases in table.items():
        best = None
        for phrase in phrases:
            position = text.find(phrase)
            if position >= 0 and (best is None or (position, -len(phrase)) < (best[0], -len(best[1]))):
                best = (position, phrase)
        if best is not None:
            hits.append((best[0], category, best[1]))
    return hits


def _is_lagging(row) -> bool:
    status = row.get("status") if "status" in row else "lagging"
    return isinstance(status, str) and status == "lagging"


def _status_evidence(row) -> str:
    value = row.get("status_evidence") if "status_evidence" in row else None
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        value = "\n".join(_clean(item) for item in list(value))
    return _clean(value)


def _cause_tags(row, table) -> list[dict]:
    sources = [_clean(row.get("problems"))]
    if _is_lagging(row):
        sources.append(_status_evidence(row))
    tags: dict[str, tuple] = {}
    for offset, source in enumerate(sources):
        if not source.strip():
            continue
        for position, cause, phrase in _first_hits(source, table):
            tags.setdefault(cause, (offset, position, phrase))
    order = {cause: i for i, cause in enumerate(table)}
    return [
        {"cause": cause, "evidence": phrase}
        for cause, (_, _, phrase) in sorted(tags.items(), key=lambda item: order[item[0]])
    ]


def tag_causes(df: pd.DataFrame, phrases: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Add ``cause_tags``: a list of ``{"cause", "evidence"}`` per task.

    Cue phrases (``data/reference/causes.csv``) are looked for in the task's
    ``problems`` text and — for tasks the classifier marked ``lagging`` — in its
    ``status_evidence``. ``evidence`` is the matched phrase, a verbatim substring
    of one of those texts. One tag per cause, in the order of ``causes.csv``. A
    task with no problems text (and no lagging evidence) gets ``[]``.
    """
    table = phrases if phrases is not None else load_cause_phrases()
    tags = [_cause_tags(row, table) for _, row in df.iterrows()]
    return df.assign(cause_tags=pd.Series(tags, index=df.index, dtype=object))


def _theme_tags(row, table) -> list[dict]:
    for column in ("task", "progress"):
        text = _clean(row.get(column))
        hits = _first_hits(text, table) if text.strip() else []
        if hits:
            order = {theme: i for i, theme in enumerate(table)}
            return [{"theme": theme, "evidence": phrase} for _, theme, phrase in sorted(hits, key=lambda h: order[h[1]])]
    return []


def tag_themes(df: pd.DataFrame, phrases: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Add ``theme_tags``: a list of ``{"theme", "evidence"}`` per task.

    Phrases (``data/reference/themes.csv``) are matched in the ``task`` text;
    only when none matches there is ``progress`` used. ``evidence`` is the
    matched phrase (verbatim substring of that text). A task can carry several
    themes, listed in the order of ``themes.csv``.
    """
    table = phrases if phrases is not None else load_theme_phrases()
    tags = [_theme_tags(row, table) for _, row in df.iterrows()]
    return df.assign(theme_tags=pd.Series(tags, index=df.index, dtype=object))


def _tag_counts(df: pd.DataFrame, by: str | None, column: str, label: str, categories) -> pd.DataFrame:
    def names(tags) -> set:
        if tags is None or (isinstance(tags, float) and math.isnan(tags)):
            return set()
        return {tag[label] for tag in list(tags)}

    present = df[column].map(names)
    extra = sorted({name for found in present for name in found} - set(categories))
    ordered = list(categories) + extra
    if by is None:
        rows = [{label: name, "tasks": int(sum(name in found for found in present))} for name in ordered]
        return pd.DataFrame(rows, columns=[label, "tasks"])
    _require(df, by)
    rows = []
    for key in _group_order(df, by):
        members = present[df[by] == key]
        for name in ordered:
            rows.append({by: key, label: name, "tasks": int(sum(name in found for found in members))})
    return pd.DataFrame(rows, columns=[by, label, "tasks"])


def cause_counts(df: pd.DataFrame, by: str | None = "leader") -> pd.DataFrame:
    """Tasks per (group, cause), long format ``[by, "cause", "tasks"]``.

    Every group × cause pair is listed (zeros included) so charts have stable
    axes; ``by=None`` gives the overall ``["cause", "tasks"]``. Tags are computed
    when ``cause_tags`` is missing. Filter first for e.g. lagging tasks only:
    ``cause_counts(df[df.status == "lagging"])``.
    """
    if "cause_tags" not in df.columns:
        df = tag_causes(df)
    return _tag_counts(df, by, "cause_tags", "cause", load_cause_phrases().keys() or CAUSES)


def theme_counts(df: pd.DataFrame, by: str | None = "status") -> pd.DataFrame:
    """Tasks per (group, theme), long format ``[by, "theme", "tasks"]``; see
    :func:`cause_counts`."""
    if "theme_tags" not in df.columns:
        df = tag_themes(df)
    return _tag_counts(df, by, "theme_tags", "theme", load_theme_phrases().keys() or THEMES)


def add_text_features(df: pd.DataFrame) -> pd.DataFrame:
    """``tag_causes`` then ``tag_themes``: the build's one call."""
    return tag_themes(tag_causes(df))


# ------------------------------------------------------------------------ search

_FIELD_WEIGHTS = {"task": 3, "progress": 1, "problems": 1, "next_steps": 1}
SNIPPET_RADIUS = 30


def _snippet(text: str, start: int, end: int, radius: int = SNIPPET_RADIUS) -> str:
    left = max(0, start - radius)
    right = min(len(text), end + radius)
    body = _SPACE.sub(" ", text[left:right]).strip()
    return ("…" if left > 0 else "") + body + ("…" if right < len(text) else "")


def search_tasks(df: pd.DataFrame, query: str, limit: int | None = None) -> pd.DataFrame:
    """Tasks whose text contains every term of ``query``.

    Terms are separated by whitespace; each is a plain substring (亚运 finds 亚运会
    and 亚运村), case-insensitive for Latin. Searched: task, progress, problems,
    next_steps. ``score`` = occurrences of all terms, counted 3× in the task
    text; ties keep ``task_id`` order. ``snippet`` shows ±30 characters around
    the first match (fields in the order above), ``…`` where cut.

    Returns ``task_id, leader, [status,] lead_unit, score, snippet``.
    """
    if not isinstance(query, str) or not query.split():
        raise ValueError("search_tasks: the query is empty — give one or more terms separated by spaces, e.g. '亚运 场馆'")
    terms = list(dict.fromkeys(query.split()))
    patterns = [re.compile(re.escape(term), re.IGNORECASE) for term in terms]
    fields = [column for column in FREE_TEXT_COLUMNS if column in df.columns]
    out_columns = ["task_id", "leader"] + (["status"] if "status" in df.columns else []) + ["lead_unit", "score", "snippet"]
    rows = []
    for _, row in df.iterrows():
        texts = {field: _clean(row.get(field)) for field in fields}
        score = 0
        matched_all = True
        for pattern in patterns:
            hits = {field: len(pattern.findall(text)) for field, text in texts.items()}
            if not any(hits.values()):
                matched_all = False
                break
            score += sum(_FIELD_WEIGHTS.get(field, 1) * count for field, count in hits.items())
        if not matched_all:
            continue
        snippet = ""
        for field in fields:
            found = [m for m in (pattern.search(texts[field]) for pattern in patterns) if m]
            if found:
                first = min(found, key=lambda m: (m.start(), -m.end()))
                snippet = _snippet(texts[field], first.start(), first.end())
                break
        record = {column: row.get(column) for column in out_columns if column in row}
        record.update(score=score, snippet=snippet)
        rows.append(record)
    result = pd.DataFrame(rows, columns=out_columns)
    if result.empty:
        return result
    result["_order"] = range(len(result))
    keys = ["score", "task_id", "_order"] if "task_id" in result.columns else ["score", "_order"]
    result = result.sort_values(keys, ascending=[False] + [True] * (len(keys) - 1), kind="mergesort")
    result = result.drop(columns="_order").reset_index(drop=True)
    return result if limit is None else result.head(limit)
