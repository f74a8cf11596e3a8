"""Periods as first-class folders (下一期): each built period is kept, with its
data, its overrides and the reports as sent.

Layout (``<root>`` is ``data/periods/`` for the default build, ``<OUT>/periods/``
for a build with ``--out``)::

    <root>/<id>/            id = <year>-<period>: 2020-Q1, 2020-H1, 2020-Q3, 2020-FY, 2020-M11
        overrides.csv       the period's overrides (the file the build reads for this period)
        data/               its processed data as published (tasks, classified table, comparison…)
        reports/            its reports as sent (index.html, HTML, PDF, Word, Excel)
        period.json         id, label, title, office, as_of, raw table, when kept

``reports/`` (and ``data/processed/``) always hold the newest period; building an
older period (``RAW=`` an older table) writes into its own folder under ``<root>``
and never touches them (:func:`place`). After each successful publish the build
calls :func:`keep` once; ``index.html`` lists every kept period (:func:`link_periods`).
The previous period of a build defaults to the kept period just before it
(:func:`default_previous`), with its own overrides and statuses as they were sent.

``python -m src.compare.periods list`` lists the kept periods; ``python -m src.compare.periods carry
--ids 12,40`` (``make carry-overrides IDS=12,40``) carries last period's overrides of
those (current) tasks over to this period's overrides file, deliberately.
"""
from __future__ import annotations

import argparse
import calendar
import dataclasses
import html
import json
import os
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

from src import paths
from src.compare.series import _series_check, period_label
from src.fingerprints import fingerprint
from src.table.ingest import inbox

__all__ = ["period_id", "periods_root", "list_periods", "place", "overrides_for", "previous_for", "default_previous",
           "keep", "keep_log", "link_periods", "link_into_staging", "carry_overrides", "overrides_file_of"]

PERIOD_FILE = "period.json"
_SKIP_DATA = ("chart_cache", "previous")
_SKIP_REPORTS = ("logs",)
_MARK = ("<!-- periods -->", "<!-- /periods -->")
_NAMED = {3: "Q1", 6: "H1", 9: "Q3", 12: "FY"}


def period_id(as_of: str | None, year=None) -> str | None:
    """The folder name of a period from its report date: '2020-06-30' → '2020-H1'.

    >>> period_id("2020-09-30"), period_id("2020-11-30"), period_id("2020-07-15")
    ('2020-Q3', '2020-M11', '2020-07-15')
    """
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(as_of or ""))
    if not match:
        return None

    y, m, d = (int(g) for g in match.groups())
    if d != calendar.monthrange(y, m)[1]:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return f"{y:04d}-{_NAMED.get(m, f'M{m:02d}')}"


def periods_root(data_dir: Path) -> Path:
    """``data/periods`` beside ``data/processed``; ``<OUT>/periods`` beside ``<OUT>/data``."""
    data_dir = Path(data_dir)
    if data_dir.parent.name == "periods" or data_dir.parent.parent.name == "periods":
        return data_dir.parent.parent  # a kept period's own data folder
    return data_dir.parent / "periods"


def list_periods(root: Path) -> list[dict]:
    """The kept periods under ``root``, oldest first (their ``period.json``)."""
    root = Path(root)
    found = []
    if root.is_dir():
        for folder in root.iterdir():
            record = folder / PERIOD_FILE
            if record.is_file():
                try:
                    found.append({**json.loads(record.read_text(encoding="utf-8")), "folder": str(folder)})
                except (OSError, ValueError):
                    continue
    return sorted(found, key=lambda p: (str(p.get("as_of") or ""), p.get("id", "")))


# --------------------------------------------------------------------- before the build
def _raw_period(raw: Path, root: Path, as_of=None) -> dict:
    """The raw table's title, office, year and report date (``as_of`` given wins), read
    once per version of the file (cached in ``<root>/.titles.json``: a no-op build stays quick)."""
    raw = Path(raw)
    try:
        stat = raw.stat()
    except OSError:
        return {}
    key = f"{raw.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    cache_path = root / ".titles.json"
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    if key not in cache:
        metadata = inbox.table_period(raw)
        cache = {k: v for k, v in cache.items() if not k.startswith(f"{raw.resolve()}|")}
        cache[key] = {k: metadata.get(k) for k in ("title", "issuing_office", "year", "period", "as_of", "unreadable")}
        try:
            root.mkdir(parents=True, exist_ok=True)
            cache_path.write_text(json.dumps(cache, ensure_ascii=False, indent=1), encoding="utf-8")
        except OSError:
            pass
    metadata = dict(cache[key])
    if as_of:
        metadata["as_of"] = str(as_of)[:10]
    metadata["id"] = period_id(metadata.get("as_of"))
    return metadata


def place(layout, as_of=None):
    """The layout a build should use: unchanged for the newest period; for a period
    older than the newest kept one, that period's own folder (``<root>/<id>/data`` and
    ``/reports``), so rebuilding an old period never touches ``reports/``."""
    root = periods_root(layout.data_dir)
    metadata = _raw_period(layout.raw, root, as_of)
    wanted = metadata.get("id")
    kept = list_periods(root)
    if not wanted or not kept or not metadata.get("as_of"):
        return layout
    newest = kept[-1]
    if str(metadata["as_of"]) >= str(newest.get("as_of") or ""):
        return layout
    folder = root / wanted
    return dataclasses.replace(
        layout, data_dir=folder / "data", reports_dir=folder / "reports",
        chosen_because=(layout.chosen_because + "；" if layout.chosen_because else "")
        + f"{wanted} 早于已发布的最新一期 {newest.get('id')}：结果写入 {folder}，reports/ 保持不变",
    )


def overrides_for(layout, as_of=None) -> Path:
    """The period's overrides file, ``<root>/<id>/overrides.csv`` (created with the header
    when missing: a new period starts with none)."""
    root = periods_root(layout.data_dir)
    wanted = _raw_period(layout.raw, root, as_of).get("id") or "undated"
    path = root / wanted / "overrides.csv"
    if not path.exists():  # (the overrides module needs pandas: imported only to create the file)
        from src.classify.overrides import empty_overrides_file  # cold start: pandas, which the no-op build never loads

        empty_overrides_file(path)
    return path


def previous_for(layout) -> str | None:
    """The default previous period of a build: the kept one just before it (None when none is kept)."""
    data_dir = Path(layout.data_dir)
    _, current = current_period(data_dir)
    summary = data_dir / "classification.json"
    if summary.exists():
        as_of = json.loads(summary.read_text(encoding="utf-8")).get("as_of")
        current = {**current, "as_of": as_of or current.get("as_of")}
    found = default_previous(data_dir, current) if current.get("as_of") else None
    return str(found) if found else None


def default_previous(data_dir: Path, current: dict) -> Path | None:
    """The kept period just before ``current`` (metadata with ``as_of``): the same office
    and year, the latest earlier report date. Its data folder, or None."""

    best = None
    for period in list_periods(periods_root(data_dir)):
        folder = Path(period["folder"]) / "data"
        if not (folder / "tasks_classified.parquet").exists() or Path(data_dir).resolve() == folder.resolve():
            continue
        problems, _ = _series_check(current, period)
        if not problems and str(period.get("as_of") or "") < str(current.get("as_of") or ""):
            best = folder
    return best


# ---------------------------------------------------------------------- after publishing
def _copy_tree(source: Path, target: Path, skip: tuple[str, ...]) -> None:
    """Make ``target`` a copy of ``source`` (files whose size and time match are not copied again)."""
    target.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in source.iterdir() if p.name not in skip}
    for old in target.iterdir():
        if old.name not in names:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    for name in sorted(names):
        src, dst = source / name, target / name
        if src.is_dir():
            _copy_tree(src, dst, ())
        elif not (dst.is_file() and dst.stat().st_size == src.stat().st_size
                  and dst.stat().st_mtime_ns == src.stat().st_mtime_ns):
            shutil.copy2(src, dst)


def link_into_staging(staging: Path, layout) -> None:
    """The period list in the index being published (links relative to where it will be)."""
    wanted, metadata = current_period(layout.data_dir)
    if not wanted:
        return

    root = periods_root(layout.data_dir)
    current = {"id": wanted, "label": period_label(metadata), "as_of": metadata.get("as_of")}
    link_periods(Path(staging), root, wanted, current, at=Path(layout.reports_dir))


def _signature(layout, overrides) -> str:
    return fingerprint(Path(layout.data_dir) / ".build-state.json", Path(layout.reports_dir) / ".build-state.json",
                       *([Path(overrides)] if overrides else []))


def keep(layout, overrides: Path | None = None) -> Path | None:
    """Keep the period just published: its data, its overrides and its reports, in
    ``<root>/<id>/`` (see the module). Called once by the build after a successful
    publish. Returns the period's folder (None when the period has no report date)."""
    data_dir, reports_dir = Path(layout.data_dir), Path(layout.reports_dir)
    metadata_path = data_dir / "metadata.json"
    if not metadata_path.exists():
        return None
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    wanted = period_id(metadata.get("as_of"))
    if not wanted:
        return None
    root = periods_root(data_dir)
    folder = root / wanted
    old = folder / PERIOD_FILE
    signature = _signature(layout, overrides)
    if old.exists() and json.loads(old.read_text(encoding="utf-8")).get("signature") == signature:
        return folder  # nothing new since it was kept (a no-op build)
    if data_dir.resolve() != (folder / "data").resolve():
        _copy_tree(data_dir, folder / "data", _SKIP_DATA)
        _copy_tree(reports_dir, folder / "reports", _SKIP_REPORTS)
    if overrides is not None and Path(overrides).exists() and Path(overrides).resolve() != (folder / "overrides.csv").resolve():
        shutil.copy2(overrides, folder / "overrides.csv")  # an OUT build's overrides, as they were applied

    record = {"id": wanted, "label": period_label(metadata), "title": metadata.get("title"),
              "issuing_office": metadata.get("issuing_office"), "year": metadata.get("year"),
              "period": metadata.get("period"), "as_of": metadata.get("as_of"),
              "raw": str(layout.raw), "kept_at": datetime.now().isoformat(timespec="seconds"),
              "signature": signature}
    if old.exists():
        previous = json.loads(old.read_text(encoding="utf-8"))
        if {k: v for k, v in previous.items() if k != "kept_at"} == {k: v for k, v in record.items() if k != "kept_at"}:
            record["kept_at"] = previous.get("kept_at", record["kept_at"])
    _write_atomic(old, json.dumps(record, ensure_ascii=False, indent=2))
    for period in list_periods(root):  # every kept index lists every period (links relative to each copy)
        kept = Path(period["folder"]) / "reports"
        if (kept / "index.html").exists() and kept.resolve() != Path(layout.reports_dir).resolve():
            link_periods(kept, root, period["id"], period)
    return folder


def keep_log(layout, log_path: Path | None, summary) -> None:
    """Keep the log of a build that published reports in its period's folder
    (``<root>/<id>/build.log``): what was sent keeps the record of how it was made."""
    if not log_path or not summary.reports_written or summary.failures or not Path(log_path).exists():
        return
    wanted, _ = current_period(layout.data_dir)
    folder = periods_root(layout.data_dir) / (wanted or "")
    if wanted and folder.is_dir():
        shutil.copy2(log_path, folder / "build.log")


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def link_periods(reports_dir: Path, root: Path, current_id: str | None = None, current: dict | None = None,
                 at: Path | None = None) -> None:
    """Put the list of every period (newest first, each linking to its kept reports) into
    ``<reports_dir>/index.html``, replacing the list already there; links are relative
    to ``at`` (default ``reports_dir``: where the page will be read)."""
    index = Path(reports_dir) / "index.html"
    at = Path(at or reports_dir)
    if not index.exists():
        return
    periods = {p["id"]: p for p in list_periods(root)}
    if current_id and current_id not in periods and current:
        periods[current_id] = {**current, "folder": None}
    if not periods:
        return
    items = []
    for period in sorted(periods.values(), key=lambda p: (str(p.get("as_of") or ""), p["id"]), reverse=True):
        label = html.escape(f"{period.get('label') or period['id']}（截至 {period.get('as_of') or '未注明'}）")
        if period["id"] == current_id:
            items.append(f"<li><strong>{label}</strong>：本页</li>")
            continue
        target = Path(period["folder"]) / "reports" / "index.html"
        link = html.escape(os.path.relpath(target, at).replace(os.sep, "/"))
        items.append(f'<li><a href="{link}">{label}</a>：当时发出的报告</li>')
    section = (f'{_MARK[0]}<section class="periods"><h2>各期报告</h2><ul>{"".join(items)}</ul></section>{_MARK[1]}')
    page = index.read_text(encoding="utf-8")
    page = re.sub(re.escape(_MARK[0]) + ".*?" + re.escape(_MARK[1]), "", page, flags=re.S)
    page = page.replace("</body>", section + "\n</body>", 1) if "</body>" in page else page + section
    _write_atomic(index, page)


def current_period(data_dir: Path) -> tuple[str | None, dict]:
    """(id, metadata) of the period in a data folder."""
    path = Path(data_dir) / "metadata.json"
    if not path.exists():
        return None, {}
    metadata = json.loads(path.read_text(encoding="utf-8"))
    return period_id(metadata.get("as_of")), metadata


# ---------------------------------------------------------------------- overrides across periods
def build_warnings(layout) -> list[str]:
    """What the build lists as warnings about overrides: this period's overrides not
    applied (made for another task text), and each of last period's overrides, which a
    new period never inherits: carried over only on request, or its task is gone."""
    data_dir = Path(layout.data_dir)
    out = []
    legacy = paths.OVERRIDES_PATH
    if legacy.is_file() and len([line for line in legacy.read_text(encoding="utf-8", errors="replace").splitlines()
                                 if line.strip()]) > 1:
        out.append(f"{legacy} 已不再使用：人工认定按期保存（本期为 {overrides_file_of(data_dir)}），"
                   "请把其中属于本期的认定移到本期文件（或在探索笔记本的复核队列中重新认定）")
    summary = data_dir / "classification.json"
    classification = json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}
    out += classification.get("override_warnings", [])
    info_path = data_dir / "comparison.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
    label = info.get("previous_label") or "上期"
    own = set(classification.get("overridden_task_ids", []))
    for item in info.get("previous_overrides") or []:  # JSON only: a build with nothing to do imports no pandas
        if item["task_id"] is None:
            out.append(f"{label}序号 {item['previous_task_id']} 的人工认定（{item['override']}）未沿用：本期没有对应的任务")
        elif item["task_id"] not in own:
            out.append(f"{label}序号 {item['previous_task_id']} 的人工认定（{item['override']}）未沿用到本期序号 "
                       f"{item['task_id']}；确需沿用时运行 make carry-overrides IDS={item['task_id']}，"
                       "或在探索笔记本的复核队列中认定")
    return out


def overrides_file_of(data_dir: Path) -> Path:
    """The overrides file the build read for the data in ``data_dir`` (recorded in its
    ``classification.json``), else the period's own file under ``<root>/<id>/``."""
    data_dir = Path(data_dir)
    summary = data_dir / "classification.json"
    if summary.exists():
        recorded = json.loads(summary.read_text(encoding="utf-8")).get("overrides_path")
        if recorded:
            return Path(recorded)
    wanted, _ = current_period(data_dir)
    return periods_root(data_dir) / (wanted or "undated") / "overrides.csv"


def carry_overrides(data_dir: Path, task_ids: list[int] | None = None, reviewer: str = "") -> list[dict]:
    """Carry last period's overrides over to this period, deliberately: for each chosen
    current task (all matched ones when ``task_ids`` is None) whose partner was overridden
    last period, the same status is written into this period's overrides file with the
    reason "沿用上期认定：…", bound to this period's task text. Returns the entries written."""
    import pandas as pd  # cold start: pandas, which the no-op build never loads

    from src import store  # cold start: pandas, which the no-op build never loads
    from src.classify.overrides import set_override  # cold start: pandas, which the no-op build never loads

    data_dir = Path(data_dir)
    comparison_path = data_dir / "comparison.parquet"
    if not comparison_path.exists():
        raise ValueError(f"{data_dir}: 没有与上期比较的结果（comparison.parquet），无法沿用上期认定 (no comparison)")
    comparison = pd.read_parquet(comparison_path)
    classified = store.read_table(data_dir / "tasks_classified.parquet")
    carried = comparison[(comparison["previous_override_status"].astype(str) != "") & comparison["task_id"].notna()]
    if task_ids is not None:
        wanted = {int(t) for t in task_ids}
        unknown = wanted - {int(t) for t in carried["task_id"]}
        if unknown:
            raise ValueError("本期序号 " + "、".join(str(t) for t in sorted(unknown))
                             + " 的上期对应任务没有人工认定（或没有对应任务），无法沿用 (no previous override to carry)")
        carried = carried[carried["task_id"].astype(int).isin(wanted)]
    path = overrides_file_of(data_dir)
    written = []
    for row in carried.itertuples():
        reason = f"沿用上期认定（上期序号 {int(row.previous_task_id)}）：{row.previous_override_reason}"
        written.append(set_override(path, classified, int(row.task_id), row.previous_override_status, reason,
                                    reviewer or row.previous_override_reviewer))
    return written


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m src.compare.periods", description="各期报告：列出已保存的各期；沿用上期的人工认定")
    cli.add_argument("command", choices=["list", "carry"])
    cli.add_argument("--data", default=str(paths.PROCESSED_DIR), help="本期数据目录（默认 data/processed）")
    cli.add_argument("--ids", default="", help="carry：沿用哪些本期任务（本期序号，逗号分隔）的上期认定；all 为全部")
    cli.add_argument("--reviewer", default="", help="carry：复核人（默认沿用上期的复核人）")
    args = cli.parse_args(argv)
    data_dir = Path(args.data)
    if args.command == "list":
        for period in list_periods(periods_root(data_dir)):
            print(f"{period['id']}\t{period.get('label')}\t截至 {period.get('as_of')}\t{period['folder']}")
        return 0
    if not args.ids:
        print("请用 --ids（make carry-overrides IDS=12,40）指明沿用哪些任务的上期认定；--ids all 为全部", file=sys.stderr)
        return 2
    from src.classify.overrides import OverrideError  # cold start: pandas, which the no-op build never loads

    ids = None if args.ids.strip().lower() == "all" else [int(t) for t in re.split(r"[,，\s]+", args.ids.strip()) if t]
    try:
        written = carry_overrides(data_dir, ids, args.reviewer)
    except (ValueError, OverrideError) as error:
        print(error, file=sys.stderr)
        return 2
    for entry in written:
        print(f"沿用：本期序号 {entry['task_id']} → {entry['status']}（{entry['reason']}）")
    print(f"已写入 {overrides_file_of(data_dir)}；运行 make reports 后生效")
    return 0


if __name__ == "__main__":
    sys.exit(main())
