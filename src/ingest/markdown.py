"""The Markdown the office's PDF converter writes: ``#`` headings and
tab-separated table lines whose cells hold formatting HTML."""
from __future__ import annotations

import re
from pathlib import Path

from src.cells import read_raw_text
from src.ingest.rows import RawRow, RawTable

_TRAILING = " \u3000\xa0"


def read_markdown(path: Path) -> RawTable:
    text, encoding, notes = read_raw_text(path)
    rows = []
    for index, line in enumerate(text.split("\n")):
        line_no = index + 1
        if not line.strip():
            rows.append(RawRow([], line_no, kind="blank", source=line))
        elif "\t" not in line:
            heading = re.match(r"^\s*(#+)", line)
            rows.append(RawRow([line], line_no, kind="text", level=len(heading.group(1)) if heading else 0, source=line))
        else:
            trimmed = line.rstrip(_TRAILING)
            rows.append(RawRow(trimmed.split("\t"), line_no, source=line, trailing_space=trimmed != line))
    return RawTable(path, "markdown", rows, markup="html", grid=False, encoding=encoding, notes=notes)
