"""The text of a task or a progress cell as the period comparison compares it (``[normalise]``
in ``data/reference/matching.toml``): used by the matcher and by the 进展未更新 check alike."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalise_text"]


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def normalise_text(text, settings: dict) -> str:
    """NFKC, lower case, years, numbering, spaces and punctuation removed (``settings``: the
    matcher's settings, :func:`src.compare.matching.load_settings`)."""
    value = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    if settings["normalise"].get("nfkc", True):
        value = unicodedata.normalize("NFKC", value)
    value = value.lower()
    for pattern in _compiled(tuple(settings["normalise"]["drop_patterns"])):
        value = pattern.sub("", value)
    return value
