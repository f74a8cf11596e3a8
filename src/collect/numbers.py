"""Numbers as units type them into a return: ``12.5``, full-width ``１２３``,
``约50%``, ``1.2万``, ``3,500``, ``12.5万人``. Each reading says what it had to
assume, so the 填报情况 report can show it.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from src.classify.spans import cn_number

# Words around an approximate number; office.toml [collect] approximate_words is what gather passes.
APPROXIMATE_WORDS = ("约", "近", "超", "逾", "大约", "左右", "余", "多", "以上", "接近", "将近", "达")
_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000, "千": 1_000}
_NUMBER = re.compile(r"(?P<num>-?\d+(?:\.\d+)?)\s*(?P<mult>[万亿千])?\s*(?P<rest>.*)$")


@dataclass
class Reading:
    value: float | None  # None: no number could be read
    percent: bool = False  # typed with % (the value is in percent points)
    notes: list[str] = field(default_factory=list)  # what was assumed, in Chinese


def read_number(raw, unit: str = "", approximate=APPROXIMATE_WORDS) -> Reading:
    """A typed number. ``unit`` is the task's unit (万人): a number typed with its
    own multiplier (12万 where the unit is 人) is converted to it.

    >>> read_number("１２３").value, read_number("１２３").notes
    (123.0, ['全角数字“１２３”按 123 读入'])
    >>> r = read_number("约50%"); (r.value, r.percent, r.notes)
    (50.0, True, ['“约50%”是约数，按 50% 读入'])
    >>> read_number("3,500").value, read_number(12.5).value, read_number("12.5万人", "万人").value
    (3500.0, 12.5, 12.5)
    >>> read_number("正在推进").value is None
    True
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Reading(None)
    if isinstance(raw, bool):
        return Reading(None, notes=[f"“{raw}”不是数字"])
    if isinstance(raw, (int, float)):
        return Reading(float(raw))
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return Reading(None, notes=[f"填的是日期或时间（{raw}），不是数字"])
    typed = str(raw).strip()
    notes = []
    text = unicodedata.normalize("NFKC", typed)
    if text != typed and any(unicodedata.east_asian_width(ch) == "F" for ch in typed):
        notes.append(f"全角数字“{typed}”按 {text.strip()} 读入")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.replace(" ", ""))
    approx = [word for word in approximate if word in text]
    for word in sorted(approx, key=len, reverse=True):
        text = text.replace(word, "")
    percent = "%" in text or "百分之" in typed
    text = text.replace("%", "").replace("百分之", "")
    match = _NUMBER.match(text) or _cn_match(text)
    if not match:
        return Reading(None, notes=[f"“{typed}”不是数字"])
    chinese = match.group("num")[0] not in "-0123456789"
    value = _cn_value(match.group("num")) if chinese else float(match.group("num"))
    multiplier, rest = match.group("mult") or "", match.group("rest")
    stated = f"{multiplier}{rest}"
    if stated and unit and stated != unit:
        own = _MULTIPLIERS.get(multiplier, 1)
        wanted = _MULTIPLIERS.get(unit[:1], 1) if unit[:1] in _MULTIPLIERS else 1
        base = unit[1:] if unit[:1] in _MULTIPLIERS else unit
        if rest in ("", base):
            value = value * own / wanted
            notes.append(f"“{typed}”换算为 {value:g}{unit}")
        else:
            notes.append(f"“{typed}”的单位“{stated}”与计量单位“{unit}”不同，只取数字 {value:g}，请核实")
    elif multiplier and not unit:
        value *= _MULTIPLIERS[multiplier]
    if chinese:
        notes.append(f"中文数字“{typed}”按 {value:g}{'%' if percent else ''} 读入")
    if approx:
        shown = f"{value:g}%" if percent else f"{value:g}"
        notes.append(f"“{typed}”是约数，按 {shown} 读入")
    return Reading(value, percent, notes)


_CN_NUMBER = re.compile(r"(?P<num>[零〇一二两三四五六七八九十百千]+(?:点[零〇一二两三四五六七八九]+)?)\s*(?P<mult>[万亿])?\s*(?P<rest>.*)$")


def _cn_match(text: str):
    return _CN_NUMBER.match(text)


def _cn_value(numeral: str) -> float:
    return cn_number(numeral)


def read_rate(raw, approximate=APPROXIMATE_WORDS) -> Reading:
    """完成率 as percent points: a cell formatted as % holds 0.625; typed ``62.5%`` or ``约60%`` give 62.5, 60.

    >>> read_rate(0.625).value, read_rate("62.5%").value, read_rate("80").value
    (62.5, 62.5, 80.0)
    """
    reading = read_number(raw, approximate=approximate)
    if reading.value is None or reading.percent:
        return reading
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and abs(reading.value) <= 2:
        return Reading(reading.value * 100, True, reading.notes)  # a fraction shown as a percentage
    if abs(reading.value) <= 2:
        reading.notes.append(f"完成率“{raw}”没有 % 号，按 {reading.value * 100:g}% 读入")
        return Reading(reading.value * 100, True, reading.notes)
    reading.notes.append(f"完成率“{raw}”没有 % 号，按 {reading.value:g}% 读入")
    return Reading(reading.value, True, reading.notes)
