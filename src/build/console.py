"""What the office sees: a progress bar over the reports naming each leader,
and a Chinese summary that names the warnings and ends with where
``index.html`` is. The full log of every build goes to
``<reports>/logs/build-<time>.log`` (the most recent 30 are kept, and always the
log of the build behind the published reports; builds that did nothing log into
``logs/noop/``).
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

__all__ = ["BuildSummary", "start_log", "finish_log", "Progress", "log"]

KEEP_LOGS = 30
log = logging.getLogger("key_tasks.build")


@dataclass
class BuildSummary:
    """What one build did (the tests and the scheduled job read it)."""

    reports_written: list[str] = field(default_factory=list)
    reports_reused: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # failed reports, or the one input/environment error
    input_error: bool = False
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
        head = (f"生成 {len(self.reports_written)} 份、沿用 {len(self.reports_reused)} 份、"
                f"警告 {len(self.warnings)} 条、用时 {self.seconds:.1f} 秒")
        if self.failures:
            head += f"；{len(self.failures)} 份报告生成失败，已发布的报告保持不变"
        lines = [head + "。"]
        lines += [f"  警告：{warning}" for warning in self.warnings]
        if self.index and not self.failures:
            lines.append(f"报告目录：{self.index}")
        return lines


def start_log(reports_dir: Path):
    """Log to the console (messages only) and to a temporary file beside ``reports_dir``."""
    reports_dir.parent.mkdir(parents=True, exist_ok=True)
    temporary = reports_dir.parent / f".build-{os.getpid()}.log"
    handler = logging.FileHandler(temporary, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("key_tasks")
    root.handlers = [handler, console]
    root.setLevel(logging.INFO)
    root.propagate = False
    return handler


def finish_log(handler, reports_dir: Path, summary: BuildSummary) -> Path:
    """Print the summary, then move the build's log into ``<reports>/logs/`` and return
    where it went. A build that did nothing (every step up to date) logs into
    ``logs/noop/`` instead, so quiet scheduled runs never push out the log of the build
    that made the published reports; that one (named in ``logs/PUBLISHED``) is never pruned."""
    for line in summary.lines():
        log.info("%s", line)
    handler.close()
    logging.getLogger("key_tasks").removeHandler(handler)
    noop = not (summary.stages_run or summary.reports_written or summary.failures or summary.input_error)
    logs = reports_dir / "logs" / ("noop" if noop else "")
    logs.mkdir(parents=True, exist_ok=True)
    target = logs / f"build-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    shutil.move(handler.baseFilename, target)
    published = reports_dir / "logs" / "PUBLISHED"
    if summary.reports_written and not summary.failures:
        published.write_text(target.name + "\n", encoding="utf-8")
    keep = published.read_text(encoding="utf-8").strip() if published.exists() else ""
    for old in [p for p in sorted(logs.glob("build-*.log")) if p.name != keep][:-KEEP_LOGS]:
        old.unlink()
    return target


class Progress:
    """A progress bar over the reports on a terminal; one log line per report elsewhere."""

    def __init__(self, total: int):
        from tqdm import tqdm

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
