"""Request bodies: credentials are checked before a body is read, and bodies have a size cap.

FastAPI reads a route's body before it runs any dependency, the log-in check included, so
without this an anonymous client could make a worker buffer a body of any size before the 401.
This ASGI middleware runs first: a request that carries a body to a page that needs a log-in is
answered 401 (or 403) before a byte of it is read; a ``Content-Length`` over the cap is answered
413 at once; a streamed (chunked) body is counted as it arrives and answered 413 when it
passes the cap, so the rest is never read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from productpath.web.auth import is_public, principal_for

Refusal = Callable[[Request, Exception], Awaitable[Response]]
# Routes that read a large upload themselves, streaming it under their own limit.
OWN_LIMIT_PATHS = frozenset({"/jobs/import"})


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the cap (FastAPI passes
    HTTPExceptions from body reading through, so the app's error handler answers it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"the request body is over the {limit:,}-byte limit (max_request_bytes)",
        )


class RequestBodyGuard:
    """See the module docstring; ``refuse`` renders an HTTPException as the app would."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, refuse: Refusal) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        chunked = "chunked" in request.headers.get("transfer-encoding", "").lower()
        if not chunked and declared in ("", "0"):
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(request, declared)
        if refusal is not None:
            response = await self.refuse(request, refusal)
            await response(scope, receive, send)
            return
        await self._limited(scope, receive, send)

    async def _refusal(self, request: Request, declared: str) -> HTTPException | None:
        if not is_public(request.url.path):
            try:
                # Sync and database-backed, like the route's own check: off the event loop.
                await run_in_threadpool(principal_for, request)
            except HTTPException as exc:
                return exc
        if request.url.path in OWN_LIMIT_PATHS:
            return None
        if declared.isdigit() and int(declared) > self.max_bytes:
            return BodyTooLarge(self.max_bytes)
        return None

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        if Request(scope).url.path in OWN_LIMIT_PATHS:
            await self.app(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except BodyTooLarge as exc:
            # A route that read the stream outside FastAPI's body handling let it through.
            if started:
                raise
            response = await self.refuse(Request(scope), exc)
            await response(scope, receive, send)
