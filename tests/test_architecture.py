"""Layering rules from DESIGN.md, checked on the import statements of every module.

    domain  <-  store, ingest, insights, planning, delivery, reports  <-  services  <-  cli, web

insights, planning, delivery and ingest never import store or web (they take and return plain
data); cli and web never import each other
(the serve/demo commands may import web inside a function to start the server).
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SRC = Path(__file__).resolve().parent.parent / "src" / "productpath"

LAYER = {
    "domain": 0,
    "store": 1,
    "ingest": 1,
    "insights": 1,
    "planning": 1,
    "delivery": 1,
    "learning": 1,
    "reports": 1,
    "charts": 1,
    "notify": 1,
    "services": 2,
    "demo": 2,
    "cli": 3,
    "web": 3,
}
FORBIDDEN = {
    "ingest": {"store", "web"},
    "insights": {"store", "web"},
    "planning": {"store", "web"},
    "delivery": {"store", "web"},
    "learning": {"store", "web"},
    "charts": {"store", "web"},
    "cli": {"web"},
    "web": {"cli"},
}
# Top-level modules every layer may use: they import nothing above them.
BASE = {"errors", "settings", "workspace", "__init__"}


def _import_map() -> ModuleType:
    """tools/import_map.py: the import graph the issue's figures were measured with."""
    path = SRC.parent.parent / "tools" / "import_map.py"
    spec = importlib.util.spec_from_file_location("import_map", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_map", module)
    spec.loader.exec_module(module)
    return module


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(productpath sub-package, imported at module level?) for each import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "productpath" and len(parts) > 1:
                found.append((parts[1], id(node) in top_level))
    return found


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def test_lower_layers_never_import_higher_ones() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        here = _package(path)
        for target, _ in _imports(path):
            if target in BASE or target == here:
                continue
            if here in BASE:
                problems.append(f"{path.relative_to(SRC)} (base module) imports {target}")
            elif here in LAYER and target in LAYER and LAYER[target] > LAYER[here]:
                problems.append(f"{path.relative_to(SRC)} ({here}) imports {target}")
    assert problems == []


def test_forbidden_pairs() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        here = _package(path)
        for target, module_level in _imports(path):
            # The one exception: a CLI command may import web inside its function to serve.
            if here == "cli" and target == "web" and not module_level:
                continue
            if target in FORBIDDEN.get(here, set()):
                problems.append(f"{path.relative_to(SRC)} ({here}) imports {target}")
    assert problems == []


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYER), packages - set(LAYER)


def test_modules_stay_small() -> None:
    big = [
        f"{p.relative_to(SRC)}: {n}"
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    ]
    assert big == []


def test_the_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom productpath.web import app\n\ndef f():\n"
        "    from productpath.cli import main\n"
    )
    assert _imports(bad) == [("web", True), ("cli", False)]


def test_no_import_circles_even_inside_functions() -> None:
    # An import inside a function (or under TYPE_CHECKING) hides a circle at run time but still
    # ties the two modules together: move the shared type down (domain/) instead.
    import_map = _import_map()
    assert import_map.circles(import_map.import_graph()) == []


def test_the_circle_finder_sees_a_function_level_circle(tmp_path: Path) -> None:
    import_map = _import_map()
    package = tmp_path / "productpath"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from productpath.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from productpath import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import productpath.a\n"
    )
    graph = import_map.import_graph(tmp_path)
    assert import_map.circles(graph) == [["productpath.a", "productpath.b"]]
    assert graph["productpath.c"] == {"productpath.a"}
