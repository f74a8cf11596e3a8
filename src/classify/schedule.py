"""Stage 1, the yardstick: the report date and the share of the year elapsed
at it (序时进度), against which every quantified measure is judged.

A month-end ``as_of`` gives ``month / 12`` exactly (30 June → 0.5, 30
September → 0.75, 30 November → 0.9167); any other date gives a day-precise
``day_of_year / days_in_year`` (15 May 2020 → 136/366).
"""
from __future__ import annotations

import calendar

from src.report_date import to_date


def elapsed_share(as_of) -> float:
    """Share of the calendar year elapsed at ``as_of`` (the 序时进度 yardstick).

    Month-end dates give ``month / 12`` (2020-06-30 → 0.5, 09-30 → 0.75,
    11-30 → 0.9167, 12-31 → 1.0). Other dates give the day-precise
    ``day_of_year / days_in_year`` (2020-05-15 → 136 / 366).
    """
    day = to_date(as_of)
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return day.month / 12
    days_in_year = 366 if calendar.isleap(day.year) else 365
    return day.timetuple().tm_yday / days_in_year

