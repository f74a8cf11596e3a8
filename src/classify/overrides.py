"""Stage 6, overrides: apply the analyst overrides file
(``task_id,status,reason,reviewer,date``) last, after the rules."""
from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pandas as pd

from src.classify.columns import OVERRIDE_HEADER, STATUSES


class OverrideError(ValueError):
    """A fault in the analyst overrides file; the message names file and line."""

    def __init__(self, path, line: int | None, message: str):
        self.path, self.line, self.reason = str(path), line, message
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {message}")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _read_overrides(path: Path, known_ids: set) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise OverrideError(path, 1, f"the file is empty; it needs the header {','.join(OVERRIDE_HEADER)}") from None
        header = [h.strip() for h in header]
        if header != OVERRIDE_HEADER:
            raise OverrideError(path, 1, f"header must be {','.join(OVERRIDE_HEADER)}, found {','.join(header)}")
        entries, seen = [], {}
        while True:
            start_line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise OverrideError(path, start_line, f"unreadable CSV ({error})") from None
            if not record or all(not cell.strip() for cell in record):
                continue
            line = start_line
            if len(record) != len(OVERRIDE_HEADER):
                raise OverrideError(path, line, f"expected {len(OVERRIDE_HEADER)} fields ({','.join(OVERRIDE_HEADER)}), found {len(record)}")
            task_id, status, reason, reviewer, when = (cell.strip() for cell in record)
            try:
                key = int(task_id)
            except ValueError:
                raise OverrideError(path, line, f"task_id {task_id!r} is not a number") from None
            if key not in known_ids:
                raise OverrideError(path, line, f"unknown task_id {key} (not in the classified table)")
            if key in seen:
                raise OverrideError(path, line, f"duplicate task_id {key} (first given on line {seen[key]})")
            if status not in STATUSES:
                raise OverrideError(path, line, f"invalid status {status!r}; use one of {', '.join(STATUSES)}")
            if not reason:
                raise OverrideError(path, line, f"missing reason for task_id {key}; every override needs one")
            if not _DATE.match(when):
                raise OverrideError(path, line, f"malformed date {when!r}; use YYYY-MM-DD")
            try:
                date.fromisoformat(when)
            except ValueError:
                raise OverrideError(path, line, f"malformed date {when!r}; not a calendar date") from None
            seen[key] = line
            entries.append({"task_id": key, "status": status, "reason": reason, "reviewer": reviewer, "date": when, "line": line})
    return entries


def apply_overrides(df: pd.DataFrame, overrides_path) -> pd.DataFrame:
    """Apply analyst overrides (CSV ``task_id,status,reason,reviewer,date``) last.

    An overridden row gets the new ``status``, ``status_source = "override"``
    and ``override_reason``; ``status_evidence`` stays the rule's evidence and
    ``rule_status`` keeps what the rule said. Any fault (unknown task id,
    invalid status, missing reason, duplicate task id, malformed date, bad
    header) raises :class:`OverrideError` naming the file and line.
    """
    path = Path(overrides_path)
    if not path.exists():
        raise OverrideError(path, None, "overrides file not found")
    out = df.copy()
    if "rule_status" not in out.columns:
        out["rule_status"] = out["status"]
    if "status_source" not in out.columns:
        out["status_source"] = "rule"
    if "override_reason" not in out.columns:
        out["override_reason"] = ""
    known = {int(v) for v in out["task_id"].tolist()}
    for entry in _read_overrides(path, known):
        mask = out["task_id"].astype(int) == entry["task_id"]
        out.loc[mask, "status"] = entry["status"]
        out.loc[mask, "status_source"] = "override"
        out.loc[mask, "override_reason"] = entry["reason"]
    return out
