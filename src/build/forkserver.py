"""A build process kept warm beside the warm workers: ``--executor warm`` builds fork from it.

With warm workers (:mod:`src.build.service`) the reports no longer pay for new
processes and kernels, but the build itself still starts a new Python process
that imports pandas, the classifier (and compiles its patterns), matplotlib's
font list and the Dask client before its first report job goes out (about
1.5 s of a 6 s rebuild after one override), and a new table loads jieba's
dictionary (about 1 s). So the service also keeps one
*build server*, a single-threaded process that has done all of that once and
waits on a Unix socket in the service's folder (``build.sock``).

``python -m src.build --executor warm`` (``make reports EXECUTOR=warm``) then
connects to it and hands over its command line, working directory, environment,
umask and its standard input, output and error (the file descriptors themselves,
``SCM_RIGHTS``). The server forks a child that runs the same command
(:func:`src.build.cli.main`) as the command's own process would, writing to the
analyst's terminal; the command waits for the child's exit code and exits with
it, and passes Ctrl-C (and a SIGTERM) on to the child.

* **The same code only.** The server serves the code fingerprint it was started
  with (:func:`src.build.state.code_fingerprint`: ``src/``, the templates,
  ``data/reference/``), taken before its imports. A command whose fingerprint
  differs is refused and runs the build in its own process, which replaces the
  service and with it the server.
* **Nothing of one build in the next.** The server never runs a build: each child
  starts from the imported modules, the compiled default rules (kept by path
  and modification time, so an edited rules file is read again) and the jieba
  tokenizer with the project's user dictionary, nothing else.
* **Any failure on the way falls back.** No server, a refused or broken
  connection before the child starts: the command builds in its own process, as
  without the server. The child builds only once the command has answered its
  first message, so a command that gave up waiting (and builds itself) never has
  a second build beside it. A child that dies mid-build is an error (exit 1), never
  a second build.
* **Only this user.** The socket is readable by its owner only, and the server
  checks the connecting process's user id (``SO_PEERCRED``).
* It stops with the service (SIGTERM), or by itself when the service is gone.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import struct
import sys
import time
import traceback
from pathlib import Path

__all__ = ["socket_path", "run_on_server", "serve", "main", "FORKED_ENV"]

FORKED_ENV = "KEY_TASKS_BUILD_FORKED"  # set in a child: it builds itself, never asks a server
CONNECT_TIMEOUT = 2.0
START_TIMEOUT = 10.0  # for the forked child to say it is there
GO = b"go\n"  # the command's answer: only then does the child build (never two builds for one command)
MAX_REQUEST = 4 * 1024 * 1024
_UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


def socket_path(folder: Path) -> Path:
    """``build.sock`` in the service's folder; in the temporary folder (named after the
    service's folder) when that path is too long for a Unix socket."""
    path = Path(folder).resolve() / "build.sock"
    if len(os.fsencode(str(path))) <= _UNIX_PATH_MAX:
        return path
    import hashlib
    import tempfile

    digest = hashlib.sha1(os.fsencode(str(path))).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"key-tasks-build-{os.getuid()}-{digest}.sock"


# ---------------------------------------------------------------------- the command's side
def run_on_server(argv: list[str], code: str, folder: Path) -> int | None:
    """Run ``python -m src.build <argv>`` in a child of the build server of the service in
    ``folder``: its exit code, or None when there is no server for this code (then the
    caller builds in its own process)."""
    if os.environ.get(FORKED_ENV):
        return None
    path = socket_path(folder)
    if not path.exists():
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(CONNECT_TIMEOUT)
        connection.connect(str(path))
        request = json.dumps({
            "code": code, "argv": list(argv), "cwd": os.getcwd(), "env": dict(os.environ), "umask": _umask(),
            "streams": [_stream_settings(sys.stdin), _stream_settings(sys.stdout), _stream_settings(sys.stderr)],
        }, ensure_ascii=False).encode("utf-8")
        streams = _standard_streams()
        try:
            socket.send_fds(connection, [struct.pack("!I", len(request)) + request], streams[:3])
        finally:
            for fd in streams[3:]:
                os.close(fd)
        connection.settimeout(START_TIMEOUT)
        reader = connection.makefile("rb")
        first = _read_message(reader)
        if first is not None and "pid" in first:
            connection.sendall(GO)  # from here on the child builds, and this command only waits for it
    except (OSError, ValueError):
        connection.close()
        return None  # no server, one that stopped, or no child in time (it then ends without building): build here
    if first is None or "pid" not in first:
        connection.close()
        return None  # refused (other code) before anything ran: build here
    connection.settimeout(None)
    child = int(first["pid"])

    def pass_on(signum, _frame):
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass

    previous = {signum: signal.signal(signum, pass_on) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                message = _read_message(reader)
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for clarity
                continue
    except (OSError, ValueError):
        message = None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        connection.close()
    if message is None or "exit" not in message:
        print("构建进程意外退出，已发布的报告保持不变；请重新运行 (the forked build process ended without an exit code)",
              file=sys.stderr)
        return 1
    return int(message["exit"])


def _standard_streams() -> list[int]:
    """Descriptors 0, 1, 2 to hand over; /dev/null for one that is closed (then listed again
    after the three, to be closed once sent)."""
    fds, opened = [], []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            opened.append(os.open(os.devnull, os.O_RDWR))
            fds.append(opened[-1])
    return fds + opened


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _stream_settings(stream) -> dict:
    return {"encoding": getattr(stream, "encoding", None) or "utf-8", "errors": getattr(stream, "errors", None) or "strict"}


def _read_message(reader) -> dict | None:
    line = reader.readline()
    if not line:
        return None
    return json.loads(line.decode("utf-8"))


# ---------------------------------------------------------------------- the server
def preload() -> None:
    """What every build imports or prepares before its first report job, done once."""
    sys.modules.setdefault("rfc3987_syntax", None)  # see src.build.workers
    import distributed  # noqa: F401 - the Dask client of --executor warm
    import matplotlib.font_manager  # noqa: F401 - reads the font list (the build checks for a CJK font)
    import pandas  # noqa: F401

    import src.build.cli  # noqa: F401
    import src.build.executors  # noqa: F401
    import src.build.workers  # noqa: F401
    import src.compare  # noqa: F401
    import src.pipeline  # noqa: F401
    import src.report  # noqa: F401
    import src.workbook  # noqa: F401
    from src.classify import load_rules
    from src.text.segment import tokenize

    load_rules().prepare_all()  # kept by path and modification time: an edited file is read again
    tokenize("督查室重点工作")  # loads jieba's dictionary and the user dictionary (data/reference/, in the code fingerprint)


def serve(path: Path, code: str, parent: int | None = None) -> int:
    """Listen on ``path`` until SIGTERM or until ``parent`` (the service) is gone; fork a
    child per request that carries ``code``."""
    import threading

    from src.build.state import code_fingerprint

    if code_fingerprint() != code:  # the files changed since the service was started: a new one will come
        print("构建服务进程：代码已改变，不提供服务 (the code changed since the service started)", flush=True)
        return 0
    preload()
    if threading.active_count() != 1:  # forking a process with threads can copy a held lock
        print(f"构建服务进程：导入后有 {threading.active_count()} 个线程，不提供服务 (threads after preload; not serving)",
              flush=True)
        return 1
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    path = Path(path)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)  # the socket file: owner only
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_mask)
    listener.listen(8)
    listener.settimeout(1.0)
    print(f"构建服务进程：{path}", flush=True)
    try:
        while not stopping and (parent is None or os.getppid() == parent):
            _reap()
            try:
                connection, _ = listener.accept()
            except (TimeoutError, InterruptedError):
                continue
            _handle(connection, listener, code)
    finally:
        listener.close()
        try:
            if path.exists() and path.is_socket():
                path.unlink()
        except OSError:
            pass
    print("构建服务进程已退出", flush=True)
    return 0


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _handle(connection: socket.socket, listener: socket.socket, code: str) -> None:
    fds: list[int] = []
    try:
        connection.settimeout(5.0)
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", credentials)
        data, fds, _, _ = socket.recv_fds(connection, 65536, 3)
        if uid != os.getuid() or len(data) < 4 or len(fds) != 3:
            return
        size = struct.unpack("!I", data[:4])[0]
        if size > MAX_REQUEST:
            return
        body = data[4:]
        while len(body) < size:
            chunk = connection.recv(min(65536, size - len(body)))
            if not chunk:
                return
            body += chunk
        request = json.loads(body.decode("utf-8"))
        if request.get("code") != code:
            connection.sendall(json.dumps({"refused": "other code"}).encode() + b"\n")
            return
        connection.settimeout(None)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            listener.close()
            _child(connection, request, fds)
    except (OSError, ValueError, struct.error):
        return
    finally:
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        connection.close()


def _child(connection: socket.socket, request: dict, fds: list[int]) -> None:
    status = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        fds.clear()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ[FORKED_ENV] = "1"
        time.tzset()
        from src.build import service

        service.SERVICE_DIR = service.service_dir()  # read from the environment when the module was imported
        os.umask(int(request.get("umask", 0o022)))
        streams = request.get("streams") or [{}] * 3
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), **_text_settings(streams[0]))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=os.isatty(1),
                                      **_text_settings(streams[1]))
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True,
                                      **_text_settings(streams[2]))
        sys.argv = ["python -m src.build", *request["argv"]]
        try:
            connection.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
            go = connection.makefile("rb").readline() == GO
        except OSError:
            go = False
        if not go:  # the command gave up waiting and builds itself: end without a word
            os._exit(0)
        from src.build.cli import main

        status = main(list(request["argv"]))
    except SystemExit as leaving:  # argparse's errors (2) and --help (0)
        status = leaving.code if isinstance(leaving.code, int) else (0 if leaving.code is None else 1)
        if not isinstance(leaving.code, int) and leaving.code is not None:
            print(leaving.code, file=sys.stderr)
    except KeyboardInterrupt:
        status = 130
    except BaseException:  # noqa: BLE001 - reported as the command would, then the exit code
        traceback.print_exc()
        status = 1
    finally:
        import logging

        logging.shutdown()  # what a normal exit does for the build's log handlers; the other exit
        # handlers are the server's (registered at its imports) and are not run in a child
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed terminal
                pass
        try:
            connection.sendall(json.dumps({"exit": int(status or 0)}).encode() + b"\n")
        except OSError:
            pass
        os._exit(int(status or 0) & 0xFF)


def _text_settings(stream: dict) -> dict:
    return {"encoding": stream.get("encoding") or "utf-8", "errors": stream.get("errors") or "strict"}


def start(folder: Path, code: str, log) -> object:
    """Start the build server for the service in ``folder`` (a child of the calling process)."""
    import subprocess

    from src.paths import PROJECT_ROOT

    return subprocess.Popen(
        [sys.executable, "-m", "src.build.forkserver", "--socket", str(socket_path(folder)), "--code", code,
         "--parent", str(os.getpid())],
        cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m src.build.forkserver", description=__doc__.split("\n\n")[0])
    cli.add_argument("--socket", required=True)
    cli.add_argument("--code", required=True)
    cli.add_argument("--parent", type=int)
    args = cli.parse_args(argv)
    started = time.perf_counter()
    try:
        return serve(Path(args.socket), args.code, args.parent)
    finally:
        print(f"构建服务进程运行了 {time.perf_counter() - started:.0f} 秒", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
