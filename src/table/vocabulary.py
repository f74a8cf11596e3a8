"""What the words of a key-task table mean, read from
``data/reference/table_format.toml``: column names and their synonyms, the
header row, leader headings, section rows and leader cells, lead-unit lists and
the combined problems / next-steps column. No format and no table pass here.
"""
from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from pathlib import Path

from src.fingerprints import read_reference
from src.paths import REFERENCE_DIR
from src.table.cells import CJK, clean_cell, clean_text_cell


@cache
def table_format(path: Path | None = None) -> dict:
    path = path or REFERENCE_DIR / "table_format.toml"
    return tomllib.loads(read_reference(path).decode())


def column_label(name: str) -> str:
    return table_format()["columns"].get(name, {}).get("label", name)


@cache
def _column_matchers() -> tuple[tuple[str, frozenset, tuple], ...]:
    matchers = []
    for name, spec in table_format()["columns"].items():
        names = frozenset(squash(n) for n in spec.get("names", []))
        patterns = tuple(re.compile(p) for p in spec.get("patterns", []))
        matchers.append((name, names, patterns))
    return tuple(matchers)


def required_columns() -> list[str]:
    return [name for name, spec in table_format()["columns"].items() if spec.get("required")]


_WHITESPACE = re.compile(r"\s+")
_MARKDOWN_HEADING = re.compile(r"^#+\s*")
_LEADING_YEAR = re.compile(r"^\d{4}年度?")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


def squash(text: str) -> str:
    return _WHITESPACE.sub("", text)


def strip_markdown(line: str) -> str:
    return _MARKDOWN_HEADING.sub("", line).strip()


def cell_text(cell: str | None, markup: str) -> str:
    if cell is None:
        return ""
    return clean_cell(cell).text if markup == "html" else clean_text_cell(cell).text


def column_name(cell_text: str) -> str | None:
    """The field a header cell names, or None.

    >>> column_name("2020 年重点工作"), column_name("责任单位"), column_name("1-9月进展情况")
    ('task', 'lead_unit', 'progress')
    >>> column_name("进展情况（截至9月底）"), column_name("备注")
    ('progress', None)
    """
    squashed = squash(cell_text)
    plain = _LEADING_YEAR.sub("", squashed)
    plain = _TRAILING_NOTE.sub("", plain)
    for name, names, patterns in _column_matchers():
        if squashed in names or plain in names:
            return name
        for pattern in patterns:
            if pattern.match(squashed):
                return name
    return None


@lru_cache(maxsize=512)  # a table repeats its header at every page break
def header_names(fields: tuple[str | None, ...], markup: str) -> tuple[str, ...]:
    names = []
    for cell in fields:
        text = squash(cell_text(cell, markup))
        names.append(column_name(text) or text)
    return tuple(names)


def is_header(fields: list[str | None], markup: str = "html") -> bool:
    """A header row: its first cell is 序号, or it names the task column and at
    least two other known columns."""
    if not fields:
        return False
    first = fields[0] or ""
    if "序" in first and (first == "序号" or squash(cell_text(first, markup)) == "序号"):  # "序号" cleans to itself
        return True
    for cell in fields:
        if cell and len(cell) > 60:  # data rows hold long text
            return False
    # The known names among header_names(fields), cell by cell, stopping when
    # the cells left could no longer make three.
    columns = table_format()["columns"]
    known = set()
    for position, cell in enumerate(fields):
        if len(known) + len(fields) - position < 3:
            return False
        text = squash(cell_text(cell, markup))
        name = column_name(text) or text
        if name in columns:
            known.add(name)
    return "task" in known and len(known) >= 3


def parse_leader_heading(text: str) -> tuple[str, str] | None:
    """'刘 忻市长主抓重点工作' → ('刘忻', '市长'); None if it is not a leader heading."""
    fmt = table_format()["leaders"]
    squashed = squash(strip_markdown(text))
    squashed = re.sub(r"[.…·]{2,}.*$", "", squashed)  # table-of-contents dots and page
    titles = "|".join(re.escape(t) for t in fmt["titles"])
    match = re.match(rf"^(?P<name>[{CJK}]{{1,4}}?)(?P<title>{titles}){fmt['heading_suffix']}", squashed)
    if not match:
        return None
    return match.group("name"), match.group("title")


def parse_section_row(text: str) -> tuple[str, str] | None:
    """A section row or Word heading naming the leader, in the looser forms
    offices use: '二、柯吉欣副市长分管（12项）' → ('柯吉欣', '副市长').

    >>> parse_section_row("刘忻市长"), parse_section_row("（三）王 宏副市长牵头重点工作")
    (('刘忻', '市长'), ('王宏', '副市长'))
    >>> parse_section_row("一、经济发展") is None
    True
    """
    strict = parse_leader_heading(text)
    if strict:
        return strict
    fmt = table_format()["leaders"]
    squashed = squash(strip_markdown(text))
    squashed = re.sub(fmt["section_prefix"], "", squashed)
    titles = "|".join(re.escape(t) for t in fmt["titles"])
    match = re.match(rf"^(?P<name>[{CJK}]{{2,4}}?)(?P<title>{titles}){fmt['section_suffix']}", squashed)
    if not match:
        return None
    return match.group("name"), match.group("title")


def parse_leader_cell(text: str) -> tuple[str, str]:
    """A leader column's cell: '刘忻副市长' or '刘忻（副市长）' → (name, title); a
    bare name → (name, '')."""
    squashed = squash(text)
    titles = "|".join(re.escape(t) for t in table_format()["leaders"]["titles"])
    match = re.match(rf"^(?P<name>[{CJK}]{{2,4}}?)[（(]?(?P<title>{titles})[）)]?$", squashed)
    if match:
        return match.group("name"), match.group("title")
    return squashed, ""


def split_lead_units(lead_unit: str, separators: list[str] | None = None) -> list[str]:
    """Split a lead-unit cell on 、，, etc., never inside （…） or (…)."""
    separators = separators or table_format()["lead_units"]["separators"]
    if "（" not in lead_unit and "(" not in lead_unit and "【" not in lead_unit and "[" not in lead_unit:
        # Without an opening bracket the depth below stays 0 and every separator splits.
        units = _separator_split(tuple(separators))(lead_unit)
        return [unit for unit in map(str.strip, units) if unit]
    units, current, depth = [], [], 0
    for char in lead_unit:
        if char in _OPENING_BRACKETS:
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


_OPENING_BRACKETS = "（(【["


@lru_cache(maxsize=8)
def _separator_split(separators: tuple[str, ...]):
    """str.split on any one-character separator (the loop compares one character at a time)."""
    chars = "".join(re.escape(s) for s in separators if len(s) == 1)
    if not chars:
        return lambda text: [text]
    return re.compile(f"[{chars}]").split


@lru_cache(maxsize=8)
def _fifth_column_labels(problems_label: str, next_steps_label: str) -> tuple[re.Pattern, re.Pattern]:
    return re.compile(problems_label), re.compile(next_steps_label)


def split_fifth_column(text: str) -> tuple[str, str]:
    """Split 存在问题及下一步工作安排 into (problems, next_steps).

    Labelled cells are split at their labels; text before a next-steps label
    with no problems label is the problem statement; an unlabelled cell is all
    next steps.
    """
    fmt = table_format()["fifth_column"]
    problems_label, next_label = _fifth_column_labels(fmt["problems_label"], fmt["next_steps_label"])
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
