"""Dependencies the routes share, as ``Annotated`` types (``HandleDep``) and page rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from productpath import __version__
from productpath.domain.formatting import plain_number
from productpath.services.background.jobs import JobRunner
from productpath.services.workspace import OpenWorkspace
from productpath.web.auth import (
    account_menu,
    csrf_input,
    principal_for,
    scoped_handle,
    verify_csrf,
)
from productpath.web.principal import ROLES, Principal

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


def _csrf_input(request: Request) -> Any:
    return csrf_input(request)


templates.env.globals["csrf_input"] = _csrf_input


def _account_menu(request: Request) -> Any:
    return account_menu(request)


templates.env.globals["account_menu"] = _account_menu


def get_handle(request: Request) -> OpenWorkspace:
    """The workspace opened at start-up (see ``app.lifespan``), scoped to the product this
    request is for: the user's current product (``web.auth.scoped_handle``)."""
    return scoped_handle(request)


HandleDep = Annotated[OpenWorkspace, Depends(get_handle)]


def get_runner(request: Request) -> JobRunner:
    """The app's background-job runner (started with the app)."""
    runner: JobRunner = request.app.state.jobs
    return runner


RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    json_url: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render a page; ``json_url`` is the page's machine-readable twin, linked from the page."""
    return templates.TemplateResponse(
        request,
        name,
        {**context, "json_url": json_url, "path": request.url.path},
        status_code=status_code,
        headers=headers,
    )


# --- Who is asking -------------------------------------------------------------------------
def current_principal(request: Request) -> Principal:
    """The principal for this request (see ``web.auth``)."""
    return principal_for(request)


class RoleCheck:
    """The dependency ``require_role`` makes; ``role`` is readable (the authorisation matrix
    test classifies routes by it)."""

    def __init__(self, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.role = role

    def __call__(self, request: Request) -> Principal:
        principal = current_principal(request)
        if not principal.at_least(self.role):
            raise HTTPException(status_code=403, detail=f"this needs the {self.role} role")
        return principal

    def __repr__(self) -> str:
        return f"require_role({self.role!r})"


def require_role(role: str) -> Callable[[Request], Principal]:
    """A dependency that lets the request through only for ``role`` or stronger (403 if not)."""
    return RoleCheck(role)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
ViewerDep = Annotated[Principal, Depends(require_role("viewer"))]
EditorDep = Annotated[Principal, Depends(require_role("editor"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]


async def check_csrf(request: Request) -> None:
    """Unsafe form posts must carry the session's CSRF token (field ``csrf_token`` or header
    ``X-CSRF-Token``); API calls with a bearer token need none. See ``web.auth``."""
    await verify_csrf(request)


CsrfDep = Annotated[None, Depends(check_csrf)]
