"""The rendered reports: what a reader receives must be complete, readable and safe."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import pandas as pd
import pytest

from src import render
from src.build import build
from src.parse import parse_table
from src.paths import TEMPLATES_DIR
from src.store import read_table
from tests.conftest import FIXTURES

LEADERS = ["刘忻", "戴建平", "柯吉欣", "缪承潮", "王宏", "胡伟", "陈国妹", "陈卫强"]
STATUS_WORDS = {"completed": "已完成", "on-track": "序时推进", "lagging": "滞后"}


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
    assert re.search(rf"<title>{leader}{title}[^<]*</title>", page)
    counts = mine["status"].value_counts()
    assert card_counts(page) == {status: int(counts.get(status, 0)) for status in STATUS_WORDS}
    assert f"{leader}{title}牵头的{len(mine)}项重点工作中" in page
    text = pdftext(real_build / "reports" / f"leader-{order:02d}.pdf")
    first_page = text.split("\f")[0]
    assert f"{leader}{title}" in first_page.replace(" ", "")
    # real Chinese task text, selectable, in the PDF
    some_task = re.sub(r"\s", "", mine["task"].iloc[0])[:12]
    assert some_task in re.sub(r"\s", "", text)


def test_pdf_fonts_are_embedded_cjk(real_build):
    listing = subprocess.run(["pdffonts", str(real_build / "reports" / "overview.pdf")], capture_output=True, text=True, check=True).stdout
    rows = listing.strip().splitlines()[2:]
    assert rows and any("CJK" in row for row in rows)
    assert all(row.split()[-5] == "yes" for row in rows), listing  # the "emb" column
    info = subprocess.run(["pdfinfo", str(real_build / "reports" / "overview.pdf")], capture_output=True, text=True).stdout
    assert "A4" in info or "595.276 x 841.89" in info
    assert "第 1 页 / 共" in pdftext(real_build / "reports" / "overview.pdf")  # page numbers


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


def test_overview_states_provenance_and_quality(real_build):
    page = (real_build / "reports" / "overview.html").read_text(encoding="utf-8")
    for expected in ["2020年政府工作报告重点工作半年度完成情况汇总表", "杭州市人民政府督查室", "2020-06-30", "判定规则版本", "读入数据行", "143"]:
        assert expected in page


def test_excel_has_a_sheet_per_leader_and_coloured_statuses(real_build):
    from openpyxl import load_workbook

    book = load_workbook(real_build / "reports" / "key_tasks_classified.xlsx")
    assert book.sheetnames == ["全部任务", *LEADERS]
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
    from src import style

    style.find_cjk_font.cache_clear()
    monkeypatch.setitem(style.report_style(), "fonts", ["No Such CJK Font"])
    try:
        with pytest.raises(style.CJKFontError, match="fonts-noto-cjk"):
            style.find_cjk_font()
    finally:
        style.find_cjk_font.cache_clear()


def test_the_chosen_font_really_draws_chinese():
    from src.style import SAMPLE_TEXT, find_cjk_font

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
    from src.plots import figure_png

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

    from src.plots import figure_png

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
    from src import narrative

    base = h.load_report(mini_processed / "tasks_classified.parquet", leader="戴建平")
    report, task_id, status = _overridden(base, with_new_columns)
    expected = "人工认定：督查组实地核查认定" + ("（张三，2020-07-15）" if with_new_columns else "")
    row = report.tasks[report.tasks["task_id"] == task_id].iloc[0]
    assert narrative.evidence_text(row) == expected
    sections = narrative.report_sections(report.tasks, report.subject, report.as_of)
    mentions = [line for part in sections.values() for line in part if expected in line]
    if status == "lagging":
        assert mentions and all("个百分点" not in line for line in mentions)  # no rule gap sentence
    assert not any(f"第{task_id}项" in line and "待复核" in line for line in sections["下一步工作要求"])
    table = h.lagging_table_html(report) + h.all_tasks_table_html(report)
    assert render.esc(expected) in table and '<span class="override">人工认定</span>' in table
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
    assert record["待复核"] in (None, "") and record["与序时进度差（百分点）"] is None
    assert record["复核人"] == ("张三" if with_new_columns else None)


def test_the_unclear_sentence_counts_only_tasks_with_nothing_said_and_names_them():
    from src import narrative

    tasks = pd.DataFrame({
        "task_id": [1, 2, 3, 4], "task": ["甲任务", "乙任务", "丙任务", "丁任务"], "lead_unit": ["甲局"] * 4,
        "status": ["on-track", "on-track", "lagging", "on-track"],
        "status_rule": ["default-on-track", "quantified-on-schedule", "quantified-below-schedule", "default-on-track"],
        "progress_ratio": [float("nan"), 0.6, 0.35, float("nan")], "schedule_gap_pts": [float("nan"), 10, -15, float("nan")],
        "status_evidence": ["推进中", "完成60%", "总进度35%", "推进中"], "needs_review": [False, False, True, False],
        "status_source": ["rule", "rule", "rule", "override"], "override_reason": ["", "", "", "已核实"],
    })
    lines = narrative.requirements(tasks, "2020-06-30")
    unclear = [line for line in lines if "未见量化进度或明确表述" in line]
    assert len(unclear) == 1 and unclear[0].startswith("另有1项") and "第1项“甲任务”" in unclear[0]
    assert "乙任务" not in unclear[0] and "丙任务" not in unclear[0] and "丁任务" not in unclear[0]
    assert "（其中1项进展表述中未见量化进度或明确表述）" in narrative.headline_sentence(tasks, "全市", "2020-06-30")
    # the classifier's own flag wins when present
    flagged = tasks.assign(no_clear_statement=[False, True, False, False])
    assert "第2项“乙任务”" in " ".join(narrative.requirements(flagged, "2020-06-30"))


@pytest.mark.parametrize("as_of, expected, absent", [
    ("2020-06-30", "确保下半年赶上进度", "尽快完成"),
    ("2020-09-30", "确保第四季度赶上进度、完成全年目标", "下半年"),
    ("2020-12-31", "尽快完成", "下半年"),
    ("2020-03-31", "确保尽快赶上序时进度", "下半年"),
])
def test_requirements_fit_the_report_date(as_of, expected, absent):
    from src import narrative

    tasks = pd.DataFrame({"task_id": [1], "task": ["甲"], "lead_unit": ["甲局"], "status": ["lagging"], "needs_review": [False]})
    text = narrative.requirements(tasks, as_of)[0]
    assert expected in text and absent not in text


def test_lead_units_are_ranked_by_lagging_share_with_counts(mini_processed):
    from src import helpers as h

    report = h.load_report(mini_processed / "tasks_classified.parquet")
    ranking = h.units_ranking(report, top=3)
    shares = [float(s.rstrip("%")) for s in ranking["滞后占比"]]
    assert shares == sorted(shares, reverse=True)
    assert (ranking["滞后"] <= ranking["任务数"]).all()
    html = h.units_ranking_html(report, top=3)
    units = ranking.attrs["units"]
    assert f"前 3 家（共 {units} 家）" in html if units > 3 else f"全部 {units} 家" in html


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


def test_leader_report_has_no_analyst_material(real_build):
    page = (real_build / "reports" / "leader-02.html").read_text(encoding="utf-8")
    assert "TF-IDF" not in page and "数据质量" not in page and "源文件" not in page
    overview = (real_build / "reports" / "overview.html").read_text(encoding="utf-8")
    assert "TF-IDF" in overview and "数据质量" in overview


def test_nothing_in_the_reports_assumes_mid_2020(tmp_path):
    from src import workbook

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
    from src import narrative
    from src.classify import classify_tasks

    tasks = classify_tasks(real_tasks, as_of="2020-06-30")
    headline = narrative.headline_sentence(tasks, "全市", "2020-06-30")
    counted = int(re.search(r"其中(\d+)项进展表述中未见", headline).group(1))
    asked = " ".join(narrative.requirements(tasks, "2020-06-30"))
    assert f"另有{counted}项任务的进展表述中未见量化进度或明确表述" in asked
    review = narrative.needs_review_flags(tasks)
    unclear = narrative.unclear_tasks(tasks)
    assert not set(unclear["task_id"]) & set(tasks.loc[review, "task_id"])  # 待复核 tasks said something
    assert unclear["progress_ratio"].isna().all() and unclear["status"].eq("on-track").all()


def test_report_links_list_the_roster_in_its_order(mini_processed):
    from src.report import load_report, report_links

    overview = load_report(mini_processed)
    roster = overview.roster()
    expected = [(each.slug, each.subject if each.leader else "全市总览") for each in roster]
    for report in roster:
        links = report_links(report)
        assert [(link["slug"], link["subject"]) for link in links] == expected
        assert all(link["html"] == f"{link['slug']}.html" and link["docx"] == f"{link['slug']}.docx" for link in links)
