"""The workspace database's schema revision: where it is, and bringing it to the newest.

Opening a workspace already migrates it; a team server runs ``productpath db upgrade`` as a
deploy step instead, so the migration happens once, before the new workers start, and its
output lands in the deploy log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from productpath import workspace as ws
from productpath.errors import WorkspaceError
from productpath.services.workspace import check_sqlite_file
from productpath.settings import Settings
from productpath.store import migrate
from productpath.store.db import Store


@dataclass(frozen=True)
class SchemaState:
    """A database's revision against the newest this productpath ships."""

    database: str  # the URL with any password hidden
    current: str | None  # None: an empty database, no tables yet
    head: str | None

    @property
    def behind(self) -> bool:
        return self.current != self.head

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "behind": self.behind}


@dataclass(frozen=True)
class Upgrade:
    database: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed}


def schema_state(settings: Settings) -> SchemaState:
    """The revision of the database ``settings`` point at; changes nothing."""
    store = _store(settings)
    try:
        return SchemaState(_redacted(store.url), _current(store), migrate.head_revision())
    finally:
        store.dispose()


def upgrade_schema(settings: Settings) -> Upgrade:
    """Run every migration the database lacks (none when it is current)."""
    store = _store(settings)
    try:
        before = _current(store)
        if before != migrate.head_revision():
            try:
                migrate.upgrade(store.engine)
            except CommandError as exc:
                raise WorkspaceError(
                    f"the database {_redacted(store.url)} has schema revision {before}, which "
                    "this productpath does not know (was it written by a newer version?); "
                    "upgrade productpath"
                ) from exc
        return Upgrade(_redacted(store.url), before, _current(store))
    finally:
        store.dispose()


def _store(settings: Settings) -> Store:
    workspace = ws.load(settings.workspace, settings.database_url)
    check_sqlite_file(workspace)
    return Store(workspace.database_url)


def _current(store: Store) -> str | None:
    try:
        return migrate.current_revision(store.engine)
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())
        raise WorkspaceError(f"cannot open the database {_redacted(store.url)}: {reason}") from exc


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
