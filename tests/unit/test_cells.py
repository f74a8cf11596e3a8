"""Cell cleaning: the converter's formatting HTML to text, markup typed into a cell kept as text,
entities and line ends decoded, numbered items one per line."""
from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from src.table.cells import clean_cell, clean_text_cell, tidy_text


@pytest.mark.parametrize("raw, text", [
    ("", ""),
    ("市政府办公厅", "市政府办公厅"),
    ("<p>1. 第一项；</p><p>2. 第二项。</p>", "1. 第一项；\n2. 第二项。"),
    ('<ol style="list-style-type: none"> <li>1. 建立领导小组；</li> <li>2. 组织考评；</li> </ol>',
     "1. 建立领导小组；\n2. 组织考评；"),
    ("完成&nbsp;投资&amp;建设，进度&lt;50%&gt;", "完成 投资&建设，进度<50%>"),
    ("第一行&#13;第二行&#13;&#10;第三行", "第一行\n第二行\n第三行"),
    ("存在的问题：报批时间紧。1.抓紧细化方案。2.加强交流，完成 2.5 亿元",
     "存在的问题：报批时间紧。\n1.抓紧细化方案。\n2.加强交流，完成 2.5 亿元"),
    ("a < b 且 c > d", "a < b 且 c > d"),
])
def test_formatting_html_becomes_text_with_one_item_per_line(raw, text):
    cleaned = clean_cell(raw)
    assert cleaned.text == text and cleaned.notes == []


def test_markup_typed_into_a_cell_is_kept_as_text_with_a_note():
    cleaned = clean_cell("<script>alert(1)</script>")
    assert cleaned.text == "<script>alert(1)</script>"
    assert cleaned.notes == ["单元格含有非排版标记 (<script>)，按原文文本保留，不会执行"]
    unclosed = clean_cell("<p>未闭合")
    assert unclosed.text == "未闭合" and "标签不配对 (<p>)" in unclosed.notes[0]


@pytest.mark.parametrize("raw, text", [
    ("<![<p>进展</p>", "<![\n进展"),  # "<![" not followed by a name: typed text, the rest read on
    ("<p>完成<![ 50%</p>", "完成<![ 50%"),
    ("<![", "<!["),
    ("<![CDATA[x]]>", "<![CDATA[x]]>"),
    ("<![if !supportLists]>1.<![endif]>", "<![if !supportLists]>1.<![endif]>"),  # Word's marked sections, as written
])
def test_declarations_typed_into_a_cell_stay_text_and_never_raise(raw, text):
    assert clean_cell(raw).text == text


def test_plain_text_cells_read_no_markup():
    assert clean_text_cell("<p>已完成</p>").text == "<p>已完成</p>"
    assert clean_text_cell(None).text == ""


PIECES = [
    "<p>", "</p>", "<li>", "</li>", '<ol style="list-style-type: none">', "</ol>", "<br>", "<br/>", "</br>",
    "<P>", "<p/>", "</p/>", "< p>", "<b>", "</b>", "<script>", "<div class=\"x\">", "</div>",
    "&amp;", "&nbsp;", "&#13;", "&#10;", "&lt;", "&am", "p;", "&", "<", ">",
    "\r", "\r\n", "\n", "\t", " ", "  ", "\xa0", "\u3000", "\f", "\v", "\u2028",
    "。", "；", "1.", "2、", "十.", "一、", "12.5", "e\u0301", "\u212b", "中文", "市", "a", "_x000D_",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@example("<![<p>")  # Python 3.11's parser raised on "<![" not followed by a name
def test_any_cell_cleans_without_error_to_tidy_text(raw):
    text = clean_cell(raw).text
    assert "\r" not in text and tidy_text(text) == text
