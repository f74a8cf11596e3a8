"""Build everything from one raw table: clean → classify → reports → index and workbook.

    python -m src.builder [--raw FILE] [--out DIR] [--as-of YYYY-MM-DD] [--force] [--jobs N]

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

The package by job: :mod:`~src.builder.run` (the sequence of steps),
:mod:`~src.builder.plan` (the reports' plan: what each report reads, whether the set is current),
:mod:`~src.builder.state` (fingerprints of inputs and of what was written),
:mod:`~src.builder.workers` (the report worker processes),
:mod:`~src.builder.lock` (one build at a time per output folder),
:mod:`~src.builder.publish` (staging, the swap and its recovery, hand-edited files,
index and workbook), :mod:`~src.builder.processes` (signals, nothing left running), :mod:`~src.builder.console` (progress and the Chinese
summary), :mod:`~src.builder.cli` (the command line).
"""
from src.builder.cli import main
from src.builder.console import BuildSummary
from src.builder.run import BuildInputError, Layout, build

__all__ = ["build", "main", "BuildSummary", "BuildInputError", "Layout"]
