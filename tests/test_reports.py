"""The rendered reports: what a reader receives must be complete, readable and safe."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import papermill as pm
import pandas as pd
import pytest

from src import render
from src.build import build
from src.parse import parse_table
from src.store import read_table
from tests.conftest import FIXTURES, ROOT

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


# ---------------------------------------------------------------- notebooks run on a fixture
@pytest.mark.parametrize("notebook, parameters", [
    ("leader_report.ipynb", {"leader": "戴建平"}),
    ("overview_report.ipynb", {}),
])
def test_report_notebooks_run_on_a_fixture(tmp_path, mini_processed, notebook, parameters):
    out = tmp_path / notebook
    pm.execute_notebook(
        str(ROOT / "notebooks" / notebook), str(out), cwd=str(tmp_path), progress_bar=False, kernel_name="python3",
        parameters={"classified_path": str(mini_processed / "tasks_classified.parquet"), **parameters},
    )
    body = render.notebook_body_html(out)
    assert "重点工作" in body and "<img" in body
    if parameters:
        assert "戴建平常务副市长牵头重点工作" in body
    else:
        assert "全市重点工作" in body and "数据质量" in body


def test_unknown_leader_fails_loudly(tmp_path, mini_processed):
    with pytest.raises(pm.PapermillExecutionError, match="unknown leader"):
        pm.execute_notebook(
            str(ROOT / "notebooks" / "leader_report.ipynb"), str(tmp_path / "x.ipynb"), progress_bar=False,
            parameters={"classified_path": str(mini_processed / "tasks_classified.parquet"), "leader": "某某"},
        )


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
    text = pdftext(markup_build / "reports" / "leader-02.pdf")
    assert "<script>alert('x')</script>" in re.sub(r"\s+", "", text).replace("<script>alert('x')</script>", "<script>alert('x')</script>") or "<script>" in text


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
