"""Every file of the bad-input corpus gets its exact answer.

Fatal files: a RawTableError naming the file and the line (when there is one)
and saying what is wrong. Recovered files: all rows written and a warning that
names the row.
"""
from __future__ import annotations

import pytest

from src.parse import RawTableError, parse_table
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"

FATAL = {
    # file: (line or None, words the message must contain)
    "fatal_empty.md": (None, "empty file"),
    "fatal_no_table.md": (None, "no table rows"),
    "fatal_header_missing.md": (16, "no header row"),
    "fatal_header_reordered.md": (16, "reordered columns"),
    "fatal_too_few_fields.md": (25, "row has 3 fields, expected 5"),
    "fatal_too_many_fields.md": (25, "row has 6 fields, expected 5"),
    "fatal_non_numeric_id.md": (25, "non-numeric task id"),
    "fatal_duplicate_id.md": (26, "duplicate task id"),
    "fatal_row_before_leader.md": (15, "before any leader heading"),
    "fatal_bad_encoding.md": (17, "not UTF-8, GBK or GB18030"),
}

RECOVERED = {
    # file: (tasks written, words one warning must contain, line that warning names or None)
    "ok_bom.md": (9, "BOM", 1),
    "ok_crlf.md": (9, "CRLF", None),
    "ok_gbk.md": (9, "GB18030", None),
    "ok_gb18030.md": (9, "GB18030", None),
    "ok_fullwidth_id.md": (9, "全角数字或空白", 25),
    "ok_blank_cell.md": (9, "为空", 23),
    "ok_id_gap.md": (8, "缺少 6", None),
    "ok_trailing_spaces.md": (9, "行尾有多余空白", 17),
    "ok_trailing_tab.md": (9, "多余的空字段", 22),
    "ok_entities.md": (9, "HTML 实体", 23),
    "ok_unclosed_tags.md": (9, "标签不配对", 23),
    "ok_spaced_leader.md": (9, "领导标题含空格", 14),
    "ok_split_row.md": (9, "已合并", 23),
    "ok_markup.md": (9, "非排版标记", 22),
    "ok_formula.md": (9, "表头", 21),
}


def test_corpus_is_complete():
    assert {p.name for p in CORPUS.glob("*.md")} == set(FATAL) | set(RECOVERED)


@pytest.mark.parametrize("name", sorted(FATAL))
def test_fatal_inputs_name_file_line_and_fault(name):
    line, words = FATAL[name]
    with pytest.raises(RawTableError) as caught:
        parse_table(CORPUS / name)
    error = caught.value
    message = str(error)
    assert name in message and words in message
    assert error.line == line
    if line:
        assert f"{name}:{line}:" in message


@pytest.mark.parametrize("name", sorted(RECOVERED))
def test_recovered_inputs_build_with_a_warning_naming_the_row(name):
    written, words, line = RECOVERED[name]
    parsed = parse_table(CORPUS / name)
    assert parsed.rows_read == written == len(parsed.tasks)
    matching = [w for w in parsed.warnings if words in w.message]
    assert matching, [str(w) for w in parsed.warnings]
    if line is not None:
        assert line in {w.line for w in matching}
        assert f"第{line}行" in " ".join(str(w) for w in matching)
    assert any(words in text for text in parsed.quality["warnings"])


def test_encodings_decode_to_the_same_text():
    reference = parse_table(FIXTURES / "mini_table.md").tasks
    for name in ["ok_bom.md", "ok_crlf.md", "ok_gbk.md"]:
        tasks = parse_table(CORPUS / name).tasks
        assert tasks["task"].tolist() == reference["task"].tolist(), name
        assert tasks["progress"].tolist() == reference["progress"].tolist(), name
    gb18030 = parse_table(CORPUS / "ok_gb18030.md").tasks
    assert "㐀" in gb18030["lead_unit"].str.cat()


def test_repairs_give_clean_values():
    ids = parse_table(CORPUS / "ok_fullwidth_id.md").tasks["task_id"].tolist()
    assert ids == list(range(1, 10))
    gap = parse_table(CORPUS / "ok_id_gap.md").tasks["task_id"].tolist()
    assert gap == [1, 2, 3, 4, 5, 7, 8, 9]  # reported, never renumbered
    entities = parse_table(CORPUS / "ok_entities.md").tasks.set_index("task_id")
    assert entities.loc[3, "progress"] == '完成 投资&建设，进度<50%>，"稳步"推进。'
    spaced = parse_table(CORPUS / "ok_spaced_leader.md").tasks
    assert spaced["leader"].iloc[0] == "刘忻"
    split = parse_table(CORPUS / "ok_split_row.md").tasks.set_index("task_id")
    assert split.loc[3, "progress"] == "第一段进展\n第二段进展"


def test_markup_in_cells_is_kept_as_text_not_dropped_or_parsed():
    tasks = parse_table(CORPUS / "ok_markup.md").tasks.set_index("task_id")
    assert "<script>alert('x')</script>" in tasks.loc[3, "progress"]
    assert "<img src=x onerror=alert(1)>" in tasks.loc[2, "task"]
