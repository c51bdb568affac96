"""SQLite as the embedded store: writers queue for the lock, readers are not blocked (WAL)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from productpath.store import migrate
from productpath.store.db import Store
from productpath.store.models import Product


def _store(path: Path) -> Store:
    store = Store(f"sqlite:///{path}")
    migrate.upgrade(store.engine)
    return store


def test_second_writer_waits_instead_of_failing(tmp_path: Path) -> None:
    first, second = _store(tmp_path / "db.sqlite"), Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    holding = threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with first.write() as session:
                session.add(Product(key="a", name="A"))
                session.flush()
                holding.set()
                time.sleep(0.5)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert holding.wait(5)
    started = time.monotonic()
    with second.write() as session:  # BEGIN IMMEDIATE blocks until the first commits
        session.add(Product(key="b", name="B"))
    waited = time.monotonic() - started
    thread.join()
    assert errors == []
    assert waited > 0.2
    with second.read() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == 2
    first.dispose()
    second.dispose()


def test_readers_see_committed_data_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    store = _store(tmp_path / "db.sqlite")
    with store.write() as session:
        session.add(Product(key="a", name="A"))
    reader = Store(store.url)
    with store.write() as session:
        session.add(Product(key="b", name="B"))
        session.flush()
        with reader.read() as other:
            assert other.scalars(select(Product.key)).all() == ["a"]
    store.dispose()
    reader.dispose()
