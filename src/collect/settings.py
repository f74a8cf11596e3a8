"""What a collecting round is set by: the period (``PERIOD=``), the office's
[collect] settings (``data/reference/office.toml``), the workbook's columns and
the file names. No workbook is read or written here.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from src.paths import INTERIM_DIR, REFERENCE_DIR
from src.table.document import read_period

OFFICE_PATH = REFERENCE_DIR / "office.toml"
ROUNDS_DIR = INTERIM_DIR / "collect"  # one folder per round: <as_of>/

DEFAULTS = {
    "contact_name": "督查室",
    "contact_phone": "",
    "contact_email": "",
    "office_name": "",
    "deadline_days_after_period": 5,
    "deadline_time": "17:00",
    "timezone": "Asia/Shanghai",
    "summary_title": "{year}年政府工作报告重点工作{period}完成情况汇总表",
    "workbook_title": "{year}年政府工作报告重点工作{period}完成情况填报表",
    "file_names": "name",
    "rate_question_above": 100,
    "text_match_ratio": 0.85,
    "approximate_words": ["约", "近", "超", "逾", "大约", "左右", "余", "多", "以上", "接近", "将近", "达"],
}

# The unit's sheet: (header, width). The headers are what a return is read by.
MAIN_SHEET = "填报表"
NOTES_SHEET = "填报说明"
INFO_SHEET = "回传信息"
KEY_HEADER = "回传编号（请勿修改）"
REFERENCE_COLUMNS = [  # pre-filled, locked
    ("序号", 6), ("重点工作", 40), ("责任领导", 12), ("配合单位", 14),
    ("年度目标", 12), ("计量单位", 8), ("上期进展情况（参考）", 40), ("上期状态（参考）", 10),
]
INPUT_COLUMNS = [  # the unit fills these
    ("截至本期完成值", 12), ("完成率", 9), ("进展情况", 48), ("存在问题", 30), ("下一步工作安排", 30),
    ("是否需要协调", 10), ("填报人", 10), ("联系电话", 14),
]
HEADERS = [name for name, _ in REFERENCE_COLUMNS + INPUT_COLUMNS] + [KEY_HEADER]
HEADER_ROW = 4  # title, unit and deadline, a note, then the header
COORDINATION_CHOICES = ("是", "否")

# The summary table written into data/raw/: the project's template layout plus
# the structured columns (INTERFACES.md: exactly 年度目标 / 截至本期完成值 / 完成率).
SUMMARY_HEADERS = ["序号", "重点工作", "牵头单位", "配合单位", "责任领导", "完成时限",
                   "年度目标", "截至本期完成值", "完成率", "进展情况", "存在问题", "下一步工作安排"]


class CollectError(ValueError):
    """Bad input to a collecting command (exit code 2); the message is Chinese first."""


def office_settings(path: Path | None = None) -> dict:
    """The [collect] section of office.toml over the defaults (the file or section may be absent)."""
    path = path or OFFICE_PATH
    section = {}
    if path.exists():
        try:
            with open(path, "rb") as handle:
                section = tomllib.load(handle).get("collect", {})
        except tomllib.TOMLDecodeError as error:
            raise CollectError(f"{path.name}: 格式有误（{error}），请按 TOML 格式改正 (office.toml is not valid TOML)") from None
    return {**DEFAULTS, **section}


@dataclass(frozen=True)
class Period:
    """The period a round collects: its last day, the year and the label the title shows."""

    as_of: dt.date
    label: str  # 半年度, 前三季度, 1-10月 … (the words table_format.toml reads back)

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def key(self) -> str:
        return self.as_of.isoformat()

    @property
    def name(self) -> str:
        return f"{self.year}年{self.label}"

    def title(self, template: str) -> str:
        return template.format(year=self.year, period=self.label)


_LABEL_OF_MONTH = {3: "一季度", 6: "半年度", 9: "前三季度", 12: "全年"}


def parse_period(text) -> Period:
    """``PERIOD=``: a last day (2020-09-30) or a year and period (2020年前三季度, 2020年1-10月, 2020-Q3).

    >>> parse_period("2020-09-30"), parse_period("2020年1-10月").key, parse_period("2021年半年度").label
    (Period(as_of=datetime.date(2020, 9, 30), label='前三季度'), '2020-10-31', '半年度')
    """
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not raw:
        raise CollectError("请用 PERIOD= 指定统计期，如 PERIOD=2020-09-30 或 PERIOD=2020年前三季度 (PERIOD is required)")
    quarter = re.fullmatch(r"(\d{4})\s*[-_ ]?\s*[Qq]([1-4])", raw)
    if quarter:
        month = int(quarter.group(2)) * 3
        return _period_of(dt.date(int(quarter.group(1)), month, calendar.monthrange(2001, month)[1]))
    try:
        return _period_of(dt.date.fromisoformat(raw))
    except ValueError:
        pass
    year = re.search(r"(\d{4})\s*年?", raw)
    found = read_period(raw[year.end():] if year else raw)
    if not year or not found:
        raise CollectError(
            f"统计期“{text}”看不懂：请写成 2020-09-30、2020年前三季度、2020年1-10月 或 2020-Q3 "
            "(PERIOD: a date, or a year and a period)"
        )
    label, month_day = found
    return Period(dt.date.fromisoformat(f"{year.group(1)}-{month_day}"), label)


def _period_of(day: dt.date) -> Period:
    if day.day != calendar.monthrange(day.year, day.month)[1]:
        raise CollectError(f"统计期 {day.isoformat()} 不是月末：请写统计期最后一天，如 {day.year}-09-30 (PERIOD must be a month end)")
    return Period(day, _LABEL_OF_MONTH.get(day.month, f"1-{day.month}月"))


def deadline_of(period: Period, settings: dict, given=None) -> dt.datetime:
    """The deadline as an aware datetime: ``given`` (YYYY-MM-DD [HH:MM]) or N days after the period's end."""
    zone = time_zone(settings)
    try:
        hour, minute = (int(x) for x in str(settings["deadline_time"]).split(":"))
        days = int(settings["deadline_days_after_period"])
        dt.time(hour, minute)
    except ValueError:
        raise CollectError(
            f"office.toml [collect]：deadline_time = “{settings['deadline_time']}” 应为 HH:MM（如 17:00），"
            f"deadline_days_after_period = “{settings['deadline_days_after_period']}” 应为天数 (bad deadline settings)"
        ) from None
    if given not in (None, ""):
        text = unicodedata.normalize("NFKC", str(given)).strip()
        try:
            stamp = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CollectError(f"截止时间“{given}”无效，应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM (DEADLINE must be a date)") from None
        if len(text) <= 10:
            stamp = stamp.replace(hour=hour, minute=minute)
        return stamp.replace(tzinfo=zone)
    day = period.as_of + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def show_time(stamp: dt.datetime, settings: dict) -> str:
    """A time as the office reads it (its own time zone, to the minute)."""
    return stamp.astimezone(time_zone(settings)).strftime("%Y-%m-%d %H:%M")


def time_zone(settings: dict) -> ZoneInfo:
    try:
        return ZoneInfo(str(settings["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        raise CollectError(
            f"office.toml [collect] timezone = “{settings['timezone']}”：找不到这个时区；请写 Asia/Shanghai 这样的名称，"
            "Windows 上还需 pip install tzdata (unknown time zone)"
        ) from None


_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')


def file_name(number: int, unit: str, period: Period, style: str) -> str:
    """The file a unit receives. ``name``: number, the unit's name sanitised (no characters Windows forbids,
    no spaces, at most 40 characters) and the period; ``ascii``: number and period only.

    >>> file_name(3, "市发改委/物价局", parse_period("2020-09-30"), "name"), file_name(3, "x", parse_period("2020-09-30"), "ascii")
    ('03_市发改委_物价局_2020年前三季度.xlsx', 'unit-03_2020-09-30.xlsx')
    """
    if style == "ascii":
        return f"unit-{number:02d}_{period.key}.xlsx"
    if style != "name":
        raise CollectError(f"office.toml [collect] file_names = “{style}”：只能是 name 或 ascii (file_names: name or ascii)")
    clean = _FORBIDDEN.sub("_", unicodedata.normalize("NFKC", unit)).strip("._")[:40] or "单位"
    return f"{number:02d}_{clean}_{period.name}.xlsx"


def squash(text) -> str:
    """A cell's text for comparing: NFKC (full-width to half-width), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))
