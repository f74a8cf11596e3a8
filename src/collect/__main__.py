"""``python -m src.collect out --period 2020-09-30`` / ``python -m src.collect in --from <folder>``.

Exit codes: 0 done (faults in the returns are listed, not fatal), 2 bad input
(period, source, round, folder; or no unit's return could be read, so no summary
was written), 3 environment (a file that cannot be written).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from src.collect.gather import gather
from src.collect.send import OUT_FOLDER, find_round, load_round, send_round
from src.collect.settings import CollectError, office_settings, parse_period, show_time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m src.collect", description="收集各单位填报：下发填报表、汇总回传")
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("out", help="为每个牵头单位生成预填的填报工作簿和发送清单")
    out.add_argument("--period", required=True, help="统计期：2020-09-30、2020年前三季度、2020年1-10月、2020-Q3")
    out.add_argument("--source", help="上期汇总表，或构建的输出目录（默认 data/processed，没有时取 data/raw 中最新的汇总表）")
    out.add_argument("--deadline", help="报送截止 YYYY-MM-DD [HH:MM]（默认按 office.toml [collect]）")
    out.add_argument("--out", type=Path, help="本轮文件夹（默认 data/interim/collect/<统计期末>/）")
    back = commands.add_parser("in", help="读入各单位回传的工作簿，写出本期汇总表和填报情况")
    back.add_argument("--from", dest="source", required=True, help="放回传工作簿的文件夹")
    back.add_argument("--period", help="本轮统计期（默认最近一次下发的一轮）")
    back.add_argument("--round", type=Path, help="本轮文件夹（默认 data/interim/collect/<统计期末>/）")
    back.add_argument("--to", type=Path, help="汇总表写到哪个文件夹（默认 data/raw/）")
    args = parser.parse_args(argv)
    try:
        return _out(args) if args.command == "out" else _in(args)
    except CollectError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"错误：无法读写 {error.filename or ''}：{error.strerror or error}（请检查文件夹权限、磁盘空间，或关闭在 Excel/WPS 中打开的文件）",
              file=sys.stderr)
        return 3


def _out(args) -> int:
    settings = office_settings()
    sent = send_round(parse_period(args.period), source=args.source, out=args.out, deadline=args.deadline,
                      settings=settings)
    print(f"{sent.period.name}：{len(sent.units)} 个牵头单位，{len(sent.tasks)} 项任务，报送截止 {show_time(sent.deadline, settings)}")
    print(f"填报工作簿：{sent.folder / OUT_FOLDER}/（每个单位一份）")
    print(f"发送清单：{sent.folder / '发送清单.xlsx'}、发送清单.csv（单位、文件、任务数，供邮件合并）")
    return 0


def _in(args) -> int:
    if not str(args.source or "").strip():
        raise CollectError("请用 FROM= 指定放回传工作簿的文件夹，如 make collect-in FROM=~/回传 (FROM is required)")
    folder = args.round or find_round(parse_period(args.period) if args.period else None)
    result = gather(load_round(folder), Path(args.source).expanduser(), to=args.to)
    for line in result.console_lines():
        print(line)
    return 0 if result.summary_path else 2  # nothing read: bad input (the wrong folder, most likely)


if __name__ == "__main__":
    sys.exit(main())
