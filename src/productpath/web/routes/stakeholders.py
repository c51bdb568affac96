"""/stakeholders: the registry, power/interest grid and RACI matrix; editors add stakeholders.

The add form posts back and is answered with a redirect (post/redirect/get); a value that
does not validate re-renders the page with the message beside the form and the values kept.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.domain import stakeholders as rules
from productpath.errors import InputError
from productpath.services.reporting.communication_pages import StakeholdersPage, stakeholders_page
from productpath.services.stakeholders import (
    StakeholderInput,
    raci_csv,
    raci_matrix,
    save_stakeholder,
    stakeholder,
    update_stakeholder,
)
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep, render
from productpath.web.principal import Principal

router = APIRouter(tags=["stakeholders"])
_CHOICES = {
    "audience": rules.AUDIENCES,
    "power": rules.LEVELS,
    "interest": rules.LEVELS,
    "channel": rules.CHANNELS,
    "cadence": rules.CADENCES,
}

Text = Annotated[str, Form(max_length=400)]
# What the add form starts with: the defaults of a new stakeholder.
NEW_FORM = {"audience": "engineering", "power": "low", "interest": "low", "channel": "email",
            "cadence": "weekly"}  # fmt: skip
Url = Annotated[str, Form(max_length=1100)]


@router.api_route(
    "/stakeholders", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def stakeholders_html(request: Request, handle: HandleDep, who: ViewerDep) -> Response:
    saved = request.query_params.get("saved")
    return _page(request, handle, who, saved=saved)


@router.get("/stakeholders.json", response_model=StakeholdersPage)
def stakeholders_json(handle: HandleDep, who: ViewerDep) -> StakeholdersPage:
    """Stakeholders, the power/interest grid and the RACI matrix (webhook URLs: host only)."""
    return stakeholders_page(handle)


@router.get("/stakeholders/raci.csv", response_class=Response)
def stakeholders_raci_csv(handle: HandleDep, who: ViewerDep) -> Response:
    """The RACI matrix as CSV: one row per initiative, one column per stakeholder."""
    body = raci_csv(raci_matrix(handle))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{handle.workspace.product}-raci.csv"'
        },
    )


@router.post("/stakeholders", response_class=HTMLResponse, include_in_schema=False)
def stakeholders_add(
    request: Request,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    name: Text = "",
    role: Text = "",
    organisation: Text = "",
    email: Text = "",
    audience: Text = "engineering",
    power: Text = "low",
    interest: Text = "low",
    channel: Text = "email",
    webhook_url: Url = "",
    cadence: Text = "weekly",
) -> Response:
    """Add a stakeholder, or update the one whose key the name makes."""
    given = StakeholderInput(
        name=name,
        role=role,
        organisation=organisation,
        email=email,
        audience=audience,
        power=power,
        interest=interest,
        channel=channel,
        webhook_url=webhook_url,
        cadence=cadence,
    )
    try:
        saved, _ = save_stakeholder(handle, given)
    except InputError as exc:
        form = {
            "name": name, "role": role, "organisation": organisation, "email": email,
            "audience": audience, "power": power, "interest": interest, "channel": channel,
            "webhook_url": webhook_url, "cadence": cadence,
        }  # fmt: skip
        return _page(request, handle, who, error=str(exc), form=form, status_code=422)
    return RedirectResponse(f"/stakeholders?saved={saved.key}#sh-{saved.key}", status_code=303)


@router.post("/stakeholders/{key}/edit", response_class=HTMLResponse, include_in_schema=False)
def stakeholders_edit(
    key: str,
    request: Request,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    name: Text = "",
    role: Text = "",
    organisation: Text = "",
    email: Text = "",
    audience: Text = "engineering",
    power: Text = "low",
    interest: Text = "low",
    channel: Text = "email",
    webhook_url: Url = "",
    cadence: Text = "weekly",
) -> Response:
    """Edit one stakeholder through ``update_stakeholder`` (the CLI's ``stakeholders update``):
    the same checks, and the change recorded in the history when roadmap.yaml lists them. An
    empty webhook URL keeps the one set now (the page never shows it: it may hold a secret)."""
    given = StakeholderInput(
        name=name,
        role=role,
        organisation=organisation,
        email=email,
        audience=audience,
        power=power,
        interest=interest,
        channel=channel,
        webhook_url=webhook_url or None,
        cadence=cadence,
    )
    try:
        update_stakeholder(handle, key, given, actor=who.email or who.name, via="web")
    except InputError as exc:
        form = {
            "name": name, "role": role, "organisation": organisation, "email": email,
            "audience": audience, "power": power, "interest": interest, "channel": channel,
            "cadence": cadence,
        }  # fmt: skip
        return _edit_page(request, handle, key, error=str(exc), form=form, status_code=422)
    return RedirectResponse(f"/stakeholders?saved={key}#sh-{key}", status_code=303)


@router.get("/stakeholders/{key}/edit", response_class=HTMLResponse, include_in_schema=False)
def stakeholders_edit_page(
    key: str, request: Request, handle: HandleDep, who: EditorDep
) -> Response:
    """The edit form of one stakeholder, filled with what is stored."""
    return _edit_page(request, handle, key)


def _edit_page(
    request: Request,
    handle: HandleDep,
    key: str,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = stakeholder(handle, key)
    stored = {
        "name": found.name, "role": found.role, "organisation": found.organisation,
        "email": found.email or "", "audience": found.audience, "power": found.power,
        "interest": found.interest, "channel": found.channel, "cadence": found.cadence,
    }  # fmt: skip
    return render(
        request,
        "stakeholder_edit.html",
        {
            "title": f"Edit {found.name}",
            "s": found,
            "form": form or stored,
            "error": error,
            "choices": _CHOICES,
        },
        status_code=status_code,
    )


def _page(
    request: Request,
    handle: HandleDep,
    who: Principal,
    *,
    saved: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = stakeholders_page(handle)
    return render(
        request,
        "stakeholders.html",
        {
            "title": "Stakeholders",
            "view": view,
            "can_edit": who.at_least("editor"),
            "saved": saved,
            "error": error,
            "form": form or NEW_FORM,
            "choices": _CHOICES,
            "raci_meaning": rules.RACI_MEANING,
        },
        json_url=request.url_for("stakeholders_json").path,
        status_code=status_code,
    )
