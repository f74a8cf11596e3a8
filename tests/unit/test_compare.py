"""Period over period (src/compare.py): matching tasks across two report
periods, the comparison table, the series check and the report pieces.

The second-period tables are made from the 2020 half-year table by
tests/fixtures/make_second_period.py, which returns the truth (which new id is
which old id); the matcher never sees it.
"""
from __future__ import annotations

import pandas as pd
import pytest

from src import compare
from src.compare import ComparisonError
from tests.conftest import FIXTURES, REAL_TABLE
from tests.fixtures.make_second_period import make_second_period

NO_OVERRIDES = FIXTURES / "no_overrides.csv"
SEEDS = (0, 1, 2)
CHANGES = {"新完成", "转为滞后", "仍滞后", "已追上", "无变化", "转为序时推进", "新增", "已移除"}


def classify(raw, folder, as_of=None):
    """Parse and classify a raw table into ``folder``; (classified, metadata with the classification's as_of)."""
    from src.pipeline import analyse_stage, clean_stage
    from src.store import read_json

    clean_stage(raw, folder, as_of=as_of)  # the report date is decided once, when cleaning
    classified = analyse_stage(folder, overrides_path=NO_OVERRIDES)
    return classified, read_json(folder / "metadata.json")


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return classify(REAL_TABLE, tmp_path_factory.mktemp("first"))


@pytest.fixture(scope="module")
def second(tmp_path_factory, first):
    """seed → (SecondPeriod truth, classified, metadata, comparison frame)."""
    made = {}
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"second{seed}")
        period = make_second_period(folder / "q3.md", seed=seed)
        classified, metadata = classify(period.path, folder)
        made[seed] = (period, classified, metadata, compare.compare_periods(classified, first[0]))
    return made


def _status(classified: pd.DataFrame) -> dict[int, str]:
    return dict(zip(classified["task_id"].astype(int), classified["status"]))


# --------------------------------------------------------------------------
# the generated second period is what it claims to be
# --------------------------------------------------------------------------
def test_second_period_table_reads_as_a_later_period(second, first):
    period, classified, metadata, _ = second[0]
    assert metadata["period"] == "前三季度" and metadata["as_of"] == "2020-09-30"
    assert metadata["issuing_office"] == first[1]["issuing_office"]
    assert len(classified) == len(first[0]) - len(period.removed) + len(period.added)
    assert sorted(classified["task_id"]) == list(range(1, len(classified) + 1))  # renumbered
    old, new = period.renamed_unit
    units = set(classified["lead_unit"])
    assert new in units and old not in units and old in set(first[0]["lead_unit"])
    # some ids really moved: matching by id alone would be wrong for them
    assert sum(1 for new_id, old_id in period.truth.items() if old_id not in (None, new_id)) > 10


# --------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_at_least_97_percent_of_task_pairs_matched_correctly(second, seed):
    period, _, _, frame = second[seed]
    current = frame[frame["task_id"].notna()]
    found = {int(t): (None if pd.isna(p) else int(p)) for t, p in zip(current["task_id"], current["previous_task_id"])}
    assert set(found) == set(period.truth)
    right = sum(found[new_id] == old_id for new_id, old_id in period.truth.items())
    assert right / len(period.truth) >= 0.97, {k: (found[k], v) for k, v in period.truth.items() if found[k] != v}


@pytest.mark.parametrize("seed", SEEDS)
def test_every_new_and_removed_task_is_reported_as_such(second, seed):
    period, _, _, frame = second[seed]
    new = frame[frame["match"] == "new"]
    removed = frame[frame["match"] == "removed"]
    assert sorted(new["task_id"].astype(int)) == sorted(period.added)
    assert sorted(removed["previous_task_id"].astype(int)) == sorted(period.removed)
    assert set(new["change"]) == {"新增"} and set(removed["change"]) == {"已移除"}
    assert new["previous_task_id"].isna().all() and removed["task_id"].isna().all()
    assert new["match_score"].isna().all() and removed["status"].eq("").all()


@pytest.mark.parametrize("seed", SEEDS)
def test_reworded_tasks_and_renamed_unit_are_matched_by_text(second, seed):
    period, _, _, frame = second[seed]
    old_to_new = {old: new for new, old in period.truth.items() if old is not None}
    matched = frame.dropna(subset=["task_id", "previous_task_id"]).set_index("previous_task_id")
    for old_id in period.reworded:
        assert int(matched.loc[old_id, "task_id"]) == old_to_new[old_id]
    renamed = matched[matched["lead_unit"].str.contains(period.renamed_unit[1], regex=False)]
    assert len(renamed) >= 3
    assert all(int(row.task_id) == old_to_new[int(old_id)] for old_id, row in renamed.iterrows())


@pytest.mark.parametrize("seed", SEEDS)
def test_change_agrees_with_the_two_classified_tables(second, first, seed):
    period, classified, _, frame = second[seed]
    now, before = _status(classified), _status(first[0])
    settings = compare.load_settings()
    for row in frame.itertuples(index=False):
        status = now[int(row.task_id)] if not pd.isna(row.task_id) else ""
        previous = before[int(row.previous_task_id)] if not pd.isna(row.previous_task_id) else ""
        assert (row.status, row.previous_status) == (status, previous)
        assert row.change == compare.change_label(previous, status, settings)
    # and against the truth: the change each task really went through
    truth_change = {new: compare.change_label(before[old] if old else "", now[new], settings)
                    for new, old in period.truth.items()}
    got = dict(zip(frame["task_id"].dropna().astype(int), frame.loc[frame["task_id"].notna(), "change"]))
    agree = sum(got[k] == v for k, v in truth_change.items())
    assert agree / len(truth_change) >= 0.97
    # the fixture moved statuses: the comparison must see it
    assert {"新完成", "转为滞后", "仍滞后", "已追上"} <= set(frame["change"])
    assert set(frame["change"]) <= CHANGES


def test_change_definitions():
    label = compare.change_label
    assert label("on-track", "completed") == "新完成"
    assert label("lagging", "completed") == "新完成"
    assert label("completed", "completed") == "无变化"
    assert label("on-track", "lagging") == "转为滞后"
    assert label("completed", "lagging") == "转为滞后"
    assert label("lagging", "lagging") == "仍滞后"
    assert label("lagging", "on-track") == "已追上"
    assert label("on-track", "on-track") == "无变化"
    assert label("completed", "on-track") == "转为序时推进"
    assert label("", "lagging") == "新增" and label("lagging", "") == "已移除"
    with pytest.raises(ComparisonError, match="未知状态"):
        label("done", "lagging")


def test_gap_columns_follow_the_two_tables(second, first):
    _, classified, _, frame = second[0]
    now = classified.set_index("task_id")["schedule_gap_pts"]
    before = first[0].set_index("task_id")["schedule_gap_pts"]
    both = frame.dropna(subset=["task_id", "previous_task_id"])
    for row in both.itertuples(index=False):
        gap, previous_gap = now[int(row.task_id)], before[int(row.previous_task_id)]
        assert (pd.isna(row.schedule_gap_pts) and pd.isna(gap)) or row.schedule_gap_pts == gap
        assert (pd.isna(row.previous_gap_pts) and pd.isna(previous_gap)) or row.previous_gap_pts == previous_gap
        if pd.notna(gap) and pd.notna(previous_gap):
            assert row.gap_change_pts == pytest.approx(gap - previous_gap, abs=1e-4)
        else:
            assert pd.isna(row.gap_change_pts)
    assert both["gap_change_pts"].notna().sum() > 5


def test_columns_and_order(second):
    frame = second[0][3]
    assert list(frame.columns[:10]) == [
        "task_id", "previous_task_id", "match", "match_score", "status", "previous_status", "change",
        "schedule_gap_pts", "previous_gap_pts", "gap_change_pts",
    ]
    assert set(frame["match"]) <= {"id", "text", "new", "removed"}
    current = frame[frame["task_id"].notna()]
    assert list(current["task_id"]) == sorted(current["task_id"])
    assert frame["task_id"].notna().iloc[: len(current)].all()  # removed rows come last
    matched = frame[frame["match"].isin(["id", "text"])]
    assert matched["match_score"].between(0.5, 1.0).all()
    assert (frame.loc[frame["match"] == "id", "task_id"] == frame.loc[frame["match"] == "id", "previous_task_id"]).all()


def test_same_table_at_two_report_dates(tmp_path, first):
    """As of 30 June and 30 September: every task matched by its id, with the
    statuses of each date, and the series check passes (earlier as_of first)."""
    classified, metadata = classify(REAL_TABLE, tmp_path, as_of="2020-09-30")
    frame = compare.compare_periods(classified, first[0])
    assert (frame["match"] == "id").all() and len(frame) == len(classified)
    assert (frame["match_score"] == 1.0).all() and not frame["needs_match_review"].any()
    now, before = _status(classified), _status(first[0])
    for row in frame.itertuples(index=False):
        assert row.status == now[row.task_id] and row.previous_status == before[row.task_id]
        assert row.change == compare.change_label(before[row.task_id], now[row.task_id])
    assert (frame["status"] != frame["previous_status"]).any()  # a later yardstick moved some tasks
    assert frame.loc[frame["status"] == frame["previous_status"], "change"].isin(["无变化", "仍滞后"]).all()
    assert compare.check_same_series(metadata, first[1]) == []
    with pytest.raises(ComparisonError):
        compare.check_same_series(first[1], metadata)  # the September table is no "previous" of June


def test_matcher_does_not_force_match_a_different_task(first):
    tasks = first[0][["task_id", "task", "lead_unit"]].copy()
    changed = tasks.copy()
    target = int(changed["task_id"].iloc[10])
    changed.loc[changed["task_id"] == target, "task"] = "组织开展全市中小学生游泳技能免费培训，全年培训十万人次。"
    frame = compare.match_tasks(changed, tasks)
    row = frame[frame["task_id"] == target].iloc[0]
    assert row["match"] == "new" and pd.isna(row["previous_task_id"])
    gone = frame[frame["match"] == "removed"]
    assert list(gone["previous_task_id"]) == [target]
    assert (frame.loc[frame["task_id"] != target, "match"].dropna() != "new").all()
    # two tables with nothing in common: nothing is matched
    other = pd.DataFrame({"task_id": [1, 2, 3], "lead_unit": ["甲局"] * 3,
                          "task": ["维修城区路灯", "举办马拉松赛事", "编制地方志年鉴"]})
    result = compare.match_tasks(other, tasks)
    assert set(result["match"]) == {"new", "removed"}
    assert (result["match"] == "removed").sum() == len(tasks)


def test_below_threshold_partner_is_flagged_not_matched(first):
    """A heavily rewritten task (score between the near-miss line and the match
    line) stays new / removed, and both rows say which task was close."""
    tasks = first[0][["task_id", "task", "lead_unit"]].copy()
    row = tasks[tasks["task"].str.len() > 60].iloc[0]
    text = row["task"]
    rewritten = text[: len(text) // 3] + "并统筹做好相关配套保障服务工作"
    changed = tasks.copy()
    changed.loc[changed["task_id"] == row["task_id"], "task"] = rewritten
    settings = {"thresholds": {"text_min_score": 0.9, "id_min_task_score": 0.9, "near_miss_score": 0.2}}
    frame = compare.match_tasks(changed, tasks, settings)
    mine = frame[(frame["task_id"] == row["task_id"]) | (frame["previous_task_id"] == row["task_id"])]
    assert set(mine["match"]) == {"new", "removed"}
    assert mine["needs_match_review"].all()
    assert mine["match_review_reason"].str.contains(f"序号 {row['task_id']}").all()


def test_a_low_score_match_is_flagged_for_review(first):
    tasks = first[0][["task_id", "task", "lead_unit"]].copy()
    settings = {"thresholds": {"review_below": 1.01}}
    frame = compare.match_tasks(tasks, tasks, settings)
    assert frame["needs_match_review"].all()
    assert frame["match_review_reason"].str.contains("低于复核线").all()
    assert not compare.match_tasks(tasks, tasks)["needs_match_review"].any()


def test_one_to_one_even_with_duplicate_texts():
    current = pd.DataFrame({"task_id": [1, 2, 3], "task": ["推进老旧小区综合改造"] * 2 + ["建设城市绿道网络"],
                            "lead_unit": ["市建委"] * 3})
    previous = pd.DataFrame({"task_id": [5, 6], "task": ["推进老旧小区综合改造", "建设城市绿道网络"],
                             "lead_unit": ["市建委"] * 2})
    frame = compare.match_tasks(current, previous)
    matched = frame.dropna(subset=["task_id", "previous_task_id"])
    assert matched["previous_task_id"].is_unique and matched["task_id"].is_unique
    assert dict(zip(matched["task_id"], matched["previous_task_id"])) == {1: 5, 3: 6}  # tie → lower id first
    assert frame.loc[frame["task_id"] == 2, "match"].item() == "new"
    assert frame.loc[frame["task_id"] == 1, "needs_match_review"].item()  # an equal runner-up exists


def test_matching_is_deterministic(second, first):
    _, classified, _, frame = second[1]
    shuffled = classified.sample(frac=1, random_state=7)
    again = compare.compare_periods(shuffled, first[0].sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(frame, again)


def test_settings_are_data_and_checked(tmp_path):
    settings = compare.load_settings()
    assert settings["thresholds"]["text_min_score"] > settings["thresholds"]["near_miss_score"]
    assert compare.normalise_text("2020年 加快推进（一）５Ｇ 基站建设！") == "加快推进5g基站建设"
    bad = tmp_path / "matching.toml"
    bad.write_text('[weights]\ntask_weight = 0.9\nunit_weight = 0.9\n', encoding="utf-8")
    with pytest.raises(ComparisonError, match="thresholds：缺少这一项"):
        compare.load_settings(bad)
    with pytest.raises(ComparisonError, match="weights：取值无效.*must be 1"):
        compare.load_settings({"weights": {"task_weight": 0.9, "unit_weight": 0.9}})


def test_missing_columns_are_named(first):
    with pytest.raises(ComparisonError, match="status"):
        compare.compare_periods(first[0].drop(columns="status"), first[0])
    duplicated = pd.concat([first[0].head(2), first[0].head(1)])
    with pytest.raises(ComparisonError, match="序号重复"):
        compare.match_tasks(duplicated, first[0])


# --------------------------------------------------------------------------
# output files
# --------------------------------------------------------------------------
def test_write_comparison_csv_with_bom_and_parquet(second, tmp_path):
    frame = second[0][3]
    paths = compare.write_comparison(frame, tmp_path)
    assert [p.name for p in paths] == ["comparison.csv", "comparison.parquet"]
    raw = (tmp_path / "comparison.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").split("\n")[0].split(",")
    assert header == list(frame.columns)
    back = pd.read_csv(tmp_path / "comparison.csv", encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == len(frame)
    assert (back["change"] == frame["change"]).all()
    pd.testing.assert_frame_equal(compare.read_comparison(tmp_path), frame)
    # byte-identical when written again
    first_bytes = raw
    compare.write_comparison(frame, tmp_path)
    assert (tmp_path / "comparison.csv").read_bytes() == first_bytes


# --------------------------------------------------------------------------
# the series check and loading the previous period
# --------------------------------------------------------------------------
def test_previous_table_from_another_office_is_refused(tmp_path, first):
    other = make_second_period(tmp_path / "other.md", seed=0, period="半年度", month=7, office="宁波市人民政府督查室")
    previous = compare.load_previous(other.path, work_dir=tmp_path / "work")
    with pytest.raises(ComparisonError) as error:
        compare.check_same_series(first[1], previous.metadata)
    message = str(error.value)
    for words in ("印发单位不同", "杭州市人民政府督查室", "宁波市人民政府督查室", "FORCE_COMPARE=1",
                  first[1]["title"], previous.metadata["title"], "other.md", "hangzhou_2020_h1_key_tasks.md"):
        assert words in message
    warnings = compare.check_same_series(first[1], previous.metadata, force=True)
    assert any("印发单位不同" in w and "已强制比较" in w for w in warnings)


def test_later_or_same_period_or_other_year_is_refused(second, first):
    later = second[0][2]
    with pytest.raises(ComparisonError) as error:
        compare.check_same_series(first[1], later)
    assert "晚于本期" in str(error.value) and "前三季度" in str(error.value) and "半年度" in str(error.value)
    with pytest.raises(ComparisonError, match="相同"):
        compare.check_same_series(first[1], dict(first[1]))
    last_year = dict(first[1], year=2019, as_of="2019-12-31", title="2019年政府工作报告重点工作全年完成情况汇总表")
    with pytest.raises(ComparisonError, match="年度不同"):
        compare.check_same_series(later, last_year)
    assert compare.check_same_series(later, first[1]) == []
    unknown = {k: v for k, v in first[1].items() if k != "issuing_office"}
    assert any("印发单位" in note for note in compare.check_same_series(later, unknown))


def test_load_previous_from_raw_out_and_data_folders(tmp_path, first):
    raw = compare.load_previous(REAL_TABLE, work_dir=tmp_path / "raw")
    assert raw.kind == "raw" and raw.metadata["as_of"] == "2020-06-30"
    assert _status(raw.classified) == _status(first[0])
    temporary = compare.load_previous(REAL_TABLE)  # a temporary folder, removed afterwards
    assert len(temporary.classified) == len(first[0])

    out = tmp_path / "build-h1"
    classify(REAL_TABLE, out / "data", as_of="2020-05-31")
    from_out = compare.load_previous(out)
    assert from_out.kind == "out" and from_out.metadata["as_of"] == "2020-05-31"  # the date it was classified at
    from_data = compare.load_previous(out / "data")
    assert from_data.kind == "data" and len(from_data.classified) == len(first[0])
    assert "上期" in from_out.description

    with pytest.raises(ComparisonError, match="不存在"):
        compare.load_previous(tmp_path / "missing.md")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ComparisonError, match="tasks_classified"):
        compare.load_previous(tmp_path / "empty")


def test_previous_raw_table_without_period_is_refused(tmp_path):
    text = REAL_TABLE.read_text(encoding="utf-8").replace("半年度", "")
    path = tmp_path / "no_period.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ComparisonError, match="统计期"):
        compare.load_previous(path, work_dir=tmp_path / "work")


def test_find_previous_in_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a_h1.md").write_text(REAL_TABLE.read_text(encoding="utf-8"), encoding="utf-8")
    q3 = make_second_period(raw / "b_q3.md", seed=0)
    make_second_period(raw / "c_other_office.md", seed=1, period="半年度", month=7, office="宁波市人民政府督查室")
    (raw / "d_broken.md").write_text("不是汇总表\n", encoding="utf-8")
    path, why = compare.find_previous_in_raw(raw, q3.path)
    assert path == raw / "a_h1.md"
    assert "a_h1.md" in why and "半年度" in why and "d_broken.md" in why
    none, why_not = compare.find_previous_in_raw(raw, raw / "a_h1.md")
    assert none is None and "没有" in why_not


# --------------------------------------------------------------------------
# report pieces
# --------------------------------------------------------------------------
def test_transition_counts_add_up(second):
    frame = second[0][3]
    table = compare.transition_counts(frame)
    matched = frame[frame["match"].isin(["id", "text"])]
    assert table.loc[table["status"] != "", "tasks"].sum() == len(matched)
    assert table.loc[table["change"] == "新增", "tasks"].sum() == (frame["match"] == "new").sum()
    for row in table[table["status"] != ""].itertuples(index=False):
        expected = ((matched["previous_status"] == row.previous_status) & (matched["status"] == row.status)).sum()
        assert row.tasks == expected and row.sentence.endswith(f" {expected} 项")
    assert any(s.startswith("序时推进→滞后 ") for s in table["sentence"])


def test_lagging_both_periods(second):
    frame = second[0][3]
    both = compare.lagging_both_periods(frame)
    expected = frame[(frame["status"] == "lagging") & (frame["previous_status"] == "lagging")]
    assert sorted(both["task_id"]) == sorted(expected["task_id"]) and len(both) > 0
    assert both["sentence"].str.contains("连续两期滞后").all()
    quantified = both[both["schedule_gap_pts"].notna()]
    assert list(quantified["schedule_gap_pts"]) == sorted(quantified["schedule_gap_pts"])  # furthest behind first
    assert both["schedule_gap_pts"].isna().cummax().eq(both["schedule_gap_pts"].isna()).all()  # stated delays last
    row = quantified.iloc[0]
    assert f"{abs(row.schedule_gap_pts):.1f}" in row.sentence
    leader = str(expected["leader"].iloc[0])
    assert set(compare.lagging_both_periods(frame, leader)["leader"]) == {leader}


def test_lagging_share_per_leader_matches_the_two_tables(second, first):
    _, classified, _, frame = second[0]
    table = compare.lagging_share_change(frame, by="leader")
    now = classified.groupby("leader")["status"].apply(lambda s: 100 * (s == "lagging").mean())
    before = first[0].groupby("leader")["status"].apply(lambda s: 100 * (s == "lagging").mean())
    assert list(table["leader"]) == list(dict.fromkeys(classified.sort_values("leader_order")["leader"]))
    for row in table.itertuples(index=False):
        assert row.lagging_share_pct == pytest.approx(now[row.leader], abs=1e-3)
        assert row.previous_lagging_share_pct == pytest.approx(before[row.leader], abs=1e-3)
        assert row.change_pts == pytest.approx(now[row.leader] - before[row.leader], abs=1e-3)
        if row.change_pts >= 0.05:
            assert f"较上期提高 {row.change_pts:.1f} 个百分点" in row.sentence
        elif row.change_pts <= -0.05:
            assert f"较上期降低 {-row.change_pts:.1f} 个百分点" in row.sentence
        else:
            assert "持平" in row.sentence


def test_units_follow_a_rename(second):
    period, _, _, frame = second[0]
    old, new = period.renamed_unit
    assert compare.unit_renames(frame) == {old: new}
    units = compare.lagging_share_change(frame, by="lead_unit")
    assert old not in set(units["lead_unit"])
    renamed = units[units["lead_unit"] == new].iloc[0]
    assert renamed.previous_tasks >= 3 and "上期无此单位" not in renamed.sentence
    ranking = compare.unit_ranking_change(frame)
    row = ranking[ranking["lead_unit"] == new].iloc[0]
    assert row.previous_tasks >= 3 and f"上期名称 {old}" in row.sentence


def test_unit_ranking_change(second):
    frame = second[0][3]
    ranking = compare.unit_ranking_change(frame)
    assert ranking["lead_unit"].is_unique
    ranked = ranking.dropna(subset=["rank"])
    assert list(ranked["rank"]) == sorted(ranked["rank"])
    assert ranked["rank"].iloc[0] == 1 and ranked["lagging"].iloc[0] == ranked["lagging"].max()
    assert (ranked["lagging"] > 0).all() and ranking["rank"].isna().sum() == (ranking["lagging"] == 0).sum()
    for row in ranked.itertuples(index=False):  # rank = 1 + units with more lagging tasks
        assert row.rank == 1 + (ranked["lagging"] > row.lagging).sum()
    unranked = ranking[ranking["rank"].isna() & (ranking["tasks"] > 0)]
    assert unranked["sentence"].str.contains("无滞后任务").all()
    moved = ranking.dropna(subset=["rank", "previous_rank"])
    assert (moved["rank_change"] == moved["previous_rank"] - moved["rank"]).all()


def _tasks(rows):
    """A small classified table: rows of (task_id, task, lead_unit, status)."""
    return pd.DataFrame([
        {"task_id": i, "task": t, "lead_unit": u, "status": s, "leader": "甲", "leader_title": "副市长",
         "leader_order": 1, "schedule_gap_pts": float("nan")}
        for i, t, u, s in rows
    ])


def test_unit_ranking_sentences_up_down_and_out():
    texts = ["建设城市绿道网络", "推进老旧小区综合改造", "实施垃圾分类示范创建", "提升公共交通分担率", "加快地下管网改造工程"]
    previous = _tasks([(1, texts[0], "甲局", "lagging"), (2, texts[1], "甲局", "lagging"), (3, texts[2], "乙局", "lagging"),
                       (4, texts[3], "丙局", "lagging"), (5, texts[4], "乙局", "on-track")])
    current = _tasks([(1, texts[0], "甲局", "lagging"), (2, texts[1], "甲局", "on-track"), (3, texts[2], "乙局", "lagging"),
                      (4, texts[3], "丙局", "on-track"), (5, texts[4], "乙局", "lagging")])
    frame = compare.compare_periods(current, previous)
    ranking = compare.unit_ranking_change(frame).set_index("lead_unit")
    assert ranking.loc["乙局", "sentence"] == "滞后任务数排名由上期第 2 位升至第 1 位（上升 1 位）"
    assert ranking.loc["甲局", "sentence"] == "滞后任务数排名由上期第 1 位降至第 2 位（下降 1 位）"
    assert ranking.loc["丙局", "sentence"] == "本期无滞后任务（上期第 2 位）"
    assert list(ranking.index) == ["乙局", "甲局", "丙局"]
    shares = compare.lagging_share_change(frame, by="lead_unit").set_index("lead_unit")
    assert shares.loc["乙局", "sentence"] == "滞后 2 项，占 100.0%，较上期提高 50.0 个百分点"
    assert shares.loc["丙局", "sentence"] == "滞后 0 项，占 0.0%，较上期降低 100.0 个百分点"
    newcomer = _tasks([(1, texts[0], "甲局", "lagging"), (9, "编制地方志年鉴", "丁局", "on-track")])
    shares = compare.lagging_share_change(compare.compare_periods(newcomer, previous), by="lead_unit").set_index("lead_unit")
    assert shares.loc["丁局", "sentence"] == "滞后 0 项，占 0.0%，上期无此单位"
    assert shares.loc["乙局", "sentence"].startswith("本期无任务")


def test_leader_changes_for_the_index(second):
    frame = second[0][3]
    table = compare.leader_changes(frame)
    assert list(table["leader"]) == list(compare.lagging_share_change(frame)["leader"])
    for row in table.to_dict("records"):
        scoped = frame[(frame["leader"] == row["leader"]) | ((frame["status"] == "") & (frame["previous_leader"] == row["leader"]))]
        assert row["新完成"] == (scoped["change"] == "新完成").sum()
        assert row["转为滞后"] == (scoped["change"] == "转为滞后").sum()
        assert row["lagging"] == (scoped["status"] == "lagging").sum()
        assert "滞后占比" in row["sentence"]
    assert table["sentence"].str.contains("新完成|转为滞后").any()


def test_comparison_sentences(second):
    period, classified, _, frame = second[0]
    sentences = compare.comparison_sentences(frame, previous_label="2020年半年度")
    text = "".join(sentences)
    assert sentences[0].startswith("与2020年半年度相比")
    assert f"新增 {len(period.added)} 项" in text and f"已移除 {len(period.removed)} 项" in text
    assert "按序号" in sentences[0] and "按内容" in sentences[0]
    assert "连续两期滞后" in text and "→" in text and "个百分点" in text
    leader = classified.sort_values("leader_order")["leader"].iloc[-1]
    mine = compare.comparison_sentences(frame, leader=leader)
    n = int((classified["leader"] == leader).sum())
    assert f"本期 {n} 项任务" in mine[0]


def test_comparison_sheet_has_chinese_headers(second):
    frame = second[0][3]
    sheet = compare.comparison_sheet(frame)
    assert list(sheet.columns) == [name for _, name in compare.SHEET_COLUMNS]
    assert len(sheet) == len(frame)
    assert set(sheet["匹配方式"]) <= {"按序号", "按内容", "新增", "已移除"}
    assert set(sheet["本期状态"]) <= {"已完成", "序时推进", "滞后", ""}
    removed = sheet[sheet["匹配方式"] == "已移除"]
    assert removed["重点工作"].str.len().gt(0).all()  # removed tasks show their previous text


def test_task_history(second):
    period, _, _, frame = second[0]
    new_id, old_id = next((n, o) for n, o in sorted(period.truth.items()) if o is not None and o != n)
    history = compare.task_history(frame, task_id=new_id)
    assert list(history["期次"]) == ["上期", "本期"]
    assert list(history["序号"]) == [old_id, new_id]
    assert history["状态"].isin(["已完成", "序时推进", "滞后"]).all()
    removed = compare.task_history(frame, previous_task_id=period.removed[0])
    assert removed["变化"].iloc[0] == "已移除" and removed["状态"].iloc[1] == ""
    with pytest.raises(ComparisonError, match="没有"):
        compare.task_history(frame, task_id=9999)


# --------------------------------------------------------------------------
# the build step in one call (what the lead wires into src.builder)
# --------------------------------------------------------------------------
@pytest.fixture()
def q3_build(tmp_path):
    """A raw folder with the half-year table and a generated 前三季度 table; the latter cleaned and classified."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "h1.md").write_text(REAL_TABLE.read_text(encoding="utf-8"), encoding="utf-8")
    period = make_second_period(raw / "q3.md", seed=2)
    data = tmp_path / "out" / "data"
    classify(period.path, data)
    return raw, period, data


def test_run_comparison_finds_the_previous_period_in_raw(q3_build):
    raw, period, data = q3_build
    run = compare.run_comparison(data, raw_path=period.path, raw_dir=raw)
    assert run.frame is not None and run.info["previous_chosen"] == "found"
    assert run.info["previous_label"] == "2020年半年度" and run.info["current_label"] == "2020年前三季度"
    assert run.info["matches"]["new"] == len(period.added) and run.info["matches"]["removed"] == len(period.removed)
    assert any("h1.md" in note and "作为上期" in note for note in run.notes)
    assert {p.name for p in run.paths} == {"comparison.csv", "comparison.parquet", "comparison.json"}
    assert (data / "previous" / "tasks_classified.parquet").exists()  # the previous table, classified at its own date
    assert compare.read_comparison_info(data)["previous_as_of"] == "2020-06-30"
    pd.testing.assert_frame_equal(compare.read_comparison(data), run.frame)

    # the same previous period given explicitly, as a raw table: the same comparison
    given = compare.run_comparison(data, previous=raw / "h1.md")
    assert given.info["previous_chosen"] == "given"
    pd.testing.assert_frame_equal(given.frame, run.frame)


def test_run_comparison_without_previous_removes_stale_files(q3_build, tmp_path):
    raw, period, data = q3_build
    compare.run_comparison(data, raw_path=period.path, raw_dir=raw)
    (raw / "h1.md").unlink()
    run = compare.run_comparison(data, raw_path=period.path, raw_dir=raw)
    assert run.frame is None and "没有" in run.notes[0]
    assert not (data / "comparison.parquet").exists() and not (data / "comparison.json").exists()


def test_run_comparison_refuses_a_bad_pair_unless_forced(q3_build, tmp_path, monkeypatch, capsys):
    raw, period, data = q3_build
    other = make_second_period(tmp_path / "other.md", seed=0, period="半年度", month=7, office="宁波市人民政府督查室")
    with pytest.raises(ComparisonError, match="宁波市人民政府督查室"):
        compare.run_comparison(data, previous=other.path, force=False)
    assert compare.main(["--data", str(data), "--previous", str(other.path)]) == 2
    assert "FORCE_COMPARE=1" in capsys.readouterr().err
    monkeypatch.setenv("FORCE_COMPARE", "1")
    run = compare.run_comparison(data, previous=other.path)
    assert run.info["forced"] and any("已强制比较" in note for note in run.notes)


def test_the_previous_period_is_never_searched_in_the_tables_own_folder(q3_build, monkeypatch):
    """A table built from Downloads (any folder) is compared only with data/raw/ and the kept periods."""
    from src import paths

    raw, period, data = q3_build
    empty = raw.parent / "empty_raw"
    empty.mkdir()
    monkeypatch.setattr(paths, "RAW_DIR", empty)
    run = compare.run_comparison(data, raw_path=period.path)  # h1.md lies beside it, but not in data/raw/
    assert run.frame is None and str(empty) in run.notes[0]


def test_a_status_beyond_the_three_is_compared_not_refused(monkeypatch):
    """未报送 (not-reported), where the classifier has it, is compared like any status."""
    from src.report import style

    order = ["completed", "on-track", "lagging", "not-reported"]
    monkeypatch.setattr(style, "status_order", lambda: order)
    monkeypatch.setattr(style, "status_label", lambda s: {"not-reported": "未报送", "on-track": "序时推进",
                                                          "completed": "已完成", "lagging": "滞后"}.get(s, s))
    previous = pd.DataFrame({"task_id": [1, 2], "task": ["建设甲工程一期。", "推进乙项目审批。"],
                             "status": ["on-track", "not-reported"], "lead_unit": ["市建委", "市发改委"]})
    current = previous.assign(status=["not-reported", "lagging"])
    frame = compare.compare_periods(current, previous)
    assert list(frame["change"]) == ["本期未报送", "上期未报送"]
    assert "未报送→滞后 1 项" in " ".join(compare.transition_counts(frame)["sentence"])


# -------------------------------------------------------------------------- 进展未更新
def test_stale_progress_is_the_same_text_apart_from_the_periods_dates():
    from src.compare.stale import mark_stale, progress_similarity, stale_by_unit, stale_count

    settings = compare.load_settings()
    before = "截至6月底，已完成项目立项，1-6月完成投资2.3亿元，占年度计划的45%。"
    assert progress_similarity(before.replace("6月底", "9月底").replace("1-6月", "1-9月"), before, settings) == 1.0
    frame = pd.DataFrame({
        "task_id": [1, 2, 3, 4, 5], "leader": ["甲", "甲", "乙", "乙", "乙"],
        "lead_unit": ["市建委、市交通局", "市建委", "市发改委", "市发改委", "市发改委"],
        "match": ["id", "text", "id", "id", "new"],
    })
    progress = pd.Series([
        before.replace("6月底", "9月底").replace("1-6月", "1-9月"),  # dates moved only: stale
        before.replace("。", "；") + " ",  # punctuation and spacing: stale
        before.replace("45%", "78%").replace("2.3亿元", "3.9亿元"),  # figures updated: not stale
        "",  # nothing reported: 未报送, not 进展未更新
        before,  # a new task has no previous text
    ])
    previous = pd.Series([before, before, before, before, ""])
    marked = mark_stale(frame, progress, previous, settings)
    assert list(marked["progress_stale"]) == [True, True, False, False, False]
    assert marked["progress_similarity"].iloc[2] > 0.8  # close wording; the figures moved, so not stale
    assert (stale_count(marked), stale_count(marked, "甲"), stale_count(marked, "乙")) == (2, 2, 0)
    units = stale_by_unit(marked)
    assert units.to_dict("records") == [{"lead_unit": "市建委", "count": 2, "task_ids": [1, 2]},
                                        {"lead_unit": "市交通局", "count": 1, "task_ids": [1]}]


def test_reworded_progress_is_not_stale():
    from src.compare.stale import progress_similarity

    settings = compare.load_settings()
    a = "已完成项目立项和初步设计批复，正在开展施工招标。"
    b = "施工单位已进场，主体结构完成过半，计划年底前完工。"
    assert progress_similarity(a, b, settings) < settings["stale"]["min_similarity"]
