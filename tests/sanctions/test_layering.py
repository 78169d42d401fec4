"""The sanctions packages depend on each other one way only, and only resolvers import resolvers.

Read from the source with `ast` (nothing is imported): every module under services/sanctions
except the GraphQL layer and the entry points below, every import in it (also those inside
functions), folded to the package level: `listings/service.py` importing
`checks/index_repository.py` is the edge listings -> checks. A top-level module (`windows.py`,
`enums.py`, ...) is a node of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import services.sanctions

ROOT = Path(services.sanctions.__file__).parent
PREFIX = "services.sanctions"
# The GraphQL layer and the entry points: they sit on top of every package by design.
OUTSIDE_LAYERING = {"graphql.py", "schema.py", "app.py", "loaders.py", "demo.py", "cli.py"}
GRAPHQL_LAYER = {"graphql.py", "schema.py"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PREFIX, *parts))


def _imports(path: Path) -> set[str]:
    """Every module of services.sanctions that `path` imports (dotted, absolute)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(
        ".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from services.sanctions import loaders` imports the module `loaders`.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m.startswith(PREFIX + ".")}


def _node(module: str) -> str:
    """The package-level node of a module: its first part below services.sanctions."""
    return module[len(PREFIX) + 1:].split(".", 1)[0]


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted[len(PREFIX) + 1:].split("."))
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def _modules(exclude: set[str]) -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if p.name not in exclude)


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _modules(OUTSIDE_LAYERING):
        if path == ROOT / "__init__.py":
            continue
        source = _node(_module_name(path))
        targets = graph.setdefault(source, set())
        for imported in _imports(path):
            if _is_module(imported):
                target = _node(imported)
                if target != source:
                    targets.add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None when the graph is acyclic."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_path:
                return [*path[path.index(nxt):], nxt]
            if nxt not in done:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_dag():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_is_read_from_the_real_modules():
    graph = package_graph()
    # Edges every reader of the code can see: the kernel's users depend on listings.
    for source, target in (("objections", "listings"), ("repair", "listings"),
                           ("events", "listings"), ("listings", "checks")):
        assert target in graph[source], (source, target, graph)


def test_the_sanctions_packages_import_each_other_without_a_cycle():
    graph = package_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "package import cycle: " + " -> ".join(cycle)


def test_only_the_graphql_layer_imports_graphql_modules():
    offenders = []
    for path in _modules(GRAPHQL_LAYER):
        for imported in _imports(path):
            if imported.rsplit(".", 1)[-1] == "graphql" and _is_module(imported):
                offenders.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not offenders, "\n".join(offenders)
