"""``data/raw/`` as the inbox: which table to build when none is named.

The newest period wins: the reference date (统计期末) read from each file's
title, else its file name. Files whose period cannot be read come after all
dated ones; ties go to the most recently modified file, then the name.

Each file's header is read once: what was read is kept in a small cache (given by
the build: ``<data>/.build/inbox.json``) under the file's name, size, modification
time and inode, so a build with nothing new in the inbox opens no table.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from src.table.header import read_metadata
from src.table.ingest import SUPPORTED_SUFFIXES, read_raw_rows
from src.table.ingest.pdf import _page_rows
from src.table.ingest.rows import RawTable
from src.table.problems import RawTableError


def table_period(path: Path) -> dict:
    """The document header of one table (title, period, year, as_of), read
    without parsing its tasks; ``{"unreadable": reason}`` when the file cannot be read."""
    try:
        raw = _first_page(path) if path.suffix.lower() == ".pdf" else read_raw_rows(path)
        return read_metadata(raw)
    except (RawTableError, OSError, ValueError) as error:
        return {"unreadable": str(getattr(error, "reason", error))}


def _first_page(path: Path):
    import pdfplumber  # cold start: only for a PDF in the inbox

    with pdfplumber.open(str(path)) as pdf:
        rows = _page_rows(pdf.pages[0], "第1页") if pdf.pages else []
    return RawTable(path, "pdf", rows, markup="text", grid=True, wrapped_lines=True)


def inbox_candidates(raw_dir: Path) -> list[Path]:
    return sorted(
        path for path in raw_dir.iterdir()
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith((".", "~$")) and path.stat().st_size > 0
    )


def _file_key(path: Path) -> str:
    stat = path.stat()
    return f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}"


def cached_periods(candidates: list[Path], cache: Path | None) -> dict[Path, dict]:
    """:func:`table_period` of each file, from ``cache`` when the file is unchanged (name, size,
    modification time, inode); the cache is rewritten (atomically) when anything changed."""
    try:
        stored = json.loads(cache.read_text(encoding="utf-8")) if cache else {}
    except (OSError, ValueError):
        stored = {}
    fresh, periods = {}, {}
    for path in candidates:
        key = _file_key(path)
        metadata = stored.get(key)
        if not isinstance(metadata, dict):
            metadata = json.loads(json.dumps(table_period(path), default=str))
        fresh[key] = periods[path] = metadata
    if cache and fresh != stored:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            pending = cache.with_name(f"{cache.name}.{os.getpid()}")
            pending.write_text(json.dumps(fresh, ensure_ascii=False, sort_keys=True), encoding="utf-8")
            os.replace(pending, cache)
        except OSError:  # a read-only data folder: no cache, same answer
            pass
    return periods


def find_inbox_table(raw_dir: str | Path, cache: Path | None = None) -> tuple[Path, str]:
    """(the table to build, a sentence saying why it was chosen).

    ``cache``: where to keep each file's header between builds (:func:`cached_periods`).
    Raises :class:`RawTableError` when the folder holds no table.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise RawTableError(raw_dir, None, "输入文件夹不存在 (inbox folder not found)")
    candidates = inbox_candidates(raw_dir)
    if not candidates:
        raise RawTableError(
            raw_dir, None,
            f"文件夹中没有可读入的汇总表（支持 {'、'.join(sorted(SUPPORTED_SUFFIXES))}） (no table in the inbox)",
        )
    dated = []
    periods = cached_periods(candidates, cache)
    for path in candidates:
        metadata = periods[path]
        dated.append((metadata.get("as_of") or "", path.stat().st_mtime, path.name, path, metadata))
    readable = [item for item in dated if "unreadable" not in item[4]] or dated
    as_of, _, _, chosen, metadata = max(readable, key=lambda item: item[:3])
    unreadable = [item[3].name for item in dated if "unreadable" in item[4]]
    skipped = f"；{'、'.join(unreadable)} 无法读取，未考虑" if unreadable else ""
    if len(candidates) == 1:
        reason = f"{raw_dir} 中只有一个汇总表：{chosen.name}"
    elif as_of:
        reason = (f"{raw_dir} 中有 {len(candidates)} 个汇总表，取统计期最新的 {chosen.name}"
                  f"（{metadata.get('period') or ''}，截至 {as_of}）")
    else:
        reason = f"{raw_dir} 中有 {len(candidates)} 个汇总表，都看不出统计期，取最近修改的 {chosen.name}"
    return chosen, reason + skipped
