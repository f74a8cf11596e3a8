"""Notebook hygiene: notebooks are committed without outputs.

    python scripts/nbtools.py strip  [NOTEBOOK ...]   remove outputs and execution counts
    python scripts/nbtools.py check  [NOTEBOOK ...]   exit 1 if any notebook carries outputs
                                                      or has not exactly one `parameters` cell
With no notebook named, every notebook under notebooks/ (templates included) is used.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def notebook_problems(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    problems = []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code_cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        problems.append(f"{path}: {len(tagged)} cells tagged 'parameters' (need exactly 1)")
    for index, cell in enumerate(code_cells):
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"{path}: code cell {index} carries outputs (run `make strip`)")
    return problems


def strip(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                changed = True
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            if key in cell.get("metadata", {}):
                del cell["metadata"][key]
                changed = True
    for key in ("papermill", "widgets"):
        if key in nb.metadata:
            del nb.metadata[key]
            changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"strip", "check"}:
        print(__doc__)
        return 2
    paths = [Path(p) for p in argv[1:]] or sorted((ROOT / "notebooks").rglob("*.ipynb"))
    if argv[0] == "strip":
        for path in paths:
            if strip(path):
                print(f"stripped {path}")
        return 0
    problems = [p for path in paths for p in notebook_problems(path)]
    print("\n".join(problems) or f"{len(paths)} notebooks OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
