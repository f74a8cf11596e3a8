"""Each chart drawn once per build: the pages (in the report's kernel) and the Word document (in
another worker) show the same PNG, so the second one reads the file the first one wrote instead of
drawing the chart again with matplotlib (about half of a leader's Word job, issue 27).

A chart's file is named by what it shows: the sha256 of the plot function's name, its data table
(``plot.data(...)``, as text that tells any two different tables apart), the report style (``data/reference/``) and the source of the
drawing code. So a file found is the right picture whichever job wrote it, and a job that finds
none (the other one has not got there yet, or an analyst's folder) draws the chart itself and
writes the file for the next. The files live in ``<data>/leaders/charts/`` (:func:`src.report.slices.charts_folder`), which the build empties
with the leaders' slices at each report step (:func:`src.report.slices.write_slices`); each file is
written under a temporary name and renamed, so a reader never sees half a picture.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import matplotlib
import pandas as pd

from src.report.style import report_style

__all__ = ["drawn_chart"]

_CODE: list[str] = []  # the drawing code's digest, computed once per process


def drawn_chart(plot, args: tuple, folder: Path | None, draw) -> tuple[bytes, str, object]:
    """(PNG, alt text, the chart's table) of a two-step ``plot_*`` (:mod:`src.report.plots`) on
    ``args``: read from ``folder`` when a job of this build drew it already, else ``draw(data)``
    (→ PNG, alt text) and written there. ``folder`` None: drawn."""
    data = plot.data(*args)
    if folder is None:
        return (*draw(data), data)
    name = _key(plot, data)
    png_path, alt_path = folder / f"{name}.png", folder / f"{name}.alt"
    try:
        alt = alt_path.read_text(encoding="utf-8")  # the alt text is written first, the picture last
        return png_path.read_bytes(), alt, data
    except OSError:  # not drawn yet (or the folder went with a new build's slices): draw it here
        pass
    png, alt = draw(data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(alt_path, alt.encode("utf-8"))
        _write(png_path, png)
    except OSError:  # a read-only data folder: the chart is still right, only drawn again by the other job
        pass
    return png, alt, data


def _key(plot, data) -> str:
    if not _CODE:
        here = Path(__file__).parent  # the drawing (plots), the PNG and alt text (charts), the naming (this)
        sources = b"".join((here / name).read_bytes() for name in ("plots.py", "charts.py", "chart_files.py"))
        _CODE.append(hashlib.sha256(sources + matplotlib.__version__.encode()).hexdigest())
    digest = hashlib.sha256()
    for part in (f"{plot.__module__}.{plot.__qualname__}", repr(report_style()), _CODE[0]):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(_text(data).encode("utf-8"))
    return digest.hexdigest()[:32]


def _text(value) -> str:
    """A chart's table as text that tells any two different tables apart (types, labels, every value's
    ``repr``: a float to its last bit, None apart from NaN) and reads the same in every process."""
    if isinstance(value, pd.DataFrame):
        return (f"DataFrame{list(value.columns)!r}{[str(t) for t in value.dtypes]!r}{_text(value.index)}"
                f"{value.to_numpy(dtype=object).tolist()!r}")
    if isinstance(value, pd.Series):
        return f"Series{value.name!r}{value.dtype}{_text(value.index)}{value.to_numpy(dtype=object).tolist()!r}"
    if isinstance(value, pd.Index):
        return f"{type(value).__name__}{list(value.names)!r}{value.dtype}{value.to_numpy(dtype=object).tolist()!r}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__}(" + ",".join(_text(each) for each in value) + ")"
    return f"{type(value).__name__}:{value!r}"


def _write(path: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
