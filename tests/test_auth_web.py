"""Log-in, sessions, tokens, CSRF, product scoping and local mode, through the real app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from auth_fixtures import (
    OTHER_PRODUCT,
    PASSWORD,
    add_other_product,
    csrf_from,
    log_in,
    make_user,
)
from productpath.services import accounts
from productpath.services.api.api_tokens import revoke_token
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import Membership
from productpath.web import auth
from productpath.web.app import create_app

HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    monkeypatch.delenv(accounts.SECRET_KEY_ENV, raising=False)


@pytest.fixture
def handle(tmp_path: Path) -> Iterator[OpenWorkspace]:
    init_workspace(tmp_path / "ws", "Pocket")
    with open_workspace(Settings(workspace=tmp_path / "ws", database_url=None)) as opened:
        add_other_product(opened)
        yield opened


@pytest.fixture
def client(handle: OpenWorkspace) -> Iterator[TestClient]:
    settings = Settings(workspace=handle.workspace.root, database_url=None)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_local_mode_is_the_admin_without_a_log_in(client: TestClient) -> None:
    assert client.get("/").status_code == 200
    me = client.get("/account.json").json()
    assert (me["local_mode"], me["role"], me["product"]) == (True, "admin", "pocket")
    assert "local mode" in client.get("/login").text
    assert 'name="csrf_token"' not in client.get("/").text
    # No CSRF token needed in local mode, but a form posted from another site is refused.
    assert client.post("/logout", follow_redirects=False).status_code == 303
    evil = client.post("/logout", headers={"origin": "https://evil.example"})
    assert evil.status_code == 403 and "cross-site" in evil.json()["detail"]
    same = client.post("/logout", headers={"origin": "http://testserver"}, follow_redirects=False)
    assert same.status_code == 303


def test_once_an_account_exists_everything_needs_credentials(
    client: TestClient, handle: OpenWorkspace
) -> None:
    make_user(handle, "ada@example.com", "admin")
    answer = client.get("/dashboard.json")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "log in" in answer.json()["detail"]
    page = client.get("/roadmap?view=list", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Froadmap%3Fview%3Dlist"
    for public in ("/healthz", "/login", "/static/app.css", "/favicon.ico", "/openapi.json"):
        assert client.get(public).status_code == 200, public


def test_log_in_and_out(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin")
    form = client.get("/login?next=/roadmap")
    token = csrf_from(form.text)
    wrong = client.post(
        "/login",
        data={"email": "ada@example.com", "password": "not the password", "csrf_token": token},
    )
    assert wrong.status_code == 401 and "Wrong e-mail or password." in wrong.text
    assert auth.SESSION_COOKIE not in client.cookies
    right = client.post(
        "/login",
        data={
            "email": "Ada@Example.com",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/roadmap",
        },
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/roadmap"
    cookie = next(
        h for h in right.headers.get_list("set-cookie") if h.startswith(auth.SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert f"Max-Age={auth.SESSION_MAX_AGE}" in cookie
    assert PASSWORD not in cookie
    page = client.get("/", headers=HTML)
    assert page.status_code == 200 and "ada@example.com" in page.text and "Log out" in page.text
    session = client.cookies[auth.SESSION_COOKIE]

    out = client.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert auth.SESSION_COOKIE not in client.cookies
    # The old cookie (say, copied earlier) no longer works: logout moved the epoch on.
    client.cookies.set(auth.SESSION_COOKIE, session)
    assert client.get("/dashboard.json").status_code == 401


def test_log_in_never_redirects_off_site(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin")
    token = csrf_from(client.get("/login").text)
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        answer = client.post(
            "/login",
            data={
                "email": "ada@example.com",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/", target
        client.cookies.clear()
        token = csrf_from(client.get("/login").text)


def test_the_log_in_form_needs_its_csrf_token(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin")
    client.get("/login")
    answer = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]


def test_https_sessions_are_secure_and_get_hsts(handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin")
    settings = Settings(workspace=handle.workspace.root, database_url=None)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        login = client.get("/login")
        assert login.headers["strict-transport-security"] == "max-age=31536000"
        answer = client.post(
            "/login",
            data={
                "email": "ada@example.com",
                "password": PASSWORD,
                "csrf_token": csrf_from(login.text),
            },
            follow_redirects=False,
        )
        assert "Secure" in answer.headers["set-cookie"]
    with TestClient(create_app(settings)) as plain:
        headers = plain.get("/healthz").headers
        assert "strict-transport-security" not in headers
        assert "script-src 'self'" in headers["content-security-policy"]


def test_expired_or_forged_sessions_are_refused(client: TestClient, handle: OpenWorkspace) -> None:
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    make_user(handle, "ada@example.com", "admin")
    key = accounts.secret_key(handle.workspace)

    class Old(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - auth.SESSION_MAX_AGE - 60

    payload = {"u": 1, "e": 0, "c": "x" * 32}
    old = URLSafeTimedSerializer(key, salt="productpath.session", signer=Old).dumps(payload)
    fresh = URLSafeTimedSerializer(key, salt="productpath.session").dumps(payload)
    forged = URLSafeTimedSerializer("k" * 64, salt="productpath.session").dumps(payload)
    for value, status in ((old, 401), (forged, 401), (fresh, 200)):
        client.cookies.set(auth.SESSION_COOKIE, value)
        assert client.get("/dashboard.json").status_code == status


def test_api_tokens_authenticate_scripts_without_csrf(
    client: TestClient, handle: OpenWorkspace
) -> None:
    token = make_user(handle, "ada@example.com", "editor")
    bearer = {"authorization": f"Bearer {token}"}
    assert client.get("/dashboard.json", headers=bearer).status_code == 200
    assert client.get("/account.json", headers=bearer).json()["via"] == "token"
    # Unsafe requests with a token need no CSRF token (no browser, no ambient credentials).
    assert client.post("/logout", headers=bearer, follow_redirects=False).status_code == 303
    assert client.get("/dashboard.json", headers={"authorization": "Basic abc"}).status_code == 401
    assert (
        client.get("/dashboard.json", headers={"authorization": "Bearer pp_x_y"}).status_code == 401
    )
    revoke_token(handle, token.split("_")[1])
    refused = client.get("/dashboard.json", headers=bearer)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_csrf_is_checked_for_cookie_sessions(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin", also={OTHER_PRODUCT: "viewer"})
    token = log_in(client, "ada@example.com")
    form = {"product": OTHER_PRODUCT, "next": "/account"}
    missing = client.post("/account/product", data=form)
    assert missing.status_code == 403 and "CSRF" in missing.json()["detail"]
    wrong = client.post("/account/product", data={**form, "csrf_token": token[:-1] + "?"})
    assert wrong.status_code == 403
    by_header = client.post(
        "/account/product", data=form, headers={"x-csrf-token": token}, follow_redirects=False
    )
    assert by_header.status_code == 303
    by_field = client.post(
        "/account/product", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert by_field.status_code == 303


def test_each_request_reads_one_product(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin", also={OTHER_PRODUCT: "viewer"})
    bo_token = make_user(handle, "bo@example.com", "editor", product=OTHER_PRODUCT)
    token = log_in(client, "ada@example.com")

    def product(path: str = "/healthz") -> Any:
        return client.get(path).json()["product"]

    assert product() == "pocket" and product("/account.json") == "pocket"
    other = client.get("/account.json?product=other").json()
    assert (other["product"], other["role"]) == ("other", "viewer")
    switched = client.post(
        "/account/product",
        data={"product": OTHER_PRODUCT, "next": "/account", "csrf_token": token},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert product() == "other"
    assert client.get("/dashboard.json").json()["product"]["key"] == "other"
    nope = client.get("/dashboard.json?product=nope")
    assert nope.status_code == 403 and "no role on product 'nope'" in nope.json()["detail"]
    refused = client.post("/account/product", data={"product": "nope", "csrf_token": token})
    assert refused.status_code == 403
    # A user with a role on the other product only lands there, and cannot read this one.
    bo = {"authorization": f"Bearer {bo_token}"}
    assert client.get("/healthz", headers=bo).json()["product"] == "other"
    assert client.get("/dashboard.json?product=pocket", headers=bo).status_code == 403


def test_no_role_anywhere_says_so(client: TestClient, handle: OpenWorkspace) -> None:
    token = make_user(handle, "ada@example.com", "viewer")
    with handle.store.write() as session:
        session.execute(delete(Membership))
    bearer = {"authorization": f"Bearer {token}"}
    answer = client.get("/dashboard.json", headers=bearer)
    assert answer.status_code == 403 and "no role on any product" in answer.json()["detail"]
    page = client.get("/", headers={**bearer, **HTML})
    assert page.status_code == 403 and "no role on any product" in page.text


def test_roles_are_enforced(client: TestClient, handle: OpenWorkspace) -> None:
    viewer = make_user(handle, "vi@example.com", "viewer")
    stakeholder = make_user(handle, "st@example.com", "stakeholder")
    assert (
        client.get("/dashboard.json", headers={"authorization": f"Bearer {viewer}"}).status_code
        == 200
    )
    st = {"authorization": f"Bearer {stakeholder}"}
    assert client.get("/dashboard.json", headers=st).status_code == 403
    assert client.get("/account.json", headers=st).json()["role"] == "stakeholder"
    home = client.get("/", headers={**st, **HTML}, follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/portal"
    roadmap = client.get("/roadmap", headers={**st, **HTML})
    assert roadmap.status_code == 403 and "stakeholder portal" in roadmap.text


def test_too_many_failed_log_ins_get_429(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin")
    token = csrf_from(client.get("/login").text)
    data = {"email": "ada@example.com", "password": "guessing guessing", "csrf_token": token}
    for _ in range(accounts.MAX_FAILURES):
        assert client.post("/login", data=data).status_code == 401
    blocked = client.post("/login", data={**data, "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    assert "too many failed log-ins" in blocked.text


def test_change_password_in_the_browser(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ada@example.com", "admin")
    token = log_in(client, "ada@example.com")
    settings = Settings(workspace=handle.workspace.root, database_url=None)
    with TestClient(create_app(settings)) as elsewhere:
        log_in(elsewhere, "ada@example.com")
        new = "a much better password"
        mismatch = client.post(
            "/account/password",
            data={"current": PASSWORD, "new": new, "confirm": new + "!", "csrf_token": token},
        )
        assert mismatch.status_code == 400 and "differ" in mismatch.text
        bad = client.post(
            "/account/password",
            data={"current": "not it at all", "new": new, "confirm": new, "csrf_token": token},
        )
        assert bad.status_code == 400 and "current password is wrong" in bad.text
        short = client.post(
            "/account/password",
            data={"current": PASSWORD, "new": "short", "confirm": "short", "csrf_token": token},
        )
        assert short.status_code == 400 and "shorter than 12" in short.text
        ok = client.post(
            "/account/password",
            data={"current": PASSWORD, "new": new, "confirm": new, "csrf_token": token},
        )
        assert ok.status_code == 200 and "Password changed." in ok.text
        assert client.get("/dashboard.json").status_code == 200  # this browser stays in
        assert elsewhere.get("/dashboard.json").status_code == 401  # the other one is out
    assert accounts.authenticate(handle, "ada@example.com", new, "c").email == "ada@example.com"


def test_sessions_tokens_and_products_on_each_database(workspace_dir: Path) -> None:
    """The per-request queries (session user, memberships, token) on SQLite and PostgreSQL."""
    with open_workspace() as opened:
        add_other_product(opened)
        token = make_user(opened, "ada@example.com", "editor", also={OTHER_PRODUCT: "viewer"})
        with TestClient(create_app()) as client:
            bearer = {"authorization": f"Bearer {token}"}
            assert client.get("/dashboard.json").status_code == 401
            assert client.get("/dashboard.json", headers=bearer).status_code == 200
            other = client.get("/account.json?product=other", headers=bearer).json()
            assert (other["product"], other["role"]) == ("other", "viewer")
            csrf = log_in(client, "ada@example.com")
            assert client.get("/account.json").json()["role"] == "editor"
            client.post("/logout", data={"csrf_token": csrf})
            assert client.get("/account.json").status_code == 401


def test_admins_link_accounts_to_customers_on_the_accounts_page(
    handle: OpenWorkspace, client: TestClient
) -> None:
    from productpath.store import customer_repo, product_repo

    with handle.store.write() as session:
        pid = product_repo.find_id(session, "pocket")
        assert pid is not None
        known: dict[str, Any] = {}
        for key, revenue in (("acme", 300_000), ("beta", 100_000)):
            values = {"name": key.title(), "annual_revenue": revenue}
            customer_repo.upsert(session, pid, known, key, values)
    make_user(handle, "boss@example.com", "admin")
    make_user(handle, "cfo@acme.example", "stakeholder")
    make_user(handle, "elsewhere@example.com", "admin", product=OTHER_PRODUCT)
    csrf = log_in(client, "boss@example.com")
    page = client.get("/accounts")
    assert page.status_code == 200 and 'action="/accounts/customer"' in page.text
    assert "elsewhere@example.com" not in page.text  # another product's account
    saved = client.post(
        "/accounts/customer",
        data={"email": "cfo@acme.example", "customer": "acme", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/accounts?saved=cfo@acme.example"
    rows = {a["email"]: a for a in client.get("/accounts.json").json()["accounts"]}
    assert (rows["cfo@acme.example"]["customer"], rows["cfo@acme.example"]["vote_weight"]) == (
        "acme",
        2.5,
    )
    assert (rows["boss@example.com"]["customer"], rows["boss@example.com"]["vote_weight"]) == (
        None,
        1.0,
    )
    refused = client.post(
        "/accounts/customer",
        data={"email": "elsewhere@example.com", "customer": "acme", "csrf_token": csrf},
    )
    assert refused.status_code == 422
    assert "no account &#39;elsewhere@example.com&#39; on product &#39;pocket&#39;" in refused.text
    unlinked = client.post(
        "/accounts/customer", data={"email": "cfo@acme.example", "customer": "", "csrf_token": csrf}
    )
    assert unlinked.status_code == 200  # followed to the page
    assert client.get("/accounts.json").json()["accounts"][1]["vote_weight"] == 1.0
    # Only admins see the page.
    client.post("/logout", data={"csrf_token": csrf})
    log_in(client, "cfo@acme.example")
    assert client.get("/accounts.json").status_code == 403
