"""``collect in``: every returned workbook in a folder read, each one's period
and unit established, the newest return of a unit kept, its rows matched to
the round's tasks (by the hidden id, else by the task's text) and validated.
Writing the results is :mod:`src.collect.summary`'s job.
"""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from src.collect.numbers import read_number, read_rate
from src.collect.returned import READABLE, Fault, ReturnedFile, ReturnedRow, read_return
from src.collect.send import Round
from src.collect.settings import COORDINATION_CHOICES, CollectError, office_settings, show_time, squash
from src.collect.source import Task, number_text
from src.collect.summary import console_lines, write_outputs
from src.table.document import read_period


@dataclass
class Entry:
    """One task as its unit reported it."""

    task: Task
    file: str
    row: int
    progress: str = ""
    problems: str = ""
    next_steps: str = ""
    actual: float | None = None
    actual_text: str = ""  # when the task has no number, what was typed
    rate: float | None = None  # percent points
    coordination: str = ""
    reporter: str = ""
    phone: str = ""

    @property
    def actual_shown(self) -> str:
        if self.actual is not None:
            return f"{number_text(self.actual)}{self.task.target_unit}"
        return self.actual_text

    @property
    def rate_shown(self) -> str:
        return f"{number_text(self.rate)}%" if self.rate is not None else ""


@dataclass
class UnitState:
    unit: str
    tasks: int
    state: str = "未报"  # 已报, 逾期, 未报
    file: str = ""
    saved_at: dt.datetime | None = None
    filled: int = 0  # tasks with progress
    reporter: str = ""
    phone: str = ""


@dataclass
class Gathered:
    round: Round
    settings: dict
    entries: dict = field(default_factory=dict)  # task key -> Entry
    units: list[UnitState] = field(default_factory=list)
    files: list[ReturnedFile] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)  # faults of no file in particular come first
    summary_path: Path | None = None
    report_path: Path | None = None
    chase_path: Path | None = None
    summary_note: str = ""

    def all_faults(self) -> list[Fault]:
        return self.faults + [f for returned in self.files for f in returned.faults]

    def console_lines(self) -> list[str]:
        return console_lines(self)


def gather(sent: Round, folder: Path, to: Path | None = None, settings: dict | None = None) -> Gathered:
    settings = settings or office_settings()
    folder = Path(folder)
    if not folder.is_dir():
        raise CollectError(f"{folder}: 回传文件夹不存在 (the folder of returns does not exist)")
    result = Gathered(sent, settings, units=[UnitState(u["unit"], u["tasks"]) for u in sent.units])
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith(("~$", ".")):
            continue
        if path.suffix.lower() not in READABLE:
            result.faults.append(Fault(path.name, None, "不是工作簿（.xlsx/.xls/.et/.ods），未读入", "提示"))
            continue
        result.files.append(read_return(path))
    by_unit: dict[str, list[ReturnedFile]] = {}
    for returned in result.files:
        if returned.unreadable or not _right_period(returned, sent):
            continue
        unit = _unit_of(returned, sent)
        if unit is None:
            returned.fault(None, "看不出是哪个单位的填报（回传信息表、填报单位行和任务都对不上本轮下发），未读入")
            continue
        by_unit.setdefault(unit, []).append(returned)
    states = {state.unit: state for state in result.units}
    for unit, returns in by_unit.items():
        kept = _newest(returns)
        state = states[unit]
        state.file, state.saved_at = kept.name, kept.saved_at
        state.state = "逾期" if kept.saved_at and kept.saved_at > sent.deadline else "已报"
        if state.state == "逾期":
            kept.fault(None, f"逾期报送：保存于 {show_time(kept.saved_at, settings)}，截止 {show_time(sent.deadline, settings)}",
                       "提示")
        try:
            _match_rows(kept, unit, sent, result, settings)
        except Exception as error:  # a workbook no check foresaw: named in the report, never a traceback
            result.entries = {key: e for key, e in result.entries.items() if e.file != kept.name}
            kept.fault(None, f"读入时出错（{type(error).__name__}: {error}），本份未读入，请人工核对后重新报送")
        own = [e for e in result.entries.values() if e.file == kept.name]
        state.filled = sum(1 for e in own if e.progress)
        if not state.filled:
            state.state = "未报"
            kept.fault(None, "发回的工作簿没有填写任何进展情况，按未报处理，列入催报清单")
        state.reporter = next((e.reporter for e in own if e.reporter), "")
        state.phone = next((e.phone for e in own if e.phone), "")
    write_outputs(result, to)
    return result


def _right_period(returned: ReturnedFile, sent: Round) -> bool:
    stated = returned.info.get("统计期", "")
    if stated:
        if stated != sent.period.key:
            returned.fault(None, f"这是统计期 {returned.info.get('统计期名称') or stated} 的填报表，不是本轮的 "
                                 f"{sent.period.name}（截至 {sent.period.key}），未读入")
            return False
        return True

    found = read_period(returned.title)
    year = returned.title[:4] if returned.title[:4].isdigit() else ""
    if found and year and f"{year}-{found[1]}" != sent.period.key:
        returned.fault(None, f"标题“{returned.title}”是另一个统计期的填报表，不是本轮的 {sent.period.name}，未读入")
        return False
    returned.fault(None, "隐藏的“回传信息”表已被删除，无法核对统计期和指纹；按表头和任务文字读入，请核实", "提示")
    return True


def _unit_of(returned: ReturnedFile, sent: Round) -> str | None:
    units = {u["unit"]: u for u in sent.units}
    named = returned.info.get("填报单位", "")
    if named in units:
        mark = returned.info.get("指纹", "")
        if mark and mark != units[named]["fingerprint"]:
            returned.fault(None, "回传信息中的指纹与本轮下发的不一致（可能是旧版或改过的表格），按任务编号和文字逐行核对", "提示")
        return named
    line = returned.unit_line.replace("填报单位", "").lstrip("：: ")
    named_in_line = [unit for unit in units if line.startswith(unit)]
    if named_in_line:
        return max(named_in_line, key=len)  # 市园文局（市运河综保委）, not 市园文局
    keys = {task.key: task.unit for task in sent.tasks}
    texts = {squash(task.task): task.unit for task in sent.tasks}
    votes: dict[str, int] = {}
    for row in returned.rows:
        unit = keys.get(row.key) or texts.get(squash(row.text("重点工作")))
        if unit:
            votes[unit] = votes.get(unit, 0) + 1
    if votes:
        return max(votes, key=votes.get)
    stem = squash(returned.path.stem)
    named_in_file = [unit for unit in units if squash(unit) in stem]
    return max(named_in_file, key=len) if named_in_file else None


def _newest(returns: list[ReturnedFile]) -> ReturnedFile:
    def when(returned: ReturnedFile):
        return (returned.saved_at or dt.datetime.min.replace(tzinfo=dt.UTC), returned.path.stat().st_mtime)

    ordered = sorted(returns, key=when)
    kept = ordered[-1]
    for other in ordered[:-1]:
        other.fault(None, f"同一单位报送了 {len(returns)} 份：本份未读入，以保存时间较晚的“{kept.name}”为准")
    if len(returns) > 1:
        others = "、".join(f"“{r.name}”" for r in ordered[:-1])
        kept.fault(None, f"同一单位报送了 {len(returns)} 份，以本份（保存时间最晚）为准，未读入 {others}", "提示")
    return kept


def _match_rows(returned: ReturnedFile, unit: str, sent: Round, result: Gathered, settings: dict) -> None:
    own = sent.unit_tasks(unit)
    by_key = {task.key: task for task in sent.tasks}
    by_text = {squash(task.task): task for task in sent.tasks}
    ratio = float(settings["text_match_ratio"])
    seen: dict[str, int] = {}
    for row in returned.rows:
        task = by_key.get(row.key) or by_text.get(squash(row.text("重点工作"))) or _similar(row, own, ratio)
        if task is None:
            if row.text("进展情况") or row.text("重点工作"):
                shown = _short(row.text("重点工作")) or "（重点工作为空）"
                returned.fault(row.row, f"新增的任务“{shown}”不在本轮下发清单中，未写入汇总表，请核实")
            continue
        if task.key in seen:
            returned.fault(row.row, f"与第{seen[task.key]}行是同一项任务（序号 {task.task_id}），只读入第{seen[task.key]}行")
            continue
        seen[task.key] = row.row
        if task.unit != unit:
            if task.key in result.entries:
                returned.fault(row.row, f"序号 {task.task_id} 是{task.unit}的任务，已由该单位报送，本行未读入")
                continue
            returned.fault(row.row, f"序号 {task.task_id} 是{task.unit}的任务，按本单位的填报读入，请核实", "提示")
        result.entries[task.key] = _entry(row, task, returned, settings)
    for task in own:
        if task.key not in seen:
            returned.fault(None, f"缺少序号 {task.task_id} 的任务“{_short(task.task)}”（行被删除？），按未报送处理")


def _similar(row: ReturnedRow, tasks: list[Task], ratio: float) -> Task | None:
    text = squash(row.text("重点工作"))
    if not text:
        return None
    scored = [(difflib.SequenceMatcher(None, text, squash(task.task)).ratio(), task) for task in tasks]
    best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best[1] if best[0] >= ratio else None


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _entry(row: ReturnedRow, task: Task, returned: ReturnedFile, settings: dict) -> Entry:
    entry = Entry(task, returned.name, row.row, progress=row.text("进展情况"), problems=row.text("存在问题"),
                  next_steps=row.text("下一步工作安排"), coordination=row.text("是否需要协调"),
                  reporter=row.text("填报人"), phone=row.text("联系电话"))
    label = f"序号 {task.task_id}"
    if not entry.progress:
        returned.fault(row.row, f"{label}：进展情况为空，按未报送处理")
    typed = row.cells.get("截至本期完成值")
    approximate = tuple(settings["approximate_words"])
    reading = read_number(typed, task.target_unit, approximate)
    numbers_due = task.target_value is not None
    for note in reading.notes:  # a word where a number is due is an error; where none is due, a note
        returned.fault(row.row, f"{label}：截至本期完成值{note}", "错误" if numbers_due and reading.value is None else "提示")
    if reading.value is not None and reading.percent and task.target_unit not in ("%", "％"):
        entry.rate = reading.value
        returned.fault(row.row, f"{label}：截至本期完成值填的是百分比，按完成率 {reading.value:g}% 读入", "提示")
    elif task.target_value is not None:
        entry.actual = reading.value
        if reading.value is None and not row.text("截至本期完成值"):
            returned.fault(row.row, f"{label}：截至本期完成值为空（年度目标 {task.target_shown}，应填数字）")
    elif row.text("截至本期完成值"):  # no number due: kept as typed (a bare number written plainly)
        plain = reading.value is not None and not reading.notes
        entry.actual_text = number_text(reading.value) if plain else row.text("截至本期完成值")
    if entry.actual is not None and task.target_value:
        entry.rate = entry.actual / task.target_value * 100
    elif entry.rate is None:
        rate = read_rate(row.cells.get("完成率"), approximate)
        for note in rate.notes:
            returned.fault(row.row, f"{label}：{note}", "提示" if rate.value is not None else "错误")
        entry.rate = rate.value
    limit = float(settings["rate_question_above"])
    if entry.rate is not None and entry.rate > limit:
        returned.fault(row.row, f"{label}：完成率 {number_text(entry.rate)}% 超过 {limit:g}%，请核实完成值和年度目标", "核实")
    if entry.coordination and entry.coordination not in COORDINATION_CHOICES:
        returned.fault(row.row, f"{label}：是否需要协调填了“{entry.coordination}”，应为“是”或“否”", "提示")
    return entry
