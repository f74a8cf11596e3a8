"""Judging a large table on every core: the rows split into slices, each slice judged
in a forked worker process, the results joined in order.

Every row is judged on its own text alone (:func:`src.classify.decide.judge_rows`),
so any split gives the same statuses as one process; a test checks it. This process
judges the first slice itself while forked workers judge the others; they inherit the loaded rules and the rows (nothing is sent to them but the
bounds of their slice); only the results travel back. A province's table of ten
thousand rows is judged in about half the time on two cores; a city's table of a
few hundred rows stays in one process (a fork costs more than it saves there).

Where ``fork`` is unavailable (not Linux/macOS) or refused (inside a daemonic
worker process), the rows are judged in this process.
"""
from __future__ import annotations

import multiprocessing
import os

__all__ = ["PARALLEL_MIN_ROWS", "parallel_workers", "judge_in_parallel"]

PARALLEL_MIN_ROWS = 3000  # below this, one process is faster than forking (measured: docs/performance.md)
MAX_WORKERS = 8

_TABLE = None  # (records, table context), set just before the fork, read by the children


def parallel_workers(rows: int, workers: int | None = None) -> int:
    """How many processes judge ``rows`` rows: ``workers`` when given, else every core
    (at most :data:`MAX_WORKERS`) for a table of :data:`PARALLEL_MIN_ROWS` rows or more."""
    if workers is not None:
        return max(1, min(int(workers), max(1, rows)))
    if rows < PARALLEL_MIN_ROWS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _judge_slice(bounds: tuple[int, int]) -> list[dict]:
    from src.classify.decide import judge_rows

    records, table = _TABLE
    start, stop = bounds
    return judge_rows(records[start:stop], table)


def judge_in_parallel(records: list, table, workers: int | None = None) -> list[dict]:
    """:func:`src.classify.decide.judge_rows` over ``records`` in forked processes, in order."""
    from src.classify.decide import judge_rows

    global _TABLE
    count = parallel_workers(len(records), workers)
    if count < 2 or multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods():
        return judge_rows(records, table)
    step = -(-len(records) // count)
    bounds = [(start, min(start + step, len(records))) for start in range(0, len(records), step)]
    _TABLE = (records, table)
    try:
        with multiprocessing.get_context("fork").Pool(len(bounds) - 1) as pool:
            rest = pool.map_async(_judge_slice, bounds[1:], chunksize=1)
            first = _judge_slice(bounds[0])  # this process judges the first slice meanwhile
            parts = [first, *rest.get()]
    finally:
        _TABLE = None
    return [row for part in parts for row in part]
