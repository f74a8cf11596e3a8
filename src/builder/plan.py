"""The reports step's plan: one job per report of the roster, each keyed by exactly
what that report reads (:func:`report_inputs`), and whether the published set is
still what the last build planned and wrote (a rebuild with nothing changed then
plans nothing). :mod:`src.builder.run` runs the plan.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from src import paths
from src.builder.state import code_fingerprint, fingerprint, outputs_fingerprint
from src.builder.workers import ReportJob
from src.paths import PublishedFiles

if TYPE_CHECKING:
    from src.builder.run import Layout

# Cold start: src.report.model imports pandas; it is imported inside the functions that load a report.


def plan_reports(layout: Layout, code: str | None = None):
    """The roster (overview, then each leader in 目录 order) and one job per report.

    Each job's key is the fingerprint of exactly what that report shows
    (:func:`report_inputs`), with its template, the code and its parameters: an
    override for one leader's task changes that leader's key and the overview's,
    no other; a change in the rules, the templates or the code changes them all.

    Each leader's rows are written once for its report to read (:mod:`src.report.slices`): no
    report reads the whole table."""
    from src.report.model import load_report  # cold start: pandas, which the no-op build never loads
    from src.report.slices import write_slices  # cold start: pandas

    overview = load_report(layout.data_dir)
    reports = overview.roster()
    overview = reports[0]  # with the list of leaders, which each report's links read
    write_slices(layout.data_dir, reports)
    code = code or code_fingerprint()
    jobs = []
    for report in reports:
        notebook = paths.LEADER_TEMPLATE if report.leader else paths.OVERVIEW_TEMPLATE
        parameters = {"data_dir": str(layout.data_dir), **({"leader": report.leader} if report.leader else {})}
        job = ReportJob(report.slug, report.subject, notebook, parameters, report.title, report.leader, report.counts,
                        code=code)
        job.key = fingerprint(notebook, *report_inputs(report, layout), code, parameters, job.slug, "report-v3")
        jobs.append(job)
    return overview, reports, jobs


def report_inputs(report, layout: Layout) -> list:
    """Exactly what one report reads (its notebook, its HTML, PDF and Word).

    The overview: every data file (all rows, the keywords, the quality and
    classification summaries, the comparison with the previous period).
    A leader's report (notebooks/templates/leader_report.ipynb, :mod:`src.report.model`,
    :mod:`src.report.word`): that leader's rows of the classified table (headline, notice,
    charts, tables); the comparison rows of tasks that leader leads now or led in
    the previous period, and what was compared (``comparison.json``); the links to
    the previous and next reports (their subjects); the document's metadata (title,
    issuer, period, report date) and the rule version it prints."""
    from src.report.model import report_links  # cold start: pandas, which the no-op build never loads
    from src.report.slices import leader_comparison  # cold start: pandas

    files = layout.files
    if not report.leader:
        return data_inputs(layout)
    links = report_links(report)
    here = [link["slug"] for link in links].index(report.slug)
    neighbours = links[max(0, here - 1):here + 2]
    comparison = leader_comparison(report.comparison, report.leader)
    return [files.metadata, {"rule_version": report.classification.get("rule_version", "")}, neighbours,
            frame_digest(report.tasks), frame_digest(comparison), files.comparison_info]


def data_inputs(layout: Layout) -> list[Path]:
    files = layout.files
    return [files.classified, files.keywords, files.metadata, files.quality, files.classification,
            files.comparison, files.comparison_info]


def frame_digest(frame) -> str:
    """sha256 of a table's columns, types and rows, serialized deterministically
    (list cells, numpy scalars, dates and missing values included)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(c) for c in frame.columns], [str(t) for t in frame.dtypes]]).encode())
    for row in frame.itertuples(index=False, name=None):
        digest.update(json.dumps(row, default=_plain, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _plain(value):
    if hasattr(value, "tolist"):  # numpy arrays (list cells) and scalars
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


def published_set_is_current(old_state: dict, plan_key: str, reports_dir: Path) -> bool:
    """The last build planned from the same data, templates and code, and every report,
    the index and the workbook are still what it wrote."""
    plan = old_state.get("plan") or {}
    if plan.get("key") != plan_key or not plan.get("slugs"):
        return False
    for slug in plan["slugs"]:
        recorded = old_state.get(slug) or {}
        if recorded.get("outputs") != outputs_fingerprint(PublishedFiles(reports_dir).report(slug)):
            return False
    index_files = PublishedFiles(reports_dir).index_outputs
    return bool(old_state.get("index")) and old_state.get("index_outputs") == outputs_fingerprint(index_files)
