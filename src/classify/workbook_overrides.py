"""The office workbook as an input: the 状态 drop-down and the 认定理由 column of
``key_tasks_classified.xlsx``, edited in Excel or WPS and saved, become this
period's overrides — with the list of changes shown before they apply.

    python -m src.classify.workbook_overrides reports/key_tasks_classified.xlsx          # shows the changes, asks
    python -m src.classify.workbook_overrides edited.xlsx --yes                          # applies without asking
    make overrides FROM=edited.xlsx [YES=1]

A row is a change when its 状态 differs from the published status (an override:
认定理由 required), when the 认定理由 of an overridden task was edited (the
reason updated), or when an overridden task's 认定理由 was cleared and its 状态
set back to the rule's (the override removed). Every sheet with a 序号 and a 状态
column is read (全部任务 and each leader's sheet); the same task edited two ways
is a fault. All faults are listed at once, nothing is written while there is one.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from src import paths, store
from src.classify.overrides import OverrideError, parse_override_date, remove_override, set_override
from src.compare.periods import overrides_file_of
from src.report.style import status_code, status_label

__all__ = ["WorkbookChange", "WorkbookError", "read_workbook_changes", "apply_workbook_changes"]


class WorkbookError(ValueError):
    """Faults of an edited workbook, all of them (Chinese first)."""

    def __init__(self, path, faults: list[str]):
        self.path, self.faults = str(path), faults
        lines = [f"工作簿 {path} 有 {len(faults)} 处需要改正（均未写入人工认定）："]
        lines += [f"  {index}. {fault}" for index, fault in enumerate(faults, start=1)]
        super().__init__("\n".join(lines) + " (the edited workbook has faults; nothing was applied)")


@dataclass
class WorkbookChange:
    task_id: int
    action: str  # "set" or "remove"
    status: str  # the status code wanted ("" for remove)
    reason: str
    reviewer: str
    when: str
    before: str  # the published status code
    where: str  # 工作表“…”第 N 行

    def sentence(self) -> str:
        if self.action == "remove":
            return f"序号 {self.task_id}：撤销人工认定，恢复按规则判定（{self.where}）"
        change = (f"{status_label(self.before)} → {status_label(self.status)}" if self.before != self.status
                  else f"仍为{status_label(self.status)}，理由更新")
        who = f"，复核人 {self.reviewer}" if self.reviewer else ""
        return f"序号 {self.task_id}：{change}，理由：{self.reason}{who}（{self.where}）"


PRINT_ONLY_SHEETS = {"打印"}  # src.report.workbook's print view of the same rows


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook_changes(workbook: str | Path, classified: pd.DataFrame) -> list[WorkbookChange]:
    """The changes an edited workbook asks for, against ``classified`` (the period's
    published table). Raises :class:`WorkbookError` listing every fault."""

    workbook = Path(workbook)
    if workbook.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(workbook, [f"只能读取 .xlsx 工作簿（这是 {workbook.suffix or '无扩展名'}）：在 WPS/Excel 中另存为 .xlsx"])
    try:
        book = load_workbook(workbook, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a damaged or foreign file
        raise WorkbookError(workbook, [f"无法打开工作簿（{error}）：请确认是 Excel/WPS 保存的 .xlsx 文件"]) from None
    rows = classified.set_index(classified["task_id"].astype(int))
    faults: list[str] = []
    wanted: dict[int, WorkbookChange] = {}
    read_any = False
    for sheet in book.worksheets:
        if sheet.title in PRINT_ONLY_SHEETS:  # a view for printing (状态 with its notes); never an input
            continue
        values = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(values, ())]
        if "序号" not in header or "状态" not in header:
            continue
        read_any = True
        column = {name: header.index(name) for name in ("序号", "状态", "认定理由", "复核人", "认定日期") if name in header}
        for number, cells in enumerate(values, start=2):
            cell = lambda name: _text(cells[column[name]]) if name in column and column[name] < len(cells) else ""  # noqa: E731
            where = f"工作表“{sheet.title}”第 {number} 行"
            if not cell("序号"):
                continue
            try:
                task_id = int(float(cell("序号")))
            except ValueError:
                faults.append(f"{where}：序号“{cell('序号')}”不是数字")
                continue
            if task_id not in rows.index:
                faults.append(f"{where}：序号 {task_id} 不在本期的任务表中")
                continue
            row = rows.loc[task_id]
            published, rule = str(row["status"]), str(row.get("rule_status", row["status"]))
            overridden = str(row.get("status_source", "rule")) == "override"
            reason, reviewer = cell("认定理由"), cell("复核人")
            code = status_code(cell("状态")) if cell("状态") else None
            if code is None:
                faults.append(f"{where}：状态“{cell('状态')}”无效，请从下拉列表中选择")
                continue
            try:
                when = parse_override_date(cell("认定日期"))
            except ValueError:
                when = None
            when = date.today().isoformat() if when == "" else when
            if when is None:
                faults.append(f"{where}：认定日期“{cell('认定日期')}”无法识别，写成 2020-07-20")
                continue
            change = None
            if overridden and not reason and code == rule:
                change = WorkbookChange(task_id, "remove", "", "", "", "", published, where)
            elif code != published or (overridden and reason and reason != str(row.get("override_reason", ""))):
                if not reason:
                    faults.append(f"{where}：序号 {task_id} 的状态改为“{cell('状态')}”，但认定理由是空的；每条人工认定都要写明理由")
                    continue
                change = WorkbookChange(task_id, "set", code, reason, reviewer, when, published, where)
            if change is None:
                continue
            earlier = wanted.get(task_id)
            if earlier and (earlier.action, earlier.status, earlier.reason) != (change.action, change.status, change.reason):
                faults.append(f"{where}：序号 {task_id} 与{earlier.where}的改法不同，请只在一处修改")
                continue
            wanted.setdefault(task_id, change)
    if not read_any:
        faults.append("没有找到有“序号”和“状态”两列的工作表：请使用构建生成的 key_tasks_classified.xlsx")
    if faults:
        raise WorkbookError(workbook, faults)
    return [wanted[key] for key in sorted(wanted)]


def apply_workbook_changes(changes: list[WorkbookChange], overrides_path: Path, classified: pd.DataFrame) -> Path:
    """Write ``changes`` into the period's overrides file (validated, atomic)."""

    for change in changes:
        if change.action == "remove":
            remove_override(overrides_path, classified, change.task_id)
        else:
            set_override(overrides_path, classified, change.task_id, change.status, change.reason, change.reviewer,
                         change.when)
    return Path(overrides_path)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m src.classify.workbook_overrides",
                                  description="把在 Excel/WPS 中改过的工作簿（状态、认定理由）变成本期的人工认定")
    cli.add_argument("workbook", help="改过的 key_tasks_classified.xlsx")
    cli.add_argument("--data", default=str(paths.PROCESSED_DIR), help="本期数据目录（默认 data/processed）")
    cli.add_argument("--yes", action="store_true", help="不询问，直接写入")
    args = cli.parse_args(argv)
    if not args.workbook:
        print("请用 FROM= 指明改过的工作簿：make overrides FROM=reports/key_tasks_classified.xlsx", file=sys.stderr)
        return 2
    data_dir = Path(args.data)
    classified_path = data_dir / "tasks_classified.parquet"
    if not classified_path.exists():
        print(f"{data_dir}: 还没有判定结果，请先运行 make reports", file=sys.stderr)
        return 2
    classified = store.read_table(classified_path)
    try:
        changes = read_workbook_changes(args.workbook, classified)
    except WorkbookError as error:
        print(error, file=sys.stderr)
        return 2
    target = overrides_file_of(data_dir)
    if not changes:
        print(f"{args.workbook}：与已发布的判定相比没有改动，{target} 不变")
        return 0
    print(f"{args.workbook}：共 {len(changes)} 处改动，将写入 {target}：")
    for change in changes:
        print("  " + change.sentence())
    if not args.yes:
        if not sys.stdin.isatty():
            print("未写入：确认无误后加 --yes（make overrides FROM=… YES=1）")
            return 0
        if input("写入这些人工认定？[y/N] ").strip().lower() not in ("y", "yes", "是"):
            print("未写入")
            return 0
    try:
        apply_workbook_changes(changes, target, classified)
    except OverrideError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"已写入 {target}；运行 make reports 后生效")
    return 0


if __name__ == "__main__":
    sys.exit(main())
