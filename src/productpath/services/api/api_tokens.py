"""API tokens for scripts: ``pp_<prefix>_<secret>``, shown once, stored as a SHA-256 only.

A token acts as the user it belongs to, with that user's role on each product.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from productpath.errors import InputError, NotFoundError
from productpath.services.accounts import AuthUser, user_by_id
from productpath.services.workspace import OpenWorkspace
from productpath.store import user_repo

TOKEN_START = "pp_"
# last_used_at is written at most this often per token, so API calls stay read-only.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class TokenRow:
    prefix: str
    name: str
    user: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "name": self.name,
            "user": self.user,
            "created_at": self.created_at.isoformat(),
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(handle: OpenWorkspace, name: str, email: str) -> tuple[str, TokenRow]:
    """A new token for the user ``email``: (the token, shown only now; its listing row)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a token needs a name of 1 to 200 characters", field="name")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    with handle.store.write() as session:
        user = user_repo.by_email(session, email.strip())
        if user is None:
            raise NotFoundError(f"no user '{email.strip()}'; see 'productpath users list'")
        row = user_repo.add_token(session, user.id, name, prefix, _digest(token))
        listed = TokenRow(prefix, name, user.email, row.created_at, None, None)
    return token, listed


def list_tokens(handle: OpenWorkspace) -> list[TokenRow]:
    with handle.store.read() as session:
        return [
            TokenRow(t.prefix, t.name, email, t.created_at, t.last_used_at, t.revoked_at)
            for t, email in user_repo.tokens_with_owner(session)
        ]


def revoke_token(handle: OpenWorkspace, prefix: str) -> TokenRow:
    """Revoke the token whose prefix is ``prefix`` (the part after ``pp_``)."""
    prefix = prefix.strip().removeprefix(TOKEN_START).split("_", 1)[0]
    with handle.store.write() as session:
        token = user_repo.token_by_prefix(session, prefix)
        if token is None:
            raise NotFoundError(f"no token '{prefix}'; see 'productpath tokens list'")
        if token.revoked_at is None:
            token.revoked_at = dt.datetime.now(dt.UTC)
        owner = user_repo.by_id(session, token.user_id)
        return TokenRow(
            token.prefix,
            token.name,
            owner.email if owner else "",
            token.created_at,
            token.last_used_at,
            token.revoked_at,
        )


def token_user(
    handle: OpenWorkspace, token: str, *, now: dt.datetime | None = None
) -> AuthUser | None:
    """The user a presented token acts as, or None (unknown, malformed, revoked, inactive)."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, _, secret = token[len(TOKEN_START) :].partition("_")
    if not prefix or not secret or len(prefix) > 16:
        return None
    now = now or dt.datetime.now(dt.UTC)
    with handle.store.read() as session:
        row = user_repo.token_by_prefix(session, prefix)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.token_hash, _digest(token)):
            return None
        user = user_by_id(session, row.user_id)
        stale = row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION
        token_id = row.id
    if user is not None and stale:
        with handle.store.write() as session:
            fresh = session.get(type(row), token_id)
            if fresh is not None:
                fresh.last_used_at = now
    return user
