"""Warm report workers that outlive one build: ``--executor warm``.

An analyst who adds an override and rebuilds pays, with the default local pool,
for new worker processes, their imports and a new kernel in each (about 4 s of
CPU per worker) before the first report is rendered again. ``--executor warm``
keeps them: the first build starts a small Dask cluster on this machine in a
background process (the *service*), whose workers keep their warm kernels
(:mod:`src.build.kernels`) between builds; later builds send their report jobs to
it (the ``tcp://`` path of :class:`src.build.executors.DaskBackend`).

* **One per project checkout**, on 127.0.0.1 only; its address, process id and
  the code it serves are in ``.cache/report-workers/service.json``; its log
  (the kernels' warnings too) in ``.cache/report-workers/service.log``.
* **Serves one version of the code.** A build whose code fingerprint
  (:func:`src.build.state.code_fingerprint`: ``src/``, the templates,
  ``data/reference/``) differs from the service's stops it and starts a new one,
  so a report is never rendered by code older than the build's.
* **Stops by itself** after ``idle_minutes`` without work (default 30; the
  scheduler's ``idle-timeout``), or with ``make workers-stop``
  (``python -m src.build.service stop``).
* **Keeps a build process too** (:mod:`src.build.forkserver`): a process that has
  imported what a build needs waits on ``build.sock`` in the same folder; a later
  ``--executor warm`` build is forked from it instead of starting Python and
  importing pandas, the classifier and the Dask client again. It serves the same
  code fingerprint and stops with the service.
* Not for the scheduled job: a cron build should leave no process behind; it
  uses the default local pool.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from src.build.forkserver import FORKED_ENV
from src.paths import PROJECT_ROOT

__all__ = ["SERVICE_DIR", "ServiceError", "ensure", "running", "stop", "serve", "main"]

# KEY_TASKS_WORKERS_DIR: another place for the state and log (the benchmark keeps its own service there)
def service_dir() -> Path:
    return Path(os.environ.get("KEY_TASKS_WORKERS_DIR") or PROJECT_ROOT / ".cache" / "report-workers")


SERVICE_DIR = service_dir()
IDLE_MINUTES = 30
START_TIMEOUT = 90


class ServiceError(RuntimeError):
    """The warm workers could not be started."""


def _state_file(folder: Path) -> Path:
    return Path(folder) / "service.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a process that has exited but whose parent has not reaped it yet is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def running(folder: Path | None = None) -> dict | None:
    """The running service's state (``address``, ``pid``, ``code``, ``workers``), or None.
    ``folder``: where its state is kept (default :data:`SERVICE_DIR`)."""
    folder = Path(folder or SERVICE_DIR)
    try:
        state = json.loads(_state_file(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not state.get("address") or not _alive(int(state.get("pid", 0))):
        return None
    return state


def stop(folder: Path | None = None, timeout: float = 30) -> bool:
    """Stop the service (SIGTERM, then wait for it to close its cluster). True when one was running."""
    folder = Path(folder or SERVICE_DIR)
    state = running(folder)
    if state is None:
        _state_file(folder).unlink(missing_ok=True)
        return False
    pid = int(state["pid"])
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    _state_file(folder).unlink(missing_ok=True)
    return True


def ensure(workers: int, code: str, folder: Path | None = None, idle_minutes: float = IDLE_MINUTES) -> dict:
    """The service for this code, started (and waited for) when there is none, or when
    the one running serves other code or another number of workers."""
    import fcntl

    folder = Path(folder or SERVICE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "service.lock", "w") as lock:  # two builds at once: one starts it, the other waits and uses it
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = running(folder)
        if state is not None and state.get("code") == code and int(state.get("workers", 0)) == workers:
            return state
        if state is not None:
            stop(folder)
        return _start(workers, code, folder, idle_minutes)


def _start(workers: int, code: str, folder: Path, idle_minutes: float) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    _state_file(folder).unlink(missing_ok=True)
    log = open(folder / "service.log", "ab")  # noqa: SIM115 - handed to the child, closed below
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "src.build.service", "serve", "--workers", str(workers), "--code", code,
             "--folder", str(folder), "--idle-minutes", str(idle_minutes)],
            cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True,  # not the build's process group: Ctrl-C on a build leaves it alone
            env={name: value for name, value in os.environ.items() if name != FORKED_ENV},  # started by a forked build
        )
    finally:
        log.close()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        state = running(folder)
        if state is not None and int(state["pid"]) == process.pid:
            return state
        if process.poll() is not None:
            raise ServiceError(f"常驻报告进程未能启动，见 {folder / 'service.log'} (the warm workers did not start)")
        time.sleep(0.1)
    process.terminate()
    raise ServiceError(f"常驻报告进程 {START_TIMEOUT} 秒内未就绪，见 {folder / 'service.log'} (the warm workers did not start in time)")


def serve(workers: int, code: str, folder: Path, idle_minutes: float) -> int:
    """The service process: a local Dask cluster (``workers`` processes, one thread each), its
    workers warmed up, its address written; runs until idle for ``idle_minutes`` or SIGTERM."""
    sys.modules.setdefault("rfc3987_syntax", None)  # see src.build.workers
    import dask
    import distributed

    from src.build import forkserver
    from src.build.workers import _warm_worker

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    settings = {"distributed.scheduler.idle-timeout": f"{idle_minutes * 60}s",
                # Dask's sampling profiler looks at every thread 100 times a second: CPU the reports need
                "distributed.worker.profile.enabled": False}
    with dask.config.set(settings):
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", scheduler_port=0, dashboard_address=None)
    client = distributed.Client(cluster, set_as_default=False)
    builds = None
    try:
        kernel = (str(PROJECT_ROOT), code)
        warming = [client.submit(_warm_worker, None, kernel, workers=[worker], pure=False, key=f"warm-up-{worker}")
                   for worker in client.scheduler_info()["workers"]]
        builds = forkserver.start(folder, code, sys.stdout)  # the build process kept warm (src.build.forkserver)
        state = {"address": cluster.scheduler_address, "pid": os.getpid(), "code": code, "workers": workers,
                 "build_server": str(forkserver.socket_path(folder)), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        temporary = _state_file(folder).with_suffix(".tmp")
        temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, _state_file(folder))
        print(f"常驻报告进程：{state['address']}，{workers} 个进程，空闲 {idle_minutes:g} 分钟后退出", flush=True)
        client.gather(warming, errors="skip")  # a warm-up that fails leaves the first report to start its kernel
        while not stopping and cluster.scheduler.status.name not in ("closing", "closed"):
            time.sleep(0.5)
    finally:
        try:
            current = running(folder)
            if current is not None and current.get("pid") == os.getpid():  # not a successor's state
                _state_file(folder).unlink(missing_ok=True)
        finally:
            if builds is not None:
                builds.terminate()
                try:
                    builds.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    builds.kill()
            client.close()
            cluster.close()
    print("常驻报告进程已退出", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m src.build.service", description=__doc__.split("\n\n")[0])
    commands = cli.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start the warm workers (or keep the running ones)")
    start.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    start.add_argument("--idle-minutes", type=float, default=IDLE_MINUTES)
    commands.add_parser("stop", help="stop the warm workers")
    commands.add_parser("status", help="say whether the warm workers run, and where")
    inner = commands.add_parser("serve", help=argparse.SUPPRESS)
    inner.add_argument("--workers", type=int, required=True)
    inner.add_argument("--code", required=True)
    inner.add_argument("--folder", required=True)
    inner.add_argument("--idle-minutes", type=float, default=IDLE_MINUTES)
    args = cli.parse_args(argv)
    if args.command == "serve":
        return serve(args.workers, args.code, Path(args.folder), args.idle_minutes)
    if args.command == "start":
        from src.build.state import code_fingerprint

        try:
            state = ensure(max(1, args.workers), code_fingerprint(), idle_minutes=args.idle_minutes)
        except ServiceError as error:
            print(error, file=sys.stderr)
            return 3
        print(f"常驻报告进程运行中：{state['address']}（{state['workers']} 个进程，进程号 {state['pid']}）")
        return 0
    if args.command == "stop":
        print("常驻报告进程已停止" if stop() else "没有运行中的常驻报告进程")
        return 0
    state = running()
    print(f"常驻报告进程运行中：{state['address']}（{state['workers']} 个进程，进程号 {state['pid']}，启动于 {state['started']}）"
          + (f"；常驻构建进程 {state['build_server']}" if state.get("build_server") else "")
          if state else "没有运行中的常驻报告进程")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
