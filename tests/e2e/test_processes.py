"""Nothing left running: a build killed with SIGKILL or stopped with SIGTERM (what cron's
``timeout`` sends) or SIGINT (Ctrl-C) leaves no worker, no kernel and no kernel connection
file behind 10 seconds later; SIGTERM and SIGINT end with the Chinese summary, not a traceback."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.conftest import MINI_TABLE, ROOT

pytestmark = pytest.mark.slow  # each test starts a real build with its kernels


@pytest.fixture
def temp():
    """A temporary folder of its own for the build (short: kernels' Unix socket paths have a length limit)."""
    import shutil
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="kt-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _start_build(tmp_path, temp):
    env = {**os.environ, "TMPDIR": str(temp), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    build = subprocess.Popen([sys.executable, "-m", "src.builder", "--raw", str(MINI_TABLE), "--out", str(tmp_path / "out"),
                              "--jobs", "2"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    family: dict[int, psutil.Process] = {}
    while time.monotonic() < deadline:  # until its kernels run
        try:
            for child in psutil.Process(build.pid).children(recursive=True):
                family.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            break
        kernels = [p for p in family.values() if p.is_running() and "ipykernel" in " ".join(_cmdline(p))]
        if len(kernels) >= 1 and list(temp.rglob("connection.json")):
            return build, family, temp
        time.sleep(0.2)
    build.kill()
    pytest.fail(f"the build started no kernel: {build.stderr.read()[-2000:] if build.poll() is not None else ''}")


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _alive(family: dict) -> list[str]:
    alive = []
    for process in family.values():
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{process.pid} {' '.join(_cmdline(process))[:120]}")
        except psutil.NoSuchProcess:
            pass
    return alive


def _left_in(temp, tmp_path) -> list[str]:
    """Kernel folders, sockets and connection files (with their keys) left in the temp folder or the runtime dir."""
    runtime = tmp_path / "runtime"
    found = [p for p in temp.rglob("*") if p.name == "connection.json" or p.name.startswith(("kernel-", "key-tasks-kernel-"))]
    found += list(runtime.rglob("kernel-*.json")) if runtime.exists() else []
    return [str(p) for p in found]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_stopped_build_leaves_no_process_and_no_connection_file(tmp_path, temp, how):
    build, family, temp = _start_build(tmp_path, temp)
    assert family, "the build started workers"
    build.send_signal(how)
    try:
        _, stderr = build.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        build.kill()
        pytest.fail(f"the build did not end within 30 s of {how!r}")
    code = build.returncode
    time.sleep(10)
    assert _alive(family) == []
    assert _left_in(temp, tmp_path) == []  # no kernel folder, no connection file with its key
    if how == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == {signal.SIGTERM: 143, signal.SIGINT: 130}[how], stderr[-2000:]
        assert "构建被中止" in stderr and "已发布的报告保持不变" in stderr
        assert "Traceback" not in stderr
    assert not (tmp_path / "out" / "reports").exists()  # nothing half-published
    # the next build recovers and publishes a whole set
    again = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(MINI_TABLE), "--out", str(tmp_path / "out"),
                            "--jobs", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(list((tmp_path / "out" / "reports").glob("*.html"))) == 6  # index, overview, 3 leaders, analyst page
