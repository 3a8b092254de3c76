"""The runtime's modules must form a graph without cycles, lazy imports included.

A function-level import hides a cycle from Python's loader but not from a reader: following
one call through modules that import each other is what the call-path core was built to end
(issue 12). The graph is read with `ast` from the files, so nothing is imported to build it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import b24client.runtime

RUNTIME = Path(b24client.runtime.__file__).parent
PACKAGE = "b24client.runtime"


def _module_name(path: Path) -> str:
    parts = path.relative_to(RUNTIME).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _resolve(module: str, is_package: bool, node: ast.ImportFrom, files: Mapping[str, Path]) -> list[str]:
    """Absolute names an import refers to: for `from m import x`, the submodule m.x when there
    is one, else m itself."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    return [f"{target}.{alias.name}" if f"{target}.{alias.name}" in files else target for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """Every import (top-level, TYPE_CHECKING or inside a function) between runtime modules."""
    files = {_module_name(path): path for path in RUNTIME.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve(name, is_package, node, files)
            else:
                continue
            # A module's own packages are imported before it anyway: not an edge of its making.
            graph[name] |= {target for target in targets if target in files and not (name + ".").startswith(target + ".")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as the modules along it (first repeated last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_runtime_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_lazy_imports_and_the_checker_finds_a_cycle() -> None:
    graph = import_graph()
    # A function-level import in client.py (the progress bar) is an edge too.
    assert "b24client.runtime.progress" in graph["b24client.runtime.client"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_only_the_facade_imports_client() -> None:
    importers = sorted(name for name, targets in import_graph().items() if "b24client.runtime.client" in targets)
    assert importers == [], importers
