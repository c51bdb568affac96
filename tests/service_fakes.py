"""Fake Jira, Zendesk, Intercom, App Store Connect and Google Play APIs on 127.0.0.1, each in a
thread, answering the documented requests the connectors make in the documented shapes:

- Jira Cloud ``GET /rest/api/3/search/jql`` (``jql`` with ``updated >= "YYYY-MM-DD HH:MM"``,
  ``nextPageToken`` / ``isLast``, ``expand=changelog``), Basic auth with e-mail and API token;
- Zendesk ``GET /api/v2/incremental/tickets/cursor.json`` (``start_time`` or ``cursor``,
  ``after_cursor``, ``end_of_stream``, ``include=organizations``), Basic ``EMAIL/token:TOKEN``;
- Intercom ``POST /conversations/search`` (``updated_at >`` query, ``pagination.starting_after``,
  ``pages.next``), ``GET /contacts/ID`` and ``GET /companies/ID``, Bearer;
- App Store Connect ``GET /v1/apps/ID/customerReviews`` (newest first, ``links.next``), Bearer;
- Google Play ``GET /androidpublisher/v3/applications/PKG/reviews`` (``tokenPagination``),
  Bearer.

Faults are queued with ``fail(status, headers=..., times=n, skip=k)``: 429 with ``Retry-After``,
5xx, 401; ``drop`` closes the connection without an answer (a client sees a transport error).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Fault:
    status: int
    headers: dict[str, str]
    times: int
    skip: int
    path: str


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    status: int = 0


@dataclass
class FakeService:
    """The server, the request log, faults and the credential check; subclasses answer."""

    token: str = "tok-0"
    user: str = "pm@acme.example"
    requests: list[Seen] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _clock: dt.datetime = START
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def tick(self) -> dt.datetime:
        self._clock += dt.timedelta(minutes=1)
        return self._clock

    def fail(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        skip: int = 0,
        path: str = "",
    ) -> None:
        self.faults.append(Fault(status, headers or {}, times, skip, path))

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def authorised(self, header: str | None) -> bool:
        return header == f"Bearer {self.token}"

    def answer(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def __enter__(self) -> Any:
        fake = self

        class Handler(_Handler):
            service = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _decoded(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
    return json.loads(raw)


class _Handler(BaseHTTPRequestHandler):
    service: FakeService
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.service
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        seen = Seen(
            method,
            parts.path,
            {k: v[-1] for k, v in parse_qs(parts.query).items()},
            {k.lower(): v for k, v in self.headers.items()},
            _decoded(raw, self.headers.get("Content-Type") or ""),
        )
        fake.requests.append(seen)
        for fault in fake.faults:
            if fault.times > 0 and fault.path in parts.path:
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.times -= 1
                if fault.status == 0:  # drop the connection
                    self.close_connection = True
                    self.connection.close()
                    return
                self._send(seen, fault.status, {"error": "fault"}, fault.headers)
                return
        if not fake.authorised(seen.headers.get("authorization")):
            self._send(seen, 401, {"errors": [{"code": "NOT_AUTHORIZED"}]}, {})
            return
        with fake._lock:
            status, body, headers = fake.answer(seen)
        self._send(seen, status, body, headers)

    def _send(self, seen: Seen, status: int, body: Any, headers: dict[str, str]) -> None:
        seen.status = status
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- Jira ---------------------------------------------------------------------------------


@dataclass
class FakeJira(FakeService):
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_page: int = 50

    def authorised(self, header: str | None) -> bool:
        return header == basic(self.user, self.token)

    def stamp(self, at: dt.datetime) -> str:
        # Jira writes its dates in the account's zone with a +hhmm offset.
        return at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def add(self, number: int, *, kind: str = "Story", labels: tuple[str, ...] = ()) -> None:
        at = self.tick()
        key = f"SHOP-{number}"
        self.issues[key] = {
            "id": str(10000 + number),
            "key": key,
            "self": f"{self.url}/rest/api/3/issue/{10000 + number}",
            "fields": {
                "summary": f"Issue {number}",
                "status": {"name": "To Do", "statusCategory": {"key": "new", "name": "To Do"}},
                "issuetype": {"name": kind},
                "labels": list(labels),
                "resolution": None,
                "resolutiondate": None,
                "created": self.stamp(at),
                "updated": self.stamp(at),
                "assignee": None,
                "parent": None,
                "issuelinks": [],
            },
            "changelog": {"startAt": 0, "maxResults": 0, "total": 0, "histories": []},
        }

    def move(self, number: int, status: str, category: str, resolution: str | None = None) -> None:
        """A status transition, recorded in the changelog as Jira does."""
        at = self.tick()
        issue = self.issues[f"SHOP-{number}"]
        before = issue["fields"]["status"]["name"]
        issue["fields"]["status"] = {"name": status, "statusCategory": {"key": category}}
        issue["fields"]["updated"] = self.stamp(at)
        if resolution is not None:
            issue["fields"]["resolution"] = {"name": resolution}
            issue["fields"]["resolutiondate"] = self.stamp(at)
        history = {
            "id": str(len(issue["changelog"]["histories"]) + 1),
            "created": self.stamp(at),
            "items": [
                {"field": "status", "fieldtype": "jira", "fromString": before, "toString": status}
            ],
        }
        issue["changelog"]["histories"].append(history)
        issue["changelog"]["total"] = issue["changelog"]["maxResults"] = len(
            issue["changelog"]["histories"]
        )

    def answer(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if seen.path != "/rest/api/3/search/jql":
            return 404, {"errorMessages": ["Not found"]}, {}
        jql = seen.query.get("jql", "")
        found = re.search(r'updated >= "(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})"', jql)
        items = sorted(self.issues.values(), key=lambda i: (i["fields"]["updated"], i["key"]))
        if found:
            floor = f"{found[1]}T{found[2]}"
            items = [i for i in items if i["fields"]["updated"][:16] >= floor]
        offset = int(seen.query.get("nextPageToken") or 0)
        size = min(int(seen.query.get("maxResults", "50")), self.per_page)
        chunk = items[offset : offset + size]
        body: dict[str, Any] = {"issues": chunk, "isLast": offset + size >= len(items)}
        if not body["isLast"]:
            body["nextPageToken"] = str(offset + size)
        return 200, body, {}


# --- Zendesk ------------------------------------------------------------------------------


@dataclass
class FakeZendesk(FakeService):
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    organizations: dict[int, str] = field(default_factory=dict)
    per_page: int = 100

    def authorised(self, header: str | None) -> bool:
        return header == basic(f"{self.user}/token", self.token)

    def add(self, number: int, *, org: int | None = None, kind: str | None = None) -> None:
        at = self.tick()
        self.tickets[number] = {
            "id": number,
            "url": f"{self.url}/api/v2/tickets/{number}.json",
            "subject": f"Ticket {number}",
            "raw_subject": f"Ticket {number}",
            "description": f"Customer text {number}; reach me at someone{number}@mail.example",
            "status": "open",
            "type": kind,
            "tags": [],
            "organization_id": org,
            "created_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "generated_timestamp": int(at.timestamp()),
        }

    def answer(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if seen.path != "/api/v2/incremental/tickets/cursor.json":
            return 404, {"error": "InvalidEndpoint"}, {}
        ordered = sorted(self.tickets.values(), key=lambda t: (t["generated_timestamp"], t["id"]))
        if "cursor" in seen.query:
            after = json.loads(base64.b64decode(seen.query["cursor"]))
            ordered = [t for t in ordered if (t["generated_timestamp"], t["id"]) > tuple(after)]
        else:
            start = int(seen.query.get("start_time", "0"))
            ordered = [t for t in ordered if t["generated_timestamp"] >= start]
        size = min(int(seen.query.get("per_page", "1000")), self.per_page)
        chunk = ordered[:size]
        last = chunk[-1] if chunk else None
        if last is not None:
            mark = [last["generated_timestamp"], last["id"]]
        elif "cursor" in seen.query:
            mark = json.loads(base64.b64decode(seen.query["cursor"]))
        else:
            mark = [0, 0]
        cursor = base64.b64encode(json.dumps(mark).encode()).decode()
        body: dict[str, Any] = {
            "tickets": chunk,
            "after_cursor": cursor,
            "after_url": f"{self.url}{seen.path}?{urlencode({'cursor': cursor})}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": len(ordered) <= size,
        }
        if "organizations" in seen.query.get("include", ""):
            wanted = {t["organization_id"] for t in chunk}
            body["organizations"] = [
                {"id": oid, "name": name}
                for oid, name in self.organizations.items()
                if oid in wanted
            ]
        return 200, body, {}


# --- Intercom -----------------------------------------------------------------------------


@dataclass
class FakeIntercom(FakeService):
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, str | None] = field(default_factory=dict)  # contact -> company id
    companies: dict[str, str] = field(default_factory=dict)
    per_page: int = 20

    def add(self, number: int, *, contact: str = "c1", tags: tuple[str, ...] = ()) -> None:
        at = int(self.tick().timestamp())
        self.conversations[str(number)] = {
            "type": "conversation",
            "id": str(number),
            "created_at": at,
            "updated_at": at,
            "title": None,
            "source": {
                "type": "conversation",
                "id": f"m{number}",
                "delivered_as": "customer_initiated",
                "subject": "",
                "body": f"<p>Question {number}:</p><p>how do I export &amp; share?</p>",
                "author": {"type": "user", "id": contact, "name": "Ann", "email": "ann@x.example"},
            },
            "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": contact}]},
            "tags": {"type": "tag.list", "tags": [{"type": "tag", "name": t} for t in tags]},
        }

    def answer(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if seen.method == "GET" and seen.path.startswith("/contacts/"):
            contact = seen.path.rsplit("/", 1)[1]
            company = self.contacts.get(contact)
            data = [] if company is None else [{"type": "company", "id": company}]
            return 200, {"type": "contact", "id": contact, "companies": {"data": data}}, {}
        if seen.method == "GET" and seen.path.startswith("/companies/"):
            cid = seen.path.rsplit("/", 1)[1]
            return 200, {"type": "company", "id": cid, "name": self.companies[cid]}, {}
        if seen.method != "POST" or seen.path != "/conversations/search":
            return 404, {"type": "error.list", "errors": [{"code": "not_found"}]}, {}
        query = seen.body["query"]
        assert query["field"] == "updated_at" and query["operator"] == ">"
        items = sorted(
            (c for c in self.conversations.values() if c["updated_at"] > int(query["value"])),
            key=lambda c: (c["updated_at"], c["id"]),
        )
        pagination = seen.body.get("pagination") or {}
        offset = int(pagination.get("starting_after") or 0)
        size = min(int(pagination.get("per_page", 20)), self.per_page)
        chunk = items[offset : offset + size]
        pages: dict[str, Any] = {
            "type": "pages",
            "page": offset // size + 1,
            "per_page": size,
            "total_pages": max(1, -(-len(items) // size)),
        }
        if offset + size < len(items):
            pages["next"] = {"page": pages["page"] + 1, "starting_after": str(offset + size)}
        body = {
            "type": "conversation.list",
            "pages": pages,
            "total_count": len(items),
            "conversations": chunk,
        }
        return 200, body, {}


# --- App Store Connect and Google Play ----------------------------------------------------


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def jwt_claims(token: str, public_key: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The header and claims of ``token`` when its signature verifies with ``public_key``
    (ES256 or RS256, as the header says); None otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        head, body, signature = token.split(".")
        header = json.loads(_b64decode(head))
        raw = _b64decode(signature)
        signed = f"{head}.{body}".encode()
        if header["alg"] == "ES256":
            der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
            public_key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        else:
            public_key.verify(raw, signed, padding.PKCS1v15(), hashes.SHA256())
        return header, json.loads(_b64decode(body))
    except (ValueError, KeyError, InvalidSignature):
        return None


@dataclass
class FakeAppStore(FakeService):
    app: str = "1234567890"
    reviews: list[dict[str, Any]] = field(default_factory=list)
    per_page: int = 20
    # With a key: tokens must be JWTs it signed (ES256) for this key id and issuer.
    public_key: Any = None
    key_id: str = "ABC123DEFG"
    issuer_id: str = "57246542-96fe-1a63-e053-0824d011072a"

    def authorised(self, header: str | None) -> bool:
        if self.public_key is None:
            return super().authorised(header)
        if not header or not header.startswith("Bearer "):
            return False
        found = jwt_claims(header.removeprefix("Bearer "), self.public_key)
        if found is None:
            return False
        head, claims = found
        return (
            head.get("kid") == self.key_id
            and claims.get("iss") == self.issuer_id
            and claims.get("aud") == "appstoreconnect-v1"
            and 0 < claims["exp"] - claims["iat"] <= 1200
        )

    def add(self, number: int, rating: int = 4) -> None:
        at = self.tick()
        self.reviews.append(
            {
                "type": "customerReviews",
                "id": f"review-{number}",
                "attributes": {
                    "rating": rating,
                    "title": f"Review {number}",
                    "body": f"Body {number}",
                    "reviewerNickname": f"user{number}",
                    "createdDate": at.isoformat(),
                    "territory": "USA",
                },
            }
        )

    def answer(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if seen.path != f"/v1/apps/{self.app}/customerReviews":
            return 404, {"errors": [{"status": "404", "code": "NOT_FOUND"}]}, {}
        assert seen.query.get("sort") == "-createdDate"
        ordered = sorted(self.reviews, key=lambda r: r["attributes"]["createdDate"], reverse=True)
        offset = int(seen.query.get("cursor", "0"))
        size = min(int(seen.query.get("limit", "50")), self.per_page)
        links: dict[str, Any] = {"self": f"{self.url}{seen.path}"}
        if offset + size < len(ordered):
            query = {**seen.query, "cursor": str(offset + size)}
            links["next"] = f"{self.url}{seen.path}?{urlencode(query)}"
        body = {
            "data": ordered[offset : offset + size],
            "links": links,
            "meta": {"paging": {"total": len(ordered), "limit": size}},
        }
        return 200, body, {}


@dataclass
class FakeGooglePlay(FakeService):
    package: str = "com.example.notes"
    reviews: list[dict[str, Any]] = field(default_factory=list)
    per_page: int = 10
    # With a key: POST /token exchanges a service account's signed assertion for ``token``.
    public_key: Any = None
    client_email: str = "reviews@acme-play.iam.gserviceaccount.com"
    grants: int = 0

    def authorised(self, header: str | None) -> bool:
        return True  # checked in answer: the token endpoint takes no Authorization

    def add(self, number: int, rating: int = 3) -> None:
        at = self.tick()
        self.reviews.append(
            {
                "reviewId": f"gp:review{number}",
                "authorName": f"user {number}",
                "comments": [
                    {
                        "userComment": {
                            "text": f"Title {number}\tText {number}",
                            "lastModified": {"seconds": str(int(at.timestamp())), "nanos": 0},
                            "starRating": rating,
                            "reviewerLanguage": "en",
                            "appVersionCode": 412,
                            "appVersionName": "4.12.0",
                        }
                    }
                ],
            }
        )

    def answer(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if seen.path == "/token" and seen.method == "POST":
            return self._grant(seen)
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}, {}
        if seen.path != f"/androidpublisher/v3/applications/{self.package}/reviews":
            return 404, {"error": {"code": 404, "status": "NOT_FOUND"}}, {}
        ordered = sorted(
            self.reviews,
            key=lambda r: int(r["comments"][0]["userComment"]["lastModified"]["seconds"]),
            reverse=True,
        )
        offset = int(seen.query.get("token", "0"))
        size = min(int(seen.query.get("maxResults", "10")), self.per_page)
        body: dict[str, Any] = {"reviews": ordered[offset : offset + size]}
        if offset + size < len(ordered):
            body["tokenPagination"] = {"nextPageToken": str(offset + size)}
        if not body["reviews"]:
            body = {}
        return 200, body, {}

    def _grant(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        form = seen.body or {}
        assertion = form.get("assertion", "")
        found = jwt_claims(assertion, self.public_key) if self.public_key else None
        if (
            form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer"
            or found is None
            or found[1].get("iss") != self.client_email
            or found[1].get("scope") != "https://www.googleapis.com/auth/androidpublisher"
            or found[1].get("aud") != f"{self.url}/token"
        ):
            return 400, {"error": "invalid_grant"}, {}
        self.grants += 1
        return 200, {"access_token": self.token, "expires_in": 3599, "token_type": "Bearer"}, {}
