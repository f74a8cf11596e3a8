"""Each leader's part of the table, written once per build so that a leader's report reads only
its own rows.

A province's table has hundreds of leaders; if every leader's report (its pages and its Word
document) read and scoped the whole classified table, the reports together would do work growing
with the table's size times the number of leaders. The build's report step therefore writes, once,
into ``<data>/leaders/`` (:attr:`src.paths.ProcessedFiles.leaders`):

- ``<slug>.arrow``: the leader's rows of ``tasks_classified.parquet``, as :meth:`Report.for_leader`
  scopes them (by 序号, in the table's order);
- ``<slug>.comparison.arrow`` (only with a previous period): the comparison rows of tasks the
  leader leads now or led in the previous period, the rows a leader's report reads;
- ``roster.json``, written last: every leader in 目录 order (name, title, place, file stem) and the
  sha256 of the classified table and of the comparison they were cut from.

The files are Arrow's file format (what pandas reads with ``read_feather``): each table is turned
into Arrow once and each leader's stretch written as it is, with no encoding per file.

:func:`read_leader` gives a leader's rows back only while the data folder still holds the very
tables they were cut from (the digests match); otherwise — an analyst's scratch folder, a table
classified again by hand — it returns None and the report reads the whole table as before.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from src.paths import ProcessedFiles
from src.store import read_table

__all__ = ["LeaderSlice", "write_slices", "read_leader", "leader_comparison", "charts_folder"]

ROSTER = "roster.json"
VERSION = 1


@dataclass
class LeaderSlice:
    """What a leader's report reads: its rows, its comparison rows, and every leader in 目录 order
    ((name, title, place) each: the links to the other reports)."""

    tasks: pd.DataFrame
    comparison: pd.DataFrame
    leaders: list[tuple[str, str, int]]


def leader_comparison(comparison: pd.DataFrame, leader: str) -> pd.DataFrame:
    """The comparison rows one leader's report reads: tasks the leader leads now or led in the
    previous period (``src.compare`` scopes a leader's sentences and tables within these)."""
    if comparison.empty:
        return comparison
    return comparison[(comparison["leader"] == leader) | (comparison["previous_leader"] == leader)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "<missing>"


def write_slices(data_dir: str | Path, reports) -> Path:
    """Write every leader's slice (``reports``: the roster, :meth:`src.report.model.Report.roster`, the
    overview first) into ``<data_dir>/leaders/``, replacing what was there."""
    files = ProcessedFiles(Path(data_dir))
    folder = files.leaders
    shutil.rmtree(folder, ignore_errors=True)  # leaders gone from the table leave no file behind
    folder.mkdir(parents=True)
    overview, leaders = reports[0], [report for report in reports if report.leader]
    names = [report.leader for report in leaders]
    tasks = overview.all_tasks.groupby("leader", sort=False).indices  # as for_leader: the rows naming the leader
    _write_stretches(overview.all_tasks, [tasks.get(name, []) for name in names], leaders, folder, "")
    comparison = overview.comparison
    if not comparison.empty:  # as leader_comparison: the rows naming the leader now or in the previous period
        now = comparison.groupby("leader", sort=False).indices
        before = comparison.groupby("previous_leader", sort=False).indices
        rows = [np.union1d(now.get(name, []), before.get(name, [])) for name in names]
        _write_stretches(comparison, rows, leaders, folder, ".comparison")
    roster = {"version": VERSION, "classified": _digest(files.classified), "comparison": _digest(files.comparison),
              "leaders": [{"leader": report.leader, "title": report.leader_title, "order": report.leader_order,
                           "slug": report.slug} for report in leaders]}
    (folder / ROSTER).write_text(json.dumps(roster, ensure_ascii=False, indent=1), encoding="utf-8")  # last: complete
    return folder


def _write_stretches(frame: pd.DataFrame, rows: list, leaders: list, folder: Path, kind: str) -> None:
    """``frame``'s rows ``rows[i]`` (positions, ascending) into ``<slug of leaders[i]><kind>.arrow``:
    the frame becomes Arrow once, its rows are put in the leaders' order, and each leader's stretch
    is written as it is."""
    order = np.concatenate([np.asarray(each, dtype=np.int64) for each in rows]) if rows else np.zeros(0, np.int64)
    batch = pa.RecordBatch.from_pandas(frame, preserve_index=False).take(pa.array(order))
    offset = 0
    for report, each in zip(leaders, rows):
        with pa.ipc.new_file(str(folder / f"{report.slug}{kind}.arrow"), batch.schema) as writer:
            writer.write_batch(batch.slice(offset, len(each)))
        offset += len(each)


def charts_folder(data_dir: str | Path) -> Path:
    """Where each report's charts are drawn once per build (:mod:`src.report.chart_files`): inside the
    leaders' folder, so :func:`write_slices` empties it with the slices at each build."""
    return ProcessedFiles(Path(data_dir)).leaders / "charts"


def read_leader(data_dir: str | Path, leader: str) -> LeaderSlice | None:
    """One leader's slice, or None when the folder has none, or none made from the tables it now
    holds, or none for this leader (the caller then reads the whole table)."""
    files = ProcessedFiles(Path(data_dir))
    try:
        roster = json.loads((files.leaders / ROSTER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (roster.get("version") != VERSION or roster.get("classified") != _digest(files.classified)
            or roster.get("comparison") != _digest(files.comparison)):
        return None
    entry = next((each for each in roster["leaders"] if each["leader"] == leader), None)
    if entry is None:
        return None
    tasks_path = files.leaders / f"{entry['slug']}.arrow"
    comparison_path = files.leaders / f"{entry['slug']}.comparison.arrow"
    if not tasks_path.exists() or (files.comparison.exists() and not comparison_path.exists()):
        return None
    comparison = read_table(comparison_path) if comparison_path.exists() else pd.DataFrame()
    return LeaderSlice(read_table(tasks_path), comparison,
                       [(each["leader"], each["title"], int(each["order"])) for each in roster["leaders"]])
