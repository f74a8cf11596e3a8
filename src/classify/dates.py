"""Dates as (year, month) pairs read from a match of a rules-file pattern (issue 22, twelfth round,
helper judge13): the one reading shared by :mod:`src.classify.due_dates` and :func:`src.classify.cues.work_due`."""
from __future__ import annotations

import re

from src.classify.spans import month_number


def stated_date(match: re.Match, family: dict, report_year: int) -> tuple[int, int] | None:
    """(year, month) of a date match: group ``year`` (2023 年) or ``rel`` (今年, 明年: the report's
    year plus ``relative_years``), else the report's year; group ``month`` (9 月, 十二月) or
    ``period`` (年底, 年内: ``period_months``). A year named without a month gives month 0 (it
    compares later than every month of an earlier year only); None when neither is told."""
    groups = match.groupdict()
    named = groups.get("year") or groups.get("rel")
    if groups.get("year"):
        year = int(groups["year"])
    elif groups.get("rel"):
        year = report_year + int(family.get("relative_years", {}).get(groups["rel"], 0))
    else:
        year = report_year
    if groups.get("month"):
        month = month_number(groups["month"])
    elif groups.get("period"):
        month = int(family.get("period_months", {}).get(groups["period"], 0))
    else:
        month = 0
    if 1 <= month <= 12:
        return year, month
    return (year, 0) if named else None  # a year alone (2025 年建成): later than any month of an earlier year


def later_than(pattern: str | None, family: dict, text: str, year: int, month: int) -> bool:
    """True when ``text`` plans something for a later date than (``year``, ``month``): a match of
    ``pattern`` (groups as :func:`stated_date` reads them) dated to a later month, or to a later year
    when it names no month (预计 2019 年开工 in November 2018, 计划 12 月开工 in September)."""
    for match in re.finditer(pattern, text) if pattern else []:
        when = stated_date(match, family, year)
        if when is None:
            continue
        if (when[1] == 0 and when[0] > year) or (when[1] and when > (year, month)):
            return True
    return False


__all__ = ["stated_date", "later_than"]
