"""Read a repository's stored head and tags straight from a workspace's SQLite file.

Only for the quick "already up to date?" check of ``git ingest``: it uses the standard
library's sqlite3, read-only, so that a no-op run does not pay for importing SQLAlchemy and
Alembic (most of a second on a small machine). Any problem (no such table, an older schema, a
locked file) returns None and the caller takes the ordinary path.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredHead:
    """``found`` is False when the workspace has no repository of that name (yet)."""

    found: bool
    path: str = ""
    branch: str = ""
    head_sha: str | None = None
    tags: frozenset[tuple[str, str]] = frozenset()


def read_stored_head(db_file: Path, product_key: str, name: str) -> StoredHead | None:
    """The stored state of repository ``name``; None when the file cannot tell."""
    if not db_file.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(
            "SELECT r.id, r.path, r.branch, r.head_sha FROM repository r "
            "JOIN product p ON p.id = r.product_id WHERE p.key = ? AND r.name = ?",
            (product_key, name),
        ).fetchone()
        if row is None:
            product = conn.execute("SELECT id FROM product WHERE key = ?", (product_key,))
            return StoredHead(found=False) if product.fetchone() else None
        tags = conn.execute("SELECT name, sha FROM git_tag WHERE repository_id = ?", (row[0],))
        return StoredHead(True, row[1], row[2], row[3], frozenset((n, s) for n, s in tags))
    except sqlite3.Error:
        return None
    finally:
        conn.close()
