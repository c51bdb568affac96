"""GitHub issues and pull requests, from the JSON the REST API returns, as TrackerRecords.

Accepted shapes, in one or several files: one page (an array of objects from
``/repos/{o}/{r}/issues?state=all`` or ``/pulls?state=all``), several pages (an array of arrays,
``gh api --paginate`` output with the arrays one after another, or JSONL with one page or one
object per line), or a single object. A pull request seen both in an issues page and in a pulls
page becomes one item.

Status category: closed issues and closed or merged pull requests are ``done``, except an issue
closed as not planned (``state_reason``: ``not_planned``, or ``duplicate``), which is ``dropped``
and keeps that reason as its status; an open pull
request is ``in_progress``; an open issue is ``in_progress`` when an open or merged pull request
in the same import says it closes it ("closes #12"), or when it carries an "in progress" or
"wip" label; otherwise ``todo``. An assignee alone does not count: teams assign backlog issues
to owners long before work starts. A pull request starts when it is opened; an issue starts when
the first (open or merged) pull request that closes it is opened.

Problems with a whole file (not JSON, truncated, an API error object instead of a page) raise;
a bad object is returned as an InputError in its place, so the caller can stop or skip it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from productpath.errors import InputError
from productpath.ingest.dates import parse_datetime
from productpath.ingest.json_pages import json_values
from productpath.ingest.tracker_record import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    TODO,
    TrackerRecord,
    check_record,
    closes_without_doing,
)

SOURCE = "github"
# Where each record attribute comes from in GitHub's objects, for error messages.
FIELDS = {
    "key": "html_url",
    "status": "state",
    "assignee": "assignee.login",
    "parent_key": "parent_issue_url",
    "branch": "head.ref",
    "links": "body",
}
_EXPECTED = "the JSON that GitHub's REST API returns for issues or pulls (--format github)"
_API_REPO = re.compile(r"/repos/([^/\s]+)/([^/\s]+?)/?$")
_API_ITEM = re.compile(r"/repos/([^/\s]+)/([^/\s]+)/(?:issues|pulls)/(\d+)/?$")
_HTML_ITEM = re.compile(r"^https?://[^/\s]+/([^/\s]+)/([^/\s]+)/(?:issues|pull)/(\d+)")
# GitHub's closing keywords, each followed by "#N", "owner/repo#N" or an issue URL.
_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\s+"
    r"(?:(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)"
    r"|https?://[^\s/]+/(?P<url_repo>[\w.-]+/[\w.-]+)/(?:issues|pull)/(?P<url_number>\d+))",
    re.IGNORECASE,
)


Fail = Callable[[str, str | None], InputError]


@dataclass
class _Item:
    """One object as read, before issues and pulls with the same key are merged."""

    path: Path | str
    line: int
    repo: str
    key: str
    title: str
    is_pull: bool
    state: str
    state_reason: str | None  # GitHub's reason for closing an issue: completed, not_planned...
    created_at: dt.datetime
    updated_at: dt.datetime | None
    closed_at: dt.datetime | None
    merged_at: dt.datetime | None
    assignee: str | None
    labels: tuple[str, ...]
    parent_key: str | None
    closes: tuple[str, ...]
    branch: str | None
    url: str | None
    body: str = ""


def read_github(paths: Sequence[Path]) -> list[TrackerRecord | InputError]:
    """Records of every file, merged by key, in the order each key was first seen."""
    return github_records((path, line, value) for path in paths for line, value in _values(path))


def github_records(
    objects: Iterable[tuple[Path | str, int, Any]],
) -> list[TrackerRecord | InputError]:
    """Records of decoded API objects, each with where it came from (a file and line, or the
    page a connector read and the object's position on it), merged by key."""
    merged: dict[str, _Item] = {}
    order: list[str | InputError] = []
    for path, line, value in objects:
        try:
            item = _item(path, line, value)
        except InputError as exc:
            order.append(exc)
            continue
        earlier = merged.get(item.key)
        if earlier is None:
            merged[item.key] = item
            order.append(item.key)
        else:
            merged[item.key] = _merge(earlier, item)
    pulls_closing = _pulls_closing(merged.values())
    out: list[TrackerRecord | InputError] = []
    for entry in order:
        if isinstance(entry, InputError):
            out.append(entry)
            continue
        item = merged[entry]
        record = _record(item, pulls_closing.get(item.key.casefold(), []))
        try:
            check_record(record, item.path, FIELDS)
        except InputError as exc:
            out.append(exc)
            continue
        out.append(record)
    return out


# --- reading the JSON ---------------------------------------------------------------------


def _values(path: Path) -> list[tuple[int, Any]]:
    found = json_values(path, expected=_EXPECTED)
    for line, value in found:
        # An error answer saved in place of a page (bad token, rate limit): the export is
        # missing that page, so importing the rest would look complete and not be.
        if isinstance(value, dict) and "message" in value and "number" not in value:
            raise InputError(
                f"is a GitHub API error response, not issues: {value['message']}",
                file=path,
                line=line,
            )
    return found


# --- one object -----------------------------------------------------------------------------


def _item(path: Path | str, line: int, obj: Any) -> _Item:
    def fail(reason: str, field: str | None) -> InputError:
        return InputError(reason, file=path, line=line, field=field)

    if not isinstance(obj, dict):
        raise fail(f"expected an issue or pull request object, found {_json_type(obj)}", None)
    number = obj.get("number")
    if number is None:
        raise fail("is missing (is this an issues or pulls export?)", "number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise fail(f"must be a positive whole number, not {number!r}", "number")
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("is missing or empty", "title")
    repo = _repo_of(obj)
    if repo is None:
        raise fail("cannot tell the repository: no repository_url, base.repo or html_url", None)
    state = obj.get("state")
    if state not in ("open", "closed"):
        raise fail(f"must be 'open' or 'closed', not {state!r}", "state")

    def date(name: str, value: Any) -> dt.datetime | None:
        return None if value is None else _date(value, name, fail)

    pull_request = obj.get("pull_request")
    head = obj.get("head")
    is_pull = bool(pull_request) or (isinstance(head, dict) and "base" in obj)
    merged_raw = obj.get("merged_at")
    merged_field = "merged_at"
    if merged_raw is None and isinstance(pull_request, dict):
        merged_raw, merged_field = pull_request.get("merged_at"), "pull_request.merged_at"
    created_at = obj.get("created_at")
    if created_at is None:
        raise fail("is missing", "created_at")
    body = obj.get("body")
    url = obj.get("html_url")
    return _Item(
        path=path,
        line=line,
        repo=repo,
        key=f"{repo}#{number}",
        title=title.strip(),
        is_pull=is_pull,
        state=state,
        state_reason=_text(obj.get("state_reason")),
        created_at=_date(created_at, "created_at", fail),
        updated_at=date("updated_at", obj.get("updated_at")),
        closed_at=date("closed_at", obj.get("closed_at")),
        merged_at=date(merged_field, merged_raw),
        assignee=_assignee(obj),
        labels=_labels(obj.get("labels"), fail),
        parent_key=_parent(obj, repo),
        closes=_closes(body if isinstance(body, str) else "", repo),
        branch=_text(head.get("ref")) if isinstance(head, dict) else None,
        url=url if isinstance(url, str) and url else None,
        body=body if isinstance(body, str) else "",
    )


def _date(value: Any, name: str, fail: Fail) -> dt.datetime:
    if not isinstance(value, str):
        raise fail("must be a date string", name)
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise fail(str(exc), name) from None


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _repo_of(obj: dict[str, Any]) -> str | None:
    repository_url = obj.get("repository_url")
    if isinstance(repository_url, str) and (m := _API_REPO.search(repository_url)):
        return f"{m[1]}/{m[2]}"
    base = obj.get("base")
    if isinstance(base, dict) and isinstance(base.get("repo"), dict):
        full_name = _text(base["repo"].get("full_name"))
        if full_name and "/" in full_name:
            return full_name
    for name in ("html_url", "url"):
        value = obj.get(name)
        if isinstance(value, str):
            m = _HTML_ITEM.search(value) or _API_ITEM.search(value)
            if m:
                return f"{m[1]}/{m[2]}"
    return None


def _assignee(obj: dict[str, Any]) -> str | None:
    candidates = [obj.get("assignee")]
    assignees = obj.get("assignees")
    if isinstance(assignees, list):
        candidates.extend(assignees)
    for person in candidates:
        if isinstance(person, dict) and (login := _text(person.get("login"))):
            return login
    return None


def _labels(value: Any, fail: Fail) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail("must be an array of labels", "labels")
    names: set[str] = set()
    for label in value:
        name = _text(label.get("name")) if isinstance(label, dict) else _text(label)
        if name is None:
            raise fail("has a label without a name", "labels")
        names.add(name)
    return tuple(sorted(names))


def _parent(obj: dict[str, Any], repo: str) -> str | None:
    """The parent issue of a sub-issue: ``parent_issue_url``, or a ``parent`` object."""
    url = obj.get("parent_issue_url")
    if isinstance(url, str) and (m := _API_ITEM.search(url) or _HTML_ITEM.search(url)):
        return f"{m[1]}/{m[2]}#{m[3]}"
    parent = obj.get("parent")
    if isinstance(parent, dict) and isinstance(parent.get("number"), int):
        return f"{_repo_of(parent) or repo}#{parent['number']}"
    return None


def _closes(body: str, repo: str) -> tuple[str, ...]:
    keys: set[str] = set()
    for m in _CLOSING.finditer(body):
        other = m["repo"] or m["url_repo"] or repo
        # The same repository written in another case is still this one.
        other = repo if other.casefold() == repo.casefold() else other
        keys.add(f"{other}#{m['number'] or m['url_number']}")
    return tuple(sorted(keys))


# --- merging and status ----------------------------------------------------------------------


def _merge(earlier: _Item, later: _Item) -> _Item:
    """One item from two views of it: the newer view wins, the other fills its gaps."""
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    later_is_newer = (later.updated_at or never) >= (earlier.updated_at or never)
    new, old = (later, earlier) if later_is_newer else (earlier, later)
    # Merging is final: whichever view saw it merged is right, even an older one.
    merged_at = new.merged_at or old.merged_at
    state = "closed" if merged_at else new.state
    return replace(
        new,
        path=earlier.path,
        line=earlier.line,
        is_pull=new.is_pull or old.is_pull,
        state=state,
        state_reason=(new.state_reason or old.state_reason) if state == "closed" else None,
        closed_at=(new.closed_at or old.closed_at) if state == "closed" else None,
        merged_at=merged_at,
        assignee=new.assignee or old.assignee,
        labels=new.labels or old.labels,
        parent_key=new.parent_key or old.parent_key,
        closes=new.closes or old.closes,
        branch=new.branch or old.branch,
        url=new.url or old.url,
    )


def _pulls_closing(items: Iterable[_Item]) -> dict[str, list[_Item]]:
    """Open or merged pull requests by the (case-folded) key of each issue they close."""
    found: dict[str, list[_Item]] = {}
    for item in items:
        if item.is_pull and (item.state == "open" or item.merged_at is not None):
            for key in item.closes:
                found.setdefault(key.casefold(), []).append(item)
    return found


def _in_progress_label(labels: tuple[str, ...]) -> bool:
    for label in labels:
        words = " ".join(re.sub(r"[-_/:]", " ", label.casefold()).split())
        if words.endswith("in progress") or words in ("wip", "doing"):
            return True
    return False


def _record(item: _Item, closing_pulls: list[_Item]) -> TrackerRecord:
    status = "merged" if item.merged_at else item.state
    resolved_at = None
    if item.state == "closed":
        resolved_at = item.merged_at or item.closed_at
    if item.is_pull:
        started_at: dt.datetime | None = item.created_at
        category = IN_PROGRESS if item.state == "open" else DONE
    else:
        started_at = min((p.created_at for p in closing_pulls), default=None)
        if item.state == "closed" and closes_without_doing(item.state_reason):
            category, status = DROPPED, item.state_reason or status
        elif item.state == "closed":
            category = DONE
        elif closing_pulls or _in_progress_label(item.labels):
            category = IN_PROGRESS
        else:
            category = TODO
    return TrackerRecord(
        line=item.line,
        key=item.key,
        title=item.title,
        item_type="pull_request" if item.is_pull else "issue",
        status=status,
        status_category=category,
        assignee=item.assignee,
        opened_at=item.created_at,
        started_at=started_at,
        resolved_at=resolved_at,
        labels=item.labels,
        parent_key=item.parent_key,
        links=tuple(f"closes {key}" for key in item.closes),
        branch=item.branch,
        url=item.url,
        points=None,
        body=item.body,
        state_reason=item.state_reason,
    )
