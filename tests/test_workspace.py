"""Creating and opening workspaces on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from helpers import invoke
from productpath.errors import WorkspaceError
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings
from productpath.store import migrate
from productpath.store.models import Product


def test_init_creates_settings_and_sqlite_database(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "acme", "Acme Pay")
    assert (tmp_path / "acme" / "productpath.toml").read_text().count('product = "acme-pay"') == 1
    assert (tmp_path / "acme" / ".productpath" / "productpath.db").exists()
    assert workspace.product == "acme-pay"
    with open_workspace(Settings(workspace=tmp_path / "acme")) as handle:
        with handle.store.read() as session:
            assert session.scalar(select(Product.name)) == "Acme Pay"
            mode = session.execute(text("PRAGMA journal_mode")).scalar()
            timeout = session.execute(text("PRAGMA busy_timeout")).scalar()
        assert mode == "wal"
        assert timeout == 30_000


def test_init_twice_is_harmless(tmp_path: Path) -> None:
    init_workspace(tmp_path, "First")
    init_workspace(tmp_path, "Second")  # keeps the existing settings
    assert 'name = "First"' in (tmp_path / "productpath.toml").read_text()
    with open_workspace(Settings(workspace=tmp_path)) as handle, handle.store.read() as session:
        assert session.scalars(select(Product.key)).all() == ["first"]


def test_open_without_workspace_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="run 'productpath init'"):
        open_workspace(Settings(workspace=tmp_path))


def test_broken_settings_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "productpath.toml").write_text("name = [unclosed\n")
    with pytest.raises(WorkspaceError, match=r"productpath\.toml"):
        open_workspace(Settings(workspace=tmp_path))


def test_schema_is_migrated_to_head(database_url: str, tmp_path: Path) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    init_workspace(tmp_path / "ws", "Pocket", url)
    with open_workspace(Settings(workspace=tmp_path / "ws", database_url=url)) as handle:
        assert migrate.is_current(handle.store.engine)
        tables = set(inspect(handle.store.engine).get_table_names())
    assert {"product", "initiative", "feedback_item", "alembic_version"} <= tables


def test_write_rolls_back_on_error(opened: object) -> None:
    from productpath.services.workspace import OpenWorkspace

    assert isinstance(opened, OpenWorkspace)
    with pytest.raises(RuntimeError), opened.store.write() as session:
        session.add(Product(key="ghost", name="Ghost"))
        session.flush()
        raise RuntimeError("boom")
    with opened.store.read() as session:
        assert session.scalar(select(Product).where(Product.key == "ghost")) is None


def test_cli_init_and_unreachable_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke("--workspace", str(tmp_path / "ws"), "init", "--name", "Pocket")
    assert result.exit_code == 0, result.output
    assert "Workspace 'Pocket' ready" in result.stdout

    monkeypatch.setenv("PRODUCTPATH_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = invoke("--workspace", str(tmp_path / "other"), "init")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot open the database")
    assert len(result.stderr.strip().splitlines()) == 1


def test_readers_do_not_wait_for_a_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a SQLite workspace to read must not take the write lock an import holds."""
    import threading

    from productpath.store.db import Store

    workspace = init_workspace(tmp_path, "Pocket")
    monkeypatch.setenv("PRODUCTPATH_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    url = workspace.database_url
    holder, holding, release = Store(url), threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with holder.write() as session:
            session.execute(text("UPDATE product SET name = name"))
            holding.set()
            release.wait(60)

    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    try:
        assert holding.wait(5)
        # Were open_workspace to write, this would block for the 30 s busy timeout and fail.
        result = invoke("feedback", "list", "--json")
        assert result.exit_code == 0, result.output
    finally:
        release.set()
        thread.join()
        holder.dispose()


def test_names_that_cannot_be_stored_are_refused(database_url: str, tmp_path: Path) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    with pytest.raises(WorkspaceError, match="longer than 200"):
        init_workspace(tmp_path / "a", "x" * 201, url)
    with pytest.raises(WorkspaceError, match="control character"):
        init_workspace(tmp_path / "b", "two\nlines", url)
    long_name = "Pocket " * 28  # 196 characters: fits, and its key is cut to 64
    workspace = init_workspace(tmp_path / "c", long_name, url)
    assert len(workspace.product) <= 64
    settings = Settings(workspace=tmp_path / "c", database_url=url)
    with open_workspace(settings) as handle, handle.store.read() as session:
        assert session.scalar(select(Product.key)) == workspace.product


def test_keys_from_names_are_ascii_and_distinct() -> None:
    from productpath.workspace import slugify

    assert slugify("Café Übung") == "cafe-ubung"
    assert slugify("Pocket Pay!") == "pocket-pay"
    assert slugify("!!!") != slugify("???")
    assert slugify("東京") != slugify("大阪")
    assert slugify("東京").startswith("k-")


def test_a_schema_from_a_newer_version_is_a_clear_error(tmp_path: Path) -> None:
    init_workspace(tmp_path, "Pocket")
    with open_workspace(Settings(workspace=tmp_path)) as handle, handle.store.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(WorkspaceError, match=r"9999_future.*newer version"):
        open_workspace(Settings(workspace=tmp_path))
