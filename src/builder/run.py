"""The build, as one readable sequence:

1. **clean** — parse the raw table, decide the report date once (``--as-of``,
   else the title), write ``tasks.*``, ``metadata.json``, ``quality.json``;
2. **classify** — the judgement chain of :mod:`src.pipeline` (rules →
   overrides → tags) and the keywords;
3. **reports** — plan one job per :class:`src.report.model.Report` of the roster
   (the overview, then each leader; :mod:`src.builder.plan`), render the
   changed ones on the workers, write ``index.html`` and the workbook, and
   swap the set in atomically.

Each step runs only when the fingerprint of its inputs changed or its outputs
are no longer what it wrote (:mod:`src.builder.state`).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from src import paths
from src.builder.console import BuildSummary, Progress, finish_log, log, log_to_file_only, migrate_old_logs, start_log
from src.builder.executors import ExecutorError, ReportWorkers, run_jobs
from src.builder.lock import EXIT_LOCKED, BuildLocked, build_lock
from src.builder.plan import data_inputs, plan_reports, published_set_is_current
from src.builder.processes import EXIT_SIGINT, BuildInterrupted, interruptible, kernel_folder, signals_held, stop_descendants
from src.builder.publish import (
    BuildFiles,
    PublishError,
    carry_over,
    file_digests,
    keep_edited,
    keep_failed,
    open_staging,
    published_dir,
    read_published,
    recover,
    swap_in,
    write_index_and_workbook,
)
from src.builder.state import ReadOnce, code_fingerprint, fingerprint, outputs_fingerprint, read_state, write_state
from src.builder.workers import ReportJob, yield_to_reports
from src.compare import periods
from src.paths import OVERRIDES_PATH, PROCESSED_DIR, REPORTS_DIR, ProcessedFiles, PublishedFiles
from src.report.style import CJKFontError, find_cjk_font
from src.report_date import ReportDateError
from src.settings import SettingsError, force_compare_requested
from src.table.ingest.inbox import find_inbox_table
from src.table.problems import IncompleteTableError, RawTableError

# Cold start: the data and report modules (src.table.parse, src.pipeline, src.classify, src.compare,
# src.report.model) import pandas, pyarrow and the rules; they are imported inside the step that needs
# them, so a rebuild with nothing changed stays well under half a second.

__all__ = ["Layout", "BuildInputError", "build", "default_overrides"]


class BuildInputError(Exception):
    """Bad raw table, overrides or report date: exit code 2."""


def _check_office_settings() -> None:
    """data/reference/office.toml, read before any work: a wrong setting is bad input (exit 2), named."""
    from src.report.office import OfficeError, office_settings  # cold start: pydantic (~0.2 s), which the no-op build never loads

    try:
        office_settings()
    except OfficeError as error:
        raise BuildInputError(str(error)) from None


@dataclass
class Layout:
    """Where one build reads and writes: the raw table, its data folder, its reports folder."""

    raw: Path
    data_dir: Path
    reports_dir: Path

    chosen_because: str = ""  # why this raw table, when none was named (the inbox)
    problem: str = ""  # why no raw table could be chosen

    @classmethod
    def from_args(cls, raw: str | None, out: str | None) -> Layout:
        """``raw`` None → the newest period among the tables in ``data/raw/`` (the inbox)."""
        why = problem = ""
        data_dir = Path(out).resolve() / "data" if out else PROCESSED_DIR
        if raw:
            raw_path = Path(raw).resolve()
        else:
            try:
                raw_path, why = find_inbox_table(paths.RAW_DIR, cache=data_dir / ".build" / "inbox.json")
            except RawTableError as error:
                raw_path, problem = paths.RAW_DIR, str(error)
        if out:
            base = Path(out).resolve()
            return cls(raw_path, base / "data", base / "reports", why, problem)
        return cls(raw_path, PROCESSED_DIR, REPORTS_DIR, why, problem)

    @property
    def files(self) -> ProcessedFiles:
        return ProcessedFiles(self.data_dir)

    @property
    def build_files(self) -> BuildFiles:
        """The build's own files (logs, executed notebooks, the record of the published set, the lock)."""
        return BuildFiles(self.data_dir / ".build")


# --------------------------------------------------------------------------- data
def read_json(path: Path) -> dict:
    """A small JSON file (src.store would import pandas, which a skipped step does not need)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def run_data_steps(layout: Layout, as_of, overrides: Path, force: bool, summary: BuildSummary,
                   workers: ReportWorkers | None = None, profile: str | None = None) -> None:
    """Clean, then classify, each only when its inputs or its outputs changed. The data
    modules (and pandas) are imported only by a step that runs: a rebuild with nothing
    changed stays well under a second."""
    files = layout.files
    state = read_state(layout.data_dir)
    code = code_fingerprint()
    raw = ReadOnce(layout.raw)  # fingerprinted from the bytes the step parses (src.builder.state)
    clean_key = fingerprint(raw.digest, str(as_of or ""), code, "clean-v3")
    if force or state.get("clean") != clean_key or state.get("clean_outputs") != outputs_fingerprint(files.clean_outputs):
        log.info("清洗：%s → %s", layout.raw, layout.data_dir)
        from src.pipeline import clean_stage  # cold start: pandas, which the no-op build never loads
        from src.table.parse import check_all_rows_accounted  # cold start: pandas, as above

        try:
            copy = raw.copy(layout.build_files.folder / "input")
            parsed = check_all_rows_accounted(clean_stage(copy, layout.data_dir, as_of=as_of))
        except (RawTableError, IncompleteTableError, ReportDateError) as error:
            raise BuildInputError(raw.own_message(str(error), copy)) from None
        log.info("清洗：读入 %d 行，写出 %d 项任务", parsed.rows_read, len(parsed.tasks))
        # recorded: the reference files as parsed (src.fingerprints.read_reference), not as they are now
        clean_key = fingerprint(raw.digest, str(as_of or ""), code_fingerprint(parsed=True), "clean-v3")
        state = {"clean": clean_key, "clean_outputs": outputs_fingerprint(files.clean_outputs)}
        summary.stages_run.append("clean")
    else:
        summary.stages_skipped.append("clean")
    summary.warnings.extend(read_json(files.quality).get("warnings", []))
    metadata = read_json(files.metadata)
    if not metadata.get("as_of"):
        raise BuildInputError(
            f"{layout.raw}: 文件标题未说明统计期（半年度、前三季度、1-11月…），无法确定序时进度；"
            "请用 AS_OF=YYYY-MM-DD（或 --as-of）指定参考日期 (the document states no period: pass AS_OF)"
        )
    if not overrides.exists():
        raise BuildInputError(f"{overrides}: 人工认定文件不存在 (overrides file not found)")
    read = ReadOnce(overrides)
    classify_key = fingerprint(files.tasks, files.metadata, read.digest, str(profile or ""), code, "classify-v3")
    if (force or state.get("classify") != classify_key
            or state.get("classify_outputs") != outputs_fingerprint(files.classify_outputs)):
        log.info("判定：参考日期 %s（%s），人工认定 %s", metadata["as_of"],
                 "AS_OF 指定" if metadata.get("as_of_source") == "as_of" else "取自文件标题", overrides)
        from src.classify import OverrideError  # cold start: pandas, which the no-op build never loads
        from src.pipeline import ProfileError, analyse_stage  # cold start: as above

        if workers is not None:
            workers.warm_up()  # new statuses mean new reports: start the workers now
        try:
            copy = read.copy(layout.build_files.folder / "input")
            analyse_stage(layout.data_dir, overrides_path=copy, profile=profile, overrides_source=overrides)
        except (OverrideError, ReportDateError, ProfileError) as error:
            raise BuildInputError(read.own_message(str(error), copy)) from None
        state["classify"] = fingerprint(files.tasks, files.metadata, read.digest, str(profile or ""),
                                        code_fingerprint(parsed=True), "classify-v3")  # as parsed: see clean
        state["classify_outputs"] = outputs_fingerprint(files.classify_outputs)
        summary.stages_run.append("classify")
    else:
        summary.stages_skipped.append("classify")
    if code_fingerprint() != code:  # the code changed while the steps ran: redo them next time
        state = {key: value for key, value in state.items() if not key.endswith("_outputs")}
    write_state(layout.data_dir, state)


def run_compare_step(layout: Layout, previous, force_compare: bool, force: bool, summary: BuildSummary) -> None:
    """Compare with the previous period (``--previous``, else an earlier period of the
    same series in the raw table's folder), only when either side changed."""
    files = layout.files
    state = read_state(layout.data_dir)
    if previous:
        target = Path(previous).resolve()
        side = [target] if target.is_file() else sorted(target.rglob(ProcessedFiles(target).classified.name))
    else:
        side = sorted(p for p in paths.RAW_DIR.iterdir() if p.is_file() and not p.name.startswith("."))  # only data/raw/
    key = fingerprint(files.classified, files.metadata, str(previous or ""), *side, bool(force_compare), code_fingerprint(), "compare-v1")
    recorded = state.get("compare_outputs")
    if not force and state.get("compare") == key and recorded == outputs_fingerprint(files.compare_outputs):
        summary.stages_skipped.append("compare")
        return
    from src.compare import ComparisonError, run_comparison  # cold start: pandas, which the no-op build never loads

    try:
        comparison = run_comparison(layout.data_dir, previous=previous, raw_path=layout.raw, force=force_compare)
    except ComparisonError as error:
        raise BuildInputError(str(error)) from None
    for note in comparison.notes:
        log.info("%s", note)
    state["compare"] = key
    state["compare_outputs"] = outputs_fingerprint(files.compare_outputs)
    write_state(layout.data_dir, state)
    summary.stages_run.append("compare")


# ------------------------------------------------------------------------ reports
def run_report_step(layout: Layout, workers: ReportWorkers, force: bool, summary: BuildSummary) -> bool:
    real = published_dir(layout.reports_dir)  # reports/ itself, or the folder a link reports/ points to
    files = layout.build_files
    old_state = read_published(files) or read_state(real)  # (an older version kept it in the folder itself)
    code = code_fingerprint()
    plan_key = fingerprint(*data_inputs(layout), paths.OVERVIEW_TEMPLATE, paths.LEADER_TEMPLATE, code,
                           str(layout.data_dir), "plan-v1")
    if not force and published_set_is_current(old_state, plan_key, real):
        # Nothing the reports read has changed and they are as written: no pandas, no font lookup, no plan.
        summary.reports_reused = list(old_state["plan"]["slugs"])
        summary.stages_skipped.append("reports")
        return True

    find_cjk_font()  # fail before any work if the reports would show empty boxes
    overview, reports, jobs = plan_reports(layout, code)
    index_key = fingerprint(*(job.key for job in jobs), layout.files.classified, code)
    published = PublishedFiles(real)
    index_files = list(published.index_outputs)
    plan = {"key": plan_key, "slugs": [job.slug for job in jobs]}

    def outputs(job: ReportJob) -> list[Path]:
        return published.report(job.slug)

    def reusable(job: ReportJob) -> bool:
        recorded = old_state.get(job.slug, {})
        return (not force and recorded.get("key") == job.key
                and recorded.get("outputs") == outputs_fingerprint(outputs(job)))

    todo = [job for job in jobs if not reusable(job)]
    summary.reports_reused = [job.slug for job in jobs if job not in todo]
    if (not todo and old_state.get("index") == index_key and old_state.get("index_outputs") == outputs_fingerprint(index_files)
            and set(old_state.get("files", {})) == {path.name for job in jobs for path in outputs(job)} | {p.name for p in index_files}):
        if old_state.get("plan") != plan:  # e.g. a rebuild whose changes touched no report: record the new plan
            swap_record(files, {**old_state, "plan": plan})
        summary.stages_skipped.append("reports")
        return True

    staging = open_staging(real)  # empty: this build publishes exactly the set it planned
    carry_over(real, staging, [path.name for job in jobs if job not in todo for path in outputs(job)])
    executed = files.executed()
    for job in todo:
        job.executed_dir = str(executed)
    log.info("报告：全市总览和 %d 位领导；需要生成 %d 份，沿用 %d 份，%d 个进程（%s）",
             len(jobs) - 1, len(todo), len(jobs) - len(todo), workers.workers, workers.name)
    new_state = {job.slug: old_state[job.slug] for job in jobs if job not in todo and job.slug in old_state}
    progress = Progress(len(todo))
    try:
        beside = ThreadPoolExecutor(1)  # the index and the workbook need no report: written while they render
        index_written = beside.submit(_index_and_workbook_beside, overview, reports, staging)
        try:
            results = run_jobs(todo, staging, workers, on_result=progress)
            index_written.result()
        except BaseException:  # interrupted: do not wait for a province's workbook; its staging folder goes
            beside.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            progress.close()
        beside.shutdown()
        by_slug = {job.slug: job for job in todo}
        for result in results:
            job = by_slug[result["slug"]]
            if result["ok"]:
                written = PublishedFiles(staging).report(job.slug)
                new_state[job.slug] = {"key": job.key, "subject": job.subject, "counts": job.counts,
                                       "outputs": outputs_fingerprint(written)}
                summary.reports_written.append(job.slug)
                log.info("报告：%s 用时 %s", job.slug, _timings_text(result))
            else:
                summary.failures.append(result["error"])
        failed = [result for result in results if not result["ok"]]
        if failed:
            keep = keep_failed(failed, files)
            log.error("报告：%d 份生成失败，出错的笔记本保存在 %s；已发布的报告保持不变", len(failed), keep)
            return False
        periods.link_into_staging(staging, layout)  # index.html lists every kept period
        new_state["index"] = index_key
        new_state["index_outputs"] = outputs_fingerprint(PublishedFiles(staging).index_outputs)
        new_state["plan"] = plan
        new_state["files"] = file_digests(staging)
        summary.notes.extend(keep_edited(real, staging, _recorded_files(old_state, real), say=log.warning))
        with signals_held():  # a Ctrl-C or SIGTERM now waits the few milliseconds of the swap
            swap_in(staging, real, files, new_state)
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already when it was published
        shutil.rmtree(executed, ignore_errors=True)


def swap_record(files: BuildFiles, record: dict) -> None:
    """Replace the record of the published set (the set itself unchanged)."""
    pending = files.pending()
    pending.write_text(json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(pending, files.published)


def _recorded_files(state: dict, real: Path) -> dict[str, str]:
    """Each published file's sha256 as the last build wrote it. For a set published by an older
    version (``.build-state.json`` in the folder, no per-file digests), the files of each report whose
    recorded fingerprint still matches count as the build's."""
    if "files" in state:
        return state["files"]
    legacy = read_state(real)
    names = []
    for slug in (legacy.get("plan") or {}).get("slugs", []):
        group = PublishedFiles(real).report(slug)
        if (legacy.get(slug) or {}).get("outputs") == outputs_fingerprint(group):
            names += [path.name for path in group]
    published = PublishedFiles(real)
    index_files = list(published.index_outputs)
    if legacy.get("index_outputs") == outputs_fingerprint(index_files):
        names += [path.name for path in index_files]
    return file_digests(real, names)


def _index_and_workbook_beside(overview, reports, staging: Path) -> None:
    yield_to_reports()  # the reports go first when the cores are busy
    write_index_and_workbook(overview, reports, staging)


def _timings_text(result: dict) -> str:
    timings = result.get("timings") or {}
    parts = [f"{name} {timings[name]:.2f} 秒" for name in ("kernel", "setup", "charts", "execute", "html", "pdf", "word",
                                                                    "pdf_cpu", "pages_cpu", "word_cpu", "cpu")
             if timings.get(name) is not None]
    return f"{result.get('seconds', 0):.2f} 秒（{'，'.join(parts)}）"


# ---------------------------------------------------------------------- the build
def build(raw=None, out=None, as_of=None, force=False, jobs=None, overrides=None, previous=None,
          force_compare=None, profile=None, executor=None, workers=None, wait=True) -> tuple[int, BuildSummary]:
    """Build everything from one raw table; returns (exit code, summary). See :mod:`src.builder`.
    ``workers``: report workers kept by the caller (``--watch``), left running; else the build
    starts its own and stops them at the end.

    One build at a time per output folder (:mod:`src.builder.lock`): ``wait=False`` returns
    exit code 75 at once when another build holds the lock."""

    layout = Layout.from_args(raw, out)
    if not layout.problem and layout.raw.is_file():
        layout = periods.place(layout, as_of)  # an older period builds into its own kept folder, never reports/
    summary = BuildSummary(raw=str(layout.raw))
    try:
        with build_lock(layout.build_files.folder, str(layout.reports_dir), wait=wait,
                        say=lambda line: print(line, file=sys.stderr, flush=True)):
            with kernel_folder():  # the workers' kernels keep their files in it; removed when the build ends
                code = _build_locked(layout, summary, as_of, force, jobs, overrides, out, previous, force_compare,
                                     profile, executor, workers)
    except BuildLocked as error:
        print(error, file=sys.stderr, flush=True)
        summary.failures.append(str(error))
        return EXIT_LOCKED, summary
    return code, summary


def _build_locked(layout: Layout, summary: BuildSummary, as_of, force, jobs, overrides, out, previous, force_compare,
                  profile, executor, workers=None) -> int:
    started = time.perf_counter()
    files = layout.build_files
    handler = start_log(files.logs)
    migrate_old_logs(layout.reports_dir, files.logs)
    own_workers = workers is None
    code = 1
    log.info("构建：原始汇总表 %s；数据 %s；报告 %s", layout.raw, layout.data_dir, layout.reports_dir)
    if layout.chosen_because:
        log.info("输入：%s", layout.chosen_because)
    try:
        with interruptible():
            for line in recover(published_dir(layout.reports_dir), files):
                log.info("%s", line)
            if own_workers:
                workers = ReportWorkers(jobs or os.cpu_count() or 1, stderr_log=handler.baseFilename, executor=executor)
            if layout.problem:
                raise BuildInputError(layout.problem)
            if not layout.raw.exists():
                raise BuildInputError(f"{layout.raw}: 原始汇总表不存在 (raw table not found)")
            _check_office_settings()
            overrides_path = (Path(overrides).resolve() if overrides
                              else default_overrides(out) if out else periods.overrides_for(layout, as_of))
            run_data_steps(layout, as_of, overrides_path, force, summary, workers, profile)
            previous = previous or periods.previous_for(layout)  # default: the kept period before this one
            if force_compare is None:
                force_compare = force_compare_requested()
            run_compare_step(layout, previous, force_compare, force, summary)
            summary.warnings.extend(periods.build_warnings(layout))  # overrides not applied, last period's not carried
            ok = run_report_step(layout, workers, force, summary)
            if ok:
                periods.keep(layout, overrides_path)  # the period as published: data, overrides, reports
            summary.index = str(PublishedFiles(layout.reports_dir).index)
            code = 0 if ok else 1
    except (BuildInputError, SettingsError) as error:  # a settings file in data/reference/ is input too
        log.error("输入有误：%s", error)
        summary.failures.append(str(error))
        summary.input_error = True
        code = 2
    except (CJKFontError, ExecutorError, PublishError) as error:  # the environment: no CJK font, no such executor…
        log.error("%s", error)
        summary.failures.append(str(error))
        code = 3
    except (KeyboardInterrupt, BuildInterrupted) as error:
        code = EXIT_SIGINT if isinstance(error, KeyboardInterrupt) else error.exit_code
        summary.interrupted = code
        summary.failures.append("构建被中止")
        stopped = stop_descendants()
        if workers is not None:
            workers.abandon()  # its processes are gone: nothing to wait for (a --watch stops too: see summary)
            workers = None
        log.error("构建被中止：已停止 %d 个子进程（报告进程和内核）", len(stopped))
    except Exception as error:  # a bug or an unforeseen state: the summary on the console, the traceback in the log
        log_to_file_only("%s", traceback.format_exc())
        log.error("构建出错（%s: %s）；已发布的报告保持不变，详细信息见日志 %s", type(error).__name__, error, files.logs)
        summary.failures.append(f"{type(error).__name__}: {error}")
        summary.crashed = f"{type(error).__name__}: {error}"
        code = 1
    finally:
        if own_workers and workers is not None:
            try:
                with interruptible():
                    workers.close()
            except (KeyboardInterrupt, BuildInterrupted):
                stop_descendants()
        summary.seconds = time.perf_counter() - started
        log_path = finish_log(handler, files.logs, summary)
        periods.keep_log(layout, log_path, summary)  # the log of the build behind a period's reports, kept with it
    return code


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
