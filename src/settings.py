"""The TOML settings an analyst edits, checked by pydantic models (:mod:`src.settings_models`):
office profiles (``data/reference/profiles/*.toml``), period matching (``matching.toml``) and
report style (``report_style.toml``).

A wrong value is refused with the file, the setting's full name (``lag_tiers[1].at_least_pts``,
``thresholds.text_min_score``), what is wrong and the value found, in Chinese first
(:class:`SettingsError`, a ``ValueError``; the build exits 2). Settings the models do not
name are kept (another part of the project may read them); the ones they name must be there
with the right type and range. The loaders keep their own shapes: they check the parsed TOML
here (:func:`check`) and go on with the plain dict.

Also here: :func:`force_compare_requested`, the one reading of ``FORCE_COMPARE``.
"""
from __future__ import annotations

import os

__all__ = ["SettingsError", "check", "force_compare_requested"]


class SettingsError(ValueError):
    """A settings file that breaks its model; the message names the file and the setting."""


_WHAT = {  # pydantic's error types, in the office's words
    "missing": "缺少这一项", "extra_forbidden": "不认识这一项", "float_parsing": "应为数字", "float_type": "应为数字",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数", "string_type": "应为文本",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false", "list_type": "应为列表 [...]",
    "dict_type": "应为一节 [...]", "model_type": "应为一节 [...]", "literal_error": "取值不在允许的范围内",
    "greater_than_equal": "太小", "greater_than": "太小", "less_than_equal": "太大", "less_than": "太大",
    "too_short": "项数太少", "too_long": "项数太多", "string_too_short": "不能为空", "value_error": "取值无效",
}




def check(raw: dict, model: str, origin: str) -> dict:
    """``raw`` (a parsed TOML file) if it keeps the model named ``model`` ("profile", "matching",
    "report_style"), else :class:`SettingsError` naming ``origin`` (the file) and every setting
    that breaks it."""
    # Cold start: pydantic and the models cost ~0.3 s to import; a rebuild with nothing changed
    # imports this module (for SettingsError) and never reads a settings file.
    from pydantic import ValidationError  # cold start: see above

    from src.settings_models import MODELS  # cold start: see above

    try:
        MODELS[model].model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            where = "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in item["loc"])
            where = where.lstrip(".") or "（整个文件）"  # lists counted from 1, as the analyst counts
            found = "" if item["type"] == "missing" else f"，现为 {item.get('input')!r}"
            problems.append(f"{where}：{_WHAT.get(item['type'], '取值无效')}{found}（{item['msg']}）")
        raise SettingsError(f"{origin}: 设置有误 — " + "；".join(problems) + " (invalid settings)") from None
    return raw


def force_compare_requested() -> bool:
    """``FORCE_COMPARE=1`` (also true, yes, 是): compare two tables the series check would refuse.
    The one place the environment variable is read (the build and ``python -m src.compare``)."""
    return os.environ.get("FORCE_COMPARE", "").strip().lower() in ("1", "true", "yes", "是")
