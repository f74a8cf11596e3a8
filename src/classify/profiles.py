"""Office profiles: the choices that differ between supervision offices (a
tolerance band around the schedule, lag-severity tiers), read from
``data/reference/profiles/<name>.toml``. The strict profile is the default.

>>> load_profile().name
'strict'
>>> load_profile("traffic_light").tolerance_pts
2.5
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from src.fingerprints import read_reference
from src.paths import PROFILES_DIR, available_profiles
from src.settings import check

DEFAULT_PROFILE = "strict"


@dataclass(frozen=True)
class LagTier:
    name: str
    label: str
    from_pts: float  # points below the schedule where the tier starts
    inclusive: bool  # at_least_pts (10 → 10 itself is in) or more_than_pts (30 → above 30)

    def holds(self, below: float) -> bool:
        return below >= self.from_pts if self.inclusive else below > self.from_pts


@dataclass(frozen=True)
class Profile:
    """One office's profile (see the files in ``data/reference/profiles/``)."""

    name: str
    label: str
    tolerance_pts: float | None
    lag_tiers: tuple = field(default=())
    minor_tier: str = ""
    unquantified_tier: str = ""

    def lag_tier(self, status: str, gap_pts: float) -> str:
        """The severity tier of a task: "" unless lagging and the profile has
        tiers; by the points below the schedule (``-gap_pts``) otherwise."""
        if status != "lagging" or not self.lag_tiers:
            return ""
        if gap_pts is None or math.isnan(gap_pts):
            return self.unquantified_tier
        below = -gap_pts
        for tier in self.lag_tiers:
            if tier.holds(below):
                return tier.name
        return self.minor_tier


def _profile_from(raw: dict, origin: str) -> Profile:
    check(raw, "profile", origin)  # names the setting that is wrong (src.settings)
    tiers = []
    for index, tier in enumerate(raw.get("lag_tiers", []), 1):
        try:
            inclusive = "at_least_pts" in tier
            start = float(tier["at_least_pts"] if inclusive else tier["more_than_pts"])
            tiers.append(LagTier(str(tier["name"]), str(tier.get("label", tier["name"])), start, inclusive))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{origin}: lag_tiers 第{index}项需要 name 与数值 at_least_pts 或 more_than_pts / "
                             f"lag tier {index} needs a name and a numeric at_least_pts or more_than_pts") from error
    tiers.sort(key=lambda t: (-t.from_pts, t.inclusive))
    otherwise = raw.get("tiers_otherwise", {})
    tolerance = raw.get("tolerance_pts")
    return Profile(
        name=str(raw["name"]),
        label=str(raw.get("label", raw["name"])),
        tolerance_pts=None if tolerance is None else float(tolerance),
        lag_tiers=tuple(tiers),
        minor_tier=str(otherwise.get("minor_tier", tiers[-1].name if tiers else "")),
        unquantified_tier=str(otherwise.get("unquantified_tier", "")),
    )


@lru_cache(maxsize=16)
def _profile_file(path: str, mtime: float) -> Profile:
    try:
        raw = tomllib.loads(read_reference(path).decode())
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: 口径文件不是有效的 TOML / not valid TOML: {error}") from error
    return _profile_from(raw, path)


def load_profile(profile=None) -> Profile:
    """``None`` or "" → the strict default; a name → ``profiles/<name>.toml``;
    a path to a TOML file; a dict; a :class:`Profile` → itself."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, dict):
        return _profile_from(profile, "profile dict")
    if profile is None or (isinstance(profile, str) and not profile.strip()):
        profile = DEFAULT_PROFILE
    path = Path(profile)
    if path.suffix != ".toml":
        path = PROFILES_DIR / f"{str(profile).strip()}.toml"
    if not path.exists():
        raise ValueError(f"办公室口径 {profile!r} 不存在（可用：{', '.join(available_profiles())}）/ "
                         f"no office profile {profile!r} (available: {', '.join(available_profiles())})")
    return _profile_file(str(path.resolve()), path.stat().st_mtime)
