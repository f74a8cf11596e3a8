"""Faster rebuilds, as behaviour: warm kernels give the same reports as new ones,
a rebuild renders only the reports whose inputs changed (and gives what a cold
build gives), and the report jobs go through one executor interface.
Speed itself is measured in benchmarks/bench_build.py, never here."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from src import paths
from src.builder import build
from src.builder.executors import ExecutorError, LocalBackend, ReportWorkers, longest_first, make_backend, merge_parts, run_jobs
from src.builder.plan import frame_digest, plan_reports
from src.builder.run import Layout
from src.builder.workers import PARTS, ReportJob
from tests.conftest import MINI_TABLE

ONE_LEADERS_TASK = 1  # the mini table's task 1 belongs to 刘忻 (leader-01) alone


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def cells(executed: Path) -> list:
    """What a reader of an executed notebook sees: each cell's number and outputs."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    return [(cell.get("execution_count"), cell.get("outputs")) for cell in nb["cells"]]


# ----------------------------------------------------------------- what each report reads
@pytest.fixture()
def mini_layout(mini_processed, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(mini_processed, data)
    return Layout(MINI_TABLE, data, tmp_path / "reports")


def keys(layout: Layout, code: str = "code") -> dict[str, str]:
    _, _, jobs = plan_reports(layout, code)
    return {job.slug: job.key for job in jobs}


def test_a_leaders_rows_change_only_that_leaders_key_and_the_overviews(mini_layout):
    before = keys(mini_layout)
    classified = pd.read_parquet(mini_layout.files.classified)
    row = classified.index[classified["task_id"] == ONE_LEADERS_TASK][0]
    leader = classified.at[row, "leader"]
    assert classified.loc[classified["leader"] == leader, "leader_order"].iloc[0] == 1
    classified.at[row, "status"] = "lagging" if classified.at[row, "status"] != "lagging" else "completed"
    classified.to_parquet(mini_layout.files.classified)
    after = keys(mini_layout)
    changed = sorted(slug for slug in before if before[slug] != after[slug])
    assert changed == ["leader-01", "overview"]


def test_a_leaders_list_cell_counts_too(mini_layout):
    before = keys(mini_layout)
    classified = pd.read_parquet(mini_layout.files.classified)
    row = classified.index[classified["task_id"] == ONE_LEADERS_TASK][0]
    classified.at[row, "lead_units"] = [*classified.at[row, "lead_units"], "另一单位"]
    classified.to_parquet(mini_layout.files.classified)
    after = keys(mini_layout)
    assert sorted(slug for slug in before if before[slug] != after[slug]) == ["leader-01", "overview"]


def test_the_keywords_are_the_overviews_alone(mini_layout):
    """A leader's report no longer shows keywords (TF-IDF across leaders): only the overview reads them."""
    before = keys(mini_layout)
    keywords = pd.read_parquet(mini_layout.files.keywords)
    keywords["weight"] *= 1.5
    keywords.to_parquet(mini_layout.files.keywords)
    after = keys(mini_layout)
    assert sorted(slug for slug in before if before[slug] != after[slug]) == ["overview"]


def test_a_leaders_title_changes_the_neighbouring_reports_links_too(mini_layout):
    """Each report links to the previous and the next one by their subjects."""
    before = keys(mini_layout)
    classified = pd.read_parquet(mini_layout.files.classified)
    classified.loc[classified["leader_order"] == 3, "leader_title"] = "另一职务"
    classified.to_parquet(mini_layout.files.classified)
    after = keys(mini_layout)
    assert sorted(slug for slug in before if before[slug] != after[slug]) == ["leader-02", "leader-03", "overview"]


def test_the_quality_summary_is_the_overviews_alone(mini_layout):
    before = keys(mini_layout)
    quality = json.loads(mini_layout.files.quality.read_text(encoding="utf-8"))
    quality["warnings"] = [*quality.get("warnings", []), "另一条警告"]
    mini_layout.files.quality.write_text(json.dumps(quality, ensure_ascii=False), encoding="utf-8")
    after = keys(mini_layout)
    assert sorted(slug for slug in before if before[slug] != after[slug]) == ["overview"]


def test_metadata_rules_code_and_templates_change_every_key(mini_layout, tmp_path, monkeypatch):
    before = keys(mini_layout)
    assert all(before[slug] != after for slug, after in keys(mini_layout, code="other code").items())
    classification = json.loads(mini_layout.files.classification.read_text(encoding="utf-8"))
    classification["rule_version"] = "another version"
    mini_layout.files.classification.write_text(json.dumps(classification, ensure_ascii=False), encoding="utf-8")
    assert all(before[slug] != after for slug, after in keys(mini_layout).items())
    template = tmp_path / "leader_report.ipynb"
    nb = nbformat.read(paths.LEADER_TEMPLATE, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("另一段说明"))
    nbformat.write(nb, template)
    leaders_before = keys(mini_layout)
    monkeypatch.setattr(paths, "LEADER_TEMPLATE", template)
    leaders_after = keys(mini_layout)
    assert sorted(slug for slug in leaders_before if leaders_before[slug] != leaders_after[slug]) == [
        "leader-01", "leader-02", "leader-03"]


def test_frame_digest_is_deterministic_and_sees_every_cell():
    frame = pd.DataFrame({"task_id": [1, 2], "units": [["甲", "乙"], ["丙"]], "gap": [1.5, float("nan")],
                          "when": pd.to_datetime(["2020-06-30", None])})
    assert frame_digest(frame) == frame_digest(frame.copy())
    changed = frame.copy()
    changed.at[1, "units"] = ["丁"]
    assert frame_digest(changed) != frame_digest(frame)
    assert frame_digest(frame.astype({"task_id": "float64"})) != frame_digest(frame)
    assert frame_digest(frame.iloc[::-1]) != frame_digest(frame)


# ---------------------------------------------------------------------- warm kernels
def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("value = 0")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(source) for source in sources)]
    nbformat.write(nb, path)
    return path


def _run(notebook: Path, output: Path, code_key: str = "v1", request_save_on_cell_execute=True, failure_path=None,
         **parameters):
    import papermill as pm

    from src.builder import kernels

    return pm.execute_notebook(str(notebook), str(output), parameters=parameters, engine_name=kernels.register_engine(),
                               kernel_cwd=str(paths.PROJECT_ROOT), code_key=code_key, progress_bar=False,
                               kernel_name="python3", cwd=str(paths.PROJECT_ROOT), failure_path=failure_path,
                               request_save_on_cell_execute=request_save_on_cell_execute)


def _stdout(nb, cell: int) -> str:
    return "".join(out.get("text", "") for out in nb.cells[cell].outputs if out.get("output_type") == "stream")


@pytest.mark.slow
def test_a_kept_kernel_gives_each_notebook_a_clean_namespace_and_is_replaced_after_a_failure(tmp_path):
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from src.builder import kernels

    probe = _notebook(
        tmp_path / "probe.ipynb",
        "import os, sys\nprint(os.getpid())",
        "print(sorted(name for name in ('left_behind', 'h') if name in dir()), 'src.helpers' in sys.modules)\n"
        "left_behind = value",
        f"import matplotlib\nprint(matplotlib.is_interactive(), os.getcwd() == {str(paths.PROJECT_ROOT)!r})\nos.chdir('/')",
    )
    failing = _notebook(tmp_path / "failing.ipynb", "raise RuntimeError('故意出错')")
    try:
        first = _run(probe, tmp_path / "1.ipynb", value=1)
        second = _run(probe, tmp_path / "2.ipynb", value=2)
        # cells: parameters, papermill's injected parameters, then the three above
        assert _stdout(first, 3) == _stdout(second, 3) == "[] True\n"  # nothing left behind; the project imported
        assert _stdout(second, 4) == "True True\n"  # figures shown after each cell; working directory restored
        assert _stdout(first, 2) == _stdout(second, 2), "the same kernel process served both notebooks"
        assert [cell.execution_count for cell in second.cells] == [1, 2, 3, 4, 5]  # numbered as in a new kernel
        with pytest.raises(PapermillExecutionError, match="故意出错"):
            _run(failing, tmp_path / "3.ipynb")
        third = _run(probe, tmp_path / "4.ipynb", value=3)
        assert _stdout(third, 2) != _stdout(second, 2), "a fresh kernel after the failure"
        fourth = _run(probe, tmp_path / "5.ipynb", code_key="v2", value=4)
        assert _stdout(fourth, 2) != _stdout(third, 2), "a kernel serves one version of the code"
        dying = _notebook(tmp_path / "dying.ipynb", "print('before')", "import os\nos._exit(1)")
        with pytest.raises(DeadKernelError):
            _run(dying, tmp_path / "6.ipynb", code_key="v2", request_save_on_cell_execute=False,
                 failure_path=str(tmp_path / "6.ipynb"), value=6)
        kept = nbformat.read(tmp_path / "6.ipynb", as_version=4)  # what ran is kept for logs/failed-*
        assert _stdout(kept, 2) == "before\n"
        fifth = _run(probe, tmp_path / "7.ipynb", code_key="v2", value=5)
        assert _stdout(fifth, 2) != _stdout(fourth, 2), "a fresh kernel after the kernel died"
    finally:
        kernels.shutdown_all()


@pytest.mark.slow
def test_warm_kernels_render_the_same_reports_as_new_kernels(mini_layout, tmp_path):
    """One worker renders every report in one kept kernel; each page and executed notebook
    is the same as with a new kernel per report."""
    _, _, jobs = plan_reports(mini_layout)
    for mode in ("cold", "warm"):
        workers = ReportWorkers(1)
        try:
            results = run_jobs([dataclasses.replace(job, warm_kernel=mode == "warm") for job in jobs],
                               tmp_path / mode, workers)
        finally:
            workers.close()
        assert all(result["ok"] for result in results), results
    for job in jobs:
        assert digest(tmp_path / "cold" / f"{job.slug}.html") == digest(tmp_path / "warm" / f"{job.slug}.html"), job.slug
        assert cells(tmp_path / "cold" / "executed" / f"{job.slug}.ipynb") == cells(tmp_path / "warm" / "executed" / f"{job.slug}.ipynb")
        assert pdf_text(tmp_path / "cold" / f"{job.slug}.pdf") == pdf_text(tmp_path / "warm" / f"{job.slug}.pdf")


# ------------------------------------------------------------- only what changed
def report_files(reports: Path) -> dict[str, str]:
    return {p.name: digest(p) for suffix in ("html", "pdf", "docx", "xlsx") for p in sorted(reports.glob(f"*.{suffix}"))}


@pytest.mark.slow
def test_an_override_rerenders_that_leader_the_overview_the_index_and_the_workbook_only(tmp_path):
    out = tmp_path / "incremental"
    code, summary = build(raw=str(MINI_TABLE), out=str(out))
    assert code == 0, summary.failures
    before = report_files(out / "reports")
    (out / "overrides.csv").write_text(
        "task_id,status,reason,reviewer,date\n"
        f"{ONE_LEADERS_TASK},lagging,督查组实地核查发现进度滞后,王分析,2020-07-15\n", encoding="utf-8")
    code, summary = build(raw=str(MINI_TABLE), out=str(out))
    assert code == 0, summary.failures
    assert sorted(summary.reports_written) == ["leader-01", "overview"]
    assert sorted(summary.reports_reused) == ["leader-02", "leader-03"]
    after = report_files(out / "reports")
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["analyst.html", "index.html", "key_tasks_classified.xlsx", "leader-01.docx", "leader-01.html", "leader-01.pdf",
                       "overview.docx", "overview.html", "overview.pdf"]
    assert "人工认定" in (out / "reports" / "leader-01.html").read_text(encoding="utf-8")

    # the same reports as a build from scratch with the same overrides
    cold = tmp_path / "cold"
    cold.mkdir()
    shutil.copy(out / "overrides.csv", cold / "overrides.csv")
    code, summary = build(raw=str(MINI_TABLE), out=str(cold), force=True)
    assert code == 0, summary.failures
    for name in after:
        if name.endswith(".html"):
            assert digest(out / "reports" / name) == digest(cold / "reports" / name), name
        elif name.endswith(".pdf"):
            assert pdf_text(out / "reports" / name) == pdf_text(cold / "reports" / name), name

    # nothing changed since: the reports step does not even read the table
    from src.builder import run

    def must_not_plan(*args, **kwargs):
        raise AssertionError("a no-change rebuild planned the reports")

    original = run.plan_reports
    run.plan_reports = must_not_plan
    try:
        code, summary = build(raw=str(MINI_TABLE), out=str(out))
    finally:
        run.plan_reports = original
    assert code == 0 and summary.reports_written == [] and "reports" in summary.stages_skipped
    assert report_files(out / "reports") == after


# ------------------------------------------------------------------ the executors
def test_jobs_go_out_longest_first():
    def job(slug, leader, counts):
        return ReportJob(slug, slug, Path("t.ipynb"), {}, slug, leader, counts)

    jobs = [job("leader-01", "甲", {"completed": 2}), job("leader-02", "乙", {"lagging": 5, "on-track": 4}),
            job("overview", "", {"lagging": 5, "on-track": 6, "completed": 2}), job("leader-03", "丙", {"completed": 2})]
    assert [each.slug for each in longest_first(jobs)] == ["overview", "leader-02", "leader-01", "leader-03"]
    # each report is two jobs: a report's Word document goes out after the next report's pages
    parts = [dataclasses.replace(each, part=part) for each in jobs for part in PARTS]
    assert [(each.slug, each.part) for each in longest_first(parts)] == [
        ("overview", "pages"), ("leader-02", "pages"), ("overview", "word"), ("leader-01", "pages"),
        ("leader-02", "word"), ("leader-03", "pages"), ("leader-01", "word"), ("leader-03", "word")]


def test_a_report_is_ok_when_both_its_parts_are():
    pages = {"slug": "overview", "part": "pages", "ok": True, "seconds": 3.0, "executed": "x.ipynb",
             "timings": {"execute": 1.0, "pdf": 1.5}}
    word = {"slug": "overview", "part": "word", "ok": True, "seconds": 0.4, "timings": {"word": 0.4}}
    for first, second in ((pages, word), (word, pages)):
        merged = merge_parts(first, second)
        assert merged["ok"] and merged["seconds"] == 3.0
        assert merged["timings"] == {"execute": 1.0, "pdf": 1.5, "word": 0.4}
    broken_word = {"slug": "overview", "part": "word", "ok": False, "error": "Word 文档无法生成：…"}
    assert merge_parts(broken_word, pages) == {**broken_word, "executed": "x.ipynb"}
    broken_pages = {"slug": "overview", "part": "pages", "ok": False, "error": "第 3 个代码单元出错", "executed": "y"}
    assert merge_parts(word, broken_pages) == broken_pages


def test_executor_names():
    assert isinstance(make_backend(None, 2), LocalBackend) and make_backend("local", 3).workers == 3
    for refused in ("ssh://somewhere", "warm", "dask"):  # the build never starts a cluster (no port opened)
        with pytest.raises(ExecutorError, match="local、tcp://主机:端口"):
            make_backend(refused, 2)


def test_without_distributed_the_dask_executor_says_what_is_missing():
    try:
        import distributed  # noqa: F401
    except ImportError:
        with pytest.raises(ExecutorError, match="distributed"):
            make_backend("tcp://127.0.0.1:8786", 2)
    else:
        assert make_backend("tcp://127.0.0.1:8786", 2).address == "tcp://127.0.0.1:8786"


def test_a_job_that_cannot_run_is_a_failed_report_naming_it(tmp_path):
    job = ReportJob("leader-09", "某副市长", tmp_path / "missing_template.ipynb", {}, "标题", "某人")
    backend = LocalBackend(1)
    try:
        results = list(backend.run([job], tmp_path))
    finally:
        backend.close()
    [(returned, result)] = results
    assert returned is job and result["ok"] is False
    assert "missing_template.ipynb" in result["error"] and "某副市长" in result["error"]


@pytest.mark.slow
def test_the_reports_render_on_a_dask_cluster(tmp_path):
    """The cluster path (EXECUTOR=tcp://…): a scheduler the operator started, here a LocalCluster."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        code, summary = build(raw=str(MINI_TABLE), out=str(tmp_path / "dask"), executor=cluster.scheduler_address)
    assert code == 0, summary.failures
    assert sorted(summary.reports_written) == ["leader-01", "leader-02", "leader-03", "overview"]
    assert (tmp_path / "dask" / "reports" / "leader-02.pdf").stat().st_size > 10_000



def test_a_kept_worker_is_warmed_once_not_at_every_build(monkeypatch):
    """Each build asks every worker to warm up; under --watch the same workers serve every
    build, and the imports and the warm-up page are done once per process."""
    from src.builder import workers

    pages = []
    monkeypatch.setattr(workers, "_WARMED", False)
    monkeypatch.setattr(workers, "_warm_page", lambda: pages.append(1))
    workers.warm_worker(None, None)
    workers.warm_worker(None, None)
    assert pages == [1]


@pytest.mark.slow
def test_kept_kernels_talk_over_sockets_of_their_own_and_leave_none_behind():
    """Kernels started at the same moment by two workers: Unix sockets in a folder per kernel,
    never a TCP port two of them could be handed at once; shutting down removes the folder."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from src.builder import kernels

    def start(_):
        kernel = kernels.checkout("python3", str(paths.PROJECT_ROOT), "test")
        kernel.run("x = 1")
        return kernel.km.transport, kernel.sockets, sorted(os.listdir(kernel.sockets))

    try:
        with ThreadPoolExecutor(2) as pool:  # a kernel per thread, as per worker
            started = list(pool.map(start, range(2)))
    finally:
        kernels.shutdown_all()
    assert [transport for transport, _, _ in started] == ["ipc", "ipc"]
    assert started[0][1] != started[1][1] and all(files for _, _, files in started)
    assert not any(os.path.exists(folder) for _, folder, _ in started)
