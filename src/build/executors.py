"""Where the report jobs run: one interface, two backends.

A backend takes :class:`~src.build.workers.ReportJob` objects and yields
``(job, result)`` pairs as the jobs end; the result is the dict
:func:`~src.build.workers.render_report` returns (a job whose worker died is a
failed result, never an exception). The build only ever calls:

* ``warm_up(kernel)`` — start the workers and their kernels early (optional);
* ``run(jobs, staging)`` — render, yielding ``(job, result)`` as each ends;
* ``close()``.

Backends, chosen by ``--executor`` (:func:`make_backend`):

``local`` (default)
    a :class:`concurrent.futures.ProcessPoolExecutor` with ``--jobs`` worker
    processes on this machine.
``dask``
    a ``distributed.LocalCluster`` inside the build process (``--jobs`` threads,
    ``inproc://``: no port is opened) — mostly useful to try the Dask path.
``warm``
    warm workers that outlive the build (:mod:`src.build.service`): the first
    build starts a local Dask cluster in the background, later builds reuse its
    processes and kernels; it stops after 30 idle minutes or ``make workers-stop``.
    For an analyst rebuilding after overrides, not for the scheduled job.
``tls://host:port``, ``dask://host:port`` or ``tcp://host:port``
    an existing Dask scheduler **the operator started and named**: the reports
    run on its workers, wherever they are. The build never opens a scheduler
    port itself. A Dask scheduler runs whatever code it is sent, so a ``tcp://``
    scheduler must be reachable only by the build's own user (a private network,
    an SSH tunnel); ``tls://`` uses the certificates of Dask's configuration
    (``distributed.comm.tls.*``, e.g. ``DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT``)
    and ``distributed.comm.require-encryption``; see the README. Jobs carry absolute paths (template, data folder, staging folder,
    project root), so every worker must see the project, the build's data and
    reports folders **at the same paths** (a shared file system) and have the
    same environment (the project's virtualenv, the CJK font, WeasyPrint's
    libraries). Results travel back as small dicts; the files are written by
    the workers straight into the staging folder.

The optional backend needs the ``distributed`` package; without it,
``--executor dask…`` fails with a message saying so.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Backend", "LocalBackend", "DaskBackend", "WarmBackend", "ExecutorError", "make_backend", "longest_first",
           "check_executor"]


class ExecutorError(RuntimeError):
    """The executor asked for cannot be used (unknown name, package missing, scheduler unreachable)."""


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
        from concurrent.futures import ProcessPoolExecutor

        if self.pool is None:
            from src.build.processes import worker_started

            # workers stop their kernels and exit with the build, even when it is killed (src.build.processes)
            self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=worker_started)
        return self.pool

    def warm_up(self, kernel: tuple[str, str] | None = None) -> None:
        from src.build.workers import _warm_worker

        for _ in range(self.workers):
            self.get().submit(_warm_worker, self.stderr_log, kernel)

    def run(self, jobs: list, staging: Path) -> Iterator[tuple[object, dict]]:
        from concurrent.futures import as_completed

        from src.build.workers import failed_result, render_report

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
    """Jobs on a Dask distributed cluster: a new local one, or an existing scheduler.
    Connects at the first ``warm_up`` or ``run``; a scheduler that cannot be reached
    makes every job a failed report naming it (the published reports are kept)."""

    def __init__(self, address: str | None, workers: int):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ExecutorError(
                "--executor dask 需要 Python 包 distributed（pip install distributed） "
                "(the Dask backend needs the 'distributed' package)"
            ) from None
        self.address = address
        self.workers = max(1, workers)
        self.name = f"dask {address or 'local cluster'}"
        self.cluster = None
        self.client = None
        self.warming = []

    def connect(self):
        import distributed

        if self.client is not None:
            return self.client
        try:
            if self.address:
                self.client = distributed.Client(self.address, timeout="20s", set_as_default=False)
                self.workers = max(1, sum(self.client.nthreads().values()))
            else:
                # In this process, over inproc:// : no port is opened, nobody else can submit code to it.
                self.cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=self.workers,
                                                        processes=False, dashboard_address=None)
                self.client = distributed.Client(self.cluster, set_as_default=False)
        except (OSError, TimeoutError) as error:
            self.close()
            raise ExecutorError(f"无法连接 Dask 调度器 {self.address}：{error} (cannot reach the Dask scheduler)") from None
        return self.client

    def warm_up(self, kernel: tuple[str, str] | None = None) -> None:
        from src.build.workers import _warm_worker

        if kernel is None:
            return
        try:
            client = self.connect()
        except ExecutorError:
            return  # run() reports it, per job
        for worker in client.scheduler_info().get("workers", {}):  # one warm-up on each worker
            self.warming.append(client.submit(_warm_worker, None, kernel, workers=[worker], pure=False,
                                              key=f"warm-up-{worker}-{time.time_ns()}"))  # kept: a dropped future is cancelled

    def run(self, jobs: list, staging: Path) -> Iterator[tuple[object, dict]]:
        from src.build.workers import failed_result, render_report

        if not jobs:
            return
        try:
            client = self.connect()
        except ExecutorError as error:
            for job in jobs:
                yield job, failed_result(job, f"无法执行：{error}")
            return
        import distributed

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
        try:
            if self.client is not None:
                self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()
            self.client = self.cluster = None


class WarmBackend(DaskBackend):
    """The warm workers of :mod:`src.build.service`, started at the first ``warm_up`` or
    ``run`` when none serve this code."""

    def __init__(self, workers: int):
        super().__init__(None, workers)
        self.name = "常驻报告进程"

    def connect(self):
        import logging

        from src.build import service
        from src.build.state import code_fingerprint

        if self.client is None:
            before = service.running()
            try:
                state = service.ensure(self.workers, code_fingerprint())
            except service.ServiceError as error:
                raise ExecutorError(str(error)) from None
            self.address = state["address"]
            self.name = f"常驻报告进程 {self.address}"
            if before is None or before.get("pid") != state.get("pid"):
                logging.getLogger("key_tasks.build").info(
                    "常驻报告进程：%s（%s），空闲 %d 分钟后自动退出；make workers-stop 可随时停止",
                    "已启动" if before is None else "代码或进程数有变化，已换新", self.address, service.IDLE_MINUTES)
        return super().connect()


def make_backend(spec: str | None, workers: int, stderr_log: str | None = None) -> Backend:
    """``None``/``"local"`` → :class:`LocalBackend`; ``"warm"`` → :class:`WarmBackend`;
    ``"dask"`` → a local Dask cluster;
    ``"dask://host:port"`` / ``"tcp://host:port"`` → that scheduler."""
    spec = (spec or "local").strip()
    if spec == "local":
        return LocalBackend(workers, stderr_log)
    if spec == "dask":
        return DaskBackend(None, workers)
    if spec == "warm":
        return WarmBackend(workers)
    if spec.startswith("dask://"):
        return DaskBackend("tcp://" + spec[len("dask://"):], workers)
    if spec.startswith(("tcp://", "tls://", "ws://", "wss://")):
        return DaskBackend(spec, workers)
    raise ExecutorError(
        f"--executor {spec!r}: 应为 local、warm、dask、dask://主机:端口 或 tcp://主机:端口 "
        "(expected local, warm, dask, dask://host:port or tcp://host:port)"
    )


def check_executor(spec: str | None) -> None:
    """Raise :class:`ExecutorError` for a spec :func:`make_backend` would refuse (without connecting)."""
    make_backend(spec, 1).close()
