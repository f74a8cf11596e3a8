"""No import cycle in src/: every import of a project module (at the top of a module or inside a
function, outside ``if TYPE_CHECKING:``) is an edge; the graph must have no cycle. A function-local
import may only be there for a documented cold-start reason; it still counts here."""
from __future__ import annotations

import ast
import importlib

from tests.conftest import ROOT

SRC = ROOT / "src"


def _module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(tree: ast.AST) -> list[str]:
    """Every imported src.* name, skipping ``if TYPE_CHECKING:`` blocks."""
    found = []

    def walk(node):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            for child in node.orelse:
                walk(child)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(tree)
    return [name for name in found if name == "src" or name.startswith("src.")]


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        ancestors = {name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1)}
        targets = {_resolve(imported) for imported in _imports(ast.parse(path.read_text(encoding="utf-8")))}
        graph[name] = {target for target in targets if target and target != name and target not in ancestors}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle (its modules in order, the first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def test_the_walker_sees_a_cycle_when_there_is_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycle_in_src():
    graph = import_graph()
    assert len(graph) > 40 and graph["src.builder.run"]  # the walk found the modules and their imports
    assert find_cycle(graph) == []


def test_every_module_imports_on_its_own():
    """Every module of src/ imports (none needs another to have been imported first)."""
    for name in MODULES:
        if name.endswith(".__main__"):  # running it is its job
            continue
        importlib.import_module(name)
