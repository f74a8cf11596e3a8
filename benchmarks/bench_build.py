"""Benchmark: the project's build against the naive way, incremental rebuilds (plain and under
--watch), and parse + classify scaling.

    .venv/bin/python benchmarks/bench_build.py [--skip-naive] [--skip-watch] [--skip-verify] [--breakdown N]
                                               [--copies 1 10 100] [--scaling-only]

Prints, in one run on this machine:
  (a) the full build from scratch (clean, classify, overview + every leader as HTML, PDF and Word, index, Excel),
      a fresh process as cron runs it;
  (b) the naive way to make the same reports: for each notebook, one after another, papermill
      (the notebook parsing and classifying the raw table itself), then `jupyter nbconvert --to html
      --no-input`, then the HTML to PDF with the same PDF tool (WeasyPrint's command line) once per file;
  (c) a rebuild with nothing changed (a fresh process);
  (d) a rebuild after one override line for one leader's task, a fresh process (that leader, the overview,
      the index and the workbook are redone), checked against a build from scratch with the same overrides
      (byte-identical HTML; the PDFs' text through pdftotext, as PDFs embed their creation time);
  (w) the same override under `python -m src.builder --watch` (workers and kernels kept warm): from saving
      the overrides file to the next summary;
and the ratios (a)/(b) (target <= 0.15), (w)/(a) (target <= 0.40), (c) (target < 0.5 s), then parse + classify
on synthetic tables made by repeating the real table 1x, 10x, 100x (leaders renamed per copy; target 100x < 5 s).
Optionally (--breakdown N) the time of each part of a report with a new and with a kept kernel.
Optionally (--province, ``make benchmark PROVINCE=1``; it takes many minutes) a province's table: the real table
repeated 100x (14,300 tasks, 800 leaders) built end to end in a fresh process (every report, index, workbook),
with its wall time and the peak memory of the build and all its processes together (targets: 15 min, 4 GB);
and the Excel workbook of that table written alone.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from src.paths import DEFAULT_RAW_PATH, LEADER_TEMPLATE, OVERVIEW_TEMPLATE, PROJECT_ROOT
from src.synthetic import repeated_table

ROOT = PROJECT_ROOT


def timed(label: str, func):
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    print(f"{label:<58} {seconds:8.2f} s", flush=True)
    return seconds, result


def run_build(out: Path, executor: str = "local") -> subprocess.CompletedProcess:
    """The build as a scheduler runs it: a fresh process, imports included."""
    result = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(DEFAULT_RAW_PATH), "--out", str(out),
                             "--executor", executor], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    return result


def full_build(out: Path, executor: str = "local", label: str = "(a) full build from scratch (python -m src.builder)") -> float:
    seconds, _ = timed(label, lambda: run_build(out, executor))
    return seconds


def no_change_rebuild(out: Path) -> float:
    seconds, result = timed("(c) rebuild with nothing changed (python -m src.builder)", lambda: run_build(out))
    assert "生成 0 份" in result.stderr, result.stderr[-500:]
    return seconds


def _override_line(out: Path) -> tuple[str, str]:
    """One override line for one task of the second leader in the table of contents, and 'id, leader'."""
    import pandas as pd

    tasks = pd.read_parquet(out / "data" / "tasks_classified.parquet")
    task = tasks[tasks["leader_order"] == sorted(tasks["leader_order"].unique())[1]].iloc[0]
    status = "completed" if task["status"] == "lagging" else "lagging"
    return (f"{int(task['task_id'])},{status},督查组实地核查（基准测试）,基准,2020-07-15\n",
            f"{int(task['task_id'])}, {task['leader']}")


def _override(out: Path) -> str:
    """Append :func:`_override_line` to the build's overrides file; returns 'id, leader'."""
    line, task = _override_line(out)
    overrides = out / "overrides.csv"
    overrides.write_text(overrides.read_text(encoding="utf-8") + line, encoding="utf-8")
    return task


def override_rebuild(out: Path, executor: str = "local", label: str = "(d) rebuild after one override") -> tuple[float, str]:
    """(d): one override (:func:`_override`), then a fresh build process."""
    task = _override(out)
    seconds, result = timed(f"{label} (task {task})", lambda: run_build(out, executor))
    written = next((line for line in result.stderr.splitlines() if "生成" in line and "沿用" in line), "")
    print(f"    {written.strip()}")
    return seconds, written


def same_as_cold(out: Path, work: Path, name: str = "cold") -> bool:
    """The incremental set against a build from scratch with the same overrides."""
    import hashlib

    cold = work / name
    cold.mkdir()
    shutil.copy(out / "overrides.csv", cold / "overrides.csv")
    subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(DEFAULT_RAW_PATH), "--out", str(cold), "--force"],
                   cwd=ROOT, capture_output=True, check=True)
    differ = []
    for page in sorted((cold / "reports").glob("*.html")):
        mine = out / "reports" / page.name
        if hashlib.sha256(page.read_bytes()).digest() != hashlib.sha256(mine.read_bytes()).digest():
            differ.append(page.name)
    for pdf in sorted((cold / "reports").glob("*.pdf")):
        text = [subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True).stdout
                for p in (pdf, out / "reports" / pdf.name)]
        if text[0] != text[1]:
            differ.append(pdf.name)
    print(f"outputs of {out.name} identical to a build from scratch: {'yes' if not differ else 'NO: ' + ', '.join(differ)}")
    return not differ


def watch_override(work: Path) -> float:
    """(w): a --watch process builds once, then the same override as (d) is saved; the time from the
    save to the summary of the rebuild it starts. The watcher is stopped with Ctrl-C afterwards."""
    import signal
    import threading

    out = work / "watch"
    process = subprocess.Popen([sys.executable, "-m", "src.builder", "--watch", "--raw", str(DEFAULT_RAW_PATH), "--out",
                                str(out)], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: [lines.append((time.perf_counter(), line)) for line in process.stderr],
                              daemon=True)
    reader.start()

    def wait(count: int) -> float:
        deadline = time.monotonic() + 900
        while sum("监视中" in line for _, line in lines) < count:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("watch failed:\n" + "".join(line for _, line in lines[-30:]))
            time.sleep(0.05)
        return [at for at, line in lines if "监视中" in line][count - 1]

    try:
        wait(1)
        time.sleep(1)  # the watcher is waiting for changes
        line, task = _override_line(out)  # read before the clock starts: the save is what is timed
        overrides = out / "overrides.csv"
        text = overrides.read_text(encoding="utf-8") + line
        saved = time.perf_counter()
        overrides.write_text(text, encoding="utf-8")
        seconds = wait(2) - saved
        written = next((line for _, line in reversed(lines) if "生成" in line and "沿用" in line), "")
        print(f"{'(w) rebuild after one override under --watch (task ' + task + ')':<58} {seconds:8.2f} s", flush=True)
        print(f"    {written.strip()}")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    return seconds


def breakdown(out: Path, count: int) -> None:
    """Where a report's time goes, with a new kernel per report and with a kept one (one worker each)."""
    import dataclasses

    from src.builder.executors import ReportWorkers, run_jobs
    from src.builder.plan import plan_reports
    from src.builder.run import Layout

    layout = Layout(DEFAULT_RAW_PATH, out / "data", out / "reports")
    _, _, jobs = plan_reports(layout)
    jobs = [job for job in jobs if job.leader][:count]  # leaders' reports: alike, so 1st and rest compare
    parts = ["kernel", "setup", "charts", "execute", "html", "pdf", "word"]
    print(f"\nwhere a report's time goes (mean seconds; {len(jobs)} leaders' reports on one worker, longest first, so the 1st"
          " is the largest of them; kernel: with a new"
          " kernel per report, its start and stop (the papermill run minus its cells); with a kept kernel, its reset"
          " (the 1st report finds it started and primed by the warm-up); setup: the cell importing the project and"
          " loading the data; charts: the chart cells; execute: the papermill run; word: the Word document)")
    print(f"{'':<18}" + "".join(f"{p:>9}" for p in parts) + f"{'total':>9}")
    for mode in ("new kernel", "warm kernel"):
        warm = mode == "warm kernel"
        workers = ReportWorkers(1, stderr_log=str(out.parent / "breakdown-stderr.log"))  # the kernels' chatter
        if warm:
            workers.warm_up()  # as the build does while it classifies: the first report finds its kernel started
        try:
            results = run_jobs([dataclasses.replace(job, warm_kernel=warm) for job in jobs],
                               out.parent / f"breakdown-{mode.split()[0]}", workers)
        finally:
            workers.close()
        failed = [result["error"] for result in results if not result["ok"]]
        if failed:
            raise SystemExit(f"breakdown failed: {failed}")
        for label, chosen in ((f"{mode}, 1st", results[:1]), (f"{mode}, rest", results[1:])):
            if not chosen:
                continue
            for r in chosen:
                if not warm:
                    r["timings"]["kernel"] = r["timings"]["execute"] - r["timings"]["cells"]
            mean = {part: sum(r["timings"][part] for r in chosen) / len(chosen) for part in parts}
            total = sum(r["seconds"] for r in chosen) / len(chosen)
            print(f"{label:<18}" + "".join(f"{mean[part]:>9.2f}" for part in parts) + f"{total:>9.2f}")


def naive_notebook(source: Path, target: Path) -> None:
    """The report notebook as it would be without the shared build: it parses and
    classifies the raw table itself before doing its report."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(
        "import tempfile\n"
        "from src.pipeline import analyse_stage, clean_stage\n"
        "_work = tempfile.mkdtemp()\n"
        f"clean_stage({str(DEFAULT_RAW_PATH)!r}, _work)\n"
        f"analyse_stage(_work, overrides_path={str(ROOT / 'data' / 'reference' / 'overrides_template.csv')!r})\n"
        "data_dir = _work"
    ))
    nbformat.write(nb, target)


def naive_way(work: Path, leaders: list[str]) -> float:
    leader_nb, overview_nb = work / "leader_naive.ipynb", work / "overview_naive.ipynb"
    naive_notebook(LEADER_TEMPLATE, leader_nb)
    naive_notebook(OVERVIEW_TEMPLATE, overview_nb)
    jobs = [("overview", overview_nb, [])] + [
        (f"leader-{i:02d}", leader_nb, ["-p", "leader", name]) for i, name in enumerate(leaders, start=1)
    ]

    def run():
        for slug, notebook, params in jobs:
            executed = work / f"{slug}.ipynb"
            # `python -m` with this interpreter: a console script's shebang may name another environment
            subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(executed), "--cwd", str(ROOT),
                            "--log-level", "ERROR", *params], check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--no-input", str(executed)],
                           check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "weasyprint", str(work / f"{slug}.html"), str(work / f"{slug}.pdf")],
                           check=True, capture_output=True)

    seconds, _ = timed(f"(b) naive way ({len(jobs)} notebooks, one after another)", run)
    return seconds


def scaling(copies_list: list[int]) -> None:
    from src.classify import classify_tasks
    from src.table.parse import parse_table

    print("\nparse + classify on copies of the real table (repeated: the same rows again; varied: each copy adds its")
    print("index to the numbers in the task, progress and next-steps cells, so no two rows read the same)")
    print("(cpu s: the process's CPU seconds for parse + classify, which a busy machine moves less than the wall time)")
    print(f"{'copies':>7} {'table':>9} {'tasks':>8} {'parse s':>9} {'classify s':>11} {'total s':>9} {'cpu s':>7} {'tasks/s':>9}")
    real = DEFAULT_RAW_PATH.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        for copies in copies_list:
            for vary in ((False, True) if copies > 1 else (False,)):
                path = Path(tmp) / f"x{copies}{'v' if vary else ''}.md"
                path.write_text(repeated_table(real, copies, vary=vary), encoding="utf-8")
                started, cpu = time.perf_counter(), time.process_time()
                parsed = parse_table(path)
                parsed_at = time.perf_counter()
                classify_tasks(parsed.tasks, as_of=parsed.metadata["as_of"])
                done = time.perf_counter()
                total, cpu = done - started, time.process_time() - cpu
                print(f"{copies:>7} {'varied' if vary else 'repeated':>9} {len(parsed.tasks):>8} {parsed_at - started:>9.2f}"
                      f" {done - parsed_at:>11.2f} {total:>9.2f} {cpu:>7.2f} {len(parsed.tasks) / total:>9.0f}")


def province(work: Path, copies: int = 100) -> None:
    """The 100x table end to end: wall time and peak memory (RSS of the build and its workers and kernels, summed)."""
    import threading

    import psutil

    from src.pipeline import analyse_stage, clean_stage
    from src.report.model import load_report
    from src.report.workbook import write_excel
    from src.table.parse import parse_table

    raw = work / f"x{copies}.md"
    raw.write_text(repeated_table(DEFAULT_RAW_PATH.read_text(encoding="utf-8"), copies), encoding="utf-8")
    tasks = len(parse_table(raw).tasks)
    print(f"\nprovince: the real table x{copies} ({tasks} tasks), built end to end", flush=True)
    data = work / "province-data"
    clean_stage(raw, data)
    analyse_stage(data)
    classified = load_report(data).all_tasks
    timed(f"Excel workbook alone ({tasks} tasks, one sheet per leader)", lambda: write_excel(classified, work / "k.xlsx"))
    started = time.perf_counter()
    build = subprocess.Popen([sys.executable, "-m", "src.builder", "--raw", str(raw), "--out", str(work / "province")],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, cpu, seen = [0], [0.0], {}

    def sample() -> None:  # unique memory (USS) summed: pages the forked workers share are counted once
        while build.poll() is None:
            try:
                family = [psutil.Process(build.pid), *psutil.Process(build.pid).children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_full_info().uss for p in family if p.is_running()))
                for process in family:
                    seen[process.pid] = sum(process.cpu_times()[:2])
                cpu[0] = sum(seen.values())
            except psutil.Error:
                pass
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = build.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    summary = [line for line in stderr.splitlines() if "生成" in line and "份" in line][-1:]
    print(f"{'(p) the x' + str(copies) + ' table, python -m src.builder':<58} {seconds:8.2f} s   (target <= 900 s)"
          f"   exit {build.returncode}   {' '.join(summary)}")
    print(f"{'    peak memory, build + workers + kernels':<58} {peak[0] / 2**30:8.2f} GB  (target < 4 GB)")
    print(f"{'    CPU time, build + workers + kernels':<58} {cpu[0]:8.1f} s")
    print(f"    load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report_times(work / "province" / "data" / ".build" / "logs")


def report_times(logs: Path) -> None:
    """The overview's parts, and the mean of each part over the leaders' reports, from the build's log
    (seconds of wall time each, as the build logs them: "报告：leader-01 用时 … 秒（kernel … 秒，…）"),
    and the workers' CPU seconds (``pages_cpu``: papermill's side, HTML and PDF, of which ``pdf_cpu``;
    ``word_cpu``; the kernel's are not in them)."""
    import re
    import statistics

    parts: dict[str, dict[str, float]] = {}
    for log in sorted(logs.glob("build-*.log")):
        for match in re.finditer(r"报告：(\S+) 用时 ([\d.]+) 秒（(.*?)）", log.read_text(encoding="utf-8")):
            parts[match.group(1)] = {"total": float(match.group(2)),
                                     **{k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) 秒", match.group(3))}}
    leaders = [times for slug, times in parts.items() if slug != "overview"]
    names = ["kernel", "setup", "execute", "html", "pdf", "word", "total", "pages_cpu", "pdf_cpu", "word_cpu"]
    if "overview" in parts:
        print("    overview (s):        " + "  ".join(f"{n} {parts['overview'].get(n, 0):.1f}" for n in names))
    if leaders:
        print(f"    leaders, mean of {len(leaders)} (s): "
              + "  ".join(f"{n} {statistics.mean(t.get(n, 0) for t in leaders):.2f}" for n in names))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-naive", action="store_true", help="skip (b), the slow naive run")
    parser.add_argument("--skip-watch", action="store_true", help="skip (w), the override under --watch")
    parser.add_argument("--skip-verify", action="store_true", help="skip the comparison with a build from scratch")
    parser.add_argument("--breakdown", type=int, default=0, metavar="N",
                        help="reports in the per-part breakdown (default 0: skipped)")
    parser.add_argument("--copies", type=int, nargs="*", default=[1, 10, 100])
    parser.add_argument("--scaling-only", action="store_true", help="only parse + classify at --copies")
    parser.add_argument("--province", action="store_true", help="also the 100x table end to end (many minutes)")
    parser.add_argument("--province-only", action="store_true", help="only the 100x table end to end")
    parser.add_argument("--province-copies", type=int, default=100, help="copies of the real table for --province")
    args = parser.parse_args()
    if args.province_only:
        work = Path(tempfile.mkdtemp(prefix="bench-province-"))
        try:
            province(work, args.province_copies)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    if args.scaling_only:
        scaling(args.copies)
        return 0
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        full = full_build(work / "build")
        again = no_change_rebuild(work / "build")
        override, _ = override_rebuild(work / "build")
        watched = None if args.skip_watch else watch_override(work)
        naive = None
        if not args.skip_naive:
            import pandas as pd

            leaders = pd.read_parquet(work / "build" / "data" / "tasks.parquet").drop_duplicates("leader")["leader"].tolist()
            (work / "naive").mkdir()
            naive = naive_way(work / "naive", leaders)
        print()
        if naive:
            print(f"ratio (a)/(b) = {full / naive:.3f}   (target <= 0.15)")
        if watched is not None:
            print(f"ratio (w)/(a) = {watched / full:.3f}   (target <= 0.40)")
        print(f"ratio (d)/(a) = {override / full:.3f}   (a fresh process after one override; no target)")
        print(f"no-change rebuild: {again:.2f} s   (target < 0.5 s)")
        if not args.skip_verify:
            same_as_cold(work / "build", work)
        if args.breakdown:
            breakdown(work / "build", args.breakdown)
        if args.copies:
            scaling(args.copies)
        if args.province:
            province(work, args.province_copies)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
