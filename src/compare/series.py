"""Which periods belong together: a period's label, and whether an earlier table is
the previous period of the same series (same office, same year, earlier report
date). Plain Python (no pandas), so the build can choose the kept previous period
without loading the data stack. Used by :mod:`src.compare.previous` and :mod:`src.compare.periods`.
"""
from __future__ import annotations

import re
import unicodedata

from src.report_date import to_date

__all__ = ["period_label"]


def _squash(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def period_label(metadata: dict) -> str:
    """'2020年半年度' (year and period of a table), or its as_of, or its file name."""
    year, period = metadata.get("year"), metadata.get("period")
    if year and period:
        return f"{year}年{period}"
    if metadata.get("as_of"):
        return f"截至{metadata['as_of']}"
    return str(metadata.get("source_file") or "上期")


def _describe(metadata: dict) -> str:
    return (f"《{metadata.get('title') or '（无标题）'}》，印发单位 {metadata.get('issuing_office') or '未注明'}，"
            f"统计期 {metadata.get('period') or '未注明'}，参考日期 {metadata.get('as_of') or '未注明'}，"
            f"文件 {metadata.get('source_file') or '未注明'}")


def _series_check(current: dict, previous: dict) -> tuple[list[str], list[str]]:
    """(problems that refuse the pair, notes that only warn)."""
    problems, notes = [], []
    office, previous_office = _squash(current.get("issuing_office")), _squash(previous.get("issuing_office"))
    if office and previous_office and office != previous_office:
        problems.append(f"印发单位不同（本期 {current.get('issuing_office')}，上期 {previous.get('issuing_office')}）")
    elif not office or not previous_office:
        notes.append("有一张表未写明印发单位，无法核对两期是否出自同一督查室")
    year, previous_year = current.get("year"), previous.get("year")
    if year and previous_year and int(year) != int(previous_year):
        problems.append(f"年度不同（本期 {year} 年，上期 {previous_year} 年），重点工作不是同一批")
    as_of, previous_as_of = current.get("as_of"), previous.get("as_of")
    if as_of and previous_as_of:
        as_of, previous_as_of = to_date(as_of), to_date(previous_as_of)  # compared as dates
        if previous_as_of >= as_of:
            which = "相同" if previous_as_of == as_of else "晚于本期"
            problems.append(f"上期参考日期 {previous_as_of.isoformat()} {which}（本期 {as_of.isoformat()}），不是更早的一期")
    else:
        notes.append("有一张表没有参考日期，无法核对两期的先后")
    return problems, notes
