"""Period over period, the previous period: is it really the previous period of
this series (:func:`check_same_series`), loading it (:func:`load_previous`,
:func:`find_previous_in_raw`) and the build step in one call (:func:`run_comparison`,
``python -m src.compare``). Part of :mod:`src.compare`, where every name is also found.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from src import paths as project_paths
from src import pipeline, store
from src.compare.matching import (
    COMPARISON_INFO,
    COMPARISON_OUTPUTS,
    MATCH_KINDS,
    ComparisonError,
    compare_periods,
    load_settings,
    write_comparison,
)
from src.compare.sentences import comparison_sentences
from src.compare.series import _describe, _series_check, period_label
from src.compare.stale import stale_count
from src.paths import ProcessedFiles
from src.settings import force_compare_requested
from src.table.ingest import inbox
from src.table.parse import RawTableError, check_all_rows_accounted

__all__ = ["PreviousPeriod", "check_same_series", "period_label", "load_previous", "find_previous_in_raw",
           "ComparisonRun", "run_comparison", "main"]

# --------------------------------------------------------------------------
# is the previous table really the previous period of this series?
# --------------------------------------------------------------------------
def check_same_series(current_metadata: dict, previous_metadata: dict, force: bool = False) -> list[str]:
    """Refuse a previous table from another office, another year, or a period
    not earlier than the current one (its as_of is not before the current as_of).

    Metadata dicts are those of ``metadata.json`` (title, issuing_office, year,
    period, as_of, source_file); put the classification's as_of in ``as_of``
    when the table was classified at another date. Raises
    :class:`ComparisonError` naming both tables unless ``force`` (the build's
    ``FORCE_COMPARE=1``); returns the notes to show as warnings (with
    ``force``, the overridden problems too).
    """
    problems, notes = _series_check(current_metadata, previous_metadata)
    if problems and not force:
        raise ComparisonError(
            "上期汇总表与本期不是同一系列的更早一期，不能比较：" + "；".join(problems) + "。\n"
            f"  本期：{_describe(current_metadata)}\n"
            f"  上期：{_describe(previous_metadata)}\n"
            "如确需比较，请设置 FORCE_COMPARE=1 后重新生成。"
            " (the previous table is not an earlier period of the same series; set FORCE_COMPARE=1 to compare anyway)"
        )
    return [f"已强制比较（FORCE_COMPARE=1）：{p}" for p in problems] + notes


# --------------------------------------------------------------------------
# loading the previous period
# --------------------------------------------------------------------------
@dataclass
class PreviousPeriod:
    """A previous period ready to compare: its classified table and metadata
    (``metadata["as_of"]`` is the date it was classified at)."""

    classified: pd.DataFrame
    metadata: dict
    source: Path
    kind: str  # "raw" (parsed and classified here), "out" (a build's OUT folder) or "data" (a data folder)
    classification: dict = field(default_factory=dict)

    @property
    def description(self) -> str:
        how = {"raw": "原始汇总表，已按其自身参考日期判定", "out": "上期构建的输出目录", "data": "上期的数据目录"}[self.kind]
        return f"上期：{period_label(self.metadata)}（{self.source}，{how}）"


def _with_classified_as_of(metadata: dict, classification: dict) -> dict:
    merged = dict(metadata)
    if classification.get("as_of"):
        merged["as_of"] = classification["as_of"]
    return merged


def _from_data_dir(folder: Path, source: Path, kind: str) -> PreviousPeriod:
    data = store.load_processed(folder)
    return PreviousPeriod(data.classified, _with_classified_as_of(data.metadata, data.classification), source, kind,
                          data.classification)


def load_previous(path: str | Path, work_dir: str | Path | None = None,
                  overrides_path: str | Path | None = None) -> PreviousPeriod:
    """Load the previous period from what the office has kept of it:

    - a raw table file: parsed and classified at its own as_of (from its title)
      with :func:`src.pipeline.clean_stage` and :func:`src.pipeline.analyse_stage`
      into ``work_dir`` (a temporary folder when None). The current period's
      overrides are never applied to it; pass that period's own overrides file
      as ``overrides_path`` if it had one.
    - the OUT folder of its build (``<out>/data/tasks_classified.parquet``);
    - a data folder holding ``tasks_classified.parquet``.
    """
    source = Path(path)
    if source.is_dir():
        for folder, kind in ((source / "data", "out"), (source, "data")):
            if ProcessedFiles(folder).classified.exists():
                return _from_data_dir(folder, source, kind)
        raise ComparisonError(
            f"{source}: 目录中没有 data/tasks_classified.parquet 或 tasks_classified.parquet，"
            "请给出上期的原始汇总表或上期构建的输出目录 (no classified table in this folder)"
        )
    if not source.exists():
        raise ComparisonError(f"{source}: 上期文件不存在 (previous period not found)")
    if work_dir is not None:
        return _classify_raw(source, Path(work_dir), overrides_path)
    with tempfile.TemporaryDirectory(prefix="previous-period-") as folder:
        return _classify_raw(source, Path(folder), overrides_path)


def _classify_raw(source: Path, folder: Path, overrides_path) -> PreviousPeriod:
    folder.mkdir(parents=True, exist_ok=True)
    parsed = check_all_rows_accounted(pipeline.clean_stage(source, folder))
    if not parsed.metadata.get("as_of"):
        raise ComparisonError(
            f"{source}: 上期汇总表标题未说明统计期（半年度、前三季度…），无法按其自身参考日期判定 "
            "(the previous table states no period)"
        )
    if overrides_path is None:
        overrides_path = folder / "previous_overrides.csv"
        overrides_path.write_text("task_id,status,reason,reviewer,date\n", encoding="utf-8")
    pipeline.analyse_stage(folder, overrides_path=overrides_path)
    return _from_data_dir(folder, source, "raw")


def find_previous_in_raw(raw_dir: str | Path, current_path: str | Path) -> tuple[Path | None, str]:
    """The latest earlier period of the same series among the other tables in
    ``raw_dir`` (same office and year, earlier as_of), and why it was chosen —
    or (None, why none was). Files that cannot be read are skipped and named."""
    raw_dir, current_path = Path(raw_dir), Path(current_path)
    current = inbox.table_period(current_path)
    candidates, skipped, looked = [], [], 0
    for path in inbox.inbox_candidates(raw_dir):  # every format the readers accept, read only as far as the title
        if path.resolve() == current_path.resolve():
            continue
        looked += 1
        metadata = inbox.table_period(path)
        if "unreadable" in metadata:
            skipped.append(f"{path.name}（无法读取：{metadata['unreadable']}）")
            continue
        if not metadata.get("as_of"):
            skipped.append(f"{path.name}（看不出统计期）")
            continue
        problems, notes = _series_check(current, metadata)
        if not problems and not notes:
            candidates.append((str(metadata["as_of"]), str(metadata.get("issued") or ""), path.name, path, metadata))
    skipped_note = f"；跳过 {'、'.join(skipped)}" if skipped else ""
    if not candidates:
        return None, (f"{raw_dir} 中没有与本期（{period_label(current)}，{current.get('issuing_office') or '印发单位未注明'}）"
                      f"同一系列的更早一期汇总表（查看了 {looked} 个文件{skipped_note}）")
    *_, path, metadata = max(candidates, key=lambda c: c[:3])
    others = len(candidates) - 1
    return path, (f"未指定上期，按 {raw_dir} 中同一系列（{current.get('issuing_office')}，{current.get('year')} 年）"
                  f"最近的更早一期作为上期：{path.name}（{period_label(metadata)}，参考日期 {metadata['as_of']}）"
                  + (f"，另有 {others} 个更早的期次未用" if others else "") + skipped_note)


# --------------------------------------------------------------------------
# the build step, in one call
# --------------------------------------------------------------------------
@dataclass
class ComparisonRun:
    """What :func:`run_comparison` did: the comparison (None when there is no
    previous period), what it wrote, and the notes for the console and the report."""

    frame: pd.DataFrame | None
    info: dict
    notes: list[str]
    paths: list[Path] = field(default_factory=list)


def run_comparison(data_dir: str | Path, previous: str | Path | None = None, raw_path: str | Path | None = None,
                   raw_dir: str | Path | None = None, force: bool | None = None, work_dir: str | Path | None = None,
                   settings: dict | str | Path | None = None) -> ComparisonRun:
    """Compare ``<data_dir>/tasks_classified.parquet`` with the previous period
    and write ``comparison.csv`` / ``.parquet`` / ``.json`` into ``data_dir``.

    ``previous``: what ``PREVIOUS=`` / ``--previous`` names (a raw table, the OUT
    folder of its build, or its data folder). When None, an earlier period of the
    same series among the tables in ``raw_dir`` (default: ``data/raw/``, never
    the folder ``raw_path`` happens to be in) is used, and the notes say so. With no previous period,
    nothing is compared and stale comparison files are removed. ``force``
    (None → the ``FORCE_COMPARE`` environment variable) compares a pair that
    :func:`check_same_series` would refuse. A raw previous table is classified
    into ``work_dir`` (default ``<data_dir>/previous``).
    """
    data_dir = Path(data_dir)
    force = force_compare_requested() if force is None else force
    how = "given"
    notes: list[str] = []
    if previous is None:
        if raw_path is None:
            return _no_comparison(data_dir, ["未指定上期，也未给出本期汇总表所在目录，不做与上期比较"])

        found, why = find_previous_in_raw(raw_dir or project_paths.RAW_DIR, raw_path)  # data/raw/ only, never the table's own folder
        if found is None:
            return _no_comparison(data_dir, [why])
        previous, how = found, "found"
        notes.append(why)
    loaded = load_previous(previous, work_dir=work_dir or data_dir / "previous")
    data = store.load_processed(data_dir)
    current, metadata, classification = data.classified, data.metadata, data.classification
    metadata = _with_classified_as_of(metadata, classification)
    notes += check_same_series(metadata, loaded.metadata, force=force)
    settings = load_settings(settings)
    frame = compare_periods(current, loaded.classified, settings)
    counts = frame["match"].value_counts()
    info = {
        "previous_source": str(previous),
        "previous_kind": loaded.kind,
        "previous_chosen": how,
        "previous_label": period_label(loaded.metadata),
        "previous_title": loaded.metadata.get("title"),
        "previous_issuing_office": loaded.metadata.get("issuing_office"),
        "previous_as_of": loaded.metadata.get("as_of"),
        "current_label": period_label(metadata),
        "current_as_of": metadata.get("as_of"),
        "forced": bool(force),
        "notes": notes,
        "matching_version": settings.get("version", ""),
        "matches": {kind: int(counts.get(kind, 0)) for kind in MATCH_KINDS},
        "needs_match_review": int(frame["needs_match_review"].sum()),
        "progress_stale": stale_count(frame),  # 进展未更新: the figure the notice prints
        "previous_overrides": [  # last period's overrides and where their tasks went (never applied by themselves)
            {"previous_task_id": int(r.previous_task_id), "task_id": None if r.match == "removed" else int(r.task_id),
             "override": r.previous_override}
            for r in frame[frame["previous_override_status"] != ""].itertuples(index=False)],
        "changes": {word: int(n) for word, n in sorted(frame["change"].value_counts().items())},
    }
    paths = write_comparison(frame, data_dir)
    # comparison.json holds what was compared, not the statuses: every leader's report reads it, so
    # a count of changes here would make one override re-render them all (the counts: comparison.csv)
    paths.append(store.write_json({k: v for k, v in info.items() if k != "changes"}, data_dir / COMPARISON_INFO))
    notes.insert(0, f"与上期比较：{loaded.description}；" + comparison_sentences(frame, previous_label=info["previous_label"])[0])
    return ComparisonRun(frame, info, notes, paths)


def _no_comparison(data_dir: Path, notes: list[str]) -> ComparisonRun:
    for name in (*COMPARISON_OUTPUTS, COMPARISON_INFO):
        (data_dir / name).unlink(missing_ok=True)
    return ComparisonRun(None, {}, notes, [])


def main(argv: list[str] | None = None) -> int:
    """``python -m src.compare --data DIR [--previous PATH] [--raw TABLE] [--force]``."""

    parser = argparse.ArgumentParser(description="与上期比较：比较本期与上期的重点工作状态 (period over period)")
    parser.add_argument("--data", required=True, help="本期数据目录（含 tasks_classified.parquet）")
    parser.add_argument("--previous", help="上期：原始汇总表、上期构建的输出目录或数据目录")
    parser.add_argument("--raw", help="本期原始汇总表（未给 --previous 时在 data/raw/ 中查找上期）")
    parser.add_argument("--force", action="store_true", help="强制比较不同系列的两期（同 FORCE_COMPARE=1）")
    args = parser.parse_args(argv)
    try:
        run = run_comparison(args.data, args.previous, args.raw, force=args.force or None)
    except (ComparisonError, RawTableError) as error:
        print(error, file=sys.stderr)
        return 2
    for note in run.notes:
        print(note)
    if run.frame is not None:
        for sentence in comparison_sentences(run.frame, previous_label=run.info["previous_label"])[1:]:
            print(sentence)
        print("已写出：" + "、".join(str(p) for p in run.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
