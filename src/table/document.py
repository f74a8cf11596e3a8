"""The document around the table: title, issuing office and issue date (the
rows above the header), the period and reference date (from the title, else
the file name), and the Markdown table of contents (leader order).
"""
from __future__ import annotations

import calendar
import re
from pathlib import Path

from src.table.vocabulary import is_header, parse_leader_heading, parse_section_row, squash, strip_markdown, table_format


def read_period(text: str | None) -> tuple[str, str] | None:
    """(label, month-day) of the period a title or file name states, or None.

    >>> read_period("2021年1-9月重点工作完成情况"), read_period("2022年1-10月汇总")
    (('前三季度', '09-30'), ('1-10月', '10-31'))
    """
    if not text:
        return None
    for period in table_format()["periods"]:
        match = re.search(period["pattern"], text)
        if not match:
            continue
        if "end_month" in match.groupdict():
            month = int(match.group("end_month"))
            if not 1 <= month <= 12:
                continue
            return period["label"].format(end_month=month), f"{month:02d}-{calendar.monthrange(2001, month)[1]:02d}"
        return period["label"], period["month_day"]
    return None


def _metadata(path: Path, title, office, issued) -> dict:
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
    if year_match is None:
        year_match = re.search(r"(?<!\d)(20\d{2})(?!\d)", Path(path).stem)
    if year_match:
        metadata["year"] = int(year_match.group(1))
    period = read_period(title)
    if period is None and (period := read_period(Path(path).stem)) is not None:
        metadata["period_from"] = "file_name"
    if period:
        metadata["period"] = period[0]
        if metadata["year"]:
            metadata["as_of"] = f"{metadata['year']}-{period[1]}"
    return metadata


_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")


def _issued(match: re.Match) -> str:
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}" + (f"-{int(match.group(3)):02d}" if match.group(3) else "")


def markdown_metadata(lines: list[str], path) -> dict:
    """Title, issuing office, issue date and period from the Markdown header."""
    title = office = issued = None
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if "\t" in stripped or stripped.startswith("##") or "目录" in squash(stripped):
            break
        text = squash(strip_markdown(stripped))
        if title is None and stripped.startswith("#"):
            title = text
        elif office is None and re.search(table_format()["document"]["office_pattern"], text):
            office = text
        elif issued is None and (m := _DATE.fullmatch(text)):
            issued = _issued(m)
    return _metadata(path, title, office, issued)


def grid_metadata(texts: list[tuple[str, int]], path) -> dict:
    """The same from the rows above the first header of a spreadsheet, Word or PDF
    file: (text, heading level) pairs, read as a person reads them. The title is the
    text before the first table or leader heading that is neither the office nor a
    date: a level-1 heading when there is one that is not a leader's, else the first
    such row; the rows right after it that are neither (a title broken over two PDF
    lines or two Word paragraphs) are joined to it. A leader heading ("刘忻市长主抓
    重点工作", in any heading style) is never the title."""
    office_pattern = table_format()["document"]["office_pattern"]
    title = office = issued = None
    kinds = []  # (squashed text, kind, level): kind title / office / date / skip
    for text, level in texts:
        squashed = squash(text)
        if not squashed or squashed == "目录" or parse_section_row(squashed):
            kinds.append((squashed, "skip", level))
            continue
        date = _DATE.fullmatch(squashed) or (re.search(r"(日期|时间)[:：]?", squashed) and _DATE.search(squashed))
        if date:
            if issued is None:
                issued = _issued(date)
            rest = re.sub(r"[，,;；\s]*(填报|报送|印发)?(日期|时间)[:：]?.*$", "", squashed)
            if rest and re.search(office_pattern, rest) and office is None:
                office = re.sub(r"^(填报|报送|印发)?单位[:：]", "", rest)
            kinds.append((squashed, "date", level))
            continue
        if re.search(office_pattern, squashed) and not re.search(r"(汇总表|情况表|完成情况)", squashed):
            if office is None:
                office = re.sub(r"^(填报|报送|印发)?单位[:：]", "", squashed)
            kinds.append((squashed, "office", level))
            continue
        kinds.append((squashed, "title", level))
    headed = [i for i, (_, kind, level) in enumerate(kinds) if kind == "title" and level == 1]
    plain = [i for i, (_, kind, _) in enumerate(kinds) if kind == "title"]
    if headed or plain:
        first = (headed or plain)[0]
        parts = [kinds[first][0]]
        for text, kind, _ in kinds[first + 1:]:
            if kind != "title":
                break
            parts.append(text)  # the title's next line (wrapped in the PDF, a second paragraph)
        title = "".join(parts)
    return _metadata(path, title, office, issued)


def read_toc(lines: list[str]) -> list[str]:
    """Leader names in the order of the 目录 (table of contents)."""
    names, in_toc = [], False
    for line in lines:
        squashed = squash(strip_markdown(line))
        if squashed == "目录":
            in_toc = True
            continue
        if in_toc:
            if line.startswith("#") or "\t" in line and is_header(line.split("\t")) or line.startswith("##"):
                break
            if not squashed:
                continue
            parsed = parse_leader_heading(line.split("\t")[0])
            if parsed:
                names.append(parsed[0])
    return names


def is_toc_line(line: str) -> bool:
    return bool(re.search(r"[.…]{3,}", line)) and parse_leader_heading(line.split("\t")[0]) is not None
