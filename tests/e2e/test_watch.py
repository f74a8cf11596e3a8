"""``python -m src.builder --watch``: one foreground process that rebuilds on a change to the
overrides and leaves nothing running after Ctrl-C."""
from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import MINI_TABLE, ROOT

pytestmark = pytest.mark.slow


class Console:
    """The watcher's console, read in a thread (its summary lines say when a build ended)."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, count: int, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while sum(text in line for line in self.lines) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count}× {text!r} within {seconds} s:\n" + "\n".join(self.lines[-40:]))
            time.sleep(0.2)


def test_watch_rebuilds_after_an_override_and_ctrl_c_leaves_nothing_running(tmp_path):
    out = tmp_path / "watched"
    process = subprocess.Popen([sys.executable, "-m", "src.builder", "--watch", "--raw", str(MINI_TABLE), "--out", str(out),
                                "--jobs", "2"], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    console = Console(process)
    try:
        console.wait_for("监视中", 1)
        assert any("生成 4 份、沿用 0 份" in line for line in console.lines)
        (out / "overrides.csv").write_text(
            "task_id,status,reason,reviewer,date\n1,lagging,督查组实地核查发现进度滞后,王分析,2020-07-15\n", encoding="utf-8")
        console.wait_for("监视中", 2)
        assert any("有变化" in line and "overrides.csv" in line for line in console.lines)
        assert any("生成 2 份、沿用 2 份" in line for line in console.lines)  # that leader and the overview
        assert "人工认定" in (out / "reports" / "leader-01.html").read_text(encoding="utf-8")
        children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 2  # the report workers (and their kernels) stay up between builds
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
    finally:
        if process.poll() is None:
            process.kill()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], [child.cmdline() for child in alive]
    assert not (Path(tempfile.gettempdir()) / f"key-tasks-watch-{process.pid}.log").exists()  # its log removed
