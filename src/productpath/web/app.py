"""The FastAPI app factory: the workspace is opened once at start-up and closed on shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from productpath import __version__
from productpath.errors import DatabaseBusyError, NotFoundError
from productpath.services.background.job_kinds import standard_runner
from productpath.services.background.schedule import enqueue_due
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web.api import PREFIX as API_PREFIX
from productpath.web.api import search as api_search
from productpath.web.auth import require_login
from productpath.web.body_guard import RequestBodyGuard
from productpath.web.deps import STATIC_DIR, render, require_role
from productpath.web.login_gate import LoginGate
from productpath.web.response_cache import ResponseCacheMiddleware
from productpath.web.routes import (
    accounts,
    api,
    arrange,
    auth,
    customers,
    dashboard,
    delivery,
    feedback,
    health,
    jobs,
    learning,
    milestones,
    notifications,
    planning,
    portal,
    reports,
    retro,
    roadmap,
    roadmap_edit,
    search,
    stakeholders,
    tech,
    themes,
)
from productpath.web.security import SecurityHeadersMiddleware

# Seconds between two looks at the periodic schedule when this process runs jobs (SQLite).
SCHEDULE_EVERY = 60


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app for the workspace ``settings`` point at (default: from the environment).

    ``uvicorn --factory productpath.web.app:create_app`` serves it.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Opened here, not at import, so a missing workspace fails the start-up, not a request.
        active = settings or Settings()
        handle = open_workspace(active)
        app.state.handle = handle
        # Whether log-in is required: decided now, before the first request (web/login_gate.py).
        app.state.login_gate = LoginGate(
            handle, required=active.require_login, latch=active.login_latch
        )
        # Background jobs (web/routes/jobs.py, services/background/jobs.py): on SQLite this
        # process runs them; on PostgreSQL it queues them for the workers and, unless told
        # not to, is one of them.
        runner = standard_runner()
        app.state.jobs = runner
        tick = enqueue_due if active.schedule else None
        embedded = None
        if handle.workspace.uses_sqlite:
            runner.start_local(handle, tick, every=SCHEDULE_EVERY)
        elif active.web_runs_jobs:
            from productpath.services.background import pg_queue

            embedded = await pg_queue.start_embedded(handle, runner, schedule=tick is not None)
        try:
            yield
        finally:
            runner.shutdown_soon()
            if embedded is not None:
                from productpath.services.background.pg_queue import stop_embedded

                await stop_embedded(*embedded)
            runner.shutdown()
            handle.close()

    app = FastAPI(
        title="productpath",
        version=__version__,
        lifespan=lifespan,
        # The interactive docs pages load scripts from a CDN, which the CSP forbids (and this
        # tool works offline); the OpenAPI document itself stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
        # Once accounts exist, every route but the public ones needs a session or a token.
        dependencies=[Depends(require_login)],
    )
    # Deny by default: these routers' pages are for the team (viewer or stronger), whatever
    # their routes declare; stakeholders get the portal only. Routes add stronger checks
    # (EditorDep, AdminDep) themselves.
    team = [Depends(require_role("viewer"))]
    # Innermost of the four: cached pages still get the host check and the security headers.
    app.add_middleware(ResponseCacheMiddleware)
    # Credentials and the size cap before any body is read (web/body_guard.py).
    app.add_middleware(
        RequestBodyGuard,
        max_bytes=(settings or Settings()).max_request_bytes,
        refuse=_http_error,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=(settings or Settings()).allowed_host_list()
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    app.include_router(dashboard.router, dependencies=team)
    app.include_router(roadmap.router, dependencies=team)
    # Before delivery's /initiatives/{key} page, which would take "new" or "x/edit" as keys.
    app.include_router(roadmap_edit.router, dependencies=team)
    app.include_router(arrange.router, dependencies=team)
    app.include_router(delivery.router, dependencies=team)
    app.include_router(milestones.router, dependencies=team)
    app.include_router(tech.router, dependencies=team)
    app.include_router(themes.router, dependencies=team)
    app.include_router(planning.router, dependencies=team)
    app.include_router(learning.router, dependencies=team)
    app.include_router(retro.router, dependencies=team)
    app.include_router(auth.router)
    app.include_router(accounts.router, dependencies=team)
    # /api/v1 checks roles per resource (stakeholders may vote and comment: web/api), and
    # /docs is public like /openapi.json.
    app.include_router(api.router)
    # Search is for every role: stakeholders find what the portal shows them (public initiatives).
    app.include_router(api_search.router, prefix=API_PREFIX)
    app.include_router(search.router)
    app.include_router(portal.router)
    app.include_router(feedback.router, dependencies=team)
    app.include_router(reports.router, dependencies=team)
    app.include_router(stakeholders.router, dependencies=team)
    app.include_router(jobs.router, dependencies=team)
    app.include_router(notifications.router, dependencies=team)
    app.include_router(customers.router, dependencies=team)
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the JSON twins);
    # answering it keeps their consoles free of 404s.
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(DatabaseBusyError, _busy)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    return app


async def _favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


async def _not_found(request: Request, exc: Exception) -> Response:
    """A service's NotFoundError (no such KPI, decision, theme...) is the page's 404, answered
    like any other: the 404 page for people, JSON with the reason for programs."""
    assert isinstance(exc, NotFoundError)
    return await _http_error(request, StarletteHTTPException(status_code=404, detail=str(exc)))


async def _busy(request: Request, exc: Exception) -> Response:
    """A write that waited past the busy timeout (a long import held the database): 503 with
    the sentence, and a hint to retry, rather than the driver's error as a 500."""
    assert isinstance(exc, DatabaseBusyError)
    busy = StarletteHTTPException(status_code=503, detail=str(exc), headers={"Retry-After": "5"})
    return await _http_error(request, busy)


_ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    409: "Changed meanwhile",
    422: "Check the address",
    429: "Too many tries",
    503: "Busy for a moment",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    """A friendly page for people (the 404 page, or the error page saying what was refused),
    JSON for programs (``.json`` paths or an Accept of JSON)."""
    assert isinstance(exc, StarletteHTTPException)
    # A .json twin or a .csv download is a program's address, whatever its Accept header.
    wants_json = request.url.path.endswith((".json", ".csv")) or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )
    browser = not wants_json and "text/html" in request.headers.get("accept", "")
    busy = exc.status_code == 503
    if browser and exc.status_code == 401:
        # A person without a session: to the log-in page, and back here afterwards.
        target = request.url.path if request.method in {"GET", "HEAD"} else "/"
        if request.url.query and request.method in {"GET", "HEAD"}:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    principal = getattr(request.state, "principal", None)
    stakeholder = principal is not None and principal.role == "stakeholder"
    if browser and exc.status_code == 403 and request.url.path == "/" and stakeholder:
        # Stakeholders have the portal only: its front page is theirs.
        return RedirectResponse("/portal", status_code=303)
    if browser and exc.status_code != 404 and (400 <= exc.status_code < 500 or busy):
        return render(
            request,
            "error.html",
            {
                "title": _ERROR_TITLES.get(exc.status_code, "The request was refused"),
                "status": exc.status_code,
                "detail": exc.detail,
                "principal": principal,
                # A bad query parameter: the same page without any is one click away.
                "plain_url": request.url.path
                if exc.status_code in {400, 422}
                and request.method in {"GET", "HEAD"}
                and request.url.query
                else None,
            },
            status_code=exc.status_code,
            headers=exc.headers,
        )
    if wants_json or exc.status_code != 404:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    return render(request, "404.html", {"title": "Page not found"}, status_code=404)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """A query, path or form value of the wrong type or out of range.

    /api/v1 keeps FastAPI's list of fields (the shape docs/api.md promises); pages and their
    twins answer like any other error, with one sentence naming the field: an error page for
    people, ``{"detail": "..."}`` for programs.
    """
    assert isinstance(exc, RequestValidationError)
    if request.url.path.startswith("/api/"):
        return await request_validation_exception_handler(request, exc)
    detail = "; ".join(_field_problem(error) for error in exc.errors())
    return await _http_error(request, StarletteHTTPException(status_code=422, detail=detail))


# What a person should have written, by pydantic's error type; others keep pydantic's words.
_EXPECTED = {
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "date_parsing": "expected a date like 2030-03-14",
    "date_from_datetime_parsing": "expected a date like 2030-03-14",
    "datetime_parsing": "expected a date and time like 2030-03-14T09:30:00Z",
    "datetime_from_date_parsing": "expected a date and time like 2030-03-14T09:30:00Z",
    "missing": "is required",
}
_LIMITS = {
    "greater_than_equal": "must be {ge} or more",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be {le} or less",
    "less_than": "must be less than {lt}",
    "string_too_long": "must be at most {max_length} characters",
    "string_too_short": "must be at least {min_length} characters",
}
_WHERE = {"query", "path", "body", "header", "cookie"}


def _field_problem(error: Mapping[str, Any]) -> str:
    """One refused value as "field 'page': expected a whole number, got 'two'"."""
    kind = str(error.get("type", ""))
    field = ".".join(str(part) for part in error.get("loc", ()) if part not in _WHERE)
    if kind in _LIMITS:
        reason = _LIMITS[kind].format(**error.get("ctx", {}))
    else:
        text = str(error.get("msg", "is not valid"))
        reason = _EXPECTED.get(kind, text[:1].lower() + text[1:])
    given = error.get("input")
    if kind != "missing" and isinstance(given, str):
        reason += f", got '{given[:40]}'"
    return f"field '{field}': {reason}" if field else reason
