"""Each leader's rows written once (src/report/slices.py): a leader's report read by its key is the
report scoped from the whole table, and the slices are used only while the data folder still holds
the tables they were cut from."""
from __future__ import annotations

import pandas as pd
import pytest

from src import helpers as h
from src.report.model import load_report
from src.report.slices import leader_comparison, read_leader, write_slices
from src.store import read_table, write_parquet
from tests.conftest import FIXTURES, REAL_TABLE
from tests.fixtures.make_second_period import make_second_period

NO_OVERRIDES = FIXTURES / "no_overrides.csv"


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """The 2020 table (the previous period) and a generated third quarter compared with it, with the
    third quarter's slices written: the data folder of the third quarter."""
    from src.compare import run_comparison
    from src.pipeline import analyse_stage, clean_stage

    first = tmp_path_factory.mktemp("first")
    clean_stage(REAL_TABLE, first)
    analyse_stage(first, overrides_path=NO_OVERRIDES)
    second = tmp_path_factory.mktemp("second")
    period = make_second_period(second / "q3.md", seed=1)
    data = second / "data"
    clean_stage(period.path, data)
    analyse_stage(data, overrides_path=NO_OVERRIDES)
    run_comparison(data, previous=first)
    write_slices(data, load_report(data).roster())
    return data


def test_a_leaders_report_read_by_its_key_is_the_report_scoped_from_the_whole_table(compared):
    overview = load_report(compared)
    assert not overview.comparison.empty  # the comparison is part of what is sliced
    leaders = overview.leaders()
    assert len(leaders) >= 5
    for leader in leaders:
        whole = overview.for_leader(leader)
        own = load_report(compared, leader=leader)
        assert own.read_from == compared  # read from its slice, not from the whole table
        pd.testing.assert_frame_equal(own.tasks, whole.tasks)
        pd.testing.assert_frame_equal(own.comparison.reset_index(drop=True),
                                      leader_comparison(whole.comparison, leader).reset_index(drop=True))
        assert (own.slug, own.title, own.subject, own.counts) == (whole.slug, whole.title, whole.subject, whole.counts)
        for part in (h.header_html, h.notice_html, h.comparison_html, h.lagging_table_html, h.all_tasks_table_html):
            assert part(own) == part(whole), (leader, part.__name__)


def test_the_whole_table_is_read_only_when_asked(compared):
    leader = load_report(compared).leaders()[2]
    own = load_report(compared, leader=leader)
    assert "_all_tasks" in own.__dict__ and callable(own.__dict__["_all_tasks"])  # not read yet
    whole = load_report(compared)
    pd.testing.assert_frame_equal(own.all_tasks, whole.all_tasks)  # read on first use
    assert len(own.overview().comparison) == len(whole.comparison)  # the overview: the whole comparison
    other = whole.leaders()[0]
    pd.testing.assert_frame_equal(own.for_leader(other).comparison, load_report(compared, leader=other).comparison)


def test_roster_gives_each_leader_the_rows_for_leader_gives(compared):
    overview = load_report(compared)
    roster = overview.roster()
    assert [report.leader for report in roster] == ["", *overview.leaders()]
    for report in roster[1:]:
        alone = overview.for_leader(report.leader)
        pd.testing.assert_frame_equal(report.tasks, alone.tasks)
        assert (report.leader_title, report.leader_order) == (alone.leader_title, alone.leader_order)


def test_slices_cut_from_another_table_are_not_used(compared, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(compared, data)
    leader = load_report(data).leaders()[0]
    assert read_leader(data, leader) is not None
    classified = read_table(data / "tasks_classified.parquet")
    row = classified.index[classified["leader"] == leader][0]
    classified.loc[row, "status"] = "completed" if classified.loc[row, "status"] != "completed" else "lagging"
    write_parquet(classified, data / "tasks_classified.parquet")  # classified again by hand, slices not rewritten
    assert read_leader(data, leader) is None
    report = load_report(data, leader=leader)
    assert report.read_from is None  # scoped from the whole table: the new status is there
    task_id = classified.loc[row, "task_id"]
    assert report.tasks.set_index("task_id").loc[task_id, "status"] == classified.loc[row, "status"]


def test_an_unknown_leader_is_still_an_error_naming_the_known_ones(compared):
    from src.report.model import ReportError

    with pytest.raises(ReportError, match="表中没有领导“无此人”.*表中有"):
        load_report(compared, leader="无此人")
