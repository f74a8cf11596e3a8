"""``collect out``: one workbook per lead unit, the round's record (round.json)
and the mail-merge list (发送清单.csv / .xlsx) in the round's folder
``data/interim/collect/<period's last day>/``.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook

from src.collect.outbook import write_unit_workbook
from src.collect.settings import (
    ROUNDS_DIR,
    CollectError,
    Period,
    deadline_of,
    file_name,
    office_settings,
    show_time,
)
from src.collect.source import Task, load_tasks
from src.store import escape_formula

ROUND_FILE = "round.json"
OUT_FOLDER = "下发"
MAIL_LIST = "发送清单"
# The office fills the last three columns (the units' contacts) for the mail merge; the 催报 list reads them back.
MAIL_HEADER = ["序号", "单位", "文件名", "任务数", "报送截止", "单位联系人", "联系电话", "收件人邮箱"]


@dataclass
class Round:
    """What was sent: the period, the deadline, every task and which unit and file it went to."""

    folder: Path
    period: Period
    deadline: dt.datetime
    sent_at: dt.datetime
    office: str
    title: str
    tasks: list[Task]
    units: list[dict]  # {unit, file, tasks, fingerprint}

    def unit_tasks(self, unit: str) -> list[Task]:
        return [task for task in self.tasks if task.unit == unit]


def send_round(period: Period, source=None, out: Path | None = None, deadline=None,
               now: dt.datetime | None = None, settings: dict | None = None) -> Round:
    settings = settings or office_settings()
    tasks, metadata = load_tasks(source)
    folder = Path(out) if out else ROUNDS_DIR / period.key
    files = folder / OUT_FOLDER
    if files.exists() and any(files.iterdir()):
        raise CollectError(f"{files}: 本期已下发过（文件夹不空）；要重新下发，请先移走这个文件夹 "
                           "(this round was already sent: move its folder away first)")
    files.mkdir(parents=True, exist_ok=True)
    sent_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    due = deadline_of(period, settings, deadline)
    office = settings["office_name"] or metadata.get("issuing_office") or ""
    units = list(dict.fromkeys(task.unit for task in tasks))  # in table order
    listed = []
    for number, unit in enumerate(units, start=1):
        own = [task for task in tasks if task.unit == unit]
        name = file_name(number, unit, period, settings["file_names"])
        mark = write_unit_workbook(files / name, unit, own, period, due, settings, office, sent_at,
                                   metadata.get("title", ""))
        listed.append({"number": number, "unit": unit, "file": name, "tasks": len(own), "fingerprint": mark})
    sent = Round(folder, period, due, sent_at, office, period.title(settings["summary_title"]), tasks, listed)
    _write_round(sent, metadata)
    _write_mail_list(sent, settings)
    return sent


def _write_round(sent: Round, metadata: dict) -> None:
    record = {
        "period": sent.period.key, "period_label": sent.period.label, "deadline": sent.deadline.isoformat(),
        "sent_at": sent.sent_at.isoformat(), "office": sent.office, "title": sent.title,
        "source": metadata.get("collect_source", ""), "source_title": metadata.get("title", ""),
        "units": sent.units, "tasks": [task.as_dict() for task in sent.tasks],
    }
    (sent.folder / ROUND_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def load_round(folder: Path) -> Round:
    path = Path(folder) / ROUND_FILE
    if not path.exists():
        raise CollectError(f"{path}: 没有本轮的下发记录：请先运行 make collect-out PERIOD=… (round.json not found)")
    record = json.loads(path.read_text(encoding="utf-8"))
    period = Period(dt.date.fromisoformat(record["period"]), record["period_label"])
    return Round(Path(folder), period, dt.datetime.fromisoformat(record["deadline"]),
                 dt.datetime.fromisoformat(record["sent_at"]), record["office"], record["title"],
                 [Task(**task) for task in record["tasks"]], record["units"])


def find_round(period: Period | None = None, rounds_dir: Path = ROUNDS_DIR) -> Path:
    """The round's folder: the given period's, else the latest round sent."""
    if period is not None:
        return rounds_dir / period.key
    sent = sorted(p.parent for p in rounds_dir.glob(f"*/{ROUND_FILE}")) if rounds_dir.exists() else []
    if not sent:
        raise CollectError(f"{rounds_dir}: 还没有下发过：请先运行 make collect-out PERIOD=… (no round sent yet)")
    return sent[-1]


def _write_mail_list(sent: Round, settings: dict) -> None:
    header = MAIL_HEADER
    rows = [[u["number"], u["unit"], f"{OUT_FOLDER}/{u['file']}", u["tasks"], show_time(sent.deadline, settings), "", "", ""]
            for u in sent.units]
    with open(sent.folder / f"{MAIL_LIST}.csv", "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[escape_formula(v) for v in row] for row in rows])

    book = Workbook()
    sheet = book.active
    sheet.title = MAIL_LIST
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for letter, width in zip("ABCDEFGH", (6, 24, 50, 8, 18, 12, 16, 28)):
        sheet.column_dimensions[letter].width = width
    book.save(sent.folder / f"{MAIL_LIST}.xlsx")


def unit_contacts(folder: Path) -> dict[str, list[str]]:
    """The units' contacts the office wrote into the mail-merge list (the .xlsx or the .csv, whichever was
    saved last; a CSV re-saved by Excel in GBK is read too): unit -> [联系人, 联系电话, 收件人邮箱]."""
    candidates = [p for p in (folder / f"{MAIL_LIST}.xlsx", folder / f"{MAIL_LIST}.csv") if p.exists()]
    if not candidates:
        return {}
    latest = max(candidates, key=lambda p: p.stat().st_mtime)
    try:
        rows = _mail_rows(latest)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return {}
    if not rows:
        return {}
    header = [str(c or "").strip() for c in rows[0]]
    if "单位" not in header:
        return {}
    at = {name: header.index(name) for name in MAIL_HEADER if name in header}

    def get(row, name):
        return str(row[at[name]] or "").strip() if name in at and at[name] < len(row) and row[at[name]] is not None else ""

    return {get(row, "单位"): [get(row, n) for n in ("单位联系人", "联系电话", "收件人邮箱")] for row in rows[1:]}


def _mail_rows(path: Path) -> list:
    if path.suffix == ".xlsx":
        return [list(row) for row in load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)]
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(data.decode(encoding).splitlines()))
        except UnicodeDecodeError:
            continue
    return []
