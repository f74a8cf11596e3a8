"""Publishing: reports are rendered into a staging folder beside ``reports/``,
which replaces it in two renames only when every report succeeded, so readers
never see a half-written set. A build killed mid-way leaves its staging folder
behind; the next build removes what dead builds left (and only that).
"""
from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

__all__ = ["open_staging", "swap_in", "keep_failed", "remove_dead_leftovers", "write_index_and_workbook"]

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:staging|old)-(?P<pid>\d+)$|^\.build-(?P<logpid>\d+)\.log$")


def open_staging(reports_dir: Path) -> Path:
    """A fresh staging folder holding a copy of the current reports (logs excluded)."""
    staging = reports_dir.parent / f".{reports_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    if reports_dir.exists():
        shutil.copytree(reports_dir, staging, ignore=shutil.ignore_patterns("logs"))
    else:
        staging.mkdir(parents=True)
    return staging


def swap_in(staging: Path, reports_dir: Path) -> None:
    """Replace ``reports_dir`` by ``staging`` in two renames; ``logs/`` is carried over."""
    old = reports_dir.parent / f".{reports_dir.name}.old-{os.getpid()}"
    if reports_dir.exists():
        if (reports_dir / "logs").exists():
            shutil.move(str(reports_dir / "logs"), str(staging / "logs"))
        reports_dir.rename(old)
    staging.rename(reports_dir)
    shutil.rmtree(old, ignore_errors=True)


def keep_failed(results: list[dict], reports_dir: Path) -> Path:
    """Copy the executed notebooks of failed reports to ``<reports>/logs/failed-<time>/``."""
    keep = reports_dir / "logs" / f"failed-{datetime.now():%Y%m%d-%H%M%S}"
    keep.mkdir(parents=True, exist_ok=True)
    for result in results:
        executed = Path(result.get("executed") or "")
        if result.get("executed") and executed.exists():
            shutil.copy2(executed, keep / executed.name)
    return keep


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_dead_leftovers(reports_dir: Path) -> list[Path]:
    """Remove the staging folders, half-swapped old folders and temporary logs that
    builds which are no longer running left beside ``reports_dir``. Returns what it removed."""
    removed = []
    parent = reports_dir.parent
    if not parent.exists():
        return removed
    for entry in sorted(parent.iterdir()):
        match = _LEFTOVER.match(entry.name)
        if not match:
            continue
        if match.group("name") is not None and match.group("name") != reports_dir.name:
            continue
        pid = int(match.group("pid") or match.group("logpid"))
        if _alive(pid):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def write_index_and_workbook(overview, reports: list, staging: Path) -> None:
    """``index.html`` (every report with its counts) and the Excel workbook."""
    from src import render

    changes, sheet = {}, None
    if not overview.comparison.empty:  # with a previous period: each leader's change, and the workbook's sheet
        from src import compare

        changes = dict(zip(*compare.leader_changes(overview.comparison)[["leader", "sentence"]].T.values))
        changes[""] = compare.comparison_sentences(overview.comparison, "", overview.comparison_info.get("previous_label") or "上期")[0]
        sheet = compare.comparison_sheet(overview.comparison)
    entries = [{"subject": report.subject if report.leader else "全市", "html": f"{report.slug}.html",
                "pdf": f"{report.slug}.pdf", "docx": f"{report.slug}.docx", "counts": report.counts,
                "change": changes.get(report.leader, "")}
               for report in reports]
    page = render.index_html(entries, overview.metadata, overview.as_of, overview.classification.get("rule_version", ""))
    (staging / "index.html").write_text(page, encoding="utf-8")
    render.write_excel(overview.all_tasks, staging / "key_tasks_classified.xlsx", comparison=sheet)
    from src.analyst import analyst_page  # the office's page: linked from no report (issue 24)

    (staging / "analyst.html").write_text(analyst_page(overview), encoding="utf-8")
