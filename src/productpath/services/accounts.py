"""User accounts: roles per product, passwords (argon2), log-in with a rate limit, the signing key.

No accounts in the database means *local mode*: the web app serves the one person on this
machine as the admin. ``productpath users add`` creates the first account and from then on every
web request must log in or present an API token (see ``services.api.api_tokens``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from productpath.errors import ConflictError, InputError, NotFoundError, ProductpathError
from productpath.services.workspace import OpenWorkspace
from productpath.store import customer_repo, portal_repo, product_repo, user_repo

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from productpath.workspace import Workspace

ROLES = ("admin", "editor", "viewer", "stakeholder")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but a megabyte "password" is an attack
# Log-in rate limit: at most this many failures per e-mail, and per client, in the window.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
SECRET_KEY_FILE = "secret_key"
SECRET_KEY_ENV = "PRODUCTPATH_SECRET_KEY"
# Test-only: cheap argon2 parameters so a test suite can create many accounts quickly.
FAST_HASH_ENV = "PRODUCTPATH_ARGON2_FAST"


class LoginFailed(ProductpathError):
    """Wrong e-mail or password (deliberately not saying which)."""


class LoginThrottled(ProductpathError):
    """Too many failed log-ins lately; ``retry_after`` seconds until the next try counts."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed log-ins; try again in {retry_after} seconds")


@dataclass(frozen=True)
class Membership:
    product: str
    product_name: str
    role: str


@dataclass(frozen=True)
class AuthUser:
    """A logged-in account with its roles, as the web layer needs it per request."""

    id: int
    email: str
    name: str
    session_epoch: int
    memberships: tuple[Membership, ...] = ()

    def role_on(self, product: str) -> str | None:
        for membership in self.memberships:
            if membership.product == product:
                return membership.role
        return None


@dataclass(frozen=True)
class UserRow:
    """An account as listings show it; ``customer`` is the key of the customer whose revenue
    weights their portal votes (None: each vote counts 1), ``vote_weight`` what a vote counts."""

    email: str
    name: str
    active: bool
    roles: list[tuple[str, str]] = field(default_factory=list)
    customer: str | None = None
    vote_weight: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "active": self.active,
            "roles": {product: role for product, role in self.roles},
            "customer": self.customer,
            "vote_weight": self.vote_weight,
        }


# --- Passwords -----------------------------------------------------------------------------


@functools.cache
def _hasher(fast: bool) -> PasswordHasher:
    from argon2 import PasswordHasher

    if fast:
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def password_hasher() -> PasswordHasher:
    """The argon2 hasher; ``PRODUCTPATH_ARGON2_FAST=1`` (tests only) makes it cheap and weak."""
    return _hasher(os.environ.get(FAST_HASH_ENV, "") == "1")


def check_password(password: str) -> str:
    """``password`` if it is acceptable, else an InputError saying why."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password is shorter than {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(
            f"the password is longer than {MAX_PASSWORD_LENGTH} characters", field="password"
        )
    return password


def generate_password() -> str:
    """A random password of 24 URL-safe characters (about 144 bits)."""
    return secrets.token_urlsafe(18)


def _verify(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash(fast: bool) -> str:
    return _hasher(fast).hash(secrets.token_hex(16))


# --- Accounts ------------------------------------------------------------------------------


def check_email(email: str) -> str:
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in email) or "@" in domain:
        raise InputError(f"'{email}' is not an e-mail address", field="email")
    if len(email) > 320:
        raise InputError("the e-mail address is longer than 320 characters", field="email")
    return email


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role '{role}'; use one of {', '.join(ROLES)}", field="role")
    return role


def _product_id(session: Any, key: str) -> int:
    product_id = product_repo.find_id(session, key)
    if product_id is None:
        known = ", ".join(user_repo.product_keys(session)) or "none"
        raise NotFoundError(f"no product '{key}' in this database (products: {known})")
    return product_id


def _user(session: Any, email: str) -> Any:
    user = user_repo.by_email(session, email.strip())
    if user is None:
        raise NotFoundError(f"no user '{email.strip()}'; see 'productpath users list'")
    return user


def has_users(handle: OpenWorkspace) -> bool:
    with handle.store.read() as session:
        return user_repo.any_user(session)


def add_user(
    handle: OpenWorkspace,
    email: str,
    role: str,
    password: str,
    *,
    product: str | None = None,
    name: str = "",
    customer: str | None = None,
) -> UserRow:
    """Create an account with ``role`` on ``product`` (default: the workspace's product),
    linked to the product's ``customer`` (its key) when given."""
    email = check_email(email)
    check_role(role)
    password_hash = password_hasher().hash(check_password(password))
    key = product or handle.workspace.product
    with handle.store.write() as session:
        product_id = _product_id(session, key)
        if user_repo.by_email(session, email) is not None:
            raise ConflictError(
                f"user '{email}' exists already; change their role with 'productpath users role'"
            )
        customer_id = None if customer is None else _customer_id(session, product_id, customer)
        user = user_repo.add(session, email, name.strip()[:200], password_hash)
        user.customer_id = customer_id
        user_repo.set_role(session, user.id, product_id, role)
        weight = portal_repo.revenue_weight(session, product_id, customer_id)
    return UserRow(
        email=email,
        name=user.name,
        active=True,
        roles=[(key, role)],
        customer=customer,
        vote_weight=round(weight, 2),
    )


def set_customer(
    handle: OpenWorkspace, email: str, customer: str | None, *, product: str | None = None
) -> UserRow:
    """Link the account to ``customer`` of ``product`` (its key), or unlink it (None): the
    customer's revenue weights the votes they cast from now on."""
    key = product or handle.workspace.product
    with handle.store.write() as session:
        product_id = _product_id(session, key)
        user = _user(session, email)
        user.customer_id = None if customer is None else _customer_id(session, product_id, customer)
        session.flush()
    return next(row for row in list_users(handle) if row.email == user.email)


def _customer_id(session: Any, product_id: int, key: str) -> int:
    found = customer_repo.ids_by_key(session, product_id).get(key.strip())
    if found is None:
        raise NotFoundError(
            f"no customer '{key.strip()}' in this product; see 'productpath customers list'"
        )
    return found


def list_users(handle: OpenWorkspace) -> list[UserRow]:
    with handle.store.read() as session:
        roles = user_repo.all_memberships(session)
        customers = user_repo.customers_of_users(session)
        rows = []
        for u in user_repo.all_users(session):
            linked = customers.get(u.id)
            weight = 1.0
            if linked is not None:
                weight = portal_repo.revenue_weight(session, linked[1], u.customer_id)
            rows.append(
                UserRow(
                    email=u.email,
                    name=u.name,
                    active=u.active,
                    roles=roles.get(u.id, []),
                    customer=None if linked is None else linked[0],
                    vote_weight=round(weight, 2),
                )
            )
        return rows


def set_role(handle: OpenWorkspace, email: str, role: str, *, product: str | None = None) -> str:
    """Give the user ``role`` on ``product``; returns the product key."""
    check_role(role)
    key = product or handle.workspace.product
    with handle.store.write() as session:
        product_id = _product_id(session, key)
        user_repo.set_role(session, _user(session, email).id, product_id, role)
    return key


def remove_user(handle: OpenWorkspace, email: str) -> bool:
    """Delete the account (its roles and tokens go with it); True if accounts remain."""
    with handle.store.write() as session:
        session.delete(_user(session, email))
        session.flush()
        return user_repo.any_user(session)


def set_password(handle: OpenWorkspace, email: str, password: str) -> None:
    """A new password for ``email``; every session signed in before is logged out."""
    password_hash = password_hasher().hash(check_password(password))
    with handle.store.write() as session:
        user = _user(session, email)
        user.password_hash = password_hash
        user.session_epoch += 1


def change_password(
    handle: OpenWorkspace, user_id: int, current: str, new: str, *, client: str = ""
) -> int:
    """The user's own change (the web form): checks ``current`` under the same rate limit as
    log-ins (LoginThrottled); returns the new epoch."""
    check_password(new)
    with handle.store.read() as session:
        user = user_repo.by_id(session, user_id)
        email = user.email if user is not None else ""
        stored = user.password_hash if user is not None else None
    attempt = _count_attempt(handle, email, client, dt.datetime.now(dt.UTC))
    if stored is None or not _verify(stored, current):
        raise LoginFailed("the current password is wrong")
    password_hash = password_hasher().hash(new)
    with handle.store.write() as session:
        user_repo.forget_attempt(session, attempt)
        user = user_repo.by_id(session, user_id)
        if user is None:
            raise NotFoundError("this account no longer exists")
        user.password_hash = password_hash
        user.session_epoch += 1
        return user.session_epoch


def end_sessions(handle: OpenWorkspace, user_id: int) -> None:
    """Log the user out everywhere (bump the epoch every session cookie carries)."""
    with handle.store.write() as session:
        user = user_repo.by_id(session, user_id)
        if user is not None:
            user.session_epoch += 1


def _auth_user(session: Any, user: Any) -> AuthUser:
    return AuthUser(
        id=user.id,
        email=user.email,
        name=user.name,
        session_epoch=user.session_epoch,
        memberships=tuple(
            Membership(product=k, product_name=n, role=r)
            for k, n, r in user_repo.memberships(session, user.id)
        ),
    )


def session_user(handle: OpenWorkspace, user_id: int, epoch: int) -> AuthUser | None:
    """The account a session cookie names, if it is still active and the session still valid."""
    with handle.store.read() as session:
        user = user_repo.by_id(session, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return _auth_user(session, user)


def user_by_id(session: Any, user_id: int) -> AuthUser | None:
    user = user_repo.by_id(session, user_id)
    if user is None or not user.active:
        return None
    return _auth_user(session, user)


def authenticate(
    handle: OpenWorkspace,
    email: str,
    password: str,
    client: str,
    *,
    now: dt.datetime | None = None,
) -> AuthUser:
    """The account for these credentials, or LoginFailed / LoginThrottled.

    Failures are stored (LoginAttempt) so the limit holds across server workers: once an
    e-mail address or a client has :data:`MAX_FAILURES` failures in :data:`FAILURE_WINDOW`,
    further tries are refused without checking the password until the oldest one ages out.
    """
    now = now or dt.datetime.now(dt.UTC)
    email = email.strip().lower()[:320]
    attempt = _count_attempt(handle, email, client, now)
    with handle.store.read() as session:
        user = user_repo.by_email(session, email) if email else None
        stored = user.password_hash if user is not None and user.active else None
    fast = os.environ.get(FAST_HASH_ENV, "") == "1"
    # An unknown address costs the same hashing time as a known one: no account probing.
    ok = _verify(stored or _dummy_hash(fast), password) and stored is not None
    if not ok or user is None:
        raise LoginFailed("wrong e-mail or password")
    with handle.store.write() as session:
        user_repo.forget_attempt(session, attempt)
    if password_hasher().check_needs_rehash(user.password_hash):
        # The parameters changed since this hash was made: store one with the current ones.
        with handle.store.write() as session:
            row = user_repo.by_id(session, user.id)
            if row is not None:
                row.password_hash = password_hasher().hash(password)
    with handle.store.read() as session:
        found = user_by_id(session, user.id)
    if found is None:
        raise LoginFailed("wrong e-mail or password")
    return found


def _count_attempt(handle: OpenWorkspace, email: str, client: str, now: dt.datetime) -> int:
    """Count a password check before it happens: its attempt id, or LoginThrottled.

    The count and the new attempt are one serialised write, so parallel tries cannot all read
    "4 failures so far" and all go on to check a password: at most :data:`MAX_FAILURES` checks
    per e-mail and per client in :data:`FAILURE_WINDOW`, however many arrive at once. The
    attempt counts as failed until the caller forgets it after a right password.
    """
    since = now - FAILURE_WINDOW
    with handle.store.write() as session:
        user_repo.serialize_attempts(session)
        oldest: list[dt.datetime] = []
        for count, first in (
            user_repo.failures_since(session, since, email=email),
            user_repo.failures_since(session, since, client=client),
        ):
            if count >= MAX_FAILURES and first is not None:
                oldest.append(first)
        if oldest:
            wait = (min(oldest) + FAILURE_WINDOW - now).total_seconds()
            raise LoginThrottled(max(1, int(wait) + 1))
        user_repo.prune_failures(session, now - dt.timedelta(days=1))
        return user_repo.record_failure(session, email, client, now)


# --- The key that signs session cookies ---------------------------------------------------


def secret_key(workspace: Workspace) -> str:
    """``PRODUCTPATH_SECRET_KEY``, or ``.productpath/secret_key`` (0600, made on first use).

    Several servers (or ``--workers N``) must share one key: they read the same file, or set
    the variable to the same value.
    """
    from_env = os.environ.get(SECRET_KEY_ENV, "").strip()
    if from_env:
        if len(from_env) < 32:
            raise InputError(f"{SECRET_KEY_ENV} is shorter than 32 characters; use a random one")
        return from_env
    return _key_file(workspace.data_dir / SECRET_KEY_FILE)


def _key_file(path: Path) -> str:
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    # Written whole to a private temporary file, then linked into place: two workers starting
    # at once never read a half-written key, and the first one's key wins.
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as stream:
            stream.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first: use theirs
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()
