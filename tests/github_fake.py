"""A fake GitHub REST API on 127.0.0.1, in a thread, answering the way the documented API does.

``GET /repos/{owner}/{repo}`` and ``GET /repos/{owner}/{repo}/issues`` (``state``, ``sort``,
``direction``, ``since`` inclusive, ``per_page``, ``page``), with what a client relies on:
``Link: <...>; rel="next"`` (and prev/first/last), weak ``ETag`` and 304 to a matching
``If-None-Match`` (not counted against the rate limit, as GitHub does), the ``X-RateLimit-*``
headers, pull requests in the issues list with a ``pull_request`` key, ``state_reason``, and
GitHub's error bodies (401 Bad credentials, 404 Not Found, 403 rate limit exceeded).

Faults are queued: ``fail(status, headers=..., times=n, path=...)`` answers the next matching
requests with that status instead; ``delay`` makes answers slow (client timeouts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tracker_fixtures import gh_issue

DOCS = "https://docs.github.com/rest"
START = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


def stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Fault:
    status: int
    headers: dict[str, str]
    times: int
    path: str
    body: dict[str, Any]
    skip: int  # matching requests answered normally before the fault starts


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 0


@dataclass
class FakeGitHub:
    repo: str = "acme/pocket"
    token: str | None = None
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The default branch's commits, oldest first (the API lists them newest first).
    commits: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    delay: float = 0.0
    # Called with each issues page's number once its items are chosen, before it is sent:
    # for edits that land while a client is between pages.
    after_page: Callable[[int], None] | None = None
    rate_remaining: int = 5000
    _clock: dt.datetime = START
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # --- data ---------------------------------------------------------------------------

    def tick(self) -> str:
        """A new, later ``updated_at``: one second after the last one handed out."""
        self._clock += dt.timedelta(seconds=1)
        return stamp(self._clock)

    def add(self, number: int, title: str | None = None, **kw: Any) -> dict[str, Any]:
        now = self.tick()
        kw.setdefault("created", now)
        obj = gh_issue(number, title or f"Issue {number}", repo=self.repo, **kw)
        obj["updated_at"] = now
        with self._lock:
            self.issues[number] = obj
        return obj

    def add_many(self, count: int, start: int = 1) -> None:
        for number in range(start, start + count):
            self.add(number, pull=number % 5 == 0)

    def edit(self, number: int, **changes: Any) -> None:
        """Change an issue as someone on GitHub would: its ``updated_at`` moves forward."""
        with self._lock:
            self.issues[number].update(changes)
            self.issues[number]["updated_at"] = self.tick()

    def fail(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        path: str = "",
        message: str = "Server Error",
        skip: int = 0,
    ) -> None:
        body = {"message": message, "documentation_url": DOCS, "status": str(status)}
        self.faults.append(Fault(status, headers or {}, times, path, body, skip))

    def commit(self, subject: str, *, force: bool = False) -> str:
        """A new commit on the default branch; ``force`` rewrites it to this one alone."""
        at = self.tick()
        parents = [] if force or not self.commits else [{"sha": self.commits[-1]["sha"]}]
        sha = hashlib.sha1(f"{subject}{at}{len(self.commits)}".encode()).hexdigest()
        person = {"name": "Ann Lee", "email": "ann@acme.example", "date": at}
        entry = {
            "sha": sha,
            "commit": {"author": person, "committer": person, "message": f"{subject}\n\nWhy."},
            "parents": parents,
            "html_url": f"https://github.com/{self.repo}/commit/{sha}",
        }
        with self._lock:
            if force:
                self.commits = []
            self.commits.append(entry)
        return sha

    def connect_args(self, *extra: str, name: str = "gh") -> list[str]:
        """``productpath connect github`` arguments for this server's repository."""
        return ["connect", "github", name, "--repo", self.repo, "--api-url", self.api_url, *extra]

    def issue_requests(self) -> list[Seen]:
        return [seen for seen in self.requests if seen.path.endswith("/issues")]

    # --- server -------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            github = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    github: FakeGitHub
    seen: Seen
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        fake = self.github
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        seen = Seen(parts.path, query, {k.lower(): v for k, v in self.headers.items()})
        self.seen = seen
        fake.requests.append(seen)
        if fake.delay:
            time.sleep(fake.delay)
        self._answer(fake, parts.path, query, seen)

    def _answer(self, fake: FakeGitHub, path: str, query: dict[str, str], seen: Seen) -> int:
        for fault in fake.faults:
            if fault.times > 0 and fault.path in path:
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.times -= 1
                return self._send(fault.status, fault.body, fault.headers)
        if fake.token is not None and seen.headers.get("authorization") != f"Bearer {fake.token}":
            return self._send(401, {"message": "Bad credentials", "documentation_url": DOCS})
        repo_path = f"/repos/{fake.repo}"
        if path == repo_path:
            return self._json(fake, self._repository(fake), seen)
        if path == f"{repo_path}/issues":
            return self._issues(fake, query, seen)
        if path == f"{repo_path}/commits" and query.get("sha") == "main":
            return self._commits(fake, query, seen)
        return self._send(404, {"message": "Not Found", "documentation_url": DOCS})

    def _repository(self, fake: FakeGitHub) -> dict[str, Any]:
        owner, name = fake.repo.split("/")
        return {
            "id": 1296269,
            "name": name,
            "full_name": fake.repo,
            "owner": {"login": owner, "type": "Organization"},
            "private": False,
            "default_branch": "main",
            "has_issues": True,
            "open_issues_count": sum(1 for i in fake.issues.values() if i["state"] == "open"),
        }

    def _issues(self, fake: FakeGitHub, query: dict[str, str], seen: Seen) -> int:
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        with fake._lock:
            items = list(fake.issues.values())
        since = query.get("since")
        if since is not None:
            items = [i for i in items if i["updated_at"] >= since]  # same format: sorts as text
        key = "updated_at" if query.get("sort") == "updated" else "created_at"
        items.sort(key=lambda i: (i[key], i["number"]), reverse=query.get("direction") != "asc")
        last = max(1, -(-len(items) // per_page))
        # Copies: the page is what the items were when it was chosen, whatever edits follow.
        body = [dict(item) for item in items[(page - 1) * per_page : page * per_page]]
        if fake.after_page is not None:
            fake.after_page(len(fake.issue_requests()))
        links = []

        def url(n: int) -> str:
            return f"{fake.api_url}{seen.path}?{urlencode({**query, 'page': str(n)})}"

        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"']
        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            links += [f'<{url(1)}>; rel="first"']
        return self._json(fake, body, seen, {"Link": ", ".join(links)} if links else {})

    def _commits(self, fake: FakeGitHub, query: dict[str, str], seen: Seen) -> int:
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        newest_first = list(reversed(fake.commits))
        body = newest_first[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(newest_first):
            nxt = f"{fake.api_url}{seen.path}?{urlencode({**query, 'page': str(page + 1)})}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return self._json(fake, body, seen, headers)

    def _json(
        self, fake: FakeGitHub, body: Any, seen: Seen, headers: dict[str, str] | None = None
    ) -> int:
        data = json.dumps(body).encode()
        etag = f'W/"{hashlib.sha256(data).hexdigest()[:32]}"'
        if seen.headers.get("if-none-match") == etag:
            return self._send(304, None, {"ETag": etag})
        fake.rate_remaining -= 1
        return self._send(200, body, {"ETag": etag, **(headers or {})}, data)

    def _send(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> int:
        fake = self.github
        self.seen.status = status  # before answering: the client may look as soon as it has it
        if data is None and body is not None:
            data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        base = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(max(fake.rate_remaining, 0)),
            "X-RateLimit-Used": str(5000 - max(fake.rate_remaining, 0)),
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Resource": "core",
        }
        for name, value in {**base, **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        if data:
            self.wfile.write(data)
        return status
