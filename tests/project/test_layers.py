"""The layer order holds: the core never imports a ring, and nothing in connector_sim imports in a cycle.

Imports are read with ``ast``, inside functions too (a lazy import that climbs back up is still a
cycle); imports under ``if TYPE_CHECKING:`` are left out, and so is the one documented step:
``RestfulProfile.call`` reaching up to the caller that holds its connections.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "connector_sim"
RINGS = ("policy", "transformations", "journey", "connectors", "reporting", "testing", "cli", "load", "demo",
         "pytest_plugin", "__main__")  # the last two are entry points: they may import any ring
ALLOWED = {("connector_sim.profile", "connector_sim.caller")}  # RestfulProfile.call, lazily
MAX_CORE_MODULES = 20
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    package = module if is_package else module.rpartition(".")[0]
    stack: List[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # ``from . import x`` of a submodule depends on x, not on the package's face.
            submodules = [f"{target}.{alias.name}" for alias in node.names]
            if not (node.module is None and all(_is_module(name) for name in submodules)):
                yield target
            yield from submodules
        stack.extend(ast.iter_child_nodes(node))


def _graph() -> Dict[str, Set[str]]:
    files = {(_module_name(p), p) for p in PACKAGE.rglob("*.py")}
    names = {name for name, _ in files}
    graph: Dict[str, Set[str]] = {}
    for name, path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = {t for t in _imports(tree, name, path.name == "__init__.py") if t in names and t != name}
        graph[name] = {t for t in targets if (name, t) not in ALLOWED}
    return graph


def _ring(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RINGS else None


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    # A package face importing its own private modules is not a cycle of the design: count
    # only edges that leave a module's own package, or that go from a submodule to its face.
    found: List[List[str]] = []
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_core_never_imports_a_ring() -> None:
    upward: List[Tuple[str, str]] = []
    for module, targets in _graph().items():
        if _ring(module) is None and module != "connector_sim":  # the package face exports the rings
            upward += [(module, t) for t in targets if _ring(t) is not None]
    assert not upward, f"core modules import rings: {upward}"


def test_no_import_cycle_anywhere() -> None:
    assert _cycles(_graph()) == []


def test_the_checks_catch_an_upward_import_and_a_cycle() -> None:
    graph = _graph()
    graph["connector_sim.encoding"] = graph["connector_sim.encoding"] | {"connector_sim.policy"}
    graph["connector_sim.policy"] = graph["connector_sim.policy"] | {"connector_sim.encoding"}
    assert any("connector_sim.encoding" in cycle for cycle in _cycles(graph))
    assert _ring("connector_sim.policy") == "policy" and _ring("connector_sim.encoding") is None


def test_the_core_is_small_and_every_module_is_short() -> None:
    core = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(core) <= MAX_CORE_MODULES, core
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


@pytest.mark.parametrize("ring", [r for r in RINGS if not r.startswith("_") and r != "pytest_plugin"])
def test_each_ring_has_a_face(ring: str) -> None:
    face = PACKAGE / ring / "__init__.py"
    assert face.exists() and ast.get_docstring(ast.parse(face.read_text(encoding="utf-8")))
