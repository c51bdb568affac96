"""Read results a process remembers while the database's data version stays where it was.

Some reads cost the same on every request and change only when something is written: counts
over every feedback item, the roadmap's seeded forecast. Every committed write adds one to the
``data_version`` row (see store/db.py), whichever process makes it, so a result computed at
version ``n`` is still the answer while the version reads ``n``. The version is read *before*
the result is computed: a write that lands in between makes the stored result newer than its
version says, never older, and the next read sees the new version and computes again.

Entries are kept per engine (so two workspaces, or two test databases, never share one), at
most :data:`MAX_ENTRIES` per engine, least recently used first out; an engine that is garbage
collected takes its entries with it. Callers must treat what they get back as read-only (the
same object is handed to every request): return tuples or frozen models, or copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from productpath.store.db import data_version

T = TypeVar("T")
MAX_ENTRIES = 128

_lock = threading.Lock()
_memo: WeakKeyDictionary[Engine, OrderedDict[Hashable, tuple[int, Any]]] = WeakKeyDictionary()


def remembered(engine: Engine, version: int, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for ``key`` on ``engine`` at the same ``version``.

    ``version`` must have been read before ``compute`` reads anything (see the module)."""
    with _lock:
        entries = _memo.get(engine)
        hit = entries.get(key) if entries is not None else None
        if hit is not None and hit[0] == version:
            entries.move_to_end(key)  # type: ignore[union-attr]
            value: T = hit[1]
            return value
    value = compute()
    with _lock:
        entries = _memo.setdefault(engine, OrderedDict())
        entries[key] = (version, value)
        entries.move_to_end(key)
        while len(entries) > MAX_ENTRIES:
            entries.popitem(last=False)
    return value


def remembered_in(conn: Session | Connection, key: Hashable, compute: Callable[[], T]) -> T:
    """:func:`remembered` for a read on ``conn``: the version is read on it first, in the same
    transaction as what ``compute`` then reads there."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn.engine
    engine = bind if isinstance(bind, Engine) else bind.engine
    return remembered(engine, data_version(conn), key, compute)


def clear() -> None:
    """Forget every remembered result (tests, and after a restore)."""
    with _lock:
        _memo.clear()
