"""``productpath sync``: pull what changed in each source since its last sync.

GitHub issues and pull requests become tracker items with source ``github`` and the keys
``tracker import --format github`` gives them (``OWNER/NAME#N``), so a repository imported from
files and then connected updates its items instead of doubling them.

Each page is written in its own transaction together with the cursor it moves (the newest
``updated_at`` read so far), so a sync cut off midway keeps its pages and the next one resumes
from there. Every request starts from the cursor (see ``_walk``); the last one, from the final
cursor, repeats items already stored (GitHub's ``since`` is inclusive) and gives the ETag that
lets the next sync with nothing new end at one 304 per endpoint.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from productpath.domain.git_records import GitCommitRecord
from productpath.errors import InputError, ProductpathError
from productpath.ingest.connectors.github import (
    ConnectorError,
    GitHubReader,
    Page,
    RetryPolicy,
    commit_record,
    commits_url,
    issues_url,
    repository_url,
)
from productpath.ingest.dates import parse_datetime
from productpath.ingest.issue_feedback import GITHUB, issue_feedback
from productpath.ingest.tracker_github import github_records
from productpath.ingest.tracker_record import DONE, IN_PROGRESS
from productpath.services.delivery import relink_session
from productpath.services.work.git import store_history, stored_head
from productpath.services.work.source_feed import (
    SyncReport,
    finish_run,
    secret_of,
    start_run,
    store_feedback,
    sync_feed,
)
from productpath.services.work.sources import find_source
from productpath.services.work.tracker import KEEP_WHEN_MISSING, OPENING_STATUS, tracker_columns
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo, source_repo, tracker_repo
from productpath.store.models import Product, Source, SyncRun, utcnow

__all__ = ["SyncReport", "sync_sources"]

SOURCE = "github"  # the tracker_item source a file import of GitHub JSON uses too
Progress = Callable[[str, int, int | None], None]  # source name, pages done, pages in all


def sync_sources(
    handle: OpenWorkspace,
    name: str | None = None,
    *,
    full: bool = False,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[SyncReport]:
    """Sync source ``name``, or every source by name; the first failure stops with one line."""
    with handle.store.read() as session:
        if name is not None:
            names = [find_source(session, handle, name).name]
        else:
            product_id = product_repo.find_id(session, handle.workspace.product)
            found = [] if product_id is None else source_repo.list_sources(session, product_id)
            names = [source.name for source in found]
    return [
        _sync_one(handle, each, full=full, progress=progress, policy=policy, sleep=sleep)
        for each in names
    ]


@dataclass
class _Source:
    """What a sync needs of the stored source, read once."""

    id: int
    name: str
    repo: str
    api_url: str
    token_env: str | None
    cursor: dict[str, Any]
    token: str | None = None
    as_feedback: bool = False
    keyring: str | None = None
    commits: bool = False


def _sync_one(
    handle: OpenWorkspace,
    name: str,
    *,
    full: bool,
    progress: Progress | None,
    policy: RetryPolicy | None,
    sleep: Callable[[float], None],
) -> SyncReport:
    with handle.store.read() as session:
        stored = find_source(session, handle, name)
        if stored.kind != "github":
            kind = stored.kind
        else:
            kind = None
            settings = json.loads(stored.settings)
            source = _Source(
                id=stored.id,
                name=stored.name,
                repo=settings["repo"],
                api_url=settings["api_url"],
                token_env=stored.token_env,
                cursor={} if full else json.loads(stored.cursor),
                token=secret_of(stored, settings),
                as_feedback=settings.get("as") == "feedback",
                keyring=settings.get("token_keyring"),
                commits=bool(settings.get("commits")),
            )
    if kind is not None:
        return sync_feed(handle, name, full=full, progress=progress, policy=policy, sleep=sleep)
    token = source.token
    started = time.perf_counter()
    run_id = start_run(handle, source.id, full=full)
    report = SyncReport(source=name)
    reader = GitHubReader(token, policy=policy, sleep=sleep)
    try:
        _walk(handle, source, reader, run_id, report, progress)
        if source.commits:
            _read_commits(handle, source, reader, report)
    except ProductpathError as exc:
        message = _explain(exc, source)
        _finish(handle, source, run_id, reader.requests, error=message)
        raise ConnectorError(message) from None
    finally:
        reader.close()
        report.requests = reader.requests
        report.seconds = time.perf_counter() - started
    _finish(handle, source, run_id, reader.requests, error=None)
    return report


def _walk(
    handle: OpenWorkspace,
    source: _Source,
    reader: GitHubReader,
    run_id: int,
    report: SyncReport,
    progress: Progress | None,
) -> None:
    """Read pages until one holds nothing newer than the cursor and names no next page.

    After each page the next request starts again from the cursor (``since`` = the newest
    ``updated_at`` read) instead of following the next-page link: GitHub's pages are offsets,
    and an item edited meanwhile moves to the end and shifts the rest left, so an offset would
    skip one. Only a page that does not move the cursor (all its items at the cursor's second)
    goes on by its ``Link: rel="next"``. That last request from the cursor is also the one whose
    ETag the next sync sends.
    """
    cursor = source.cursor
    repo_page = reader.get(repository_url(source.api_url, source.repo), cursor.get("repo_etag"))
    since = cursor.get("since")
    url = issues_url(source.api_url, source.repo, since)
    etag = cursor.get("issues_etag") if cursor.get("issues_url") == url else None
    pages_done = 0
    while True:
        page = reader.get(url, etag)
        etag = None
        if page.not_modified:
            report.not_modified = True
            break
        from_cursor = url == issues_url(source.api_url, source.repo, since)
        _write_page(handle, source, page, cursor, run_id, report)
        pages_done += 1
        if progress is not None:
            progress(source.name, pages_done, pages_done - 1 + (page.last_page or 1))
        if cursor.get("since") != since:
            since = cursor.get("since")
            url = issues_url(source.api_url, source.repo, since)
            continue
        if from_cursor:
            cursor["issues_url"], cursor["issues_etag"] = url, page.etag
        if page.next_url is None:
            break
        url = page.next_url
    # Kept only at the end: a sync cut off before this point asks for the repository again.
    cursor["repo_etag"] = repo_page.etag or cursor.get("repo_etag")
    if isinstance(repo_page.body, dict) and repo_page.body.get("default_branch"):
        cursor["default_branch"] = repo_page.body["default_branch"]
    _save_cursor(handle, source.id, cursor)


def _read_commits(
    handle: OpenWorkspace, source: _Source, reader: GitHubReader, report: SyncReport
) -> None:
    """The default branch's commits after the stored head, newest first page by page until
    that head appears; stored oldest first in one transaction, as ``git ingest`` stores a
    clone's. A head no longer in the branch (a force-push) replaces the stored history."""
    branch = source.cursor.get("default_branch") or "main"
    head = stored_head(handle, source.repo)
    url: str | None = commits_url(source.api_url, source.repo, branch)
    newer: list[GitCommitRecord] = []
    found = head is None
    while url is not None:
        page = reader.get(url)
        if not isinstance(page.body, list):
            raise ConnectorError(f"{url.split('?')[0]} did not answer a JSON array of commits")
        for obj in page.body:
            if isinstance(obj, dict) and obj.get("sha") == head:
                found, url = True, None
                break
            newer.append(commit_record(obj))
        else:
            url = page.next_url
    location = f"{source.api_url}/repos/{source.repo}"
    done = store_history(handle, source.repo, location, branch, newer[::-1], rewritten=not found)
    report.commits = done.commits_added


def _write_page(
    handle: OpenWorkspace,
    source: _Source,
    page: Page,
    cursor: dict[str, Any],
    run_id: int,
    report: SyncReport,
) -> None:
    if not isinstance(page.body, list):
        raise ConnectorError(f"{page.url} did not answer a JSON array of issues")
    where = page.url
    records = []
    skipped: list[str] = []
    for entry in github_records((where, n, obj) for n, obj in enumerate(page.body, 1)):
        if isinstance(entry, InputError):
            skipped.append(str(entry))
        else:
            records.append(entry)
    newest = _newest(page.body, cursor.get("since"))
    if source.as_feedback:
        # The mapping of ``feedback import --format github-issues``: title, blank line,
        # body without its template; kind from the labels; id github:OWNER/NAME#N.
        feedback = list(issue_feedback(records, GITHUB, None))
        if newest is not None:
            cursor["since"] = newest
        skipped_as = [InputError(reason) for reason in skipped]
        store_feedback(
            handle, source.id, source.name, [*feedback, *skipped_as], cursor, run_id, report
        )
        return
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        keys = [record.key for record in records]
        counts = tracker_repo.upsert_items(
            session,
            product.id,
            SOURCE,
            [tracker_columns(record) for record in records],
            existing=tracker_repo.items_with_keys(session, product.id, SOURCE, keys),
            now=utcnow(),
            opening_status=OPENING_STATUS[SOURCE],
            keep_when_missing=KEEP_WHEN_MISSING[SOURCE],
        )
        if newest is not None:
            cursor["since"] = newest
        stored = session.get(Source, source.id)
        assert stored is not None
        stored.cursor = json.dumps(cursor)
        run = session.get(SyncRun, run_id)
        assert run is not None
        run.added += counts.added
        run.updated += counts.updated
        run.unchanged += counts.unchanged
        run.skipped = json.dumps([*json.loads(run.skipped), *skipped])
    report.added += counts.added
    report.updated += counts.updated
    report.unchanged += counts.unchanged
    report.skipped.extend(skipped)


def _newest(objects: list[Any], since: str | None) -> str | None:
    """The latest ``updated_at`` of the page, or ``since`` when none is later (as GitHub
    writes it, so it goes back into the query unchanged)."""
    best = since
    best_at = parse_datetime(since) if since else None
    for obj in objects:
        value = obj.get("updated_at") if isinstance(obj, dict) else None
        if not isinstance(value, str):
            continue
        try:
            at = parse_datetime(value)
        except ValueError:
            continue
        if best_at is None or at > best_at:
            best, best_at = value, at
    return best


def _save_cursor(handle: OpenWorkspace, source_id: int, cursor: dict[str, Any]) -> None:
    with handle.store.write() as session:
        stored = session.get(Source, source_id)
        assert stored is not None
        stored.cursor = json.dumps(cursor)


def _finish(
    handle: OpenWorkspace, source: _Source, run_id: int, requests: int, *, error: str | None
) -> None:
    """Close the run's log entry; relink the product's work (new items may belong to epics or
    labels mapped to initiatives), whether or not the sync got to the end."""
    finish_run(handle, source.id, run_id, requests, error=error, then=_after_tracker_pages)


def _after_tracker_pages(session: Session, product_id: int) -> None:
    _start_issues_with_pulls(session, product_id)
    product = session.get(Product, product_id)
    assert product is not None
    relink_session(session, product.key)


def _start_issues_with_pulls(session: Session, product_id: int) -> None:
    """An open issue that a stored open or merged pull request closes is in progress since that
    pull request was opened: the rule of the file import, which sees both in one file, applied
    across pages and syncs (a page maps only the pull requests on it)."""
    opened: dict[str, dt.datetime] = {}
    for links, opened_at in tracker_repo.open_or_merged_pulls_with_links(
        session, product_id, SOURCE
    ):
        for link in links.split("\n"):
            if link.startswith("closes "):
                key = link.removeprefix("closes ")
                opened[key] = min(opened.get(key, opened_at), opened_at)
    for key, item in tracker_repo.items_with_keys(session, product_id, SOURCE, opened).items():
        start = opened[key]
        if item.item_type != "issue" or item.status_category == DONE:
            continue
        item.status_category = IN_PROGRESS
        if item.started_at is None or start < item.started_at:
            item.started_at = start


def _explain(exc: ProductpathError, source: _Source) -> str:
    """One line naming the source and what to check; never the token."""
    where = f"source '{source.name}'"
    status = exc.status if isinstance(exc, ConnectorError) else None
    token = (
        f"the token in ${source.token_env}"
        if source.token_env
        else f"the token in the keyring entry {source.keyring}"
        if source.keyring
        else None
    )
    if status == 401:
        if token is None:
            return f"{where}: GitHub asks for credentials (401); connect it with --token-env VAR"
        return f"{where}: GitHub refused {token} (401 Bad credentials); check it is valid"
    if status == 403:
        check = f"check that {token} may read {source.repo}" if token else "give a --token-env"
        return f"{where}: GitHub refused access to {source.repo} (403); {check}"
    if status == 404:
        also = f", and that {token} can see it" if token else " (a private one needs a token)"
        return (
            f"{where}: repository {source.repo} not found at {source.api_url} (404); "
            f"check --repo and --api-url{also}"
        )
    return f"{where}: {exc}"
