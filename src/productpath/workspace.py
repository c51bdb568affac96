"""The workspace folder: ``productpath.toml`` plus ``.productpath/`` (database, caches, reports).

This module knows files and paths only; creating the database is the job of
``services.workspace``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from productpath.errors import WorkspaceError

CONFIG_NAME = "productpath.toml"
DATA_DIR = ".productpath"
DB_NAME = "productpath.db"


MAX_KEY_LENGTH = 64  # store.models: the key columns are String(64)
MAX_NAME_LENGTH = 200


def slugify(text: str) -> str:
    """A lowercase ASCII key of letters, digits and dashes ("Café Übung" -> "cafe-ubung").

    Accents are transliterated; a text with no Latin letters or digits at all gets a key made
    from a short hash of it, so two different names never share a key.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        slug = "k-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return slug[:MAX_KEY_LENGTH].rstrip("-")


def check_name(name: str) -> str:
    """``name`` stripped, or a WorkspaceError saying why it cannot name a workspace."""
    name = name.strip()
    if not name:
        raise WorkspaceError("the workspace name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise WorkspaceError(f"the workspace name is longer than {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise WorkspaceError("the workspace name contains a control character (a line break?)")
    return name


SCORING_METHODS = ("rice", "wsjf")
# Terms whose weight productpath.toml may set, per method (docs/planning.md explains them).
SCORING_WEIGHTS = {
    "rice": ("reach", "impact", "confidence", "effort"),
    "wsjf": ("business_value", "time_criticality", "risk_reduction"),
}


@dataclass(frozen=True)
class ScoringSettings:
    """``[scoring]`` in productpath.toml: the method and the weight of each term (default 1)."""

    method: str = "rice"
    weights: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class DeliverySettings:
    """``[delivery]`` in productpath.toml: ``bots``, author names or e-mails that are bots."""

    bots: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workspace:
    """A workspace on disk and the database it points at."""

    root: Path
    name: str
    product: str
    database_url: str
    scoring: ScoringSettings = ScoringSettings()
    delivery: DeliverySettings = DeliverySettings()

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_DIR

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file: the workspace's own, or the one PRODUCTPATH_DATABASE_URL
        names (a file several workspaces share); None for PostgreSQL or an in-memory SQLite."""
        if not self.uses_sqlite:
            return None
        # sqlite:///relative/path, sqlite:////absolute/path, optional ?options after it.
        _, _, rest = self.database_url.partition(":///")
        name = rest.split("?", 1)[0]
        if not name or name == ":memory:":
            return None
        return Path(name).expanduser()


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


def set_product(root: Path, product: str) -> None:
    """Make ``product`` the workspace's product in productpath.toml, keeping everything else
    (comments included): the top-level ``product`` line is replaced, or one is added."""
    path = root / CONFIG_NAME
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    setting = f"product = {_toml_string(product)}\n"
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    at, replace = len(lines), False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):  # the first table: the top-level keys end here
            at = index
            break
        if re.match(r"product\s*=", stripped):
            at, replace = index, True
            break
    lines[at : at + int(replace)] = [setting]
    path.write_text("".join(lines), encoding="utf-8")


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
        scoring=_scoring(data.get("scoring", {}), path),
        delivery=_delivery(data.get("delivery", {}), path),
    )


def _delivery(table: object, path: Path) -> DeliverySettings:
    """The ``[delivery]`` table, checked; a WorkspaceError names the key that is wrong."""
    if not isinstance(table, dict):
        raise WorkspaceError(f"{path}: 'delivery' must be a table ([delivery])")
    unknown = sorted(set(table) - {"bots"})
    if unknown:
        raise WorkspaceError(f"{path}: unknown key 'delivery.{unknown[0]}'")
    bots = table.get("bots", [])
    if not isinstance(bots, list) or not all(isinstance(b, str) and b.strip() for b in bots):
        raise WorkspaceError(
            f'{path}: delivery.bots must be a list of names or e-mails, e.g. ["renovate-bot"]'
        )
    return DeliverySettings(bots=tuple(b.strip() for b in bots))


def _scoring(table: object, path: Path) -> ScoringSettings:
    """The ``[scoring]`` table, checked; a WorkspaceError names the key that is wrong."""
    if not isinstance(table, dict):
        raise WorkspaceError(f"{path}: 'scoring' must be a table ([scoring])")
    unknown = sorted(set(table) - {"method", "weights"})
    if unknown:
        raise WorkspaceError(f"{path}: unknown key 'scoring.{unknown[0]}'")
    method = table.get("method", "rice")
    if method not in SCORING_METHODS:
        raise WorkspaceError(f'{path}: scoring.method must be "rice" or "wsjf", got {method!r}')
    weights = table.get("weights", {})
    if not isinstance(weights, dict):
        raise WorkspaceError(f"{path}: 'scoring.weights' must be a table ([scoring.weights])")
    allowed = SCORING_WEIGHTS[method]
    checked = []
    for term, value in weights.items():
        if term not in allowed:
            raise WorkspaceError(
                f"{path}: scoring.weights.{term} is not a {method} term; use {', '.join(allowed)}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise WorkspaceError(
                f"{path}: scoring.weights.{term} must be a number >= 0, got {value!r}"
            )
        checked.append((term, float(value)))
    return ScoringSettings(method=method, weights=tuple(checked))


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
