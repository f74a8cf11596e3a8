"""The build server of the warm service (src.build.forkserver): a build forked from it
behaves as the command run in its own process would — output, exit code, Ctrl-C, files."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from src.build import build, forkserver
from src.build.state import code_fingerprint
from src.paths import PROJECT_ROOT
from tests.conftest import MINI_TABLE

pytest.importorskip("distributed")  # the server preloads the Dask client of --executor warm


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "workers"
    folder.mkdir()
    code = code_fingerprint()
    path = forkserver.socket_path(folder)
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "src.build.forkserver", "--socket", str(path), "--code", code],
                                   cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 90
        while not path.exists():
            assert process.poll() is None, log_path.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, "the build server did not start"
            time.sleep(0.1)
        yield folder, code
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert not path.exists()  # it removes its socket when it stops
    assert "构建服务进程已退出" in log_path.read_text(encoding="utf-8")


def test_the_socket_is_its_owners_only(server):
    folder, _ = server
    assert forkserver.socket_path(folder).stat().st_mode & 0o077 == 0


def test_a_forked_build_writes_to_the_commands_terminal_and_exits_with_its_code(server, tmp_path, capfd):
    folder, code = server
    status = forkserver.run_on_server(["--raw", str(tmp_path / "missing.md"), "--out", str(tmp_path / "out")], code, folder)
    _, err = capfd.readouterr()
    assert status == 2  # bad input, as the command itself says it
    assert "由常驻构建进程派生运行" in err and "原始汇总表不存在" in err


def test_argument_errors_and_help_come_back_as_the_commands_exit_codes(server, capfd):
    folder, code = server
    assert forkserver.run_on_server(["--help"], code, folder) == 0
    assert "usage: python -m src.build" in capfd.readouterr().out
    assert forkserver.run_on_server(["--as-of", "2020-13-45"], code, folder) == 2
    assert "YYYY-MM-DD" in capfd.readouterr().err


def test_other_code_or_no_server_means_the_command_builds_itself(server, tmp_path, monkeypatch):
    folder, code = server
    assert forkserver.run_on_server(["--help"], "another version of the code", folder) is None
    assert forkserver.run_on_server(["--help"], code, tmp_path / "no-service-here") is None
    monkeypatch.setenv(forkserver.FORKED_ENV, "1")  # a forked build never asks again
    assert forkserver.run_on_server(["--help"], code, folder) is None


def test_a_long_folder_gets_a_short_socket_path(tmp_path):
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    path = forkserver.socket_path(deep)
    assert len(os.fsencode(str(path))) <= 100 and path != forkserver.socket_path(tmp_path / "other")
    assert forkserver.socket_path(tmp_path) == (tmp_path / "build.sock").resolve()


@pytest.mark.slow
def test_a_forked_build_makes_the_same_reports_as_one_in_its_own_process(server, tmp_path, capfd):
    folder, code = server
    status = forkserver.run_on_server(["--raw", str(MINI_TABLE), "--out", str(tmp_path / "forked"), "--jobs", "2"],
                                      code, folder)
    assert status == 0, capfd.readouterr().err
    own, _ = build(raw=str(MINI_TABLE), out=str(tmp_path / "own"), jobs=2)
    assert own == 0
    for name in ("overview.html", "leader-01.html", "leader-02.html", "leader-03.html"):
        assert (tmp_path / "forked" / "reports" / name).read_bytes() == (tmp_path / "own" / "reports" / name).read_bytes()
    assert (tmp_path / "forked" / "reports" / "key_tasks_classified.xlsx").exists()


@pytest.mark.slow
def test_ctrl_c_on_the_command_stops_the_forked_build(server, tmp_path):
    folder, code = server
    client = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from src.build import forkserver; "
         "sys.exit(forkserver.run_on_server(sys.argv[3:], sys.argv[1], Path(sys.argv[2])))",
         code, str(folder), "--raw", str(MINI_TABLE), "--out", str(tmp_path / "out"), "--jobs", "1"],
        cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    lines, child = [], None
    for raw in client.stderr:
        line = raw.decode("utf-8", "replace")
        lines.append(line)
        if "进程号" in line:
            child = int(line.split("进程号")[1].split("）")[0])
        if "报告：全市总览" in line:  # the reports are being rendered
            break
    assert child is not None, "".join(lines)
    client.send_signal(signal.SIGINT)
    rest = client.stderr.read().decode("utf-8", "replace")
    assert client.wait(timeout=120) == 130, "".join(lines) + rest
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(child)
    assert not (tmp_path / "out" / "reports" / "index.html").exists()  # nothing half-made was published


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_command_that_gave_up_waiting_gets_no_second_build(server, tmp_path):
    """The child builds only once the command has answered: a command that timed out (and builds
    itself) leaves a child that ends without building."""
    import json
    import socket
    import struct

    folder, code = server
    out = tmp_path / "never"
    request = json.dumps({"code": code, "argv": ["--raw", str(MINI_TABLE), "--out", str(out)], "cwd": os.getcwd(),
                          "env": dict(os.environ), "umask": 0o022, "streams": [{}, {}, {}]}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(forkserver.socket_path(folder)))
        with open(os.devnull, "r+b") as null:
            socket.send_fds(connection, [struct.pack("!I", len(request)) + request], [null.fileno()] * 3)
        child = json.loads(connection.makefile("rb").readline())["pid"]
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child) and not out.exists()
