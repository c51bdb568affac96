"""Databases for tests, each test its own, copied from a migrated template.

Migrating an empty database runs every Alembic revision and the job queue's schema, seconds per
test across hundreds of PostgreSQL tests. ``CREATE DATABASE ... TEMPLATE`` copies an
already-migrated database in a fraction of that, so each test process (an xdist worker) migrates
one template on first use and copies it for every test; the template is dropped when the process
ends. Tests about migrating itself ask for an empty database instead. SQLite workspaces get
the same treatment: a migrated database file copied into the workspace folder before it is
initialised, so ``init_workspace`` finds it current and only adds the product.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

_templates: dict[str, str] = {}
_sqlite_template: list[Path] = []


def _url(base: str, name: str) -> str:
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _drop(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _migrated_template(base: str, admin: Engine) -> str:
    name = _templates.get(base)
    if name is not None:
        return name
    from productpath.store import migrate
    from productpath.store.db import Store

    name = f"pp_template_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    atexit.register(_drop_at_exit, base, name)
    store = Store(_url(base, name))
    try:
        migrate.upgrade(store.engine)
    finally:
        # A template cannot be copied while anyone is connected to it.
        store.dispose()
    _templates[base] = name
    return name


def _drop_at_exit(base: str, name: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        _drop(admin, name)
    finally:
        admin.dispose()


def create_database(
    base: str, prefix: str = "pp_test", *, migrated: bool = True
) -> tuple[str, Callable[[], None]]:
    """(URL of a new database beside ``base``, a function that drops it).

    ``migrated`` databases are at the schema head already (opening them migrates nothing);
    otherwise the database is empty, as a team server's first deploy finds it.
    """
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        source = f' TEMPLATE "{_migrated_template(base, admin)}"' if migrated else ""
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{source}'))
    except BaseException:
        admin.dispose()
        raise

    def drop() -> None:
        try:
            _drop(admin, name)
        finally:
            admin.dispose()

    return _url(base, name), drop


def seed_sqlite_workspace(root: Path) -> None:
    """Put a migrated, empty SQLite database where the workspace at ``root`` keeps its own."""
    from productpath import workspace as ws

    if not _sqlite_template:
        from productpath.store import migrate
        from productpath.store.db import Store

        folder = Path(tempfile.mkdtemp(prefix="pp_sqlite_template_"))
        atexit.register(shutil.rmtree, folder, True)
        template = folder / ws.DB_NAME
        store = Store(f"sqlite:///{template}")
        try:
            migrate.upgrade(store.engine)
        finally:
            store.dispose()  # closing the last connection folds the WAL back into the file
        _sqlite_template.append(template)
    data = root / ws.DATA_DIR
    data.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template[0], data / ws.DB_NAME)
