"""Syncing the sources other than GitHub's issues: Jira into tracker items; Zendesk, Intercom,
the App Store and Google Play into feedback. (GitHub: source_sync.py, which uses this module's
report and write helpers.)

Each connector (``productpath.ingest.connectors``) hands back pages already mapped, each with the
cursor to keep once it is stored; every page is written and its cursor saved before the next is
read, so a sync cut off midway keeps its pages and the next one resumes where it stopped.
Feedback goes through the import's own write path (``services.feedback.import_records``): an
item already stored is left as it is, so a re-sync adds nothing. Secrets are read for the sync
(``ingest.connectors.credentials``) and handed to the HTTP client's headers only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from productpath.errors import InputError, ProductpathError
from productpath.ingest.app_reviews import redacted
from productpath.ingest.connectors import helpdesk, jira, store_auth, stores
from productpath.ingest.connectors.credentials import SecretRef, read_secret
from productpath.ingest.connectors.http import ApiReader, Batch, ConnectorError, RetryPolicy
from productpath.ingest.feedback_files import FeedbackRecord
from productpath.ingest.pii import REDACT_ALL
from productpath.ingest.tracker_record import TrackerRecord
from productpath.services.delivery import relink_session
from productpath.services.feedback import import_records
from productpath.services.work.tracker import KEEP_WHEN_MISSING, OPENING_STATUS, tracker_columns
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo, tracker_repo
from productpath.store.models import Product, Source, SyncRun, utcnow

Progress = Callable[[str, int, int | None], None]  # source name, pages done, pages in all
FEEDBACK_KINDS = ("zendesk", "intercom", "app-store", "google-play")
# What each kind's token is, for the line that says it is missing.
_WHAT = {
    "jira": "the Jira API token",
    "zendesk": "the Zendesk API token",
    "intercom": "the Intercom access token",
    "app-store": "the App Store Connect API key (.p8) or a signed token",
    "google-play": "the service account key (JSON) or an OAuth access token",
    "github": "the GitHub token",
}


@dataclass
class SyncReport:
    """What one sync of one source did."""

    source: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    requests: int = 0
    not_modified: bool = False
    seconds: float = 0.0
    commits: int = 0  # commits read through a host's API (connect github --commits)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": list(self.skipped),
            "requests": self.requests,
            "not_modified": self.not_modified,
            "seconds": round(self.seconds, 3),
            "commits": self.commits,
        }


def secret_of(stored: Source, settings: dict[str, Any]) -> str | None:
    """The source's token, from its environment variable or keyring entry (None: none named)."""
    ref = SecretRef(env=stored.token_env, keyring=settings.get("token_keyring"))
    return read_secret(stored.name, ref, _WHAT.get(stored.kind, "the token"))


def store_feedback(
    handle: OpenWorkspace,
    source_id: int,
    source_name: str,
    records: list[Any],
    cursor: dict[str, Any],
    run_id: int,
    report: SyncReport,
) -> None:
    """Write one page of feedback (redacted here, as every import is) under the source's
    name, then its cursor and counts."""
    good = [
        record for record in redacted(records, REDACT_ALL) if isinstance(record, FeedbackRecord)
    ]
    skipped = [str(record) for record in records if isinstance(record, InputError)]
    added = unchanged = 0
    if good:  # an empty page (nothing changed) costs no staging
        result = import_records(handle, good, source_name, redacting=REDACT_ALL, skip_invalid=True)
        added, unchanged = result.added, result.unchanged
    # Stored items are left as they are: what the page repeats counts as unchanged.
    _count(handle, source_id, cursor, run_id, report, added, 0, unchanged, skipped)


def sync_feed(
    handle: OpenWorkspace,
    stored_name: str,
    *,
    full: bool,
    progress: Progress | None,
    policy: RetryPolicy | None,
    sleep: Callable[[float], None],
) -> SyncReport:
    """Sync one source of a kind other than ``github``; the first failure raises one line."""
    from productpath.services.work.sources import find_source

    with handle.store.read() as session:
        stored = find_source(session, handle, stored_name)
        settings = json.loads(stored.settings)
        kind, source_id, name = stored.kind, stored.id, stored.name
        cursor = {} if full else json.loads(stored.cursor)
        token_env = stored.token_env
        token = secret_of(stored, settings)
        user = None
        if settings.get("user_env"):
            user = read_secret(name, SecretRef(env=settings["user_env"]), "the account e-mail")
    place = stored_token_place(settings, token_env=token_env)
    try:
        headers = _headers(kind, token, user, settings, policy or RetryPolicy())
    except ProductpathError as exc:
        raise ConnectorError(explain(exc, name, kind, place)) from None
    started = time.perf_counter()
    run_id = start_run(handle, source_id, full=full)
    report = SyncReport(source=name)
    reader = ApiReader(headers, policy=policy, sleep=sleep)
    error = None
    try:
        for batch in _batches(kind, reader, settings, cursor):
            if kind == "jira":
                _store_tracker(handle, source_id, batch, run_id, report)
            else:
                store_feedback(handle, source_id, name, batch.records, batch.cursor, run_id, report)
            if progress is not None:
                progress(name, batch.pages_done, batch.pages_total)
    except ProductpathError as exc:
        error = explain(exc, name, kind, place)
        raise ConnectorError(error) from None
    finally:
        report.requests = reader.requests
        report.seconds = time.perf_counter() - started
        reader.close()
        then = _relink if kind == "jira" else None
        finish_run(handle, source_id, run_id, reader.requests, error=error, then=then)
    return report


def stored_token_place(settings: dict[str, Any], *, token_env: str | None) -> str | None:
    if token_env:
        return f"the token in ${token_env}"
    if settings.get("token_keyring"):
        return f"the token in the keyring entry {settings['token_keyring']}"
    return None


def explain(exc: ProductpathError, name: str, kind: str, token: str | None) -> str:
    """One line naming the source and what to check; never a secret."""
    where = f"source '{name}'"
    status = exc.status if isinstance(exc, ConnectorError) else None
    service = _SERVICE.get(kind, kind)
    if status == 401:
        check = f"check {token} is valid" if token else "connect it with --token-env VAR"
        if kind in ("jira", "zendesk"):
            check += " and that the account e-mail in --user-env is the token's"
        return f"{where}: {service} refused the credentials (401); {check}"
    if status == 403:
        check = f"check that {token} may read it" if token else "give it a token"
        return f"{where}: {service} refused access (403); {check}"
    if status == 404:
        return f"{where}: {service} answered 404 (not found); check the site, app or project given"
    if isinstance(exc, ConnectorError):
        return f"{where}: {exc}"
    return str(exc) if str(exc).startswith(where) else f"{where}: {exc}"


_SERVICE = {
    "jira": "Jira",
    "zendesk": "Zendesk",
    "intercom": "Intercom",
    "app-store": "App Store Connect",
    "google-play": "Google Play",
}


def _headers(
    kind: str,
    token: str | None,
    user: str | None,
    settings: dict[str, Any],
    policy: RetryPolicy,
) -> dict[str, str]:
    """The request headers, with the credential the service wants (made from a key where
    the source holds one: an App Store Connect API key, a Google service account)."""
    if kind == "jira":
        return jira.headers(user, token)
    if kind == "zendesk":
        if not (user and token):
            raise InputError("a Zendesk source needs --user-env and a token")
        return helpdesk.zendesk_headers(user, token)
    if token is None:
        raise InputError(
            f"a {_SERVICE[kind]} source needs a token (--token-env or --token-keyring)"
        )
    if kind == "intercom":
        return helpdesk.intercom_headers(token)
    if kind == "app-store" and settings.get("key_id"):
        token = store_auth.app_store_jwt(token, settings["key_id"], settings["issuer_id"])
    if kind == "google-play" and settings.get("service_account"):
        token = store_auth.google_access_token(token, timeout=policy.timeout)
    return stores.headers(token)


def _batches(
    kind: str, reader: ApiReader, settings: dict[str, Any], cursor: dict[str, Any]
) -> Iterator[Batch]:
    if kind == "jira":
        return jira.batches(reader, settings["site"], settings["jql"], cursor)
    if kind == "zendesk":
        return helpdesk.zendesk_batches(reader, settings["site"], cursor)
    if kind == "intercom":
        return helpdesk.intercom_batches(reader, settings["api_url"], cursor)
    if kind == "app-store":
        return stores.app_store_batches(reader, settings["api_url"], settings["app"], cursor)
    return stores.google_play_batches(reader, settings["api_url"], settings["package"], cursor)


def _store_tracker(
    handle: OpenWorkspace, source_id: int, batch: Batch, run_id: int, report: SyncReport
) -> None:
    records = [record for record in batch.records if isinstance(record, TrackerRecord)]
    skipped = [str(record) for record in batch.records if isinstance(record, InputError)]
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        keys = [record.key for record in records]
        counts = tracker_repo.upsert_items(
            session,
            product.id,
            jira.SOURCE,
            [tracker_columns(record) for record in records],
            existing=tracker_repo.items_with_keys(session, product.id, jira.SOURCE, keys),
            now=utcnow(),
            opening_status=OPENING_STATUS[jira.SOURCE],
            # The API read carries no story points (a per-site custom field): not "none".
            keep_when_missing=(*KEEP_WHEN_MISSING[jira.SOURCE], "points"),
        )
    _count(
        handle,
        source_id,
        batch.cursor,
        run_id,
        report,
        counts.added,
        counts.updated,
        counts.unchanged,
        skipped,
    )


def _count(
    handle: OpenWorkspace,
    source_id: int,
    cursor: dict[str, Any],
    run_id: int,
    report: SyncReport,
    added: int,
    updated: int,
    unchanged: int,
    skipped: list[str],
) -> None:
    with handle.store.write() as session:
        stored = session.get(Source, source_id)
        assert stored is not None
        stored.cursor = json.dumps(cursor)
        run = session.get(SyncRun, run_id)
        assert run is not None
        run.added += added
        run.updated += updated
        run.unchanged += unchanged
        run.skipped = json.dumps([*json.loads(run.skipped), *skipped])
    report.added += added
    report.updated += updated
    report.unchanged += unchanged
    report.skipped.extend(skipped)


def start_run(handle: OpenWorkspace, source_id: int, *, full: bool) -> int:
    """Open the sync's log entry; its id."""
    with handle.store.write() as session:
        run = SyncRun(source_id=source_id, full=full, started_at=utcnow(), skipped="[]")
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    handle: OpenWorkspace,
    source_id: int,
    run_id: int,
    requests: int,
    *,
    error: str | None,
    then: Callable[[Session, int], None] | None = None,
) -> None:
    """Close the run's log entry, whether or not the sync got to the end; when it changed
    anything, call ``then`` with the session and the product's id (tracker sources relink the
    product's work there: new items may belong to epics or labels mapped to initiatives)."""
    with handle.store.write() as session:
        now = utcnow()
        run = session.get(SyncRun, run_id)
        assert run is not None
        run.finished_at = now
        run.requests = requests
        run.error = error
        if error is None:
            stored = session.get(Source, source_id)
            assert stored is not None
            stored.last_synced_at = now
        if then is not None and (run.added or run.updated):
            product_id = product_repo.find_id(session, handle.workspace.product)
            assert product_id is not None
            then(session, product_id)


def _relink(session: Session, product_id: int) -> None:
    product = session.get(Product, product_id)
    assert product is not None
    relink_session(session, product.key)
