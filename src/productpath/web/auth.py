"""Accounts in the web app: who a request comes from, which product it is for, CSRF checks.

Local mode: a workspace with no user accounts is served to the one person on this machine,
who is its admin: only to requests whose peer address is loopback and that no proxy forwarded
(``productpath serve`` also refuses other addresses while there are no accounts). Once the
server asks for a log-in (``web.login_gate``: decided at start-up, tightened when an account
appears, never relaxed), every request but the public ones (:func:`is_public`) must carry a
session cookie (``/login``) or ``Authorization: Bearer <API token>``.

A session cookie is signed with itsdangerous and holds the user id, the user's session epoch
(logout and password changes bump it, which ends every older session) and the session's CSRF
secret. The product a request reads is ``?product=KEY`` when given (a product the user has a
role on, else 403), else the product chosen with the header's switcher (a cookie), else the
workspace's own product, else the user's first.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from productpath.services.accounts import AuthUser, secret_key, session_user
from productpath.services.api.api_tokens import token_user
from productpath.services.notifications import unread_count
from productpath.services.workspace import OpenWorkspace
from productpath.web.login_gate import LOCAL_ONLY, LoginGate, from_this_machine
from productpath.web.principal import Principal

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

SESSION_COOKIE = "pp_session"
PRODUCT_COOKIE = "pp_product"
LOGIN_CSRF_COOKIE = "pp_login_csrf"
SESSION_MAX_AGE = 14 * 24 * 3600  # seconds; enforced from the signature's timestamp
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Reachable without logging in: the log-in page itself, assets, the health check, the API's
# description. Everything else needs a session or a token once accounts exist.
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/favicon.ico", "/openapi.json", "/docs"})
PUBLIC_PREFIXES = ("/static/", "/docs/")
NO_ROLE = (
    "your account has no role on any product yet; ask an admin to run "
    "'productpath users role EMAIL --role viewer'"
)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


@dataclass(frozen=True)
class Resolved:
    """What this request's credentials say (worked out once per request, then cached)."""

    local: bool
    user: AuthUser | None = None
    via: str = ""  # "session" or "token"
    csrf: str = ""  # the session's CSRF secret ("" unless via == "session")
    error: str = "log in first (or send an API token: Authorization: Bearer pp_...)"
    status: int = 401  # 403: local mode refusing a request from another machine


def _base_handle(request: Request) -> OpenWorkspace:
    handle: OpenWorkspace = request.app.state.handle
    return handle


def _login_required(request: Request) -> bool:
    gate: LoginGate = request.app.state.login_gate
    return gate.required()


def serializer(request: Request) -> URLSafeTimedSerializer:
    """The cookie signer, keyed from the workspace's secret key (made once per app)."""
    state = request.app.state
    found: URLSafeTimedSerializer | None = getattr(state, "session_serializer", None)
    if found is None:
        from itsdangerous import URLSafeTimedSerializer

        key = secret_key(_base_handle(request).workspace)
        found = URLSafeTimedSerializer(key, salt="productpath.session")
        state.session_serializer = found
    return found


def _from_cookie(request: Request, value: str) -> tuple[AuthUser, str] | None:
    from itsdangerous import BadSignature

    try:
        data = serializer(request).loads(value, max_age=SESSION_MAX_AGE)
        user_id, epoch, csrf = int(data["u"]), int(data["e"]), str(data["c"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    user = session_user(_base_handle(request), user_id, epoch)
    return (user, csrf) if user is not None else None


def resolve(request: Request) -> Resolved:
    """Who sent this request, checked against the database once and cached on the request."""
    cached: Resolved | None = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    resolved = _resolve(request)
    request.state.auth = resolved
    return resolved


def _resolve(request: Request) -> Resolved:
    if not _login_required(request):
        if from_this_machine(request):
            return Resolved(local=True)
        return Resolved(local=False, error=LOCAL_ONLY, status=403)
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if authorization:
        if scheme.lower() != "bearer" or not credentials.strip():
            return Resolved(local=False, error="use 'Authorization: Bearer <API token>'")
        user = token_user(_base_handle(request), credentials.strip())
        if user is None:
            return Resolved(local=False, error="the API token is unknown or revoked")
        return Resolved(local=False, user=user, via="token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = _from_cookie(request, cookie)
        if found is None:
            return Resolved(local=False, error="your session has ended; log in again")
        return Resolved(local=False, user=found[0], via="session", csrf=found[1])
    return Resolved(local=False)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _refused(resolved: Resolved) -> HTTPException:
    if resolved.status == 401:
        return _unauthorized(resolved.error)
    return HTTPException(status_code=resolved.status, detail=resolved.error)


def principal_for(request: Request) -> Principal:
    """The principal for this request: 401 without credentials, 403 on a product not theirs."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    resolved = resolve(request)
    base = _base_handle(request).workspace
    if resolved.local:
        principal = Principal(None, "", "local user", "admin", base.product)
    elif resolved.user is None:
        raise _refused(resolved)
    else:
        principal = _principal(request, resolved.user, base.product)
    request.state.principal = principal
    return principal


def _principal(request: Request, user: AuthUser, default: str) -> Principal:
    asked = request.query_params.get("product")
    if asked:
        role = user.role_on(asked)
        if role is None:
            raise HTTPException(status_code=403, detail=f"you have no role on product '{asked}'")
        product = asked
    else:
        if not user.memberships:
            raise HTTPException(status_code=403, detail=NO_ROLE)
        chosen = request.cookies.get(PRODUCT_COOKIE, "")
        product = next(
            (key for key in (chosen, default) if key and user.role_on(key) is not None),
            user.memberships[0].product,
        )
        role = user.role_on(product)
    assert role is not None
    return Principal(user.id, user.email, user.name or user.email, role, product)


def require_login(request: Request) -> None:
    """App-wide dependency: every non-public route needs credentials once accounts exist."""
    if not is_public(request.url.path):
        principal_for(request)


def scoped_handle(request: Request) -> OpenWorkspace:
    """The workspace handle for the product this request is for (``HandleDep``).

    Scoped handles share the app's one Store; only ``workspace.product`` and ``name`` differ.
    """
    base = _base_handle(request)
    if is_public(request.url.path):
        try:
            principal = principal_for(request)
        except HTTPException:
            return base
    else:
        principal = principal_for(request)
    if principal.product == base.workspace.product:
        return base
    state = request.app.state
    cache: dict[str, OpenWorkspace] | None = getattr(state, "scoped_handles", None)
    if cache is None:
        cache = state.scoped_handles = {}
    found = cache.get(principal.product)
    if found is None:
        user = resolve(request).user
        names = {m.product: m.product_name for m in user.memberships} if user else {}
        workspace = replace(
            base.workspace,
            product=principal.product,
            name=names.get(principal.product, principal.product),
        )
        found = cache[principal.product] = OpenWorkspace(workspace, base.store)
    return found


# --- Sessions ------------------------------------------------------------------------------


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, user: AuthUser) -> None:
    """Set a fresh session cookie (new CSRF secret) for ``user`` on ``response``."""
    value = serializer(request).dumps(
        {"u": user.id, "e": user.session_epoch, "c": secrets.token_urlsafe(24)}
    )
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(PRODUCT_COOKIE, path="/")


def choose_product(request: Request, response: Response, product: str) -> None:
    response.set_cookie(
        PRODUCT_COOKIE,
        product,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def login_csrf(request: Request, response: Response | None = None) -> str:
    """The log-in form's CSRF token (double-submit: a cookie and the same value in the form)."""
    token: str | None = getattr(request.state, "login_csrf", None)
    if token is None:
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
        request.state.login_csrf = token
    if response is not None and request.cookies.get(LOGIN_CSRF_COOKIE) != token:
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=3600,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )
    return token


# --- CSRF ----------------------------------------------------------------------------------


def _same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site (``Origin``)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.partition("://")[2] == host


async def verify_csrf(request: Request) -> None:
    """Unsafe requests from a browser session must carry its CSRF token; see ``CsrfDep``."""
    if request.method in SAFE_METHODS:
        return
    if not _same_origin(request):
        # Even in local mode: a page on another site must not post forms to this server.
        raise HTTPException(status_code=403, detail="cross-site request refused")
    resolved = resolve(request)
    if resolved.local or resolved.via == "token":
        return
    if resolved.via == "session":
        expected = resolved.csrf
    elif is_public(request.url.path):
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    else:
        raise _refused(resolved)
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        kind = request.headers.get("content-type", "")
        if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            status_code=403,
            detail="the form's CSRF token is missing or out of date; reload the page and try again",
        )


def csrf_token(request: Request) -> str:
    """This request's CSRF token for forms and ``X-CSRF-Token`` ("" where none is needed)."""
    resolved = resolve(request)
    if resolved.local:
        return ""
    if resolved.via == "session":
        return resolved.csrf
    return login_csrf(request)


def csrf_input(request: Request) -> Markup:
    """The hidden form field carrying this session's CSRF token (templates: ``csrf_input``)."""
    # Made once per request: a page of cards carries one in every form (hundreds on /roadmap).
    made: Markup | None = getattr(request.state, "csrf_input", None)
    if made is not None:
        return made
    token = csrf_token(request)
    made = (
        Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))
        if token
        else Markup("")
    )
    request.state.csrf_input = made
    return made


def account_menu(request: Request) -> dict[str, Any] | None:
    """What the header's user menu shows: None in local mode or when nobody is logged in."""
    resolved = getattr(request.state, "auth", None)
    principal = getattr(request.state, "principal", None)
    if not isinstance(resolved, Resolved) or resolved.user is None or principal is None:
        return None
    return {
        "name": principal.name,
        "email": principal.email,
        "role": principal.role,
        "product": principal.product,
        "products": [(m.product, m.product_name, m.role) for m in resolved.user.memberships],
        "csrf": csrf_input(request),
        # The bell: the team's in-app notifications (the portal's stakeholders have none).
        "unread": (
            unread_count(scoped_handle(request), principal.user_id)
            if principal.at_least("viewer")
            else None
        ),
    }
