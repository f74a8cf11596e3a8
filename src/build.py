"""Build everything from one raw table: clean → classify → reports → index and Excel.

    python -m src.build [--raw FILE] [--out DIR] [--as-of YYYY-MM-DD] [--force] [--jobs N]

``make reports`` is a thin wrapper over this. Exit codes:

    0  everything built (or nothing needed rebuilding)
    1  some report notebooks failed: the others were built, but the previous
       reports were kept untouched; the failed executed notebooks are kept
       under <reports>/logs/failed-<time>/
    2  bad input: the raw table or the overrides file (the message names the
       file, the line and what is wrong)
    3  environment: no CJK font, or a missing dependency

Incremental: every stage records a fingerprint of its inputs (raw table,
parameters, overrides, notebooks, src/ code, data/reference/). A stage whose
fingerprint is unchanged is skipped; ``--force`` rebuilds everything.
Reports are written to a staging folder and swapped in only when every report
succeeded, so readers never see a half-written set.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from src.paths import DEFAULT_RAW_PATH, NOTEBOOKS_DIR, OVERRIDES_PATH, PROCESSED_DIR, PROJECT_ROOT, REFERENCE_DIR, REPORTS_DIR

STATE_FILE = ".build-state.json"
KEEP_LOGS = 30  # build logs kept in <reports>/logs
LEADER_NOTEBOOK = NOTEBOOKS_DIR / "leader_report.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "overview_report.ipynb"
log = logging.getLogger("key_tasks.build")


# --------------------------------------------------------------------------
# fingerprints and state
# --------------------------------------------------------------------------
def fingerprint(*parts) -> str:
    """sha256 over files (by content) and plain values."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            digest.update(str(part.name).encode())
            digest.update(part.read_bytes() if part.exists() else b"<missing>")
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def code_fingerprint() -> str:
    """Everything under src/ and data/reference/: a change there redoes every stage."""
    files = sorted(
        [*(PROJECT_ROOT / "src").rglob("*.py"), *(PROJECT_ROOT / "src" / "templates").glob("*"),
         *REFERENCE_DIR.glob("*")]
    )
    return fingerprint(*[p for p in files if p.is_file() and "__pycache__" not in p.parts])


def read_state(folder: Path) -> dict:
    try:
        return json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(folder: Path, state: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")


# --------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------
@dataclass
class Layout:
    raw: Path
    data_dir: Path
    reports_dir: Path

    @classmethod
    def from_args(cls, raw: str | None, out: str | None) -> "Layout":
        raw_path = Path(raw).resolve() if raw else DEFAULT_RAW_PATH
        if out:
            base = Path(out).resolve()
            return cls(raw_path, base / "data", base / "reports")
        return cls(raw_path, PROCESSED_DIR, REPORTS_DIR)


@dataclass
class ReportJob:
    slug: str
    subject: str
    notebook: Path
    parameters: dict
    leader: str = ""
    title: str = ""
    counts: dict = field(default_factory=dict)
    key: str = ""


@dataclass
class BuildSummary:
    reports_written: list[str] = field(default_factory=list)
    reports_reused: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stages_run: list[str] = field(default_factory=list)
    stages_skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


class BuildInputError(Exception):
    """Bad raw table or overrides: exit code 2."""


# --------------------------------------------------------------------------
# data stages (run once, in this process)
# --------------------------------------------------------------------------
def run_data_stages(layout: Layout, as_of: str | None, overrides: Path, force: bool, summary: BuildSummary,
                    workers: "ReportWorkers | None" = None) -> dict:
    """Clean and classify, each only when its inputs changed. Returns the data state."""
    state = read_state(layout.data_dir)
    code = code_fingerprint()
    clean_key = fingerprint(layout.raw, code, "clean-v1")
    clean_outputs = [layout.data_dir / name for name in ("tasks.parquet", "metadata.json", "quality.json")]
    if force or state.get("clean") != clean_key or not all(p.exists() for p in clean_outputs):
        from src.parse import RawTableError, check_all_rows_accounted
        from src.pipeline import clean_stage

        log.info("clean: %s → %s", layout.raw, layout.data_dir)
        try:
            parsed = check_all_rows_accounted(clean_stage(layout.raw, layout.data_dir))
        except RawTableError as error:
            raise BuildInputError(str(error)) from None
        log.info("clean: %d rows read, %d tasks written, %d warnings", parsed.rows_read, len(parsed.tasks), len(parsed.warnings))
        state = {"clean": clean_key}
        summary.stages_run.append("clean")
    else:
        summary.stages_skipped.append("clean")
    quality = json.loads((layout.data_dir / "quality.json").read_text(encoding="utf-8"))
    summary.warnings.extend(quality.get("warnings", []))

    metadata = json.loads((layout.data_dir / "metadata.json").read_text(encoding="utf-8"))
    if not as_of and not metadata.get("as_of"):
        raise BuildInputError(
            f"{layout.raw}: 文件标题未说明统计期（半年度、前三季度、1-11月…），无法确定序时进度；"
            "请用 AS_OF=YYYY-MM-DD（或 --as-of）指定参考日期 (the document states no period: pass AS_OF)"
        )
    if not overrides.exists():
        raise BuildInputError(f"{overrides}: 人工认定文件不存在 (overrides file not found)")
    classify_key = fingerprint(layout.data_dir / "tasks.parquet", overrides, as_of or "", code, "classify-v1")
    classified = layout.data_dir / "tasks_classified.parquet"
    if force or state.get("classify") != classify_key or not classified.exists():
        from src.parse import RawTableError
        from src.pipeline import analyse_stage

        log.info("classify: as_of=%s overrides=%s", as_of or "(from the document header)", overrides)
        if workers is not None:
            workers.warm_up()  # new statuses mean new reports: start the workers now
        try:
            analyse_stage(layout.data_dir, as_of=as_of or None, overrides_path=overrides)
        except (RawTableError, ValueError) as error:
            if type(error).__name__ in {"RawTableError", "OverrideError"}:
                raise BuildInputError(str(error)) from None
            raise
        state["classify"] = classify_key
        summary.stages_run.append("classify")
    else:
        summary.stages_skipped.append("classify")
    write_state(layout.data_dir, state)
    return state


# --------------------------------------------------------------------------
# report stage (parallel, one notebook per process)
# --------------------------------------------------------------------------
def plan_reports(layout: Layout, as_of: str | None):
    """The overview and one report per leader found in the data (leaders in the
    order of the table of contents), each with its title, counts and fingerprint.
    Returns (the overview's Report, the jobs)."""
    from src.report import load_report, report_title

    classified = layout.data_dir / "tasks_classified.parquet"
    overview = load_report(classified, as_of=as_of or "")
    common = {"classified_path": str(classified), "as_of": as_of or ""}
    jobs = [ReportJob("overview", "全市", OVERVIEW_NOTEBOOK, dict(common), title=report_title(overview),
                      counts=_status_counts(overview.all_tasks))]
    leaders = overview.all_tasks.drop_duplicates("leader").sort_values("leader_order")
    for row in leaders.itertuples(index=False):
        mine = overview.all_tasks[overview.all_tasks["leader"] == row.leader]
        leader_report = replace(overview, tasks=mine, leader=row.leader, leader_title=row.leader_title)
        jobs.append(ReportJob(
            f"leader-{int(row.leader_order):02d}", f"{row.leader}{row.leader_title}", LEADER_NOTEBOOK,
            {**common, "leader": row.leader}, row.leader, title=report_title(leader_report), counts=_status_counts(mine),
        ))
    code = code_fingerprint()
    inputs = [layout.data_dir / n for n in ("tasks_classified.parquet", "keywords.parquet", "metadata.json", "quality.json", "classification.json")]
    for job in jobs:
        job.key = fingerprint(job.notebook, *inputs, code, job.parameters, job.slug, "report-v1")
    return overview, jobs


def _status_counts(tasks) -> dict[str, int]:
    return {status: int(count) for status, count in tasks["status"].value_counts().items()}


def render_report(job: ReportJob, staging: Path, pdf: bool = True, stderr_log: str | None = None) -> dict:
    """Worker: papermill → HTML (no code) → PDF. Runs in a worker process.

    The kernels' own stderr chatter goes to ``stderr_log`` (the build log), not
    to the console."""
    import warnings

    if stderr_log:
        _redirect_stderr(stderr_log)

    warnings.filterwarnings("ignore")
    # jsonschema (via nbformat) imports rfc3987_syntax for an optional URI
    # format check the build never uses; it costs ~1 s per worker.
    sys.modules.setdefault("rfc3987_syntax", None)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from src import render

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
    except Exception as error:  # kernel died, notebook unreadable…
        return {"slug": job.slug, "ok": False, "executed": str(executed),
                "error": f"{job.notebook.name}（{job.subject}）无法执行：{type(error).__name__}: {error}"}
    page = render.page_html(job.title, render.notebook_body_html(executed))
    (staging / f"{job.slug}.html").write_text(page, encoding="utf-8")
    if pdf:
        render.html_to_pdf(page, staging / f"{job.slug}.pdf")
    return {"slug": job.slug, "ok": True, "seconds": time.perf_counter() - started}


_REDIRECTED = False


def _redirect_stderr(path: str) -> None:
    global _REDIRECTED
    if not _REDIRECTED:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
        _REDIRECTED = True


def run_report_stage(layout: Layout, as_of: str | None, workers: "ReportWorkers", force: bool, summary: BuildSummary) -> bool:
    from src.style import find_cjk_font

    find_cjk_font()  # fail before any work if the reports would show empty boxes
    reports_dir = layout.reports_dir
    overview, jobs = plan_reports(layout, as_of)
    old_state = read_state(reports_dir)
    index_inputs_key = fingerprint(*(j.key for j in jobs), layout.data_dir / "tasks_classified.parquet", code_fingerprint())

    def reusable(job: ReportJob) -> bool:
        return (not force and old_state.get(job.slug, {}).get("key") == job.key
                and (reports_dir / f"{job.slug}.html").exists() and (reports_dir / f"{job.slug}.pdf").exists())

    todo = [job for job in jobs if not reusable(job)]
    if not todo and old_state.get("index") == index_inputs_key and (reports_dir / "index.html").exists():
        summary.reports_reused = [job.slug for job in jobs]
        summary.stages_skipped.append("reports")
        return True

    staging = reports_dir.parent / f".{reports_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    if reports_dir.exists():
        shutil.copytree(reports_dir, staging, ignore=shutil.ignore_patterns("logs"))
    else:
        staging.mkdir(parents=True)
    log.info(
        "reports: %d leaders + overview in the table; %d to render, %d unchanged, %d workers",
        len(jobs) - 1, len(todo), len(jobs) - len(todo), workers.workers,
    )
    new_state = {job.slug: old_state[job.slug] for job in jobs if job not in todo and job.slug in old_state}
    results = _run_parallel(todo, staging, workers)
    failed = [r for r in results if not r["ok"]]
    for result in results:
        job = next(j for j in todo if j.slug == result["slug"])
        if result["ok"]:
            new_state[job.slug] = {"key": job.key, "subject": job.subject, "counts": job.counts}
            summary.reports_written.append(job.slug)
        else:
            summary.failures.append(result["error"])
            log.error(result["error"])
    summary.reports_reused = [job.slug for job in jobs if job not in todo]
    if failed:
        keep = reports_dir / "logs" / f"failed-{datetime.now():%Y%m%d-%H%M%S}"
        keep.mkdir(parents=True, exist_ok=True)
        for result in failed:
            if result["executed"] and Path(result["executed"]).exists():
                shutil.copy2(result["executed"], keep / Path(result["executed"]).name)
        log.error("reports: %d failed; the failed executed notebooks are in %s; previous reports kept", len(failed), keep)
        shutil.rmtree(staging, ignore_errors=True)
        return False

    _write_index_and_excel(overview, jobs, staging)
    new_state["index"] = index_inputs_key
    write_state(staging, new_state)
    _swap_in(staging, reports_dir)
    return True


class ReportWorkers:
    """The pool of report worker processes, started lazily.

    Always worker processes, even with one worker: the kernels' stderr is
    redirected there, and a crashing kernel cannot take the build down.
    :meth:`warm_up` starts them early (while the table is being classified),
    so their imports of papermill, nbconvert and WeasyPrint overlap that work.
    """

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.workers)
        return self.pool

    def warm_up(self) -> None:
        for _ in range(self.workers):
            self.get().submit(_warm_worker, _log_path())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _warm_worker(stderr_log: str | None) -> None:
    if stderr_log:
        _redirect_stderr(stderr_log)
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401
    import weasyprint  # noqa: F401

    import src.render  # noqa: F401
    import src.report  # noqa: F401


def _run_parallel(todo: list[ReportJob], staging: Path, workers: ReportWorkers) -> list[dict]:
    from tqdm import tqdm

    results = []
    bar = tqdm(total=len(todo), desc="报告", unit="份", disable=not todo or not sys.stderr.isatty())
    if todo:
        pool = workers.get()
        futures = {pool.submit(render_report, job, staging, True, _log_path()): job for job in todo}
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the worker process itself died
                result = {"slug": job.slug, "ok": False, "executed": "", "error": f"{job.subject}: {type(error).__name__}: {error}"}
            results.append(result)
            bar.set_postfix_str(job.subject)
            _log_result(result, bar)
    bar.close()
    return results


def _log_path() -> str | None:
    handlers = [h for h in logging.getLogger("key_tasks").handlers if isinstance(h, logging.FileHandler)]
    return handlers[0].baseFilename if handlers else None


def _log_result(result: dict, bar) -> None:
    bar.update(1)
    if result["ok"]:
        log.info("report %s: done in %.1f s", result["slug"], result["seconds"])


def _write_index_and_excel(overview, jobs: list[ReportJob], staging: Path) -> None:
    from src import render

    entries = [{"subject": job.subject, "html": f"{job.slug}.html", "pdf": f"{job.slug}.pdf", "counts": job.counts} for job in jobs]
    page = render.index_html(entries, overview.metadata, overview.as_of, overview.classification.get("rule_version", ""))
    (staging / "index.html").write_text(page, encoding="utf-8")
    render.write_excel(overview.all_tasks, staging / "key_tasks_classified.xlsx")


def _swap_in(staging: Path, reports_dir: Path) -> None:
    """Replace reports_dir by staging in two renames; logs/ is carried over."""
    old = reports_dir.parent / f".{reports_dir.name}.old-{os.getpid()}"
    if reports_dir.exists():
        if (reports_dir / "logs").exists():
            shutil.move(str(reports_dir / "logs"), str(staging / "logs"))
        reports_dir.rename(old)
    staging.rename(reports_dir)
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------
def build(raw=None, out=None, as_of=None, force=False, jobs=None, overrides=None) -> tuple[int, BuildSummary]:
    started = time.perf_counter()
    layout = Layout.from_args(raw, out)
    summary = BuildSummary()
    overrides_path = Path(overrides).resolve() if overrides else default_overrides(out)
    workers = ReportWorkers(jobs or os.cpu_count() or 1)
    log_handler = _start_log(layout)
    try:
        if not layout.raw.exists():
            raise BuildInputError(f"{layout.raw}: 原始汇总表不存在 (raw table not found)")
        run_data_stages(layout, as_of, overrides_path, force, summary, workers)
        ok = run_report_stage(layout, as_of, workers, force, summary)
        code = 0 if ok else 1
    except BuildInputError as error:
        log.error("输入有误：%s", error)
        summary.failures.append(str(error))
        code = 2
    except Exception as error:
        if type(error).__name__ == "CJKFontError":
            log.error("%s", error)
            summary.failures.append(str(error))
            code = 3
        else:
            raise
    finally:
        workers.close()
        summary.seconds = time.perf_counter() - started
        _finish_log(log_handler, layout, summary)
    return code, summary


def default_overrides(out: str | None) -> Path:
    """data/overrides.csv for the default table; <out>/overrides.csv for a table
    built into its own folder (created with just the header the first time, so
    the analyst sees where overrides go; the build never overwrites it)."""
    if not out:
        return OVERRIDES_PATH
    path = Path(out).resolve() / "overrides.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("task_id,status,reason,reviewer,date\n", encoding="utf-8")
    return path


def _start_log(layout: Layout):
    layout.reports_dir.mkdir(parents=True, exist_ok=True)
    temporary = layout.reports_dir.parent / f".build-{os.getpid()}.log"
    handler = logging.FileHandler(temporary, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("key_tasks")
    root.handlers = [handler, console]
    root.setLevel(logging.INFO)
    root.propagate = False
    log.info("build: raw=%s data=%s reports=%s", layout.raw, layout.data_dir, layout.reports_dir)
    return handler


def _finish_log(handler, layout: Layout, summary: BuildSummary) -> None:
    log.info(
        "summary: %d reports written, %d unchanged, %d failed, %d data warnings, stages run: %s, skipped: %s, %.1f s",
        len(summary.reports_written), len(summary.reports_reused), len(summary.failures), len(summary.warnings),
        ",".join(summary.stages_run) or "-", ",".join(summary.stages_skipped) or "-", summary.seconds,
    )
    handler.close()
    logging.getLogger("key_tasks").removeHandler(handler)
    logs = layout.reports_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    target = logs / f"build-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    shutil.move(handler.baseFilename, target)
    for old in sorted(logs.glob("build-*.log"))[:-KEEP_LOGS]:
        old.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m src.build",
        description="Build the clean table, the classification and every report from one raw key-task table.",
        epilog="Exit codes: 0 ok; 1 some reports failed (previous reports kept); 2 bad input; 3 environment (no CJK font).",
    )
    parser.add_argument("--raw", help=f"raw table (default: {DEFAULT_RAW_PATH.relative_to(PROJECT_ROOT)})")
    parser.add_argument("--out", help="output folder: <out>/data and <out>/reports (default: data/processed and reports/)")
    parser.add_argument("--as-of", dest="as_of", help="reference date YYYY-MM-DD (default: from the document's period)")
    parser.add_argument("--overrides", help="analyst overrides CSV (default: data/overrides.csv, or <out>/overrides.csv with --out)")
    parser.add_argument("--force", action="store_true", help="rebuild everything, even what is up to date")
    parser.add_argument("--jobs", type=int, help="notebooks run in parallel (default: number of cores)")
    args = parser.parse_args(argv)
    if args.as_of:
        try:
            datetime.strptime(args.as_of, "%Y-%m-%d")
        except ValueError:
            parser.error(f"--as-of {args.as_of!r}: expected YYYY-MM-DD")
    code, summary = build(args.raw, args.out, args.as_of, args.force, args.jobs, args.overrides)
    return code


if __name__ == "__main__":
    sys.exit(main())
