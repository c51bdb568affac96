"""/portal: the stakeholder portal (public roadmap, votes, comments, feedback).

Open to every role, stakeholders included (``PrincipalDep``); what it shows is chosen by
``services.portal`` (public initiatives only, no scores, notes or customers). Forms post back
and are answered with a redirect to the page (post/redirect/get), so a reload never posts twice.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.errors import InputError
from productpath.services.portal import (
    MAX_COMMENT,
    MAX_FEEDBACK,
    PortalItemPage,
    PortalView,
    comment,
    portal_item,
    portal_roadmap,
    submit_feedback,
    unvote,
    vote,
)
from productpath.web.deps import CsrfDep, HandleDep, PrincipalDep, render
from productpath.web.principal import Principal

router = APIRouter(tags=["portal"])


@router.api_route(
    "/portal", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def portal_page(request: Request, handle: HandleDep, who: PrincipalDep) -> Response:
    return _render_portal(request, handle, who, sent=request.query_params.get("sent") == "1")


def _render_portal(
    request: Request,
    handle: HandleDep,
    who: Principal,
    *,
    sent: bool = False,
    status_code: int = 200,
    **form: str,
) -> Response:
    """The public roadmap page; ``form`` carries a refused submission back to the page."""
    view = portal_roadmap(handle, who.user_id)
    return render(
        request,
        "portal.html",
        {
            "title": f"{view.product.name}: public roadmap",
            "view": view,
            "who": who,
            "sent": sent,
            "max_feedback": MAX_FEEDBACK,
            **form,
        },
        json_url=request.url_for("portal_json").path,
        status_code=status_code,
    )


@router.get("/portal.json", response_model=PortalView)
def portal_json(handle: HandleDep, who: PrincipalDep) -> PortalView:
    """The public roadmap: public initiatives by stage (under review, planned, in progress,
    shipped, declined) with their votes, comment counts and whether you voted."""
    return portal_roadmap(handle, who.user_id)


@router.post("/portal/feedback", response_class=HTMLResponse, include_in_schema=False)
def portal_feedback(
    request: Request,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    text: Annotated[str, Form(max_length=MAX_FEEDBACK + 100)] = "",
) -> Response:
    """ "Tell us what you need": stored as feedback from the source "portal"."""
    try:
        submit_feedback(handle, text, who.email or None, who.user_id)
    except InputError as exc:
        return _render_portal(
            request,
            handle,
            who,
            status_code=422,
            feedback_error=exc.reason,
            feedback_text=text,
        )
    return RedirectResponse("/portal?sent=1#tell-us", status_code=303)


# The twin first: "/portal/{key}" would otherwise take "x.json" as the key "x.json".
@router.get("/portal/{key}.json", response_model=PortalItemPage)
def portal_item_json(key: str, handle: HandleDep, who: PrincipalDep) -> PortalItemPage:
    """One public initiative with its votes and comments (404 for a private one)."""
    return portal_item(handle, key, who.user_id)


@router.api_route(
    "/portal/{key}", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def portal_item_page(key: str, request: Request, handle: HandleDep, who: PrincipalDep) -> Response:
    return _item_page(request, handle, who, key)


@router.post("/portal/{key}/vote", response_class=HTMLResponse, include_in_schema=False)
def portal_vote(
    key: str,
    request: Request,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    action: Annotated[str, Form(max_length=10)] = "vote",
) -> Response:
    """Vote (``action=vote``) or take the vote back (``action=unvote``)."""
    try:
        if action == "unvote":
            unvote(handle, key, who.user_id)
        else:
            vote(handle, key, who.user_id)
    except InputError as exc:
        return _item_page(request, handle, who, key, error=exc.reason, status_code=422)
    return RedirectResponse(f"/portal/{key}#votes", status_code=303)


@router.post("/portal/{key}/comments", response_class=HTMLResponse, include_in_schema=False)
def portal_comment(
    key: str,
    request: Request,
    handle: HandleDep,
    who: PrincipalDep,
    _csrf: CsrfDep,
    body: Annotated[str, Form(max_length=MAX_COMMENT + 100)] = "",
) -> Response:
    try:
        comment(handle, key, who.name or who.email, body, who.user_id)
    except InputError as exc:
        return _item_page(request, handle, who, key, error=exc.reason, draft=body, status_code=422)
    return RedirectResponse(f"/portal/{key}#comments", status_code=303)


def _item_page(
    request: Request,
    handle: HandleDep,
    who: PrincipalDep,
    key: str,
    *,
    error: str | None = None,
    draft: str = "",
    status_code: int = 200,
) -> Response:
    view = portal_item(handle, key, who.user_id)
    return render(
        request,
        "portal_item.html",
        {
            "title": f"{view.item.title} · {view.product.name}",
            "view": view,
            "who": who,
            "error": error,
            "draft": draft,
            "max_comment": MAX_COMMENT,
        },
        json_url=request.url_for("portal_item_json", key=key).path,
        status_code=status_code,
    )
