"""tools/rewrite_imports.py brings code written before the services/domain move up to date."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TOOL = Path(__file__).resolve().parent.parent / "tools" / "rewrite_imports.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rewrite_imports", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("rewrite_imports", module)
    spec.loader.exec_module(module)
    return module


def test_old_imports_strings_and_doc_mentions_are_rewritten() -> None:
    tool = _tool()
    modules, names = tool.load_moves()
    old = (
        "from productpath.services import kpis, overview, feedback\n"
        "from productpath.services.overview import ProductInfo, Ref\n"
        "from productpath.web.deps import HandleDep, Principal\n"
        'x = "productpath.services.git.ingest_repository"\n'
        "# see services/report_data.py and ``services.forecast``\n"
    )
    new = tool.rewrite_names(tool.rewrite_modules(old, modules), names)
    assert new == (
        "from productpath.services import feedback\n"
        "from productpath.services.learning import kpis\n"
        "from productpath.services.pages import overview\n"
        "from productpath.domain.views import ProductInfo\n"
        "from productpath.services.pages.overview import Ref\n"
        "from productpath.web.deps import HandleDep\n"
        "from productpath.web.principal import Principal\n"
        'x = "productpath.services.work.git.ingest_repository"\n'
        "# see services/reporting/report_data.py and ``services.forecasting.forecast``\n"
    )
    # Running it again changes nothing.
    assert tool.rewrite_names(tool.rewrite_modules(new, modules), names) == new


def test_every_move_lands_on_a_module_that_exists() -> None:
    tool = _tool()
    modules, names = tool.load_moves()
    src = TOOL.parent.parent / "src"
    for new in [*modules.values(), *names.values()]:
        path = src / new.replace(".", "/")
        assert path.with_suffix(".py").exists() or (path / "__init__.py").exists(), new
    for old in modules:
        assert not (src / old.replace(".", "/")).with_suffix(".py").exists(), old
