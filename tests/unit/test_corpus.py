"""Every file of the bad-input corpus gets its exact answer, in every format.

Fatal files: a RawTableError naming the file, the sheet or table (formats that
have several), the line or row (when there is one) and saying what is wrong.
Recovered files: all rows written and a warning that names the row, or, for
the normal features of a format (merged cells, a header repeated on each PDF
page, GBK CSV), no warning at all.
"""
from __future__ import annotations

import pytest

from src.table.ingest.legacy import soffice_path
from src.table.parse import NO_LEADERS_WARNING, RawTableError, parse_table
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"

FATAL = {
    # file: (line or None, words the message must contain)
    "fatal_empty.md": (None, "empty file"),
    "fatal_no_table.md": (None, "no table rows"),
    "fatal_header_missing.md": (16, "no header row"),
    "fatal_header_missing_column.md": (16, "lacks column progress"),
    "fatal_too_few_fields.md": (25, "row has 3 fields, expected 5"),
    "fatal_too_many_fields.md": (25, "row has 6 fields, expected 5"),
    "fatal_non_numeric_id.md": (25, "non-numeric task id"),
    "fatal_duplicate_id.md": (26, "duplicate task id"),
    "fatal_row_before_leader.md": (15, "before any leader heading"),
    "fatal_bad_encoding.md": (17, "not UTF-8, GBK or GB18030"),
    "fatal_csv_short_row.csv": (18, "row has 2 fields, expected 5"),
    "fatal_csv_bad_encoding.csv": (6, "not UTF-8, GBK or GB18030"),
    "fatal_csv_no_header.csv": (4, "no header row found"),
    "fatal_legacy_word.doc": (None, "save the file as .docx"),
    "fatal_legacy_wps_sheet.et": (None, "save the file as .xlsx"),
    "fatal_not_really.xlsx": (None, "content does not match the .xlsx extension"),
    "fatal_unsupported.odt": (None, "save as .xlsx or .docx"),
    "fatal_xlsx_truncated.xlsx": (None, "corrupt zip"),
    "fatal_pdf_no_table.pdf": (None, "no ruled table found"),
    "fatal_pdf_scanned.pdf": (None, "不支持扫描件"),
}
# Formats with sheets, Word tables or PDF pages: (sheet or table, row, words).
FATAL_IN_TABLE = {
    "fatal_xlsx_missing_column.xlsx": ("工作表“汇总表”", 4, "lacks column progress"),
    "fatal_xlsx_overlong_row.xlsx": ("工作表“汇总表”", 10, "row has 6 fields, expected 5"),
    "fatal_xls_duplicate_id.xls": ("工作表“Sheet1”", 12, "duplicate task id"),
    "fatal_docx_missing_column.docx": ("第1个表格", 1, "lacks column lead_unit"),
    "fatal_docx_non_numeric_id.docx": ("第2个表格", 4, "non-numeric task id"),
    "fatal_pdf_missing_column.pdf": ("第1页", 4, "lacks column lead_unit"),
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
    "ok_csv_no_leaders.csv": (9, NO_LEADERS_WARNING, None),
    "ok_xls_saved_as_xlsx.xlsx": (9, "实际是旧版 .xls 格式", None),
    "ok_xlsx_unknown_column.xlsx": (9, "未识别的列：备注", 4),
    "ok_xls_continuation_row.xls": (9, "已并入上一行", 11),
    "ok_docx_section_rows.docx": (9, "进展情况为空", 6),
}
# Normal features, read without any warning: (tasks written, recognised-row counts at least).
CLEAN = {
    "ok_formula.md": (9, {"repeated_header_rows": 3}),
    "ok_header_reordered.md": (9, {}),
    "ok_csv_gbk.csv": (9, {"leader_sections": 3}),
    "ok_csv_trailing_comma.csv": (9, {"leader_sections": 3}),
    "ok_csv_excel_unicode_text.txt": (9, {"leader_sections": 3}),
    "ok_xlsx_leader_column.xlsx": (4, {"leader_cells_carried_down": 2}),
    "ok_pdf_split_rows.pdf": (9, {"repeated_header_rows": 1, "continuation_rows": 1, "leader_sections": 3}),
}


def test_corpus_is_complete():
    names = {p.name for p in CORPUS.iterdir()}
    assert names == set(FATAL) | set(FATAL_IN_TABLE) | set(RECOVERED) | set(CLEAN)
    formats = {name.rsplit(".", 1)[1] for name in names}
    assert {"md", "csv", "txt", "xlsx", "xls", "docx", "pdf", "doc", "et"} <= formats
    for fmt in ["md", "csv", "xlsx", "xls", "docx", "pdf"]:  # every format has fatal and recovered entries
        assert any(n.startswith("fatal_") and n.endswith("." + fmt) for n in names), fmt
        assert any(n.startswith("ok_") and n.endswith("." + fmt) for n in names), fmt


@pytest.mark.parametrize("name", sorted(FATAL))
def test_fatal_inputs_name_file_line_and_fault(name):
    line, words = FATAL[name]
    if name.startswith("fatal_legacy_") and soffice_path():
        pytest.skip("LibreOffice is installed: legacy files are converted, not refused")
    with pytest.raises(RawTableError) as caught:
        parse_table(CORPUS / name)
    error = caught.value
    message = str(error)
    assert name in message and words in message
    assert error.line == line
    if line:
        assert f"{name}:{line}:" in message


@pytest.mark.parametrize("name", sorted(FATAL_IN_TABLE))
def test_fatal_inputs_name_sheet_or_table_and_row(name):
    table, line, words = FATAL_IN_TABLE[name]
    with pytest.raises(RawTableError) as caught:
        parse_table(CORPUS / name)
    error = caught.value
    assert (error.table, error.line) == (table, line)
    assert f"{name}:{table}:第{line}行:" in str(error) and words in str(error)


def test_a_missing_column_names_the_columns_found_and_the_one_missing():
    with pytest.raises(RawTableError) as caught:
        parse_table(CORPUS / "fatal_xlsx_missing_column.xlsx")
    message = str(caught.value)
    assert "表头缺少“进展情况”列" in message
    assert "找到的列为 序号 / 2020年重点工作 / 牵头单位 / 备注 / 存在问题及下一步工作安排" in message
    assert "table_format.toml" in message


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_normal_features_are_read_without_warnings(name):
    written, counts = CLEAN[name]
    parsed = parse_table(CORPUS / name)
    assert parsed.rows_read == written == len(parsed.tasks)
    assert parsed.warnings == []
    for key, least in counts.items():
        assert parsed.recognised[key] >= least, (key, parsed.recognised)


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
        if matching[0].table:  # a sheet or Word table is named before the row
            assert f"{matching[0].table}第{line}行" in " ".join(str(w) for w in matching)
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


def test_reordered_columns_are_read_by_their_names():
    reference = parse_table(FIXTURES / "mini_table.md").tasks
    swapped = parse_table(CORPUS / "ok_header_reordered.md").tasks
    assert swapped[["task", "lead_unit"]].equals(reference[["task", "lead_unit"]])


def test_formula_like_cells_stay_text_and_repeated_headers_are_counted_not_warned():
    parsed = parse_table(CORPUS / "ok_formula.md")
    steps = parsed.tasks.set_index("task_id")["next_steps"]
    assert steps[2] == '=HYPERLINK("http://evil","点击")' and steps[3] == "+1+1"
    headers = [line for line in (CORPUS / "ok_formula.md").read_text(encoding="utf-8").split("\n") if line.startswith("序号")]
    assert parsed.quality["recognised_rows"]["repeated_header_rows"] == len(headers) - 1 == 4
    assert not any("表头" in w for w in parsed.quality["warnings"])


def test_other_formats_of_the_mini_table_give_its_text():
    reference = parse_table(FIXTURES / "mini_table.md").tasks
    for name in ["ok_csv_gbk.csv", "ok_csv_trailing_comma.csv", "ok_csv_excel_unicode_text.txt", "ok_xls_saved_as_xlsx.xlsx",
                 "ok_pdf_split_rows.pdf"]:
        tasks = parse_table(CORPUS / name).tasks
        for column in ["task", "lead_unit", "progress", "problems", "next_steps", "leader"]:
            assert tasks[column].str.replace(r"\s+", "", regex=True).tolist() == (
                reference[column].str.replace(r"\s+", "", regex=True).tolist()
            ), (name, column)


def test_a_table_without_leaders_keeps_every_task_with_an_empty_leader():
    parsed = parse_table(CORPUS / "ok_csv_no_leaders.csv")
    assert parsed.tasks["leader"].eq("").all() and parsed.tasks["leader_order"].eq(0).all()
    assert parsed.metadata["leader_source"] == "none" and parsed.metadata["leaders"] == []
    assert parsed.quality["leaders"] == 0


def test_gbk_csv_is_decoded_and_its_encoding_recorded():
    parsed = parse_table(CORPUS / "ok_csv_gbk.csv")
    assert parsed.metadata["encoding"] == "gb18030"
    assert parsed.metadata["as_of"] == "2020-06-30"
