"""The Word documents: 公文 layout (GB/T 9704), read back with python-docx; markup stays text."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace

import pytest

docx = pytest.importorskip("docx")
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Mm, Pt  # noqa: E402

from src.report import word  # noqa: E402
from src.report.model import load_report  # noqa: E402
from tests.conftest import FIXTURES  # noqa: E402


@pytest.fixture(scope="module")
def leader_docx(mini_processed, tmp_path_factory):
    path = tmp_path_factory.mktemp("word") / "leader.docx"
    report = load_report(mini_processed / "tasks_classified.parquet", leader="戴建平")
    return word.write_report_docx(report, path), report


@pytest.fixture(scope="module")
def overview_docx(mini_processed, tmp_path_factory):
    path = tmp_path_factory.mktemp("word") / "overview.docx"
    return word.write_report_docx(load_report(mini_processed / "tasks_classified.parquet"), path)


def _east_asian(element) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts")) if element.tag != qn("w:rPr") else element.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_page_is_a4_with_gbt9704_margins(leader_docx):
    document = docx.Document(leader_docx[0])
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    for side, mm in {"top_margin": 37, "bottom_margin": 35, "left_margin": 28, "right_margin": 26}.items():
        assert abs(getattr(section, side) - Mm(mm)) < Mm(0.5), side


def _title(document):
    return next(p for p in document.paragraphs if p.style.name == "公文标题")


def test_title_body_and_headings_use_the_official_fonts_sizes_and_spacing(leader_docx):
    document = docx.Document(leader_docx[0])
    title = _title(document)
    assert title.text == "关于戴建平常务副市长牵头重点工作2020年半年度进展情况的专报"
    assert title.style.font.size == Pt(22)
    assert _east_asian(title.runs[0]._element) == "方正小标宋简体"
    body = document.styles["公文正文"]
    assert body.font.size == Pt(16)
    assert body.paragraph_format.line_spacing == Pt(28.95)
    assert body.paragraph_format.line_spacing_rule == docx.enum.text.WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters
    assert _east_asian(body.element.find(qn("w:rPr"))) == "仿宋_GB2312"
    heading = document.styles["Heading 1"]
    assert _east_asian(heading.element.find(qn("w:rPr"))) == "黑体" and heading.font.size == Pt(16)
    assert _east_asian(document.styles["Heading 2"].element.find(qn("w:rPr"))) == "楷体_GB2312"
    body_runs = [run for p in document.paragraphs if p.style.name == "公文正文" for run in p.runs if run.text.strip()]
    assert body_runs and all(_east_asian(run._element) == "仿宋_GB2312" for run in body_runs)


def test_a_leader_gets_a_special_report_addressed_to_them(leader_docx):
    document = docx.Document(leader_docx[0])
    texts = [p.text for p in document.paragraphs]
    title_at = texts.index(_title(document).text)
    assert texts[0] == "督查专报" and texts[1] == "第1期"
    assert "杭州市人民政府督查室\t2020年7月" in texts[2]  # the office and the period's issue date, not the build date
    assert texts[title_at + 1] == "戴建平常务副市长："
    assert re.fullmatch(r"现将您牵头的\d+项重点工作半年度进展情况报告如下：", texts[title_at + 2])
    assert "杭州市人民政府督查室" in texts[title_at:] and "2020年7月" in texts[title_at:]  # 落款


def test_the_notice_has_masthead_recipients_and_signature(overview_docx):
    from src.report.office import office_settings

    document = docx.Document(overview_docx)
    texts = [p.text for p in document.paragraphs]
    settings = office_settings()
    assert texts[0] == settings.office.publication and texts[1] == f"第{settings.office.issue_number}期"
    title_at = texts.index(_title(document).text)
    assert texts[title_at].startswith("关于全市重点工作") and texts[title_at].endswith("的通报")
    assert texts[title_at + 1] == f"{settings.office.recipients}："
    signature = texts.index("杭州市人民政府督查室", title_at)
    assert texts[signature + 1] == "2020年7月"


def test_document_grid_gives_22_lines_of_28_characters(leader_docx):
    document = docx.Document(leader_docx[0])
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    height = Mm(297 - 37 - 35).pt
    width = Mm(210 - 28 - 26).pt
    assert int(height / int(grid.get(qn("w:linePitch"))) * 20) == 22
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int(width / pitch) == 28
    # characters condensed so that 28 (not 27, not 29) 三号 characters fill a line without the grid too
    spacing = document.styles["Normal"].element.find(qn("w:rPr")).find(qn("w:spacing"))
    advance = 16 + int(spacing.get(qn("w:val"))) / 20
    assert int(width // advance) == 28


def test_document_properties_are_the_offices(leader_docx):
    path, report = leader_docx
    document = docx.Document(path)
    properties = document.core_properties
    assert properties.title == _title(document).text
    assert properties.author == "杭州市人民政府督查室" and properties.language == "zh-CN"
    assert properties.created.year == 2020 and properties.created.month == 7  # the period's issue date
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        app = archive.read("docProps/app.xml").decode("utf-8")
        settings = archive.read("word/settings.xml").decode("utf-8")
        rels = archive.read("_rels/.rels").decode("utf-8")
    assert "docProps/thumbnail.jpeg" not in names and "thumbnail" not in rels
    assert "Macintosh" not in app and "杭州市人民政府督查室" in app
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings


def test_table_grids_hold_the_intended_widths(leader_docx, overview_docx):
    for path in (leader_docx[0], overview_docx):
        for table in docx.Document(path).tables:
            grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
            assert abs(sum(grid) - Mm(156).twips) < 30
            assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
            for row in table._tbl.tr_lst:
                position = 0
                for tc in row.tc_lst:
                    span = tc.grid_span
                    width = int(tc.tcPr.tcW.get(qn("w:w")))  # twips, like the grid
                    assert abs(width - sum(grid[position:position + span])) < 20
                    position += span
                assert position == len(grid)  # a detail row spans the whole width


def test_no_theme_fonts_anywhere(leader_docx):
    with zipfile.ZipFile(leader_docx[0]) as archive:
        for name in ("word/document.xml", "word/styles.xml"):
            xml = archive.read(name).decode("utf-8")
            assert "eastAsiaTheme" not in xml and "asciiTheme" not in xml, name
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    for official, substitute in word.FONTS.values():
        assert f'w:name="{official}"' in fonts
        assert f'w:val="{substitute}"' in fonts  # the open substitute is named in the font table


def test_headings_come_in_notice_order_then_the_annexes(leader_docx):
    document = docx.Document(leader_docx[0])
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "一、总体情况" and headings[-1].endswith("、工作建议")
    texts = [p.text for p in document.paragraphs]
    assert texts.index("附件1") > texts.index(headings[-1])
    annex_line = next(p for p in document.paragraphs if p.text.startswith("附件："))
    assert annex_line.text == "附件：1. 滞后任务及督办建议"
    assert annex_line.style.name == "公文正文" and annex_line.paragraph_format.first_line_indent in (None, Pt(32))
    assert document.styles["公文正文"].paragraph_format.first_line_indent == Pt(32)  # two characters
    assert "附件2" in texts
    assert any(p.text.startswith("截至6月底，戴建平常务副市长牵头的") for p in document.paragraphs)


def test_table_cells_do_not_use_the_fixed_body_spacing(leader_docx):
    document = docx.Document(leader_docx[0])
    style = document.styles["表格文字"]
    assert style.paragraph_format.line_spacing == Pt(14)  # a table line, not the body's 28.95 pt
    assert style.font.size == Pt(10.5)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    assert paragraph.style.name == "表格文字"


def test_task_tables_hold_every_task_with_header_repeated(leader_docx):
    path, report = leader_docx
    document = docx.Document(path)
    everything = document.tables[-1]
    assert [c.text for c in everything.rows[0].cells] == ["序号", "重点工作", "牵头单位", "状态", "判定依据"]
    assert [c.text for c in document.tables[0].rows[0].cells] == ["序号", "重点工作", "牵头单位", "亮灯", "判定依据"]
    assert everything.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    ids = [row.cells[0].text for row in everything.rows[1:]]
    assert ids == [str(i) for i in sorted(report.tasks["task_id"])]
    lagging = report.tasks[report.tasks["status"] == "lagging"]
    annex_text = "\n".join(cell.text for row in document.tables[0].rows for cell in row.cells)
    for task in lagging.itertuples():
        assert str(task.task_id) in annex_text


def test_page_numbers_are_page_fields_at_the_outer_side(leader_docx):
    document = docx.Document(leader_docx[0])
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for paragraph, alignment in ((odd, "RIGHT"), (even, "LEFT")):
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.alignment.name == alignment
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert _east_asian(paragraph.runs[0]._element) == "宋体" and paragraph.runs[0].font.size == Pt(14)


def test_overview_has_the_leaders_annex(overview_docx):
    document = docx.Document(overview_docx)
    assert _title(document).text.startswith("关于全市重点工作")
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells][:3] == ["领导", "职务", "任务数"]
    ranking = document.tables[1]
    assert [c.text for c in ranking.rows[0].cells] == ["名次", "牵头单位", "任务数", "滞后", "平均差距（百分点）"]
    # 存在问题 grouped by leader under （一）（二）… in 楷体
    subheadings = [p for p in document.paragraphs if p.style.name == "Heading 2"]
    assert subheadings and subheadings[0].text.startswith("（一）") and "牵头的" in subheadings[0].text
    assert all(_east_asian(run._element) == "楷体_GB2312" for p in subheadings for run in p.runs)
    texts = [p.text for p in document.paragraphs]
    problems = next(t for t in texts if t.endswith("、存在问题"))
    requirements = next(t for t in texts if t.endswith("、下一步工作要求"))
    assert texts.index(problems) < texts.index(subheadings[0].text) < texts.index(requirements)


def test_chinese_numbers_for_subheadings():
    assert [word._chinese_number(n) for n in (1, 10, 11, 12, 20, 23)] == ["一", "十", "十一", "十二", "二十", "二十三"]
    # a province's 通报 has hundreds of leaders with lagging tasks
    assert [word._chinese_number(n) for n in (99, 100, 101, 110, 123, 800, 1001, 1010)] == [
        "九十九", "一百", "一百零一", "一百一十", "一百二十三", "八百", "一千零一", "一千零一十"]


def test_override_shows_the_analysts_ruling_in_word(mini_processed, tmp_path):
    report = load_report(mini_processed / "tasks_classified.parquet", leader="戴建平")
    tasks = report.tasks.copy()
    target = tasks.index[tasks["schedule_gap_pts"].notna()][0]
    tasks.loc[target, ["status", "status_source", "override_reason"]] = ["lagging", "override", "督查组实地核查确认进度滞后"]
    tasks["override_reviewer"], tasks["override_date"] = "", ""
    tasks.loc[target, ["override_reviewer", "override_date", "needs_review"]] = ["张三", "2020-07-15", True]
    path = word.write_report_docx(replace(report, tasks=tasks), tmp_path / "x.docx")
    document = docx.Document(path)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "人工认定：督查组实地核查确认进度滞后" in cells
    assert not any("张三" in text for text in cells + [p.text for p in document.paragraphs])  # no reviewer's name
    target_id = str(int(tasks.loc[target, "task_id"]))
    statuses = [[c.text for c in row.cells][3] for table in document.tables for row in table.rows
                if row.cells[0].text == target_id and table.rows[0].cells[3].text == "状态"]
    assert statuses and set(statuses) == {"滞后（人工认定）"}  # its own row: ruled, never 待复核
    problems = [p.text for p in document.paragraphs if "督查组实地核查" in p.text]
    assert problems and not any("个百分点" in p for p in problems)  # the rule's gap is dropped


def test_markup_in_cells_stays_text_in_word(tmp_path):
    from src.pipeline import analyse_stage, clean_stage

    clean_stage(FIXTURES / "corpus" / "ok_markup.md", tmp_path)
    analyse_stage(tmp_path, overrides_path=FIXTURES / "no_overrides.csv")
    overview = load_report(tmp_path / "tasks_classified.parquet")
    leader = overview.all_tasks.loc[overview.all_tasks["task_id"] == 2, "leader"].iloc[0]
    report = load_report(tmp_path / "tasks_classified.parquet", leader=leader)  # task 2 has markup in its task text
    path = word.write_report_docx(report, tmp_path / "markup.docx")
    text = "\n".join(cell.text for table in docx.Document(path).tables for row in table.rows for cell in row.cells)
    assert "<script>alert('x')</script>" in text and "<img src=x onerror=alert(1)>" in text
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;" in xml and "&lt;img src=x" in xml


def test_control_characters_do_not_break_the_document(mini_processed, tmp_path):
    report = load_report(mini_processed / "tasks_classified.parquet", leader="戴建平")
    tasks = report.tasks.copy()
    tasks["task"] = tasks["task"] + "\x01\x0b尾"
    path = word.write_report_docx(replace(report, tasks=tasks), tmp_path / "ctl.docx")
    cells = [c.text for t in docx.Document(path).tables for r in t.rows for c in r.cells]
    assert any(text.endswith("尾") for text in cells)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_it_with_cjk_fonts_and_28_characters_a_line(leader_docx, tmp_path):
    import unicodedata

    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(leader_docx[0])],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "leader.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CJK|Song|Fang|Kai|Hei|Ming", fonts), fonts
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert 2 <= int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 12
    # the full body lines of the first pages hold 28 characters (full-width; Latin counts half)
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "2", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    widths = [sum(1 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in line if c != " ")
              for line in text.splitlines()]
    assert 27.5 <= max(widths) <= 28.5, sorted(widths)[-5:]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for before, after in zip(lines, lines[1:]):  # no number broken across lines, no line starting with 、
        assert not after.startswith("、"), after
        assert not (re.search(r"[\d.]$", before) and re.match(r"[\d.%]", after)), (before, after)
