"""/notifications, watching from the pages, comments on milestones, themes and decisions, and
the account's notification channels.

For the team (the app includes this router with the viewer check). Forms post back and are
answered with a redirect (post/redirect/get). Watch buttons and comment boxes on other pages
come from the template globals defined here (``watching``, ``comments_of``), so the routes of
those pages need not know about them.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.errors import InputError, NotFoundError
from productpath.services.comments import add_comment, comments
from productpath.services.notifications import (
    Channels,
    NotificationsPage,
    channels,
    is_watching,
    mark_read,
    notifications,
    object_link,
    set_channels,
    unwatch,
    watch,
)
from productpath.services.portal import MAX_COMMENT
from productpath.web.auth import principal_for, scoped_handle
from productpath.web.deps import CsrfDep, HandleDep, PrincipalDep, render, templates

router = APIRouter(tags=["notifications"])
_WATCH_PAGE = {
    "initiative": "/initiatives/{key}",
    "milestone": "/milestones/{key}",
    "theme": "/themes/{key}",
}


def _watching(request: Request, kind: str, key: str) -> bool | None:
    """Whether the signed-in user watches the object; None in local mode (no watch button)."""
    principal = principal_for(request)
    if principal.user_id is None:
        return None
    return is_watching(scoped_handle(request), principal.user_id, kind, key)


def _comments_of(request: Request, kind: str, key: str) -> list[Any]:
    return list(comments(scoped_handle(request), kind, key))


def _notify_channels(request: Request) -> Channels | None:
    """The account page's channel settings; None where there are none (local mode, or a
    portal stakeholder: notifications are the team's)."""
    principal = principal_for(request)
    if principal.user_id is None or not principal.at_least("viewer"):
        return None
    return channels(scoped_handle(request), principal.user_id)


templates.env.globals["watching"] = _watching
templates.env.globals["notify_channels"] = _notify_channels
templates.env.globals["comments_of"] = _comments_of
templates.env.globals["max_comment"] = MAX_COMMENT


@router.api_route(
    "/notifications", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def notifications_page(request: Request, handle: HandleDep, who: PrincipalDep) -> Response:
    view = notifications(handle, who.user_id, limit=100)
    return render(
        request,
        "notifications.html",
        {"title": "Notifications", "page": view, "local_mode": who.user_id is None},
        json_url=request.url_for("notifications_json").path,
    )


@router.get("/notifications.json", response_model=NotificationsPage)
def notifications_json(handle: HandleDep, who: PrincipalDep) -> NotificationsPage:
    """Your in-app notifications, newest first, with the unread count."""
    return notifications(handle, who.user_id, limit=100)


@router.post("/notifications/read", response_class=HTMLResponse, include_in_schema=False)
def notifications_read(
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    next: Annotated[str, Form(max_length=500)] = "/notifications",
) -> Response:
    """Mark one notification read (``id``), or all of them, then go to ``next`` (a path here:
    following a notification's link marks it read on the way)."""
    _ok(lambda: mark_read(handle, who.user_id, None if id is None else [id]))
    return RedirectResponse(_local(next), status_code=303)


def _watch_form(kind: str, key: str, handle: HandleDep, who: PrincipalDep, action: str) -> Response:
    def act() -> object:
        if action == "unwatch":
            return unwatch(handle, who.user_id, kind, key)
        return watch(handle, who.user_id, kind, key)

    _ok(act)
    return RedirectResponse(_WATCH_PAGE[kind].format(key=key) + "#watch", status_code=303)


@router.post("/initiatives/{key}/watch", response_class=HTMLResponse, include_in_schema=False)
def initiative_watch(
    key: str,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    action: Annotated[str, Form(max_length=10)] = "watch",
) -> Response:
    """Watch (``action=watch``) or stop watching (``action=unwatch``) the initiative."""
    return _watch_form("initiative", key, handle, who, action)


@router.post("/milestones/{key}/watch", response_class=HTMLResponse, include_in_schema=False)
def milestone_watch(
    key: str,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    action: Annotated[str, Form(max_length=10)] = "watch",
) -> Response:
    return _watch_form("milestone", key, handle, who, action)


@router.post("/themes/{number}/watch", response_class=HTMLResponse, include_in_schema=False)
def theme_watch(
    number: str,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    action: Annotated[str, Form(max_length=10)] = "watch",
) -> Response:
    return _watch_form("theme", number, handle, who, action)


def _comment_form(kind: str, key: str, handle: HandleDep, who: PrincipalDep, body: str) -> Response:
    _ok(lambda: add_comment(handle, kind, key, who.name or who.email, body, who.user_id))
    return RedirectResponse(object_link(kind, key, comments=True), 303)


@router.post("/milestones/{key}/comments", response_class=HTMLResponse, include_in_schema=False)
def milestone_comment(
    key: str,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    body: Annotated[str, Form(min_length=1, max_length=MAX_COMMENT + 100)],
) -> Response:
    return _comment_form("milestone", key, handle, who, body)


@router.post("/themes/{number}/comments", response_class=HTMLResponse, include_in_schema=False)
def theme_comment(
    number: str,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    body: Annotated[str, Form(min_length=1, max_length=MAX_COMMENT + 100)],
) -> Response:
    return _comment_form("theme", number, handle, who, body)


@router.post("/decisions/{key}/comments", response_class=HTMLResponse, include_in_schema=False)
def decision_comment(
    key: str,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    body: Annotated[str, Form(min_length=1, max_length=MAX_COMMENT + 100)],
) -> Response:
    return _comment_form("decision", key, handle, who, body)


@router.get("/account/notifications.json", response_model=Channels)
def account_channels(handle: HandleDep, who: PrincipalDep) -> Channels:
    """How you are told besides the in-app bell: e-mail and webhook."""
    found: Channels = _ok(lambda: channels(handle, who.user_id))
    return found


@router.post("/account/notifications", response_class=HTMLResponse, include_in_schema=False)
def account_channels_form(
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    email: Annotated[str, Form(max_length=10)] = "",
    webhook_url: Annotated[str, Form(max_length=1100)] = "",
    keep_webhook: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Choose the e-mail and webhook channels (a refused webhook URL comes back as the page's
    error, nothing saved). The page never shows a saved webhook's address (it may hold a
    secret): ``keep_webhook`` keeps it when no new one is typed."""
    try:
        keep = keep_webhook in {"1", "on", "true"} and not webhook_url.strip()
        set_channels(
            handle,
            who.user_id,
            email=email in {"1", "on", "true"},
            webhook_url=webhook_url,
            keep_webhook=keep,
        )
    except InputError as exc:
        query = urlencode({"channels_error": exc.reason})
        return RedirectResponse(f"/account?{query}#notify", status_code=303)
    return RedirectResponse("/account?channels=1#notify", status_code=303)


def _ok(action: Any) -> Any:
    """Run a service call; its refusals become the HTTP errors a form post expects."""
    try:
        return action()
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def _local(path: str) -> str:
    """Only a path on this site (never ``//host`` or a URL): no open redirect."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/notifications"
    return path
