"""Parse a supervision-office key-task table (Markdown converted from PDF).

The raw file looks like::

    # 2020 年政府工作报告重点工作半年度完成情况汇总表
    杭州市人民政府督查室
    2020 年 7 月
    # 目 录
    刘 忻市长主抓重点工作.....	( 1 )
    ## 刘忻市长主抓重点工作
    序号	2020 年重点工作	牵头单位	进展情况	存在问题及下一步工作安排
    1	<p>…</p>	<p>市政府办公厅</p>	<p>…</p>	<p>…</p>

Every data row becomes one task. Problems the parser can repair are recorded
as :class:`ParseIssue` warnings; problems it cannot repair raise
:class:`RawTableError`, whose message names the file, the line and the fault.
"""
from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from src.paths import REFERENCE_DIR

TASK_COLUMNS = [
    "task_id",
    "leader",
    "leader_title",
    "leader_order",
    "task",
    "lead_unit",
    "lead_units",
    "progress",
    "problems",
    "next_steps",
    "source_line",
]
FIELD_ORDER = ["task_id", "task", "lead_unit", "progress", "problems_and_next_steps"]

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_SPACE = re.compile(rf"(?<=[{CJK}])[ \t\u3000\xa0]+(?=[{CJK}（(])")
_INLINE_ITEM = re.compile(r"(?<=[。；;！!？?])\s*(?=(?:\d{1,2}|[一二三四五六七八九十]{1,2})[\.．、](?!\d))")


# --------------------------------------------------------------------------
# errors and warnings
# --------------------------------------------------------------------------
class RawTableError(ValueError):
    """A fault in the raw table that the parser cannot repair."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ParseIssue:
    """A repaired oddity, shown in the data-quality summary."""

    line: int | None
    message: str
    task_id: int | None = None

    def __str__(self) -> str:
        where = f"第{self.line}行" if self.line else "文件"
        task = f"（序号 {self.task_id}）" if self.task_id is not None else ""
        return f"{where}{task}：{self.message}"


@dataclass
class ParsedTable:
    tasks: pd.DataFrame
    metadata: dict
    warnings: list[ParseIssue] = field(default_factory=list)
    rows_read: int = 0

    @property
    def quality(self) -> dict:
        return quality_summary(self)


# --------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------
@cache
def table_format(path: Path | None = None) -> dict:
    path = path or REFERENCE_DIR / "table_format.toml"
    with open(path, "rb") as handle:
        return tomllib.load(handle)


# --------------------------------------------------------------------------
# reading bytes
# --------------------------------------------------------------------------
def read_raw_text(path: str | Path) -> tuple[str, str, list[ParseIssue]]:
    """Decode the raw file: UTF-8 (with or without BOM), else GB18030.

    Returns the text with ``\\n`` line ends, the encoding used and warnings.
    """
    path = Path(path)
    if not path.exists():
        raise RawTableError(path, None, "文件不存在 (file not found)")
    data = path.read_bytes()
    if not data.strip():
        raise RawTableError(path, None, "文件为空 (empty file: no table at all)")
    notes: list[ParseIssue] = []
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append(ParseIssue(1, "文件带 UTF-8 BOM，已去除 (UTF-8 BOM removed)"))
        data = data[3:]
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, encoding = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise RawTableError(
                path,
                line,
                f"无法解码：既不是 UTF-8 也不是 GBK/GB18030 (byte 0x{data[utf8_error.start]:02x} "
                f"at offset {utf8_error.start}: not UTF-8, GBK or GB18030)",
            ) from None
        notes.append(ParseIssue(None, "文件为 GBK/GB18030 编码，已按 GB18030 解码 (decoded as GB18030)"))
    if "\r" in text:
        notes.append(ParseIssue(None, "Windows 换行符 (CRLF) 已统一为 LF"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding, notes


# --------------------------------------------------------------------------
# cell text
# --------------------------------------------------------------------------
FORMATTING_TAGS = {
    "p", "br", "ol", "ul", "li", "div", "span", "b", "strong", "i", "em", "u",
    "sub", "sup", "font", "table", "tbody", "thead", "tr", "td", "th", "hr",
}
BLOCK_TAGS = {"p", "br", "ol", "ul", "li", "div", "table", "tr", "hr"}
VOID_TAGS = {"br", "hr"}


class _CellHTML(HTMLParser):
    """Turn the converter's formatting HTML into text.

    Formatting tags (``<p>``, ``<li>``…) become line breaks or vanish. Any
    other markup (``<script>``, ``<img onerror=…>``, ``<iframe>``) is *content*
    typed into the cell: it is kept verbatim as text, so the report escapes
    and shows it instead of running it.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open_tags: list[str] = []
        self.unbalanced: list[str] = []
        self.foreign: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORMATTING_TAGS:
            if tag in BLOCK_TAGS:
                self.parts.append("\n")
            if tag not in VOID_TAGS:
                self.open_tags.append(tag)
        else:
            self.foreign.append(tag)
            self.parts.append(unescape(self.get_starttag_text() or f"<{tag}>"))

    def handle_startendtag(self, tag, attrs):
        if tag in FORMATTING_TAGS:
            if tag in BLOCK_TAGS:
                self.parts.append("\n")
        else:
            self.foreign.append(tag)
            self.parts.append(unescape(self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag):
        if tag in FORMATTING_TAGS:
            if tag in VOID_TAGS:
                self.parts.append("\n")
                return
            if tag in self.open_tags:
                while self.open_tags and self.open_tags.pop() != tag:
                    self.unbalanced.append(tag)
            else:
                self.unbalanced.append(f"/{tag}")
            if tag in BLOCK_TAGS:
                self.parts.append("\n")
        else:
            self.foreign.append(f"/{tag}")
            self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        # HTMLParser decodes entities in ordinary text, not inside <script>/<style>.
        self.parts.append(unescape(data) if self.cdata_elem else data)

    def handle_comment(self, data):
        pass

    # Declarations and processing instructions typed into a cell are content too.
    def handle_decl(self, decl):
        self.foreign.append("!" + decl.split(" ")[0])
        self.parts.append(unescape(f"<!{decl}>"))

    def unknown_decl(self, data):
        self.foreign.append("![" + data.split("[")[0])
        self.parts.append(unescape(f"<![{data}]]>"))

    def handle_pi(self, data):
        self.foreign.append("?" + data.split(" ")[0])
        self.parts.append(unescape(f"<?{data}>"))


_TAG_SPLIT = re.compile(r"(<[^<>]*>)")
_SIMPLE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:\s+[^<>\"'/=]+(?:=\"[^\"<>]*\")?)*\s*(/?)>")
_SPACES = re.compile(r"[ \t\f\v]+")


@dataclass
class _SimpleCell:
    parts: list[str]
    open_tags: list[str]
    unbalanced: list[str]
    foreign: tuple = ()


def _simple_cell(raw: str) -> _SimpleCell | None:
    """The common case, fast: text with only the converter's formatting tags
    (``<p>``, ``<ol style="…">``, ``<li>``…). Gives exactly what :class:`_CellHTML`
    gives for such a cell; returns None for anything else (the full parser decides)."""
    if "<" not in raw:
        return _SimpleCell([unescape(raw)], [], [])
    parts: list[str] = []
    open_tags: list[str] = []
    unbalanced: list[str] = []
    for index, token in enumerate(_TAG_SPLIT.split(raw)):
        if index % 2 == 0:
            if "<" in token:
                return None
            if token:
                parts.append(unescape(token))
            continue
        match = _SIMPLE_TAG.fullmatch(token)
        if not match:
            return None
        closing, tag, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if tag not in FORMATTING_TAGS or (closing and self_closing):
            return None
        if closing:
            if tag in VOID_TAGS:
                parts.append("\n")
                continue
            if tag in open_tags:
                while open_tags and open_tags.pop() != tag:
                    unbalanced.append(tag)
            else:
                unbalanced.append(f"/{tag}")
            if tag in BLOCK_TAGS:
                parts.append("\n")
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if not self_closing and tag not in VOID_TAGS:
                open_tags.append(tag)
    return _SimpleCell(parts, open_tags, unbalanced)


@dataclass
class CleanCell:
    text: str
    notes: list[str]


def clean_cell(raw: str) -> CleanCell:
    """Clean one table cell: HTML to text, entities decoded, tidy whitespace.

    Numbered items (``<li>``, ``<p>1. …</p>`` and inline ``。2. …``) each stay
    on their own line.
    """
    notes: list[str] = []
    parser = _simple_cell(raw)
    if parser is None:  # anything but plain formatting tags: the full HTML parser
        parser = _CellHTML()
        parser.feed(raw)
        parser.close()
    text = "".join(parser.parts)
    leftover = getattr(parser, "rawdata", "")
    if leftover:
        text += unescape(leftover)
    if parser.open_tags or parser.unbalanced:
        stray = sorted(set(parser.open_tags) | set(parser.unbalanced))
        notes.append(f"单元格 HTML 标签不配对 ({', '.join('<' + t + '>' for t in stray)})，已按文本处理")
    if parser.foreign:
        tags = sorted({t.strip("/") for t in parser.foreign})
        notes.append(f"单元格含有非排版标记 ({', '.join('<' + t + '>' for t in tags)})，按原文文本保留，不会执行")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # an encoded &#13; is a line end, as in the file
    text = unicodedata.normalize("NFC", text).replace("\xa0", " ").replace("\u3000", " ")
    text = _INLINE_ITEM.sub("\n", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return CleanCell("\n".join(line for line in lines if line), notes)


def join_cjk_spaces(text: str) -> str:
    """Remove PDF line-break artefacts between CJK characters: 市委宣传 部 → 市委宣传部."""
    return _CJK_SPACE.sub("", text).strip()


def split_lead_units(lead_unit: str, separators: list[str] | None = None) -> list[str]:
    """Split a lead-unit cell on 、，, etc., never inside （…） or (…)."""
    separators = separators or table_format()["lead_units"]["separators"]
    units, current, depth = [], [], 0
    for char in lead_unit:
        if char in "（(【[":
            depth += 1
        elif char in "）)】]":
            depth = max(0, depth - 1)
        if depth == 0 and char in separators:
            units.append("".join(current))
            current = []
        else:
            current.append(char)
    units.append("".join(current))
    return [unit.strip() for unit in units if unit.strip()]


def split_fifth_column(text: str) -> tuple[str, str]:
    """Split 存在问题及下一步工作安排 into (problems, next_steps).

    Labelled cells are split at their labels; text before a next-steps label
    with no problems label is the problem statement; an unlabelled cell is all
    next steps.
    """
    fmt = table_format()["fifth_column"]
    problems_label = re.compile(fmt["problems_label"])
    next_label = re.compile(fmt["next_steps_label"])
    next_match = next_label.search(text)
    problems_match = problems_label.search(text)
    if problems_match and next_match and problems_match.start() > next_match.start():
        problems_match = None
    if not problems_match and not next_match:
        return "", text.strip()
    if next_match:
        next_steps = text[next_match.end():].strip()
        before = text[: next_match.start()]
    else:
        next_steps = ""
        before = text
    if problems_match:
        problems = before[problems_match.end():].strip()
        preface = before[: problems_match.start()].strip()
        if preface:
            problems = f"{preface}\n{problems}".strip()
    else:
        problems = before.strip()
    return problems, next_steps


# --------------------------------------------------------------------------
# lines
# --------------------------------------------------------------------------
def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _strip_markdown(line: str) -> str:
    return re.sub(r"^#+\s*", "", line).strip()


def parse_leader_heading(text: str) -> tuple[str, str] | None:
    """'刘 忻市长主抓重点工作' → ('刘忻', '市长'); None if it is not a leader heading."""
    fmt = table_format()["leaders"]
    squashed = _squash(_strip_markdown(text))
    squashed = re.sub(r"[.…·]{2,}.*$", "", squashed)  # table-of-contents dots and page
    titles = "|".join(re.escape(t) for t in fmt["titles"])
    match = re.match(rf"^(?P<name>[{CJK}]{{1,4}}?)(?P<title>{titles}){fmt['heading_suffix']}", squashed)
    if not match:
        return None
    return match.group("name"), match.group("title")


def _header_fields(fields: list[str]) -> list[str] | None:
    """Map a header row to field names, or None if it is not a header row."""
    return list(_header_names(tuple(fields)))


@lru_cache(maxsize=256)  # a table repeats its header at every page break
def _header_names(fields: tuple[str, ...]) -> tuple[str, ...]:
    patterns = table_format()["columns"]
    names = []
    for cell in fields:
        cell = _squash(clean_cell(cell).text)
        name = next((key for key, pattern in patterns.items() if re.match(pattern, cell)), None)
        names.append(name or cell)
    return tuple(names)


def _is_header(fields: list[str]) -> bool:
    return bool(fields) and "序" in fields[0] and _squash(clean_cell(fields[0]).text) == "序号"


def _parse_task_id(raw: str, path, line_no, notes) -> int:
    cleaned = clean_cell(raw).text
    normalized = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cleaned))
    if not re.fullmatch(r"\d+", normalized):
        raise RawTableError(path, line_no, f"序号不是数字：{cleaned!r} (non-numeric task id)")
    if normalized != raw:
        notes.append(ParseIssue(line_no, f"序号 {raw!r} 含全角数字或空白，已规范为 {normalized}", int(normalized)))
    return int(normalized)


def _read_metadata(lines: list[str], path) -> dict:
    """Title, issuing office, issue date and period from the document header."""
    title = office = issued = None
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if "\t" in stripped or stripped.startswith("##") or "目录" in _squash(stripped):
            break
        text = _squash(_strip_markdown(stripped))
        if title is None and stripped.startswith("#"):
            title = text
        elif office is None and re.search(r"(督查|办公厅|办公室|人民政府)", text):
            office = text
        elif issued is None and (m := re.fullmatch(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?", text)):
            issued = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}" + (f"-{int(m.group(3)):02d}" if m.group(3) else "")
    metadata = {
        "source_file": Path(path).name,
        "title": title,
        "issuing_office": office,
        "issued": issued,
        "period": None,
        "year": None,
        "as_of": None,
    }
    year_match = re.search(r"(\d{4})年", title or "")
    if year_match is None and issued:
        year_match = re.match(r"(\d{4})", issued)
    if year_match:
        metadata["year"] = int(year_match.group(1))
    for period in table_format()["periods"]:
        if title and re.search(period["pattern"], title):
            metadata["period"] = period["label"]
            if metadata["year"]:
                metadata["as_of"] = f"{metadata['year']}-{period['month_day']}"
            break
    return metadata


def _read_toc(lines: list[str]) -> list[str]:
    """Leader names in the order of the 目录 (table of contents)."""
    names, in_toc = [], False
    for line in lines:
        squashed = _squash(_strip_markdown(line))
        if squashed == "目录":
            in_toc = True
            continue
        if in_toc:
            if line.startswith("#") or "\t" in line and _is_header(line.split("\t")) or line.startswith("##"):
                break
            if not squashed:
                continue
            parsed = parse_leader_heading(line.split("\t")[0])
            if parsed:
                names.append(parsed[0])
    return names


# --------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------
def parse_table(path: str | Path) -> ParsedTable:
    """Read a raw key-task table into one clean row per task.

    Raises :class:`RawTableError` for faults it cannot repair; repaired oddities
    are returned as warnings. Every data row read is either written or raises.
    """
    path = Path(path)
    text, encoding, warnings = read_raw_text(path)
    lines = text.split("\n")
    metadata = _read_metadata(lines, path)
    metadata["encoding"] = encoding
    toc = _read_toc(lines)

    leaders: list[tuple[str, str]] = []
    header: list[str] | None = None
    records: list[dict] = []
    rows_read = 0
    seen_ids: dict[int, int] = {}
    repeated_headers: list[int] = []
    line_index = 0
    while line_index < len(lines):
        line_no = line_index + 1
        line = lines[line_index]
        line_index += 1
        if not line.strip():
            continue
        if line.lstrip().startswith("#") and "\t" not in line:
            heading = parse_leader_heading(line)
            if heading and line.lstrip().startswith("##"):
                leaders.append(heading)
                if " " in _strip_markdown(line) or "\u3000" in line:
                    warnings.append(ParseIssue(line_no, f"领导标题含空格，已规范为 {heading[0]}{heading[1]}"))
            continue
        if "\t" not in line:
            continue  # title, office, date, table-of-contents lines
        fields = line.split("\t")
        if line != line.rstrip(" \u3000\xa0") and not _is_header(fields):
            warnings.append(ParseIssue(line_no, "行尾有多余空白，已去除"))
            line = line.rstrip(" \u3000\xa0")
            fields = line.split("\t")
        if _is_header(fields):
            names = _header_fields(fields)
            while names and names[-1] == "":
                names.pop()
            if names != FIELD_ORDER:
                raise RawTableError(
                    path, line_no,
                    "表头列不符：应为 序号 / 重点工作 / 牵头单位 / 进展情况 / 存在问题及下一步工作安排，"
                    f"实为 {' / '.join(_squash(clean_cell(f).text) for f in fields)} "
                    "(header row has missing or reordered columns)",
                )
            if header is not None:
                repeated_headers.append(line_no)
            header = names
            continue
        if not leaders and _is_toc_line(line):
            continue
        # a data row
        rows_read += 1
        if not leaders:
            raise RawTableError(path, line_no, "数据行出现在任何领导标题之前 (data row before any leader heading)")
        if header is None:
            raise RawTableError(path, line_no, "数据行之前缺少表头行 (no header row before this data row)")
        line_index, fields = _repair_field_count(fields, lines, line_index, line_no, path, warnings)
        task_id = _parse_task_id(fields[0], path, line_no, warnings)
        if task_id in seen_ids:
            raise RawTableError(path, line_no, f"序号 {task_id} 重复（第 {seen_ids[task_id]} 行已出现） (duplicate task id)")
        seen_ids[task_id] = line_no
        records.append(_task_record(task_id, fields, leaders, line_no, warnings))

    if rows_read == 0:
        raise RawTableError(path, None, "没有找到任何数据行：文件中没有表格 (no table rows found)")
    tasks = pd.DataFrame.from_records(records, columns=TASK_COLUMNS).sort_values("task_id", kind="stable")
    tasks = tasks.reset_index(drop=True)
    if repeated_headers:
        shown = "、".join(str(n) for n in repeated_headers[:10]) + ("…" if len(repeated_headers) > 10 else "")
        warnings.append(ParseIssue(
            repeated_headers[0],
            f"表头在分节或分页处重复出现 {len(repeated_headers)} 次（第 {shown} 行），均按表头处理，未计为任务",
        ))
    warnings.extend(_check_ids(tasks))
    warnings.extend(_check_toc(toc, leaders))
    metadata["leaders"] = [name for name, _ in leaders]
    return ParsedTable(tasks=tasks, metadata=metadata, warnings=warnings, rows_read=rows_read)


def _is_toc_line(line: str) -> bool:
    return bool(re.search(r"[.…]{3,}", line)) and parse_leader_heading(line.split("\t")[0]) is not None


def _repair_field_count(fields, lines, line_index, line_no, path, warnings):
    """Return (next line index, fields) with exactly five fields, or raise."""
    expected = len(FIELD_ORDER)
    if len(fields) > expected and all(not f.strip() for f in fields[expected:]):
        warnings.append(ParseIssue(line_no, f"行尾有 {len(fields) - expected} 个多余的空字段，已去除"))
        return line_index, fields[:expected]
    if len(fields) < expected:
        # A cell broken over several lines by the converter: join continuation lines.
        joined, cursor = list(fields), line_index
        while len(joined) < expected and cursor < len(lines):
            nxt = lines[cursor]
            if not nxt.strip() or nxt.lstrip().startswith("#") or _is_header(nxt.split("\t")):
                break
            parts = nxt.split("\t")
            if re.fullmatch(r"\s*[0-9０-９]+\s*", parts[0]) and len(parts) >= expected:
                break  # the next task starts
            joined[-1] = joined[-1] + "\n" + parts[0]
            joined.extend(parts[1:])
            cursor += 1
        if len(joined) == expected and cursor > line_index:
            warnings.append(ParseIssue(line_no, f"一行被拆成 {cursor - line_index + 1} 行（单元格内换行），已合并"))
            return cursor, joined
    if len(fields) != expected:
        raise RawTableError(
            path, line_no,
            f"字段数为 {len(fields)}，应为 {expected}，无法修复 (row has {len(fields)} fields, expected {expected})",
        )
    return line_index, fields


def _task_record(task_id, fields, leaders, line_no, warnings) -> dict:
    cells = {}
    for name, raw in zip(FIELD_ORDER[1:], fields[1:]):
        cleaned = clean_cell(raw)
        for note in cleaned.notes:
            warnings.append(ParseIssue(line_no, f"{_FIELD_LABELS[name]}：{note}", task_id))
        entities = sorted(set(re.findall(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);", raw)))
        if entities:
            warnings.append(ParseIssue(line_no, f"{_FIELD_LABELS[name]}：HTML 实体 {' '.join(entities)} 已转换为字符", task_id))
        if not cleaned.text:
            warnings.append(ParseIssue(line_no, f"{_FIELD_LABELS[name]}为空", task_id))
        cells[name] = cleaned.text
    if not cells["task"]:
        warnings.append(ParseIssue(line_no, "重点工作内容为空，请核对原表", task_id))
    lead_unit = join_cjk_spaces(re.sub(r"\s*\n\s*", "", cells["lead_unit"]))
    lead_unit = re.sub(r"\s+(?=[（(])", "", lead_unit)
    problems, next_steps = split_fifth_column(cells["problems_and_next_steps"])
    leader, title = leaders[-1]
    return {
        "task_id": task_id,
        "leader": leader,
        "leader_title": title,
        "leader_order": len(leaders),
        "task": cells["task"],
        "lead_unit": lead_unit,
        "lead_units": split_lead_units(lead_unit),
        "progress": cells["progress"],
        "problems": problems,
        "next_steps": next_steps,
        "source_line": line_no,
    }


_FIELD_LABELS = {
    "task": "重点工作",
    "lead_unit": "牵头单位",
    "progress": "进展情况",
    "problems_and_next_steps": "存在问题及下一步工作安排",
}


def _check_ids(tasks: pd.DataFrame) -> list[ParseIssue]:
    ids = sorted(tasks["task_id"])
    missing = sorted(set(range(ids[0], ids[-1] + 1)) - set(ids)) if ids else []
    notes = []
    if ids and ids[0] != 1:
        notes.append(ParseIssue(None, f"序号不从 1 开始（首个为 {ids[0]}）"))
    if missing:
        shown = "、".join(str(i) for i in missing[:20]) + ("…" if len(missing) > 20 else "")
        notes.append(ParseIssue(None, f"序号不连续，缺少 {shown}（保留原序号，未重新编号）"))
    order = list(tasks.sort_values("source_line")["task_id"])
    if order != sorted(order):
        notes.append(ParseIssue(None, "序号未按文件顺序递增"))
    return notes


def _check_toc(toc: list[str], leaders: list[tuple[str, str]]) -> list[ParseIssue]:
    names = [name for name, _ in leaders]
    if not toc:
        return [ParseIssue(None, "未找到目录，领导顺序按正文章节顺序")]
    if toc != names:
        return [ParseIssue(None, f"目录中的领导顺序（{'、'.join(toc)}）与正文章节（{'、'.join(names)}）不一致")]
    return []


# --------------------------------------------------------------------------
# summary and checks
# --------------------------------------------------------------------------
def quality_summary(parsed: ParsedTable) -> dict:
    tasks = parsed.tasks
    return {
        "source_file": parsed.metadata.get("source_file"),
        "rows_read": parsed.rows_read,
        "rows_written": int(len(tasks)),
        "all_rows_accounted_for": parsed.rows_read == len(tasks),
        "leaders": int(tasks["leader"].nunique()),
        "task_id_min": int(tasks["task_id"].min()),
        "task_id_max": int(tasks["task_id"].max()),
        "warnings": [str(w) for w in parsed.warnings],
    }


def tasks_per_leader(tasks: pd.DataFrame) -> pd.DataFrame:
    return (
        tasks.groupby(["leader_order", "leader", "leader_title"], as_index=False)
        .agg(tasks=("task_id", "size"), first_id=("task_id", "min"), last_id=("task_id", "max"))
        .sort_values("leader_order")
        .reset_index(drop=True)
    )


def metadata_json(metadata: dict) -> str:
    return json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True)


def as_of_date(metadata: dict, override: str | None = None) -> date:
    """The reference date: an explicit override, else the one read from the header."""
    value = override or metadata.get("as_of")
    if not value:
        raise RawTableError(
            metadata.get("source_file", "?"), None,
            "文件标题未说明统计期（半年度/前三季度…），请用 AS_OF=YYYY-MM-DD 指定参考日期 "
            "(the document states no period: pass AS_OF)",
        )
    return date.fromisoformat(str(value))


class IncompleteTableError(RuntimeError):
    """Rows read and rows written differ: something was lost."""


def check_all_rows_accounted(parsed: ParsedTable) -> ParsedTable:
    """Raise unless every data row read became exactly one task."""
    written = len(parsed.tasks)
    if parsed.rows_read != written:
        raise IncompleteTableError(
            f"{parsed.metadata.get('source_file')}: 读入 {parsed.rows_read} 行数据，写出 {written} 个任务，不一致"
        )
    if parsed.tasks["task"].eq("").any():
        empty = parsed.tasks.loc[parsed.tasks["task"].eq(""), "task_id"].tolist()
        raise IncompleteTableError(f"{parsed.metadata.get('source_file')}: 序号 {empty} 的重点工作内容为空")
    return parsed


def quality_table(parsed: ParsedTable) -> pd.DataFrame:
    """The data-quality summary as a two-column table for reports."""
    quality = parsed.quality if isinstance(parsed, ParsedTable) else parsed
    rows = [
        ("源文件", quality["source_file"]),
        ("读入数据行", quality["rows_read"]),
        ("写出任务数", quality["rows_written"]),
        ("全部行均已计入", "是" if quality["all_rows_accounted_for"] else "否"),
        ("领导数", quality["leaders"]),
        ("序号范围", f"{quality['task_id_min']}–{quality['task_id_max']}"),
        ("警告数", len(quality["warnings"])),
    ]
    return pd.DataFrame(rows, columns=["项目", "值"]).astype({"值": str})


def warnings_table(parsed: ParsedTable | dict) -> pd.DataFrame:
    quality = parsed.quality if isinstance(parsed, ParsedTable) else parsed
    return pd.DataFrame({"警告": quality["warnings"] or ["（无）"]})
