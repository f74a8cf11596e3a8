"""Keywords: the terms that set a group of tasks apart (TF-IDF over groups)."""
from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from src.text.segment import group_order, require_column, task_text, tokenize


def _idf(n_groups: int, groups_with_term: int) -> float:
    if n_groups < 2:
        return 1.0
    return math.log((1 + n_groups) / (1 + groups_with_term))


def keywords(df: pd.DataFrame, by: str = "leader", top_n: int = 10, terms: pd.Series | None = None) -> pd.DataFrame:
    """Distinctive terms per group by TF-IDF.

    Each group's text (task + progress + problems + next_steps of all its tasks)
    is one document; IDF is computed over the groups of this table, so a term
    every group uses sinks and what sets a group apart rises.

    * tf = term count / number of terms in the group
    * idf = ln((1 + groups) / (1 + groups containing the term)) — a term every
      group uses gets 0 and is left out (with a single group, idf = 1: plain tf)
    * weight = tf·idf, L2-normalised within the group, rounded to 6 decimals

    ``terms``: each task's terms, indexed like ``df`` (see :func:`src.text.segment.task_terms`);
    segmented here when not given.

    Returns columns ``[by, "term", "weight", "tasks", "rank"]`` — ``tasks`` is
    how many of the group's tasks contain the term. Ordered by group (see
    :func:`src.text.segment.group_order`), then weight descending, then term. Rows whose key is
    missing are left out.
    """
    require_column(df, by)
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    columns = [by, "term", "weight", "tasks", "rank"]
    frame = df[df[by].notna()]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if terms is None:
        task_tokens = frame.apply(lambda row: tokenize(task_text(row)), axis=1)
    else:
        task_tokens = terms.loc[frame.index]
    groups = group_order(frame, by)
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


def keyword_table(classified: pd.DataFrame, top_n: int = 20, terms: pd.Series | None = None) -> pd.DataFrame:
    """Keywords per leader and per status in one long table (scope = leader | status),
    as the build stores them in ``keywords.parquet``. ``terms`` as for :func:`keywords`."""
    by_leader = keywords(classified, by="leader", top_n=top_n, terms=terms).assign(scope="leader", status="")
    by_status = keywords(classified, by="status", top_n=top_n, terms=terms).assign(scope="status", leader="")
    columns = ["scope", "leader", "status", "term", "weight", "tasks", "rank"]
    return pd.concat([by_leader[columns], by_status[columns]], ignore_index=True)
