"""The tasks a round sends out, from last period's table: who leads each, its
annual target (a number and unit where the task states exactly one), last
period's progress and status for reference.

The source is a build's data folder (``data/processed``, ``<OUT>`` or
``<OUT>/data``, with ``tasks_classified.parquet``) or a raw table (parsed and
judged here at the date its title states). A task with several lead units is
sent to the first one named, which compiles the return (the others are shown
beside 配合单位); the summary keeps the lead-unit cell as written.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from src import store
from src.classify import load_rules
from src.classify.measures import task_targets
from src.collect.settings import CollectError, squash
from src.paths import PROCESSED_DIR, RAW_DIR
from src.pipeline import classify_table, with_report_date
from src.report.style import status_label
from src.report_date import ReportDateError, to_date
from src.table.parse import RawTableError, find_inbox_table, parse_table


@dataclass
class Task:
    key: str  # the hidden id the return is matched back by: 序号 and a hash of the task text
    task_id: int
    task: str
    leader: str  # name and title, as the summary's 责任领导 column writes it
    unit: str  # the unit that returns it (the first lead unit)
    lead_unit: str  # the lead-unit cell as written
    cooperating: str
    deadline: str
    target_value: float | None  # the one number the task promises, in target_unit
    target_unit: str
    target_text: str  # what 年度目标 shows when there is no single number
    previous_progress: str
    previous_status: str

    @property
    def target_shown(self) -> str:
        """年度目标 as the summary writes it: ``20万人``, the source's own text, or empty."""
        if self.target_value is not None:
            return f"{number_text(self.target_value)}{self.target_unit}"
        return self.target_text

    def as_dict(self) -> dict:
        return asdict(self)


def number_text(value: float) -> str:
    """A number as the summary writes it.

    >>> number_text(20.0), number_text(12.5), number_text(1/3)
    ('20', '12.5', '0.33')
    """
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def text_hash(text: str) -> str:
    return hashlib.sha256(squash(text).encode("utf-8")).hexdigest()[:8]


def load_tasks(source: str | Path | None = None) -> tuple[list[Task], dict]:
    """The round's tasks and the source's metadata (title, office, as_of, file)."""
    path = _source_path(source)
    if path.is_dir():
        frame, metadata = _from_data_folder(path)
    else:
        frame, metadata = _from_raw_table(path)
    if frame.empty:
        raise CollectError(f"{path}: 来源汇总表中没有任务 (the source table has no tasks)")
    return [_task(row, metadata) for row in frame.to_dict("records")], {**metadata, "collect_source": str(path)}


def _source_path(source) -> Path:
    if source not in (None, ""):
        path = Path(source)
        if not path.exists():
            raise CollectError(f"{path}: 来源不存在：请给出上期汇总表，或构建的输出目录 (source not found)")
        return path
    if (PROCESSED_DIR / "tasks_classified.parquet").exists():
        return PROCESSED_DIR

    return find_inbox_table(RAW_DIR)[0]


def _from_data_folder(folder: Path):
    for candidate in (folder, folder / "data"):
        if (candidate / "tasks_classified.parquet").exists():
            metadata = store.read_json(candidate / "metadata.json") if (candidate / "metadata.json").exists() else {}
            return store.read_table(candidate / "tasks_classified.parquet"), metadata
    raise CollectError(f"{folder}: 文件夹中没有 tasks_classified.parquet：请先 make reports，或给出上期汇总表文件 "
                       "(a folder without a classified table)")


def _from_raw_table(path: Path):
    try:
        parsed = parse_table(path)
    except RawTableError as error:
        raise CollectError(str(error)) from None
    metadata = with_report_date(parsed.metadata)
    if not metadata.get("as_of"):
        return parsed.tasks, metadata  # no period in its title: sent without last period's status
    try:
        return classify_table(parsed.tasks, to_date(metadata["as_of"])), metadata
    except ReportDateError:
        return parsed.tasks, metadata


def _task(row: dict, metadata: dict) -> Task:
    listed = row.get("lead_units")
    units = [u for u in (list(listed) if listed is not None else []) if str(u).strip()]
    units = units or [row.get("lead_unit") or "（未写牵头单位）"]
    unit = str(units[0]).strip()
    others = "、".join(str(u) for u in units[1:])
    cooperating = str(row.get("cooperating_units") or "")
    if others:
        cooperating = f"共同牵头：{others}" + (f"；{cooperating}" if cooperating else "")
    value, measure, text = _target(row)
    return Task(
        key=f"{int(row['task_id'])}-{text_hash(row['task'])}",
        task_id=int(row["task_id"]),
        task=str(row["task"]),
        leader=f"{row.get('leader') or ''}{row.get('leader_title') or ''}",
        unit=unit,
        lead_unit=str(row.get("lead_unit") or unit),
        cooperating=cooperating,
        deadline=str(row.get("deadline") or ""),
        target_value=value,
        target_unit=measure,
        target_text=text,
        previous_progress=str(row.get("progress") or ""),
        previous_status=_status_label(row.get("status")),
    )


def _status_label(code) -> str:
    if code in (None, "") or code != code:  # NaN
        return ""
    return status_label(str(code))


def _target(row: dict) -> tuple[float | None, str, str]:
    """(number, unit, text): the source's 年度目标 cell when it has one, else the task's own promise."""
    stated = str(row.get("annual_target") or row.get("target") or "").strip()
    if stated:
        one = _one_quantity(stated)
        return (one[0], one[1], stated) if one else (None, "", stated)

    rules = load_rules()
    found = [q for q in task_targets({"task": str(row["task"]), "progress": ""}, rules) if not q.standard]
    phrases = [str(row["task"])[q.start:q.end].strip() for q in found]
    if len(phrases) == 1:
        one = _one_quantity(phrases[0])
        if one:
            return one[0], one[1], phrases[0]
    return None, "", "；".join(dict.fromkeys(phrases))


_QUANTITY = re.compile(r"^\D{0,8}?(\d+(?:\.\d+)?)\s*([^\d\s，,。；;、]{1,6})\s*$")


def _one_quantity(text: str) -> tuple[float, str] | None:
    """The one number and unit of a short target text.

    >>> _one_quantity("20万人"), _one_quantity("新增 4.5 万亩"), _one_quantity("稳步推进")
    ((20.0, '万人'), (4.5, '万亩'), None)
    """
    match = _QUANTITY.match(squash(text).replace("\u3000", ""))
    return (float(match.group(1)), match.group(2)) if match else None
