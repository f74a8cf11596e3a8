"""Warm kernels: each report worker keeps one Jupyter kernel across the reports it renders.

A cold papermill run starts a kernel and imports pandas, matplotlib, pyarrow and
the project in it for every report (about 1.5 s of a 3–4 s report on the
development machine). Here a worker starts its kernel once, imports the project
and sets the report style in it (:data:`PRIME_CODE`, run while the build is
still classifying), and then, for every report:

1. **a clean namespace** — :data:`RESET_CODE` empties the user namespace the way
   ``%reset -f`` does (and ``Out``, ``In``), closes every figure, restores the
   matplotlib settings, warning filters, ``sys.path`` and working directory the
   kernel had before its first report, and sets the execution counter back to 1,
   so the executed notebook numbers its cells as a cold run does;
2. **the same papermill run** — the notebook still goes through
   ``papermill.execute_notebook`` (parameters cell, per-cell metadata, the
   executed ``.ipynb``); only the engine differs: :class:`WarmKernelEngine` is
   papermill's own ``NBClientEngine`` given the kept kernel manager and client
   instead of starting a new kernel;
3. **a fresh kernel after a failure** — a report that fails (an error in a cell,
   a dead kernel, a timeout) shuts its kernel down; the next report starts a new
   one. A kernel is also replaced when the code fingerprint of the job differs
   from the one it was started for (a long-lived Dask worker after an upgrade).

Imported modules are what a warm kernel keeps (that is the point); modules are
not reloaded, so a kernel serves one version of the code (see 3).

The kernels belong to the worker process (one per thread that renders) and are
shut down when it exits (:func:`shutdown_all`, registered with
``multiprocessing.util.Finalize`` and ``atexit``).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from multiprocessing import util

# Cold start: jupyter_client, jupyter_core and papermill are imported inside the functions that
# start or drive a kernel: the build process imports this module (through src.builder.workers)
# and never starts a kernel itself.

__all__ = ["ENGINE_NAME", "WarmKernel", "WarmKernelEngine", "KernelSetupError", "checkout", "discard",
           "register_engine", "shutdown_all", "kernel_folders", "warm_up", "last_checkout_seconds"]

ENGINE_NAME = "warm-kernel"
HISTORY_ARGUMENT = "--HistoryManager.hist_file=:memory:"  # as nbclient starts its kernels

# Run once in a new kernel. Everything it defines lives in a module object in
# sys.modules, which a namespace reset does not touch.
PRIME_CODE = r'''
def _prime_report_kernel():
    import os, sys, types, warnings
    import matplotlib
    import matplotlib.pyplot as plt
    plt.close(plt.figure())  # a first figure loads the inline backend, which turns on interactive mode
    # (figures shown after each cell), as a report's first chart does in a new kernel
    try:  # what the first cell of a report imports, and the data reader
        import pyarrow.parquet  # noqa: F401
        from src import helpers
        from src.report import plots
    except Exception:  # the report itself will fail with the real message
        helpers = plots = None
    # the state after those imports is the one every report starts from
    state = types.ModuleType("_warm_report_kernel")
    state.cwd = os.getcwd()
    state.path = list(sys.path)
    state.filters = list(warnings.filters)
    state.rc = dict(matplotlib.rcParams)

    def reset():
        import matplotlib
        import matplotlib.pyplot as plt
        plt.close("all")
        shell = get_ipython()
        shell.reset(new_session=True)  # what %reset -f clears: user namespace, In/Out, the output cache
        shell.execution_count = 1
        os.chdir(state.cwd)
        sys.path[:] = state.path
        warnings.filters[:] = state.filters
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(state.rc)

    state.reset = reset
    sys.modules[state.__name__] = state
    try:  # what a report pays once per kernel besides imports: the font lookup and loading, a first chart
        helpers.set_report_style()
        figure, axes = plt.subplots(figsize=(2, 1))
        axes.set_title("督查室重点工作滞后序时推进")
        plots.figure_png(figure)  # as src.report.model.chart draws a chart
        plt.close(figure)
    except Exception:  # no CJK font, say: the report itself will fail with the real message
        pass
    reset()

_prime_report_kernel()
'''

RESET_CODE = "__import__('sys').modules['_warm_report_kernel'].reset()"


class KernelSetupError(RuntimeError):
    """A kept kernel could not be started, primed or reset."""


class WarmKernel:
    """One started kernel (manager + client) for one (kernel name, working directory, code version)."""

    def __init__(self, kernel_name: str, cwd: str, code_key: str, start_timeout: float = 60):
        from jupyter_client.manager import AsyncKernelManager  # cold start: jupyter and papermill only when a report is rendered
        from jupyter_core.utils import run_sync  # cold start: as above

        self.kernel_name, self.cwd, self.code_key = kernel_name, cwd, code_key
        self.reports = 0
        # Unix sockets in a folder of its own, not TCP ports: two workers starting their kernels at
        # the same moment could be handed the same free port (one kernel then dies at start).
        # inside the build's own folder when it gives one (src.builder.processes.KERNEL_DIR_ENV): removed with the build
        inside = os.environ.get("KEY_TASKS_KERNEL_DIR") or None
        self.sockets = tempfile.mkdtemp(prefix="kernel-" if inside else "key-tasks-kernel-", dir=inside)
        _folders.add(self.sockets)
        # The connection file (it holds the kernel's key) goes in the same folder, not loose in the temp folder:
        # removing the folder removes everything, also when the worker has to go in a hurry (src.builder.processes).
        self.km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(self.sockets, "kernel"),
                                     connection_file=os.path.join(self.sockets, "connection.json"))
        try:
            run_sync(self.km.start_kernel)(cwd=cwd, extra_arguments=[HISTORY_ARGUMENT])
        except Exception:
            shutil.rmtree(self.sockets, ignore_errors=True)
            raise
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            run_sync(self.kc.wait_for_ready)(timeout=start_timeout)
            self.kc.allow_stdin = False
            self.run(PRIME_CODE, timeout=start_timeout + 60)
        except Exception:
            self.shutdown()
            raise

    def run(self, code: str, timeout: float = 60) -> None:
        """Run setup code silently (no history, no execution count); raise on error."""
        from jupyter_core.utils import run_sync  # cold start: as above

        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, allow_stdin=False, timeout=timeout, output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelSetupError(f"{content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync  # cold start: as above

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync  # cold start: as above

        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        try:
            run_sync(self.km.cleanup_resources)()
        except Exception:
            pass
        shutil.rmtree(self.sockets, ignore_errors=True)
        _folders.discard(self.sockets)


_folders: set[str] = set()  # every kernel folder of this process, from the moment it exists
_local = threading.local()  # each rendering thread keeps its own kernel (its own event loop)
_all: list[WarmKernel] = []
_all_lock = threading.Lock()
_registered = False


def _kernels() -> dict:
    if not hasattr(_local, "kernels"):
        _local.kernels = {}
        _local.last_checkout = 0.0
    return _local.kernels


def checkout(kernel_name: str, cwd: str, code_key: str, start_timeout: float = 60) -> WarmKernel:
    """This thread's kernel for (name, cwd), reset to a clean namespace; started
    (and primed) when there is none, it died, or it serves other code."""
    _ensure_shutdown_registered()
    started = time.perf_counter()
    kernels = _kernels()
    kernel = kernels.get((kernel_name, cwd))
    if kernel is not None and (kernel.code_key != code_key or not kernel.alive()):
        discard(kernel)
        kernel = None
    if kernel is not None:
        try:
            kernel.run(RESET_CODE)
        except Exception:
            discard(kernel)
            kernel = None
    if kernel is None:
        kernel = WarmKernel(kernel_name, cwd, code_key, start_timeout)
        kernels[(kernel_name, cwd)] = kernel
        with _all_lock:
            _all.append(kernel)
    kernel.reports += 1
    _local.last_checkout = time.perf_counter() - started
    return kernel


def last_checkout_seconds() -> float:
    """How long this thread's last :func:`checkout` took (kernel start and priming, or the reset)."""
    _kernels()
    return _local.last_checkout


def discard(kernel: WarmKernel) -> None:
    """Shut a kernel down and forget it (after a failure)."""
    kernels = _kernels()
    for key, kept in list(kernels.items()):
        if kept is kernel:
            del kernels[key]
    with _all_lock:
        if kernel in _all:
            _all.remove(kernel)
    kernel.shutdown()


def warm_up(kernel_name: str, cwd: str, code_key: str) -> None:
    """Start and prime this thread's kernel ahead of its first report; nothing when it has
    a live one for this code (its next report resets it)."""
    kept = _kernels().get((kernel_name, cwd))
    if kept is not None and kept.code_key == code_key and kept.alive():
        return
    kernel = checkout(kernel_name, cwd, code_key)
    kernel.reports -= 1


def kernel_folders() -> list[str]:
    """The folders (sockets and connection file) of this process's kernels."""
    return sorted(_folders)


def shutdown_all() -> None:
    with _all_lock:
        kernels = list(_all)
        _all.clear()
    for kernel in kernels:
        kernel.shutdown()
    if hasattr(_local, "kernels"):
        _local.kernels.clear()


def _ensure_shutdown_registered() -> None:
    global _registered
    if _registered:
        return
    util.Finalize(None, shutdown_all, exitpriority=20)  # pool workers leave through os._exit: atexit would not run
    atexit.register(shutdown_all)
    _registered = True


def _engine_class():
    from papermill.clientwrap import PapermillNotebookClient  # cold start: papermill only when a report is rendered
    from papermill.engines import NBClientEngine  # cold start: papermill only when a report is rendered
    from papermill.log import logger  # cold start: papermill only when a report is rendered
    from papermill.utils import merge_kwargs, remove_args  # cold start: papermill only when a report is rendered

    class WarmKernelEngine(NBClientEngine):
        """papermill's NBClientEngine, executing in this thread's kept kernel.

        Extra ``execute_notebook`` keyword arguments: ``kernel_cwd`` (the kernel's
        working directory), ``code_key`` (the version of the code it serves) and
        ``failure_path`` (where to write the notebook as far as it ran when the
        kernel dies: with ``request_save_on_cell_execute=False`` papermill writes
        it only at the end, or on a cell's error)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, kernel_cwd=None, code_key="",
                                     failure_path=None, **kwargs):
            kwargs = remove_args(["input_path", "shutdown_kernel"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
            )
            kernel = checkout(kernel_name, kernel_cwd or os.getcwd(), code_key, start_timeout)
            client = PapermillNotebookClient(nb_man, km=kernel.km, **final_kwargs)
            client.kc = kernel.kc  # kept: setup_kernel neither starts a kernel nor a client, and cleans neither up
            try:
                result = client.execute()
            except BaseException:
                discard(kernel)
                if failure_path:  # the kernel died or timed out: keep what ran, for logs/failed-*
                    from papermill.iorw import write_ipynb  # cold start: papermill only when a report is rendered

                    write_ipynb(nb_man.nb, failure_path)
                raise
            if nb_man.nb.metadata.get("papermill", {}).get("exception"):
                discard(kernel)  # a cell failed: the next report gets a fresh kernel
            return result

    return WarmKernelEngine


WarmKernelEngine = None  # the class, once :func:`register_engine` has run (papermill is imported lazily)


def register_engine() -> str:
    """Register :class:`WarmKernelEngine` with papermill (once per process); returns its name."""
    global WarmKernelEngine
    from papermill.engines import papermill_engines  # cold start: papermill only when a report is rendered

    if WarmKernelEngine is None:
        WarmKernelEngine = _engine_class()
    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
    return ENGINE_NAME
