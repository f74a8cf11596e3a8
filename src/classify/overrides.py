"""Stage 6, overrides: apply the analyst overrides file
(``task_id,status,reason,reviewer,date``) last, after the rules.

The file is usually kept in Excel or WPS, so it is read the way those programs
save it: UTF-8 with or without BOM, GBK/GB18030 (Chinese Windows), UTF-16
"Unicode text" (tab-separated), CRLF line ends; dates as 2020-07-20,
2020/7/20 or 2020年7月20日; statuses as codes (lagging) or in Chinese (滞后).
Anything else stops with :class:`OverrideError`, whose message says, in
Chinese first, the file, the line, what is wrong and how to fix it.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd

from src.classify.columns import OVERRIDE_HEADER
from src.report.style import status_code, status_label, status_order
from src.report_date import parse_date_text

HEADER_TEXT = ",".join(OVERRIDE_HEADER)
OPTIONAL_COLUMNS = ("task_fingerprint", "task")  # written by the tool: the task the override was made for
FULL_HEADER = [*OVERRIDE_HEADER, *OPTIONAL_COLUMNS]
SAVE_AS_FIX = "在 Excel 中“另存为”选“CSV UTF-8（逗号分隔）(*.csv)”，或在 WPS 中另存为“CSV 文件”"


class OverrideError(ValueError):
    """A fault in the analyst overrides file.

    ``str(error)`` is one message: Chinese first (file, line, what is wrong,
    the fix), then the same in English in brackets. ``path``, ``line``,
    ``problem``, ``fix`` and ``english`` hold the parts.
    """

    def __init__(self, path, line: int | None, problem: str, fix: str = "", english: str = ""):
        self.path, self.line = str(path), line
        self.problem, self.fix, self.english = problem, fix, english or problem
        self.reason = self.english  # as before: the English reason
        where = f"人工认定文件 {path} 第 {line} 行" if line else f"人工认定文件 {path}"
        message = f"{where}：{problem}。"
        if fix:
            message += f"改法：{fix}。"
        where_en = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{message} ({where_en}: {self.english})")


# ----------------------------------------------------------------- reading


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _decode(path: Path, data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (⊃ GBK)."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise OverrideError(
            path, None, "这是 Excel 工作簿（.xlsx/.xls），不是 CSV 文本文件", SAVE_AS_FIX,
            "this is an Excel workbook, not a CSV file; save it as CSV",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise OverrideError(
                path, None, "文件以 UTF-16 标记开头，但内容无法按 UTF-16 读取", SAVE_AS_FIX,
                f"starts with a UTF-16 byte order mark but is not valid UTF-16 ({error.reason})",
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as gbk_error:
            # The decoder that got further is the file's likely encoding: report where it failed.
            offset = max(utf8_error.start + (3 if data.startswith(codecs.BOM_UTF8) else 0), gbk_error.start)
            raise OverrideError(
                path, _line_of(data, offset),
                f"有无法识别的字符（第 {offset + 1} 个字节 0x{data[offset]:02X}），文件既不是 UTF-8 也不是 GBK/GB18030 编码",
                SAVE_AS_FIX + "，再检查这一行的文字",
                f"cannot decode byte 0x{data[offset]:02X} at offset {offset}: the file is neither UTF-8 nor GBK/GB18030",
            ) from None


def _delimiter(first_line: str) -> str:
    """Comma, unless the header is clearly tab- or semicolon-separated (Excel's
    "Unicode text" is tab-separated; some Excel locales use ';')."""
    if "," in first_line:
        return ","
    for candidate in ("\t", ";"):
        if candidate in first_line:
            return candidate
    return ","


def _norm(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip()


def parse_override_date(text: str) -> str | None:
    """'2020-07-20', '2020/7/20', '2020年7月20日' (also full-width digits) → '2020-07-20';
    '' → ''; anything else → None. Raises ValueError for an impossible date (2020-13-01)."""
    text = _norm(text)
    if not text:
        return ""
    parsed = parse_date_text(text)  # the project's one date reader
    return parsed.isoformat() if parsed else None


def task_fingerprint(text) -> str:
    """A short fingerprint of a task's text (NFKC, spaces removed): an override is
    bound to the task it was made for, not only to its number, so a renumbered or
    re-worded task of another period never inherits it.

    >>> task_fingerprint("推进 A。") == task_fingerprint("推进A。")
    True
    """
    squashed = "".join(unicodedata.normalize("NFKC", str(text or "")).split())
    return hashlib.sha256(squashed.encode("utf-8")).hexdigest()[:12]


class OverrideErrors(OverrideError):
    """Several faults of one overrides file, all listed at once (one per line)."""

    def __init__(self, errors: list[OverrideError]):
        first = errors[0]
        self.errors = errors
        self.path, self.line, self.problem, self.fix, self.english = first.path, first.line, first.problem, first.fix, first.english
        self.reason = first.reason
        lines = [f"人工认定文件 {first.path} 有 {len(errors)} 处错误，请一并改正后重新生成："]
        lines += [f"  {index}. {error}" for index, error in enumerate(errors, start=1)]
        ValueError.__init__(self, "\n".join(lines))


def _header_columns(header: list[str]) -> list[str] | None:
    """The columns of a valid header: the five required ones, then optionally
    ``task_fingerprint`` and ``task`` (written by the tool; Excel may drop them)."""
    if header[:len(OVERRIDE_HEADER)] != OVERRIDE_HEADER:
        return None
    extra = header[len(OVERRIDE_HEADER):]
    if extra != list(OPTIONAL_COLUMNS[:len(extra)]):
        return None
    return header


def _read_overrides(path: Path, known_ids: set) -> list[dict]:
    """Every entry of the file, validated; all faults of its lines raised together
    (:class:`OverrideErrors`), a fault of the file itself (encoding, header) at once."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise OverrideError(path, None, f"无法读取文件（{error.strerror or error}）", "检查文件是否被其他程序占用或没有读取权限",
                            f"cannot read the file ({error})") from None
    text = _decode(path, data)
    if not text.strip():
        raise OverrideError(
            path, 1, "文件是空的", f"第一行写表头 {HEADER_TEXT}（没有人工认定时只保留这一行）",
            f"the file is empty; it needs the header {HEADER_TEXT}",
        )
    first_line = text.lstrip("\ufeff").splitlines()[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader)
    except csv.Error as error:
        raise OverrideError(path, 1, f"表头无法按 CSV 读取（{error}）", f"第一行写 {HEADER_TEXT}",
                            f"unreadable header ({error})") from None
    raw_header = [h.strip() for h in header]
    header = [_norm(h).lower() for h in header]
    while header and not header[-1]:
        header.pop()  # empty columns Excel keeps after a cell was cleared
    columns = _header_columns(header)
    if columns is None:
        found = ",".join(raw_header).strip(",")
        hint = "表头里用了中文逗号“，”，请改成英文逗号“,”；" if "，" in found else ""
        raise OverrideError(
            path, 1, f"表头应为 {HEADER_TEXT}，实际是 {found or '（空）'}",
            f"{hint}把第一行改成 {HEADER_TEXT}（英文列名、英文逗号，顺序不变；工具写出的文件另有 "
            f"{','.join(OPTIONAL_COLUMNS)} 两列）",
            f"header must be {HEADER_TEXT}, found {found}",
        )
    width = len(columns)
    entries, seen, errors = [], {}, []
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(OverrideError(path, line, f"这一行无法按 CSV 读取（{error}）", "检查引号是否成对",
                                        f"unreadable CSV ({error})"))
            break  # the reader cannot go on after a broken quote
        if not record or all(not cell.strip() for cell in record):
            continue
        while len(record) > width and not record[-1].strip():
            record.pop()  # trailing empty cells (Excel)
        if len(OVERRIDE_HEADER) <= len(record) < width:
            record = record + [""] * (width - len(record))  # the tool's own columns left empty
        try:
            entry = _entry(path, line, record, columns, known_ids, seen)
        except OverrideError as error:
            errors.append(error)
            continue
        seen[entry["task_id"]] = line
        entries.append(entry)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise OverrideErrors(errors)
    return entries


def _entry(path: Path, line: int, record: list[str], columns: list[str], known_ids: set, seen: dict) -> dict:
    width = len(columns)
    if len(record) != width:
        hint = "；原因里有逗号时请用英文双引号把原因括起来" if len(record) > width else ""
        raise OverrideError(
            path, line, f"应有 {len(OVERRIDE_HEADER)} 栏（{HEADER_TEXT}），这一行有 {len(record)} 栏",
            f"每行依次填写序号、状态、原因、复核人、日期{hint}",
            f"expected {len(OVERRIDE_HEADER)} fields ({HEADER_TEXT}), found {len(record)}",
        )
    cells = dict(zip(columns, record))
    task_id, status, when = (_norm(cells[name]) for name in ("task_id", "status", "date"))
    reason, reviewer = cells["reason"].strip(), cells["reviewer"].strip()
    try:
        key = int(task_id)
    except ValueError:
        raise OverrideError(path, line, f"序号 task_id“{task_id}”不是数字", "填写汇总表中的任务序号，如 24",
                            f"task_id {task_id!r} is not a number") from None
    if key not in known_ids:
        raise OverrideError(path, line, f"序号 {key} 不在判定后的任务表中", "核对汇总表中的任务序号",
                            f"unknown task_id {key} (not in the classified table)")
    if key in seen:
        raise OverrideError(path, line, f"序号 {key} 重复（第 {seen[key]} 行已认定过）", "同一项任务只保留一行",
                            f"duplicate task_id {key} (first given on line {seen[key]})")
    code = status_code(status)  # the codes, the labels 已完成/序时推进/滞后 and report_style.toml's words
    if code is None:
        allowed = "、".join(status_label(s) for s in status_order())
        raise OverrideError(
            path, line, f"状态“{status}”无效",
            f"状态填 {allowed} 之一（或 {', '.join(status_order())}）",
            f"invalid status {status!r}; use one of {', '.join(status_order())}",
        )
    if not reason:
        raise OverrideError(path, line, f"序号 {key} 没有填写原因", "每条人工认定都要写明原因",
                            f"missing reason for task_id {key}; every override needs one")
    try:
        iso = parse_override_date(when)
    except ValueError:
        raise OverrideError(path, line, f"日期“{when}”不是有效的日期", "填写实际日期，如 2020-07-20",
                            f"malformed date {when!r}; not a calendar date") from None
    if iso is None:
        raise OverrideError(
            path, line, f"日期“{when}”无法识别", "写成 2020-07-20、2020/7/20 或 2020年7月20日",
            f"malformed date {when!r}; use YYYY-MM-DD",
        )
    return {"task_id": key, "status": code, "reason": reason, "reviewer": reviewer, "date": iso, "line": line,
            "task_fingerprint": _norm(cells.get("task_fingerprint", "")).lower(), "task": cells.get("task", "").strip()}


def read_overrides(path, classified: pd.DataFrame) -> list[dict]:
    """The validated entries of an overrides file, checked against ``classified``
    (its task ids); raises :class:`OverrideError` / :class:`OverrideErrors`."""
    path = Path(path)
    if not path.exists():
        return []
    return _read_overrides(path, {int(v) for v in classified["task_id"].tolist()})


def write_overrides(path, entries: list[dict]) -> Path:
    """Write ``entries`` (dicts with the header's keys) as the overrides file, atomically:
    a temporary file beside it, then one rename, so the build never reads half a file.
    UTF-8 with BOM (Excel opens it as it is), sorted by task id."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FULL_HEADER)
    for entry in sorted(entries, key=lambda e: int(e["task_id"])):
        writer.writerow([int(entry["task_id"]), entry["status"], entry["reason"], entry.get("reviewer", ""),
                         entry.get("date", ""), entry.get("task_fingerprint", ""), _excerpt(entry.get("task", ""))])
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _excerpt(text: str, limit: int = 40) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def empty_overrides_file(path) -> Path:
    """Create ``path`` with only the header when it does not exist (never overwrites)."""
    path = Path(path)
    if not path.exists():
        write_overrides(path, [])
    return path


def set_override(path, classified: pd.DataFrame, task_id: int, status: str, reason: str, reviewer: str = "",
                 when: str = "") -> dict:
    """Add or replace the override of one task in the overrides file ``path``:
    validated exactly as the build validates it (the whole file is read again
    after the change, so a fault is caught before it is written), then written
    atomically. Returns the entry written."""
    path = Path(path)
    rows = classified[classified["task_id"].astype(int) == int(task_id)]
    if rows.empty:
        raise OverrideError(path, None, f"序号 {task_id} 不在判定后的任务表中", "核对任务序号",
                            f"unknown task_id {task_id}")
    entries = [e for e in read_overrides(path, classified) if e["task_id"] != int(task_id)]
    text = str(rows.iloc[0].get("task", ""))
    entry = {"task_id": int(task_id), "status": str(status), "reason": str(reason).strip(),
             "reviewer": str(reviewer).strip(), "date": str(when or date.today().isoformat()),
             "task_fingerprint": task_fingerprint(text), "task": text}
    check = _entry(path, 0, [str(entry[c]) for c in FULL_HEADER[:5]] + [entry["task_fingerprint"], _excerpt(text)],
                   FULL_HEADER, {int(task_id)}, {})
    entry.update(status=check["status"], date=check["date"])
    write_overrides(path, [*entries, entry])
    return entry


def remove_override(path, classified: pd.DataFrame, task_id: int) -> bool:
    """Remove the override of one task (atomically); False when it had none."""
    entries = read_overrides(path, classified)
    kept = [e for e in entries if e["task_id"] != int(task_id)]
    if len(kept) == len(entries):
        return False
    write_overrides(path, kept)
    return True


# ----------------------------------------------------------------- applying


def override_evidence(reason: str, reviewer: str = "", when: str = "") -> str:
    """人工认定：<reason>（<reviewer>，<date>）, leaving out what is empty."""
    who = "，".join(part for part in (reviewer, when) if part)
    return f"人工认定：{reason}" + (f"（{who}）" if who else "")


def ensure_override_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The columns an override writes, with their rule-only values, on every row
    (so a table has the same columns whether or not anything was overridden)."""
    out = df.copy()
    if "rule_status" not in out.columns:
        out["rule_status"] = out["status"]
    if "status_source" not in out.columns:
        out["status_source"] = "rule"
    for column in ("override_reason", "override_reviewer", "override_date"):
        if column not in out.columns:
            out[column] = ""
    if "rule_evidence" not in out.columns:
        out["rule_evidence"] = out["status_evidence"] if "status_evidence" in out.columns else ""
    return out


def apply_overrides(df: pd.DataFrame, overrides_path, warnings: list | None = None) -> pd.DataFrame:
    """Apply analyst overrides (CSV ``task_id,status,reason,reviewer,date[,task_fingerprint,task]``) last.

    An overridden row gets the new ``status``, ``status_source = "override"``,
    ``override_reason`` / ``override_reviewer`` / ``override_date`` (ISO),
    ``status_evidence`` = "人工认定：<reason>（<reviewer>，<date>）",
    ``needs_review`` False and ``review_reason`` ""; the rule's verdict stays in
    ``rule_status`` and its evidence in ``rule_evidence``; ``schedule_gap_pts``
    is left as the rule computed it. Every row gets the override columns.

    An override whose ``task_fingerprint`` is not the fingerprint of the task
    text now under its number (the task was re-worded, or the file was made for
    another period) is **not** applied: a sentence saying which and why is
    appended to ``warnings`` (the build lists them). Faults of the file (unreadable
    encoding, bad header, unknown or duplicate task id, invalid status, missing
    reason, malformed date) raise :class:`OverrideError` naming the file and line,
    all faults of the file at once (:class:`OverrideErrors`).
    """
    path = Path(overrides_path)
    if not path.exists():
        raise OverrideError(path, None, "文件不存在", f"新建这个文件，第一行写表头 {HEADER_TEXT}",
                            "overrides file not found")
    if path.is_dir():
        raise OverrideError(path, None, "这是一个文件夹，不是 CSV 文件", "指向 overrides.csv 文件本身",
                            "a folder, not a CSV file")
    out = ensure_override_columns(df)
    known = {int(v) for v in out["task_id"].tolist()}
    ids = out["task_id"].astype(int)
    texts = dict(zip(ids, out["task"].astype(str))) if "task" in out.columns else {}
    for entry in _read_overrides(path, known):
        mask = ids == entry["task_id"]
        wanted = entry.get("task_fingerprint", "")
        if wanted and texts and task_fingerprint(texts[entry["task_id"]]) != wanted:
            if warnings is not None:
                made_for = f"（当时的任务：{entry['task']}）" if entry.get("task") else ""
                warnings.append(
                    f"人工认定未采用：{path.name} 第 {entry['line']} 行（序号 {entry['task_id']}，"
                    f"{status_label(entry['status'])}，{entry['reason']}）是对另一项任务内容作出的{made_for}，"
                    f"本期序号 {entry['task_id']} 是“{_excerpt(texts[entry['task_id']])}”；任务内容不一致，按规则判定。"
                    "如仍要改判，请对本期任务重新认定"
                )
            continue
        out.loc[mask, "status"] = entry["status"]
        out.loc[mask, "status_source"] = "override"
        out.loc[mask, "override_reason"] = entry["reason"]
        out.loc[mask, "override_reviewer"] = entry["reviewer"]
        out.loc[mask, "override_date"] = entry["date"]
        out.loc[mask, "status_evidence"] = override_evidence(entry["reason"], entry["reviewer"], entry["date"])
        if "needs_review" in out.columns:
            out.loc[mask, "needs_review"] = False
        if "review_reason" in out.columns:
            out.loc[mask, "review_reason"] = ""
    return out
