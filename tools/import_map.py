"""Measure the shape of the package from its own import statements.

    python tools/import_map.py               figures for the whole package and for services/
    python tools/import_map.py --json        the same figures as JSON
    python tools/import_map.py --cycles      list every import circle (module by module)

Every import counts: at module level, inside a function, and under ``if TYPE_CHECKING:``; an
import hidden in a function still ties two modules together. "Floors" is the length of the
longest chain of arrows inside a package (circles are first folded into one node), so a flat
hub with long internal chains has many floors. The figures in docs/development.md come from here.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterable
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "productpath"


def module_files(src: Path = SRC) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (``__init__`` is the package)."""
    found: dict[str, Path] = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(node: ast.AST, here: str, is_package: bool, modules: set[str]) -> Iterable[str]:
    """The package modules that one import statement reaches."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield from _resolve(alias.name, modules)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = here.split(".")
            if not is_package:
                anchor = anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            child = f"{base}.{alias.name}"
            if child in modules:
                yield child
            else:
                yield from _resolve(base, modules)


def _resolve(name: str, modules: set[str]) -> Iterable[str]:
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            yield candidate
            return
        parts.pop()


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> the package modules it imports, wherever in the file the import stands."""
    files = module_files(src)
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(tree):
            edges.update(_targets(node, name, is_package, modules))
        edges.discard(name)
        graph[name] = edges
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components, iteratively; each component of more than one module is a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that reach each other through their imports."""
    return sorted(c for c in strongly_connected(graph) if len(c) > 1)


def floors(graph: dict[str, set[str]]) -> int:
    """Longest chain of arrows, counted in modules, after folding each circle into one node."""
    component_of: dict[str, int] = {}
    for number, component in enumerate(strongly_connected(graph)):
        for member in component:
            component_of[member] = number
    folded: dict[int, set[int]] = {n: set() for n in set(component_of.values())}
    for source, targets in graph.items():
        for target in targets:
            if target in graph and component_of[source] != component_of[target]:
                folded[component_of[source]].add(component_of[target])
    depth: dict[int, int] = {}

    def reach(node: int) -> int:
        pending = [node]
        while pending:
            current = pending[-1]
            missing = [t for t in folded[current] if t not in depth]
            if missing:
                pending.extend(missing)
                continue
            pending.pop()
            depth[current] = 1 + max((depth[t] for t in folded[current]), default=0)
        return depth[node]

    return max((reach(n) for n in folded), default=0)


def inside(graph: dict[str, set[str]], prefix: str) -> dict[str, set[str]]:
    """The part of the graph made of the modules under ``prefix`` (package itself left out)."""
    members = {m for m in graph if m.startswith(prefix + ".")}
    return {m: graph[m] & members for m in members}


def figures(src: Path = SRC) -> dict[str, object]:
    graph = import_graph(src)
    files = module_files(src)
    services = inside(graph, f"{PACKAGE}.services")
    top_level = [m for m in services if m.count(".") == 2 and files[m].name != "__init__.py"]
    lines = sum(len(files[m].read_text(encoding="utf-8").splitlines()) for m in services)
    return {
        "modules": len(graph),
        "lines": sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files.values()),
        "circles": circles(graph),
        "services": {
            "modules": len(services),
            "modules_directly_in_services": len(top_level),
            "lines": lines,
            "floors": floors(services),
            "arrows": sum(len(t) for t in services.values()),
            "wings": sorted({m.split(".")[2] for m in services if m.count(".") >= 3}),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--cycles", action="store_true", help="list every import circle")
    args = parser.parse_args(argv)
    result = figures()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    found = result["circles"]
    assert isinstance(found, list)
    if args.cycles:
        for circle in found:
            print(" <-> ".join(circle))
        return 0
    services = result["services"]
    assert isinstance(services, dict)
    print(f"package: {result['modules']} modules, {result['lines']} lines, {len(found)} circles")
    print(
        f"services/: {services['modules']} modules ({services['modules_directly_in_services']}"
        f" directly in services/), {services['lines']} lines, {services['floors']} floors,"
        f" {services['arrows']} arrows, wings: {', '.join(services['wings']) or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
