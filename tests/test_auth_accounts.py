"""Accounts and tokens as services: roles per product, passwords, the log-in limit, the key."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from auth_fixtures import OTHER_PRODUCT, PASSWORD, add_other_product
from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.services import accounts
from productpath.services.api import api_tokens
from productpath.store.models import ApiToken, LoginAttempt, User


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Any]:
    """A SQLite workspace, for what does not depend on the database kind."""
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    init_workspace(tmp_path / "ws", "Pocket")
    with open_workspace(Settings(workspace=tmp_path / "ws", database_url=None)) as handle:
        yield handle


def test_add_list_role_remove(opened: Any) -> None:
    add_other_product(opened)
    assert not accounts.has_users(opened)
    accounts.add_user(opened, " Ada@Example.com ", "admin", PASSWORD, name="Ada")
    accounts.set_role(opened, "ada@example.com", "viewer", product=OTHER_PRODUCT)
    accounts.add_user(opened, "bo@example.com", "stakeholder", PASSWORD, product=OTHER_PRODUCT)
    assert accounts.has_users(opened)
    rows = {row.email: row.as_dict() for row in accounts.list_users(opened)}
    assert rows["ada@example.com"]["roles"] == {"other": "viewer", "pocket": "admin"}
    assert rows["ada@example.com"]["name"] == "Ada"
    assert rows["bo@example.com"]["roles"] == {"other": "stakeholder"}

    accounts.set_role(opened, "ADA@example.com", "editor")  # changes, does not duplicate
    rows = {row.email: row.as_dict() for row in accounts.list_users(opened)}
    assert rows["ada@example.com"]["roles"]["pocket"] == "editor"

    assert accounts.remove_user(opened, "bo@example.com") is True
    assert accounts.remove_user(opened, "ada@example.com") is False
    assert accounts.list_users(opened) == []


def test_mistakes_are_one_clear_error(local: Any) -> None:
    opened = local
    accounts.add_user(opened, "ada@example.com", "admin", PASSWORD)
    with pytest.raises(ConflictError, match="exists already"):
        accounts.add_user(opened, "ADA@example.com", "viewer", PASSWORD)
    with pytest.raises(InputError, match="shorter than 12"):
        accounts.add_user(opened, "bo@example.com", "viewer", "short")
    with pytest.raises(InputError, match="unknown role 'owner'"):
        accounts.add_user(opened, "bo@example.com", "owner", PASSWORD)
    with pytest.raises(InputError, match="not an e-mail"):
        accounts.add_user(opened, "bo", "viewer", PASSWORD)
    with pytest.raises(NotFoundError, match=r"no product 'nope'.*products: pocket"):
        accounts.add_user(opened, "bo@example.com", "viewer", PASSWORD, product="nope")
    with pytest.raises(NotFoundError, match=r"no user 'zed@example\.com'"):
        accounts.set_role(opened, "zed@example.com", "viewer")
    with pytest.raises(NotFoundError):
        accounts.remove_user(opened, "zed@example.com")
    assert [row.email for row in accounts.list_users(opened)] == ["ada@example.com"]


def test_passwords_are_argon2_and_checked(local: Any) -> None:
    opened = local
    accounts.add_user(opened, "ada@example.com", "admin", PASSWORD)
    with opened.store.read() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    user = accounts.authenticate(opened, "ADA@example.com", PASSWORD, "10.0.0.1")
    assert (user.email, user.role_on("pocket")) == ("ada@example.com", "admin")
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(opened, "ada@example.com", PASSWORD + "!", "10.0.0.1")
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(opened, "nobody@example.com", PASSWORD, "10.0.0.1")


def test_a_hash_made_with_old_parameters_is_replaced_at_log_in(
    local: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = local
    accounts.add_user(opened, "ada@example.com", "admin", PASSWORD)  # cheap parameters
    monkeypatch.setattr(accounts, "password_hasher", lambda: accounts._hasher(False))
    accounts.authenticate(opened, "ada@example.com", PASSWORD, "c")
    with opened.store.read() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert "m=65536" in stored  # now made with the library's recommended parameters


def test_password_change_ends_sessions(local: Any) -> None:
    opened = local
    accounts.add_user(opened, "ada@example.com", "admin", PASSWORD)
    user = accounts.authenticate(opened, "ada@example.com", PASSWORD, "c")
    assert accounts.session_user(opened, user.id, user.session_epoch) is not None
    accounts.set_password(opened, "ada@example.com", "a brand new password")
    assert accounts.session_user(opened, user.id, user.session_epoch) is None
    epoch = accounts.change_password(opened, user.id, "a brand new password", "third password!")
    assert epoch == user.session_epoch + 2
    with pytest.raises(accounts.LoginFailed):
        accounts.change_password(opened, user.id, "wrong current pw", "fourth password!")
    accounts.end_sessions(opened, user.id)
    assert accounts.session_user(opened, user.id, epoch) is None
    assert accounts.authenticate(opened, "ada@example.com", "third password!", "c").id == user.id


def test_failed_log_ins_are_limited_per_email_and_per_client(opened: Any) -> None:
    accounts.add_user(opened, "ada@example.com", "admin", PASSWORD)
    now = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
    for minute in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(
                opened,
                "ada@example.com",
                "guess",
                f"10.0.0.{minute}",
                now=now + dt.timedelta(minutes=minute),
            )
    later = now + dt.timedelta(minutes=6)
    # Even the right password is refused while the limit holds: no checking, no oracle.
    with pytest.raises(accounts.LoginThrottled) as caught:
        accounts.authenticate(opened, "ada@example.com", PASSWORD, "10.9.9.9", now=later)
    assert caught.value.retry_after == 9 * 60 + 1  # when the first failure leaves the window
    # The window moves on: the first failure is 15 minutes old, one more try is allowed.
    free = now + accounts.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert accounts.authenticate(opened, "ada@example.com", PASSWORD, "10.9.9.9", now=free)

    # Per client: one address guessing at several accounts is stopped too.
    for n in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(opened, f"user{n}@example.com", "guess", "10.6.6.6", now=later)
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(opened, "ada@example.com", PASSWORD, "10.6.6.6", now=later)
    with opened.store.read() as session:
        assert session.scalar(select(func.count(LoginAttempt.id))) == 2 * accounts.MAX_FAILURES


def test_tokens_are_shown_once_and_stored_hashed(opened: Any) -> None:
    accounts.add_user(opened, "ada@example.com", "editor", PASSWORD)
    token, row = api_tokens.create_token(opened, "nightly export", "ada@example.com")
    assert token.startswith(f"pp_{row.prefix}_") and len(token) > 40
    with opened.store.read() as session:
        stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.split("_", 2)[2] not in repr(stored.__dict__)

    now = dt.datetime.now(dt.UTC)
    user = api_tokens.token_user(opened, token, now=now)
    assert user is not None and user.email == "ada@example.com"
    [listed] = api_tokens.list_tokens(opened)
    assert listed.last_used_at is not None and abs(listed.last_used_at - now).total_seconds() < 1
    # A second use within a minute does not write again.
    api_tokens.token_user(opened, token, now=now + dt.timedelta(seconds=30))
    assert api_tokens.list_tokens(opened)[0].last_used_at == listed.last_used_at

    wrong = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    assert api_tokens.token_user(opened, wrong) is None
    assert api_tokens.token_user(opened, "pp_nothing") is None
    assert api_tokens.token_user(opened, "not a token") is None
    revoked = api_tokens.revoke_token(opened, f"pp_{row.prefix}")
    assert revoked.revoked_at is not None
    assert api_tokens.token_user(opened, token) is None
    with pytest.raises(NotFoundError, match="no token 'deadbeef'"):
        api_tokens.revoke_token(opened, "deadbeef")
    with pytest.raises(NotFoundError):
        api_tokens.create_token(opened, "x", "nobody@example.com")

    # Removing the user removes their tokens.
    second, _ = api_tokens.create_token(opened, "ci", "ada@example.com")
    accounts.remove_user(opened, "ada@example.com")
    assert api_tokens.token_user(opened, second) is None
    assert api_tokens.list_tokens(opened) == []


def test_the_signing_key_file_is_private_and_stable(
    monkeypatch: pytest.MonkeyPatch, local: Any
) -> None:
    monkeypatch.delenv(accounts.SECRET_KEY_ENV, raising=False)
    workspace = local.workspace
    first = accounts.secret_key(workspace)
    path = workspace.data_dir / accounts.SECRET_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first) >= 64 and accounts.secret_key(workspace) == first
    assert [p.name for p in workspace.data_dir.iterdir() if p.name.startswith(".secret")] == []

    monkeypatch.setenv(accounts.SECRET_KEY_ENV, "k" * 40)
    assert accounts.secret_key(workspace) == "k" * 40
    monkeypatch.setenv(accounts.SECRET_KEY_ENV, "short")
    with pytest.raises(InputError, match="shorter than 32"):
        accounts.secret_key(workspace)
