"""Make the README's pictures of the documents from a build's reports folder (issue 24).

    .venv/bin/python scripts/render_document_screenshots.py /tmp/out/reports

docs/notice-page1.png          the 通报's first page (overview.docx through LibreOffice, then pdftoppm)
docs/special-report-page1.png  a 专报's first page (leader-02.docx, the same way)
docs/excel-print.png           the workbook's 打印 sheet as printed (LibreOffice, then pdftoppm)
docs/report-page.png           leader-02.html at 1000 px in Chromium; docs/report-phone.png at 400 px
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def first_page(pdf: Path, name: str, dpi: int = 80) -> None:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(DOCS / name)],
                   check=True)


def main(reports: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        from openpyxl import load_workbook

        book = load_workbook(reports / "key_tasks_classified.xlsx")
        for name in book.sheetnames:
            if name != "打印":
                book.remove(book[name])
        book.save(work / "print.xlsx")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work),
                        str(reports / "overview.docx"), str(reports / "leader-02.docx"), str(work / "print.xlsx")],
                       check=True, capture_output=True, timeout=600)
        first_page(work / "overview.pdf", "notice-page1")
        first_page(work / "leader-02.pdf", "special-report-page1")
        first_page(work / "print.pdf", "excel-print")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        for width, height, name in ((1000, 1300, "report-page.png"), (400, 860, "report-phone.png")):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((reports / "leader-02.html").as_uri())
            page.screenshot(path=str(DOCS / name))
            page.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
