"""The import graph of the project's packages has no circles.

Every ``import`` and ``from … import`` in indexer/ and search_app/ is read with
``ast``, those inside functions included (an import moved into a function to
dodge a circle is still a circle, only a later one); imports guarded by
``if TYPE_CHECKING:`` never run and are left out. A package's ``__init__`` is
an edge only where a module imports a name the package itself defines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("indexer", "search_app")


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """Import statements anywhere in the tree, except under ``if TYPE_CHECKING``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _targets(module: str, path: Path, node: ast.AST, modules: dict) -> set[str]:
    """The project modules one import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            is_package = path.name == "__init__.py"
            package = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{node.module}" if node.module else package
        else:
            base = node.module or ""
        # "from pkg import sub" loads the submodule; any other name, pkg itself.
        names = [
            f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
            for a in node.names
        ]
    found = set()
    for name in names:
        # "import a.b.c" loads the deepest project module the name reaches.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports."""
    modules = _modules()
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[module] = set().union(
            *(_targets(module, path, n, modules) for n in _import_nodes(tree))
        )
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_is_read():
    graph = import_graph()
    assert "indexer.folding" in graph["indexer.lexicon"]
    assert "indexer.store" in graph["indexer.build"]  # "from . import store"
    assert "indexer.model" in graph["indexer.ingest.text"]  # "from ..model import"
    assert "indexer.build" not in graph["indexer"]  # only under TYPE_CHECKING


def test_a_circle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert find_cycles(graph) == [["a", "b", "c"]]


def test_no_import_circles():
    assert find_cycles(import_graph()) == []


@pytest.mark.parametrize(
    "module", ["indexer.store", "indexer.folding", "indexer.formtable"]
)
def test_light_modules_load_no_engine(module):
    """The web app reads the index folder without loading Whoosh or the analysis."""
    code = (
        f"import sys, {module}; "
        "print(' '.join(m for m in sys.modules if m.split('.')[0] in "
        "('whoosh', 'snowballstemmer', 'wordfreq', 'pdfplumber') "
        "or m in ('indexer.analysis', 'indexer.build')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == []
