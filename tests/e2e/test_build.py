"""The build as a dependable job: incremental, isolated per output folder,
safe on failure, and honest about its reference date."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import nbformat
import pytest

from src import paths
from src.builder import build
from tests.conftest import FIXTURES, MINI_TABLE, ROOT

pytestmark = pytest.mark.slow  # each test runs the build


def digest_tree(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file() and "logs" not in p.parts
    }


@pytest.fixture(scope="module")
def mini_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("mini_build")
    code, summary = build(raw=str(MINI_TABLE), out=str(out))
    assert code == 0, summary.failures
    assert summary.stages_run == ["clean", "classify", "compare"]
    assert sorted(summary.reports_written) == ["leader-01", "leader-02", "leader-03", "overview"]
    return out


def test_layout_of_an_out_folder(mini_out):
    assert (mini_out / "data" / "tasks.csv").exists() and (mini_out / "data" / "tasks_classified.parquet").exists()
    assert (mini_out / "reports" / "index.html").exists()
    assert (mini_out / "overrides.csv").read_text(encoding="utf-8").startswith("task_id,status,reason")
    logs = list((mini_out / "data" / ".build" / "logs").glob("build-*.log"))
    assert logs and "生成 4 份、沿用 0 份" in logs[-1].read_text(encoding="utf-8")


def test_second_build_does_no_notebook_work(mini_out):
    before = digest_tree(mini_out / "reports")
    code, summary = build(raw=str(MINI_TABLE), out=str(mini_out))
    assert code == 0
    assert summary.stages_run == [] and summary.reports_written == []
    assert set(summary.stages_skipped) == {"clean", "classify", "compare", "reports"}
    assert digest_tree(mini_out / "reports") == before


def test_changed_overrides_rerun_classification_and_reports_not_cleaning(mini_out):
    overrides = mini_out / "overrides.csv"
    original = overrides.read_text(encoding="utf-8")
    try:
        overrides.write_text(original + "1,lagging,督查组实地核查发现进度滞后,王分析,2020-07-15\n", encoding="utf-8")
        code, summary = build(raw=str(MINI_TABLE), out=str(mini_out))
        assert code == 0
        assert summary.stages_run == ["classify", "compare"] and "clean" in summary.stages_skipped
        assert "leader-01" in summary.reports_written
        page = (mini_out / "reports" / "leader-01.html").read_text(encoding="utf-8")
        assert "人工认定" in page
    finally:
        overrides.write_text(original, encoding="utf-8")
        build(raw=str(MINI_TABLE), out=str(mini_out))


def test_a_failing_notebook_keeps_the_previous_reports(mini_out, tmp_path, monkeypatch):
    broken = nbformat.read(paths.LEADER_TEMPLATE, as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell('if leader == "戴建平":\n    raise RuntimeError("故意出错")'))
    broken_path = tmp_path / "leader_report.ipynb"
    nbformat.write(broken, broken_path)
    monkeypatch.setattr(paths, "LEADER_TEMPLATE", broken_path)
    before = digest_tree(mini_out / "reports")
    code, summary = build(raw=str(MINI_TABLE), out=str(mini_out), force=True)
    assert code == 1
    assert digest_tree(mini_out / "reports") == before  # nothing half-overwritten
    assert len(summary.failures) == 1
    message = summary.failures[0]
    assert "leader_report.ipynb" in message and "戴建平" in message and "cell" in message and "故意出错" in message
    assert sorted(summary.reports_written) == ["leader-01", "leader-03", "overview"]  # the others still ran
    kept = list((mini_out / "data" / ".build").glob("failed-*/leader-02.ipynb"))
    assert kept, "the failed executed notebook is kept for debugging"
    assert not list(mini_out.glob(".reports.staging-*"))


@pytest.mark.slow
def test_as_of_reaches_classifier_and_report_text(tmp_path):
    out = tmp_path / "september"
    result = subprocess.run(
        ["make", "--no-print-directory", "reports", f"RAW={MINI_TABLE}", f"OUT={out}", "AS_OF=2020-09-30"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    classification = json.loads((out / "data" / "classification.json").read_text(encoding="utf-8"))
    assert classification["as_of"] == "2020-09-30" and classification["elapsed_share"] == 0.75
    metadata = json.loads((out / "data" / "metadata.json").read_text(encoding="utf-8"))
    assert (metadata["as_of"], metadata["as_of_source"], metadata["document_as_of"]) == ("2020-09-30", "as_of", "2020-06-30")
    overview = (out / "reports" / "overview.html").read_text(encoding="utf-8")
    assert "截至9月底" in overview and "2020-09-30（75.0%）" in overview
    # 61% of the annual target is on schedule at mid-year but behind at the end of September
    from src.store import read_table

    classified = read_table(out / "data" / "tasks_classified.parquet").set_index("task_id")
    assert "61%" in classified.loc[7, "progress"] and classified.loc[7, "status"] == "lagging"


@pytest.mark.slow
def test_a_document_without_a_period_needs_as_of(tmp_path):
    raw = tmp_path / "no_period.md"
    raw.write_text(MINI_TABLE.read_text(encoding="utf-8").replace("半年度完成情况", "完成情况"), encoding="utf-8")
    code, summary = build(raw=str(raw), out=str(tmp_path / "out"))
    assert code == 2 and "AS_OF" in summary.failures[0]
    code, _ = build(raw=str(raw), out=str(tmp_path / "out"), as_of="2020-06-30")
    assert code == 0


@pytest.mark.parametrize("name, where", [
    ("fatal_duplicate_id.md", "fatal_duplicate_id.md:26:"),
    ("fatal_bad_encoding.md", "fatal_bad_encoding.md:17:"),
    ("fatal_empty.md", "empty file"),
])
def test_bad_input_exits_2_with_one_clear_line(tmp_path, name, where):
    result = subprocess.run(
        [sys.executable, "-m", "src.builder", "--raw", str(FIXTURES / "corpus" / name), "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert where in result.stderr and "Traceback" not in result.stderr


def test_bad_overrides_exit_2_naming_the_line(tmp_path):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("task_id,status,reason,reviewer,date\n3,finished,已核实,王,2020-07-01\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "src.builder", "--raw", str(MINI_TABLE), "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "overrides.csv, line 2" in result.stderr and "invalid status" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "src.builder", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    for option in ["--raw", "--out", "--as-of", "--force", "--jobs", "Exit codes"]:
        assert option in result.stdout


def test_outputs_changed_behind_the_builds_back_are_rebuilt(mini_out):
    """An analyst's notebook that classifies at another date into the build's folder
    must not make the next plain build publish that date."""
    from src.pipeline import analyse_stage, clean_stage

    data = mini_out / "data"
    clean_stage(MINI_TABLE, data, as_of="2020-09-30")
    analyse_stage(data, overrides_path=mini_out / "overrides.csv")
    assert json.loads((data / "classification.json").read_text(encoding="utf-8"))["as_of"] == "2020-09-30"
    code, summary = build(raw=str(MINI_TABLE), out=str(mini_out))
    assert code == 0 and summary.stages_run == ["clean", "classify", "compare"]
    assert json.loads((data / "classification.json").read_text(encoding="utf-8"))["as_of"] == "2020-06-30"
    assert "截至6月底" in (mini_out / "reports" / "overview.html").read_text(encoding="utf-8")
    # a published report edited by hand is rendered again
    page = mini_out / "reports" / "leader-01.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    code, summary = build(raw=str(MINI_TABLE), out=str(mini_out))
    assert code == 0 and summary.reports_written == ["leader-01"]
    assert "edited" not in page.read_text(encoding="utf-8")


def test_console_summary_is_chinese_and_ends_with_the_index(mini_out):
    result = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(MINI_TABLE), "--out", str(mini_out)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "生成 0 份、沿用 4 份、警告" in result.stderr
    assert lines[-1] == f"报告目录：{mini_out / 'reports' / 'index.html'}"
    assert "failed" not in result.stderr


def test_an_input_error_says_so_and_nothing_about_failed_reports(tmp_path):
    result = subprocess.run([sys.executable, "-m", "src.builder", "--raw", str(FIXTURES / "corpus" / "fatal_empty.md"),
                             "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert "输入有误" in result.stderr and "失败" not in result.stderr and "failed" not in result.stderr
