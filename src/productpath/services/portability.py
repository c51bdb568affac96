"""Move a whole workspace between databases: ``export --all`` and ``import --all``.

An export is a folder (or the same folder zipped, when OUT ends in ``.zip``)::

    manifest.json          format, format_version, schema_revision, row counts, SHA-256 per file
    productpath.toml       the workspace settings, as they were
    tables/<table>.jsonl   one JSON object per row, every table (store.dump explains the encoding)

Importing checks the manifest (format, version, schema revision), then inserts every table, ids
kept, in foreign-key order, in ONE transaction, verifying each file's row count and hash on the
way: a damaged export changes nothing. It only imports into an empty database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Table, delete

from productpath import __version__
from productpath import workspace as ws
from productpath.errors import ConflictError, InputError
from productpath.services.archive_limits import (
    MAX_SMALL_MEMBER,
    bounded_lines,
    check_declared,
    read_small,
)
from productpath.services.whole_files import written_whole
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings
from productpath.store import dump, migrate

FORMAT = "productpath-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLE_DIR = "tables"
CONFIG_COPY = "productpath.toml"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableCount:
    name: str
    rows: int
    sha256: str = ""


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    tables: list[TableCount]
    credentials: bool
    schema_revision: str | None

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass(frozen=True)
class ImportSummary:
    tables: list[TableCount]
    product: str
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _quiet(_table: str, _done: int, _total: int) -> None:
    return None


def export_all(
    handle: OpenWorkspace,
    out: Path,
    *,
    credentials: bool = False,
    progress: Progress = _quiet,
) -> ExportSummary:
    """Write every table of the workspace to ``out`` (a folder, or a .zip); see the module doc."""
    out = out.expanduser()
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise InputError("already exists; choose a new path for the export", file=out)
    as_zip = out.suffix.lower() == ".zip"
    with written_whole(out, "export") as partial:
        with _writer(partial, as_zip) as write:
            counts, revision = _write_tables(handle, write, credentials, progress)
            config = handle.workspace.config_path
            if config.is_file():
                write(CONFIG_COPY, [config.read_bytes()])
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_revision": revision,
                "productpath_version": __version__,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source_database": handle.store.engine.dialect.name,
                "product": handle.workspace.product,
                "credentials": credentials,
                "skipped_tables": sorted(dump.SKIPPED_TABLES),
                "tables": [
                    {
                        "name": c.name,
                        "file": f"{TABLE_DIR}/{c.name}.jsonl",
                        "rows": c.rows,
                        "sha256": c.sha256,
                    }
                    for c in counts
                ],
            }
            write(MANIFEST, [json.dumps(manifest, indent=2).encode("utf-8") + b"\n"])
        if out.exists():
            out.rmdir()  # the empty folder the user named
    return ExportSummary(out, counts, credentials, revision)


def _write_tables(
    handle: OpenWorkspace,
    write: Callable[[str, Iterator[bytes] | list[bytes]], str],
    credentials: bool,
    progress: Progress,
) -> tuple[list[TableCount], str | None]:
    engine = handle.store.engine
    if engine.dialect.name == "postgresql":
        # One snapshot for all tables, so links never point at rows read at another moment.
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    selected = dump.tables()
    counts = []
    with engine.connect() as conn, conn.begin():
        revision = _revision(conn)
        for done, table in enumerate(selected):
            progress(table.name, done, len(selected))
            rows = dump.dump_rows(conn, table, credentials=credentials)
            digest = write(
                f"{TABLE_DIR}/{table.name}.jsonl", (dump.line(r).encode("utf-8") for r in rows)
            )
            counts.append(TableCount(table.name, len(rows), digest))
        progress("", len(selected), len(selected))
    return counts, revision


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _writer(
    target: Path, as_zip: bool
) -> Iterator[Callable[[str, Iterator[bytes] | list[bytes]], str]]:
    """A function writing one named file of the export and returning its SHA-256."""
    with ExitStack() as stack:
        archive = (
            stack.enter_context(zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED))
            if as_zip
            else None
        )
        if archive is None:
            (target / TABLE_DIR).mkdir(parents=True)

        def write(name: str, chunks: Iterator[bytes] | list[bytes]) -> str:
            digest = hashlib.sha256()
            stream: IO[bytes]
            with (
                archive.open(name, "w") if archive is not None else (target / name).open("wb")
            ) as stream:
                for chunk in chunks:
                    digest.update(chunk)
                    stream.write(chunk)
            return digest.hexdigest()

        yield write


class _Export:
    """An export opened for reading, folder or zip."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self._zip: zipfile.ZipFile | None = None
        if source.is_file():
            try:
                self._zip = zipfile.ZipFile(source)
            except zipfile.BadZipFile as exc:
                raise InputError(
                    "not a productpath export (not a folder or .zip)", file=source
                ) from exc
        elif not source.is_dir():
            raise InputError("no such export", file=source)

    def has(self, name: str) -> bool:
        if self._zip is not None:
            return name in self._zip.namelist()
        return (self.source / name).is_file()

    def open(self, name: str) -> IO[bytes]:
        if not self.has(name):
            raise InputError("missing from the export", file=self.where(name))
        if self._zip is not None:
            return self._zip.open(name)
        return (self.source / name).open("rb")

    def read_small(self, name: str, what: str) -> bytes:
        """A manifest or settings file, whole: its declared size (the zip header, or the file's
        size in a folder) is checked before it is read, and the read itself is bounded."""
        where = self.where(name)
        if self._zip is not None and self.has(name):
            check_declared(self._zip.getinfo(name).file_size, MAX_SMALL_MEMBER, where, what)
        elif self.has(name):
            check_declared((self.source / name).stat().st_size, MAX_SMALL_MEMBER, where, what)
        with self.open(name) as stream:
            return read_small(stream, where, what)

    def where(self, name: str) -> str:
        return f"{self.source}/{name}" if self._zip is None else f"{self.source}!{name}"

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def read_manifest(export: _Export) -> dict[str, Any]:
    """The manifest, checked: our format, a version we read, the schema this build has."""
    where = export.where(MANIFEST)
    raw = export.read_small(MANIFEST, "a manifest")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", file=where) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} manifest", file=where, field="format")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise InputError(
            f"format_version {version!r} is newer than this productpath reads ({FORMAT_VERSION});"
            " upgrade productpath",
            file=where,
            field="format_version",
        )
    head = migrate.head_revision()
    if manifest.get("schema_revision") != head:
        raise InputError(
            f"the export has schema revision {manifest.get('schema_revision')!r}, this productpath"
            f" has {head!r}; export again with the same productpath version as this one",
            file=where,
            field="schema_revision",
        )
    entries = manifest.get("tables")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("name"), str)
        and isinstance(e.get("rows"), int)
        and isinstance(e.get("sha256"), str)
        for e in entries
    ):
        raise InputError("'tables' must list name, rows and sha256", file=where, field="tables")
    listed = {e["name"] for e in entries}
    unknown = sorted(n for n in listed if dump.table_named(n) is None)
    if unknown:
        raise InputError(f"unknown table {unknown[0]!r}", file=where, field="tables")
    missing = sorted(t.name for t in dump.tables() if t.name not in listed)
    if missing:
        raise InputError(f"table {missing[0]!r} is missing", file=where, field="tables")
    return manifest


def import_all(
    root: Path,
    source: Path,
    *,
    database_url: str | None = None,
    progress: Progress = _quiet,
) -> ImportSummary:
    """Load an export into the (empty) workspace at ``root``, creating it when needed."""
    export = _Export(source.expanduser())
    try:
        manifest = read_manifest(export)
        root = root.expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
        if not (root / ws.CONFIG_NAME).exists() and export.has(CONFIG_COPY):
            settings = export.read_small(CONFIG_COPY, "a settings file")
            (root / ws.CONFIG_NAME).write_bytes(settings)
        init_workspace(root, None, database_url)
        with open_workspace(Settings(workspace=root, database_url=database_url)) as handle:
            counts = _load(handle, export, manifest, progress)
            product = handle.workspace.product
            products = {r["key"] for r in _product_keys(handle)}
    finally:
        export.close()
    warnings = []
    imported = _imported_product(manifest, products)
    if product not in products and imported is not None:
        # The workspace was empty (init's placeholder product at most): what it holds now is
        # the export's product, so that is the one its commands must work on.
        ws.set_product(root, imported)
        warnings.append(
            f"the workspace's product is now '{imported}', the export's "
            f"(productpath.toml named '{product}', which the export does not hold)"
        )
        product = imported
    elif product not in products:
        warnings.append(
            f"productpath.toml names product '{product}', which the export does not hold "
            f"(it holds: {', '.join(sorted(products)) or 'none'}); set 'product' there"
        )
    held = {c.name: c.rows for c in counts}
    if not manifest.get("credentials", False) and (held.get("app_user") or held.get("api_token")):
        warnings.append(
            "passwords and API tokens were not exported: users set a new password and tokens "
            "are issued again (export with --include-credentials to keep them)"
        )
    return ImportSummary(counts, product, warnings)


def _imported_product(manifest: dict[str, Any], products: set[str]) -> str | None:
    """The product an import brought: the one the export was made from, else the only one."""
    named = manifest.get("product")
    if isinstance(named, str) and named in products:
        return named
    return next(iter(products)) if len(products) == 1 else None


def _product_keys(handle: OpenWorkspace) -> list[dict[str, Any]]:
    table = dump.table_named("product")
    assert table is not None
    with handle.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(table.select()).mappings()]


def _load(
    handle: OpenWorkspace, export: _Export, manifest: dict[str, Any], progress: Progress
) -> list[TableCount]:
    entries = {e["name"]: e for e in manifest["tables"]}
    ordered = [t for t in dump.tables() if t.name in entries]
    counts = []
    with handle.store.write() as session:
        conn = session.connection()
        _make_room(conn)
        for done, table in enumerate(ordered):
            progress(table.name, done, len(ordered))
            entry = entries[table.name]
            rows = _load_table(conn, table, export, f"{TABLE_DIR}/{table.name}.jsonl", entry)
            counts.append(TableCount(table.name, rows, entry["sha256"]))
        dump.reset_sequences(conn, [t.name for t in ordered])
        progress("", len(ordered), len(ordered))
    return counts


def _make_room(conn: Connection) -> None:
    """Refuse a database holding data; drop the lone product row ``init`` creates."""
    held = {
        name: n
        for name, n in dump.non_empty(conn).items()
        if name not in dump.SKIPPED_TABLES and name != "product"
    }
    if held:
        listing = ", ".join(f"{n} rows in {name}" for name, n in sorted(held.items()))
        raise ConflictError(
            f"the workspace's database already holds data ({listing}); import --all loads "
            "into an empty workspace only: create a new one (a new folder, or an empty "
            "PostgreSQL database)"
        )
    product = dump.table_named("product")
    assert product is not None
    conn.execute(delete(product))


def _load_table(
    conn: Connection, table: Table, export: _Export, name: str, entry: dict[str, Any]
) -> int:
    where = export.where(name)
    digest = hashlib.sha256()
    number = 0

    def rows(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
        nonlocal number
        for number, raw in enumerate(bounded_lines(stream, where), start=1):
            digest.update(raw)
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.decode("utf-8"))
                yield dump.decode_row(table, data)
            except UnicodeDecodeError as exc:
                raise InputError("not UTF-8", file=where, line=number) from exc
            except json.JSONDecodeError as exc:
                raise InputError(f"not JSON: {exc.msg}", file=where, line=number) from exc
            except dump.DumpError as exc:
                raise InputError(str(exc), file=where, line=number, field=exc.field) from exc

    from sqlalchemy.exc import DBAPIError

    with export.open(name) as stream:
        try:
            inserted = dump.insert_rows(conn, table, rows(stream))
        except DBAPIError as exc:
            reason = " ".join(str(exc.orig).split())
            raise InputError(
                f"the database refused a row near line {number}: {reason}", file=where
            ) from exc
    if inserted != entry["rows"]:
        raise InputError(
            f"holds {inserted} rows, the manifest says {entry['rows']}: the export is incomplete",
            file=where,
        )
    if digest.hexdigest() != entry["sha256"]:
        raise InputError(
            "its SHA-256 differs from the manifest's: the file was changed or damaged", file=where
        )
    return inserted
