"""The report workers: one job per report (papermill → HTML without code → PDF,
and the same report as a 公文 Word document), run on an executor
(:mod:`src.builder.executors`: the local pool of worker processes by default, or
a Dask cluster).

Five tricks keep this fast and quiet; each is here for a measured reason:

* **Warm kernels.** Each worker keeps one Jupyter kernel with the project
  imported and the report style set, and gives every report a clean namespace
  in it (:mod:`src.builder.kernels`); the notebook still runs through papermill.
  A report that fails gets its kernel shut down; the next one starts afresh.
  (About 2 s per report: the kernel start and the imports.)
* **Word as a job of its own.** The Word document is made from the data, not from the
  executed notebook, so each report is two jobs (:data:`PARTS`): the pages (notebook →
  HTML → PDF) and the Word document; the pages of every report go out first, the
  Word documents fill the workers after them. (Written in a thread beside the
  notebook, the Word document held the worker's interpreter lock while the same
  process laid out the PDF: about 0.3 s more on the overview's PDF after an override.)
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
  workers, their heavy imports (papermill, nbconvert, WeasyPrint), one tiny page
  through nbconvert and WeasyPrint, and their kernels while the build process is
  still classifying the table. (Cold
  kernels, ``ReportJob.warm_kernel=False``, are stopped with
  ``shutdown_kernel="immediate"`` once their outputs are in: ~0.25 s.)

Workers are always separate processes, even with one worker: a crashing
kernel cannot take the build down, and the redirection stays out of the
build process. Jobs are plain data with absolute paths, so the same
:func:`render_report` runs on a Dask worker elsewhere (shared file system).
"""
from __future__ import annotations

import importlib
import logging
import os
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from src.builder import kernels
from src.paths import PROJECT_ROOT

# Cold start: papermill, nbformat, nbconvert, WeasyPrint and the report modules (pandas, matplotlib)
# are imported inside the functions below, in the worker processes only: the build process imports
# this module for ReportJob, and the import stub (_skip_unused_imports) must be set before nbformat.

__all__ = ["ReportJob", "render_report", "PARTS", "redirect_stderr", "failed_result", "yield_to_reports", "warm_worker"]


@dataclass
class ReportJob:
    """One report to render: which template, with which papermill parameters,
    under which file stem. Made from a :class:`src.report.model.Report` by the build."""

    slug: str
    subject: str
    notebook: Path
    parameters: dict
    title: str
    leader: str = ""
    counts: dict = field(default_factory=dict)
    key: str = ""  # fingerprint of everything the report depends on
    code: str = ""  # fingerprint of the code: a kept kernel serves one version of it
    warm_kernel: bool = True  # False: a new kernel for this report, as papermill does by default
    part: str = ""  # "pages" (notebook → HTML → PDF) or "word" (the Word document); "": both, one after the other
    project_root: str = str(PROJECT_ROOT)  # the kernels' working directory (a shared path on a cluster)
    executed_dir: str = ""  # where the executed notebook goes (the build's own folder, never the published set)


PARTS = ("pages", "word")  # the jobs of one report (ReportJob.part)


def render_report(job: ReportJob, staging: Path, stderr_log: str | None = None) -> dict:
    """Worker: papermill → HTML (no code) → PDF, and the Word document, into ``staging``; only the
    one named by ``job.part`` when it names one. Returns a result dict
    (``ok``, ``seconds`` and ``timings``, or ``error`` naming the template, the subject and the cell).

    ``timings`` breaks the report down: ``kernel`` (start and prime a kernel, or
    reset the kept one; for a new kernel per report it is inside ``execute``: about
    ``execute - cells``), ``setup`` (the cell that imports the project and loads the
    data), ``charts`` (the ``plot_`` cells), ``cells`` (all cells), ``execute`` (the
    whole papermill run), ``html``, ``pdf``, ``word``; and the CPU seconds this worker process spent
    on the job, not counting the kernel's (``pages_cpu``: papermill's side, HTML and PDF; ``word_cpu``;
    ``cpu`` when one job does both) and of those the PDF's (``pdf_cpu``)."""
    if stderr_log:
        redirect_stderr(stderr_log)
    warnings.filterwarnings("ignore")
    _skip_unused_imports()
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    import papermill as pm  # cold start: papermill only when a report is rendered
    from papermill.exceptions import PapermillExecutionError  # cold start: papermill only when a report is rendered

    from src.report import export, render  # cold start: pandas, nbconvert and WeasyPrint only when a report is rendered

    started, cpu = time.perf_counter(), time.process_time()
    staging = Path(staging)
    if job.part == "word":
        try:
            seconds = _write_word(job, staging / f"{job.slug}.docx")
        except Exception as error:
            return failed_result(job, f"Word 文档无法生成：{type(error).__name__}: {error}")
        return {"slug": job.slug, "part": job.part, "ok": True, "seconds": seconds,
                "timings": {"word": seconds, "word_cpu": time.process_time() - cpu}}
    executed = Path(job.executed_dir or staging / "executed") / f"{job.slug}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    if job.warm_kernel:
        options = {"engine_name": kernels.register_engine(), "kernel_cwd": job.project_root, "code_key": job.code,
                   # written once at the end (or on an error), not after every cell: ~0.3 s per report
                   "request_save_on_cell_execute": False, "failure_path": str(executed)}
    else:
        options = {"shutdown_kernel": "immediate"}  # every output is in hand by then; saves ~0.25 s per report
    try:
        nb = pm.execute_notebook(
            str(job.notebook), str(executed), parameters=job.parameters, cwd=job.project_root,
            progress_bar=False, log_output=False, kernel_name="python3", **options,
        )
    except PapermillExecutionError as error:
        cell = f"第 {error.exec_count} 个代码单元（cell {error.cell_index}）"
        return {"slug": job.slug, "part": job.part, "ok": False, "executed": str(executed),
                "error": f"{job.notebook.name}（{job.subject}）{cell}出错：{error.ename}: {error.evalue}"}
    except Exception as error:  # kernel died, notebook unreadable…: reported per report, never fatal
        return failed_result(job, f"无法执行：{type(error).__name__}: {error}", executed)
    executed_at = time.perf_counter()
    page = render.page_html(job.title, export.notebook_body_html(nb))  # the executed notebook papermill wrote
    (staging / f"{job.slug}.html").write_text(page, encoding="utf-8")
    html_at, pdf_cpu = time.perf_counter(), time.process_time()
    export.html_to_pdf(page, staging / f"{job.slug}.pdf")
    pdf_at = time.perf_counter()
    timings = {"kernel": kernels.last_checkout_seconds() if job.warm_kernel else None, **_cell_timings(nb),
               "execute": executed_at - started, "html": html_at - executed_at, "pdf": pdf_at - html_at,
               "pdf_cpu": time.process_time() - pdf_cpu}
    if not job.part:  # both parts here: the Word document after the pages
        try:
            timings["word"] = _write_word(job, staging / f"{job.slug}.docx")
        except Exception as error:
            return failed_result(job, f"Word 文档无法生成：{type(error).__name__}: {error}", executed)
    timings["pages_cpu" if job.part else "cpu"] = time.process_time() - cpu
    return {"slug": job.slug, "part": job.part, "ok": True, "seconds": time.perf_counter() - started, "timings": timings}


def yield_to_reports() -> None:
    """Lower this thread's CPU priority (Linux: niceness per thread), for work done beside the
    reports (the index and workbook): when the cores are busy, the kernels
    rendering the reports go first, and this work fills the gaps. Nothing else changes."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: same result, same order, just not yielding
        pass


def _write_word(job: ReportJob, path: Path) -> float:
    """The report as a 公文 Word document; returns the seconds it took."""
    from src.report import word  # cold start: python-docx and pandas only when a Word document is made
    from src.report.model import load_report  # cold start: pandas, which the no-op build never loads

    started = time.perf_counter()
    word.write_report_docx(load_report(job.parameters["data_dir"], leader=job.leader), path)
    return time.perf_counter() - started


def failed_result(job: ReportJob, what: str, executed: Path | str = "") -> dict:
    """The result of a report that could not run (the message names the template and the subject)."""
    return {"slug": job.slug, "part": getattr(job, "part", ""), "ok": False, "executed": str(executed),
            "error": f"{Path(job.notebook).name}（{job.subject}）{what}"}


def _cell_timings(nb) -> dict:
    """Seconds of the set-up cell (the first after the parameters), of the chart cells (``plot_``,
    ``chart``) and of
    every cell together (``cells``), from papermill's metadata."""
    setup = charts = cells = 0.0
    seen_setup = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        seconds = cell.metadata.get("papermill", {}).get("duration") or 0.0
        cells += seconds
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            continue
        if not seen_setup:
            setup, seen_setup = seconds, True
        elif "plot_" in cell.source or "chart" in cell.source:
            charts += seconds
    return {"setup": setup, "charts": charts, "cells": cells}


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


_WARMED = False


def warm_worker(stderr_log: str | None, kernel: tuple[str, str] | None = None) -> None:
    """A warm worker: the heavy imports done, and its kernel started and primed, before the first job.
    ``kernel`` is (project root, code fingerprint)."""
    global _WARMED
    if stderr_log:
        redirect_stderr(stderr_log)
    if not _WARMED:  # once per process: a warm worker kept between builds is asked again by each build
        _skip_unused_imports()
        for module in ("nbconvert", "papermill", "weasyprint", "src.report.render", "src.report.model", "src.report.word"):
            importlib.import_module(module)
        _warm_page()
        _WARMED = True
    if kernel is not None:
        try:
            kernels.warm_up("python3", *kernel)
        except Exception:  # the first report starts its own kernel and reports what goes wrong
            pass


def _warm_page() -> None:
    """One tiny page through nbconvert and WeasyPrint: their templates, fonts and caches
    are loaded before the first report (about 0.3 s of its HTML and PDF)."""
    import nbformat  # cold start: nbformat only when a report is rendered

    from src.report import export, render  # cold start: pandas, nbconvert and WeasyPrint only when a report is rendered

    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("督查室重点工作")])
        page = render.page_html("预热", export.notebook_body_html(nb))
        with tempfile.TemporaryDirectory() as folder:
            export.html_to_pdf(page, Path(folder) / "warm.pdf")
    except Exception:  # the first report meets the same problem and reports it
        pass
