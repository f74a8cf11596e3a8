"""Publishing a set of reports so that the last good set is never lost.

``reports/`` holds only what is shared: each report's HTML, PDF and Word, the
index, the workbook, and ``手工修改/`` (copies of reports someone edited by hand,
see below). Logs, executed notebooks, failed notebooks and the build's record of
what it published live under the data folder (``<data>/.build/``, :class:`BuildFiles`).

A build renders into an empty staging folder beside the published one and copies
in only the reports it reuses, so it publishes exactly the set it planned. The
swap is a rename-over in steps that recovery can always finish or undo:

0. write the new record of the set (``published-<pid>.json``, pending);
1. rename the published folder to ``.reports.old-<pid>`` (when there is one);
2. rename the staging folder to the published name;
3. delete ``.reports.old-<pid>``;
4. rename the pending record over ``published.json``.

A build killed at any point leaves folders named with its process id; the next
build (holding the build lock, :mod:`src.builder.lock`) calls :func:`recover`:
staging still there → step 2 never happened: the old set is renamed back (if it
was moved) and the staging folder removed; no staging but an old folder → the new
set is in place: the old folder is removed and the pending record adopted. Nothing
recovery does ever deletes the only copy of a set, and logs are not in these folders.

``reports/`` may be a symbolic link (a shared folder): the link is kept and the
swap happens beside the folder it points to. When that is impossible (the folder
above it cannot be written), the build says so and publishes nothing.

A published file that no longer has the content the build recorded (a Word
report edited by hand) is copied to ``手工修改/<name>-<time><suffix>`` in the new
set, with a message, before it is replaced; files the build did not make are kept
the same way, never dropped.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from src import compare

__all__ = ["BuildFiles", "PublishError", "KEPT_DIR", "published_dir", "open_staging", "carry_over", "keep_edited",
           "swap_in", "recover", "read_published", "file_digests", "keep_failed", "write_index_and_workbook"]

KEPT_DIR = "手工修改"  # copies of hand-edited or unknown files, kept in the published set
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>staging|old)-(?P<pid>\d+)$")
_PENDING = re.compile(r"^published-(?P<pid>\d+)\.json$")


class PublishError(Exception):
    """The reports cannot be published safely where they should go (exit code 3)."""


@dataclass(frozen=True)
class BuildFiles:
    """What the build keeps for itself, under ``<data>/.build/`` (never in ``reports/``)."""

    folder: Path

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    @property
    def published(self) -> Path:
        """The record of the published set: each report's key and each file's sha256."""
        return self.folder / "published.json"

    def pending(self, pid: int | None = None) -> Path:
        return self.folder / f"published-{pid or os.getpid()}.json"

    def executed(self, pid: int | None = None) -> Path:
        """This build's executed notebooks (removed when it ends; failed ones are kept in ``failed-*``)."""
        return self.folder / f"executed-{pid or os.getpid()}"

    def failed(self) -> Path:
        return self.folder / f"failed-{datetime.now():%Y%m%d-%H%M%S}"


def published_dir(reports_dir: Path) -> Path:
    """The real folder the reports are published in: ``reports_dir`` itself, or the folder a
    symbolic link ``reports_dir`` points to (the link stays). Raises :class:`PublishError`
    when the folder that holds it cannot be written (no safe swap possible there)."""
    reports_dir = Path(reports_dir)
    real = reports_dir.resolve() if reports_dir.is_symlink() else reports_dir
    parent = real.parent
    parent.mkdir(parents=True, exist_ok=True)
    if not os.access(parent, os.W_OK | os.X_OK):
        link = f"{reports_dir} 指向 {real}，" if real != reports_dir else ""
        raise PublishError(
            f"{link}无法在 {parent} 中新建和改名文件夹，不能安全地发布报告（已发布的报告保持不变）。"
            f"请让运行构建的用户可以写 {parent}，或用 OUT= 指定另一个输出目录 "
            f"(cannot write {parent}: reports not published)")
    return real


def open_staging(real: Path) -> Path:
    """A new staging folder beside the published folder, empty but for the checkout's
    ``.gitkeep`` (a build in a git checkout must not show the tracked file as deleted)."""
    staging = real.parent / f".{real.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if (real / ".gitkeep").is_file():
        shutil.copy2(real / ".gitkeep", staging / ".gitkeep")
    return staging


def carry_over(real: Path, staging: Path, names) -> None:
    """Copy the reused files (by name) from the published folder into the staging folder."""
    for name in names:
        source = real / name
        if source.is_file():
            shutil.copy2(source, staging / name)


def file_digests(folder: Path, names=None) -> dict[str, str]:
    """sha256 of the files directly in ``folder`` (or of ``names``) that exist."""
    folder = Path(folder)
    names = sorted(p.name for p in folder.iterdir() if p.is_file()) if names is None else names
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in names if (folder / name).is_file()}


def keep_edited(real: Path, staging: Path, recorded: dict[str, str], say) -> list[str]:
    """Keep, in the staging folder's ``手工修改/``, every published file that is not what the build
    recorded (edited by hand) or that the build never made, and the copies kept before.
    Returns the messages (also passed to ``say``)."""
    messages = []
    if not real.is_dir():
        return messages
    kept = real / KEPT_DIR
    if kept.is_dir():
        shutil.copytree(kept, staging / KEPT_DIR, dirs_exist_ok=True)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    for path in sorted(real.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        expected = recorded.get(path.name)
        if expected is not None and hashlib.sha256(path.read_bytes()).hexdigest() == expected:
            continue
        target = staging / KEPT_DIR / f"{path.stem}-{stamp}{path.suffix}"
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(path, target)
        why = "在上次构建后被修改过" if expected is not None else "不是构建生成的文件"
        message = (f"{path.name} {why}，已另存为 {real.name}/{KEPT_DIR}/{target.name}"
                   f"{'，再换成新生成的版本' if expected is not None else ''}")
        say(message)
        messages.append(message)
    return messages


def swap_in(staging: Path, real: Path, files: BuildFiles, record: dict) -> None:
    """Publish ``staging`` as ``real`` (steps 0–4 of the module docstring)."""
    files.folder.mkdir(parents=True, exist_ok=True)
    pending = files.pending()
    pending.write_text(json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")  # 0
    old = real.parent / f".{real.name}.old-{os.getpid()}"
    if real.exists():
        os.rename(real, old)  # 1
    os.rename(staging, real)  # 2
    shutil.rmtree(old, ignore_errors=True)  # 3
    os.replace(pending, files.published)  # 4


def read_published(files: BuildFiles) -> dict:
    try:
        return json.loads(files.published.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


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


def recover(real: Path, files: BuildFiles) -> list[str]:
    """Finish or undo the swaps of builds that died (see the module docstring); returns what it did.
    Run while holding the build lock; folders of live processes are left alone."""
    done = []
    parent = real.parent
    leftovers: dict[int, dict[str, Path]] = {}
    if parent.is_dir():
        for entry in parent.iterdir():
            match = _LEFTOVER.match(entry.name)
            if match and match.group("name") == real.name and not _alive(int(match.group("pid"))):
                leftovers.setdefault(int(match.group("pid")), {})[match.group("kind")] = entry
    if files.folder.is_dir():
        for entry in files.folder.iterdir():
            match = _PENDING.match(entry.name)
            if match and not _alive(int(match.group("pid"))):
                leftovers.setdefault(int(match.group("pid")), {})["pending"] = entry
    for pid, left in sorted(leftovers.items()):
        staging, old, pending = left.get("staging"), left.get("old"), left.get("pending")
        if staging is not None:  # killed before its set was in place: the old set stays (or comes back)
            if old is not None and not real.exists():
                os.rename(old, real)
                done.append(f"恢复：进程 {pid} 的构建在替换报告时中止，已把原来的报告恢复为 {real.name}/")
            shutil.rmtree(staging, ignore_errors=True)
            done.append(f"清理：删除已中止的构建（进程 {pid}）未发布的 {staging.name}")
            if pending is not None:
                pending.unlink(missing_ok=True)
            if old is not None and old.exists():  # both sets were there: the published one stays
                shutil.rmtree(old, ignore_errors=True)
            continue
        new_in_place = real.exists()  # staging renamed away: step 2 happened
        if old is not None:
            if new_in_place:  # the old set is no longer needed
                shutil.rmtree(old, ignore_errors=True)
                done.append(f"清理：删除已中止的构建（进程 {pid}）替换下来的 {old.name}")
            else:  # should not happen (step 2 renames the staging folder away), but never lose a set
                os.rename(old, real)
                done.append(f"恢复：已把 {old.name} 恢复为 {real.name}/")
        if pending is not None:
            if new_in_place:  # the set it describes is the published one
                os.replace(pending, files.published)
            else:
                pending.unlink(missing_ok=True)
    return done


def keep_failed(results: list[dict], files: BuildFiles) -> Path:
    """Copy the executed notebooks of failed reports to ``<data>/.build/failed-<time>/``."""
    keep = files.failed()
    keep.mkdir(parents=True, exist_ok=True)
    for result in results:
        executed = Path(result.get("executed") or "")
        if result.get("executed") and executed.exists():
            shutil.copy2(executed, keep / executed.name)
    return keep


def write_index_and_workbook(overview, reports: list, staging: Path) -> None:
    """``index.html`` (every report with its counts) and the Excel workbook."""
    from src.report import render  # cold start: pandas, matplotlib and WeasyPrint only when reports are published

    changes, sheet = {}, None
    if not overview.comparison.empty:  # with a previous period: each leader's change, and the workbook's sheet
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
    from src.report.analyst import analyst_page  # cold start: pandas and the report layer, only when reports are published

    (staging / "analyst.html").write_text(analyst_page(overview), encoding="utf-8")
