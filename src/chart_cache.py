"""Drawn charts kept between builds, keyed on what each chart shows.

Drawing a chart (text layout, the Agg canvas, the PNG) is most of a report's
notebook time. After one override most charts show the same numbers as before,
so the build gives its report notebooks a folder of drawn charts
(``<data>/chart_cache``, :attr:`src.paths.ProcessedFiles.chart_cache`) and
:func:`src.report.chart`, given a ``plot_*`` function of :mod:`src.plots`,
draws only when no drawing of the same thing is there.

*The same thing* is decided by the key, a sha256 of everything the pixels
depend on:

* the chart's table: ``plot.data(*args)`` — the small table the chart is drawn
  from (counts per status and leader, the measures and the elapsed share…), not
  the whole task table, so an override that leaves a chart's numbers alone
  leaves its key alone; taken as its pickle (equal pickles are equal tables; a
  table that pickles differently is only a miss);
* the drawing code: the name of ``plot.draw`` and the fingerprint of the code
  and reference files (:func:`src.fingerprints.code_fingerprint`) *as this
  process imported them* (taken when this module is imported);
* the matplotlib settings in effect (every ``rcParams`` entry that can change a
  pixel), the font files the first two sans-serif families resolve to (path, size,
  time) and the versions of matplotlib, FreeType, NumPy and Pillow.

An entry is one JSON file (``<key>.json``: the PNG and its alt text), written
to a temporary name and renamed, so a reader sees a whole entry or none; an
unreadable entry is drawn again and replaced. A notebook run by hand gets no
folder (``chart_cache = ""``) and draws every chart. The build empties the
folder on ``--force`` and keeps the :data:`KEEP` most recently used entries.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

__all__ = ["ChartCache", "chart_cache", "chart_key", "KEEP"]

KEEP = 300  # entries kept after a build (a full build of the 2020 table draws 33 charts)
VERSION = "chart-cache-v1"

# rcParams entries that choose a window or a backend, never a pixel of an Agg drawing
_NOT_DRAWING = ("backend", "backend_fallback", "interactive", "toolbar", "figure.raise_window",
                "savefig.directory", "tk.", "webagg.", "macosx.")


def _loaded_code() -> str:
    from src.fingerprints import code_fingerprint

    return code_fingerprint()


LOADED_CODE = _loaded_code()  # the code this process runs (modules are not reloaded)


def _drawing_settings() -> bytes:
    import matplotlib
    import numpy
    import PIL
    from matplotlib import ft2font

    settings = sorted((name, repr(value)) for name, value in matplotlib.rcParams.items()
                      if not name.startswith(_NOT_DRAWING))
    versions = (matplotlib.__version__, ft2font.__freetype_version__, numpy.__version__, PIL.__version__)
    return repr((settings, versions, _font_files())).encode()


def _font_files() -> list:
    """The font files the sans-serif families resolve to, with their size and time (an updated font package)."""
    import matplotlib
    from matplotlib import font_manager

    files = []
    for family in matplotlib.rcParams["font.sans-serif"][:2]:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
            stat = os.stat(path)
            files.append((family, str(path), stat.st_size, stat.st_mtime_ns))
        except (ValueError, OSError):  # not installed (the drawing falls back, the same way every time)
            files.append((family, None))
    return files


def chart_key(draw, data) -> str:
    """The key of the drawing ``draw(data)`` makes with this process's code and settings."""
    digest = hashlib.sha256(VERSION.encode())
    for part in (f"{draw.__module__}.{draw.__qualname__}".encode(), LOADED_CODE.encode(), _drawing_settings(),
                 pickle.dumps(data, protocol=5)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class ChartCache:
    """A folder of drawn charts (see the module text)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.hits = self.misses = 0

    def _entry(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> tuple[bytes, str] | None:
        """(PNG, alt text) of a chart drawn before, or None."""
        path = self._entry(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            png, alt = base64.b64decode(entry["png"], validate=True), str(entry["alt"])
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        if entry.get("key") != key or hashlib.sha256(png).hexdigest() != entry.get("sha256"):
            self.misses += 1
            return None
        try:
            os.utime(path)  # recently used: kept by prune()
        except OSError:
            pass
        self.hits += 1
        return png, alt

    def put(self, key: str, png: bytes, alt: str) -> None:
        """Keep a drawing (whole or not at all; a folder that cannot be written is no error)."""
        entry = {"key": key, "alt": alt, "sha256": hashlib.sha256(png).hexdigest(),
                 "png": base64.b64encode(png).decode("ascii")}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(entry, file)
            os.replace(temporary, self._entry(key))
        except OSError:
            pass

    def entries(self) -> list[Path]:
        return sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []

    def prune(self, keep: int = KEEP) -> int:
        """Keep the ``keep`` most recently used entries (and no leftover temporary file); returns how many went."""
        if not self.folder.is_dir():
            return 0
        for leftover in self.folder.glob(".tmp-*"):
            leftover.unlink(missing_ok=True)
        entries = sorted(self.entries(), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
        return max(0, len(entries) - keep)

    def clear(self) -> None:
        self.prune(keep=0)


def chart_cache(folder: str | Path | None) -> ChartCache | None:
    """The notebooks' parameter ``chart_cache``: a folder (the build's), or empty for none."""
    return ChartCache(folder) if folder and str(folder).strip() else None
