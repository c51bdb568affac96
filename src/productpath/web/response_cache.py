"""A per-process cache of whole GET/HEAD responses, keyed by who asked and by the data version.

Why this is safe to replay
--------------------------
A page is a function of (a) the request, (b) who is asking, (c) the data in the database and
(d) the date. The cache key holds all four:

- the method, path, query string, ``Host`` and ``Accept`` headers of the request;
- a SHA-256 of the request's ``Cookie`` and ``Authorization`` headers, so an entry is only
  ever replayed to a request carrying exactly the credentials (session cookie, product cookie,
  API token) that produced it. A viewer never receives the page an admin's request made, a user
  of product A never product B's, and a request without credentials never one made with them;
- the data version (``Store.data_version()``): one counter that every committed write
  transaction adds one to inside that transaction (``store/db.py``), whichever process made it:
  the CLI, another server worker, a background job. It is read before the request runs, so a
  response computed while a write commits is stored under the version before the write, which
  no later request asks for again. Revoking a token, changing a role, ending sessions or
  deactivating a user are writes too: they move the version, and the next request goes
  through the app and its authentication again;
- the UTC date, for pages that say "today" or count days.

Entries also expire after :data:`DEFAULT_TTL_S` seconds, which bounds what no key covers (a
session cookie that reaches its maximum age between two identical requests).

Only ``200`` responses without ``Set-Cookie`` and without ``Cache-Control: no-store`` are
stored, whole (streamed ones too), up to :data:`MAX_BODY_BYTES` each and
:data:`MAX_TOTAL_BYTES` in all, least recently used first out. Paths whose answer depends on
something other than the database are never cached: log-in and account pages, health, the API
docs, static files (they have their own caching), job progress (the in-process job runner) and
the pages that read repository folders on disk (radar, code health).

``PRODUCTPATH_RESPONSE_CACHE=0`` turns the cache off (for debugging). A replayed response
carries ``X-Response-Cache: hit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENV = "PRODUCTPATH_RESPONSE_CACHE"
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_BODY_BYTES = 4 * 1024 * 1024
DEFAULT_TTL_S = 300.0
HIT_HEADER = (b"x-response-cache", b"hit")
# Exact paths and path prefixes (a prefix matches itself and anything under "prefix/" or
# "prefix.").
NEVER_CACHED = (
    "/static",
    "/login",
    "/logout",
    "/account",
    "/healthz",
    "/docs",
    "/openapi.json",
    "/jobs",
    "/radar",
    "/code-health",
)


def enabled_by_environment() -> bool:
    return os.environ.get(ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def cacheable_path(path: str) -> bool:
    for prefix in NEVER_CACHED:
        if path == prefix or path.startswith((prefix + "/", prefix + ".")):
            return False
    return True


@dataclass(frozen=True)
class Entry:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    stored_at: float


@dataclass
class ResponseCache:
    """A size-bounded LRU of responses; counts hits, misses and stores."""

    max_total_bytes: int = MAX_TOTAL_BYTES
    max_body_bytes: int = MAX_BODY_BYTES
    ttl_s: float = DEFAULT_TTL_S
    hits: int = 0
    misses: int = 0
    stores: int = 0
    _entries: OrderedDict[bytes, Entry] = field(default_factory=OrderedDict)
    _bytes: int = 0
    _version: int | None = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def observe(self, version: int) -> None:
        """Drop every entry once the data version moves: none of them can be asked for again.

        A version lower than one seen before (a database restored from a backup) clears the
        cache as well, so entries from before the restore are never replayed.
        """
        if version != self._version:
            self.clear()
            self._version = version

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def get(self, key: bytes, now: float) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None and now - entry.stored_at > self.ttl_s:
            self._drop(key)
            entry = None
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: bytes, entry: Entry) -> None:
        size = _size(entry)
        if size > self.max_body_bytes or size > self.max_total_bytes:
            return
        self._drop(key)
        self._entries[key] = entry
        self._bytes += size
        self.stores += 1
        while self._bytes > self.max_total_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def _drop(self, key: bytes) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= _size(entry)


def _size(entry: Entry) -> int:
    return len(entry.body) + sum(len(n) + len(v) for n, v in entry.headers)


def cache_key(scope: Scope, version: int, today: dt.date) -> bytes:
    """The key: request, credentials (hashed), Accept, Host, data version and UTC date."""
    wanted = {b"cookie": b"", b"authorization": b"", b"accept": b"", b"host": b""}
    for name, value in scope.get("headers", []):
        lowered = name.lower()
        if lowered in wanted:
            # Repeated headers are joined, so two cookies never read as one other cookie.
            wanted[lowered] = wanted[lowered] + b"\x00" + value if wanted[lowered] else value
    digest = hashlib.sha256()
    for part in (
        scope["method"].encode("latin-1"),
        scope.get("root_path", "").encode("utf-8"),
        scope["path"].encode("utf-8"),
        scope.get("query_string", b""),
        wanted[b"cookie"],
        wanted[b"authorization"],
        wanted[b"accept"],
        wanted[b"host"],
        str(version).encode("ascii"),
        today.isoformat().encode("ascii"),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def storable(status: int, headers: list[tuple[bytes, bytes]]) -> bool:
    if status != 200:
        return False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"set-cookie":
            return False
        if lowered == b"cache-control" and b"no-store" in value.lower():
            return False
    return True


class ResponseCacheMiddleware:
    """Serves a stored response when the key matches (see the module docstring)."""

    def __init__(
        self, app: ASGIApp, *, cache: ResponseCache | None = None, enabled: bool | None = None
    ) -> None:
        self.app = app
        self.cache = cache if cache is not None else ResponseCache()
        self.enabled = enabled_by_environment() if enabled is None else enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.enabled
            or scope["type"] != "http"
            or scope["method"] not in {"GET", "HEAD"}
            or not cacheable_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        version = await _data_version(scope)
        if version is None:
            await self.app(scope, receive, send)
            return
        self.cache.observe(version)
        key = cache_key(scope, version, dt.datetime.now(dt.UTC).date())
        entry = self.cache.get(key, time.monotonic())
        if entry is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": entry.status,
                    "headers": [*entry.headers, HIT_HEADER],
                }
            )
            await send({"type": "http.response.body", "body": entry.body, "more_body": False})
            return
        await self._run_and_store(scope, receive, send, key)

    async def _run_and_store(self, scope: Scope, receive: Receive, send: Send, key: bytes) -> None:
        started = time.monotonic()
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        size = 0
        keep = False

        async def capture(message: Message) -> None:
            nonlocal status, headers, size, keep
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(bytes(n), bytes(v)) for n, v in message.get("headers", [])]
                keep = storable(status, headers)
            elif message["type"] == "http.response.body" and keep:
                body = bytes(message.get("body", b""))
                size += len(body)
                if size > self.cache.max_body_bytes:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
                    if not message.get("more_body", False):
                        self.cache.put(
                            key, Entry(status, tuple(headers), b"".join(chunks), started)
                        )
            await send(message)

        await self.app(scope, receive, capture)


async def _data_version(scope: Scope) -> int | None:
    """The workspace's data version, or None where there is no workspace or it can't be read."""
    app: Any = scope.get("app")
    handle = getattr(getattr(app, "state", None), "handle", None)
    store = getattr(handle, "store", None)
    if store is None:
        return None
    try:
        version: int = await anyio.to_thread.run_sync(store.data_version)
    except SQLAlchemyError:
        return None
    return version
