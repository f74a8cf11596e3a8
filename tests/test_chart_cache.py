"""Charts kept between builds (src.chart_cache): each ``plot_*`` is its table then its
drawing; a cached chart is the same PNG as a fresh drawing; the key follows the chart's
table, the drawing code and the matplotlib settings, and nothing else."""
from __future__ import annotations

import json
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from src import plots
from src.chart_cache import ChartCache, chart_cache, chart_key
from src.report import chart, load_report
from tests.conftest import ROOT

TWO_STEP = [plots.plot_status_breakdown, plots.plot_units_by_status, plots.plot_leader_status,
            plots.plot_cause_counts, plots.plot_theme_status, plots.plot_progress_vs_schedule]


@pytest.fixture(scope="module")
def report(mini_processed):
    plots.set_report_style()
    return load_report(mini_processed)


def arguments(plot, report):
    return (report.tasks, report.as_of) if plot is plots.plot_progress_vs_schedule else (report.tasks,)


@pytest.mark.parametrize("plot", TWO_STEP, ids=lambda p: p.__name__)
def test_each_chart_is_its_table_then_its_drawing(plot, report):
    """plot(...) is draw(data(...)): same PNG, same alt text, as chart(ax) always gave."""
    args = arguments(plot, report)
    whole = chart(plot(*args))
    assert chart(plot, *args) == whole
    assert chart(plot.draw(plot.data(*args))) == whole
    assert "data:image/png;base64," in whole


@pytest.mark.parametrize("plot", TWO_STEP, ids=lambda p: p.__name__)
def test_a_cached_chart_is_the_same_page_as_a_fresh_drawing(plot, report, tmp_path):
    args = arguments(plot, report)
    fresh = chart(plot, *args)
    cache = ChartCache(tmp_path / "charts")
    assert chart(plot, *args, cache=cache) == fresh and (cache.hits, cache.misses) == (0, 1)
    assert len(cache.entries()) == 1
    open_figures = plt.get_fignums()
    assert chart(plot, *args, cache=cache) == fresh and (cache.hits, cache.misses) == (1, 1)
    assert plt.get_fignums() == open_figures  # a kept chart is not drawn at all
    assert chart(plot, *args, cache=cache, alt="另一说明") != fresh  # an explicit alt text still applies


def test_the_key_follows_the_charts_table_not_the_whole_task_table(report):
    tasks = report.tasks
    key = {plot: chart_key(plot.draw, plot.data(tasks)) for plot in TWO_STEP[:5]}
    # a column no chart reads: every key stays
    reworded = tasks.assign(next_steps=tasks["next_steps"] + "（补充）")
    assert {plot: chart_key(plot.draw, plot.data(reworded)) for plot in key} == key
    # one task's status: the charts that count statuses of that task's leader, unit… change
    flipped = tasks.copy()
    row = flipped.index[0]
    flipped.loc[row, "status"] = "lagging" if flipped.loc[row, "status"] != "lagging" else "completed"
    changed = {plot for plot in key if chart_key(plot.draw, plot.data(flipped)) != key[plot]}
    assert {plots.plot_status_breakdown, plots.plot_leader_status, plots.plot_units_by_status} <= changed
    # a chart whose table holds no such task keeps its key: the cause chart, for a task without a cause tag
    untagged = tasks.index[tasks["cause_tags"].map(len) == 0]
    if len(untagged):
        other = tasks.copy()
        other.loc[untagged[0], "status"] = "lagging" if other.loc[untagged[0], "status"] != "lagging" else "completed"
        assert chart_key(plots.plot_cause_counts.draw, plots.plot_cause_counts.data(other)) == key[plots.plot_cause_counts]


def test_the_key_follows_the_drawing_code_and_the_settings(report):
    data = plots.plot_leader_status.data(report.tasks)
    key = chart_key(plots.draw_leader_status, data)
    assert chart_key(plots.draw_status_breakdown, data) != key
    with matplotlib.rc_context({"font.size": 13}):
        assert chart_key(plots.draw_leader_status, data) != key
    with matplotlib.rc_context({"interactive": not matplotlib.rcParams["interactive"]}):
        assert chart_key(plots.draw_leader_status, data) == key  # not a pixel of an Agg drawing


def test_the_key_is_the_same_in_another_process(report, mini_processed):
    """A later build (a new worker, a new kernel) finds the charts an earlier one drew."""
    here = {plot.__name__: chart_key(plot.draw, plot.data(*arguments(plot, report))) for plot in TWO_STEP}
    code = (
        "import json, sys\n"
        "from src import plots\n"
        "from src.chart_cache import chart_key\n"
        "from src.report import load_report\n"
        "plots.set_report_style()\n"
        f"report = load_report({str(mini_processed)!r})\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    plot = getattr(plots, name)\n"
        "    args = (report.tasks, report.as_of) if name == 'plot_progress_vs_schedule' else (report.tasks,)\n"
        "    out[name] = chart_key(plot.draw, plot.data(*args))\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *here], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == here


def test_a_damaged_entry_is_drawn_again_and_replaced(report, tmp_path):
    cache = ChartCache(tmp_path)
    fresh = chart(plots.plot_leader_status, report.tasks, cache=cache)
    (entry,) = cache.entries()
    stored = json.loads(entry.read_text(encoding="utf-8"))
    stored["png"] = stored["png"][:-8] + "AAAAAAA="  # other bytes: the checksum no longer matches
    entry.write_text(json.dumps(stored), encoding="utf-8")
    assert chart(plots.plot_leader_status, report.tasks, cache=cache) == fresh and cache.hits == 0
    entry.write_text("{not json", encoding="utf-8")
    assert chart(plots.plot_leader_status, report.tasks, cache=cache) == fresh and cache.hits == 0
    assert chart(plots.plot_leader_status, report.tasks, cache=cache) == fresh and cache.hits == 1  # replaced


def test_prune_keeps_the_most_recently_used(tmp_path):
    import os

    cache = ChartCache(tmp_path)
    for number in range(5):
        cache.put(f"{number:064x}", b"png-%d" % number, "说明")
        os.utime(cache.folder / f"{number:064x}.json", ns=(number * 10**9, number * 10**9))
    (tmp_path / ".tmp-left.json").write_text("half", encoding="utf-8")
    assert cache.get(f"{0:064x}") == (b"png-0", "说明")  # used now: kept
    assert cache.prune(keep=3) == 2
    assert sorted(p.stem for p in cache.entries()) == [f"{n:064x}" for n in (0, 3, 4)]
    assert not list(tmp_path.glob(".tmp-*"))
    cache.clear()
    assert cache.entries() == []


def test_a_notebook_run_by_hand_has_no_cache(tmp_path):
    assert chart_cache("") is None and chart_cache(None) is None
    assert chart_cache(tmp_path).folder == tmp_path


def test_an_unwritable_folder_only_means_drawing_every_time(report, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    cache = ChartCache(blocked / "charts")  # cannot be created: a file is in the way
    fresh = chart(plots.plot_leader_status, report.tasks)
    assert chart(plots.plot_leader_status, report.tasks, cache=cache) == fresh
    assert chart(plots.plot_leader_status, report.tasks, cache=cache) == fresh and cache.hits == 0


def test_other_plot_functions_and_axes_still_work(report):
    def my_plot(tasks):
        _, ax = plt.subplots(figsize=(3, 2))
        ax.bar(["甲", "乙"], [len(tasks), 1])
        ax.set_title("自定义")
        return ax

    assert 'alt="自定义"' in chart(my_plot, report.tasks)
    assert 'alt="自定义"' in chart(my_plot(report.tasks))
    assert isinstance(plots.plot_leader_status.data(report.tasks), pd.DataFrame)


def test_a_family_that_is_not_installed_is_part_of_the_key_not_an_error(report):
    data = plots.plot_leader_status.data(report.tasks)
    with matplotlib.rc_context({"font.sans-serif": ["没有这种字体", *matplotlib.rcParams["font.sans-serif"]]}):
        assert len(chart_key(plots.draw_leader_status, data)) == 64
