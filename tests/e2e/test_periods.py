"""Period after period (issue 25): the half-year built and overridden, then a
Q3 table dropped into data/raw/ and the plain build run."""
from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from src.compare import periods
from tests.conftest import MINI_TABLE


def q3_variant(source: str) -> str:
    """The mini half-year table as its Q3 report: later period, task 2 dropped and the
    rest renumbered (so number 3 is now another unit's task), task 4's figures updated,
    every other progress text carried over with its dates moved (1-6月 → 1-9月)."""
    text = source.replace("半年度", "前三季度").replace("2020 年 7 月", "2020 年 10 月")
    text = text.replace("6月底", "9月底").replace("6 月底", "9 月底")
    lines = text.split("\n")
    out, number = [], 0
    for line in lines:
        match = re.match(r"^(\d+)\t", line)
        if not match:
            out.append(line)
            continue
        if match.group(1) == "2":
            continue
        if match.group(1) == "4":
            line = line.replace("35.2%", "61.8%").replace("50.5%", "77.5%")
        number += 1
        out.append(f"{number}\t" + line[len(match.group(0)):])
    return "\n".join(out)


def _slug_of(project, task_id: int) -> str:
    from src.report.model import load_report

    overview = load_report(project / "data" / "processed")
    leader = overview.all_tasks.set_index("task_id").loc[task_id, "leader"]
    return next(report.slug for report in overview.roster() if report.leader == leader)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project of its own: data/raw/, data/processed/, reports/ under tmp_path."""
    from src import paths
    from src.builder import run

    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    monkeypatch.setattr(paths, "RAW_DIR", data / "raw")
    monkeypatch.setattr(run, "PROCESSED_DIR", data / "processed")
    monkeypatch.setattr(run, "REPORTS_DIR", tmp_path / "reports")
    return tmp_path


@pytest.mark.slow  # builds reports end to end, five times
def test_next_period_scenario(project):
    from src.builder import build
    from src.classify.overrides import read_overrides, set_override

    raw = project / "data" / "raw"
    shutil.copy(MINI_TABLE, raw / "2020_h1.md")
    code, summary = build()
    assert code == 0, summary.failures
    kept_h1 = project / "data" / "periods" / "2020-H1"
    overrides_h1 = kept_h1 / "overrides.csv"
    assert overrides_h1.exists() and read_overrides(overrides_h1, pd.DataFrame({"task_id": []})) == []

    # the analyst overrides half-year task 3 (the 运河二通道 task), in the period's own file
    classified = pd.read_parquet(project / "data" / "processed" / "tasks_classified.parquet")
    set_override(overrides_h1, classified, 3, "滞后", "督查组实地核查进度滞后", "张三", "2020-07-15")
    code, summary = build()
    assert code == 0, summary.failures
    h1 = pd.read_parquet(kept_h1 / "data" / "tasks_classified.parquet")
    assert h1.loc[h1.task_id == 3, "status_source"].item() == "override"
    assert "督查组实地核查进度滞后" in (kept_h1 / "reports" / "overview.html").read_text(encoding="utf-8")

    # the Q3 table dropped into data/raw/, the plain build run
    (raw / "2020_q3.md").write_text(q3_variant(MINI_TABLE.read_text(encoding="utf-8")), encoding="utf-8")
    code, summary = build()
    assert code == 0, summary.failures
    q3 = pd.read_parquet(project / "data" / "processed" / "tasks_classified.parquet")
    assert (q3["status_source"] == "override").sum() == 0  # no half-year override applied
    assert "督查组实地核查进度滞后" not in (project / "reports" / "overview.html").read_text(encoding="utf-8")
    assert (project / "data" / "periods" / "2020-Q3" / "overrides.csv").exists()
    carried = [w for w in summary.warnings if "的人工认定" in w and "未沿用" in w]
    assert len(carried) == 1 and "半年度" in carried[0], summary.warnings
    assert "序号 3" in carried[0] and "本期序号 2" in carried[0]  # H1 task 3 is Q3 task 2

    # what was sent is kept and reachable from the index
    index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    link = "../data/periods/2020-H1/reports/index.html"
    assert f'href="{link}"' in index and (project / "reports" / link).resolve().exists()
    assert "督查组实地核查进度滞后" in (kept_h1 / "reports" / "overview.html").read_text(encoding="utf-8")
    assert (project / "data" / "periods" / "2020-Q3" / "reports" / "overview.html").exists()
    kept_index = (kept_h1 / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../2020-Q3/reports/index.html"' in kept_index  # the half-year's copy links on to Q3

    # the comparison was made with the kept half-year, with its override beside the matched task
    info = json.loads((project / "data" / "processed" / "comparison.json").read_text(encoding="utf-8"))
    assert info["previous_kind"] == "data" and "2020-H1" in info["previous_source"]
    comparison = pd.read_parquet(project / "data" / "processed" / "comparison.parquet")
    row = comparison[comparison.task_id == 2].iloc[0]
    assert (int(row.previous_task_id), row.previous_override_status) == (3, "lagging")
    assert "督查组实地核查进度滞后" in row.previous_override
    # 进展未更新: carried-over texts counted, the updated one (H1 task 4 = Q3 task 3) not
    stale = comparison.set_index("task_id")["progress_stale"]
    assert not stale[3] and stale.sum() == info["progress_stale"] >= 5
    assert f"进展未更新 {info['progress_stale']} 项" in (project / "reports" / "overview.html").read_text(encoding="utf-8")
    assert "进展未更新" in pd.read_excel(project / "reports" / "key_tasks_classified.xlsx", sheet_name=None, engine="openpyxl")["与上期比较"].columns

    # carrying the override over deliberately: one command, then the build applies it
    assert periods.main(["carry", "--data", str(project / "data" / "processed"), "--ids", "2"]) == 0
    code, summary = build()
    q3 = pd.read_parquet(project / "data" / "processed" / "tasks_classified.parquet")
    assert q3.loc[q3.task_id == 2, "status_source"].item() == "override"
    # one override with a previous period re-renders only what it changes: its leader's report and the overview
    assert sorted(summary.reports_written) == sorted(["overview", _slug_of(project, 2)]), summary.reports_written
    assert "沿用上期认定" in q3.loc[q3.task_id == 2, "override_reason"].item()

    # rebuilding the half-year never touches the newest
    before = (project / "reports" / "overview.html").read_bytes()
    code, summary = build(raw=str(raw / "2020_h1.md"))
    assert code == 0, summary.failures
    assert (project / "reports" / "overview.html").read_bytes() == before
    assert "前三季度" in json.loads((project / "data" / "processed" / "metadata.json").read_text(encoding="utf-8"))["title"]


def test_quiet_runs_log_apart_and_the_published_builds_log_is_kept(tmp_path, monkeypatch):
    from src.builder import console

    logs = tmp_path / ".build" / "logs"  # the build folder's logs (never in reports/)
    monkeypatch.setattr(console, "KEEP_LOGS", 3)
    names = iter(range(100))
    monkeypatch.setattr(console, "datetime", type("Clock", (), {"now": staticmethod(
        lambda: __import__("datetime").datetime(2020, 7, 1, 0, 0, next(names)))}))

    def run(**summary):
        handler = console.start_log(logs)
        console.log.info("构建")
        return console.finish_log(handler, logs, console.BuildSummary(**summary))

    published = run(stages_run=["clean"], reports_written=["overview"])
    quiet = [run() for _ in range(5)]
    assert all(path.parent == logs / "noop" for path in quiet)
    assert len(list((logs / "noop").glob("build-*.log"))) == 3  # quiet runs pruned among themselves
    for _ in range(5):
        run(stages_run=["classify"])  # builds that published nothing new
    kept = sorted(p.name for p in (logs).glob("build-*.log"))
    assert published.name in kept and len(kept) == 4  # three most recent, and the one behind the reports
    assert (logs / "PUBLISHED").read_text(encoding="utf-8").strip() == published.name


def test_period_ids_and_the_index_list(tmp_path):
    assert [periods.period_id(d) for d in ("2020-03-31", "2020-06-30", "2020-09-30", "2020-12-31", "2020-11-30")] == [
        "2020-Q1", "2020-H1", "2020-Q3", "2020-FY", "2020-M11"]
    root = tmp_path / "data" / "periods"
    for wanted, as_of in (("2020-H1", "2020-06-30"), ("2020-Q3", "2020-09-30")):
        (root / wanted / "reports").mkdir(parents=True)
        (root / wanted / "period.json").write_text(json.dumps(
            {"id": wanted, "label": f"<b>{wanted}</b>", "as_of": as_of}), encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "index.html").write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    for _ in range(2):  # replaced, not added again
        periods.link_periods(reports, root, "2020-Q3")
    page = (reports / "index.html").read_text(encoding="utf-8")
    assert page.count("各期报告") == 1 and "<b>" not in page and "&lt;b&gt;2020-H1" in page
    assert 'href="../data/periods/2020-H1/reports/index.html"' in page
    assert page.index("2020-Q3") < page.index("2020-H1")  # newest first
