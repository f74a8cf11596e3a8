"""Overrides as Excel and WPS save them: encodings, line ends, date styles,
Chinese statuses; every fault an OverrideError with a Chinese message naming
the file and line (never a UnicodeDecodeError or a csv traceback)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from src import classify as c
from src import store
from src.classify.overrides import OverrideError, override_evidence, parse_override_date
from src.pipeline import analyse_stage, clean_stage
from tests.conftest import FIXTURES, MINI_TABLE

FIXTURES_NO_OVERRIDES = FIXTURES / "no_overrides.csv"

HEADER = "task_id,status,reason,reviewer,date"


def write_bytes(tmp_path, data: bytes, name="overrides.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def excel_csv(lines, encoding="gbk"):
    """What Excel on Chinese Windows writes for 'CSV (逗号分隔)': GBK, CRLF."""
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("when, iso", [
    ("2020-07-20", "2020-07-20"), ("2020/7/20", "2020-07-20"), ("2020年7月20日", "2020-07-20"),
    ("2020/07/05", "2020-07-05"), ("2020 年 7 月 5 日", "2020-07-05"), ("２０２０／７／２０", "2020-07-20"),
    ("2020/7/20 0:00", "2020-07-20"), ("2020.7.20", "2020-07-20"), ("", ""),
])
def test_dates_excel_writes_are_normalised(when, iso):
    assert parse_override_date(when) == iso


@pytest.mark.parametrize("when", ["7月20日", "20/7/2020", "July 20", "2020-07"])
def test_dates_that_are_not_dates_are_not_guessed(when):
    assert parse_override_date(when) is None


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_excel_saved_file_in_every_encoding(small_classified, tmp_path, encoding):
    path = write_bytes(tmp_path, excel_csv([HEADER, "1,序时推进,年度计划调减后已达序时,张三,2020/7/20",
                                            "3,lagging,\"核查发现未完成，仍在推进\",李四,2020年7月21日"], encoding))
    out = c.apply_overrides(small_classified, path)
    first, third = out.iloc[0], out.iloc[2]
    assert (first.status, first.rule_status, first.status_source) == ("on-track", "lagging", "override")
    assert (first.override_reason, first.override_reviewer, first.override_date) == ("年度计划调减后已达序时", "张三", "2020-07-20")
    assert first.status_evidence == "人工认定：年度计划调减后已达序时（张三，2020-07-20）"
    assert first.rule_evidence == small_classified.iloc[0].status_evidence
    assert (third.status, third.override_date, third.override_reason) == ("lagging", "2020-07-21", "核查发现未完成，仍在推进")
    untouched = out.iloc[1]
    assert (untouched.status_source, untouched.override_reason, untouched.override_date) == ("rule", "", "")
    assert untouched.rule_evidence == untouched.status_evidence == small_classified.iloc[1].status_evidence


def test_utf16_unicode_text_with_tabs(small_classified, tmp_path):
    """Excel's "Unicode 文本" is UTF-16 with a BOM, tab-separated."""
    text = "\r\n".join([HEADER.replace(",", "\t"), "2\t滞后\t实地核查滞后\t王五\t2020-07-15"]) + "\r\n"
    path = write_bytes(tmp_path, text.encode("utf-16"))
    out = c.apply_overrides(small_classified, path)
    assert out.loc[out.task_id == 2, "status"].item() == "lagging"


def test_an_overridden_row_is_no_longer_for_review_and_keeps_its_gap(tmp_path):
    frame = pd.DataFrame([{"task_id": 7, "task": "推进D。", "progress": "完成年度计划的40%，但已完成主体。",
                           "problems": "", "next_steps": ""}])
    classified = c.classify_tasks(frame, as_of="2020-06-30").assign(needs_review=True, review_reason="证据相互矛盾")
    path = write_bytes(tmp_path, f"{HEADER}\n7,completed,主体工程已完工,,\n".encode())
    row = c.apply_overrides(classified, path).iloc[0]
    assert (row.needs_review, row.review_reason) == (False, "")
    assert row.status_evidence == "人工认定：主体工程已完工"  # no reviewer, no date: no empty brackets
    gap = classified.iloc[0].schedule_gap_pts
    assert (math.isnan(gap) and math.isnan(row.schedule_gap_pts)) or row.schedule_gap_pts == gap


def test_evidence_text_leaves_out_empty_parts():
    assert override_evidence("理由", "张三", "2020-07-20") == "人工认定：理由（张三，2020-07-20）"
    assert override_evidence("理由", "", "2020-07-20") == "人工认定：理由（2020-07-20）"
    assert override_evidence("理由", "张三", "") == "人工认定：理由（张三）"


def test_gbk_overrides_with_excel_dates_through_the_stages(tmp_path):
    """The 'done when' case: a GBK, CRLF file with Excel-style dates builds."""
    processed = tmp_path / "processed"
    clean_stage(MINI_TABLE, processed)
    path = write_bytes(tmp_path, excel_csv([HEADER, "5,序时推进,年度计划调整后已达序时,张三,2020/7/20",
                                            "2,滞后,督查组核查认为滞后,李四,2020年7月21日"]))
    classified = analyse_stage(processed, overrides_path=path)
    five = classified.loc[classified.task_id == 5].iloc[0]
    assert (five.status, five.rule_status, five.override_date) == ("on-track", "lagging", "2020-07-20")
    assert five.status_evidence.startswith("人工认定：年度计划调整后已达序时")
    assert "47%" in five.rule_evidence
    summary = store.read_json(processed / "classification.json")
    assert summary["overrides_applied"] == 2
    stored = store.read_table(processed / "tasks_classified.parquet")
    assert stored.loc[stored.task_id == 2, "override_date"].item() == "2020-07-21"
    for column in ("override_reviewer", "override_date", "rule_evidence"):
        assert column in c.STATUS_COLUMNS and column in stored.columns


GOOD = "1,lagging,理由,张三,2020-07-10"


@pytest.mark.parametrize(
    "data, line, chinese",
    [
        (f"{HEADER}\n9,lagging,理由,张三,2020-07-10\n".encode(), 2, "序号 9 不在判定后的任务表中"),
        (f"{HEADER}\n1,done,理由,张三,2020-07-10\n".encode(), 2, "状态“done”无效"),
        (f"{HEADER}\n1,lagging,,张三,2020-07-10\n".encode(), 2, "没有填写原因"),
        (f"{HEADER}\r\n{GOOD}\r\n\r\n1,on-track,理由,李四,2020-07-11\r\n".encode(), 4, "序号 1 重复（第 2 行已认定过）"),
        (f"{HEADER}\n1,lagging,理由,张三,7月10日\n".encode(), 2, "日期“7月10日”无法识别"),
        (f"{HEADER}\n1,lagging,理由,张三,2020/13/01\n".encode(), 2, "日期“2020/13/01”不是有效的日期"),
        (f"{HEADER}\nx,lagging,理由,张三,2020-07-10\n".encode(), 2, "序号 task_id“x”不是数字"),
        (f"{HEADER}\n1,lagging,理由\n".encode(), 2, "应有 5 栏"),
        (f"{HEADER}\n1,lagging,理由,有逗号,张三,2020-07-10\n".encode(), 2, "原因里有逗号时请用英文双引号"),
        (b"id,status,reason,reviewer,date\n", 1, "表头应为 task_id,status,reason,reviewer,date"),
        ("task_id，status，reason，reviewer，date\n".encode("gbk"), 1, "中文逗号"),
        (b"", 1, "文件是空的"),
        (f"{HEADER}\n{GOOD}\n".encode("gbk") + b"2,lagging,\xb2\xe2\xff\xfe,x,2020-07-10\n", 3, "无法识别的字符"),
        (f"{HEADER}\n".encode() + "2,lagging,原因".encode() + b"\xff\xfe\xfd" + b",x,2020-07-10\n", 2, "既不是 UTF-8 也不是 GBK"),
    ],
)
def test_each_fault_names_file_and_line_in_chinese_first(small_classified, tmp_path, data, line, chinese):
    path = write_bytes(tmp_path, data)
    with pytest.raises(OverrideError) as caught:
        c.apply_overrides(small_classified, path)
    message = str(caught.value)
    assert message.startswith(f"人工认定文件 {path} 第 {line} 行："), message
    assert chinese in message and "改法：" in message
    assert caught.value.line == line
    english = message.index(f"({path}, line {line}:")
    assert english > message.index(chinese)  # Chinese first, English after


@pytest.mark.parametrize("data, chinese", [
    (b"PK\x03\x04\x14\x00\x06\x00", "这是 Excel 工作簿"),
    (b"\xff\xfe\x00\xd8", "UTF-16"),
])
def test_files_that_are_not_csv_text(small_classified, tmp_path, data, chinese):
    path = write_bytes(tmp_path, data)
    with pytest.raises(OverrideError, match=chinese) as caught:
        c.apply_overrides(small_classified, path)
    assert str(caught.value).startswith(f"人工认定文件 {path}：") and "CSV UTF-8" in str(caught.value)


def test_missing_file_and_folder(small_classified, tmp_path):
    with pytest.raises(OverrideError, match="文件不存在"):
        c.apply_overrides(small_classified, tmp_path / "missing.csv")
    with pytest.raises(OverrideError, match="文件夹"):
        c.apply_overrides(small_classified, tmp_path)


# ------------------------------------------------ every fault at once; overrides bound to a task text
def test_every_fault_of_the_file_is_listed_at_once(small_classified, tmp_path):
    from src.classify.overrides import OverrideErrors

    path = write_bytes(tmp_path, "\n".join([
        HEADER, "9,lagging,理由,张三,2020-07-10", "1,done,理由,张三,2020-07-10", "2,lagging,,张三,2020-07-10",
        "3,lagging,理由,张三,7月10日"]).encode())
    with pytest.raises(OverrideErrors) as caught:
        c.apply_overrides(small_classified, path)
    message = str(caught.value)
    assert message.startswith(f"人工认定文件 {path} 有 4 处错误")
    for line, words in ((2, "序号 9 不在"), (3, "状态“done”无效"), (4, "没有填写原因"), (5, "日期“7月10日”无法识别")):
        assert f"第 {line} 行：" in message and words in message
    assert [error.line for error in caught.value.errors] == [2, 3, 4, 5]


def test_an_override_made_for_another_task_text_is_not_applied_and_said(small_classified, tmp_path):
    from src.classify.overrides import task_fingerprint

    right = task_fingerprint(small_classified.iloc[0].task)
    other = task_fingerprint("另一项任务：建设某某工程")
    path = write_bytes(tmp_path, "\n".join([
        HEADER + ",task_fingerprint,task",
        f"1,序时推进,核查后已达序时,张三,2020-07-10,{right},推进A。",
        f"2,滞后,上期核查滞后,李四,2020-07-10,{other},另一项任务：建设某某工程"]).encode())
    warnings: list[str] = []
    out = c.apply_overrides(small_classified, path, warnings)
    assert out.loc[out.task_id == 1, "status_source"].item() == "override"
    two = out.loc[out.task_id == 2].iloc[0]
    assert (two.status_source, two.status) == ("rule", small_classified.iloc[1].status)
    assert len(warnings) == 1 and "第 3 行" in warnings[0] and "序号 2" in warnings[0]
    assert "另一项任务：建设某某工程" in warnings[0] and "推进B" in warnings[0]


def test_fingerprint_ignores_spacing_but_not_wording():
    from src.classify.overrides import task_fingerprint

    assert task_fingerprint("推进 A 。") == task_fingerprint("推进A。") == task_fingerprint("推进Ａ。")
    assert task_fingerprint("推进A。") != task_fingerprint("推进B。")


def test_set_override_writes_a_file_the_build_reads(small_classified, tmp_path):
    from src.classify.overrides import read_overrides, remove_override, set_override

    path = tmp_path / "overrides.csv"
    entry = set_override(path, small_classified, 2, "滞后", "督查组核查", "王五", "2020/7/21")
    assert (entry["status"], entry["date"]) == ("lagging", "2020-07-21")
    set_override(path, small_classified, 2, "completed", "复核已完成", "王五", "2020-07-22")  # replaces, not adds
    entries = read_overrides(path, small_classified)
    assert [(e["task_id"], e["status"], e["reason"]) for e in entries] == [(2, "completed", "复核已完成")]
    out = c.apply_overrides(small_classified, path)
    assert out.loc[out.task_id == 2, "status"].item() == "completed"
    with pytest.raises(OverrideError, match="没有填写原因"):
        set_override(path, small_classified, 1, "滞后", "  ")
    assert read_overrides(path, small_classified)[0]["reason"] == "复核已完成"  # a refused change writes nothing
    assert not list(tmp_path.glob(".overrides.csv.*"))  # no temporary file left behind
    assert remove_override(path, small_classified, 2) and read_overrides(path, small_classified) == []


# ------------------------------------------------ the office workbook as an input
def _edit(path, edits: dict[int, dict[str, str]], sheet: str = "全部任务"):
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book[sheet]
    header = [cell.value for cell in ws[1]]
    for row in ws.iter_rows(min_row=2):
        task_id = row[header.index("序号")].value
        for name, value in edits.get(int(task_id) if task_id is not None else -1, {}).items():
            row[header.index(name)].value = value
    book.save(path)


def test_an_edited_workbook_round_trips_into_overrides(mini_processed, tmp_path):
    from src.classify.workbook_overrides import apply_workbook_changes, read_workbook_changes
    from src.report.render import write_excel

    processed = tmp_path / "processed"
    processed.mkdir()
    for name in ("tasks.parquet", "metadata.json"):
        (processed / name).write_bytes((mini_processed / name).read_bytes())
    overrides = tmp_path / "overrides.csv"
    classified = analyse_stage(processed, overrides_path=FIXTURES_NO_OVERRIDES)
    book = write_excel(classified, tmp_path / "key_tasks_classified.xlsx")
    assert read_workbook_changes(book, classified) == []  # as written: nothing to apply
    target = int(classified.loc[classified.status != "lagging", "task_id"].iloc[0])
    _edit(book, {target: {"状态": "滞后", "认定理由": "督查组实地核查确认滞后", "复核人": "张三", "认定日期": "2020/7/20"}})
    changes = read_workbook_changes(book, classified)
    assert [(c.task_id, c.action, c.status, c.reviewer, c.when) for c in changes] == [
        (target, "set", "lagging", "张三", "2020-07-20")]
    assert "→ 滞后" in changes[0].sentence() and "督查组实地核查确认滞后" in changes[0].sentence()
    apply_workbook_changes(changes, overrides, classified)
    rebuilt = analyse_stage(processed, overrides_path=overrides)
    row = rebuilt.loc[rebuilt.task_id == target].iloc[0]
    assert (row.status, row.status_source, row.override_reviewer) == ("lagging", "override", "张三")
    again = write_excel(rebuilt, tmp_path / "again.xlsx")
    assert read_workbook_changes(again, rebuilt) == []  # the round trip is stable
    from src.report.style import status_label

    _edit(again, {target: {"状态": status_label(row.rule_status), "认定理由": None}})  # back to the rule's status
    assert [c.action for c in read_workbook_changes(again, rebuilt)] == ["remove"]


def test_every_fault_of_an_edited_workbook_is_listed_and_nothing_applied(mini_processed, tmp_path):
    from src.classify.workbook_overrides import WorkbookError, read_workbook_changes
    from src.report.render import write_excel

    classified = store.read_table(mini_processed / "tasks_classified.parquet")
    book = write_excel(classified, tmp_path / "key_tasks_classified.xlsx")
    ids = classified["task_id"].astype(int).tolist()
    _edit(book, {ids[0]: {"状态": "差不多"}, ids[1]: {"状态": "已完成" if classified.status.iloc[1] != "completed" else "滞后"},
                 ids[2]: {"认定日期": "七月", "状态": "滞后" if classified.status.iloc[2] != "lagging" else "已完成",
                          "认定理由": "核查"}})
    with pytest.raises(WorkbookError) as caught:
        read_workbook_changes(book, classified)
    assert len(caught.value.faults) == 3
    message = str(caught.value)
    assert "状态“差不多”无效" in message and "认定理由是空的" in message and "认定日期“七月”" in message
    assert "工作表“全部任务”第 2 行" in message
