"""The executed notebook to HTML with one exporter per process (src/report/render.py): each notebook's
body is its own (nothing carried from the one before), and the node papermill returns gives the same
HTML as the file it wrote."""
from __future__ import annotations

import nbformat

from src.report import export


def _notebook(text: str, hidden: str):
    cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_markdown_cell(text),
             nbformat.v4.new_code_cell(hidden, outputs=[nbformat.v4.new_output(
                 "display_data", data={"text/html": f"<p>{text}表</p>"})])]
    return nbformat.v4.new_notebook(cells=cells)


def test_one_exporter_renders_each_notebook_as_its_own(tmp_path):
    first, second = _notebook("督查第一", "secret_code_a()"), _notebook("督查第二", "secret_code_b()")
    path = tmp_path / "first.ipynb"
    nbformat.write(first, str(path))
    from_file, from_node, other = (export.notebook_body_html(path), export.notebook_body_html(first),
                                   export.notebook_body_html(second))
    assert from_file == from_node
    assert "督查第一表" in from_node and "督查第二" not in from_node
    assert "督查第二表" in other and "督查第一" not in other
    assert "secret_code" not in from_node + other and "x = 1" not in from_node  # no code, no parameters
    assert export._exporter() is export._exporter()  # built once per process
