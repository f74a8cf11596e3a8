"""Cause and theme tags: which cue phrases of ``causes.csv`` / ``themes.csv``
occur in a task's text, each kept with its verbatim evidence."""
from __future__ import annotations

import math

import pandas as pd

from src.text.segment import CAUSES, THEMES, clean_text, group_order, load_cause_phrases, load_theme_phrases, require_column


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
        value = "\n".join(clean_text(item) for item in list(value))
    return clean_text(value)


def _cause_tags(row, table) -> list[dict]:
    sources = [clean_text(row.get("problems"))]
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
    tags = [_cause_tags(row, table) for row in df.to_dict("records")]  # a dict per row, no Series
    return df.assign(cause_tags=pd.Series(tags, index=df.index, dtype=object))


def _theme_tags(row, table) -> list[dict]:
    for column in ("task", "progress"):
        text = clean_text(row.get(column))
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
    tags = [_theme_tags(row, table) for row in df.to_dict("records")]
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
    require_column(df, by)
    rows = []
    for key in group_order(df, by):
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
