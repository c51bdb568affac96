"""/customers: the customers with their segment and revenue, and (editors) an edit form each.

The form goes through ``services.customers.update_customer``: the same checks as a customer
file's row, and the change recorded in the history when roadmap.yaml lists the customer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.errors import InputError
from productpath.services.customers import CustomersPage, customers_page, update_customer
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep, render
from productpath.web.principal import Principal

router = APIRouter(tags=["customers"])
Field = Annotated[str, Form(max_length=400)]


@router.api_route(
    "/customers", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def customers_html(request: Request, handle: HandleDep, who: ViewerDep) -> Response:
    saved = request.query_params.get("saved")
    return _page(request, handle, who, saved=saved)


@router.get("/customers.json", response_model=CustomersPage)
def customers_json(handle: HandleDep) -> CustomersPage:
    """Every customer: id, name, segment, annual revenue and feedback count."""
    return customers_page(handle)


@router.post("/customers/{key}/edit", response_class=HTMLResponse, include_in_schema=False)
def customers_edit(
    key: str,
    request: Request,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    name: Field = "",
    segment: Field = "",
    annual_revenue: Field = "",
) -> Response:
    """Set a customer's name, segment and annual revenue (a bad value: the page again, 422,
    the message beside the form and what was typed kept)."""
    try:
        update_customer(
            handle,
            key,
            name=name,
            segment=segment,
            annual_revenue=annual_revenue,
            actor=who.email or who.name,
            via="web",
        )
    except InputError as exc:
        form = {"name": name, "segment": segment, "annual_revenue": annual_revenue}
        return _page(request, handle, who, error=(key, str(exc)), form=form, status_code=422)
    return RedirectResponse(f"/customers?saved={key}#customer-{key}", status_code=303)


def _page(
    request: Request,
    handle: HandleDep,
    who: Principal,
    *,
    saved: str | None = None,
    error: tuple[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "customers.html",
        {
            "title": "Customers",
            "page": customers_page(handle),
            "can_edit": who.at_least("editor"),
            "saved": saved,
            "error": error,
            "form": form,
        },
        json_url=request.url_for("customers_json").path,
        status_code=status_code,
    )
