"""Full-text search over the four free-text columns, with ranked snippets."""
from __future__ import annotations

import re

import pandas as pd

from src.text.segment import FREE_TEXT_COLUMNS, clean_text

_SPACE = re.compile(r"\s+")

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
        texts = {field: clean_text(row.get(field)) for field in fields}
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
