"""Segmentation: the project's jieba tokenizer, its vocabulary files, and the
small text helpers the other text modules share.

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
import hashlib
import io
import logging
import math
import os
import re
import tempfile
import threading
import unicodedata
import warnings
from functools import cache, lru_cache
from pathlib import Path

import jieba
import pandas as pd

from src.fingerprints import read_reference
from src.paths import PROJECT_ROOT, REFERENCE_DIR
from src.report.style import status_order
from src.store import write_parquet

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
    for line in read_reference(path).decode("utf-8").splitlines():
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


@cache
def _stopwords(path: str) -> frozenset[str]:
    file = Path(path)
    if not file.exists():
        return frozenset()
    words = (_strip_comment(line) for line in read_reference(file).decode("utf-8").splitlines())
    return frozenset(_normalise(word) for word in words if word)


def load_stopwords(path: str | Path = STOPWORDS_PATH) -> frozenset[str]:
    """The stopword set (normalised like tokens: NFKC, Latin lower-case)."""
    return _stopwords(str(path))


@cache
def _phrase_table(path: str, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    phrases: dict[str, list[str]] = {}
    with io.StringIO(read_reference(path).decode("utf-8-sig"), newline="") as handle:
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


def clean_text(value) -> str:
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
    text = _normalise(clean_text(text))
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
    return "\n".join(clean_text(row.get(column)) for column in columns if column in row)


# ------------------------------------------------------------------ terms per task

TERMS_FORMAT = "task-terms-v1"  # change when tokenize() changes in a way the vocabulary files do not show


def vocabulary_key() -> str:
    """What the terms of a text depend on besides the text: the tokenizer's rules
    (:data:`TERMS_FORMAT`), the user dictionary and the stopwords (their bytes)."""

    digest = hashlib.sha256(TERMS_FORMAT.encode())
    for path in (USERDICT_PATH, STOPWORDS_PATH):
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def task_terms(tasks: pd.DataFrame, cache: str | Path | None = None) -> pd.Series:
    """Each task's terms (:func:`tokenize` of :func:`task_text`), indexed like ``tasks``.

    With ``cache`` (a parquet file: one row per distinct text, ``text_key``,
    ``vocabulary``, ``terms``), texts segmented before with the same vocabulary are
    read back instead of segmented again, and the file is rewritten with exactly the
    texts of ``tasks``. Terms depend on the text only, never on a status: a rebuild
    after an override (new statuses, same texts) loads no jieba at all.
    """
    texts = [task_text(row) for row in tasks.to_dict("records")]
    keys = [text_key(text) for text in texts]
    vocabulary = vocabulary_key()
    known: dict[str, list[str]] = {}
    if cache is not None and Path(cache).exists():
        try:
            stored = pd.read_parquet(cache)
            stored = stored[stored["vocabulary"] == vocabulary]
            known = {key: list(terms) for key, terms in zip(stored["text_key"], stored["terms"])}
        except (OSError, ValueError, KeyError):  # unreadable or another layout: segment again
            known = {}
    terms = {}
    for key, text in zip(keys, texts):
        if key not in terms:
            terms[key] = known[key] if key in known else tokenize(text)
    if cache is not None:
        order = sorted(terms)

        write_parquet(pd.DataFrame({"text_key": order, "vocabulary": vocabulary,
                                    "terms": [terms[key] for key in order]}), cache)
    return pd.Series([terms[key] for key in keys], index=tasks.index, dtype=object)


# ---------------------------------------------------------------------- grouping


def require_column(df: pd.DataFrame, column: str) -> None:
    if column not in df.columns:
        hint = " (run the classifier first)" if column in ("status", "status_evidence") else ""
        raise KeyError(f"the table has no {column!r} column{hint}; columns: {list(df.columns)}")


def group_order(df: pd.DataFrame, by: str) -> list:
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
