"""Report style: the CJK font, status words and colours (from data/reference/report_style.toml)."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache

from src.fingerprints import read_reference
from src.paths import REFERENCE_DIR
from src.settings import check

SAMPLE_TEXT = "督查室重点工作滞后序时推进"


class CJKFontError(RuntimeError):
    """No font with Chinese glyphs is installed: charts and PDFs would show empty boxes."""


@cache
def report_style() -> dict:
    """``report_style.toml``, checked (:class:`src.settings_models.ReportStyleSettings`)."""
    path = REFERENCE_DIR / "report_style.toml"
    return check(tomllib.loads(read_reference(path).decode()), "report_style", str(path))


def status_order() -> list[str]:
    return list(report_style()["status_order"])


def status_label(status: str) -> str:
    return report_style()["status_label"].get(status, status)


def status_code(text, loose: bool = False) -> str | None:
    """The status a person meant: its code or its label ('滞后', ' Lagging ', '序时推进');
    with ``loose`` also report_style.toml's ``status_words`` ('进度滞后', 'done') — for
    filters, not for a signed override. Anything else → None (the caller says what is allowed)."""

    def squash(word) -> str:
        return "".join(unicodedata.normalize("NFKC", str(word)).lower().split())

    wanted = squash(text or "")
    for code in status_order():
        words = {code, status_label(code), *(report_style().get("status_words", {}).get(code, []) if loose else [])}
        if wanted in {squash(word) for word in words}:
            return code
    return None


def status_color(status: str) -> str:
    return report_style()["status_color"].get(status, "#777777")


@cache
def find_cjk_font() -> tuple[str, str]:
    """(family name, file path) of the first preferred CJK font that is installed
    and really has Chinese glyphs. Raises :class:`CJKFontError` if there is none."""
    from matplotlib import font_manager  # cold start: matplotlib (numpy, PIL) only when a font is looked for
    from matplotlib.ft2font import FT2Font  # cold start: as above

    installed: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        installed.setdefault(entry.name, entry.fname)
    for family in report_style()["fonts"]:
        path = installed.get(family)
        if path and _has_glyphs(FT2Font, path, family):
            return family, path
    raise CJKFontError(
        "没有找到中文字体：图表和 PDF 会显示为方框。请安装 Noto Sans CJK SC "
        "(Debian/Ubuntu: apt-get install fonts-noto-cjk，或运行 make setup)，然后删除 "
        "matplotlib 的字体缓存 (~/.cache/matplotlib) 重试。"
        f" (no CJK font found; tried: {', '.join(report_style()['fonts'])})"
    )


def _has_glyphs(ft2font, path: str, family: str) -> bool:
    try:
        font = _open_face(ft2font, path, family)
        return all(font.get_char_index(ord(char)) for char in SAMPLE_TEXT)
    except Exception:  # an unreadable font file is simply not a candidate
        return False


def _open_face(ft2font, path: str, family: str):
    if not path.lower().endswith(".ttc"):
        return ft2font(path)
    for index in range(32):
        try:
            face = ft2font(path, face_index=index)
        except (TypeError, ValueError, RuntimeError, OSError):
            break
        if face.family_name == family:
            return face
    return ft2font(path)


def rule_name(code) -> str:
    """The Chinese name of a classifier rule (report_style.toml [rule_names]); the code when unnamed."""
    code = "" if code is None else str(code)
    return report_style().get("rule_names", {}).get(code, code)


def review_reason_text(reasons) -> str:
    """The classifier's review reasons ("; "-joined) in Chinese (report_style.toml [[review_reasons]]);
    a reason no pattern knows is kept as written and marked （未译）."""

    rest = "" if reasons is None else str(reasons).strip()
    entries = [(re.compile(re.sub(r"\$$", "", entry["pattern"]) + r"(?=; |$)"), entry["text"])
               for entry in report_style().get("review_reasons", [])]
    out = []
    while rest:
        for pattern, text in entries:
            match = pattern.match(rest)
            if match:
                for index, group in enumerate(match.groups(), start=1):
                    text = text.replace(f"{{{index}}}", status_label(group))
                out.append(text)
                rest = rest[match.end():]
                break
        else:
            unknown, _, rest = rest.partition("; ")
            out.append(f"{unknown}（未译）")
            continue
        rest = rest.removeprefix("; ").strip()
    return "；".join(dict.fromkeys(out))


def light_color(light: str) -> str:
    return report_style().get("light_color", {}).get(light, "#8a8a8a")
