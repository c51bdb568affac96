"""The workspace folder: ``productpath.toml`` plus ``.productpath/`` (database, caches, reports).

This module knows files and paths only; creating the database is the job of
``services.workspace``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from productpath.errors import WorkspaceError

CONFIG_NAME = "productpath.toml"
DATA_DIR = ".productpath"
DB_NAME = "productpath.db"


def slugify(text: str) -> str:
    """A lowercase key made of letters, digits and dashes ("Pocket Pay" -> "pocket-pay")."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "product"


@dataclass(frozen=True)
class Workspace:
    """A workspace on disk and the database it points at."""

    root: Path
    name: str
    product: str
    database_url: str

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_DIR

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def sqlite_url(root: Path) -> str:
    return f"sqlite:///{(root / DATA_DIR / DB_NAME).resolve()}"


def write_config(root: Path, name: str, product: str) -> Path:
    """Write a fresh productpath.toml; never overwrites one that exists."""
    path = root / CONFIG_NAME
    if path.exists():
        return path
    path.write_text(
        "# productpath workspace settings\n"
        f"name = {_toml_string(name)}\n"
        "# the product that feedback imports and reports use when none is named\n"
        f"product = {_toml_string(product)}\n",
        encoding="utf-8",
    )
    return path


def load(root: Path, database_url: str | None = None) -> Workspace:
    """Read the workspace at ``root``; raise a clear error when there is none."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.exists():
        raise WorkspaceError(
            f"no workspace at {root} (no {CONFIG_NAME}); run 'productpath init' there "
            "or pass --workspace"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read settings: {exc}") from exc
    name = str(data.get("name") or root.name)
    product = str(data.get("product") or slugify(name))
    return Workspace(
        root=root,
        name=name,
        product=product,
        database_url=database_url or sqlite_url(root),
    )


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
