"""Build everything from one raw table: clean → classify → reports → index and workbook.

    python -m src.build [--raw FILE] [--out DIR] [--as-of YYYY-MM-DD] [--force] [--jobs N]

``make reports`` is a thin wrapper over this. Exit codes:

    0  everything built (or nothing needed rebuilding)
    1  some reports failed (or the build met an unexpected error, its traceback in the
       log only): the published reports were kept untouched; the failed executed
       notebooks are kept under <data>/.build/failed-<time>/
    2  bad input: the raw table, the overrides file or the report date (the
       message names the file, the line and what is wrong)
    3  environment: no CJK font, or the reports folder cannot be published safely
   75  another build of the same output folder holds the lock (with --no-wait)
  130  interrupted by Ctrl-C; 143 by SIGTERM (the published reports kept)

The package by job: :mod:`~src.build.run` (the sequence of steps),
:mod:`~src.build.plan` (the reports' plan: what each report reads, whether the set is current),
:mod:`~src.build.state` (fingerprints of inputs and of what was written),
:mod:`~src.build.workers` (the report worker processes),
:mod:`~src.build.lock` (one build at a time per output folder),
:mod:`~src.build.publish` (staging, the swap and its recovery, hand-edited files,
index and workbook), :mod:`~src.build.processes` (signals, nothing left running), :mod:`~src.build.console` (progress and the Chinese
summary), :mod:`~src.build.cli` (the command line).
"""
from src.build.cli import main
from src.build.console import BuildSummary
from src.build.run import BuildInputError, Layout, build

__all__ = ["build", "main", "BuildSummary", "BuildInputError", "Layout"]
