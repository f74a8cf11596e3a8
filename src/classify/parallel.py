"""Judging a large table on every core (:mod:`src.forked`): every row is judged on its
own text alone (:func:`src.classify.decide.judge_rows`), so any split gives the same
statuses as one process; a test checks it."""
from __future__ import annotations

from src.forked import MAX_WORKERS, PARALLEL_MIN_ROWS, in_slices
from src.forked import workers_for as parallel_workers

__all__ = ["PARALLEL_MIN_ROWS", "MAX_WORKERS", "parallel_workers", "judge_in_parallel"]


def judge_in_parallel(records: list, table, workers: int | None = None) -> list[dict]:
    """:func:`src.classify.decide.judge_rows` over ``records`` in forked processes, in order."""
    from src.classify.decide import judge_rows

    return in_slices(lambda start, stop: judge_rows(records[start:stop], table), len(records), workers)
