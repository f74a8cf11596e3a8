"""Publishing that never loses the last good set, and one build at a time.

* the swap killed (SIGKILL) at each of its file-system steps: after recovery the
  published folder is always one complete set (the old one or the new one), and
  the build's logs are untouched;
* a symlinked ``reports/`` stays a symlink; a folder that cannot be written is refused;
* a report edited by hand is kept as a copy before it is replaced;
* the build lock: ``--no-wait`` exits 75 with a Chinese message, a waiting build says so;
  two builds at different report dates started at once publish one consistent set.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from src.builder import publish
from src.builder.lock import EXIT_LOCKED, BuildLocked, build_lock
from src.builder.publish import BuildFiles, PublishError
from tests.conftest import MINI_TABLE, ROOT

OLD_SET = {"index.html": "old index", "leader-01.docx": "old word", "leader-01.html": "old page"}
NEW_SET = {"index.html": "new index", "leader-01.docx": "new word", "leader-01.html": "new page",
           "leader-02.html": "new page 2"}


def write_set(folder: Path, files: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def read_set(folder: Path) -> dict:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file()}


def _publish_and_die_at(step: int, real: str, build_dir: str) -> None:
    """In a forked child: publish NEW_SET over OLD_SET, SIGKILL this process at the ``step``-th
    file-system change of the swap (rename, replace, rmtree)."""
    calls = {"n": 0}

    def dying(function):
        def wrapped(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)
        return wrapped

    real, files = Path(real), BuildFiles(Path(build_dir))
    staging = publish.open_staging(real)
    write_set(staging, NEW_SET)
    publish.os.rename = dying(os.rename)
    publish.os.replace = dying(os.replace)
    publish.shutil.rmtree = dying(shutil.rmtree)
    publish.swap_in(staging, real, files, {"files": publish.file_digests(staging)})
    os._exit(0)


@pytest.mark.parametrize("step", [1, 2, 3, 4, 99])
def test_a_swap_killed_at_any_step_loses_no_set_and_no_log(tmp_path, step):
    real, files = tmp_path / "reports", BuildFiles(tmp_path / "data" / ".build")
    write_set(real, OLD_SET)
    write_set(files.logs, {"build-1.log": "log of an earlier build"})
    files.published.write_text(json.dumps({"files": publish.file_digests(real)}), encoding="utf-8")
    child = multiprocessing.get_context("fork").Process(target=_publish_and_die_at, args=(step, str(real), str(files.folder)))
    child.start()
    child.join()  # reaped: its process id is no longer alive
    assert child.exitcode == (-signal.SIGKILL if step < 99 else 0)
    messages = publish.recover(real, files)
    published = read_set(real)
    assert published in (OLD_SET, NEW_SET), (step, published, messages)
    record = json.loads(files.published.read_text(encoding="utf-8"))
    assert record["files"] == publish.file_digests(real)  # the record describes what is published
    assert read_set(files.logs) == {"build-1.log": "log of an earlier build"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "reports"]  # nothing left half-done
    assert not list(files.folder.glob("published-*.json"))
    if step <= 2:  # killed before the new set was in place: the old one is there, whole
        assert published == OLD_SET
    if step >= 3:  # the new set was in place
        assert published == NEW_SET


def test_recovery_leaves_a_live_builds_folders_alone(tmp_path):
    real, files = tmp_path / "reports", BuildFiles(tmp_path / ".build")
    write_set(real, OLD_SET)
    live = tmp_path / f".reports.staging-{os.getpid()}"
    live.mkdir()
    other = tmp_path / ".other.staging-1"
    other.mkdir()
    assert publish.recover(real, files) == []
    assert live.exists() and other.exists()


def test_a_symlinked_reports_folder_stays_a_symlink(tmp_path):
    shared = tmp_path / "shared" / "督查报告"
    write_set(shared, OLD_SET)
    link = tmp_path / "project" / "reports"
    link.parent.mkdir()
    link.symlink_to(shared)
    real = publish.published_dir(link)
    assert real == shared.resolve()
    staging = publish.open_staging(real)
    assert staging.parent == shared.parent.resolve()  # the swap happens beside the real folder
    write_set(staging, NEW_SET)
    publish.swap_in(staging, real, BuildFiles(tmp_path / "project" / ".build"), {})
    assert link.is_symlink() and read_set(link) == NEW_SET


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write any folder")
def test_a_reports_folder_whose_parent_cannot_be_written_is_refused(tmp_path):
    locked = tmp_path / "locked"
    write_set(locked / "reports", OLD_SET)
    locked.chmod(0o555)
    try:
        with pytest.raises(PublishError, match="无法在 .* 中新建和改名文件夹"):
            publish.published_dir(locked / "reports")
    finally:
        locked.chmod(0o755)


def test_a_report_edited_by_hand_is_kept_as_a_copy_with_a_message(tmp_path):
    real = tmp_path / "reports"
    write_set(real, OLD_SET)
    recorded = publish.file_digests(real)
    (real / "leader-01.docx").write_text("old word, corrected by hand", encoding="utf-8")
    (real / "说明.txt").write_text("an analyst's note", encoding="utf-8")
    staging = publish.open_staging(real)
    write_set(staging, NEW_SET)
    said = []
    messages = publish.keep_edited(real, staging, recorded, say=said.append)
    assert messages == said and len(messages) == 2
    assert "leader-01.docx 在上次构建后被修改过" in messages[0] and "说明.txt 不是构建生成的文件" in messages[1]
    kept = {p.name.split("-2")[0]: p.read_text(encoding="utf-8") for p in (staging / publish.KEPT_DIR).iterdir()}
    assert kept == {"leader-01": "old word, corrected by hand", "说明": "an analyst's note"}
    # an unchanged file is not copied; copies kept before are carried into the next set
    publish.swap_in(staging, real, BuildFiles(tmp_path / ".build"), {})
    again = publish.open_staging(real)
    publish.keep_edited(real, again, publish.file_digests(real), say=said.append)
    assert len(list((again / publish.KEPT_DIR).iterdir())) == 2


# --------------------------------------------------------------------------- the lock
def test_no_wait_exits_75_with_a_chinese_message_while_another_build_holds_the_lock(tmp_path):
    build_dir = tmp_path / "out" / "data" / ".build"
    with build_lock(build_dir, "测试"):
        with pytest.raises(BuildLocked):  # the same folder, another holder in this process
            with build_lock(build_dir, "测试", wait=False):
                pass
        result = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(MINI_TABLE), "--out",
                                 str(tmp_path / "out"), "--no-wait"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == EXIT_LOCKED == 75
    assert f"进程 {os.getpid()}" in result.stderr and "--no-wait" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "reports").exists()  # it did nothing


def test_a_second_build_waits_saying_so(tmp_path):
    build_dir = tmp_path / "out" / "data" / ".build"
    with build_lock(build_dir, "测试"):
        waiting = subprocess.Popen([sys.executable, "-m", "src.builder", "--raw", str(tmp_path / "missing.md"), "--out",
                                    str(tmp_path / "out")], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert waiting.poll() is None  # still waiting
    _, stderr = waiting.communicate(timeout=60)
    assert "等待它结束后再开始" in stderr.splitlines()[0]
    assert waiting.returncode == 2 and "原始汇总表不存在" in stderr  # then it ran


@pytest.mark.slow
def test_two_builds_at_different_report_dates_started_at_once_publish_one_consistent_set(tmp_path):
    out = tmp_path / "out"
    runs = [subprocess.Popen([sys.executable, "-m", "src.builder", "--raw", str(MINI_TABLE), "--out", str(out),
                              "--as-of", as_of, "--jobs", "1"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
            for as_of in ("2020-06-30", "2020-09-30")]
    outcomes = [(run.wait(timeout=600), run.stderr.read()) for run in runs]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert sum("等待它结束后再开始" in stderr for _, stderr in outcomes) == 1  # one waited for the other
    pages = {p.name: p.read_text(encoding="utf-8") for p in (out / "reports").glob("*.html") if p.name != "analyst.html"}
    assert len(pages) == 5  # index, overview, three leaders (and the office's analyst page, not sent)
    # the index ends with the list of every kept period (each with its own date): read the page above it
    pages = {name: page.split("<!-- periods -->")[0] for name, page in pages.items()}
    dates = {name: set(re.findall(r"2020-0[69]-30", page)) for name, page in pages.items()}
    published = set.union(*dates.values())
    assert len(published) == 1, dates  # every report at one report date
    assert all(found == published for found in dates.values()), dates
    metadata = json.loads((out / "data" / "metadata.json").read_text(encoding="utf-8"))
    assert published == {metadata["as_of"]}
    assert_only_shared(out / "reports", [ROOT, out, Path(tempfile.gettempdir()), Path.home(), Path(sys.prefix)])


SHARED_SUFFIXES = {".html", ".pdf", ".docx", ".xlsx"}


def assert_only_shared(reports: Path, machine_paths: list[Path]) -> None:
    """reports/ holds only what is shared (no notebook, log, state), and no path of the build machine,
    neither in the pages nor inside the Word, Excel and PDF files."""
    import zipfile

    files = [p for p in reports.rglob("*") if p.is_file()]
    assert files and {p.suffix for p in files} <= SHARED_SUFFIXES, sorted(p.name for p in files)
    needles = sorted({str(p) for p in machine_paths if len(str(p)) > 4}, key=len, reverse=True)
    for path in files:
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as package:
                texts = [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
        elif path.suffix == ".pdf":
            texts = [path.read_bytes().decode("latin-1"),
                     subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout]
        else:
            texts = [path.read_text(encoding="utf-8")]
        for text in texts:
            found = [needle for needle in needles if needle in text]
            assert not found, (path.name, found)


# --------------------------------------------------------------------------- the inbox, read once
def test_the_inbox_reads_each_table_header_once(tmp_path, monkeypatch):
    from src.table.ingest import inbox

    raw = tmp_path / "raw"
    raw.mkdir()
    text = MINI_TABLE.read_text(encoding="utf-8")
    (raw / "h1.md").write_text(text, encoding="utf-8")
    (raw / "q3.md").write_text(text.replace("半年度", "前三季度"), encoding="utf-8")
    opened = []
    real = inbox.table_period
    monkeypatch.setattr(inbox, "table_period", lambda path: opened.append(path.name) or real(path))
    cache = tmp_path / "data" / ".build" / "inbox.json"
    first = inbox.find_inbox_table(raw, cache=cache)
    assert first[0].name == "q3.md" and sorted(opened) == ["h1.md", "q3.md"]
    opened.clear()
    assert inbox.find_inbox_table(raw, cache=cache) == first and opened == []  # nothing new: no table opened
    (raw / "h1.md").write_text(text.replace("半年度", "1-11月"), encoding="utf-8")
    assert inbox.find_inbox_table(raw, cache=cache)[0].name == "h1.md" and opened == ["h1.md"]  # only what changed


def test_a_checkouts_gitkeep_survives_the_swap(tmp_path):
    real, files = tmp_path / "reports", BuildFiles(tmp_path / "data" / ".build")
    write_set(real, OLD_SET)
    (real / ".gitkeep").write_text("", encoding="utf-8")
    staging = publish.open_staging(real)
    write_set(staging, NEW_SET)
    publish.swap_in(staging, real, files, {"files": publish.file_digests(staging, NEW_SET)})
    assert (real / ".gitkeep").is_file()
    assert all((real / name).read_text(encoding="utf-8") == text for name, text in NEW_SET.items())
