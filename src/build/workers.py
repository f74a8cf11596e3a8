"""The report workers: one job per report (papermill → HTML without code → PDF,
and the same report as a 公文 Word document),
run in a pool of worker processes.

Three tricks keep this fast and quiet; each is here for a measured reason:

* **The import stub.** ``jsonschema`` (imported by nbformat, which papermill
  uses) imports ``rfc3987_syntax`` for an optional URI-format check that
  nbformat never asks for; building its grammar costs about 1 s per process.
  ``sys.modules.setdefault("rfc3987_syntax", None)`` makes that optional import
  fail fast, so jsonschema simply skips the check.
* **stderr redirection.** The kernels (and papermill, traitlets, zmq) write
  warnings straight to file descriptor 2 ("TCP without encryption"…). Each
  worker points its fd 2 at the build log once (:func:`redirect_stderr`), so
  the console shows the build's own progress and the log keeps everything.
* **Warm-up and immediate shutdown.** :meth:`ReportWorkers.warm_up` starts the
  workers and their heavy imports (papermill, nbconvert, WeasyPrint) while the
  build process is still classifying the table; each kernel is stopped with
  ``shutdown_kernel="immediate"`` once its outputs are in (saves ~0.25 s).

Workers are always separate processes, even with one worker: a crashing
kernel cannot take the build down, and the redirection stays out of the
build process.
"""
from __future__ import annotations

import importlib
import logging
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from src.paths import PROJECT_ROOT

__all__ = ["ReportJob", "ReportWorkers", "render_report", "run_jobs", "redirect_stderr"]


@dataclass
class ReportJob:
    """One report to render: which template, with which papermill parameters,
    under which file stem. Made from a :class:`src.report.Report` by the build."""

    slug: str
    subject: str
    notebook: Path
    parameters: dict
    title: str
    leader: str = ""
    counts: dict = field(default_factory=dict)
    key: str = ""  # fingerprint of everything the report depends on


def render_report(job: ReportJob, staging: Path, stderr_log: str | None = None) -> dict:
    """Worker: papermill → HTML (no code) → PDF into ``staging``. Returns a result dict
    (``ok``, ``seconds`` or ``error`` naming the template, the subject and the cell)."""
    import warnings

    if stderr_log:
        redirect_stderr(stderr_log)
    warnings.filterwarnings("ignore")
    _skip_unused_imports()
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from src import render, word
    from src.report import load_report

    started = time.perf_counter()
    executed = staging / "executed" / f"{job.slug}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(job.notebook), str(executed), parameters=job.parameters, cwd=str(PROJECT_ROOT),
            progress_bar=False, log_output=False, kernel_name="python3",
            shutdown_kernel="immediate",  # every output is in hand by then; saves ~0.25 s per report
        )
    except PapermillExecutionError as error:
        cell = f"第 {error.exec_count} 个代码单元（cell {error.cell_index}）"
        return {"slug": job.slug, "ok": False, "executed": str(executed),
                "error": f"{job.notebook.name}（{job.subject}）{cell}出错：{error.ename}: {error.evalue}"}
    except Exception as error:  # kernel died, notebook unreadable…: reported per report, never fatal
        return {"slug": job.slug, "ok": False, "executed": str(executed),
                "error": f"{job.notebook.name}（{job.subject}）无法执行：{type(error).__name__}: {error}"}
    page = render.page_html(job.title, render.notebook_body_html(executed))
    (staging / f"{job.slug}.html").write_text(page, encoding="utf-8")
    render.html_to_pdf(page, staging / f"{job.slug}.pdf")
    word.write_report_docx(load_report(job.parameters["data_dir"], leader=job.leader), staging / f"{job.slug}.docx")
    return {"slug": job.slug, "ok": True, "seconds": time.perf_counter() - started}


def _skip_unused_imports() -> None:
    # See the module docstring: jsonschema's optional rfc3987_syntax costs ~1 s per process.
    sys.modules.setdefault("rfc3987_syntax", None)


_REDIRECTED = False


def redirect_stderr(path: str) -> None:
    """Point this process's file descriptor 2 at ``path`` (once per process)."""
    global _REDIRECTED
    if not _REDIRECTED:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
        _REDIRECTED = True


def _warm_worker(stderr_log: str | None) -> None:
    if stderr_log:
        redirect_stderr(stderr_log)
    _skip_unused_imports()
    for module in ("nbconvert", "papermill", "weasyprint", "src.render", "src.report"):
        importlib.import_module(module)  # a warm worker: the heavy imports done before the first job


class ReportWorkers:
    """The pool of report worker processes, started lazily (see the module docstring)."""

    def __init__(self, workers: int, stderr_log: str | None = None):
        self.workers = max(1, workers)
        self.stderr_log = stderr_log
        self.pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.workers)
        return self.pool

    def warm_up(self) -> None:
        for _ in range(self.workers):
            self.get().submit(_warm_worker, self.stderr_log)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def run_jobs(jobs: list[ReportJob], staging: Path, workers: ReportWorkers, on_result=None) -> list[dict]:
    """Render ``jobs`` on the pool; ``on_result(job, result)`` is called as each one ends
    (the console's progress bar). A worker process that dies is a failed report."""
    results = []
    if not jobs:
        return results
    pool = workers.get()
    futures = {pool.submit(render_report, job, staging, workers.stderr_log): job for job in jobs}
    for future in as_completed(futures):
        job = futures[future]
        try:
            result = future.result()
        except Exception as error:  # the worker process itself died
            result = {"slug": job.slug, "ok": False, "executed": "", "error": f"{job.subject}：{type(error).__name__}: {error}"}
        results.append(result)
        if on_result is not None:
            on_result(job, result)
    return results
