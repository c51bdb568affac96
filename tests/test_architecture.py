"""Layering rules from DESIGN.md and docs/development.md, checked on every import statement.

    domain  <-  store, ingest, insights, planning, delivery, learning, reports, charts, notify
            <-  services (wings above the use cases)  <-  cli, web

Each package has an explicit set of packages it may import (ALLOWED); a sibling import that
stays is written down there with its reason. Every import counts: at module level, inside a
function and under ``if TYPE_CHECKING:``. Inside services/, the wings are floors (WING_FLOOR):
a module imports only from its own floor or below. No import circles, no module over 600
lines, and at most 30 modules directly in services/.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

SRC = Path(__file__).resolve().parent.parent / "src" / "productpath"

# Top-level modules every package may use: they import nothing above them.
BASE = {"errors", "settings", "workspace", "__init__"}

PLAIN = {"domain"}  # the shared plain types and pure rules
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "store": PLAIN,
    "ingest": PLAIN,
    "insights": PLAIN,
    "planning": PLAIN,
    "delivery": PLAIN,
    "learning": PLAIN,
    # Reports embed static SVG charts (a PDF cannot run scripts); charts import no report.
    "reports": PLAIN | {"charts"},
    "notify": PLAIN,
    # Charts draw the result types the pure planning, learning and delivery functions return
    # (a schedule, a milestone forecast, hit rates, a milestone's delivery); those packages
    # import no chart back. Read models from services are described by Protocols instead.
    "charts": PLAIN | {"planning", "learning", "delivery"},
    "services": PLAIN
    | {"store", "ingest", "insights", "planning", "delivery", "learning", "reports", "charts"}
    | {"notify"},
    # The demo builder fills a workspace through the services and renders one report.
    "demo": PLAIN | {"services", "store", "reports"},
    # Printers format the result types the services hand back, which are the pure packages'
    # own (a schedule, a delivery status, hit rates): reading them is not calling them.
    # ``demo`` and ``web`` only inside the command that builds or serves (checked below).
    "cli": PLAIN | {"services", "planning", "delivery", "learning", "demo", "web"},
    # Pages draw charts and read the same result types as the CLI's printers.
    "web": PLAIN | {"services", "charts", "planning", "delivery", "learning"},
}
# Imports allowed only inside a function: the command that starts the server or the demo.
ONLY_INSIDE_FUNCTIONS = {("cli", "web"), ("cli", "demo")}

# services/: the use cases directly in services/ are floor 0; a wing may import its own floor
# and the floors below, never above.
WING_FLOOR = {
    "": 0,  # directly in services/
    "work": 1,
    "forecasting": 1,
    "learning": 1,
    "pages": 2,
    "api": 3,
    "reporting": 3,
    "background": 4,
}
MAX_LINES = 600
MAX_SERVICES_MODULES = 30


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(dotted productpath module, imported at module level?) for each import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name.startswith("productpath."):
                found.append((name, id(node) in top_level))
    return found


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _wing(dotted_or_path: str | Path) -> str | None:
    """The services wing ("" for directly in services/), or None outside services."""
    if isinstance(dotted_or_path, Path):
        parts = list(dotted_or_path.relative_to(SRC).with_suffix("").parts)
    else:
        parts = dotted_or_path.split(".")[1:]
    if not parts or parts[0] != "services":
        return None
    if len(parts) > 2 and (SRC / "services" / parts[1]).is_dir():
        return parts[1]
    if len(parts) == 2 and (SRC / "services" / parts[1]).is_dir():
        return parts[1]
    return ""


def _import_map() -> ModuleType:
    """tools/import_map.py: the import graph the layout's figures are measured with."""
    path = SRC.parent.parent / "tools" / "import_map.py"
    spec = importlib.util.spec_from_file_location("import_map", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_map", module)
    spec.loader.exec_module(module)
    return module


def test_each_package_imports_only_what_it_is_allowed() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        here = _package(path)
        for dotted, module_level in _imports(path):
            target = dotted.split(".")[1]
            if not (SRC / target).is_dir() and not (SRC / f"{target}.py").exists():
                target = "__init__"  # a name the package itself exports (``__version__``)
            if target in BASE or target == here:
                continue
            where = f"{path.relative_to(SRC)} ({here}) imports {dotted}"
            if here in BASE:
                problems.append(f"{where}: base modules import nothing above them")
            elif target not in ALLOWED.get(here, set()):
                problems.append(where)
            elif (here, target) in ONLY_INSIDE_FUNCTIONS and module_level:
                problems.append(f"{where} at module level")
    assert problems == []


def test_every_package_has_an_allowed_set() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(ALLOWED), packages ^ set(ALLOWED)


def test_services_wings_import_only_their_floor_and_below() -> None:
    problems = []
    for path in sorted((SRC / "services").rglob("*.py")):
        here = _wing(path)
        assert here in WING_FLOOR, f"{path.relative_to(SRC)}: wing {here!r} has no floor"
        for dotted, _ in _imports(path):
            target = _wing(dotted)
            if target is None or target == here:
                continue
            assert target in WING_FLOOR, f"{dotted}: wing {target!r} has no floor"
            if WING_FLOOR[target] > WING_FLOOR[here]:
                problems.append(f"{path.relative_to(SRC)} ({here or 'services'}) imports {dotted}")
    assert problems == []


def test_each_wing_says_what_it_holds() -> None:
    for wing in WING_FLOOR:
        if wing:
            init = SRC / "services" / wing / "__init__.py"
            docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert docstring and len(docstring.split()) >= 20, init


def test_no_import_circles_even_inside_functions() -> None:
    # An import inside a function (or under TYPE_CHECKING) hides a circle at run time but still
    # ties the two modules together: move the shared type down (domain/) instead.
    import_map = _import_map()
    assert import_map.circles(import_map.import_graph()) == []


def test_modules_stay_small() -> None:
    big = [
        f"{p.relative_to(SRC)}: {n}"
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert big == []


def test_services_keeps_at_most_30_modules_directly() -> None:
    direct = [p.name for p in (SRC / "services").glob("*.py") if p.name != "__init__.py"]
    assert len(direct) <= MAX_SERVICES_MODULES, sorted(direct)


def test_the_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom productpath.web import app\n\ndef f():\n"
        "    from productpath.cli import main\n"
    )
    assert _imports(bad) == [("productpath.web.app", True), ("productpath.cli.main", False)]
    assert _wing("productpath.services.pages.overview") == "pages"
    assert _wing("productpath.services.pages") == "pages"
    assert _wing("productpath.services.feedback") == ""
    assert _wing("productpath.store.models") is None


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


def test_the_development_guide_draws_the_same_wings() -> None:
    # docs/development.md is the map; its floor table must say what WING_FLOOR enforces.
    guide = (SRC.parent.parent / "docs" / "development.md").read_text(encoding="utf-8")
    drawn = {
        match.group(2).rstrip("/"): int(match.group(1))
        for match in re.finditer(r"^\| (\d) \| `([a-z_]+/)` \|", guide, re.MULTILINE)
    }
    assert drawn == {wing: floor for wing, floor in WING_FLOOR.items() if wing}
    direct = sorted(p.stem for p in (SRC / "services").glob("*.py") if p.stem != "__init__")
    assert f"{len(direct)} use cases stay" in guide
