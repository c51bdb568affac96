"""Dependencies the routes share, as ``Annotated`` types (``HandleDep``) and page rendering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from productpath import __version__
from productpath.domain.formatting import plain_number
from productpath.services.workspace import OpenWorkspace

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)


def status_label(status: str) -> str:
    """``in_progress`` -> ``In progress``: how a status reads on a page."""
    return status.replace("_", " ").capitalize()


def _long_date(value: dt.date) -> str:
    """2030-03-05 -> "5 Mar 2030": unambiguous in every locale."""
    return f"{value.day} {value:%b %Y}"


templates.env.filters["long_date"] = _long_date
templates.env.filters["status_label"] = status_label
templates.env.filters["number"] = plain_number
templates.env.globals["version"] = __version__


def get_handle(request: Request) -> OpenWorkspace:
    """The workspace opened at start-up (see ``app.lifespan``)."""
    handle: OpenWorkspace = request.app.state.handle
    return handle


HandleDep = Annotated[OpenWorkspace, Depends(get_handle)]


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    json_url: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a page; ``json_url`` is the page's machine-readable twin, linked from the page."""
    return templates.TemplateResponse(
        request,
        name,
        {**context, "json_url": json_url, "path": request.url.path},
        status_code=status_code,
    )
