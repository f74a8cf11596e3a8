"""Nothing the build starts outlives it.

* **The build** turns SIGTERM (what cron's ``timeout`` and systemd send) into
  :class:`BuildInterrupted`, as Ctrl-C (SIGINT) is a ``KeyboardInterrupt``; the
  build then stops its worker processes (:func:`stop_descendants`: SIGTERM, then
  SIGKILL for whatever is left after a few seconds), ends with its Chinese summary
  and exit code 130 (Ctrl-C) or 143 (SIGTERM), and the published reports stay as they
  were. While the new set is being swapped in, both signals wait (:func:`signals_held`).
* **Each worker process** (:func:`worker_started`, the pool's initializer) ignores
  SIGINT (Ctrl-C on a terminal reaches the whole process group; the build decides),
  and on SIGTERM, or as soon as its parent build is gone (even after SIGKILL, which
  the build cannot handle), kills its kernels, removes their connection files
  (:func:`src.builder.kernels.kernel_folders`) and exits.
* **Kernels** run ipykernel's parent poller: a kernel whose worker died exits by itself.
  Their folders (sockets, and the connection file with its key) are made inside one
  folder per build (:func:`kernel_folder`, passed to the workers in ``KEY_TASKS_KERNEL_DIR``),
  which the build removes as it ends, also when a worker had to be killed.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager

__all__ = ["BuildInterrupted", "interruptible", "kernel_folder", "KERNEL_DIR_ENV", "signals_held", "stop_descendants", "worker_started", "EXIT_SIGINT",
           "EXIT_SIGTERM"]

EXIT_SIGINT, EXIT_SIGTERM = 130, 143
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class BuildInterrupted(BaseException):
    """The build was asked to stop (SIGTERM). Like KeyboardInterrupt, not an Exception."""

    exit_code = EXIT_SIGTERM


def _raise_interrupted(signum, frame):
    raise BuildInterrupted()


@contextmanager
def interruptible():
    """In the main thread: SIGTERM raises :class:`BuildInterrupted` for the ``with`` block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def signals_held():
    """SIGINT and SIGTERM wait until the ``with`` block is done (the swap of the published set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


KERNEL_DIR_ENV = "KEY_TASKS_KERNEL_DIR"


@contextmanager
def kernel_folder():
    """One temporary folder for the kernels of this build's workers, removed at the end."""

    folder = tempfile.mkdtemp(prefix="key-tasks-build-")
    previous = os.environ.get(KERNEL_DIR_ENV)
    os.environ[KERNEL_DIR_ENV] = folder
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(KERNEL_DIR_ENV, None)
        else:
            os.environ[KERNEL_DIR_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


def stop_descendants(grace: float = 5.0) -> list[int]:
    """SIGTERM to every process this one started (workers first: they stop their kernels),
    SIGKILL to those still alive after ``grace`` seconds. Returns the process ids it stopped."""
    import psutil  # cold start: ~30 ms, only when processes are stopped

    me = psutil.Process()
    everyone = me.children(recursive=True)
    for child in me.children():
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(everyone, timeout=grace)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)
    return [process.pid for process in everyone]


def _end_worker(code: int) -> None:
    """Kill this worker's kernels, remove their folders (connection files, sockets), exit."""

    import psutil  # cold start: ~30 ms, only when processes are stopped

    from src.builder import kernels  # cold start: multiprocessing and jupyter's helpers, only to stop kernels

    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    for folder in kernels.kernel_folders():
        shutil.rmtree(folder, ignore_errors=True)
    try:
        os.rmdir(os.environ.get(KERNEL_DIR_ENV, ""))  # the build's folder, once no worker has a kernel in it
    except OSError:
        pass
    os._exit(code)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    _end_worker(1)


def worker_started() -> None:
    """The initializer of every local worker process (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: _end_worker(EXIT_SIGTERM))
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="watch-build", daemon=True).start()
