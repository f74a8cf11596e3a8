"""The TOML settings an analyst edits are checked by pydantic models (src.settings): a wrong value
is refused naming the file and the setting, in Chinese first."""
from __future__ import annotations

import tomllib

import pytest

from src.paths import REFERENCE_DIR
from src.settings import SettingsError, check


@pytest.mark.parametrize("path, model", [
    (REFERENCE_DIR / "matching.toml", "matching"),
    (REFERENCE_DIR / "report_style.toml", "report_style"),
    *[(profile, "profile") for profile in sorted((REFERENCE_DIR / "profiles").glob("*.toml"))],
], ids=lambda value: getattr(value, "name", value))
def test_the_shipped_settings_keep_their_models(path, model):
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert check(raw, model, str(path)) is raw


def test_a_profile_tier_names_the_tier_and_the_setting():
    from src.classify.profiles import load_profile

    with pytest.raises(SettingsError) as caught:
        load_profile({"name": "mine", "tolerance_pts": 2, "lag_tiers": [{"name": "red", "more_than_pts": 30},
                                                                       {"name": "yellow", "at_least_pts": "ten"}]})
    assert "lag_tiers[2].at_least_pts：应为数字，现为 'ten'" in str(caught.value)
    with pytest.raises(SettingsError, match=r"lag_tiers\[1\]：取值无效.*exactly one of"):
        load_profile({"name": "mine", "lag_tiers": [{"name": "red"}]})
    with pytest.raises(SettingsError, match="name：缺少这一项"):
        load_profile({"tolerance_pts": 1})


def test_matching_settings_name_the_threshold():
    from src.compare import ComparisonError, load_settings

    with pytest.raises(ComparisonError, match=r"matching.toml: 设置有误 — thresholds.text_min_score：太大，现为 1.5"):
        load_settings({"thresholds": {"text_min_score": 1.5}})
    with pytest.raises(ComparisonError, match="weights：取值无效.*must be 1"):
        load_settings({"weights": {"task_weight": 0.5, "unit_weight": 0.4}})
    with pytest.raises(ComparisonError, match=r"normalise.drop_patterns：取值无效.*not a regular expression"):
        load_settings({"normalise": {"drop_patterns": ["(unclosed"]}})


def test_report_style_names_the_colour_and_the_status():
    raw = tomllib.loads((REFERENCE_DIR / "report_style.toml").read_text(encoding="utf-8"))
    raw["status_color"] = {**raw["status_color"], "lagging": "red"}
    raw["chart"] = {**raw["chart"], "dpi": "high"}
    with pytest.raises(SettingsError) as caught:
        check(raw, "report_style", "report_style.toml")
    message = str(caught.value)
    assert message.startswith("report_style.toml: 设置有误 — ")
    assert "status_color：取值无效" in message and "lagging: 'red'" in message
    assert "chart.dpi：应为整数，现为 'high'" in message
