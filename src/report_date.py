"""The report date (``as_of``): parsed in one place, decided once per build.

The build decides it at its start — ``--as-of`` if given, else the period
stated in the table's title — writes it into ``metadata.json`` (``as_of``,
``as_of_source``), and everything downstream (the classifier, the reports, the
index, the workbook) reads it from there as a :class:`datetime.date`.
"""
from __future__ import annotations

from datetime import date, datetime

__all__ = ["ReportDateError", "to_date", "decide_report_date", "metadata_report_date"]


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
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ReportDateError(f"参考日期 {value!r} 无效，应为 YYYY-MM-DD (as_of must be a date or 'YYYY-MM-DD')") from None


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
