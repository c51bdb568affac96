"""`productpath db current|upgrade` on SQLite and PostgreSQL databases at older revisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect

from helpers import invoke
from productpath import workspace as ws
from productpath.store import migrate
from productpath.store.db import Store

# Each test migrates a database itself, from nothing or an older revision.
pytestmark = pytest.mark.empty_database


def _old_workspace(root: Path, database_url: str, revision: str | None) -> None:
    """A workspace folder whose database stops at ``revision`` (None: no tables at all)."""
    root.mkdir(parents=True)
    (root / ws.DATA_DIR).mkdir()
    ws.write_config(root, "Pocket", "pocket")
    store = Store(database_url)
    try:
        if revision is not None:
            migrate.upgrade(store.engine, revision)
    finally:
        store.dispose()


@pytest.fixture
def old_db(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace at revision 0006, on SQLite (its own file) or PostgreSQL (the env var)."""
    root = tmp_path / "ws"
    if database_url.startswith("sqlite"):
        monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
        url = ws.sqlite_url(root)
    else:
        monkeypatch.setenv("PRODUCTPATH_DATABASE_URL", database_url)
        url = database_url
    _old_workspace(root, url, "0006")
    return root


def test_current_then_upgrade_then_current(old_db: Path) -> None:
    head = migrate.head_revision()
    assert head is not None and head != "0006"

    before = invoke("-w", str(old_db), "db", "current")
    assert before.exit_code == 0, before.stderr
    assert "revision 0006" in before.stdout
    assert f"behind: the newest is {head}; run 'productpath db upgrade'" in before.stdout
    state = json.loads(invoke("-w", str(old_db), "db", "current", "--json").stdout)
    assert (state["current"], state["head"], state["behind"]) == ("0006", head, True)

    upgraded = invoke("-w", str(old_db), "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert upgraded.stdout.startswith("Upgraded ")
    assert upgraded.stdout.rstrip().endswith(f": 0006 -> {head}")

    again = json.loads(invoke("-w", str(old_db), "db", "upgrade", "--json").stdout)
    assert (again["before"], again["after"], again["changed"]) == (head, head, False)
    after = invoke("-w", str(old_db), "db", "current")
    assert f"revision {head}" in after.stdout and "up to date" in after.stdout


@pytest.mark.postgres
def test_upgrade_an_empty_postgresql_database(
    tmp_path: Path, empty_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team server's first deploy: the database exists but has no tables yet."""
    root = tmp_path / "ws"
    _old_workspace(root, empty_postgres_url, None)
    monkeypatch.setenv("PRODUCTPATH_DATABASE_URL", empty_postgres_url)

    state = json.loads(invoke("-w", str(root), "db", "current", "--json").stdout)
    assert state["current"] is None and state["behind"] is True
    assert "postgresql" in state["database"]
    result = invoke("-w", str(root), "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert f"(empty) -> {migrate.head_revision()}" in result.stdout
    store = Store(empty_postgres_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
    finally:
        store.dispose()
    assert {"product", "feedback_item", "job", "alembic_version"} <= tables


def test_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    root = tmp_path / "ws"
    root.mkdir()
    (root / ws.DATA_DIR).mkdir()
    ws.write_config(root, "Pocket", "pocket")
    missing = invoke("-w", str(root), "db", "upgrade")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: workspace ") and "productpath init" in missing.stderr

    monkeypatch.setenv("PRODUCTPATH_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    unreachable = invoke("-w", str(root), "db", "current")
    assert unreachable.exit_code == 1
    assert unreachable.stderr.startswith("error: cannot open the database ")
    assert len(unreachable.stderr.strip().splitlines()) == 1
