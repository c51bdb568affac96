"""Jira Cloud's REST API: the issues a JQL query selects, with their changelog, as tracker items.

``GET /rest/api/3/search/jql?jql=...&expand=changelog&nextPageToken=...`` (the enhanced search;
pages by ``nextPageToken`` until ``isLast``). A sync asks for ``(JQL) AND updated >= "CURSOR"
ORDER BY updated ASC``, the cursor being the newest ``updated`` read, written as Jira wrote it
(in the account's time zone, which is how JQL reads a date), so it repeats at most the issues of
that minute. After each page the cursor keeps the query's start and the page token, so a sync
cut off midway resumes at its page.

Each issue maps to the :class:`TrackerRecord` ``tracker import --format jira`` gives the same
issue (source ``jira``, key ``PROJ-N``): summary, issue type, status and its category
(``statusCategory.key``: new, indeterminate, done; a done issue whose resolution is a not-done
one such as Won't Do is dropped), resolution date, labels, assignee, parent. Unlike the CSV, the
changelog says when work began: the first move into an in-progress status (or, for an issue no
longer to do, its first status change). Links (``issuelinks``) are worded as the CSV's link
columns are (:func:`productpath.ingest.tracker_jira.link_word`). Story points live in a custom
field whose id differs per site, so the connector leaves them as a file import stored them.
Auth: Basic with the account e-mail and an API token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from productpath.domain.work import IN_PROGRESS_STATUSES
from productpath.errors import InputError
from productpath.ingest.connectors.http import ApiReader, Batch, ConnectorError, basic_auth
from productpath.ingest.dates import parse_datetime
from productpath.ingest.tracker_jira import link_word
from productpath.ingest.tracker_record import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    TODO,
    TrackerRecord,
    check_record,
    closes_without_doing,
)

SOURCE = "jira"
PER_PAGE = 100
FIELDS = "summary,status,issuetype,labels,resolution,resolutiondate,created,updated,assignee,parent"
_CATEGORY = {"new": TODO, "indeterminate": IN_PROGRESS, "done": DONE}
_ORDER_BY = re.compile(r"\s+ORDER\s+BY\s+.*$", re.IGNORECASE | re.DOTALL)
_JIRA_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})")


def headers(email: str | None, token: str | None) -> dict[str, str]:
    out = {"Accept": "application/json"}
    if email and token:
        out["Authorization"] = basic_auth(email, token)
    elif token:
        out["Authorization"] = f"Bearer {token}"  # a Data Center personal access token
    return out


def query(jql: str, since: str | None) -> str:
    """The JQL a sync sends: the source's, narrowed to what changed since the cursor."""
    base = _ORDER_BY.sub("", jql.strip()) or "order by updated"
    if base.lower().startswith("order by"):
        base = ""
    narrowed = base
    if since is not None:
        stamp = _JIRA_STAMP.match(since)
        when = f"{stamp[1]} {stamp[2]}" if stamp else since
        narrowed = f'({base}) AND updated >= "{when}"' if base else f'updated >= "{when}"'
    return f"{narrowed} ORDER BY updated ASC".strip()


def batches(reader: ApiReader, site: str, jql: str, cursor: dict[str, Any]) -> Iterator[Batch]:
    url = f"{site.rstrip('/')}/rest/api/3/search/jql"
    since = cursor.get("since")
    newest = cursor.get("newest") or since
    token = cursor.get("next")
    pages = 0
    while True:
        params = {
            "jql": query(jql, since),
            "fields": FIELDS,
            "expand": "changelog",
            "maxResults": str(PER_PAGE),
        }
        if token:
            params["nextPageToken"] = token
        body = reader.get(f"{url}?{urlencode(params)}").body
        if not isinstance(body, dict) or not isinstance(body.get("issues"), list):
            raise ConnectorError(f"{url} did not answer an object with 'issues'")
        records = []
        for n, issue in enumerate(body["issues"], 1):
            records.append(issue_record(issue, site, n))
            updated = (
                (issue.get("fields") or {}).get("updated") if isinstance(issue, dict) else None
            )
            if isinstance(updated, str) and (newest is None or _later(updated, newest)):
                newest = updated
        pages += 1
        token = body.get("nextPageToken")
        if token and not body.get("isLast", False):
            yield Batch(records, {"since": since, "newest": newest, "next": token}, pages)
            continue
        yield Batch(records, {"since": newest, "newest": newest}, pages, pages)
        return


def issue_record(issue: Any, site: str, line: int) -> TrackerRecord | InputError:
    """One issue of the search answer as a TrackerRecord, or the reason it cannot be one."""
    if not isinstance(issue, dict) or not isinstance(issue.get("key"), str):
        return InputError("is not an issue (no key)", line=line)
    key = issue["key"]
    fields = issue.get("fields") or {}
    try:
        title = str(fields.get("summary") or "").strip()
        if not title:
            raise InputError(f"{key} has no summary", line=line, field="summary")
        status_field = fields.get("status") or {}
        status = str(status_field.get("name") or "").strip()
        if not status:
            raise InputError(f"{key} has no status", line=line, field="status")
        category_key = (status_field.get("statusCategory") or {}).get("key")
        category = _CATEGORY.get(str(category_key), TODO)
        resolution = (fields.get("resolution") or {}).get("name") or ""
        if category == DONE and (closes_without_doing(resolution) or closes_without_doing(status)):
            category = DROPPED
        opened_at = _date(fields.get("created"), key, line, "created")
        if opened_at is None:
            raise InputError(f"{key} has no created date", line=line, field="created")
        resolved_at = _date(fields.get("resolutiondate"), key, line, "resolutiondate")
        record = TrackerRecord(
            line=line,
            key=key,
            title=title,
            item_type=re.sub(
                r"[\s-]+", "_", str((fields.get("issuetype") or {}).get("name") or "").lower()
            )
            or "issue",
            status=status,
            status_category=category,
            assignee=(fields.get("assignee") or {}).get("displayName") or None,
            opened_at=opened_at,
            started_at=_started(issue, category, key, line),
            resolved_at=resolved_at,
            labels=tuple(sorted({str(label) for label in fields.get("labels") or []})),
            parent_key=(fields.get("parent") or {}).get("key") or None,
            links=_links(fields.get("issuelinks")),
            branch=None,
            url=f"{site.rstrip('/')}/browse/{key}",
            points=None,
        )
        check_record(record, site, {})
    except InputError as exc:
        return exc
    return record


def _links(raw: Any) -> tuple[str, ...]:
    """``issuelinks`` as the CSV import writes links: sorted "word KEY" strings."""
    found = set()
    for link in raw or []:
        if not isinstance(link, dict):
            continue
        name = str((link.get("type") or {}).get("name") or "")
        for side, outward in (("outwardIssue", True), ("inwardIssue", False)):
            other = (link.get(side) or {}).get("key")
            if name and isinstance(other, str):
                found.add(f"{link_word(name, outward=outward)} {other}")
    return tuple(sorted(found))


def _started(issue: dict[str, Any], category: str, key: str, line: int) -> Any:
    """When work began, from the changelog: the first move into an in-progress status, else
    (for an issue that is no longer to do) its first status change."""
    changes = []
    for history in (issue.get("changelog") or {}).get("histories") or []:
        for item in history.get("items") or []:
            if item.get("field") == "status":
                at = _date(history.get("created"), key, line, "changelog")
                if at is not None:
                    changes.append((at, str(item.get("toString") or "").lower()))
    changes.sort()
    for at, to in changes:
        if to in IN_PROGRESS_STATUSES:
            return at
    if category != TODO and changes:
        return changes[0][0]
    return None


def _date(value: Any, key: str, line: int, name: str) -> Any:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(_colon_offset(value))
    except ValueError as exc:
        raise InputError(f"{key}: {exc}", line=line, field=name) from None


def _colon_offset(value: str) -> str:
    """Jira writes ``2026-11-02T10:00:00.000+0100``; ISO readers want ``+01:00``."""
    return re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)


def _later(one: str, other: str) -> bool:
    return bool(parse_datetime(_colon_offset(one)) > parse_datetime(_colon_offset(other)))
