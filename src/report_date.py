"""The report date (``as_of``): parsed in one place, decided once per build.

The build decides it at its start — ``--as-of`` if given, else the period
stated in the table's title — writes it into ``metadata.json`` (``as_of``,
``as_of_source``), and everything downstream (the classifier, the reports, the
index, the workbook) reads it from there as a :class:`datetime.date`.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

__all__ = ["ReportDateError", "to_date", "parse_date_text", "decide_report_date", "metadata_report_date"]

# 2020-07-20, 2020/7/20, 2020.7.20, 2020年7月20日 (Excel sometimes appends a time)
_DATE_TEXT = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?)"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


class ReportDateError(ValueError):
    """No usable report date: the title states no period and none was given, or a malformed date."""


def to_date(value) -> date:
    """``value`` (a date, a datetime, a pandas Timestamp or 'YYYY-MM-DD…') as a :class:`date`.

    >>> to_date("2020-06-30")
    datetime.date(2020, 6, 30)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    try:
        parsed = parse_date_text(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise ReportDateError(f"参考日期 {value!r} 无效，应为 YYYY-MM-DD (as_of must be a date or 'YYYY-MM-DD')")
    return parsed


def parse_date_text(text: str) -> date | None:
    """The one reader of dates written as text: '2020-07-20', '2020/7/20', '2020年7月20日'
    (full-width digits too, a time after it ignored) → a :class:`date`; anything else → None.
    Raises ValueError for an impossible date (2020-13-01).

    >>> parse_date_text("2020年7月20日"), parse_date_text("2020-06-30T00:00:00")
    (datetime.date(2020, 7, 20), datetime.date(2020, 6, 30))
    """
    match = _DATE_TEXT.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    return date(int(match["y"]), int(match["m"] or match["m2"]), int(match["d"] or match["d2"]))


def decide_report_date(metadata: dict, requested=None) -> tuple[date, str]:
    """The report date and where it came from: ``requested`` (``--as-of`` / ``AS_OF=``)
    if given, else the period in the document's title (``metadata['as_of']``).

    >>> decide_report_date({"as_of": "2020-06-30"})
    (datetime.date(2020, 6, 30), 'title')
    >>> decide_report_date({"as_of": "2020-06-30"}, "2020-09-30")
    (datetime.date(2020, 9, 30), 'as_of')
    """
    if requested not in (None, ""):
        return to_date(requested), "as_of"
    stated = metadata.get("document_as_of") or metadata.get("as_of")
    if stated:
        return to_date(stated), "title"
    source = metadata.get("source_file") or "汇总表"
    raise ReportDateError(
        f"{source}: 文件标题未说明统计期（半年度、前三季度、1-11月…），无法确定序时进度；"
        "请用 AS_OF=YYYY-MM-DD（或 --as-of）指定参考日期 (the document states no period: pass AS_OF)"
    )


def metadata_report_date(metadata: dict, where="metadata.json") -> date:
    """The date the build decided, as written into ``metadata.json``."""
    value = metadata.get("as_of")
    if not value:
        raise ReportDateError(f"{where}: 没有参考日期 as_of；请先运行 make reports (no decided as_of)")
    return to_date(value)
