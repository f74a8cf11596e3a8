"""Layout of the built reports: PDFs that print (page targets, repeated table headers, charts
inside the page, no half-empty pages) and HTML that reads on a phone (measured in Chromium)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

# Pages, on the 2020 table. The PDF is printed in the 公文 layout of the Word file (三号 on 22 lines, issue 24),
# so it holds about as many pages as the Word document (issue 11's budgets were for 10 pt text).
PDF_TARGETS = {"leader-02.pdf": 13, "overview.pdf": 15}
BOTTOM_MARGIN_PT = 35 / 25.4 * 72  # the @page bottom margin (GB/T 9704)


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.mark.parametrize("name, most", PDF_TARGETS.items())
def test_pdf_page_targets(real_build, name, most):
    assert _pages(real_build / "reports" / name) <= most


def test_lagging_table_header_repeats_on_every_page(real_build):
    pdfplumber = pytest.importorskip("pdfplumber")
    for name in ["overview.pdf", "leader-02.pdf"]:
        with pdfplumber.open(real_build / "reports" / name) as pdf:
            continued = 0
            for number, page in enumerate(pdf.pages, start=1):
                words = page.extract_words()
                details = [w for w in words if w["text"].startswith(("下一步工作安排：", "存在问题："))]
                if not details:
                    continue
                headers = [w for w in words if w["text"].startswith("判定依据")]
                assert headers and min(w["top"] for w in headers) < min(w["top"] for w in details), (name, number)
                continued += 1
            assert continued >= 2, name  # the table really spans pages


def test_charts_fit_inside_the_page(real_build):
    pdfplumber = pytest.importorskip("pdfplumber")
    for path in sorted((real_build / "reports").glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                for image in page.images:
                    assert image["top"] >= 0 and image["bottom"] <= page.height - BOTTOM_MARGIN_PT + 1, (path.name, number)


def test_no_half_empty_pages(real_build):
    """Every page but the last is at least half full: no unbreakable block leaves a page empty.
    (The page before an 附件 may end early: an 附件 starts on a new page, as in the Word file.)"""
    pdfplumber = pytest.importorskip("pdfplumber")
    for path in sorted((real_build / "reports").glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages[:-1], start=1):
                following = (pdf.pages[number].extract_text() or "").lstrip()
                if re.match(r"附件\d*", following):
                    continue
                footer = page.height - BOTTOM_MARGIN_PT
                bottoms = [c["bottom"] for c in page.chars if c["bottom"] < footer and c["text"].strip()]
                bottoms += [image["bottom"] for image in page.images]
                assert max(bottoms) / page.height >= 0.5, (path.name, number, max(bottoms) / page.height)


# ---------------------------------------------------------------- phones (headless Chromium)
def _chromium():
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.fail("chromium is not installed: run scripts/setup_system.sh --test")
    return playwright


@pytest.fixture(scope="module")
def measured(real_build):
    """Each page at 400 px and 1280 px: widths, heights and what the reader sees."""
    playwright = _chromium()
    results = {}
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"])
        for name in ["index.html", "overview.html", "leader-02.html", "leader-08.html"]:
            for width in (400, 1280):
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.route(re.compile(r"^https?://"), lambda route: route.abort())
                page.goto((real_build / "reports" / name).as_uri())
                page.wait_for_load_state("load")
                results[name, width] = page.evaluate("""() => ({
                    scrollWidth: document.documentElement.scrollWidth,
                    height: document.documentElement.scrollHeight,
                    theadShown: Array.from(document.querySelectorAll('table.tasks thead')).filter(t => getComputedStyle(t).display !== 'none').length,
                    tables: document.querySelectorAll('table.tasks').length,
                    cellsWithoutLabel: document.querySelectorAll('table.tasks td:not([data-label]):not(:first-child)').length,
                    firstCellLabels: Array.from(document.querySelectorAll('table.tasks tr.main > td:first-child, table.tasks:not(.with-details) tbody tr > td:first-child:not([data-label])')).slice(0, 3).map(td => getComputedStyle(td, '::before').content),
                    images: Array.from(document.images).map(i => ({alt: i.alt, width: i.getBoundingClientRect().width, loaded: i.complete && i.naturalWidth > 0})),
                    widest: Math.max(0, ...Array.from(document.querySelectorAll('body *')).map(e => e.getBoundingClientRect().right)),
                    links: Array.from(document.querySelectorAll('nav.report-nav a')).map(a => a.getAttribute('href')),
                })""")
                page.close()
        browser.close()
    return results


@pytest.mark.parametrize("name", ["index.html", "overview.html", "leader-02.html", "leader-08.html"])
def test_no_horizontal_scrolling_on_a_phone(measured, name):
    for width in (400, 1280):
        seen = measured[name, width]
        assert seen["scrollWidth"] <= width, (name, width, seen["scrollWidth"])
        assert seen["widest"] <= width + 1, (name, width, seen["widest"])


@pytest.mark.parametrize("name", ["index.html", "overview.html", "leader-02.html"])
def test_tables_become_cards_on_a_phone(measured, name):
    phone, desk = measured[name, 400], measured[name, 1280]
    assert phone["tables"] and phone["theadShown"] == 0  # headings move into each cell's label
    assert desk["theadShown"] == desk["tables"]
    assert phone["cellsWithoutLabel"] == 0  # …every cell but a task's 序号, which the stylesheet labels
    assert all(label == '"序号："' for label in phone["firstCellLabels"]), phone["firstCellLabels"]


def test_a_leader_page_on_a_phone_is_at_most_three_times_as_tall(measured):
    assert measured["leader-02.html", 400]["height"] <= 3 * measured["leader-02.html", 1280]["height"]


@pytest.mark.parametrize("name", ["overview.html", "leader-02.html"])
def test_charts_scale_and_have_chinese_alt_text(measured, name):
    for width in (400, 1280):
        images = measured[name, width]["images"]
        assert images and all(image["loaded"] for image in images)
        assert all(image["width"] <= width for image in images)
        assert all(re.search(r"[\u4e00-\u9fff]{4,}", image["alt"]) for image in images), images


def test_reports_link_back_to_the_index_and_to_each_other(measured, real_build):
    reports = real_build / "reports"
    docx_built = any(reports.glob("*.docx"))
    for name in ["overview.html", "leader-02.html", "leader-08.html"]:
        links = measured[name, 1280]["links"]
        assert links[0] == "index.html"
        for href in links:
            if href.endswith(".docx") and not docx_built:
                continue  # Word files are written by the build once it calls src.report.word
            assert (reports / href).exists(), (name, href)
    two = measured["leader-02.html", 1280]["links"]
    assert "leader-01.html" in two and "leader-03.html" in two and "overview.html" in two
    assert "leader-08.html" not in [h for h in measured["leader-08.html", 1280]["links"]]


def test_the_stylesheet_parsed_once_makes_the_same_pdf_as_the_inline_one(real_build, tmp_path):
    """html_to_pdf gives WeasyPrint the report stylesheet parsed once per process instead of the page's
    inline copy: the same pages and the same text as rendering the page as it is."""
    from weasyprint import HTML

    from src.report import export

    page = (real_build / "reports" / "leader-02.html").read_text(encoding="utf-8")
    assert "<style>" in page
    export.html_to_pdf(page, tmp_path / "first.pdf")
    export.html_to_pdf(page, tmp_path / "again.pdf")  # the parsed stylesheet reused
    HTML(string=page, url_fetcher=export._no_network(), media_type="print").write_pdf(str(tmp_path / "inline.pdf"))
    texts = [subprocess.run(["pdftotext", "-layout", str(tmp_path / f"{name}.pdf"), "-"], capture_output=True,
                            text=True, check=True).stdout for name in ("first", "again", "inline")]
    assert texts[0] == texts[1] == texts[2] and re.search(r"—\s*2\s*—", texts[0])
    assert _pages(tmp_path / "first.pdf") == _pages(tmp_path / "inline.pdf") > 1


# ---------------------------------------------------------------- issue 24: the PDF beside the Word file
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_word_files_render_in_libreoffice_with_the_pdfs_page_count(real_build, tmp_path):
    reports = real_build / "reports"
    names = ["overview", "leader-02", "leader-04", "leader-08"]
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(reports / f"{name}.docx") for name in names]], check=True, capture_output=True, timeout=600)
    for name in names:
        assert abs(_pages(tmp_path / f"{name}.pdf") - _pages(reports / f"{name}.pdf")) <= 1, name


def test_a_charts_caption_is_on_its_charts_page(real_build):
    pdfplumber = pytest.importorskip("pdfplumber")
    found = 0
    for path in sorted((real_build / "reports").glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                notes = [w for w in page.extract_words() if w["text"].startswith("下图每个点")]
                for note in notes:
                    assert any(image["top"] >= note["bottom"] - 1 for image in page.images), (path.name, page.page_number)
                    found += 1
    assert found


def test_status_badges_fit_their_column_in_print(real_build):
    playwright = _chromium()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 590, "height": 900})  # the 156 mm text block at 96 dpi
        page.emulate_media(media="print")
        page.goto((real_build / "reports" / "leader-02.html").as_uri())
        overflow = page.evaluate("""() => Array.from(document.querySelectorAll('td .badge')).map(b => {
            const cell = b.closest('td').getBoundingClientRect(), badge = b.getBoundingClientRect();
            return badge.right - cell.right; })""")
        browser.close()
    assert overflow and max(overflow) <= 0.5, max(overflow)


def test_phone_charts_become_tables_under_500px(real_build):
    playwright = _chromium()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        seen = {}
        for width in (400, 1280):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto((real_build / "reports" / "leader-02.html").as_uri())
            seen[width] = page.evaluate("""() => Array.from(document.querySelectorAll('figure.chart.has-table')).map(f => ({
                image: getComputedStyle(f.querySelector('img')).display !== 'none',
                table: getComputedStyle(f.querySelector('.chart-table')).display !== 'none'}))""")
            page.close()
        browser.close()
    assert seen[400] and all(not f["image"] and f["table"] for f in seen[400])
    assert all(f["image"] and not f["table"] for f in seen[1280])
