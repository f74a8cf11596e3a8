"""The executed notebook as a page's body, and a page as a PDF (the build's workers; a report's kernel
never imports this: nbconvert, nbformat and WeasyPrint take ~3 s to import, through jsonschema's
format checkers).

The PDF renderer refuses to fetch anything that is not a data URI (pages are self-contained)."""
from __future__ import annotations

import copy
import functools
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from src.report.render import inline_style, report_css

__all__ = ["notebook_body_html", "html_to_pdf"]


def notebook_body_html(notebook) -> str:
    """The executed notebook's outputs as HTML: no code, no prompts, no stderr,
    no warnings, no papermill parameters cell."""

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
    body, _ = _exporter().from_notebook_node(_reader_facing(nb))
    return body


@functools.lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    """One exporter per process (as ``jupyter nbconvert`` uses one for many notebooks): its template
    environment is built on the first export, not again for every report (about 0.06 s each)."""
    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, exclude_anchor_links=True)


def _reader_facing(nb):
    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"parameters", "injected-parameters", "remove-cell"}:
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                output for output in cell.get("outputs", [])
                if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
                and output.get("output_type") != "error"
                and not (output.get("output_type") == "execute_result" and "text/html" not in output.get("data", {})
                         and "image/png" not in output.get("data", {}))
            ]
            if not cell.outputs:
                continue
        kept.append(cell)
    nb.cells = kept
    return nb


def html_to_pdf(page: str, pdf_path: str | Path) -> Path:
    """Render a page to an A4 PDF with real, embedded CJK text.

    A page made by :func:`page_html` carries the report stylesheet inline; it is parsed
    once per process (:func:`_pdf_stylesheet`) and given to WeasyPrint beside the page
    without it: the same styles in the same place of the cascade (the page has no other),
    the same PDF text (tested), without parsing it again for every report."""

    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    css = report_css()
    stylesheets = []
    if inline_style(css) in page:
        page = page.replace(inline_style(css), "", 1)
        stylesheets = [_pdf_stylesheet(css)]
    HTML(string=page, url_fetcher=_no_network(), media_type="print").write_pdf(
        str(pdf_path), stylesheets=stylesheets, font_config=_font_config())
    return pdf_path


def _no_network():
    return URLFetcher(allowed_protocols={"data"})  # self-contained: never touch the network


@functools.lru_cache(maxsize=1)
def _pdf_stylesheet(css: str):
    """The report stylesheet parsed for print, once per process and text."""

    return CSS(string=css, url_fetcher=_no_network(), media_type="print", font_config=_font_config())


@functools.lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    """One font configuration per process, as WeasyPrint's documentation shares one between a
    stylesheet and its documents: the fonts each PDF loads are loaded once (a leader's PDF about
    0.1 s, a tenth, faster; the same text)."""

    return FontConfiguration()
