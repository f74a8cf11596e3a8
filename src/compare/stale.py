"""进展未更新 (stale progress): a task matched with the previous period whose
progress text repeats last period's — word for word, or apart from the period's
dates ("1-6月" → "1-9月"), spacing and punctuation, with the same figures.

The rule and its threshold are data (``[stale]`` in ``data/reference/matching.toml``);
how the threshold was measured is in docs/comparison.md.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

import pandas as pd

from src.compare.normalise import normalise_text

__all__ = ["normalise_progress", "progress_similarity", "figures", "mark_stale", "stale_count", "stale_by_unit"]

_PERIOD_MARK = "期"  # one mark for any date of the period (survives the normalisation)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@lru_cache(maxsize=8)
def _patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


def _stale_settings(settings: dict) -> dict:
    stale = settings.get("stale") or {}
    return {"min_similarity": float(stale.get("min_similarity", 0.9)),
            "period_patterns": tuple(stale.get("period_patterns", ()))}


def _plain(text) -> str:
    if text is None or (isinstance(text, float) and text != text):
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"<[^>]+>", " ", value)  # markup of Markdown cells


def normalise_progress(text, settings: dict) -> str:
    """The progress text as compared: NFKC, the period's dates → one mark, then the
    matcher's normalisation (spaces, punctuation, numbering removed)."""
    value = _plain(text)
    for pattern in _patterns(_stale_settings(settings)["period_patterns"]):
        value = pattern.sub(_PERIOD_MARK, value)
    return normalise_text(value, settings) if value else ""


def figures(text, settings: dict) -> list[str]:
    """The figures a progress text names, outside the period's dates, in order."""
    value = _plain(text)
    for pattern in _patterns(_stale_settings(settings)["period_patterns"]):
        value = pattern.sub(" ", value)
    return _NUMBER.findall(value)


def progress_similarity(a, b, settings: dict) -> float:
    """1.0 for the same text (after :func:`normalise_progress`), 0 for nothing shared."""
    left, right = normalise_progress(a, settings), normalise_progress(b, settings)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def mark_stale(frame: pd.DataFrame, progress: pd.Series, previous_progress: pd.Series, settings: dict) -> pd.DataFrame:
    """``frame`` (the comparison) with ``progress_similarity`` and ``progress_stale`` (bool):
    matched rows only; an empty progress (未报送) is never stale."""
    limits = _stale_settings(settings)
    similarity, stale = [], []
    for match, now, before in zip(frame["match"], progress, previous_progress):
        if match not in ("id", "text") or not _plain(now).strip() or not _plain(before).strip():
            similarity.append(float("nan"))
            stale.append(False)
            continue
        score = round(progress_similarity(now, before, settings), 4)
        similarity.append(score)
        stale.append(bool(score >= limits["min_similarity"] and figures(now, settings) == figures(before, settings)))
    out = frame.copy()
    out["progress_similarity"] = pd.Series(similarity, index=frame.index, dtype="float64")
    out["progress_stale"] = pd.Series(stale, index=frame.index, dtype=bool)
    return out


def stale_count(frame: pd.DataFrame, leader: str = "") -> int:
    """How many tasks (of one leader, or all) repeat last period's progress: the
    figure the notice prints as 进展未更新 N 项 (the documents helper reads this)."""
    if frame is None or frame.empty or "progress_stale" not in frame.columns:
        return 0
    rows = frame if not leader else frame[frame["leader"] == leader]
    return int(rows["progress_stale"].fillna(False).astype(bool).sum())


def stale_by_unit(frame: pd.DataFrame, leader: str = "") -> pd.DataFrame:
    """进展未更新 by lead unit, for the notice's 附件: ``lead_unit``, ``count``, ``task_ids``
    (most first, then by name); a task led by several units counts for each."""
    columns = ["lead_unit", "count", "task_ids"]
    if frame is None or frame.empty or "progress_stale" not in frame.columns:
        return pd.DataFrame(columns=columns)
    rows = frame[frame["progress_stale"].fillna(False).astype(bool)]
    if leader:
        rows = rows[rows["leader"] == leader]
    units: dict[str, list[int]] = {}
    for unit_text, task_id in zip(rows["lead_unit"], rows["task_id"]):
        for unit in [u for u in re.split(r"[、，,；;/\s]+", str(unit_text)) if u] or ["（未注明）"]:
            units.setdefault(unit, []).append(int(task_id))
    table = pd.DataFrame([(u, len(ids), ids) for u, ids in units.items()], columns=columns)
    return table.sort_values(["count", "lead_unit"], ascending=[False, True], ignore_index=True)
