"""The Markdown the office's PDF converter writes: ``#`` headings and
tab-separated table lines whose cells hold formatting HTML. Pipe tables
(``| 序号 | 重点工作 | … |``, as other converters write them) are read too."""
from __future__ import annotations

import re
from pathlib import Path

from src.table.cells import read_raw_text
from src.table.ingest.rows import RawRow, RawTable

_TRAILING = " \u3000\xa0"
_PIPE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _pipe_cells(line: str) -> list[str] | None:
    """The cells of a pipe-table line, or None if it is not one."""
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
        return None
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", stripped[1:-1])]


def read_markdown(path: Path) -> RawTable:
    text, encoding, notes = read_raw_text(path)
    rows = []
    for line_no, line in enumerate(text.split("\n"), 1):
        if "\t" in line:  # the converter's table line
            # A rule line holds only |, :, - and spaces: it starts with one of them.
            if line.isspace() or ((line[0] in "|:-" or line[0].isspace()) and _PIPE_RULE.match(line)):
                rows.append(RawRow([], line_no, kind="blank", source=line))
            else:
                trimmed = line.rstrip(_TRAILING)
                # RawRow(cells, line, kind, level, table, sheet, source, trailing_space), positionally: one per line
                rows.append(RawRow(trimmed.split("\t"), line_no, "cells", 0, None, None, line, trimmed != line))
            continue
        if not line.strip() or _PIPE_RULE.match(line):
            rows.append(RawRow([], line_no, kind="blank", source=line))
        elif (pipe := _pipe_cells(line)) is not None:
            rows.append(RawRow([cell.replace("\\|", "|") for cell in pipe], line_no, source="\t".join(pipe)))
        else:  # a heading, title, office, date or table-of-contents line
            heading = re.match(r"^\s*(#+)", line)
            rows.append(RawRow([line], line_no, kind="text", level=len(heading.group(1)) if heading else 0, source=line))
    return RawTable(path, "markdown", rows, markup="html", grid=False, encoding=encoding, notes=notes)
