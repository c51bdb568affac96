"""Run the Alembic migrations that ship inside the package.

Every command opens the workspace and asks whether its schema is current. Alembic answers that
by importing itself and every migration script (a quarter of a second of CPU, a fifth of a
listing command), so :func:`is_current` first reads the revision lines of the scripts as text
and the stored revision with one query; Alembic is imported only to migrate, or when the scripts
are not plain enough to read that way (then it decides, as before).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def _config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    from alembic import command

    command.upgrade(_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def heads_from_scripts(folder: Path = MIGRATIONS / "versions") -> set[str] | None:
    """The revisions no script names as its parent, read from the scripts' text; None when a
    script does not declare ``revision`` and ``down_revision`` as plain literals."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in folder.glob("*.py"):
        declared = {m.group(1): m.group(2) for m in _REVISION_LINE.finditer(script.read_text())}
        own = _QUOTED.findall(declared.get("revision", ""))
        down = declared.get("down_revision", "")
        if len(own) != 1 or not (down.strip() == "None" or _QUOTED.search(down)):
            return None
        revisions.add(own[0])
        parents.update(_QUOTED.findall(down))
    return revisions - parents


def is_current(engine: Engine) -> bool:
    heads = heads_from_scripts()
    if heads is None or len(heads) != 1:
        return current_revision(engine) == head_revision()
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return stored == list(heads)
