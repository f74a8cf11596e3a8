"""Status classifier: one synthetic row per rule, overrides, the stage, the
evaluation helper and the notebook. The dev-label scores are measured by
benchmarks/evaluate_classifier.py, never asserted here."""
from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from src import classify as c
from src import store
from src.classify.measure_types import NOTE_MARK
from src.classify.rules import families_read_from, rules_without
from src.paths import DEFAULT_RAW_PATH, PROJECT_ROOT
from src.pipeline import analyse_stage, clean_stage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KNOWN_RULES = {
    "explicit-completed", "target-met", "one-off-completed", "quantified-below-schedule",
    "quantified-on-schedule", "stated-delay", "stated-pending", "stated-forecast", "stated-not-started", "stated-early-stage",
    "stated-milestone", "stated-on-track", "default-on-track",
    "stated-over-fulfilment", "stated-growth-behind", "stated-growth-met", "not-reported",
}
# a multi-item row states how many items are behind before its verbatim phrase
ITEMS_PREFIX = re.compile(r"^\d+ 项中 \d+ 项低于(?:序时进度|年度目标)：")
ITEM_KEYS = {"phrase", "value", "unit", "target", "ratio", "source_field"}


def row(task="推进某项重点工作。", progress="", problems="", next_steps="", as_of="2020-06-30", **kwargs):
    frame = pd.DataFrame([{"task_id": 1, "task": task, "progress": progress, "problems": problems, "next_steps": next_steps}])
    return c.classify_tasks(frame, as_of=as_of, **kwargs).iloc[0]


# --------------------------------------------------------------------------
# schedule
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "as_of, expected",
    [("2020-06-30", 0.5), ("2020-09-30", 0.75), ("2020-11-30", 11 / 12), ("2020-03-31", 0.25),
     ("2020-12-31", 1.0), (date(2021, 2, 28), 2 / 12), ("2020-05-15", 136 / 366), ("2021-05-15", 135 / 365)],
)
def test_elapsed_share(as_of, expected):
    assert c.elapsed_share(as_of) == pytest.approx(expected)


def test_elapsed_share_rejects_garbage():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        c.elapsed_share("end of June")


def test_rules_live_in_the_data_file():
    rules = c.load_rules()
    assert rules["version"] and rules.version == str(rules["version"])
    assert "滞后" in rules["lagging"]["delay_cues"]
    assert c.RULES_PATH.name == "status_rules.toml"


def test_a_cue_added_to_the_rules_changes_the_result():
    plain = row(progress="项目进度堪忧。")
    assert plain.status == "on-track"
    raw = c.load_rules().raw
    extended = {**raw, "lagging": {**raw["lagging"], "delay_cues": [*raw["lagging"]["delay_cues"], "进度堪忧"]}}
    assert row(progress="项目进度堪忧。", rules=extended).status == "lagging"


# --------------------------------------------------------------------------
# completed
# --------------------------------------------------------------------------
@pytest.mark.parametrize("next_steps", ["已完成", "已完成。", "已全部完成", "该项工作已完成。"])
def test_next_steps_saying_only_done_is_completed(next_steps):
    result = row(progress="6月29日城北线完成通水仪式。", next_steps=next_steps)
    assert (result.status, result.status_rule) == ("completed", "explicit-completed")


@pytest.mark.parametrize(
    "progress",
    ["截至6月，提前完成至2020年末累计化债任务。", "新增事项66项，超额完成省政府交办的改革试点任务。", "已提前完成全年目标任务。"],
)
def test_annual_completion_phrase_completes_even_an_ongoing_task(progress):
    result = row(task="持续深化改革。", progress=progress, next_steps="继续推进。")
    assert result.status == "completed"


def test_target_met_from_the_task_text():
    result = row(task="支持企业跨区域劳务合作,举办云聘会100场以上。", progress="上半年,全市举办云聘会150场。")
    assert (result.status, result.status_rule) == ("completed", "target-met")
    assert result.progress_ratio == pytest.approx(1.5)
    assert result.schedule_gap_pts == pytest.approx(100.0)


def test_target_met_in_other_units_and_multipliers():
    result = row(task="造林4.5万亩，稳步提高全市森林覆盖率。", progress="上半年我市共完成造林5.0万亩。")
    assert result.status == "completed"
    item = result.progress_items[0]
    assert (item["value"], item["target"], item["unit"]) == (50000.0, 45000.0, "亩")


def test_ongoing_task_is_not_completed_without_an_explicit_statement():
    result = row(task="深化政务公开，以公开促规范促廉洁。", progress="已完成政府信息公开栏目调整修改；发现问题 16 项，全部完成整改。")
    assert result.status == "on-track"


def test_one_off_task_done_is_completed_but_an_ongoing_one_is_not():
    assert row(task="确保千岛湖供水工程城北线通水。", progress="6月29日城北线全线通水。").status == "completed"
    assert row(task="加快千岛湖供水工程城北线建设。", progress="6月29日城北线全线通水。").status == "on-track"


def test_completion_phrase_contradicted_by_numbers_is_not_completed():
    result = row(progress="完工污水厂项目3个，完成率77%。提前完成地下空间开发年度任务项目3个。")
    assert result.status == "on-track"


def test_aspiration_and_negated_completion_are_not_completion():
    assert row(progress="力争提前完成年度任务。").status == "on-track"
    assert row(progress="项目推进缓慢，难以完成全年目标。").status == "lagging"


# --------------------------------------------------------------------------
# lagging: stated
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, text",
    [
        ("problems", "项目进度滞后。"),
        ("progress", "工作面移交时间一再延迟，影响施工进度。"),
        ("progress", "受疫情影响，峰会推迟举办。"),
        ("problems", "土方外运受阻，局部施工无法开展。"),
        ("problems", "化债进度偏慢。"),
        ("progress", "项目尚未开工。"),
        ("problems", "建设项目经费缺口较大。"),
        ("progress", "因资金未到位，项目暂停。"),
        ("next_steps", "主城区公建单位创建推进较慢，排查还没有完成。"),
        ("progress", "时间过半，任务未过半。"),
    ],
)
def test_stated_delay_is_lagging(field, text):
    result = row(**{field: text})
    assert (result.status, result.status_rule) == ("lagging", "stated-delay")
    assert result.status_evidence in text


def test_to_be_decided_site_lags_a_build_task_only():
    built = row(task="规划建设杭州音乐厅。", progress="开展拆迁排摸。", next_steps="待选址确定后，加快项目推进。")
    assert (built.status, built.status_rule) == ("lagging", "stated-pending")
    # no progress reported and no rule fired: 未报送, never on-track
    assert row(task="研究音乐产业政策。", next_steps="待选址确定后，开展调研。").status == "not-reported"


@pytest.mark.parametrize("text", ["目前未出现滞后情况。", "工程无延迟。", "施工没有推迟。", "紧盯目标不拖延。", "确保不出现进度滞后。"])
def test_negated_delay_is_not_a_delay(text):
    result = row(progress=text)
    assert result.status == "on-track"
    assert not result.needs_review


def test_generic_and_minor_delays_and_false_friends():
    generic = row(progress="开展创建工作。", next_steps="对创建进度滞后和工程质量较差的镇街进行重点督查。")
    assert generic.status == "on-track"
    minor = row(progress="开展选房工作。", problems="因疫情影响，选房进度略有延迟。")
    assert minor.status == "on-track" and minor.needs_review
    assert row(progress="开展调研。", next_steps="及时出台水、气优惠延期政策。").status == "on-track"
    caught_up = row(progress="受疫情影响一度延迟，目前已全面复工，进度已追回。")
    assert caught_up.status == "on-track"


# --------------------------------------------------------------------------
# lagging / on-track: quantified
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "as_of, progress, status, gap",
    [
        ("2020-06-30", "“5433”工程完成投资541.4亿元，占年度计划的47%。", "lagging", -3.0),
        ("2020-06-30", "新建5G基站4248个，完成全年任务的61%。", "on-track", 11.0),
        ("2020-09-30", "新建5G基站4248个，完成全年任务的61%。", "lagging", -14.0),
        ("2020-09-30", "1-9月完成投资84亿元，占年度目标的80%。", "on-track", 5.0),
        ("2020-06-30", "开展普法学习活动，总进度30%。", "lagging", -20.0),
        ("2020-06-30", "已建成310家农村文化礼堂，完成率76.2%。", "on-track", 26.2),
    ],
)
def test_quantified_against_the_schedule(as_of, progress, status, gap):
    result = row(progress=progress, as_of=as_of)
    expected_rule = "quantified-below-schedule" if status == "lagging" else "quantified-on-schedule"
    assert (result.status, result.status_rule) == (status, expected_rule)
    assert result.schedule_gap_pts == pytest.approx(gap)


def test_actual_against_the_task_target():
    result = row(task="着重抓好就业工作，城镇新增就业 25 万人。", progress="1-6 月，全市城镇新增就业人数为 11.72 万人。")
    assert result.status == "lagging"
    assert result.progress_ratio == pytest.approx(0.4688)


def test_majority_of_sub_targets_decides_and_flags_review():
    task = "力争落地总投资 10 亿元以上项目 100 个、50 亿元以上项目 20 个、100 亿元以上项目 6 个。"
    progress = "1-6 月已落地总投资 10 亿元以上项目 57 个、50 亿元以上项目 8 个、100 亿元以上项目 2 个。"
    result = row(task=task, progress=progress)
    assert result.status == "lagging"
    assert result.status_evidence.startswith("3 项中 2 项低于序时进度")
    assert sorted(round(i["ratio"], 2) for i in result.progress_items) == [0.33, 0.4, 0.57]


def test_rate_against_its_target_rate():
    result = row(progress="已落地项目27个,落地率37.5%。", next_steps="确保完成全年60%落地率目标。")
    assert result.status == "on-track"
    assert result.progress_ratio == pytest.approx(0.625)


def test_m_of_n_and_in_row_targets():
    assert row(progress="细化分解落实 49 项工作任务，完成 32 项。").progress_ratio == pytest.approx(32 / 49)
    assert row(progress="年度计划50家，已建成20家。").status == "lagging"
    assert row(progress="已完成12/20所。", as_of="2020-09-30").status == "lagging"


@pytest.mark.parametrize(
    "progress",
    [
        "1-5月，实现产业增加值845.8亿元，同比增长22.7%，增速为全市增速的1.7倍。",
        "数字经济核心产业营收占全市数字经济核心产业营收45%。",
        "降低用水、用气价格10%。",
    ],
)
def test_growth_rates_and_shares_of_totals_are_not_progress(progress):
    result = row(progress=progress)
    assert (result.status, result.status_rule) == ("on-track", "default-on-track")
    assert result.progress_items == []
    assert math.isnan(result.progress_ratio)


def test_handling_rates_are_not_shares_of_the_plan():
    result = row(progress="发现安全隐患235个，已完成安全隐患整改221个，整改率94%，重大隐患整改率100%。")
    assert result.status == "on-track"
    assert not any(item["decisive"] for item in result.progress_items)


def test_percentages_in_the_task_text_are_not_progress():
    result = row(task="实现规上工业企业数字化改造覆盖率 90%以上。", progress="组织开展数字化项目进度督查。")
    assert result.status_rule == "default-on-track" and math.isnan(result.progress_ratio)


def test_works_progress_is_charted_but_does_not_decide():
    result = row(progress="南高峰塔周边环境整治，钱江段已完成总工程量40%，目前总体进展顺利。")
    assert result.status == "on-track"
    assert result.progress_items[0]["kind"] == "physical" and not result.progress_items[0]["decisive"]


def test_numbers_beat_a_passing_delay_phrase_but_flag_it():
    result = row(progress="文化活动场次完成率达到64.9%。上半年不能开展电影放映工作。")
    assert result.status == "on-track" and result.needs_review


def test_tolerance_band():
    progress = "1-9月完成投资87亿元，占年度计划的72.5%。"
    assert row(progress=progress, as_of="2020-09-30").status == "lagging"
    assert row(progress=progress, as_of="2020-09-30", tolerance_pts=2.5).status == "on-track"
    raw = c.load_rules().raw
    banded = {**raw, "schedule": {**raw["schedule"], "tolerance_pts": 2.5}}
    assert row(progress=progress, as_of="2020-09-30", rules=banded).status == "on-track"


def test_progress_items_have_the_documented_keys():
    result = row(progress="完成年度计划的57.7%；另完成年度计划的47%。")
    assert len(result.progress_items) == 2
    for item in result.progress_items:
        assert ITEM_KEYS <= set(item)
        assert item["source_field"] == "progress"


# --------------------------------------------------------------------------
# the real table
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    clean_stage(DEFAULT_RAW_PATH, folder)
    return folder


@pytest.fixture(scope="module")
def real_classified(real_dir):
    return analyse_stage(real_dir, real_dir / "out")


def test_real_table_statuses_rules_and_verbatim_evidence(real_classified):
    frame = real_classified
    assert set(frame["status"]) <= set(c.STATUSES)
    assert set(frame["status_rule"]) <= KNOWN_RULES
    assert frame["status_source"].eq("rule").all() and frame["override_reason"].eq("").all()
    for task in frame.itertuples():
        texts = [task.task, task.progress, task.problems, task.next_steps]
        assert task.status_evidence, task.task_id
        # a cut is marked "…", a worked-out note (〔核算：…〕) follows the phrase; the rest is verbatim
        verbatim = ITEMS_PREFIX.sub("", task.status_evidence).split(NOTE_MARK)[0].strip("…")
        assert any(verbatim in (t or "") for t in texts), (task.task_id, task.status_evidence)
        for item in task.progress_items:
            assert ITEM_KEYS <= set(item)
            assert item["phrase"] in getattr(task, item["source_field"])
        if task.status == "lagging" and not math.isnan(task.schedule_gap_pts):
            assert task.schedule_gap_pts < 0


def test_stage_is_deterministic_and_reads_as_of_from_metadata(real_dir, tmp_path):
    first = analyse_stage(real_dir, tmp_path / "a")
    second = analyse_stage(real_dir, tmp_path / "b")
    for name in ("tasks_classified.csv", "classification.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first.equals(second)
    summary = store.read_json(tmp_path / "a" / "classification.json")
    assert summary["as_of"] == "2020-06-30" and summary["elapsed_share"] == 0.5
    assert summary["rule_version"] == c.load_rules().version
    clean_stage(DEFAULT_RAW_PATH, tmp_path / "september", as_of="2020-09-30")  # the date is decided when cleaning
    september = analyse_stage(tmp_path / "september", tmp_path / "c")
    assert store.read_json(tmp_path / "c" / "classification.json")["elapsed_share"] == 0.75
    assert september["status"].eq("lagging").sum() >= first["status"].eq("lagging").sum()


def test_stage_outputs_round_trip(real_dir, tmp_path):
    classified = analyse_stage(real_dir, tmp_path)
    back = store.read_table(tmp_path / "tasks_classified.csv")
    assert back["status"].tolist() == classified["status"].tolist()
    assert back["progress_items"].tolist() == [
        [dict(sorted(item.items())) for item in items] for items in classified["progress_items"]
    ]
    parquet = store.read_table(tmp_path / "tasks_classified.parquet")
    assert parquet["status_evidence"].tolist() == classified["status_evidence"].tolist()


# --------------------------------------------------------------------------
# overrides
# --------------------------------------------------------------------------
HEADER = "task_id,status,reason,reviewer,date\n"


def write(tmp_path, body, name="overrides.csv"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_override_is_applied_last_and_keeps_the_rule(small_classified, tmp_path):
    path = write(tmp_path, HEADER + "1,on-track,年度计划调减后已达序时,张三,2020-07-10\n")
    out = c.apply_overrides(small_classified, path)
    first = out.iloc[0]
    assert (first.status, first.rule_status, first.status_source) == ("on-track", "lagging", "override")
    assert first.override_reason == "年度计划调减后已达序时"
    assert first.rule_evidence == small_classified.iloc[0].status_evidence
    assert first.status_evidence == "人工认定：年度计划调减后已达序时（张三，2020-07-10）"
    assert out.iloc[1].status_source == "rule" and out.iloc[1].override_reason == ""


def test_empty_overrides_file_changes_nothing(small_classified, tmp_path):
    out = c.apply_overrides(small_classified, write(tmp_path, HEADER))
    assert out["status"].tolist() == small_classified["status"].tolist()
    # the repository ships an empty template (the analyst's own file is untracked): the header alone
    template = (PROJECT_ROOT / "data" / "reference" / "overrides_template.csv").read_text(encoding="utf-8-sig").strip()
    assert template.startswith(HEADER.strip()) and "\n" not in template


@pytest.mark.parametrize(
    "body, line, fragment",
    [
        (HEADER + "2,on-track,ok,张三,2020-07-10\n9,lagging,理由,张三,2020-07-10\n", 3, "unknown task_id 9"),
        (HEADER + "1,done,理由,张三,2020-07-10\n", 2, "invalid status 'done'"),
        (HEADER + "1,lagging,,张三,2020-07-10\n", 2, "missing reason"),
        (HEADER + "1,lagging,理由,张三,2020-07-10\n\n1,on-track,理由,李四,2020-07-11\n", 4, "duplicate task_id 1"),
        (HEADER + "1,lagging,理由,张三,7月10日\n", 2, "malformed date"),
        (HEADER + "1,lagging,理由,张三,2020-13-01\n", 2, "malformed date"),
        (HEADER + "x,lagging,理由,张三,2020-07-10\n", 2, "not a number"),
        (HEADER + "1,lagging,理由\n", 2, "expected 5 fields"),
        ("id,status,reason,reviewer,date\n", 1, "header must be"),
    ],
)
def test_invalid_overrides_are_rejected_with_file_and_line(small_classified, tmp_path, body, line, fragment):
    path = write(tmp_path, body)
    with pytest.raises(c.OverrideError) as caught:
        c.apply_overrides(small_classified, path)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert str(path) in message and f"line {line}" in message and fragment in message


def test_overrides_with_bom_and_the_stage(real_dir, tmp_path):
    path = tmp_path / "ov.csv"
    path.write_text(HEADER + "2,lagging,复核认为滞后,张三,2020-07-10\n", encoding="utf-8-sig")
    out = analyse_stage(real_dir, tmp_path / "out", overrides_path=path)
    task = out.loc[out["task_id"] == 2].iloc[0]
    assert (task.status, task.status_source, task.rule_status) == ("lagging", "override", "on-track")
    assert store.read_json(tmp_path / "out" / "classification.json")["overrides_applied"] == 1
    with pytest.raises(c.OverrideError, match="not found"):
        analyse_stage(real_dir, tmp_path / "out", overrides_path=tmp_path / "missing.csv")


# --------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------
def test_evaluate_counts_and_scores(small_classified, tmp_path):
    labels = write(tmp_path, "id,label,evidence\n1,lagging,47%\n2,lagging,推进\n3,completed,已完成\n", "labels.csv")
    result = c.evaluate(small_classified, labels)
    assert list(result["confusion"].columns) == list(c.STATUSES)
    assert result["confusion"].loc["lagging", "on-track"] == 1
    assert result["n"] == 3 and result["accuracy"] == pytest.approx(2 / 3)
    assert result["per_class"].loc["lagging", "recall"] == pytest.approx(0.5)
    assert result["per_class"].loc["on-track", "precision"] == 0.0
    assert list(result["disagreements"].columns) == [
        "task_id", "reference", "predicted", "status_rule", "status_evidence", "reference_evidence", "needs_review"
    ]
    assert result["disagreements"]["task_id"].tolist() == [2]
    # macro-F1 over the classes present: completed 1.0, on-track 0.0, lagging 2/3
    assert result["macro_f1"] == pytest.approx((1.0 + 0.0 + 2 / 3) / 3)
    assert c.evaluate(small_classified, tmp_path / "missing.csv") is None


def test_not_started_is_a_delay_only_when_the_start_was_due():
    early = row(task="力争年底前开工建设南宋博物院。", progress="项目尚未开工，正在开展前期工作。")
    assert early.status == "on-track" and early.needs_review
    planned = dict(task="建设市民中心。", progress="项目尚未开工。", next_steps="计划9月开工。")
    assert row(**planned).status == "on-track"
    assert row(**planned, as_of="2020-09-30").status == "lagging"
    assert row(progress="防止出现新的滞后。").status == "on-track"


def test_evidence_drops_list_numbering():
    result = row(problems="1. 地铁方工作面移交时间一再延迟，影响施工进度。")
    assert result.status_evidence == "地铁方工作面移交时间一再延迟"


# --------------------------------------------------------------------------
# other notices: other report dates and other offices' wording (synthetic rows
# in the style of other cities' 督查通报; none is taken from the Hangzhou table)
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "as_of, progress, status",
    [
        ("2020-09-30", "截至9月底完成年度计划的72%。", "lagging"),
        ("2020-09-30", "1-9月完成投资占年度计划的72%。", "lagging"),
        ("2020-11-30", "1-11月完成投资占年度计划92.5%。", "on-track"),
        ("2020-11-30", "1-11月完成投资18.5亿元，完成年度计划的89%。", "lagging"),
        ("2020-03-31", "一季度完成投资5.2亿元，占年度计划的27.3%。", "on-track"),
        ("2020-03-31", "一季度完成年度目标任务的18%。", "lagging"),
        ("2020-06-30", "完成年度计划投资的47%。", "lagging"),
        ("2020-06-30", "完成年度任务量的80%。", "on-track"),
        ("2020-06-30", "完成年度计划的四成。", "lagging"),
        ("2020-06-30", "完成年度计划的六成。", "on-track"),
        ("2020-06-30", "完成年度计划的三分之一。", "lagging"),
        ("2020-09-30", "进展情况占比68%。", "lagging"),
        ("2020-06-30", "完成序时进度的85%。", "lagging"),
    ],
)
def test_other_report_dates_and_share_wordings(as_of, progress, status):
    result = row(progress=progress, as_of=as_of)
    assert result.status == status, (result.status_rule, result.status_evidence)
    assert result.status_rule.startswith("quantified")


@pytest.mark.parametrize(
    "progress, status, gap",
    [
        ("完成投资12亿元，超序时进度2.99个百分点。", "on-track", 2.99),
        ("完成投资12亿元，滞后序时进度9.8个百分点。", "lagging", -9.8),
        ("完成投资12亿元，落后序时进度5个百分点。", "lagging", -5.0),
        ("GDP增长2.1%，低于目标3.9个百分点。", "lagging", -3.9),
    ],
)
def test_gap_stated_in_points_is_a_measure(progress, status, gap):
    result = row(progress=progress)
    assert result.status == status and result.status_rule.startswith("quantified")
    assert result.schedule_gap_pts == pytest.approx(gap)


def test_gap_in_points_never_means_the_annual_target_is_met():
    result = row(progress="1-11月完成投资36亿元，超序时进度9个百分点。", as_of="2020-11-30")
    assert result.status == "on-track"


def test_points_that_are_not_a_gap_to_the_schedule():
    for progress in ["同比增长6%，较一季度回升4.9个百分点。", "拉动产业增加值增长20.6个百分点。", "低于全省平均2个百分点。"]:
        assert row(progress=progress).status == "on-track", progress


@pytest.mark.parametrize(
    "progress",
    [
        "已完成全年目标任务。", "截至9月底，已完成全年目标任务。", "已提前完成全年任务。", "超额完成全年任务。",
        "已全面完成年度目标任务。", "年度目标任务已全部完成。", "完成年度计划的120%。", "已完成。", "已完成。6月20日召开验收会。",
    ],
)
def test_other_completion_wordings(progress):
    assert row(progress=progress, as_of="2020-09-30").status == "completed"


@pytest.mark.parametrize(
    "progress",
    ["已基本完成全年任务。", "完成全年目标任务压力较大。", "完成年度任务的一半。", "全年任务已完成80%。"],
)
def test_partial_or_at_risk_completion_is_not_completed(progress):
    assert row(progress=progress).status != "completed"


@pytest.mark.parametrize(
    "text",
    [
        "目前未达到序时进度。", "未能达到序时进度。", "项目进度滞后。", "该项目欠进度。", "该项目慢序时。", "略低于序时进度。",
        "项目未按进度完成。", "项目推进较为缓慢。", "进度未达预期。", "与序时进度存在一定差距。", "项目未能如期开工。",
        "完成全年目标任务压力较大。", "项目进度不理想。", "因资金未到位，项目停工。", "时间过半，任务未过半。",
    ],
)
def test_other_delay_wordings_are_lagging(text):
    result = row(progress=text, as_of="2020-09-30")
    assert (result.status, result.status_rule) == ("lagging", "stated-delay")


@pytest.mark.parametrize(
    "text",
    [
        "项目按序时推进。", "目前达到序时进度。", "基本达到序时进度。", "项目达进度。", "项目正常推进，暂无滞后。", "暂无滞后情况。",
        "未发现进度滞后问题。", "不存在滞后情况。", "各项工作均按序时进度推进，无滞后项目。", "没有滞后序时进度。",
        "督促滞后项目加快进度。", "加快滞后项目推进。", "全市现有已签约未开工项目 73 个，作为重点工作着力推进。",
        "签发停工单247份。", "受疫情影响停工2个月，目前已复工。", "项目总体进度正常。",
    ],
)
def test_other_on_track_and_negated_wordings(text):
    assert row(progress=text).status == "on-track"


def test_not_started_when_the_start_was_due_or_not():
    assert row(task="力争6月底前开工建设市民中心。", progress="项目尚未开工。").status == "lagging"
    assert row(task="建成市民中心。", progress="项目尚未开工。").status == "lagging"
    assert row(task="建设市民中心。", progress="项目尚未开工。", next_steps="计划三季度开工。").status == "on-track"
    assert row(task="建设市民中心。", progress="项目尚未开工。", next_steps="计划三季度开工。",
               as_of="2020-09-30").status == "lagging"
    assert row(task="建设市民中心。", progress="项目尚未开工。", next_steps="计划十月开工。").status == "on-track"


def test_adjusted_target_is_the_yardstick_and_is_said():
    for progress in ["年度目标由5000套调减为3000套，已完成2000套。", "经市政府同意，目标调整为3000套。截至6月底已完成2000套。"]:
        result = row(task="新建保障房5000套。", progress=progress)
        assert result.status == "on-track", progress
        assert result.progress_ratio == pytest.approx(2 / 3)
        assert "调" in result.status_evidence and "调整目标" in result.review_reason
    assert row(task="新建保障房5000套。", progress="截至6月底已完成2000套。").status == "lagging"
    assert row(task="新建保障房5000套。", progress="受土地指标影响，年度目标调整为3000套，已完成1000套。").status == "lagging"


def test_works_started_do_not_stand_for_works_done():
    result = row(task="提标改造农村污水治理终端2000个。", progress="开工1964个，完工611个。")
    assert result.status == "lagging" and result.progress_ratio == pytest.approx(611 / 2000)
    assert row(task="新建学校10所。", progress="已开工8所。").status_rule == "default-on-track"
    assert row(task="开工建设保障房项目20个。", progress="已开工8个。").status == "lagging"
    assert row(task="开工建设保障房项目20个。", progress="已开工12个。").status == "on-track"


def test_a_total_beats_its_breakdown():
    result = row(progress="完成投资占年度计划的55%，其中A项目完成年度计划的30%，B项目完成年度计划的40%。")
    assert result.status == "on-track" and result.progress_ratio == pytest.approx(0.55)
    plan = row(progress="2020年计划绿道建设任务500公里，其中新建335公里。已建成绿道315公里，总体完工率达63%。")
    assert plan.progress_ratio == pytest.approx(0.63)


def test_own_milestone_is_the_yardstick():
    result = row(progress="上半年计划完成60%，实际完成55%。")
    # on the elapsed-share scale: 55/60 of the half year
    assert result.status == "lagging" and result.progress_ratio == pytest.approx(55 / 60 * 0.5)
    # the milestone judged against is no weak evidence: not flagged since the sixth round ([review].off),
    # flagged again when the line is taken out of off
    assert "milestone" not in result.review_reason
    rules = c.load_rules()
    import copy
    flagging = copy.deepcopy(rules)
    flagging.raw["review"]["off"] = [o for o in flagging.raw["review"]["off"] if "milestone" not in o]
    assert "milestone" in row(progress="上半年计划完成60%，实际完成55%。", rules=flagging).review_reason
    assert row(progress="上半年计划完成年度任务的40%，实际完成45%。").status == "on-track"
    assert row(progress="上半年目标30个，已完成25个。").status == "lagging"
    # a milestone met is not the annual target met
    assert row(task="新建学校10所。", progress="上半年计划完成3所，已完成3所。").status == "on-track"


def test_measure_dated_to_an_earlier_month_is_flagged_when_it_would_flip():
    # without the fifth round's arith_dated_measure: judged at the report's month, flagged
    rules = c.load_rules()
    off = rules_without(rules, families_read_from(rules)["families.arith_dated_measure"][0])
    result = row(progress="1-8月完成投资占年度计划的70%。", as_of="2020-09-30", rules=off)
    assert result.status == "lagging" and "month 8" in result.review_reason
    assert "month" not in row(progress="1-8月完成投资占年度计划的60%。", as_of="2020-09-30", rules=off).review_reason
    # with it: judged at its own month's schedule (8/12), the evidence says so
    dated = row(progress="1-8月完成投资占年度计划的70%。", as_of="2020-09-30")
    assert dated.status == "on-track" and "截至8月底" in dated.status_evidence


def test_one_off_completed_in_other_words():
    assert row(task="建成市民中心。", progress="市民中心已竣工。").status == "completed"
    assert row(task="加快建设市民中心。", progress="市民中心一期已竣工。").status == "on-track"


def test_one_off_needs_the_same_object_not_a_shared_stopword():
    assert row(task="召开全市经济工作会议。", progress="2月10日成功举办全市招商大会。").status == "on-track"
    assert row(task="召开全市经济工作会议。", progress="2月10日全市经济工作会议顺利召开。").status == "completed"


@pytest.mark.parametrize(
    "text",
    ["项目因政策处理问题暂缓实施。", "项目前期手续尚未办结，影响开工。", "受资金制约，项目推进困难。"],
)
def test_obstructions_that_hold_the_works_back(text):
    assert row(problems=text).status == "lagging"


def test_obstruction_families_have_false_friends():
    assert row(progress="开展困难群众帮扶。").status == "on-track"
    assert row(progress="推进困难群众救助工作。").status == "on-track"
    assert row(progress="疫情未影响项目进度。").status == "on-track"
    assert row(progress="落实社保费暂缓缴纳政策。").status == "on-track"


def test_more_share_and_completion_forms():
    assert row(progress="前三季度完成投资占全年的70%。", as_of="2020-09-30").status == "lagging"
    assert row(progress="前三季度完成投资占全年的76%。", as_of="2020-09-30").status == "on-track"
    assert row(progress="项目进展情况：已完成。").status == "completed"
    # works started with the count after the verb ("5 所均已开工") are not works done
    assert row(task="新建幼儿园5所。", progress="5所幼儿园均已开工，主体结构施工中。").status == "on-track"


def test_listed_cue_is_the_evidence_before_a_broader_family():
    result = row(problems="线索时间久远，影响核查进度。建设项目经费缺口较大。")
    assert result.status == "lagging" and "缺口较大" in result.status_evidence


def test_classification_summary_counts_by_default_and_every_status():
    from src.pipeline import classification_summary

    frame = pd.DataFrame({"task_id": [1, 2, 3], "task": ["建设公园", "优化服务", "新建站点10个"],
                          "progress": ["进度滞后。", "召开会议研究部署。", ""]})
    classified = c.classify_tasks(frame, as_of="2020-06-30")
    summary = classification_summary(classified, date(2020, 6, 30))
    assert summary["by_default"] == 1 and classified.attrs["by_default"] == 1
    assert summary["counts"] == {"completed": 0, "on-track": 1, "lagging": 1, "not-reported": 1}
