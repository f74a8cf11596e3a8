"""The pydantic models of the TOML settings an analyst edits (see :mod:`src.settings`, which
checks a parsed file against them and says what is wrong in the office's words)."""
from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["ProfileSettings", "MatchingSettings", "ReportStyleSettings", "MODELS"]

STATUS = Literal["completed", "on-track", "lagging", "not-reported"]
Share = Annotated[float, Field(ge=0, le=1)]  # a share or a score, 0..1


class _Settings(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


# ------------------------------------------------------------------ office profiles
class LagTier(_Settings):
    name: str = Field(min_length=1)
    label: str | None = None
    at_least_pts: float | None = Field(default=None, ge=0)
    more_than_pts: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def one_start(self):
        if (self.at_least_pts is None) == (self.more_than_pts is None):
            raise ValueError("exactly one of at_least_pts and more_than_pts is needed")
        return self


class TiersOtherwise(_Settings):
    minor_tier: str | None = None
    unquantified_tier: str | None = None


class ProfileSettings(_Settings):
    name: str = Field(min_length=1)
    label: str | None = None
    tolerance_pts: float | None = Field(default=None, ge=0, le=100)
    lag_tiers: list[LagTier] = []
    tiers_otherwise: TiersOtherwise = TiersOtherwise()


# ------------------------------------------------------------------ period matching
class Weights(_Settings):
    task_weight: Share
    unit_weight: Share

    @model_validator(mode="after")
    def sum_to_one(self):
        if not math.isclose(self.task_weight + self.unit_weight, 1.0, abs_tol=1e-9):
            raise ValueError("task_weight + unit_weight must be 1")
        return self


class Thresholds(_Settings):
    id_min_task_score: Share
    text_min_score: Share
    id_bonus: Share
    review_below: float = Field(ge=0)  # above 1: every match is sent for review
    ambiguity_margin: Share
    near_miss_score: Share


class Normalise(_Settings):
    nfkc: bool = True
    drop_patterns: list[str]

    @field_validator("drop_patterns")
    @classmethod
    def compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"pattern {pattern!r} is not a regular expression: {error}") from None
        return patterns


class Units(_Settings):
    rename_min_tasks: int = Field(ge=1)
    rename_min_share: Share


class MatchingSettings(_Settings):
    weights: Weights
    thresholds: Thresholds
    normalise: Normalise
    units: Units
    change: dict[str, str]

    @field_validator("change")
    @classmethod
    def every_change_named(cls, change: dict[str, str]) -> dict[str, str]:
        statuses = ("completed", "on-track", "lagging")
        missing = [key for key in ("new", "removed", *(f"{a}->{b}" for a in statuses for b in statuses))
                   if key not in change]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return change


# ------------------------------------------------------------------ report style
class Chart(_Settings):
    dpi: int = Field(ge=50, le=600)
    max_units: int = Field(ge=1)
    max_progress_rows: int = Field(ge=1)
    progress_axis_cap: float = Field(gt=100)


class Text(_Settings):
    task_short_chars: int = Field(ge=4)
    achievements: int = Field(ge=0)


class ReportStyleSettings(_Settings):
    fonts: list[str] = Field(min_length=1)
    status_order: list[STATUS] = Field(min_length=3, max_length=4)
    status_label: dict[STATUS, str]
    status_color: dict[STATUS, str]
    chart: Chart
    text: Text
    status_words: dict[STATUS, list[str]] = {}

    @field_validator("status_color")
    @classmethod
    def colours(cls, colours: dict[str, str]) -> dict[str, str]:
        for status, colour in colours.items():
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
                raise ValueError(f"{status}: {colour!r} is not a colour like #2e7d32")
        return colours


MODELS = {"profile": ProfileSettings, "matching": MatchingSettings, "report_style": ReportStyleSettings}
