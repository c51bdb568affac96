"""Registering live sources, listing, showing and removing them (syncing: source_sync.py).

A source keeps the name of the environment variable that holds its token, never the token, so
nothing stored (database, backups, ``export --all``) carries a credential.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.ingest.connectors.credentials import check_env_name, check_keyring_ref
from productpath.ingest.connectors.github import PUBLIC_API
from productpath.ingest.connectors.stores import APP_STORE_API, GOOGLE_PLAY_API
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo, source_repo
from productpath.store.models import Source, SyncRun

KINDS = ("github", "jira", "zendesk", "intercom", "app-store", "google-play")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_EVERY = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class SyncRunRow:
    """One sync as the log shows it."""

    started_at: dt.datetime
    finished_at: dt.datetime | None
    full: bool
    added: int
    updated: int
    unchanged: int
    skipped: tuple[str, ...]
    requests: int
    error: str | None

    @classmethod
    def of(cls, run: SyncRun) -> SyncRunRow:
        return cls(
            started_at=run.started_at,
            finished_at=run.finished_at,
            full=run.full,
            added=run.added,
            updated=run.updated,
            unchanged=run.unchanged,
            skipped=tuple(json.loads(run.skipped)),
            requests=run.requests,
            error=run.error,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "full": self.full,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": list(self.skipped),
            "requests": self.requests,
            "error": self.error,
        }


@dataclass(frozen=True)
class SourceRow:
    """A source as listings show it: what it reads, how often, and its latest syncs."""

    name: str
    kind: str
    settings: dict[str, Any]
    token_env: str | None
    every: str | None
    cursor: str | None
    last_synced_at: dt.datetime | None
    runs: tuple[SyncRunRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            **self.settings,
            "token_env": self.token_env,
            "every": self.every,
            "cursor": self.cursor,
            "last_synced_at": self.last_synced_at.isoformat() if self.last_synced_at else None,
            "runs": [run.as_dict() for run in self.runs],
        }


def parse_every(text: str) -> int:
    """Seconds in an interval written like 30s, 15m, 2h or 1d."""
    m = _EVERY.match(text.strip().lower())
    if m is None or int(m[1]) == 0:
        raise InputError(f"'{text}' is not an interval like 15m, 2h or 1d", field="every")
    return int(m[1]) * _UNIT_SECONDS[m[2]]


def format_every(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


def connect_github(
    handle: OpenWorkspace,
    name: str,
    *,
    repo: str,
    api_url: str | None = None,
    token_env: str | None = None,
    every: str | None = None,
    token_keyring: str | None = None,
    as_feedback: bool = False,
    commits: bool = False,
) -> SourceRow:
    """Register a GitHub repository as source ``name``; nothing is read until ``sync``.

    Its issues become tracker items, or feedback with ``as_feedback``; ``commits`` also reads
    the default branch's commits into the git history (repository ``OWNER/NAME``)."""
    if not _REPO.match(repo):
        raise InputError(f"'{repo}' is not a repository written OWNER/NAME", field="repo")
    settings: dict[str, Any] = {"repo": repo, "api_url": _url(api_url or PUBLIC_API, "api-url")}
    if as_feedback:
        settings["as"] = "feedback"
    if commits:
        settings["commits"] = True
    return _register(handle, name, "github", settings, token_env, token_keyring, every)


def connect_jira(
    handle: OpenWorkspace,
    name: str,
    *,
    site: str,
    jql: str,
    user_env: str | None,
    token_env: str | None = None,
    token_keyring: str | None = None,
    every: str | None = None,
) -> SourceRow:
    """Register the Jira issues ``jql`` selects on ``site`` (e.g. https://acme.atlassian.net)."""
    if not jql.strip():
        raise InputError("give a JQL query, e.g. --jql 'project = SHOP'", field="jql")
    _need_token(token_env, token_keyring)
    settings: dict[str, Any] = {"site": _url(site, "site"), "jql": jql.strip()}
    if user_env is not None:
        settings["user_env"] = check_env_name(user_env, "user-env")
    return _register(handle, name, "jira", settings, token_env, token_keyring, every)


def connect_zendesk(
    handle: OpenWorkspace,
    name: str,
    *,
    site: str,
    user_env: str,
    token_env: str | None = None,
    token_keyring: str | None = None,
    every: str | None = None,
) -> SourceRow:
    """Register a Zendesk account's tickets (e.g. https://acme.zendesk.com) as feedback."""
    _need_token(token_env, token_keyring)
    settings = {"site": _url(site, "site"), "user_env": check_env_name(user_env, "user-env")}
    return _register(handle, name, "zendesk", settings, token_env, token_keyring, every)


def connect_intercom(
    handle: OpenWorkspace,
    name: str,
    *,
    api_url: str | None = None,
    token_env: str | None = None,
    token_keyring: str | None = None,
    every: str | None = None,
) -> SourceRow:
    """Register an Intercom workspace's conversations as feedback."""
    _need_token(token_env, token_keyring)
    settings = {"api_url": _url(api_url or "https://api.intercom.io", "api-url")}
    return _register(handle, name, "intercom", settings, token_env, token_keyring, every)


def connect_app_store(
    handle: OpenWorkspace,
    name: str,
    *,
    app: str,
    api_url: str | None = None,
    token_env: str | None = None,
    token_keyring: str | None = None,
    every: str | None = None,
    key_id: str | None = None,
    issuer_id: str | None = None,
) -> SourceRow:
    """Register an App Store app's customer reviews (``app``: its Apple ID) as feedback.

    With ``key_id`` and ``issuer_id`` the secret is the API key (the .p8 file's text) and each
    sync signs its own token; without them the secret is a token signed elsewhere."""
    if not re.match(r"^\d{1,20}$", app):
        raise InputError(f"'{app}' is not an app's Apple ID (digits)", field="app")
    if (key_id is None) != (issuer_id is None):
        raise InputError("give --key-id and --issuer-id together", field="key-id")
    _need_token(token_env, token_keyring)
    settings = {"app": app, "api_url": _url(api_url or APP_STORE_API, "api-url")}
    if key_id is not None and issuer_id is not None:
        settings |= {"key_id": key_id.strip(), "issuer_id": issuer_id.strip()}
    return _register(handle, name, "app-store", settings, token_env, token_keyring, every)


def connect_google_play(
    handle: OpenWorkspace,
    name: str,
    *,
    package: str,
    api_url: str | None = None,
    token_env: str | None = None,
    token_keyring: str | None = None,
    every: str | None = None,
    service_account: bool = False,
) -> SourceRow:
    """Register a Google Play app's reviews (``package``: com.example.app) as feedback.

    With ``service_account`` the secret is a service account's JSON key, exchanged for an
    access token at each sync; without it, the secret is an access token."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$", package):
        raise InputError(f"'{package}' is not a package name like com.example.app", field="package")
    _need_token(token_env, token_keyring)
    settings: dict[str, Any] = {
        "package": package,
        "api_url": _url(api_url or GOOGLE_PLAY_API, "api-url"),
    }
    if service_account:
        settings["service_account"] = True
    return _register(handle, name, "google-play", settings, token_env, token_keyring, every)


def _register(
    handle: OpenWorkspace,
    name: str,
    kind: str,
    settings: dict[str, Any],
    token_env: str | None,
    token_keyring: str | None,
    every: str | None,
) -> SourceRow:
    _check_name(name)
    if token_env is not None and token_keyring is not None:
        raise InputError("give --token-env or --token-keyring, not both", field="token-keyring")
    if token_env is not None:
        check_env_name(token_env, "token-env")
    if token_keyring is not None:
        settings["token_keyring"] = check_keyring_ref(token_keyring)
    every_seconds = parse_every(every) if every is not None else None
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        if source_repo.find(session, product.id, name) is not None:
            raise ConflictError(f"a source named '{name}' exists; remove it first to change it")
        source = Source(
            product_id=product.id,
            name=name,
            kind=kind,
            settings=json.dumps(settings),
            token_env=token_env,
            every_seconds=every_seconds,
            cursor="{}",
        )
        session.add(source)
        session.flush()
        return _row(source, [])


def _url(value: str, option: str) -> str:
    url = value.rstrip("/")
    if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url):
        raise InputError(f"'{url}' is not an http(s) URL", field=option)
    return url


def _need_token(token_env: str | None, token_keyring: str | None) -> None:
    if token_env is None and token_keyring is None:
        raise InputError(
            "this service needs a token: --token-env VAR or --token-keyring SERVICE:USER",
            field="token-env",
        )


def list_sources(handle: OpenWorkspace) -> list[SourceRow]:
    """Every source of the product, by name, each with its latest sync."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        rows = []
        for source in source_repo.list_sources(session, product_id):
            last = source_repo.last_run(session, source.id)
            rows.append(_row(source, [] if last is None else [last]))
        return rows


def show_source(handle: OpenWorkspace, name: str, *, runs: int = 10) -> SourceRow:
    """One source with its ``runs`` latest syncs, newest first."""
    with handle.store.read() as session:
        source = find_source(session, handle, name)
        return _row(source, source_repo.runs(session, source.id, runs))


def remove_source(handle: OpenWorkspace, name: str) -> None:
    """Forget the source and its sync log; the items it brought stay (they are tracker items
    like those of a file import, and removing them is ``tracker`` work)."""
    with handle.store.write() as session:
        source = find_source(session, handle, name)
        for run in source_repo.runs(session, source.id, limit=1_000_000):
            session.delete(run)
        session.delete(source)


def find_source(session: Any, handle: OpenWorkspace, name: str) -> Source:
    product_id = product_repo.find_id(session, handle.workspace.product)
    source = None if product_id is None else source_repo.find(session, product_id, name)
    if source is None:
        raise NotFoundError(f"no source named '{name}'; see 'productpath sources list'")
    return source


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise InputError(
            f"'{name}' is not a source name: letters, digits, '.', '_' and '-', at most 100",
            field="name",
        )


def _row(source: Source, runs: list[SyncRun]) -> SourceRow:
    cursor = json.loads(source.cursor)
    return SourceRow(
        name=source.name,
        kind=source.kind,
        settings=json.loads(source.settings),
        token_env=source.token_env,
        every=format_every(source.every_seconds),
        cursor=cursor.get("since"),
        last_synced_at=source.last_synced_at,
        runs=tuple(SyncRunRow.of(run) for run in runs),
    )
