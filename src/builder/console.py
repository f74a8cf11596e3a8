"""What the office sees: a progress bar over the reports naming each leader,
and a Chinese summary that names the warnings and ends with where
``index.html`` is. The full log of every build goes to
``<data>/.build/logs/build-<time>.log`` (the most recent 30 are kept; never in
``reports/``, which holds only what is shared). A build that ends badly ends with the
same summary and its exit code, never a traceback on the console (the traceback of an
unexpected error goes to the log). Builds that did nothing log into
``logs/noop/``, so quiet scheduled runs never push out the log of the build behind the
published reports (named in ``logs/PUBLISHED``, never pruned).
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

__all__ = ["BuildSummary", "start_log", "finish_log", "log_to_file_only", "migrate_old_logs", "Progress", "log"]

KEEP_LOGS = 30
log = logging.getLogger("key_tasks.build")


@dataclass
class BuildSummary:
    """What one build did (the tests and the scheduled job read it)."""

    reports_written: list[str] = field(default_factory=list)
    reports_reused: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # failed reports, or the one input/environment error
    input_error: bool = False
    interrupted: int = 0  # 130 (Ctrl-C) or 143 (SIGTERM): stopped before the end
    notes: list[str] = field(default_factory=list)  # e.g. reports edited by hand, kept as copies
    crashed: str = ""  # an unexpected error (its traceback is in the log)
    warnings: list[str] = field(default_factory=list)
    stages_run: list[str] = field(default_factory=list)
    stages_skipped: list[str] = field(default_factory=list)
    raw: str = ""
    index: str = ""
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The closing lines of the console, in Chinese."""
        if self.input_error:
            return [f"输入有误，未生成报告（用时 {self.seconds:.1f} 秒）。"]
        if self.crashed:
            return [f"构建出错：{self.crashed}；已发布的报告保持不变，详细信息见构建日志（用时 {self.seconds:.1f} 秒）。"]
        if self.interrupted:
            how = "Ctrl-C" if self.interrupted == 130 else "SIGTERM"
            return [f"构建被中止（{how}），已停止全部报告进程；已发布的报告保持不变（用时 {self.seconds:.1f} 秒）。"]
        head = (f"生成 {len(self.reports_written)} 份、沿用 {len(self.reports_reused)} 份、"
                f"警告 {len(self.warnings)} 条、用时 {self.seconds:.1f} 秒")
        if self.failures:
            head += f"；{len(self.failures)} 份报告生成失败，已发布的报告保持不变"
        lines = [head + "。"]
        lines += [f"  警告：{warning}" for warning in self.warnings]
        lines += [f"  注意：{note}" for note in self.notes]
        if self.index and not self.failures:
            lines.append(f"报告目录：{self.index}")
        return lines


def start_log(logs: Path):
    """Log to the console (messages only) and to a temporary file in the build's ``logs`` folder."""
    logs.mkdir(parents=True, exist_ok=True)
    temporary = logs / f".build-{os.getpid()}.log"
    handler = logging.FileHandler(temporary, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("key_tasks")
    root.handlers = [handler, console]
    root.setLevel(logging.INFO)
    root.propagate = False
    return handler


def log_to_file_only(message: str, *args) -> None:
    """A line for the log file alone (a traceback: the console shows the summary)."""
    for handler in logging.getLogger("key_tasks").handlers:
        if isinstance(handler, logging.FileHandler):
            handler.emit(log.makeRecord(log.name, logging.ERROR, __file__, 0, message, args, None))


def finish_log(handler, logs: Path, summary: BuildSummary) -> Path:
    """Print the summary, then name the build's log ``build-<time>-<pid>.log`` in ``logs`` and return
    its path. A build that did nothing (every step up to date) logs into ``logs/noop/`` instead, so
    quiet scheduled runs never push out the log of the build that made the published reports; that
    one (named in ``logs/PUBLISHED``) is never pruned."""
    for line in summary.lines():
        log.info("%s", line)
    handler.close()
    logging.getLogger("key_tasks").removeHandler(handler)
    noop = not (summary.stages_run or summary.reports_written or summary.failures or summary.input_error)
    published = logs / "PUBLISHED"
    logs = logs / "noop" if noop else logs
    logs.mkdir(parents=True, exist_ok=True)
    target = logs / f"build-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    shutil.move(handler.baseFilename, target)
    if summary.reports_written and not summary.failures:
        published.write_text(target.name + "\n", encoding="utf-8")
    keep = published.read_text(encoding="utf-8").strip() if published.exists() else ""
    for old in [p for p in sorted(logs.glob("build-*.log")) if p.name != keep][:-KEEP_LOGS]:
        old.unlink()
    return target


def migrate_old_logs(reports_dir: Path, logs: Path) -> None:
    """Logs and failed notebooks that older versions kept in ``reports/logs/`` move to the build folder."""
    old = Path(reports_dir) / "logs"
    if old.is_dir() and not old.is_symlink():
        logs.mkdir(parents=True, exist_ok=True)
        for entry in old.iterdir():
            target = logs / entry.name
            if target.exists():
                target = logs / f"reports-logs-{entry.name}"
            shutil.move(str(entry), str(target))
        old.rmdir()


class Progress:
    """A progress bar over the reports on a terminal; one log line per report elsewhere."""

    def __init__(self, total: int):
        from tqdm import tqdm  # cold start: only a build that renders reports shows a bar

        self.bar = tqdm(total=total, desc="生成报告", unit="份", disable=not total or not sys.stderr.isatty())

    def __call__(self, job, result: dict) -> None:
        self.bar.update(1)
        self.bar.set_postfix_str(job.subject)
        if result["ok"]:
            log.info("报告：%s 已生成（%.1f 秒）", job.subject, result["seconds"])
        else:
            log.error("报告：%s 生成失败：%s", job.subject, result["error"])

    def close(self) -> None:
        self.bar.close()
