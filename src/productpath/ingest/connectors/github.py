"""GitHub's REST API: the repository and its issues (pull requests included), page by page.

Requests are conditional (``If-None-Match`` with the ETag of the last answer to the same URL), so
a sync with nothing new costs one 304 per endpoint, and GitHub does not count 304s against the
rate limit. Issues are read with ``state=all&sort=updated&direction=asc&since=...``: oldest change
first, so the newest ``updated_at`` of each committed page is a cursor the next request and the
next sync can start from. ``Page`` carries the ``Link: <...>; rel="next"`` and ``rel="last"``
targets for the caller.

Faults and retries are the shared client's (:mod:`productpath.ingest.connectors.http`). The
token travels only in the ``Authorization`` header and never appears in an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from productpath.domain.git_records import GitCommitRecord
from productpath.ingest.connectors.http import ApiReader, ConnectorError, Page, RetryPolicy
from productpath.ingest.dates import parse_datetime

__all__ = [
    "PER_PAGE",
    "PUBLIC_API",
    "ConnectorError",
    "GitHubReader",
    "Page",
    "RetryPolicy",
    "commit_record",
    "commits_url",
    "issues_url",
    "repository_url",
]

PUBLIC_API = "https://api.github.com"
PER_PAGE = 100


def issues_url(api_url: str, repo: str, since: str | None) -> str:
    """The first page of the issues a sync reads (``since`` inclusive, as GitHub applies it)."""
    params = {"state": "all", "sort": "updated", "direction": "asc", "per_page": str(PER_PAGE)}
    if since is not None:
        params["since"] = since
    return f"{api_url.rstrip('/')}/repos/{repo}/issues?{urlencode(params)}"


def commits_url(api_url: str, repo: str, branch: str) -> str:
    """The first page of a branch's commits, newest first."""
    params = {"sha": branch, "per_page": str(PER_PAGE)}
    return f"{api_url.rstrip('/')}/repos/{repo}/commits?{urlencode(params)}"


def commit_record(obj: Any) -> GitCommitRecord:
    """One entry of the commits API as the record a local ``git log`` read gives (without its
    file list, which the list endpoint does not carry)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("sha"), str):
        raise ConnectorError("the commits API answered an entry without a sha")
    commit = obj.get("commit") or {}
    author = commit.get("author") or {}
    committer = commit.get("committer") or author
    subject, _, body = str(commit.get("message") or "").partition("\n")
    authored = parse_datetime(str(author.get("date") or committer.get("date")))
    return GitCommitRecord(
        sha=obj["sha"],
        parents=tuple(p["sha"] for p in obj.get("parents") or [] if isinstance(p, dict)),
        author_name=str(author.get("name") or ""),
        author_email=str(author.get("email") or ""),
        authored_at=authored,
        committed_at=parse_datetime(str(committer.get("date") or author.get("date"))),
        subject=subject.strip(),
        body=body.strip(),
        files=(),
        raw_author_name=str(author.get("name") or ""),
        raw_author_email=str(author.get("email") or ""),
    )


def repository_url(api_url: str, repo: str) -> str:
    return f"{api_url.rstrip('/')}/repos/{repo}"


class GitHubReader(ApiReader):
    """The shared client with GitHub's headers and, when given, its token."""

    def __init__(
        self,
        token: str | None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        super().__init__(headers, policy=policy, sleep=sleep, on_wait=on_wait)
