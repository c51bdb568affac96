"""Create and open workspaces: the folder, its settings, and its migrated database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError

from productpath import workspace as ws
from productpath.errors import WorkspaceError
from productpath.settings import Settings
from productpath.store import listing_rows, migrate
from productpath.store.db import Store


@dataclass
class OpenWorkspace:
    """A workspace with its database open. Close it (or use ``with``) to release the engine."""

    workspace: ws.Workspace
    store: Store

    def close(self) -> None:
        self.store.dispose()

    def __enter__(self) -> OpenWorkspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def init_workspace(
    root: Path, name: str | None = None, database_url: str | None = None
) -> ws.Workspace:
    """Create (or bring up to date) a workspace at ``root``. Safe to run twice."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / ws.DATA_DIR).mkdir(exist_ok=True)
    display = ws.check_name(name or root.name)
    ws.write_config(root, display, ws.slugify(display))
    workspace = ws.load(root, database_url)
    store = _migrated_store(workspace)
    try:
        _ensure_product(store, workspace)
    finally:
        store.dispose()
    return workspace


def _ensure_product(store: Store, workspace: ws.Workspace) -> None:
    from productpath.store import product_repo

    with store.write() as session:
        product_repo.ensure(session, workspace.product, workspace.name)


def open_workspace(settings: Settings | None = None) -> OpenWorkspace:
    """Open the workspace the settings point at, migrating its database if it is behind."""
    settings = settings or Settings()
    workspace = ws.load(settings.workspace, settings.database_url)
    check_sqlite_file(workspace)
    store = _migrated_store(workspace)
    try:
        # Readers must not take the write lock (they would queue behind an import), so the
        # product row is only written when it is missing: after init it never is.
        # A plain Core read, so opening imports no ORM model (see store/listing_rows.py).
        with store.rows() as conn:
            exists = listing_rows.product_id(conn, workspace.product) is not None
        if not exists:
            _ensure_product(store, workspace)
    except BaseException:
        store.dispose()
        raise
    return OpenWorkspace(workspace, store)


def check_sqlite_file(workspace: ws.Workspace) -> None:
    """A SQLite database must exist before it is opened (SQLite would make an empty one).

    The file is the one the database URL names: the workspace's own, or a file shared by
    several workspaces through PRODUCTPATH_DATABASE_URL.
    """
    db = workspace.sqlite_file
    if db is None or db.exists():
        return
    if db == workspace.data_dir / ws.DB_NAME:
        raise WorkspaceError(
            f"workspace {workspace.root} has no database yet; run 'productpath init' there"
        )
    raise WorkspaceError(
        f"the SQLite database {db} (PRODUCTPATH_DATABASE_URL) does not exist yet; "
        "run 'productpath init' with the same PRODUCTPATH_DATABASE_URL to create it"
    )


def _migrated_store(workspace: ws.Workspace) -> Store:
    store = Store(workspace.database_url)
    try:
        if not migrate.is_current(store.engine):
            migrate.upgrade(store.engine)
    except OperationalError as exc:
        store.dispose()
        reason = " ".join(str(exc.orig).split())  # drivers add hint lines; keep one sentence
        raise WorkspaceError(
            f"cannot open the database {_redacted(workspace.database_url)}: {reason}"
        ) from exc
    except Exception as exc:
        # Alembic is imported only when it migrates (see store/migrate.py), so its error class
        # is looked up here rather than named in the except clause.
        from alembic.util.exc import CommandError

        store.dispose()
        if not isinstance(exc, CommandError):
            raise
        raise WorkspaceError(
            f"the database {_redacted(workspace.database_url)} has schema revision "
            f"{migrate.current_revision(store.engine)}, which this productpath does not know "
            "(was it written by a newer version?); upgrade productpath"
        ) from exc
    return store


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
