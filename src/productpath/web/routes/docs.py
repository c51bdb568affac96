"""``/docs``: the JSON API's interactive reference (Swagger UI), served offline.

FastAPI's stock page loads Swagger UI from a CDN with an inline script, which the CSP forbids
and which would not work offline. Here the ``swagger-ui-bundle`` package's files are served
from ``/docs/static`` (only the few the page needs) and static/api-docs.js starts it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.responses import Response

from productpath.web.deps import render

router = APIRouter(tags=["docs"])

# name -> media type: everything /docs/static serves.
FILES = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
}
CACHE = "public, max-age=86400"


def _bundle_dir() -> Path:
    import swagger_ui_bundle  # type: ignore[import-untyped]

    return Path(swagger_ui_bundle.swagger_ui_path)


@router.api_route(
    "/docs", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def api_docs(request: Request) -> Response:
    openapi_url = request.app.openapi_url or "/openapi.json"
    return render(
        request,
        "api_docs.html",
        {"title": "API reference", "openapi_url": openapi_url},
        json_url=openapi_url,
    )


@router.api_route("/docs/static/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def api_docs_file(name: str) -> FileResponse:
    media_type = FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail=f"no file '{name}'")
    return FileResponse(
        _bundle_dir() / name, media_type=media_type, headers={"Cache-Control": CACHE}
    )
