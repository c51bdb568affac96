"""The FastAPI app factory: the workspace is opened once at start-up and closed on shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from productpath import __version__
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web.deps import STATIC_DIR, render
from productpath.web.routes import (
    api,
    auth,
    dashboard,
    delivery,
    feedback,
    health,
    jobs,
    learning,
    planning,
    portal,
    reports,
    retro,
    roadmap,
    stakeholders,
    tech,
    themes,
)
from productpath.web.security import SecurityHeadersMiddleware


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app for the workspace ``settings`` point at (default: from the environment).

    ``uvicorn --factory productpath.web.app:create_app`` serves it.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Opened here, not at import, so a missing workspace fails the start-up, not a request.
        handle = open_workspace(settings or Settings())
        app.state.handle = handle
        try:
            yield
        finally:
            handle.close()

    app = FastAPI(
        title="productpath",
        version=__version__,
        lifespan=lifespan,
        # The interactive docs pages load scripts from a CDN, which the CSP forbids (and this
        # tool works offline); the OpenAPI document itself stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=(settings or Settings()).allowed_host_list()
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    app.include_router(dashboard.router)
    app.include_router(roadmap.router)
    app.include_router(delivery.router)
    app.include_router(tech.router)
    app.include_router(themes.router)
    app.include_router(planning.router)
    app.include_router(learning.router)
    app.include_router(retro.router)
    app.include_router(auth.router)
    app.include_router(api.router)
    app.include_router(portal.router)
    app.include_router(feedback.router)
    app.include_router(reports.router)
    app.include_router(stakeholders.router)
    app.include_router(jobs.router)
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the JSON twins);
    # answering it keeps their consoles free of 404s.
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    return app


async def _favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


async def _http_error(request: Request, exc: Exception) -> Response:
    """A friendly page for people, JSON for programs (``.json`` paths or an Accept of JSON)."""
    assert isinstance(exc, StarletteHTTPException)
    wants_json = request.url.path.endswith(".json") or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )
    if wants_json or exc.status_code != 404:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    return render(request, "404.html", {"title": "Page not found"}, status_code=404)
