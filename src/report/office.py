"""The office's settings (data/reference/office.toml): masthead, 期号, 主送机关, 落款,
the 专报 wording, traffic lights, 督办 rules and the ranking rule.

Validated with pydantic: a typo or a wrong value stops the build with the file and the
field named (Chinese first). Sections this module does not know (the collecting-returns
helper's ``[collect]``) are left alone.
"""
from __future__ import annotations

import re
import string
import tomllib
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from src.fingerprints import read_reference
from src.paths import REFERENCE_DIR, available_profiles

__all__ = ["OFFICE_FILE", "OfficeError", "OfficeSettings", "office_settings", "issue_date", "office_name"]

OFFICE_FILE = REFERENCE_DIR / "office.toml"


class OfficeError(ValueError):
    """office.toml cannot be read or holds a wrong value (the message names the field)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Office(_Strict):
    name: str = ""
    publication: str = "政务督查"
    issue_number: int = Field(1, ge=1)
    issue_date: str = ""
    recipients: str = ""
    contact: str = ""

    @field_validator("issue_date")
    @classmethod
    def _date(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?", value):
            raise ValueError("应为 YYYY-MM-DD 或 YYYY-MM（如 2020-07-10）")
        if value:
            _parse_date(value)
        return value


class Notice(_Strict):
    title: str = "关于全市重点工作{year}年{period}进展情况的通报"


class SpecialReport(_Strict):
    publication: str = "督查专报"
    title: str = "关于{subject}牵头重点工作{year}年{period}进展情况的专报"
    salutation: str = "{subject}："
    opening: str = "现将您牵头的{n}项重点工作{period}进展情况报告如下："


class Lights(_Strict):
    profile: str = "traffic_light"
    green: str = "绿灯"
    tiers: dict[str, str] = Field(default_factory=lambda: {"red": "红灯", "yellow": "黄灯", "minor": "黄灯",
                                                           "unquantified": "黄灯"})


class Supervision(_Strict):
    light: str
    advice: str
    deadline: str
    days: int = Field(ge=0, le=366)


class Ranking(_Strict):
    min_tasks: int = Field(3, ge=1)
    party_organs: Literal["separate", "exclude", "include"] = "separate"
    party_prefixes: list[str] = Field(default_factory=lambda: ["市委", "中共"])


class Wording(_Strict):
    """The sentences of 下一步工作要求 / 工作建议 ({n} tasks, {units}, {catch_up}, {closing}, {where})."""

    lagging: str = ("对未达到序时进度的{n}项任务，请{units}分析原因、倒排工期、明确节点，{catch_up}；"
                    "督查室将对未达到序时进度的目标任务进行重点督查，跟踪问效。")
    all_on_schedule: str = "各项任务均达到序时进度，请各牵头单位保持工作节奏，{closing}。"
    unquantified: str = ("{n}项任务的进展表述中未见量化进度或明确表述，暂按序时推进计；"
                         "请有关牵头单位于下次报送时补充量化进度{where}。")
    not_reported: str = "{n}项任务本期未报送进展，请牵头单位尽快补报。"
    quantify_request: str = "请以下单位于下次报送时补充量化进度："


class Achievements(_Strict):
    count: int = Field(4, ge=3, le=5)


class OfficeSettings(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # other helpers' sections ([collect]) pass through

    office: Office = Field(default_factory=Office)
    notice: Notice = Field(default_factory=Notice)
    special_report: SpecialReport = Field(default_factory=SpecialReport)
    lights: Lights = Field(default_factory=Lights)
    supervision: list[Supervision] = Field(default_factory=list)
    ranking: Ranking = Field(default_factory=Ranking)
    achievements: Achievements = Field(default_factory=Achievements)
    wording: Wording = Field(default_factory=Wording)

    def supervision_for(self, light: str) -> Supervision | None:
        return next((rule for rule in self.supervision if rule.light == light), None)

    def is_party_organ(self, unit: str) -> bool:
        return any(str(unit).startswith(prefix) for prefix in self.ranking.party_prefixes)


_MESSAGES = {
    "missing": "缺少这一项",
    "extra_forbidden": "不认识这一项（拼写有误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文字（加引号）",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "literal_error": "只能是规定的几个值之一",
    "list_type": "应为列表，如 [\"市委\"]",
    "dict_type": "应为表，如 { red = \"红灯\" }",
}


def _explain(error: ValidationError, path: Path) -> str:
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        why = _MESSAGES.get(item["type"], "")
        detail = item.get("msg", "")
        lines.append(f"{path}: 设置项 {field}：{why or detail}（现为 {item.get('input')!r}） ({field}: {detail})")
    return "\n".join(lines)


def load_office(path: str | Path | None = None) -> OfficeSettings:
    """Read and validate office.toml (a missing file gives the defaults)."""
    path = Path(path or OFFICE_FILE)
    if not path.exists():
        return OfficeSettings()
    try:
        raw = tomllib.loads(read_reference(path).decode())
    except tomllib.TOMLDecodeError as error:
        raise OfficeError(f"{path}: 不是有效的 TOML 文件：{error} (not valid TOML)") from None
    try:
        settings = OfficeSettings.model_validate(raw)
    except ValidationError as error:
        raise OfficeError(_explain(error, path)) from None
    _check_placeholders(settings, path)

    if settings.lights.profile not in available_profiles():
        raise OfficeError(f"{path}: 设置项 lights.profile：没有判定口径“{settings.lights.profile}”"
                          f"（可用：{'、'.join(available_profiles())}） (unknown profile)")
    lights = set(settings.lights.tiers.values())
    for index, rule in enumerate(settings.supervision, start=1):
        if rule.light not in lights:
            raise OfficeError(f"{path}: 设置项 supervision.{index}.light：“{rule.light}”不是 [lights] 中的灯"
                              f"（可用：{'、'.join(sorted(lights))}） (unknown light)")
    return settings


_PLACEHOLDERS = {
    ("notice", "title"): {"year", "period", "subject", "n"},
    ("special_report", "title"): {"year", "period", "subject", "n"},
    ("special_report", "salutation"): {"subject"},
    ("special_report", "opening"): {"n", "period", "subject"},
    ("wording", "lagging"): {"n", "units", "catch_up"},
    ("wording", "all_on_schedule"): {"closing"},
    ("wording", "unquantified"): {"n", "where"},
    ("wording", "not_reported"): {"n"},
}


def _check_placeholders(settings: OfficeSettings, path: Path) -> None:
    """Each template may use only its own {names}: a typo would otherwise fail while writing a report."""

    for (section, field), allowed in _PLACEHOLDERS.items():
        template = getattr(getattr(settings, section), field)
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        except ValueError as error:
            raise OfficeError(f"{path}: 设置项 {section}.{field}：花括号不成对（{error}） (unbalanced braces)") from None
        unknown = used - allowed
        if unknown:
            raise OfficeError(f"{path}: 设置项 {section}.{field}：不认识 {{{'}、{'.join(sorted(unknown))}}}，"
                              f"可用：{{{'}、{'.join(sorted(allowed))}}} (unknown placeholder)")


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> OfficeSettings:
    return load_office(path)


def office_settings(path: str | Path | None = None) -> OfficeSettings:
    """The office settings (default: data/reference/office.toml), read once per version of the file."""
    path = Path(path or OFFICE_FILE)
    return _cached(str(path), path.stat().st_mtime if path.exists() else 0.0)


def _parse_date(text: str) -> date:
    parts = [int(part) for part in text.split("-")]
    try:
        return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    except ValueError as error:
        raise ValueError(f"不是有效的日期：{text}") from error


def issue_date(metadata: dict, as_of: date, settings: OfficeSettings | None = None) -> tuple[date, bool]:
    """The 成文日期 of this period's documents and whether it has a day (``False``: a month only):
    office.toml's ``issue_date``, else the table's 印发时间, else the report date. Never the build date."""
    settings = settings or office_settings()
    for text in (settings.office.issue_date, str(metadata.get("issued") or "").strip()):
        if text and re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?", text):
            return _parse_date(text), text.count("-") == 2
    return as_of, True


def date_words(day: date, with_day: bool = True) -> str:
    """2020-07-10 → 2020年7月10日 (a month only: 2020年7月)."""
    return f"{day.year}年{day.month}月{day.day}日" if with_day else f"{day.year}年{day.month}月"


def deadline_date(start: date, days: int) -> date:
    return start + timedelta(days=days)


def office_name(metadata: dict, settings: OfficeSettings | None = None) -> str:
    settings = settings or office_settings()
    return settings.office.name.strip() or str(metadata.get("issuing_office") or "").strip() or "督查室"
