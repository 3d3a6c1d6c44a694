"""The shape docs/architecture.md promises, checked on the import graph of kctl/ (every import,
module-level or inside a function, except those under `if TYPE_CHECKING:`):

- no import cycle between modules;
- data flows one way: the core (compose, convert, kube, chart, detect, packs, dev, cluster and
  the shared modules) never imports the use cases (kctl/app) or the CLI, and kctl/app never
  imports the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "kctl"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                return  # annotations only: not a runtime dependency
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(base)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(GRAPH):
        if start in index:
            continue
        work = [(start, iter(sorted(GRAPH[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_graph_sees_the_whole_package() -> None:
    assert "kctl.cli.main" in GRAPH and "kctl.compose.loader" in GRAPH
    assert "kctl.compose.model" in GRAPH["kctl.compose.loader"]  # the walker finds imports


def test_no_import_cycles() -> None:
    assert _cycles() == []


def _layer(name: str) -> str:
    if name == "kctl.__main__":  # `python -m kctl`: an entry point, as the CLI
        return "cli"
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ("cli", "app") else "core"


def test_imports_run_one_way() -> None:
    """cli -> app -> core, never back."""
    rank = {"cli": 2, "app": 1, "core": 0}
    upward = [
        f"{name} imports {target}"
        for name, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if rank[_layer(target)] > rank[_layer(name)]
    ]
    assert upward == []
