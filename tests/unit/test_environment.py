"""The environment says what it is: pyproject.toml names the direct dependencies, requirements.txt
pins every one of them (the lock), environment.yml takes the seven from conda-forge at the same pins,
and the notebooks' import surface is an explicit list."""
from __future__ import annotations

import ast
import re
import tomllib

from tests.conftest import ROOT

SEVEN = ["jupyterlab", "pandas", "matplotlib", "seaborn", "jieba", "nbconvert", "papermill"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: {line!r} is not an exact pin"
            pins[_name(name)] = version.strip()
    return pins


def test_direct_dependencies_come_first_with_the_seven_and_are_all_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = [_name(d) for d in project["dependencies"]]
    assert direct[:7] == SEVEN and 15 <= len(direct) <= 30
    extras = [_name(d) for group in project["optional-dependencies"].values() for d in group]
    lock = _lock()
    assert [name for name in direct + extras if name not in lock] == []


def test_environment_yml_takes_the_seven_from_conda_forge_at_the_lock_pins():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    lock = _lock()
    for name in SEVEN:
        assert f"  - {name}={lock[name]}\n" in text, name
    assert "      - -r requirements.txt\n      - -e .\n" in text


def test_the_notebooks_import_surface_is_an_explicit_list_without_build_names():
    source = (ROOT / "src" / "helpers.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = [alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names]
    assert "*" not in imported
    from src import helpers

    assert sorted(helpers.__all__) == sorted(imported) and len(set(helpers.__all__)) == len(helpers.__all__)
    modules = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert not any(module.startswith("src.builder") for module in modules)
    assert not {"page_html", "html_to_pdf", "notebook_body_html", "index_html", "write_excel"} & set(helpers.__all__)
