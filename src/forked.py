"""Work on a large table on every core: the rows split into slices, each slice done
in a forked worker process, the results joined in order.

Used where every row is done on its own (a task's cells cleaned, a task judged), so
any split gives the same result as one process (each caller's tests check it). This
process does the first slice itself while forked workers do the others; they inherit
everything loaded (the rules, the rows, the parser's state: nothing is sent to them
but the bounds of their slice); only the results travel back. A province's table of
ten thousand rows takes about half the time on two cores; a city's table of a few
hundred rows stays in one process (a fork costs more than it saves there).

Where ``fork`` is unavailable (not Linux/macOS) or refused (inside a daemonic worker
process), everything is done in this process.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

__all__ = ["PARALLEL_MIN_ROWS", "MAX_WORKERS", "workers_for", "in_slices"]

PARALLEL_MIN_ROWS = 3000  # below this, one process is faster than forking (measured: docs/performance.md)
MAX_WORKERS = 8

_WORK: Callable[[int, int], list] | None = None  # set just before the fork, called by the children


def workers_for(rows: int, workers: int | None = None) -> int:
    """How many processes share ``rows`` rows: ``workers`` when given, else every core
    (at most :data:`MAX_WORKERS`) for a table of :data:`PARALLEL_MIN_ROWS` rows or more."""
    if workers is not None:
        return max(1, min(int(workers), max(1, rows)))
    if rows < PARALLEL_MIN_ROWS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _run_slice(bounds: tuple[int, int]) -> list:
    return _WORK(*bounds)


def in_slices(work: Callable[[int, int], list], rows: int, workers: int | None = None) -> list:
    """``work(start, stop)`` (a list per slice of ``range(rows)``) over every slice, joined in order:
    in this process and forked workers when :func:`workers_for` says more than one."""
    global _WORK
    count = workers_for(rows, workers)
    if count < 2 or multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods():
        return work(0, rows)
    step = -(-rows // count)
    bounds = [(start, min(start + step, rows)) for start in range(0, rows, step)]
    _WORK = work
    try:
        with multiprocessing.get_context("fork").Pool(len(bounds) - 1) as pool:
            rest = pool.map_async(_run_slice, bounds[1:], chunksize=1)
            first = work(*bounds[0])  # this process does the first slice meanwhile
            parts = [first, *rest.get()]
    finally:
        _WORK = None
    return [item for part in parts for item in part]
