"""Each chart drawn once per build (src/report/chart_files.py): the Word document shows the very PNG
the pages drew, read from the data folder instead of drawn again; a different table never shares a file."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from src.report import charts, plots, word
from src.report.chart_files import drawn_chart
from src.report.model import annex_list, load_report
from src.report.slices import charts_folder

LEADER = "戴建平"


def _never(data):
    raise AssertionError("drawn again although the file was there")


def _counting(calls):
    def draw(data):
        calls.append(data)
        return charts.chart_png(plots.plot_status_breakdown.draw, data)[:2]
    return draw


def _tasks(statuses):
    return pd.DataFrame({"status": statuses})


def test_a_chart_drawn_once_is_read_back_byte_for_byte(tmp_path):
    plots.set_report_style()
    calls = []
    first = drawn_chart(plots.plot_status_breakdown, (_tasks(["completed", "lagging", "lagging"]),), tmp_path,
                        _counting(calls))
    assert len(calls) == 1 and first[0].startswith(b"\x89PNG")
    again = drawn_chart(plots.plot_status_breakdown, (_tasks(["completed", "lagging", "lagging"]),), tmp_path, _never)
    assert again[0] == first[0] and again[1] == first[1]  # the same picture and alt text, not drawn
    pd.testing.assert_series_equal(again[2], first[2])
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".alt", ".png"]  # no temporary file left


def test_another_table_or_no_folder_draws_again(tmp_path):
    plots.set_report_style()
    calls = []
    drawn_chart(plots.plot_status_breakdown, (_tasks(["completed", "lagging"]),), tmp_path, _counting(calls))
    other = drawn_chart(plots.plot_status_breakdown, (_tasks(["completed", "completed"]),), tmp_path, _counting(calls))
    assert len(calls) == 2 and len(list(tmp_path.glob("*.png"))) == 2
    assert other[2]["completed"] == 2
    drawn_chart(plots.plot_status_breakdown, (_tasks(["completed", "lagging"]),), None, _counting(calls))
    assert len(calls) == 3  # no folder: nothing is kept


def test_a_half_written_chart_is_drawn_again(tmp_path):
    """Only the alt text there (a job stopped between the two files): the chart is drawn, not read."""
    plots.set_report_style()
    calls = []
    drawn_chart(plots.plot_status_breakdown, (_tasks(["lagging"]),), tmp_path, _counting(calls))
    for png in tmp_path.glob("*.png"):
        png.unlink()
    drawn_chart(plots.plot_status_breakdown, (_tasks(["lagging"]),), tmp_path, _counting(calls))
    assert len(calls) == 2 and len(list(tmp_path.glob("*.png"))) == 1


@pytest.mark.parametrize("leader", ["", LEADER])
def test_the_word_document_shows_the_pngs_the_pages_drew_without_drawing(mini_processed, tmp_path, monkeypatch, leader):
    plots.set_report_style()  # as the report notebook does before its pages draw
    report = load_report(mini_processed, leader=leader)
    assert report.charts_dir == charts_folder(mini_processed)
    pages = [png for _, kind in annex_list(report) for png, _, _, _ in charts.report_charts(report, kind)]
    assert pages, "the fixture's report has charts"
    monkeypatch.setattr(charts, "chart_png", lambda *args, **kwargs: pytest.fail("Word drew a chart again"))
    path = word.write_report_docx(load_report(mini_processed, leader=leader), tmp_path / "r.docx")
    with zipfile.ZipFile(path) as docx:
        media = [docx.read(name) for name in sorted(docx.namelist()) if name.startswith("word/media/")]
    assert sorted(media) == sorted(set(pages))  # python-docx stores each distinct picture once
    for _, kind in annex_list(report):  # the pages again (an override's rebuild): read, not drawn
        html = str(charts.charts_html(load_report(mini_processed, leader=leader), kind))
        assert html.count("data:image/png") == len(charts.chart_specs(report, kind))
