"""The HTTP client every connector reads its service with: retrying, rate-limit-aware GETs
(and the POSTs of search APIs) that hand back decoded pages.

Requests can be conditional (``If-None-Match`` with the ETag of the last answer to the same
URL), so a re-read of something unchanged costs a 304. ``Page`` carries the ``Link: <...>;
rel="next"`` and ``rel="last"`` targets for services that page by ``Link`` header; services that
page by cursor read theirs from the body.

Faults: 429 (``Retry-After`` in seconds, else ``X-RateLimit-Reset`` as an epoch second) and
GitHub's 403 with ``X-RateLimit-Remaining: 0`` wait, up to a cap, then go on; 5xx answers,
timeouts and dropped connections are retried with doubling back-off; anything else stops with a
:class:`ConnectorError` that carries the status. Credentials travel only in the headers the
caller gives (``Authorization``) and never appear in an error: messages name the URL without its
query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from productpath.errors import ProductpathError


class ConnectorError(ProductpathError):
    """A service refused or kept failing; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``attempts`` per request for 5xx and timeouts, the first back-off
    (doubled each time), the longest rate-limit wait accepted, and the per-request timeout."""

    attempts: int = 5
    backoff: float = 0.5
    max_wait: float = 900.0
    timeout: float = 30.0


@dataclass(frozen=True)
class Page:
    """One answer: its URL, the decoded body (None for a 304), its ETag, the next page, and
    the number of the last page when the ``Link`` header names it."""

    url: str
    body: Any
    etag: str | None
    next_url: str | None
    last_page: int | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


class ApiReader:
    """Conditional, retrying requests against one service; counts what it sent."""

    def __init__(
        self,
        headers: dict[str, str],
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        headers = {"User-Agent": "productpath", **headers}
        self.policy = policy or RetryPolicy()
        # httpx drops Authorization when a redirect leaves the origin (a renamed GitHub
        # repository redirects within the API; nothing else should take a token elsewhere).
        self.client = httpx.Client(
            headers=headers, timeout=self.policy.timeout, follow_redirects=True
        )
        self.sleep = sleep
        self.on_wait = on_wait
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ApiReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, etag: str | None = None) -> Page:
        """GET ``url`` (conditional on ``etag``), waiting out rate limits and retrying faults."""
        return self.request("GET", url, etag=etag)

    def post(self, url: str, body: Any) -> Page:
        """POST ``body`` as JSON to ``url`` (a search API: it reads, so it is retried too)."""
        return self.request("POST", url, body=body)

    def request(self, method: str, url: str, *, etag: str | None = None, body: Any = None) -> Page:
        """One request, waiting out rate limits and retrying faults."""
        headers = {"If-None-Match": etag} if etag else {}
        failures = 0
        waits = 0
        while True:
            self.requests += 1
            try:
                response = self.client.request(method, url, headers=headers, json=body)
            except httpx.TransportError as exc:  # timeouts, refused or dropped connections
                failures += 1
                if failures >= self.policy.attempts:
                    raise ConnectorError(
                        f"no answer from {_where(url)} after {failures} tries "
                        f"({type(exc).__name__})"
                    ) from None
                self._pause(self.policy.backoff * 2 ** (failures - 1), "retrying after no answer")
                continue
            wait = _rate_limit_wait(response)
            if wait is not None:
                waits += 1
                if wait > self.policy.max_wait or waits > self.policy.attempts:
                    raise ConnectorError(
                        f"rate limited by {_where(url)} for {wait:.0f} s more "
                        f"(longer than {self.policy.max_wait:.0f} s); sync again later",
                        status=response.status_code,
                    )
                self._pause(wait, f"rate limited; waiting {wait:.0f} s")
                continue
            if response.status_code >= 500:
                failures += 1
                if failures >= self.policy.attempts:
                    raise ConnectorError(
                        f"{_where(url)} answered {response.status_code} {failures} times",
                        status=response.status_code,
                    )
                self._pause(
                    self.policy.backoff * 2 ** (failures - 1),
                    f"retrying after {response.status_code}",
                )
                continue
            return _page(url, response)

    def _pause(self, seconds: float, why: str) -> None:
        if self.on_wait is not None:
            self.on_wait(why)
        self.sleep(max(seconds, 0.0))


def _page(url: str, response: httpx.Response) -> Page:
    status = response.status_code
    if status == 304:
        return Page(url, None, response.headers.get("ETag"), None)
    if status != 200:
        raise ConnectorError(f"{_where(url)} answered {status} {_message(response)}", status=status)
    try:
        body = response.json()
    except ValueError:
        raise ConnectorError(f"{_where(url)} answered 200 with a body that is not JSON") from None
    links = response.links
    next_link = links.get("next", {}).get("url")
    last = parse_qs(urlsplit(links.get("last", {}).get("url", "")).query).get("page", [""])[0]
    last_page = int(last) if last.isdigit() else None
    return Page(url, body, response.headers.get("ETag"), next_link, last_page)


def _rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds to wait when the answer is a rate limit (429, or 403 with none remaining or a
    Retry-After, GitHub's secondary limit); None when it is not one."""
    status = response.status_code
    headers = response.headers
    exhausted = headers.get("X-RateLimit-Remaining") == "0"
    if status != 429 and not (status == 403 and (exhausted or "Retry-After" in headers)):
        return None
    retry_after = headers.get("Retry-After")
    if retry_after is not None and retry_after.strip().isdigit():
        return float(retry_after)
    reset = headers.get("X-RateLimit-Reset")
    if reset is not None and reset.strip().isdigit():
        return max(float(reset) - time.time(), 0.0) + 1.0  # the reset second itself may be early
    return 60.0  # GitHub's advice for a secondary limit without a header: wait a minute


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return f"({message})" if isinstance(message, str) else ""


def _where(url: str) -> str:
    """The URL without its query, for messages."""
    return url.split("?", 1)[0]


@dataclass
class Batch:
    """One page a connector read, mapped: its records (bad ones as InputError with a reason),
    the cursor to keep once they are committed, and the page's place when the service says."""

    records: list[Any]
    cursor: dict[str, Any]
    pages_done: int = 1
    pages_total: int | None = None


def basic_auth(user: str, password: str) -> str:
    """An ``Authorization`` header value for HTTP Basic."""
    import base64

    pair = f"{user}:{password}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")
