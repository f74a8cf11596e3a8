"""Stage 4b, the cells of a table's number columns (年度目标 / 完成值 / 完成率): a cell's number, unit and
per-cent sign; a target cell's comparison words (≥, 以上, 以内, 控制在 …: [families.bounded_cells]) and
whether it binds as a ceiling; an actual cell's verb or bracketed note; the two cells on one scale (万 / 亿).
Used by :func:`src.classify.arithmetic.structured_measures`."""
from __future__ import annotations

import re

from src.classify.measure_types import Measure
from src.classify.rules import Rules
from src.classify.spans import cn_number

# A cell that holds only a number: digits or Chinese numerals, 万/亿, a percent sign or
# a short unit (1200, 35.29%, 3家, 1.2万亩, 一百二十). A cell of words is no number.
_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万点]+)\s*(万|亿)?\s*([%％])?\s*([^\d\s%％]{0,4})\s*")
MULTIPLIER = {"万": 1e4, "亿": 1e8, None: 1, "": 1}  # 万 / 亿 as written after a number


def parse_cell_number(cell: str):
    """(value, unit, percent) of a number cell ("1200", "35.29%", "3家", "1.2万", "一百二十"),
    or None when it holds no number."""
    cell = (cell or "").strip().replace(",", "").replace("，", "")
    if not cell:
        return None
    match = _NUMBER.fullmatch(cell)
    if not match:
        return None
    raw, multiplier, percent, unit = match.groups()
    try:
        value = cn_number(raw) if not raw.lstrip("-").replace(".", "").isdigit() else float(raw)
    except (ValueError, KeyError):
        return None
    return value * MULTIPLIER[multiplier], (unit or "")[:4], bool(percent)


_SCALE = re.compile(r"\d\s*(万|亿)")
_TRAILING_BRACKET = re.compile(r"\s*[（(][^（()）]*[）)]\s*$")


def actual_cell_number(row: dict, rules: Rules):
    """([families.bounded_cells].actual_prefix_words) the actual cell's number, a verb before it (完成 3 个,
    累计完成 4.2 亿元) and a note in brackets after it (3 座（含在建 1 座）) taken out."""
    cell = (row.get("actual") or "").strip()
    parsed = parse_cell_number(cell)
    prefixes = rules.family("bounded_cells").get("actual_prefix_words", [])
    if parsed is not None or not cell or not prefixes:
        return parsed
    bare = _TRAILING_BRACKET.sub("", cell)
    for word in sorted(prefixes, key=len, reverse=True):
        if bare.startswith(word):
            bare = bare[len(word):]
            break
    return parse_cell_number(bare)


def same_scale(row: dict, target, actual, rules: Rules) -> tuple:
    """([families.bounded_cells].same_scale) a bare number beside a number written with 万 / 亿 in the other
    cell is on that scale (10 亿元 against 4.2: 4.2 亿元), as a table's header unit would say."""
    if target is None or actual is None or not rules.family("bounded_cells").get("same_scale"):
        return target, actual
    scales = [_SCALE.search(row.get(name) or "") for name in ("target", "actual")]
    if bool(scales[0]) == bool(scales[1]) or target[2] or actual[2]:
        return target, actual
    factor = {"万": 1e4, "亿": 1e8}[(scales[0] or scales[1]).group(1)]
    if scales[0]:
        return target, (actual[0] * factor, actual[1] or target[1], actual[2])
    return (target[0] * factor, target[1] or actual[1], target[2]), actual


def bounded_target(row: dict, rules: Rules) -> tuple:
    """([families.bounded_cells]) the target cell's number with its comparison words taken out, and
    whether it is a ceiling (≤4.5%, 以内, 不超过; or a bare cell of a task whose words set a ceiling)."""
    cell = (row.get("target") or "").strip()
    family = rules.family("bounded_cells")
    parsed = parse_cell_number(cell)
    if not family or not cell:
        return parsed, False
    ceiling_words = [w for w in family.get("ceiling_words", []) if w in cell]
    floor_words = [w for w in family.get("floor_words", []) if w in cell]
    bare = cell
    for word in sorted({*ceiling_words, *floor_words}, key=len, reverse=True):
        bare = bare.replace(word, "")
    if "控制在" in ceiling_words:
        bare = bare.rstrip().removesuffix("内")  # 控制在 10410 人内
    if ceiling_words or floor_words:
        parsed = parse_cell_number(bare) or parsed
    if floor_words and not any(w in cell for w in ("不超过", "不高于")):
        return parsed, False
    if ceiling_words:
        return parsed, True
    task_ceiling = family.get("task_ceiling_pattern")
    return parsed, bool(task_ceiling and parsed is not None and re.search(task_ceiling, row.get("task") or ""))


def ceiling_held(target: float, actual: float, schedule: float, unit: str) -> tuple[float, str]:
    """(ratio, note) of an actual against a ceiling (失业率控制在 4.5% 以内, a cell ≤ 4.5%): held (actual ≤
    target) is on the schedule, the year's target met at the year's end; above it, behind by target /
    actual on the schedule's scale. The one reading of a ceiling, for cells and for text."""
    held = actual <= target
    ratio = schedule if held else schedule * (target / actual if actual else 0.0)
    word = "未超过" if held else "超过"
    return ratio, f"〔核算：控制目标不超过{target:g}{unit}，实际{actual:g}{unit}，{word}控制目标〕"


def ceiling_measure(row: dict, phrase: str, target: float, actual: float, unit: str) -> Measure:
    """The structured measure of an actual cell against a ceiling cell (:func:`ceiling_held`)."""
    ratio, note = ceiling_held(target, actual, row["_schedule"], unit)
    return Measure(phrase, actual, unit, target, ratio, "actual", "structured", True, note=note)
