"""Build everything from one raw table: clean → classify → reports → index and workbook.

    python -m src.build [--raw FILE] [--out DIR] [--as-of YYYY-MM-DD] [--force] [--jobs N]

``make reports`` is a thin wrapper over this. Exit codes:

    0  everything built (or nothing needed rebuilding)
    1  some reports failed: the others were rendered, but the published reports
       were kept untouched; the failed executed notebooks are kept under
       <reports>/logs/failed-<time>/
    2  bad input: the raw table, the overrides file or the report date (the
       message names the file, the line and what is wrong)
    3  environment: no CJK font

The package by job: :mod:`~src.build.run` (the sequence of steps),
:mod:`~src.build.state` (fingerprints of inputs and of what was written),
:mod:`~src.build.workers` (the report worker processes),
:mod:`~src.build.publish` (staging, the atomic swap, leftovers of dead builds,
index and workbook), :mod:`~src.build.console` (progress and the Chinese
summary), :mod:`~src.build.cli` (the command line).
"""
from src.build.cli import main
from src.build.console import BuildSummary
from src.build.run import BuildInputError, Layout, build

__all__ = ["build", "main", "BuildSummary", "BuildInputError", "Layout"]
