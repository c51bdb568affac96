"""/login, /logout, /account: sessions in signed cookies, password change, product switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from productpath.errors import InputError
from productpath.services.accounts import (
    MIN_PASSWORD_LENGTH,
    LoginFailed,
    LoginThrottled,
    authenticate,
    change_password,
    end_sessions,
    session_user,
)
from productpath.web import auth
from productpath.web.deps import CsrfDep, PrincipalDep, render

router = APIRouter(tags=["account"])


class ProductRole(BaseModel):
    key: str
    name: str
    role: str


class AccountView(BaseModel):
    """Who is logged in, how, and their role on each product; ``product`` is the current one."""

    local_mode: bool
    email: str
    name: str
    via: str
    product: str
    role: str
    products: list[ProductRole]
    min_password_length: int


def _safe_next(target: str) -> str:
    """Only paths on this site: never ``//evil.example`` or ``https://...`` (open redirect)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    resolved = auth.resolve(request)
    if resolved.user is not None and resolved.via == "session":
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, next=next, local=resolved.local)


def _login_form(
    request: Request, *, next: str, local: bool, error: str = "", email: str = "", status: int = 200
) -> Response:
    response = render(
        request,
        "login.html",
        {
            "title": "Log in",
            "next": _safe_next(next),
            "local": local,
            "error": error,
            "email": email,
        },
        status_code=status,
    )
    if not local:
        auth.login_csrf(request, response)
    return response


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login(
    request: Request,
    _csrf: CsrfDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    resolved = auth.resolve(request)
    if resolved.local:
        return RedirectResponse("/", status_code=303)
    handle = auth.scoped_handle(request)
    try:
        user = authenticate(handle, email, password, _client(request))
    except LoginThrottled as exc:
        response = _login_form(
            request, next=next, local=False, error=f"{exc}.", email=email, status=429
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except LoginFailed:
        return _login_form(
            request,
            next=next,
            local=False,
            error="Wrong e-mail or password.",
            email=email,
            status=401,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    auth.start_session(request, response, user)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, principal: PrincipalDep, _csrf: CsrfDep) -> Response:
    """End this user's sessions (every browser: the session epoch moves on)."""
    response = RedirectResponse("/login" if principal.user_id else "/", status_code=303)
    if principal.user_id is not None:
        end_sessions(auth.scoped_handle(request), principal.user_id)
        auth.end_session(response)
    return response


def _account(request: Request, principal: PrincipalDep) -> AccountView:
    resolved = auth.resolve(request)
    user = resolved.user
    products = (
        [ProductRole(key=m.product, name=m.product_name, role=m.role) for m in user.memberships]
        if user
        else [
            ProductRole(
                key=principal.product,
                name=auth.scoped_handle(request).workspace.name,
                role=principal.role,
            )
        ]
    )
    return AccountView(
        local_mode=resolved.local,
        email=principal.email,
        name=principal.name,
        via=resolved.via or "local mode",
        product=principal.product,
        role=principal.role,
        products=products,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(request: Request, principal: PrincipalDep, changed: bool = False) -> Response:
    return _account_page(request, principal, message="Password changed." if changed else "")


def _account_page(
    request: Request,
    principal: PrincipalDep,
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "account.html",
        {
            "title": "Your account",
            "view": _account(request, principal),
            "message": message,
            "error": error,
        },
        json_url=request.url_for("account_json").path,
        status_code=status,
    )


@router.get("/account.json", response_model=AccountView)
def account_json(request: Request, principal: PrincipalDep) -> AccountView:
    """The logged-in user (or the local admin), and their role on each product."""
    return _account(request, principal)


@router.post("/account/password", response_class=HTMLResponse, include_in_schema=False)
def account_password(
    request: Request,
    principal: PrincipalDep,
    _csrf: CsrfDep,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    resolved = auth.resolve(request)
    if principal.user_id is None or resolved.via != "session":
        raise HTTPException(
            status_code=400,
            detail="only a logged-in user changes their password here; in local mode there is "
            "no password, and a token's owner uses 'productpath users passwd'",
        )
    handle = auth.scoped_handle(request)
    error = ""
    retry_after: int | None = None
    if new != confirm:
        error = "The two new passwords differ."
    else:
        try:
            epoch = change_password(
                handle, principal.user_id, current, new, client=_client(request)
            )
        except LoginThrottled as exc:
            error, retry_after = f"{exc}.", exc.retry_after
        except LoginFailed:
            error = "The current password is wrong."
        except InputError as exc:
            error = f"{exc.reason[0].upper()}{exc.reason[1:]}."
    if error:
        status = 400 if retry_after is None else 429
        response = _account_page(request, principal, error=error, status=status)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response
    user = session_user(handle, principal.user_id, epoch)
    response = RedirectResponse("/account?changed=1", status_code=303)
    if user is not None:
        auth.start_session(request, response, user)  # this browser stays logged in
    return response


@router.post("/account/product", include_in_schema=False)
def account_product(
    request: Request,
    principal: PrincipalDep,
    _csrf: CsrfDep,
    product: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Make ``product`` the current product for this browser (one the user has a role on)."""
    user = auth.resolve(request).user
    if user is None:
        raise HTTPException(status_code=400, detail="local mode has one product only")
    if user.role_on(product) is None:
        raise HTTPException(status_code=403, detail=f"you have no role on product '{product}'")
    response = RedirectResponse(_safe_next(next), status_code=303)
    auth.choose_product(request, response, product)
    return response
