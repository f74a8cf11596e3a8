"""``python -m src.builder --watch`` (``make watch``): the reviewer's fast loop.

One foreground process builds once, then waits for a change to the overrides file,
the raw tables' folder (``data/raw/``) or ``data/reference/`` (watchfiles: inotify
on Linux) and builds again, printing the same Chinese summary each time. Its report
workers, and the kernel each keeps (:mod:`src.builder.kernels`), stay up between these
builds, so a rebuild after an override starts rendering at once.

* A change under ``data/reference/`` (rules, lexicons, styles) changes what every
  module has read and cached: the process closes its workers and starts itself again
  (``os.execv``, same process id, same arguments), then builds.
* Ctrl-C stops it: the workers are shut down (each shuts its kernel down and removes
  its connection files) before the process exits with 130; nothing is left running.
  The workers ignore SIGINT themselves (:func:`src.builder.executors.ignore_sigint`), so
  the one Ctrl-C the terminal sends to every process is handled once, here.

The scheduled job keeps the plain command (``python -m src.builder``): a build that
starts and stops its own workers.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import watchfiles

from src import paths
from src.builder.console import log
from src.builder.executors import ReportWorkers
from src.builder.run import build, default_overrides

__all__ = ["watch", "watched"]

DEBOUNCE_MS = 500  # an editor saving a file writes it in several steps: one rebuild for them all


def watched(raw: str | None, overrides: Path) -> tuple[Path, Path, Path]:
    """(the overrides file, the raw tables' folder, the reference folder)."""
    raw_dir = Path(raw).resolve().parent if raw else paths.RAW_DIR
    return overrides, raw_dir, paths.REFERENCE_DIR


def _accept(overrides: Path, raw_dir: Path, reference: Path):
    """A watchfiles filter: the overrides file itself, anything in the raw folder or the
    reference folder; never an editor's or Office's temporary file, never the build's outputs."""
    default = watchfiles.DefaultFilter()

    def accept(change, path: str) -> bool:
        where = Path(path)
        if not default(change, path) or where.name.startswith((".", "~$")):
            return False
        return where == overrides or raw_dir in where.parents or reference in where.parents

    return accept


def watch(argv: list[str], options: dict) -> int:
    """Build with ``options`` (the keyword arguments of :func:`src.builder.run.build`), then
    again at every change; ``argv`` is the command line, for a restart. Returns 130 on Ctrl-C."""
    overrides = Path(options["overrides"]).resolve() if options.get("overrides") else default_overrides(options.get("out"))
    targets = watched(options.get("raw"), overrides)
    folders = sorted({str(target.parent if target == overrides else target) for target in targets if
                      (target.parent if target == overrides else target).exists()})
    # the kernels' own warnings ("TCP without encryption"…) go to a file, removed at the end
    chatter = Path(tempfile.gettempdir()) / f"key-tasks-watch-{os.getpid()}.log"
    workers = ReportWorkers(options.get("jobs") or os.cpu_count() or 1, stderr_log=str(chatter),
                            executor=options.get("executor"))
    restart = False
    try:
        if build(**options, workers=workers)[1].interrupted:  # Ctrl-C during a build: it stopped the workers
            return 130
        _waiting(targets)
        for changes in watchfiles.watch(*folders, watch_filter=_accept(*targets), debounce=DEBOUNCE_MS,
                                        raise_interrupt=True):
            changed = sorted({Path(path) for _, path in changes})
            log.info("监视：%s 有变化，重新生成", "、".join(_short(path) for path in changed))
            if any(targets[2] in path.parents for path in changed):
                restart = True
                log.info("监视：参考文件有变化，重新启动以读入新的规则和设置")
                break
            if build(**options, workers=workers)[1].interrupted:
                return 130
            _waiting(targets)
    except KeyboardInterrupt:
        log.info("监视：已停止（Ctrl-C），报告进程已关闭")
        return 130
    finally:
        workers.close()
        chatter.unlink(missing_ok=True)
    if restart:
        os.execv(sys.executable, [sys.executable, "-m", "src.builder", *argv])
    return 0


def _waiting(targets) -> None:
    log.info("监视中：修改 %s 后自动重新生成；按 Ctrl-C 退出", "、".join(_short(path) for path in targets))


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)
