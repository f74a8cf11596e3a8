"""One build at a time per output folder.

Every build (``make reports``, cron, ``--watch``) takes the same lock before it
reads anything: ``<data folder>/.build/build.lock`` (a ``filelock`` lock: an
``fcntl`` lock on Linux, released by the kernel when the process dies, so a killed
build never leaves a stale lock). A second build either waits, saying so on the
console, or with ``--no-wait`` exits with code 75 (``EX_TEMPFAIL``) and a Chinese
message naming the build that holds it. Who holds the lock (process id, start time,
command) is written beside it in ``build.lock.owner``, only to explain a wait.
"""
from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["EXIT_LOCKED", "BuildLocked", "build_lock", "lock_path"]

EXIT_LOCKED = 75  # sysexits.h EX_TEMPFAIL: try again later


class BuildLocked(Exception):
    """Another build holds the lock of this output folder (``--no-wait``)."""


def lock_path(build_dir: Path) -> Path:
    return Path(build_dir) / "build.lock"


def _owner_text(owner_file: Path) -> str:
    try:
        owner = json.loads(owner_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "另一个构建"
    return f"另一个构建（进程 {owner.get('pid')}，{owner.get('started', '?')} 开始）"


@contextmanager
def build_lock(build_dir: Path, folder_label: str, wait: bool = True, say=print):
    """Hold the build lock of one output folder for the ``with`` block.

    ``wait=False``: raise :class:`BuildLocked` at once when another build holds it.
    ``wait=True``: say once that this build waits (``say``), then wait for it."""
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(build_dir)
    owner_file = path.with_name(path.name + ".owner")
    lock = FileLock(path, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = _owner_text(owner_file)
        if not wait:
            raise BuildLocked(
                f"{holder}正在生成 {folder_label} 的数据和报告，本次构建没有运行（--no-wait）。"
                f"请稍后再试，或去掉 --no-wait 排队等待 (another build holds the lock {path}; exit 75)"
            ) from None
        say(f"{holder}正在生成 {folder_label} 的数据和报告；等待它结束后再开始……")
        started = time.monotonic()
        lock.acquire()
        say(f"已等待 {time.monotonic() - started:.0f} 秒，开始构建。")
    try:
        owner_file.write_text(json.dumps({"pid": os.getpid(), "started": f"{datetime.now():%Y-%m-%d %H:%M:%S}",
                                          "command": " ".join(sys.argv)}, ensure_ascii=False), encoding="utf-8")
        yield path
    finally:
        try:
            owner_file.unlink(missing_ok=True)
        finally:
            lock.release()
