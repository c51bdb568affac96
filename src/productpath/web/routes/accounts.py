"""/accounts: the admins' page of this product's accounts and the customer each is from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.errors import ProductpathError
from productpath.services.pages.account_pages import AccountsPage, accounts_page, link_customer
from productpath.web.deps import AdminDep, CsrfDep, HandleDep, render

router = APIRouter(tags=["accounts"])


@router.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
def accounts_html(request: Request, handle: HandleDep, who: AdminDep) -> Response:
    return _page(request, handle, saved=request.query_params.get("saved"))


@router.get("/accounts.json", response_model=AccountsPage)
def accounts_json(handle: HandleDep, who: AdminDep) -> AccountsPage:
    """This product's accounts: role, customer and what one of their portal votes counts."""
    return accounts_page(handle)


@router.post("/accounts/customer", response_class=HTMLResponse, include_in_schema=False)
def accounts_customer(
    request: Request,
    handle: HandleDep,
    who: AdminDep,
    _csrf: CsrfDep,
    email: Annotated[str, Form(max_length=320)] = "",
    customer: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Link an account to a customer (an empty choice unlinks it)."""
    try:
        line = link_customer(handle, email, customer.strip() or None)
    except ProductpathError as exc:
        return _page(request, handle, error=str(exc), status_code=422)
    return RedirectResponse(f"/accounts?saved={line.email}", status_code=303)


def _page(
    request: Request,
    handle: HandleDep,
    *,
    saved: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "accounts.html",
        {"title": "Accounts", "view": accounts_page(handle), "saved": saved, "error": error},
        json_url=request.url_for("accounts_json").path,
        status_code=status_code,
    )
