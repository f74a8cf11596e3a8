"""The command line: ``python -m src.builder`` (``make reports`` wraps it)."""
from __future__ import annotations

import argparse
import os
import sys

from src.builder.executors import ExecutorError, check_executor
from src.builder.run import build
from src.paths import PROJECT_ROOT, RAW_DIR
from src.report_date import ReportDateError, to_date

EPILOG = ("Exit codes: 0 ok; 1 some reports failed (previous reports kept); 2 bad input; 3 environment (no CJK font, "
          "reports folder not writable); 75 another build of the same output folder is running (--no-wait); "
          "130/143 interrupted (Ctrl-C/SIGTERM; previous reports kept).")


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m src.builder",
        description="Build the clean table, the classification and every report from one raw key-task table.",
        epilog=EPILOG,
    )
    cli.add_argument("--raw", help=f"raw table: .md, .xlsx, .xls, .docx, .csv or a text PDF (default: the newest period "
                     f"among the tables in {RAW_DIR.relative_to(PROJECT_ROOT)}/)")
    cli.add_argument("--out", help="output folder: <out>/data and <out>/reports (default: data/processed and reports/)")
    cli.add_argument("--as-of", dest="as_of", help="report date YYYY-MM-DD (default: the period in the table's title)")
    cli.add_argument("--overrides", help="analyst overrides CSV (default: the period's own "
                     "data/periods/<year>-<period>/overrides.csv, or <out>/overrides.csv with --out)")
    cli.add_argument("--previous", help="the previous period: its raw table, or the OUT folder of its build "
                     "(default: the kept period before this one in data/periods/, else an earlier table of the same series in data/raw/)")
    cli.add_argument("--force-compare", dest="force_compare", action="store_true",
                     help="compare even with a table from another office or period (also FORCE_COMPARE=1)")
    cli.add_argument("--profile", help="office profile in data/reference/profiles/ (tolerance band, lag tiers; default: strict)")
    cli.add_argument("--force", action="store_true", help="rebuild everything, even what is up to date")
    cli.add_argument("--no-wait", dest="wait", action="store_false",
                     help="when another build of the same output folder is running, exit at once with code 75 "
                     "instead of waiting for it")
    cli.add_argument("--accept-damaged", dest="accept_damaged", action="store_true",
                     help="publish a Word row with cells physically missing (its missing cells read as empty: 未报送) "
                     "instead of stopping with exit 2 (also ACCEPT_DAMAGED=1)")
    cli.add_argument("--jobs", type=int, help="reports rendered in parallel (default: number of cores)")
    cli.add_argument("--executor", help="where the reports are rendered: local (default, --jobs worker processes), "
                     "or tcp://host:port / tls://host:port (an existing Dask scheduler; needs the 'distributed' "
                     "package and the same paths on every worker: see docs/performance.md)")
    cli.add_argument("--watch", action="store_true",
                     help="build, then build again whenever the overrides, data/raw/ or data/reference/ change "
                     "(make watch; the workers and their kernels stay warm; Ctrl-C stops everything)")
    return cli


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cli = parser()
    args = cli.parse_args(argv)
    if args.accept_damaged:
        from src.table.ingest.word import ACCEPT_DAMAGED_ENV  # cold start: python-docx, only for --accept-damaged

        os.environ[ACCEPT_DAMAGED_ENV] = "1"  # read by the Word reader; the warning goes to the data-quality summary
    as_of = None
    if args.as_of:
        try:
            as_of = to_date(args.as_of)
        except ReportDateError:
            cli.error(f"--as-of {args.as_of!r}: 应为 YYYY-MM-DD (expected YYYY-MM-DD)")
    if args.executor:
        try:
            check_executor(args.executor)
        except ExecutorError as error:
            cli.error(str(error))
    options = {"raw": args.raw, "out": args.out, "as_of": as_of, "force": args.force, "jobs": args.jobs,
               "overrides": args.overrides, "previous": args.previous,
               "force_compare": True if args.force_compare else None, "profile": args.profile, "executor": args.executor,
               "wait": args.wait}
    if args.watch:
        from src.builder.watch import watch  # cold start: watchfiles and anyio only for --watch

        return watch(argv, options)
    code, summary = build(**options)
    if summary.interrupted:  # its summary is printed and its processes stopped: end now, whatever threads remain
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
