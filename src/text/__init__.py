"""The text layer, by job: :mod:`~src.text.segment` (jieba tokenizer and
vocabulary), :mod:`~src.text.keywords` (TF-IDF per group), :mod:`~src.text.tags`
(cause and theme tags with evidence) and :mod:`~src.text.search` (full-text search).

Everything here reads the four free-text columns of the task table
(``FREE_TEXT_COLUMNS``) and works with or without the classifier's ``status`` /
``status_evidence`` columns. Vocabulary lives in ``data/reference/``
(``userdict.txt``, ``stopwords.txt``, ``causes.csv``, ``themes.csv``).
"""
from src.text.keywords import keyword_table, keywords
from src.text.search import search_tasks
from src.text.segment import (
    CAUSES,
    CAUSES_PATH,
    FREE_TEXT_COLUMNS,
    JIEBA_CACHE_DIR,
    STOPWORDS_PATH,
    THEMES,
    THEMES_PATH,
    USERDICT_PATH,
    load_cause_phrases,
    load_stopwords,
    load_theme_phrases,
    task_terms,
    task_text,
    tokenize,
)
from src.text.tags import add_text_features, cause_counts, tag_causes, tag_themes, theme_counts

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
    "task_terms",
    "keywords",
    "keyword_table",
    "tag_causes",
    "cause_counts",
    "tag_themes",
    "theme_counts",
    "search_tasks",
    "add_text_features",
]
