"""Helpers for the accounts tests: users with cheap hashes, logged-in clients, a second product.

Tests import these (``from auth_fixtures import ...``). Argon2 runs with test-only cheap
parameters (``PRODUCTPATH_ARGON2_FAST=1``, set by the ``fast_hashes`` fixture).
"""

from __future__ import annotations

import re
from typing import Any

from productpath.services.accounts import add_user, set_role
from productpath.services.api.api_tokens import create_token
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo

PASSWORD = "correct horse battery"
OTHER_PRODUCT = "other"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_other_product(handle: OpenWorkspace, key: str = OTHER_PRODUCT) -> None:
    """A second product in the same database (as a second workspace would make)."""
    with handle.store.write() as session:
        product_repo.ensure(session, key, key.capitalize())


def make_user(
    handle: OpenWorkspace,
    email: str,
    role: str,
    *,
    product: str | None = None,
    also: dict[str, str] | None = None,
) -> str:
    """An account with ``role`` on ``product`` (and the roles in ``also``); returns a token."""
    add_user(handle, email, role, PASSWORD, product=product, name=email.split("@")[0])
    for key, extra in (also or {}).items():
        set_role(handle, email, extra, product=key)
    token, _ = create_token(handle, "tests", email)
    return token


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no csrf_token field on the page"
    return found.group(1)


def log_in(client: Any, email: str, password: str = PASSWORD) -> str:
    """Log ``client`` in through the form; returns the session's CSRF token."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/account"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/account").text)
