"""Where the report jobs run: one interface, two backends.

A backend takes :class:`~src.builder.workers.ReportJob` objects and yields
``(job, result)`` pairs as the jobs end; the result is the dict
:func:`~src.builder.workers.render_report` returns (a job whose worker died is a
failed result, never an exception). The build only ever calls:

* ``warm_up(kernel)`` — start the workers and their kernels early (optional);
* ``run(jobs, staging)`` — render, yielding ``(job, result)`` as each ends;
* ``close()``.

Backends, chosen by ``--executor`` (:func:`make_backend`):

``local`` (default)
    a :class:`concurrent.futures.ProcessPoolExecutor` with ``--jobs`` worker
    processes on this machine; they live as long as the build (or ``--watch``).
``tcp://host:port`` or ``tls://host:port``
    an existing Dask scheduler **the operator started and named** (a province building
    many cities' reports): the reports run on its workers, wherever they are. The
    build never opens a scheduler port itself. A Dask scheduler runs whatever code
    it is sent, so a ``tcp://`` scheduler must be reachable only by the build's own
    user (a private network, an SSH tunnel); ``tls://`` uses the certificates of
    Dask's configuration (``distributed.comm.tls.*``, e.g.
    ``DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT``) and
    ``distributed.comm.require-encryption``; see the README. Jobs carry absolute paths (template, data folder, staging folder,
    project root), so every worker must see the project, the build's data and
    reports folders **at the same paths** (a shared file system) and have the
    same environment (the project's virtualenv, the CJK font, WeasyPrint's
    libraries). Results travel back as small dicts; the files are written by
    the workers straight into the staging folder.

The optional backend needs the ``distributed`` package; without it,
``--executor tcp://…`` fails with a message saying so.
"""
from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from src.builder.processes import worker_started
from src.builder.workers import PARTS, ReportJob, failed_result, render_report, warm_worker
from src.fingerprints import code_fingerprint
from src.paths import PROJECT_ROOT

__all__ = ["Backend", "LocalBackend", "DaskBackend", "ExecutorError", "make_backend", "longest_first", "check_executor",
           "ignore_sigint", "ReportWorkers", "run_jobs", "merge_parts"]


class ExecutorError(RuntimeError):
    """The executor asked for cannot be used (unknown name, package missing, scheduler unreachable)."""


def ignore_sigint() -> None:
    """A local worker's initializer: Ctrl-C reaches every process of the terminal's group; the
    build (or ``--watch``) handles it once and shuts the workers down in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def longest_first(jobs: list) -> list:
    """The overview first (it is the longest report), then the leaders with the most tasks
    (their reports take longest), so that no long report is left to run alone at the end.
    A report's Word document (``part == "word"``, short) goes out after the pages of the next
    report: the long pages lead, and each report is finished soon after its pages."""
    def size(job):
        return (bool(job.leader), -sum((job.counts or {}).values()), job.slug)

    rank = {slug: number for number, slug in enumerate(dict.fromkeys(job.slug for job in sorted(jobs, key=size)))}
    return sorted(jobs, key=lambda job: 2 * rank[job.slug] + (3 if getattr(job, "part", "") == "word" else 0))


class Backend:
    """The interface (see the module docstring)."""

    name = "?"
    workers = 1

    def warm_up(self, kernel: tuple[str, str] | None = None) -> None:  # pragma: no cover - optional
        pass

    def run(self, jobs: list, staging: Path) -> Iterator[tuple[object, dict]]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def abandon(self) -> None:
        """After an interrupted build stopped the worker processes: let go without waiting for them."""
        self.close()


class LocalBackend(Backend):
    """The local pool of worker processes (each a warm worker with its own kernel)."""

    name = "local"

    def __init__(self, workers: int, stderr_log: str | None = None):
        self.workers = max(1, workers)
        self.stderr_log = stderr_log
        self.pool = None

    def get(self):
        if self.pool is None:
            # workers ignore SIGINT, stop their kernels and exit with the build, even when it is killed
            self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=worker_started)
        return self.pool

    def warm_up(self, kernel: tuple[str, str] | None = None) -> None:
        for _ in range(self.workers):
            self.get().submit(warm_worker, self.stderr_log, kernel)

    def run(self, jobs: list, staging: Path) -> Iterator[tuple[object, dict]]:
        if not jobs:
            return
        pool = self.get()
        futures = {pool.submit(render_report, job, staging, self.stderr_log): job for job in longest_first(jobs)}
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the worker process itself died
                result = failed_result(job, f"无法执行：{type(error).__name__}: {error}")
            yield job, result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def abandon(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


class DaskBackend(Backend):
    """Jobs on the workers of an existing Dask scheduler (``address``).
    Connects at the first ``warm_up`` or ``run``; a scheduler that cannot be reached
    makes every job a failed report naming it (the published reports are kept)."""

    def __init__(self, address: str, workers: int):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ExecutorError(
                "--executor dask 需要 Python 包 distributed（pip install distributed） "
                "(the Dask backend needs the 'distributed' package)"
            ) from None
        self.address = address
        self.workers = max(1, workers)
        self.name = f"dask {address}"
        self.client = None
        self.warming = []

    def connect(self):
        import distributed  # cold start: the optional cluster package, only for --executor tcp://…

        if self.client is not None:
            return self.client
        try:
            self.client = distributed.Client(self.address, timeout="20s", set_as_default=False)
            self.workers = max(1, sum(self.client.nthreads().values()))
        except (OSError, TimeoutError) as error:
            self.close()
            raise ExecutorError(f"无法连接 Dask 调度器 {self.address}：{error} (cannot reach the Dask scheduler)") from None
        return self.client

    def warm_up(self, kernel: tuple[str, str] | None = None) -> None:
        if kernel is None:
            return
        try:
            client = self.connect()
        except ExecutorError:
            return  # run() reports it, per job
        for worker in client.scheduler_info().get("workers", {}):  # one warm-up on each worker
            self.warming.append(client.submit(warm_worker, None, kernel, workers=[worker], pure=False,
                                              key=f"warm-up-{worker}-{time.time_ns()}"))  # kept: a dropped future is cancelled

    def run(self, jobs: list, staging: Path) -> Iterator[tuple[object, dict]]:
        if not jobs:
            return
        try:
            client = self.connect()
        except ExecutorError as error:
            for job in jobs:
                yield job, failed_result(job, f"无法执行：{error}")
            return
        import distributed  # cold start: the optional cluster package, only for --executor tcp://…

        futures = {}
        ordered = longest_first(jobs)
        for rank, job in enumerate(ordered):
            future = client.submit(render_report, job, Path(staging), None, pure=False,
                                   priority=len(ordered) - rank, retries=0,
                                   key=f"report-{job.slug}-{job.part or 'all'}-{time.time_ns()}")
            futures[future] = job
        for future in distributed.as_completed(list(futures), loop=client.loop):  # not the default client: set_as_default=False
            job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the worker died, or the job could not be sent
                result = failed_result(job, f"无法执行：{type(error).__name__}: {error}")
            yield job, result

    def close(self) -> None:
        self.warming = []
        if self.client is not None:
            self.client.close()
            self.client = None


def make_backend(spec: str | None, workers: int, stderr_log: str | None = None) -> Backend:
    """``None``/``"local"`` → :class:`LocalBackend`; ``"tcp://host:port"`` / ``"tls://host:port"``
    → that Dask scheduler (the build never starts one: no port is opened by default)."""
    spec = (spec or "local").strip()
    if spec == "local":
        return LocalBackend(workers, stderr_log)
    if spec.startswith(("tcp://", "tls://")):
        return DaskBackend(spec, workers)
    raise ExecutorError(
        f"--executor {spec!r}: 应为 local、tcp://主机:端口 或 tls://主机:端口 "
        "(expected local, tcp://host:port or tls://host:port)"
    )


def check_executor(spec: str | None) -> None:
    """Raise :class:`ExecutorError` for a spec :func:`make_backend` would refuse (without connecting)."""
    make_backend(spec, 1).close()


class ReportWorkers:
    """The executor the build renders its reports on: the local pool of worker processes
    by default, or the backend named by ``executor`` (see :func:`make_backend`:
    ``"local"``, ``"dask"``, ``"dask://host:port"``, ``"tcp://host:port"``). Started lazily."""

    def __init__(self, workers: int, stderr_log: str | None = None, executor: str | None = None):
        self.backend = make_backend(executor, max(1, workers), stderr_log)
        self.stderr_log = stderr_log

    @property
    def workers(self) -> int:
        return self.backend.workers

    @property
    def name(self) -> str:
        return self.backend.name

    def warm_up(self, kernel: tuple[str, str] | None = None) -> None:
        """Start the workers (and, given (project root, code fingerprint), their kernels) ahead of the jobs."""
        if kernel is None:
            kernel = (str(PROJECT_ROOT), code_fingerprint())
        self.backend.warm_up(kernel)

    def close(self) -> None:
        self.backend.close()

    def abandon(self) -> None:
        """After an interrupted build stopped the worker processes: let go without waiting for them."""
        self.backend.abandon()


def run_jobs(jobs: list[ReportJob], staging: Path, workers: ReportWorkers, on_result=None) -> list[dict]:
    """Render ``jobs`` on the executor, each as its two parts (:data:`PARTS`), longest first (the
    overview), a report's Word document after the next report's pages
    (:func:`longest_first`); returns one result per report, and calls
    ``on_result(job, result)`` as each report's last part ends (the console's progress bar).
    A worker that dies is a failed report."""
    parts = [replace(job, part=part) for job in jobs for part in PARTS] if jobs else []
    ended: dict[str, dict] = {}
    by_slug = {job.slug: job for job in jobs}
    results = []
    for part_job, result in workers.backend.run(parts, Path(staging)):
        first = ended.pop(part_job.slug, None)
        if first is None:
            ended[part_job.slug] = result
            continue
        merged = merge_parts(first, result)
        results.append(merged)
        if on_result is not None:
            on_result(by_slug[part_job.slug], merged)
    return results


def merge_parts(first: dict, second: dict) -> dict:
    """One report's result from its two parts' (in either order): failed if either failed."""
    pages, word = (second, first) if first.get("part") == "word" else (first, second)
    if not pages["ok"]:
        return pages
    if not word["ok"]:
        return {**word, "executed": pages.get("executed", "")}
    return {**pages, "part": "", "timings": {**pages["timings"], **word["timings"]}}
