"""The rendered reports: what a reader receives must be complete, readable and safe."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import pandas as pd
import pytest

from src.builder import build
from src.paths import TEMPLATES_DIR
from src.report import render
from src.report.style import review_reason_text
from src.store import read_table
from src.table.parse import parse_table
from tests.conftest import FIXTURES

LEADERS = ["刘忻", "戴建平", "柯吉欣", "缪承潮", "王宏", "胡伟", "陈国妹", "陈卫强"]
STATUS_WORDS = {"completed": "已完成", "on-track": "序时推进", "lagging": "滞后", "not-reported": "未报送"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)


def tags_of(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def card_counts(page: str) -> dict[str, int]:
    """The headline cards' counts by status, read from the data-* attributes."""
    counts = {}
    for match in re.finditer(r"<div [^>]*class=\"card [^>]*>", page):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(0)))
        if "data-count" in attributes:
            counts[attributes["data-status"]] = int(attributes["data-count"])
    return counts


def pdftext(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


# ---------------------------------------------------------------- the real build
def test_every_report_exists_as_html_and_pdf(real_build):
    reports = real_build / "reports"
    names = {p.name for p in reports.iterdir()}
    for slug in ["overview", *[f"leader-{i:02d}" for i in range(1, 9)]]:
        assert f"{slug}.html" in names and f"{slug}.pdf" in names
    assert "index.html" in names and "key_tasks_classified.xlsx" in names


@pytest.mark.parametrize("order", range(1, 9))
def test_leader_report_names_its_leader_and_counts_match(real_build, order):
    classified = read_table(real_build / "data" / "tasks_classified.parquet")
    leader = LEADERS[order - 1]
    mine = classified[classified["leader"] == leader]
    title = mine["leader_title"].iloc[0]
    page = (real_build / "reports" / f"leader-{order:02d}.html").read_text(encoding="utf-8")
    assert re.search(rf"<title>关于{leader}{title}[^<]*专报</title>", page)
    counts = mine["status"].value_counts()
    assert card_counts(page) == {status: int(counts.get(status, 0)) for status in STATUS_WORDS}
    assert f"{leader}{title}牵头的{len(mine)}项重点工作中" in page
    text = pdftext(real_build / "reports" / f"leader-{order:02d}.pdf")
    first_page = text.split("\f")[0]
    assert f"{leader}{title}" in first_page.replace(" ", "")
    # real Chinese task text, selectable, in the PDF
    some_task = re.sub(r"\s", "", mine["task"].iloc[0])[:12]
    raw = subprocess.run(["pdftotext", "-raw", str(real_build / "reports" / f"leader-{order:02d}.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout  # table cells in reading order
    assert some_task in re.sub(r"\s", "", raw)


def test_pdf_fonts_are_embedded_cjk(real_build):
    listing = subprocess.run(["pdffonts", str(real_build / "reports" / "overview.pdf")], capture_output=True, text=True, check=True).stdout
    rows = listing.strip().splitlines()[2:]
    assert rows and any("CJK" in row for row in rows)
    assert all(row.split()[-5] == "yes" for row in rows), listing  # the "emb" column
    info = subprocess.run(["pdfinfo", str(real_build / "reports" / "overview.pdf")], capture_output=True, text=True).stdout
    assert "A4" in info or "595.276 x 841.89" in info
    assert re.search(r"—\s*1\s*—", pdftext(real_build / "reports" / "overview.pdf"))  # page numbers, 公文 style


def test_html_has_no_code_no_scripts_no_external_links(real_build):
    for page_path in (real_build / "reports").glob("*.html"):
        page = page_path.read_text(encoding="utf-8")
        parsed = tags_of(page)
        assert "script" not in parsed.tags, page_path.name
        assert "link" not in parsed.tags, page_path.name
        for tag, key, value in parsed.attrs:
            if key in {"src", "href"}:
                assert not re.match(r"(https?:)?//", value), (page_path.name, value)
            if tag == "img":
                assert value.startswith("data:image/") or key != "src"
        body = page[page.index("<body>"):]
        assert "jp-InputArea" not in body and "jp-CodeMirror" not in body and "highlight-ipynb" not in body
        assert "h.load_report" not in body and "import " not in body
        assert "Building prefix dict" not in page and "Loading model" not in page
        assert "papermill" not in body.lower() and "Warning" not in body and "Traceback" not in body


def test_index_links_every_report_with_counts(real_build):
    page = (real_build / "reports" / "index.html").read_text(encoding="utf-8")
    classified = read_table(real_build / "data" / "tasks_classified.parquet")
    for order in range(1, 9):
        assert f'href="leader-{order:02d}.html"' in page and f'href="leader-{order:02d}.pdf"' in page
    assert 'href="overview.html"' in page
    lagging_total = int((classified["status"] == "lagging").sum())
    assert re.search(rf'<td class="num" data-status="lagging"[^>]*>{lagging_total}</td>', page)


def test_the_analyst_page_states_provenance_quality_and_the_review_queue(real_build):
    page = (real_build / "reports" / "analyst.html").read_text(encoding="utf-8")
    classified = read_table(real_build / "data" / "tasks_classified.parquet")
    for expected in ["hangzhou_2020_h1_key_tasks.md", "2020-06-30", "判定规则版本", "读入数据行", "143", "TF-IDF",
                     "数据质量", "待复核任务", "复核原因", "置信度"]:
        assert expected in page, expected
    flagged = int((classified["needs_review"] & classified["status_source"].ne("override")).sum())
    assert f"待复核任务（{flagged} 项）" in page
    reasons = classified.loc[classified["needs_review"], "review_reason"]
    assert "figures the rules did not read" not in page  # review reasons in Chinese
    assert all(review_reason_text(r) in page and "（未译）" not in review_reason_text(r) for r in reasons if r)
    assert "quantified-below-schedule" not in page and "量化进度低于序时进度" in page  # rule names in Chinese
    for other in (real_build / "reports").glob("*.html"):  # linked from no report and not from the index
        assert "analyst.html" not in other.read_text(encoding="utf-8"), other.name


def test_excel_has_a_sheet_per_leader_and_coloured_statuses(real_build):
    from openpyxl import load_workbook

    book = load_workbook(real_build / "reports" / "key_tasks_classified.xlsx")
    assert book.sheetnames == ["全部任务", *LEADERS, "打印"]
    sheet = book["全部任务"]
    assert sheet.max_row == 144
    status_cell = sheet["E2"]
    assert status_cell.value in STATUS_WORDS.values()
    # colours come from conditional formatting on the status column, so an edited status is recoloured
    rules = {rule.formula[0]: rule.dxf.fill.fgColor.rgb for cf in sheet.conditional_formatting for rule in cf.rules}
    assert {'"已完成"', '"序时推进"', '"滞后"'} <= set(rules)
    assert rules['"滞后"'].endswith("C62828")
    assert sheet.column_dimensions["C"].width >= 30


# ---------------------------------------------------------------- safety
@pytest.fixture(scope="module")
def markup_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("markup_build")
    code, summary = build(raw=str(FIXTURES / "corpus" / "ok_markup.md"), out=str(out), overrides=str(FIXTURES / "no_overrides.csv"))
    assert code == 0, summary.failures
    return out


def test_markup_in_cells_is_shown_as_text_in_html(markup_build):
    for page_path in (markup_build / "reports").glob("*.html"):
        page = page_path.read_text(encoding="utf-8")
        parsed = tags_of(page)
        assert not {"script", "iframe", "style_in_body"} & set(parsed.tags[parsed.tags.index("body"):]) - {"style"}
        assert all(not key.startswith("on") for _, key, _ in parsed.attrs), page_path.name
        assert all(not value.strip().lower().startswith("javascript:") for _, _, value in parsed.attrs)
        assert parsed.tags.count("style") == 1  # only the report's own stylesheet
    leader = (markup_build / "reports" / "leader-02.html").read_text(encoding="utf-8")
    assert re.search(r"&lt;script&gt;alert\((&#x27;|')x(&#x27;|')\)&lt;/script&gt;", leader)
    assert "&lt;img src=x onerror=alert(1)&gt;" in leader


def test_markup_shows_as_text_in_pdf(markup_build):
    flat = re.sub(r"\s+", "", pdftext(markup_build / "reports" / "leader-02.pdf"))  # pdftotext wraps lines
    assert "<script>alert('x')</script>" in flat
    assert "<imgsrc=xonerror=alert(1)>" in flat


def test_spreadsheet_cells_never_become_formulas(tmp_path):
    from src.classify import classify_tasks

    tasks = classify_tasks(parse_table(FIXTURES / "corpus" / "ok_formula.md").tasks, as_of="2020-06-30")
    path = render.write_excel(tasks, tmp_path / "x.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in sheet or "<f " in sheet for sheet in sheets)
    from openpyxl import load_workbook

    values = {c.value for row in load_workbook(path)["全部任务"].iter_rows() for c in row}
    assert '=HYPERLINK("http://evil","点击")' in values and "+1+1" in values
    # the CSV escapes them with an apostrophe, and reads back unchanged
    from src import store

    store.write_csv(tasks, tmp_path / "x.csv")
    raw = (tmp_path / "x.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw and ",'+1+1" in raw and ",'@SUM" in raw and ",'-2+3" in raw
    back = store.read_tasks_csv(tmp_path / "x.csv")
    assert back["next_steps"].tolist() == tasks["next_steps"].tolist()


# ---------------------------------------------------------------- in a browser
def _browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.fail("chromium is not installed: run scripts/setup_system.sh --test")
    return playwright


@pytest.mark.parametrize("page_name", ["index.html", "leader-02.html", "overview.html"])
def test_reports_open_cleanly_in_headless_chromium(real_build, page_name):
    playwright = _browser()
    classified = read_table(real_build / "data" / "tasks_classified.parquet")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        console_errors, failed, external = [], [], []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.route(re.compile(r"^https?://"), lambda route: (external.append(route.request.url), route.abort()))
        page.goto((real_build / "reports" / page_name).as_uri())
        page.wait_for_load_state("load")
        images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
        if page_name == "index.html":
            lagging = int((classified["status"] == "lagging").sum())
            visible = page.locator("tr:has-text('全市') td[data-status='lagging']").inner_text()
            assert int(visible) == lagging
        else:
            scope = classified if page_name == "overview.html" else classified[classified["leader"] == "戴建平"]
            shown = page.locator(".headline .card.lagging .n").inner_text()
            assert int(shown) == int((scope["status"] == "lagging").sum())
            assert page.locator(".headline").is_visible()
            assert images and all(images)
        browser.close()
    assert console_errors == [] and failed == [] and external == []


def test_markup_never_runs_in_a_browser(markup_build):
    playwright = _browser()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((markup_build / "reports" / "leader-02.html").as_uri())
        page.wait_for_timeout(300)
        assert page.locator("iframe").count() == 0
        assert "<script>alert('x')</script>" in page.locator("body").inner_text()
        browser.close()
    assert dialogs == []


def test_missing_cjk_font_fails_loudly(monkeypatch):
    from src.report import style

    style.find_cjk_font.cache_clear()
    monkeypatch.setitem(style.report_style(), "fonts", ["No Such CJK Font"])
    try:
        with pytest.raises(style.CJKFontError, match="fonts-noto-cjk"):
            style.find_cjk_font()
    finally:
        style.find_cjk_font.cache_clear()


def test_the_chosen_font_really_draws_chinese():
    from src.report.style import SAMPLE_TEXT, find_cjk_font

    family, path = find_cjk_font()
    assert "CJK" in family or "Han" in family or "Hei" in family
    from matplotlib.ft2font import FT2Font

    face = FT2Font(path)
    assert all(face.get_char_index(ord(c)) for c in SAMPLE_TEXT)


def test_charts_draw_chinese_without_missing_glyphs(mini_processed):
    import io
    import warnings

    import matplotlib.pyplot as plt

    from src import helpers as h

    h.set_report_style()
    report = h.load_report(mini_processed / "tasks_classified.parquet")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for draw in [h.plot_status_breakdown, h.plot_units_by_status, h.plot_leader_status, h.plot_cause_counts, h.plot_theme_status]:
            ax = draw(report.tasks)
            ax.figure.savefig(io.BytesIO(), format="png")
        ax = h.plot_progress_vs_schedule(report.tasks, report.as_of)
        ax.figure.savefig(io.BytesIO(), format="png")
        plt.close("all")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == []


def test_report_charts_are_the_pixels_savefig_would_write_without_alpha(mini_processed):
    """figure_png draws once on the Agg canvas; the picture must be what savefig draws
    (constrained layout, CJK labels, legend outside), as opaque RGB, the same bytes twice."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from src import helpers as h
    from src.report.plots import figure_png

    h.set_report_style()
    report = h.load_report(mini_processed / "tasks_classified.parquet")
    draws = [lambda: h.plot_units_by_status(report.tasks), lambda: h.plot_leader_status(report.tasks),
             lambda: h.plot_progress_vs_schedule(report.tasks, report.as_of)]
    for draw in draws:
        ax = draw()
        saved = io.BytesIO()
        ax.figure.savefig(saved, format="png")
        ours = figure_png(ax.figure)
        plt.close(ax.figure)
        again = figure_png(draw().figure)
        plt.close("all")
        expected, image = Image.open(saved), Image.open(io.BytesIO(ours))
        assert image.mode == "RGB" and image.size == expected.size
        assert np.array_equal(np.asarray(expected.convert("RGB")), np.asarray(image))
        assert ours == again  # no timestamp or version in the file


def test_a_transparent_chart_is_laid_on_white():
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from src.report.plots import figure_png

    figure, ax = plt.subplots(figsize=(1, 1), dpi=50)
    figure.patch.set_alpha(0)
    ax.set_axis_off()
    pixels = np.asarray(Image.open(io.BytesIO(figure_png(figure))))
    plt.close(figure)
    assert pixels.shape[2] == 3 and (pixels == 255).all()


# ---------------------------------------------------------------- honest text (constructed frames)
def _overridden(report, with_new_columns: bool):
    """The report with its first quantified task overridden to the other side of the schedule line."""
    from dataclasses import replace

    tasks = report.tasks.copy()
    target = tasks.index[tasks["schedule_gap_pts"].notna()][0]
    new_status = "on-track" if tasks.loc[target, "status"] == "lagging" else "lagging"
    tasks.loc[target, ["status", "status_source", "override_reason", "needs_review"]] = [new_status, "override", "督查组实地核查认定", True]
    if with_new_columns:  # what src/classify/overrides.py writes once it records reviewer and date
        tasks["override_reviewer"], tasks["override_date"], tasks["rule_evidence"] = "", "", tasks["status_evidence"]
        tasks.loc[target, ["override_reviewer", "override_date"]] = ["张三", "2020-07-15"]
        tasks.loc[target, "status_evidence"] = "人工认定：督查组实地核查认定（张三，2020-07-15）"
        tasks.loc[target, "needs_review"] = False
    return replace(report, tasks=tasks, all_tasks=tasks), int(tasks.loc[target, "task_id"]), new_status


@pytest.mark.parametrize("with_new_columns", [False, True])
def test_an_override_shows_the_ruling_not_the_rule(mini_processed, tmp_path, with_new_columns):
    from openpyxl import load_workbook

    from src import helpers as h
    from src.report import narrative

    base = h.load_report(mini_processed / "tasks_classified.parquet", leader="戴建平")
    report, task_id, status = _overridden(base, with_new_columns)
    expected = "人工认定：督查组实地核查认定" + ("（张三，2020-07-15）" if with_new_columns else "")
    row = report.tasks[report.tasks["task_id"] == task_id].iloc[0]
    assert narrative.evidence_text(row) == expected  # the analyst's view (workbook, analyst page)
    readers_see = "人工认定：督查组实地核查认定"  # a reader's: the ruling, never the reviewer's name
    assert narrative.reader_evidence(row) == readers_see
    sections = narrative.report_sections(report.tasks, report.subject, report.as_of)
    assert not any("张三" in line for part in sections.values() for line in part)
    mentions = [line for part in sections.values() for line in part if readers_see in line]
    if status == "lagging":
        assert mentions and all("个百分点" not in line for line in mentions)  # no rule gap sentence
    assert not any("待复核" in line for part in sections.values() for line in part)
    table = h.lagging_table_html(report) + h.all_tasks_table_html(report)
    assert render.esc(readers_see) in table and '<span class="override">人工认定</span>' in table
    assert "张三" not in table
    own_row = re.search(rf'<tr[^>]*>\s*<td>{task_id}</td>.*?</tr>', table, re.DOTALL).group(0)
    assert "待复核" not in own_row
    path = render.write_excel(report.tasks, tmp_path / "x.xlsx")
    sheet = load_workbook(path)["全部任务"]
    header = [c.value for c in sheet[1]]
    for column in ["判定规则", "复核原因", "问题原因", "政策主题", "人工认定", "认定理由", "复核人"]:
        assert column in header
    excel_row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == task_id)
    record = dict(zip(header, excel_row))
    assert record["人工认定"] == "是" and record["认定理由"] == "督查组实地核查认定" and record["判定依据"] == expected
    assert record["判定规则"] == "人工认定" and record["复核原因"] in (None, "")  # the ruling replaces the rule
    assert record["待复核"] in (None, "") and record["与序时进度差（百分点）"] is None
    assert record["复核人"] == ("张三" if with_new_columns else None)


def test_the_unclear_sentence_counts_only_tasks_with_nothing_said_and_names_them():
    from src.report import narrative

    tasks = pd.DataFrame({
        "task_id": [1, 2, 3, 4], "task": ["甲任务", "乙任务", "丙任务", "丁任务"], "lead_unit": ["甲局"] * 4,
        "status": ["on-track", "on-track", "lagging", "on-track"],
        "status_rule": ["default-on-track", "quantified-on-schedule", "quantified-below-schedule", "default-on-track"],
        "progress_ratio": [float("nan"), 0.6, 0.35, float("nan")], "schedule_gap_pts": [float("nan"), 10, -15, float("nan")],
        "status_evidence": ["推进中", "完成60%", "总进度35%", "推进中"], "needs_review": [False, False, True, False],
        "status_source": ["rule", "rule", "rule", "override"], "override_reason": ["", "", "", "已核实"],
    })
    lines = narrative.requirements(tasks, "2020-06-30", annex="附件2")
    unclear = [line for line in lines if "未见量化进度或明确表述" in line]
    assert len(unclear) == 1 and unclear[0].startswith("1项任务") and "（名单见附件2）" in unclear[0]
    assert not re.search(r"序号|第\d+项", unclear[0])  # the body refers to the annex, never a list of numbers
    annex = narrative.unquantified_by_unit(tasks)
    assert annex.to_dict("records") == [{"牵头单位": "甲局", "项数": 1, "任务": "甲任务"}]
    assert "（其中1项进展表述中未见量化进度或明确表述）" in narrative.headline_sentence(tasks, "全市", "2020-06-30")
    # the classifier's own flag wins when present
    flagged = tasks.assign(no_clear_statement=[False, True, False, False])
    assert narrative.unquantified_by_unit(flagged)["任务"].tolist() == ["乙任务"]


def test_a_unit_with_many_unquantified_tasks_continues_on_rows_of_its_own():
    """A province's unit may lead hundreds of such tasks: one cell taller than a page is unreadable
    (and took WeasyPrint minutes); the 附件 lists at most TASKS_PER_ROW per row."""
    from src.report import narrative

    names = [f"任务{i:02d}" for i in range(23)]
    tasks = pd.DataFrame({"task_id": range(1, 26), "task": names + ["乙甲", "乙乙"], "lead_unit": ["甲局"] * 23 + ["乙局"] * 2,
                          "status": "on-track", "no_clear_statement": True})
    whole = narrative.unquantified_by_unit(tasks)
    assert whole["项数"].tolist() == [23, 2]
    rows = narrative.unquantified_by_unit(tasks, per_row=10)
    assert rows["牵头单位"].tolist() == ["甲局", "甲局（续）", "甲局（续）", "乙局"]
    assert rows["项数"].tolist() == [23, "", "", 2]
    assert "；".join(rows["任务"][:3]).split("；") == names  # every task once, in order
    assert narrative.unquantified_by_unit(tasks, per_row=23).equals(whole)  # none longer: the same table


@pytest.mark.parametrize("as_of, expected, absent", [
    ("2020-06-30", "确保下半年赶上进度", "尽快完成"),
    ("2020-09-30", "确保第四季度赶上进度、完成全年目标", "下半年"),
    ("2020-12-31", "尽快完成", "下半年"),
    ("2020-03-31", "确保尽快赶上序时进度", "下半年"),
])
def test_requirements_fit_the_report_date(as_of, expected, absent):
    from src.report import narrative

    tasks = pd.DataFrame({"task_id": [1], "task": ["甲"], "lead_unit": ["甲局"], "status": ["lagging"], "needs_review": [False]})
    text = narrative.requirements(tasks, as_of)[0]
    assert expected in text and absent not in text


def test_lead_units_with_enough_tasks_are_ranked_by_lagging_count_then_mean_gap(real_tasks):
    from datetime import date

    from src import helpers as h
    from src.classify import classify_tasks
    from src.report.model import Report
    from src.report.office import office_settings

    tasks = classify_tasks(real_tasks, as_of="2020-06-30")
    report = Report(tasks=tasks, all_tasks=tasks, metadata={}, quality={}, classification={}, as_of=date(2020, 6, 30))
    settings = office_settings()
    ranking = h.units_ranking(report, top=50)
    assert (ranking["任务数"] >= settings.ranking.min_tasks).all()  # one-task units never top the list
    assert not any(settings.is_party_organ(unit) for unit in ranking["牵头单位"])
    keys = list(zip(-ranking["滞后"], [float(g) if g else float("inf") for g in ranking["平均差距（百分点）"]]))
    assert keys == sorted(keys)  # by lagging count, then the lowest mean gap
    few, party = ranking.attrs["few"], ranking.attrs["party"]
    assert len(few) and (few["total"] < settings.ranking.min_tasks).all()
    assert len(party) and all(unit.startswith(("市委", "中共")) for unit in party.index)
    html = h.units_ranking_html(report)
    assert "党委部门（不参加排名）" in html and f"牵头任务少于{settings.ranking.min_tasks}项的单位（不参加排名）" in html


def test_a_small_portfolio_gets_no_charts(mini_processed):
    from src import helpers as h

    small = h.load_report(mini_processed / "tasks_classified.parquet", leader="刘忻")
    assert len(small.tasks) <= h.COMPACT_MAX_TASKS and h.leader_charts_html(small) == ""
    larger = h.load_report(mini_processed / "tasks_classified.parquet", leader="戴建平")
    h.set_report_style()
    charts = h.leader_charts_html(larger)
    alts = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', charts)
    assert alts and all(re.search(r"[\u4e00-\u9fff]", alt) for alt in alts)
    assert any("共5项" in alt for alt in alts)


WORKBENCH_WORDS = ["待复核", "规则版本", "生成日期", "TF-IDF", "数据质量", "请分析人员", "复核人", "复核原因"]


def reader_documents(reports):
    """Every HTML, PDF and Word file a leader receives (not the office's analyst page, index or workbook)."""
    import docx

    for path in sorted(reports.iterdir()):
        if path.name in {"analyst.html", "index.html"} or path.suffix not in {".html", ".pdf", ".docx"}:
            continue
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
        elif path.suffix == ".pdf":
            text = re.sub(r"\s+", "", pdftext(path))
        else:
            document = docx.Document(path)
            cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
            properties = document.core_properties
            text = "\n".join([p.text for p in document.paragraphs] + cells + [properties.title, properties.author,
                                                                             properties.comments, properties.keywords])
        yield path.name, text


def _assert_no_workbench(reports, reviewers=(), files=()):
    checked = 0
    for name, text in reader_documents(reports):
        for word in [*WORKBENCH_WORDS, *reviewers, *files]:
            assert word not in text, (name, word)
        checked += 1
    assert checked >= 3


def test_no_word_of_the_analysts_workbench_in_what_leaders_receive(real_build):
    from src.store import read_json

    metadata = read_json(real_build / "data" / "metadata.json")
    _assert_no_workbench(real_build / "reports", files=[metadata["source_file"], "hangzhou_2020"])
    classified = read_table(real_build / "data" / "tasks_classified.parquet")
    assert classified["needs_review"].any()  # there was something to leak


@pytest.mark.slow
def test_no_reviewer_name_in_what_leaders_receive_after_an_override(override_build):
    _assert_no_workbench(override_build / "reports", reviewers=["张三"], files=["mini_table"])
    classified = read_table(override_build / "data" / "tasks_classified.parquet")
    assert (classified["override_reviewer"] == "张三").any()  # the override did carry a name


def test_nothing_in_the_reports_assumes_mid_2020(tmp_path):
    from src.report import workbook

    assert not any("2020" in label for _, label in workbook.EXCEL_COLUMNS)
    for name in ["leader_report.ipynb", "overview_report.ipynb"]:
        text = (TEMPLATES_DIR / name).read_text(encoding="utf-8")
        assert "时间过半" not in text and "下半年" not in text


def test_excel_is_set_up_for_editing_and_printing(real_build):
    from openpyxl import load_workbook

    sheet = load_workbook(real_build / "reports" / "key_tasks_classified.xlsx")["全部任务"]
    validations = sheet.data_validations.dataValidation
    assert any(v.type == "list" and "已完成,序时推进,滞后" in v.formula1 and "E2" in str(v.sqref) for v in validations)
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    header = sheet["A1"]
    assert header.alignment.wrap_text and header.fill.fgColor.rgb.endswith("DDE4EC")
    long_row = max(range(2, sheet.max_row + 1), key=lambda r: len(str(sheet.cell(r, 9).value or "")))
    assert sheet.row_dimensions[long_row].height >= 3 * 15  # wrapped text shows


# ---------------------------------------------------------------- an override, end to end
@pytest.fixture(scope="module")
def override_build(tmp_path_factory):
    """The mini table built with one analyst override: task 7 (on-track, 11 points ahead) ruled lagging."""
    out = tmp_path_factory.mktemp("override_build")
    overrides = out / "overrides.csv"
    overrides.write_text("task_id,status,reason,reviewer,date\n7,lagging,督查组实地核查认定进度滞后,张三,2020-07-15\n", encoding="utf-8")
    code, summary = build(raw=str(FIXTURES / "mini_table.md"), out=str(out), overrides=str(overrides))
    assert code == 0, summary.failures
    return out


@pytest.mark.slow
def test_an_override_reads_the_same_in_html_pdf_and_excel(override_build):
    from openpyxl import load_workbook

    classified = read_table(override_build / "data" / "tasks_classified.parquet")
    row = classified[classified["task_id"] == 7].iloc[0]
    slug = render.slugify_leader(int(row["leader_order"]))
    page = (override_build / "reports" / f"{slug}.html").read_text(encoding="utf-8")
    assert "人工认定：督查组实地核查认定进度滞后" in page
    assert "超序时进度11.0个百分点" not in page and "+11.0" not in page
    own_row = re.search(r"<tr[^>]*>\s*<td>7</td>.*?</tr>", page, re.DOTALL).group(0)
    assert "待复核" not in own_row and "人工认定" in own_row
    text = re.sub(r"\s+", "", pdftext(override_build / "reports" / f"{slug}.pdf"))
    assert "人工认定：督查组实地核查认定进度滞后" in text and "超序时进度11.0" not in text
    sheet = load_workbook(override_build / "reports" / "key_tasks_classified.xlsx")["全部任务"]
    header = [c.value for c in sheet[1]]
    record = dict(zip(header, next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == 7)))
    assert record["状态"] == "滞后" and record["人工认定"] == "是" and record["认定理由"] == "督查组实地核查认定进度滞后"
    assert record["判定依据"].startswith("人工认定：督查组实地核查认定进度滞后")


def test_index_links_word_files_when_given():
    entries = [{"subject": "全市", "html": "overview.html", "pdf": "overview.pdf", "docx": "overview.docx", "counts": {"lagging": 1}},
               {"subject": "<b>甲</b>", "html": "leader-01.html", "pdf": "leader-01.pdf", "counts": {"completed": 2}}]
    page = render.index_html(entries, {"title": "表"}, "2020-06-30", "1.0")
    assert page.count('href="overview.docx"') == 1 and "leader-01.docx" not in page
    assert "&lt;b&gt;甲&lt;/b&gt;" in page


def test_headline_and_requirements_count_the_same_unclear_tasks(real_tasks):
    from src.classify import classify_tasks
    from src.report import narrative

    tasks = classify_tasks(real_tasks, as_of="2020-06-30")
    headline = narrative.headline_sentence(tasks, "全市", "2020-06-30")
    counted = int(re.search(r"其中(\d+)项进展表述中未见", headline).group(1))
    asked = " ".join(narrative.requirements(tasks, "2020-06-30"))
    assert f"{counted}项任务的进展表述中未见量化进度或明确表述" in asked
    assert narrative.unquantified_by_unit(tasks)["项数"].sum() == counted
    review = narrative.needs_review_flags(tasks)
    unclear = narrative.unclear_tasks(tasks)
    assert not set(unclear["task_id"]) & set(tasks.loc[review, "task_id"])  # 待复核 tasks said something
    assert unclear["progress_ratio"].isna().all() and unclear["status"].eq("on-track").all()


def test_report_links_list_the_roster_in_its_order(mini_processed):
    from src.report.model import load_report, report_links

    overview = load_report(mini_processed)
    roster = overview.roster()
    expected = [(each.slug, each.subject if each.leader else "全市总览") for each in roster]
    for report in roster:
        links = report_links(report)
        assert [(link["slug"], link["subject"]) for link in links] == expected
        assert all(link["html"] == f"{link['slug']}.html" and link["docx"] == f"{link['slug']}.docx" for link in links)


# ---------------------------------------------------------------- the sentences a director signs
def _row(**values):
    base = {"task_id": 1, "task": "提标改造农村污水治理终端2000个。", "lead_unit": "市甲局", "status": "lagging",
            "status_evidence": "完工611个", "progress": "开工1964个，完工611个。", "problems": "", "next_steps": "",
            "schedule_gap_pts": -19.45, "status_source": "rule", "lag_tier": "",
            "progress_items": [{"phrase": "完工611个", "value": 611.0, "unit": "个", "target": 2000.0, "ratio": 0.3055,
                                "decisive": True}]}
    base.update(values)
    return base


def test_naming_sentence_quotes_target_actual_share_and_gap_of_the_deciding_measure():
    from src.report import findings

    sentence = findings.naming_sentence(_row(), "截至6月底", 50.0)
    assert sentence == "市甲局牵头的提标改造农村污水治理终端2000个，年度目标2000个，截至6月底完成611个（30.6%），低于序时进度19.4个百分点"
    # the judgement's own columns win (INTERFACES.md): the deciding measure, never the most favourable
    decided = _row(gap=-25.0, measure_target=6.0, measure_actual=2.0, measure_unit="个", measure_share=33.3,
                   items_total=6, items_behind=3)
    assert findings.naming_sentence(decided, "截至6月底", 50.0).endswith(
        "年度目标6个，截至6月底完成2个（33.3%），低于序时进度25.0个百分点，6项指标中3项低于序时进度")
    # a rate with its own target (60%) is quoted with it, so "37.5%" cannot read as a shortfall of 100%
    rate = _row(status="on-track", schedule_gap_pts=12.5, progress_items=[
        {"value": 37.5, "unit": "%", "target": 60.0, "ratio": 0.625, "decisive": True}])
    assert "年度目标60%，截至6月底完成37.5%（62.5%），超序时进度12.5个百分点" in findings.naming_sentence(rate, "截至6月底", 50.0)


def test_without_a_number_the_whole_deciding_clause_is_quoted_and_next_steps_are_not_findings():
    from src.report import findings

    stated = _row(schedule_gap_pts=float("nan"), progress_items=[], status_evidence="移交时间一再延迟",
                  progress="主体结构完成35%。", problems="1. 地铁方工作面移交时间一再延迟，影响施工进度。2. 其他。")
    sentence = findings.naming_sentence(stated, "截至6月底", 50.0)
    assert sentence.endswith("存在问题中反映“地铁方工作面移交时间一再延迟，影响施工进度”")  # the whole clause
    pending = _row(schedule_gap_pts=float("nan"), progress_items=[], status_evidence="待选址确定后",
                   progress="正在开展前期研究", next_steps="待选址确定后，加快项目推进工作。")
    sentence = findings.naming_sentence(pending, "截至6月底", 50.0)
    assert "进展情况中未见量化进度，下一步工作安排为“待选址确定后，加快项目推进工作”" in sentence
    assert "反映“待选址" not in sentence


def test_the_deciding_clause_is_found_behind_worked_out_numbers():
    from src.classify.measure_types import NOTE_MARK
    from src.report import findings

    worked = _row(schedule_gap_pts=float("nan"), progress_items=[],
                  status_evidence=f"距序时任务还差120万元{NOTE_MARK}完成380万元，任务500万元，完成76.0%〕",
                  progress="累计完成投资380万元，距序时任务还差120万元。", problems="")
    assert findings.deciding_clause(worked) == ("进展情况", "累计完成投资380万元，距序时任务还差120万元")
    assert NOTE_MARK not in findings.reader_evidence(worked)


@pytest.mark.parametrize("text, limit", [
    ("着重抓好高校毕业生、农民工、退役军人、残疾人等就业工作，城镇新增就业25万人", 28),
    ("推进杭州城西科创大走廊科技创新高地建设和产业数字化转型升级示范区创建", 20),
    ("规划建设杭州音乐厅。", 28),
])
def test_short_task_names_are_cut_at_word_or_clause_boundaries(text, limit):
    import jieba

    from src.report import findings

    short = findings.short_task(text, limit)
    assert len(short) <= limit
    kept = short.rstrip("…")
    assert text.startswith(kept)
    if short.endswith("…"):
        boundaries = {0}
        for _, _, end in jieba.tokenize(text):
            boundaries.add(end)
        assert len(kept) in boundaries or text[len(kept)] in "，、,"  # never inside a word
    else:
        assert short == "规划建设杭州音乐厅"


def test_lights_and_supervision_follow_the_office_rule():
    from datetime import date

    from src.report import findings
    from src.report.office import office_settings

    settings = office_settings()
    assert findings.light_of(_row(schedule_gap_pts=-45.0), settings) == "红灯"
    assert findings.light_of(_row(schedule_gap_pts=-15.0), settings) == "黄灯"
    assert findings.light_of(_row(status="on-track", schedule_gap_pts=5.0), settings) == settings.lights.green
    assert findings.light_of(_row(status="not-reported"), settings) == ""
    red = settings.supervision_for("红灯")
    expected = f"{red.advice}，{red.deadline}（2020年7月{10 + red.days}日前）"
    assert findings.supervision_of("红灯", date(2020, 7, 10), settings) == expected
    assert "挂牌督办" in expected and "限期报送整改措施" in expected


def test_achievements_show_numbers_and_never_only_done():
    from src.report import narrative

    tasks = pd.DataFrame([
        _row(task_id=1, status="completed", task="全面完成网络借贷风险处置。", status_evidence="已完成",
             progress="全市368家网贷机构全部实现退出，网贷风险全面出清。", schedule_gap_pts=float("nan")),
        _row(task_id=2, status="completed", task="做好某项工作。", status_evidence="已完成", progress="已完成。",
             schedule_gap_pts=float("nan")),
        _row(task_id=3, status="completed", task="造林4.5万亩。", status_evidence="完成造林5.0万亩",
             progress="完成造林5.0万亩。", schedule_gap_pts=float("nan")),
        _row(task_id=4, status="on-track", task="推进“152”项目工程。", status_evidence="落地率37.5%",
             progress="已落地项目27个，落地率37.5%。", schedule_gap_pts=12.5,
             progress_items=[{"value": 37.5, "unit": "%", "target": 60.0, "ratio": 0.625, "decisive": True}]),
    ])
    [paragraph] = narrative.achievements(tasks, as_of="2020-06-30")
    assert paragraph.startswith("一是") and paragraph.endswith("等。") and "三是" in paragraph
    assert "368家" in paragraph and "5.0万亩" in paragraph and "年度目标60%" in paragraph
    assert "做好某项工作" not in paragraph  # it says only 已完成


def test_sections_without_awkward_sentences():
    from src.report import narrative

    tasks = pd.DataFrame([_row(status="on-track", schedule_gap_pts=5.0, progress_items=[],
                               status_rule="quantified-on-schedule")])
    sections = narrative.report_sections(tasks, "全市", "2020-06-30")
    text = "".join(line for lines in sections.values() for line in lines)
    assert "存在问题" not in sections and "本期无" not in text and "待复核" not in text
    unclear = pd.DataFrame([_row(status="on-track", schedule_gap_pts=float("nan"), progress_items=[],
                                 status_rule="default-on-track", no_clear_statement=True)])
    sections = narrative.report_sections(unclear, "甲市长", "2020-06-30", special=True)
    text = "".join(line for lines in sections.values() for line in lines)
    assert "均达到序时进度" not in text and "未发现滞后任务" not in text  # its only task said nothing clear
    assert list(sections)[-1] == "工作建议"


def test_not_reported_tasks_are_counted_apart_and_listed_by_unit(monkeypatch):
    from src.report import narrative, style

    assert style.status_order()[-1] == "not-reported" and style.status_label("not-reported") == "未报送"
    tasks = pd.DataFrame([_row(task_id=1), _row(task_id=2, status="not-reported", lead_unit="市乙局"),
                          _row(task_id=3, status="not-reported", lead_unit="市乙局")])
    headline = narrative.headline_sentence(tasks, "全市", "2020-06-30")
    assert "未报送2项，占66.7%" in headline and "序时推进" not in headline
    assert narrative.not_reported_sentence(tasks) == "未报送进展的任务2项：市乙局2项。"


def test_office_settings_errors_name_the_field(tmp_path):
    from src.report.office import OfficeError, load_office

    bad = tmp_path / "office.toml"
    bad.write_text('[office]\nissue_number = "三"\n[ranking]\nmin_taks = 3\n', encoding="utf-8")
    with pytest.raises(OfficeError) as caught:
        load_office(bad)
    message = str(caught.value)
    assert str(bad) in message and "office.issue_number" in message and "应为整数" in message
    assert "ranking.min_taks" in message and "不认识这一项" in message
    bad.write_text('[office]\nissue_date = "2020-13-01"\n', encoding="utf-8")
    with pytest.raises(OfficeError, match="office.issue_date"):
        load_office(bad)
    bad.write_text('[[supervision]]\nlight = "紫灯"\nadvice = "x"\ndeadline = "y"\ndays = 3\n', encoding="utf-8")
    with pytest.raises(OfficeError, match="supervision.1.light"):
        load_office(bad)
    bad.write_text('[wording]\nlagging = "请{units}于{deadline}前整改"\n', encoding="utf-8")
    with pytest.raises(OfficeError, match=r"wording\.lagging.*\{deadline\}"):
        load_office(bad)
    bad.write_text('[lights]\nprofile = "lenient"\n', encoding="utf-8")
    with pytest.raises(OfficeError, match="lights.profile"):
        load_office(bad)
    good = tmp_path / "good.toml"
    good.write_text('[collect]\nanything = 1\n[office]\nname = "某督查室"\n'
                    '[wording]\nnot_reported = "另有{n}项未报送，请于三日内补报。"\n', encoding="utf-8")
    settings = load_office(good)
    assert settings.office.name == "某督查室"  # other helpers' sections pass through
    assert settings.wording.not_reported.format(n=2) == "另有2项未报送，请于三日内补报。"


def test_every_naming_sentence_of_the_real_table_holds_its_numbers(real_tasks):
    from src.classify import classify_tasks
    from src.report import findings, narrative

    tasks = classify_tasks(real_tasks, as_of="2020-06-30")
    lines = narrative.problem_items(tasks, "2020-06-30")
    lagging = tasks[tasks["status"] == "lagging"].sort_values("task_id")
    assert len(lines) == len(lagging) > 0
    for line, task in zip(lines, lagging.itertuples(index=False)):
        assert line.startswith(f"{task.lead_unit}牵头的{narrative.short_task(task.task)}")
        measure = findings.deciding_measure(task, 50.0)
        if measure is not None and measure["actual"] is not None:
            assert re.search(r"截至6月底完成[\d.]+", line) and re.search(r"低于序时进度[\d.]+个百分点", line), line
            assert f"{abs(findings.gap_of(task)):.1f}个百分点" in line
            if not findings.is_percent_only(measure):
                assert "年度目标" in line and re.search(r"（[\d.]+%）", line), line
        else:
            assert re.search(r"“[^”]{4,}”", line), line  # the deciding clause, quoted whole
        assert "…“" not in line and "待复核" not in line


@pytest.fixture(scope="module")
def other_office_build(tmp_path_factory):
    """Another office's table (某市, 2021, 前三季度, a leader column) built end to end."""
    out = tmp_path_factory.mktemp("other_office")
    code, summary = build(raw=str(FIXTURES / "corpus" / "ok_xlsx_leader_column.xlsx"), out=str(out),
                          overrides=str(FIXTURES / "no_overrides.csv"))
    assert code == 0, summary.failures
    return out


@pytest.mark.slow
def test_another_offices_table_gives_its_own_documents_without_the_workbench(other_office_build):
    import docx

    reports = other_office_build / "reports"
    _assert_no_workbench(reports, files=["ok_xlsx_leader_column"])
    document = docx.Document(reports / "overview.docx")
    texts = [p.text for p in document.paragraphs]
    assert "某市人民政府督查室" in texts and document.core_properties.author == "某市人民政府督查室"
    title = next(p.text for p in document.paragraphs if p.style.name == "公文标题")
    assert title == "关于全市重点工作2021年前三季度进展情况的通报"
    assert any(text.startswith("截至9月底") for text in texts)
    page = (reports / "overview.html").read_text(encoding="utf-8")
    assert "某市人民政府督查室" in page and "杭州" not in page


def test_the_explore_notebooks_task_detail_names_rules_and_reasons_in_chinese():
    from src import explore

    row = pd.Series({"task_id": 3, "status": "lagging", "status_rule": "quantified-below-schedule",
                     "review_reason": "judged on money spent; the task promises another measure; minor delay phrase '延迟'",
                     "needs_review": True})
    detail = dict(explore.detail_frame(row).itertuples(index=False))
    assert detail["判定规则"] == "量化进度低于序时进度"
    assert detail["复核原因"] == "按完成投资判定，而任务承诺的是其他指标；有轻微滞后表述“延迟”"


def test_no_chart_where_every_bar_is_one(mini_processed):
    from dataclasses import replace

    from src import helpers as h
    from src.report.charts import chart_specs

    report = h.load_report(mini_processed / "tasks_classified.parquet", leader="戴建平")
    tasks = report.tasks.assign(lead_units=[[f"市{i}局"] for i in range(len(report.tasks))],
                                lead_unit=[f"市{i}局" for i in range(len(report.tasks))],
                                cause_tags=[[{"cause": f"原因{i}", "evidence": "x"}] for i in range(len(report.tasks))])
    one_each = replace(report, tasks=tasks, all_tasks=tasks)
    drawn = [plot.__name__ for plot, _, _ in chart_specs(one_each, "charts") + chart_specs(one_each, "lagging")]
    assert "plot_units_by_status" not in drawn and "plot_cause_counts" not in drawn
    assert "plot_status_breakdown" in drawn


def test_the_print_sheet_has_seven_columns_at_ten_points_at_full_size(mini_processed, tmp_path):
    from openpyxl import load_workbook

    from src.report.model import load_report

    report = load_report(mini_processed / "tasks_classified.parquet")
    path = render.write_excel(report.all_tasks, tmp_path / "x.xlsx")
    sheet = load_workbook(path)["打印"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["序号", "牵头领导", "重点工作", "牵头单位", "状态", "亮灯", "判定依据"]
    assert sheet.max_row == len(report.all_tasks) + 1
    assert all(cell.font.sz >= 9 for row in sheet.iter_rows() for cell in row)
    assert sheet.page_setup.scale == 100 and not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    # the seven columns fit the landscape A4 line (Excel's width unit prints about 6.7 pt; 770 pt between margins)
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFG"]
    assert sum(widths) * 6.7 <= 770
    assert "张三" not in " ".join(str(cell.value or "") for row in sheet.iter_rows() for cell in row)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_the_print_sheet_prints_every_column_on_each_page_in_libreoffice(real_build, tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(real_build / "reports" / "key_tasks_classified.xlsx")
    for name in book.sheetnames:
        if name != "打印":
            book.remove(book[name])
    book.save(tmp_path / "print.xlsx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "print.xlsx")],
                   check=True, capture_output=True, timeout=300)
    pages = pdftext(tmp_path / "print.pdf").split("\f")
    pages = [page for page in pages if page.strip()]
    assert 5 <= len(pages) <= 30
    assert all("序号" in page and "判定依据" in page for page in pages)  # no column pushed onto pages of its own


def test_a_wrong_office_setting_stops_the_build_as_bad_input(tmp_path, monkeypatch):
    from src.report import office

    bad = tmp_path / "office.toml"
    bad.write_text('[ranking]\nparty_organs = "maybe"\n', encoding="utf-8")
    monkeypatch.setattr(office, "OFFICE_FILE", bad)
    code, summary = build(raw=str(FIXTURES / "mini_table.md"), out=str(tmp_path / "out"),
                          overrides=str(FIXTURES / "no_overrides.csv"))
    assert code == 2 and summary.input_error
    assert any("ranking.party_organs" in failure and str(bad) in failure for failure in summary.failures)
    assert not (tmp_path / "out" / "reports" / "index.html").exists()
