"""``productpath backup`` and ``restore``: a consistent copy of a workspace, and putting it back.

SQLite: the backup is one ``.tar.gz`` holding ``productpath.toml``, ``productpath.db`` (taken
with SQLite's online backup API, so it is a consistent snapshot even while an import or the web
server writes) and ``backup.json`` (when, schema revision, SHA-256 of the database). Restore
checks all of that, runs ``PRAGMA integrity_check`` on the copy, and only then swaps it in; the
database it replaces is kept beside it as ``productpath.db.before-restore-<time>``.

PostgreSQL: productpath runs ``pg_dump --format=custom`` / ``pg_restore`` when they are on the
PATH, and otherwise stops with the exact command to run: it never "backs up" silently nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from productpath import __version__
from productpath import workspace as ws
from productpath.errors import ConflictError, InputError, WorkspaceError
from productpath.services.archive_limits import (
    MAX_SMALL_MEMBER,
    check_declared,
    copy_within,
    read_small,
)
from productpath.services.whole_files import written_whole
from productpath.store import migrate, search_repo

BACKUP_FORMAT = "productpath-backup"
BACKUP_VERSION = 1
MANIFEST = "backup.json"
DB_MEMBER = "productpath.db"
PG_DUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "sqlite" or "pg_dump"
    size: int
    schema_revision: str | None


@dataclass(frozen=True)
class RestoreResult:
    kind: str
    schema_revision: str | None
    kept_previous: Path | None


def backup(workspace: ws.Workspace, out: Path) -> BackupResult:
    """Write a backup of ``workspace`` to ``out`` (a .tar.gz for SQLite, a dump for PostgreSQL)."""
    out = out.expanduser()
    if out.exists():
        raise InputError("already exists; choose a new file for the backup", file=out)
    if not out.parent.is_dir():
        raise InputError("the folder to write into does not exist", file=out.parent)
    if not workspace.uses_sqlite:
        return _pg_dump(workspace.database_url, out)
    db = workspace.sqlite_file
    if db is None or not db.is_file():
        raise WorkspaceError(f"workspace {workspace.root} has no database yet; nothing to back up")
    with tempfile.TemporaryDirectory(dir=workspace.data_dir, prefix=".backup-") as tmp:
        snapshot = Path(tmp) / DB_MEMBER
        _snapshot(db, snapshot)
        revision = _check_sqlite(snapshot, snapshot)
        manifest = {
            "format": BACKUP_FORMAT,
            "format_version": BACKUP_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "productpath_version": __version__,
            "schema_revision": revision,
            "product": workspace.product,
            "database_sha256": _sha256(snapshot),
        }
        with written_whole(out, "backup") as partial, tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
            if workspace.config_path.is_file():
                archive.add(workspace.config_path, arcname=ws.CONFIG_NAME, recursive=False)
            archive.add(snapshot, arcname=DB_MEMBER, recursive=False)
    return BackupResult(out, "sqlite", out.stat().st_size, revision)


def _snapshot(source: Path, target: Path) -> None:
    """Copy ``source`` with the online backup API: one consistent moment, writers not blocked."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # all pages in one step, under one read transaction
    finally:
        dst.close()
        src.close()


def _check_sqlite(db: Path, shown: Path | str) -> str | None:
    """The schema revision of the SQLite file ``db`` once it passes its integrity check."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchall()
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a readable productpath database: {exc}", file=shown) from exc
    if verdict != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in verdict[:3])
        raise InputError(f"the database fails its integrity check: {problems}", file=shown)
    return None if revision is None else str(revision[0])


def _known_revision(revision: str | None, shown: str) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    if revision is None:
        raise InputError("the database has no schema revision", file=shown)
    try:
        found = ScriptDirectory(str(migrate.MIGRATIONS)).get_revision(revision)
    except CommandError:
        found = None
    if found is None:
        raise InputError(
            f"schema revision {revision!r} is unknown to this productpath (made by a newer one?)",
            file=shown,
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def restore(root: Path, database_url: str | None, source: Path, *, force: bool) -> RestoreResult:
    """Put the backup ``source`` back into the workspace at ``root``; see the module doc."""
    source = source.expanduser()
    if not source.is_file():
        raise InputError("no such backup file", file=source)
    root = root.expanduser().resolve()
    if database_url and not database_url.startswith("sqlite"):
        return _pg_restore(database_url, source, force=force)
    with source.open("rb") as stream:
        if stream.read(len(PG_DUMP_MAGIC)) == PG_DUMP_MAGIC:
            raise InputError(
                "this is a PostgreSQL dump; set PRODUCTPATH_DATABASE_URL to an empty PostgreSQL "
                "database to restore it",
                file=source,
            )
    data_dir = root / ws.DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as tmp:
        manifest, config, candidate = _unpack(source, Path(tmp))
        shown = f"{source}!{DB_MEMBER}"
        if _sha256(candidate) != manifest.get("database_sha256"):
            raise InputError("the database differs from the one the backup recorded", file=shown)
        revision = _check_sqlite(candidate, shown)
        _known_revision(revision, shown)
        db = data_dir / ws.DB_NAME
        if not force and _holds_data(db):
            raise ConflictError(
                f"the workspace at {root} already holds data; restore would replace it. "
                "Add --force to replace it (the current database is kept beside it)"
            )
        _continue_data_version(candidate, _data_version_of(db))
        kept = _set_aside(db)
        os.replace(candidate, db)
        if config is not None:
            (root / ws.CONFIG_NAME).write_bytes(config)
    return RestoreResult("sqlite", revision, kept)


def _data_version_of(db: Path) -> int | None:
    """The data version of the database about to be replaced (None: no file, or no counter)."""
    if not db.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT n FROM data_version WHERE id = 1").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None


def _continue_data_version(candidate: Path, replaced: int | None) -> None:
    """Number the restored database's data version on from the one it replaces.

    A running server caches answers by data version (``web/response_cache.py``); a backup's
    older number would otherwise climb back through numbers it has answers stored for.
    """
    if replaced is None:
        return
    try:
        with closing(sqlite3.connect(candidate)) as conn, conn:
            conn.execute("UPDATE data_version SET n = MAX(n, ?) + 1 WHERE id = 1", (replaced,))
    except sqlite3.Error:
        return  # a backup older than the counter: db upgrade adds it, and servers restart then


def _unpack(source: Path, into: Path) -> tuple[dict[str, object], bytes | None, Path]:
    """The manifest, the settings file and the database file of a backup, read safely.

    Only the three known members are read, as data: no path from the archive is ever used.
    Members are taken one header at a time and each declared size is checked before the member
    is unpacked (see :mod:`.archive_limits`): a gzip bomb is refused, never read into memory.
    """
    small: dict[str, bytes] = {}
    candidate = into / DB_MEMBER
    try:
        with tarfile.open(source, "r:gz") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                where = f"{source}!{member.name}"
                extracted = archive.extractfile(member)
                assert extracted is not None
                with extracted:
                    if member.name == DB_MEMBER:
                        with candidate.open("wb") as out:
                            copy_within(extracted, out, member.size, into, where)
                        continue
                    check_declared(member.size, MAX_SMALL_MEMBER, where, "a backup's settings")
                    if member.name in (MANIFEST, ws.CONFIG_NAME):
                        small[member.name] = read_small(extracted, where, "a backup's settings")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise InputError(f"cannot read the backup: {exc}", file=source) from exc
    if MANIFEST not in small or not candidate.is_file():
        raise InputError("not a productpath backup (no backup.json)", file=source)
    try:
        manifest = json.loads(small[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"its {MANIFEST} is not valid JSON", file=source) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise InputError(f"not a {BACKUP_FORMAT} file", file=source, field="format")
    return manifest, small.get(ws.CONFIG_NAME), candidate


def _holds_data(db: Path) -> bool:
    """Whether ``db`` holds anything beyond the single product row ``init`` creates."""
    if not db.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%' AND name <> 'alembic_version'"
                )
            ]
            # The search index mirrors the other tables (and FTS5 keeps settings rows even
            # when empty), so it says nothing about whether there is data.
            names = [n for n in names if not search_repo.is_index_table(n)]
            counts = {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True  # unreadable: treat as precious, ask for --force
    counts.pop("embedding_cache", None)
    return counts.pop("product", 0) > 1 or any(counts.values())


def _set_aside(db: Path) -> Path | None:
    """Move the current database (with its WAL folded in) out of the way; None if none."""
    if not db.is_file():
        return None
    try:
        conn = sqlite3.connect(db, timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        pass  # a broken file is set aside as it is
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = db.with_name(f"{db.name}.before-restore-{stamp}")
    os.replace(db, kept)
    # A stale WAL beside the new file would be replayed into it: remove both side files.
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    return kept


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _guidance(tool: str, args: str) -> str:
    return (
        f"{tool} is not on the PATH, so productpath cannot do this for PostgreSQL itself. "
        f"Install the PostgreSQL client tools, or run: {tool} {args} "
        "(or use 'productpath export --all OUT', which works for any database)"
    )


def _pg_dump(url: str, out: Path) -> BackupResult:
    dsn, env = _libpq(url)
    safe = make_url(dsn).render_as_string(hide_password=True)
    tool = shutil.which("pg_dump")
    if tool is None:
        raise WorkspaceError(
            _guidance("pg_dump", f'--format=custom --no-owner --dbname="{safe}" --file="{out}"')
        )
    with written_whole(out, "backup") as partial:
        _run([tool, "--format=custom", "--no-owner", f"--dbname={dsn}", f"--file={partial}"], env)
    return BackupResult(out, "pg_dump", out.stat().st_size, None)


def _pg_restore(url: str, source: Path, *, force: bool) -> RestoreResult:
    dsn, env = _libpq(url)
    safe = make_url(dsn).render_as_string(hide_password=True)
    with source.open("rb") as stream:
        if stream.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise InputError(
                "not a pg_dump custom-format file; a SQLite backup restores into a workspace "
                "without PRODUCTPATH_DATABASE_URL",
                file=source,
            )
    tool = shutil.which("pg_restore")
    if tool is None:
        raise WorkspaceError(
            _guidance("pg_restore", f'--no-owner --clean --if-exists --dbname="{safe}" "{source}"')
        )
    if not force and _pg_holds_data(url):
        raise ConflictError(
            "the PostgreSQL database already holds data; restore would replace it. "
            "Add --force to replace it"
        )
    replaced = _pg_data_version(url)
    args = [tool, "--no-owner", "--single-transaction", f"--dbname={dsn}", str(source)]
    if force:
        args[1:1] = ["--clean", "--if-exists"]
    _run(args, env)
    _pg_continue_data_version(url, replaced)
    return RestoreResult("pg_dump", None, None)


def _pg_data_version(url: str) -> int | None:
    """The data version of the PostgreSQL database about to be replaced (None: no counter)."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("data_version"):
                return None
            found = conn.execute(text("SELECT n FROM data_version WHERE id = 1")).scalar()
    finally:
        engine.dispose()
    return None if found is None else int(found)


def _pg_continue_data_version(url: str, replaced: int | None) -> None:
    """As :func:`_continue_data_version`, after pg_restore has committed.

    pg_restore commits on its own, so for a moment a server can read the dump's older number;
    the bump follows at once, and answers cached in that moment describe the restored data.
    """
    if replaced is None:
        return
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if inspect(conn).has_table("data_version"):
                conn.execute(
                    text("UPDATE data_version SET n = GREATEST(n, :old) + 1 WHERE id = 1"),
                    {"old": replaced},
                )
    finally:
        engine.dispose()


def _pg_holds_data(url: str) -> bool:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            # The job queue's tables (procrastinate's) hold no workspace data.
            names = [
                n
                for n in inspect(conn).get_table_names()
                if n != "alembic_version" and not n.startswith("procrastinate")
            ]
            for name in names:
                count = conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
                if count > (1 if name == "product" else 0):
                    return True
    finally:
        engine.dispose()
    return False


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise WorkspaceError(f"{Path(args[0]).name} failed: {reason}")
