"""The parser on real tricky rows of the 2020 table, and on the whole table."""
from __future__ import annotations

import pandas as pd
import pytest

from src import store
from src.pipeline import clean_stage
from src.table.parse import (
    RawTableError,
    check_all_rows_accounted,
    clean_cell,
    join_cjk_spaces,
    parse_leader_heading,
    parse_table,
    split_fifth_column,
    split_lead_units,
)
from tests.conftest import REAL_TABLE

LEADERS = ["刘忻", "戴建平", "柯吉欣", "缪承潮", "王宏", "胡伟", "陈国妹", "陈卫强"]


def test_every_row_of_the_real_table_is_a_task(real_parsed):
    tasks = real_parsed.tasks
    assert real_parsed.rows_read == 143 == len(tasks)
    assert tasks["task_id"].tolist() == list(range(1, 144))
    assert tasks["task"].str.len().gt(0).all()
    check_all_rows_accounted(real_parsed)


def test_leaders_in_table_of_contents_order(real_tasks):
    order = real_tasks.drop_duplicates("leader").sort_values("leader_order")
    assert order["leader"].tolist() == LEADERS
    assert order["leader_order"].tolist() == list(range(1, 9))
    assert dict(zip(order["leader"], order["leader_title"]))["刘忻"] == "市长"
    assert dict(zip(order["leader"], order["leader_title"]))["戴建平"] == "常务副市长"
    assert set(order["leader_title"]) == {"市长", "常务副市长", "副市长"}
    # every task sits under exactly one leader, in contiguous blocks
    assert real_tasks.groupby("leader")["leader_order"].nunique().eq(1).all()
    assert real_tasks["leader_order"].is_monotonic_increasing


def test_document_header_becomes_metadata(real_parsed):
    meta = real_parsed.metadata
    assert meta["title"] == "2020年政府工作报告重点工作半年度完成情况汇总表"
    assert meta["issuing_office"] == "杭州市人民政府督查室"
    assert meta["issued"] == "2020-07"
    assert meta["period"] == "半年度"
    assert meta["as_of"] == "2020-06-30"


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("## 刘忻市长主抓重点工作", ("刘忻", "市长")),
        ("刘 忻市长主抓重点工作.....\t( 1 )", ("刘忻", "市长")),
        ("## 戴建平常务副市长牵头重点工作", ("戴建平", "常务副市长")),
        ("王 宏副市长牵头重点工作.....", ("王宏", "副市长")),
        ("## 目 录", None),
    ],
)
def test_leader_headings(heading, expected):
    assert parse_leader_heading(heading) == expected


def test_list_cells_keep_numbered_items_on_their_own_lines():
    raw = '<ol style="list-style-type: none"> <li>1. 建立领导小组；</li> <li>2. 组织考评；</li> </ol>'
    assert clean_cell(raw).text == "1. 建立领导小组；\n2. 组织考评；"
    assert clean_cell("<p>1. 第一项。</p> <p>2. 第二项。</p>").text == "1. 第一项。\n2. 第二项。"
    # inline numbering after a full stop is split too, decimals are not
    assert clean_cell("存在的问题：报批时间紧。1.抓紧细化方案。2.加强交流，完成 2.5 亿元").text == (
        "存在的问题：报批时间紧。\n1.抓紧细化方案。\n2.加强交流，完成 2.5 亿元"
    )


def test_real_cells_have_no_tags_or_entities_left(real_tasks):
    text = real_tasks[["task", "lead_unit", "progress", "problems", "next_steps"]].agg("\n".join, axis=1)
    assert not text.str.contains(r"</?(?:p|li|ol|ul|br)\b", regex=True).any()
    assert not text.str.contains(r"&(?:nbsp|amp|lt|gt|quot);", regex=True).any()
    row2 = real_tasks.set_index("task_id").loc[2, "progress"]
    assert row2.split("\n")[0] == "1. 建立健全杭州市建设法治政府（依法行政）工作领导小组；"
    assert len(row2.split("\n")) == 3


def test_lead_unit_line_break_artefacts_are_repaired(real_tasks):
    units = real_tasks.set_index("task_id")["lead_unit"]
    assert units[121] == "市委宣传部"
    assert units[42] == "钱塘新区管委会"
    assert units[61] == "市钱江新城管委会(市钱江新城指挥部)"
    assert join_cjk_spaces("市委宣传 部") == "市委宣传部"


def test_lead_units_split_but_brackets_kept(real_tasks):
    units = real_tasks.set_index("task_id")["lead_units"]
    assert units[39] == ["市防范金融风险暨网络借贷风险处置领导小组办公室（市金融办）"]
    assert units[44] == ["杭州高新开发区(滨江)管委会", "政府"]
    assert split_lead_units("市发改委、市经信局，市科技局") == ["市发改委", "市经信局", "市科技局"]
    assert split_lead_units("市园文局（市运河综保委、市西湖局）") == ["市园文局（市运河综保委、市西湖局）"]


def test_fifth_column_split_on_its_labels(real_tasks):
    row = real_tasks.set_index("task_id")
    assert row.loc[24, "problems"].startswith("1. 地铁方工作面移交时间一再延迟")
    assert row.loc[24, "next_steps"].startswith("1. 航站楼项目将进一步增加劳务人员")
    assert "下一步" not in row.loc[24, "problems"]
    assert row.loc[45, "problems"] == "报批时间紧,要抓紧推进。"  # half-width colons
    assert row.loc[46, "next_steps"].startswith("发挥上半年国际捐赠成果优势")  # 下一步思路
    assert row.loc[39, "problems"] == "" and row.loc[39, "next_steps"] == "已完成"
    # unlabelled problem statement before a next-steps label
    assert row.loc[60, "problems"].startswith("努力争取资源空间最大化")
    # every labelled cell was split: no label survives inside next_steps
    assert not row["next_steps"].str.contains(r"^(?:存在的?问题|下一步工作安排)\s*[:：]", regex=True).any()


def test_split_fifth_column_variants():
    assert split_fifth_column("存在问题：资金不足。下一步计划：加快推进。") == ("资金不足。", "加快推进。")
    assert split_fifth_column("加快推进。") == ("", "加快推进。")
    assert split_fifth_column("存在的问题: 用地紧张") == ("用地紧张", "")


def test_csv_is_deterministic_bom_and_round_trips(tmp_path):
    first = clean_stage(REAL_TABLE, tmp_path / "a")
    clean_stage(REAL_TABLE, tmp_path / "b")
    a = (tmp_path / "a" / "tasks.csv").read_bytes()
    assert a == (tmp_path / "b" / "tasks.csv").read_bytes()
    assert a.startswith(b"\xef\xbb\xbf")
    back = store.read_tasks_csv(tmp_path / "a" / "tasks.csv")
    pd.testing.assert_frame_equal(
        back.astype(object), first.tasks.astype(object), check_dtype=False
    )
    parquet = store.read_table(tmp_path / "a" / "tasks.parquet")
    assert parquet["lead_units"].tolist() == first.tasks["lead_units"].tolist()


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RawTableError, match="file not found"):
        parse_table(tmp_path / "nope.md")


def test_errors_and_warnings_name_the_sheet_or_table_when_there_is_one():
    from src.table.parse import ParseIssue

    assert str(RawTableError("a.md", 12, "字段数为 3")) == "a.md:12: 字段数为 3"
    error = RawTableError("a.xlsx", 7, "字段数为 3", table="工作表“汇总”")
    assert str(error) == "a.xlsx:工作表“汇总”:第7行: 字段数为 3" and (error.table, error.line) == ("工作表“汇总”", 7)
    assert str(ParseIssue(5, "进展情况为空", 3, "第2个表格")) == "第2个表格第5行（序号 3）：进展情况为空"
    assert str(ParseIssue(5, "进展情况为空", 3)) == "第5行（序号 3）：进展情况为空"


def test_plain_text_cells_keep_markup_and_entities_as_typed():
    from src.table.parse import clean_text_cell

    assert clean_text_cell("<p>已完成</p> &amp; 推进中").text == "<p>已完成</p> &amp; 推进中"
    assert clean_text_cell("第一行_x000D_\r\n  第二行。2. 第三项").text == "第一行\n第二行。\n2. 第三项"
    assert clean_cell("<p>已完成</p> &amp; 推进中").text == "已完成\n& 推进中"


def test_repeated_headers_are_counted_in_the_quality_summary_not_warned(real_parsed):
    from src.table.parse import quality_table

    quality = real_parsed.quality
    assert quality["recognised_rows"]["repeated_header_rows"] == 71
    assert quality["recognised_rows"]["leader_sections"] == 8
    assert quality["warnings"] == []
    table = quality_table(real_parsed).set_index("项目")["值"]
    assert table["重复的表头行（分页、分节处）"] == "71" and table["警告数"] == "0"
