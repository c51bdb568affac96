"""`productpath users ...`, `productpath tokens ...`, and serve's refusal to expose local mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from auth_fixtures import PASSWORD, add_other_product
from helpers import free_port, invoke
from productpath.services import accounts
from productpath.services.api.api_tokens import token_user
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    init_workspace(tmp_path / "ws", "Pocket")
    monkeypatch.setenv("PRODUCTPATH_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


def _open(root: Path) -> OpenWorkspace:
    return open_workspace(Settings(workspace=root, database_url=None))


def _run(*args: str, stdin: str | None = None) -> Any:
    from productpath.cli.main import app

    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


def test_users_add_list_role_remove(root: Path) -> None:
    with _open(root) as handle:
        add_other_product(handle)
    added = _run(
        "users",
        "add",
        "Ada@Example.com",
        "--role",
        "admin",
        "--name",
        "Ada",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "Added ada@example.com: admin on pocket"
    assert PASSWORD not in added.stdout
    role = _run("users", "role", "ada@example.com", "--role", "viewer", "--product", "other")
    assert role.exit_code == 0 and role.stdout.strip() == "ada@example.com is now viewer on other"
    listed = json.loads(invoke("users", "list", "--json").stdout)
    assert listed == [
        {
            "email": "ada@example.com",
            "name": "Ada",
            "active": True,
            "roles": {"other": "viewer", "pocket": "admin"},
            "customer": None,
            "vote_weight": 1.0,
        }
    ]
    table = invoke("users", "list").stdout
    assert "ada@example.com" in table and "other: viewer" in table
    with _open(root) as handle:
        assert accounts.authenticate(handle, "ada@example.com", PASSWORD, "c")

    again = _run("users", "add", "ada@example.com", "--role", "viewer", "--generate-password")
    assert again.exit_code == 1
    assert again.stderr.startswith("error: user 'ada@example.com' exists already")
    bad_role = invoke("users", "role", "ada@example.com", "--role", "owner")
    assert bad_role.exit_code == 1 and "unknown role 'owner'" in bad_role.stderr

    removed = invoke("users", "remove", "ada@example.com")
    assert removed.exit_code == 0 and "no accounts left" in removed.stderr
    assert "local mode" in invoke("users", "list").stdout


def test_passwords_are_never_taken_from_a_pipe_silently(root: Path) -> None:
    no_tty = _run("users", "add", "ada@example.com", "--role", "admin", stdin="")
    assert no_tty.exit_code == 1
    assert "--password-stdin" in no_tty.stderr and "--generate-password" in no_tty.stderr
    short = _run(
        "users", "add", "ada@example.com", "--role", "admin", "--password-stdin", stdin="short\n"
    )
    assert short.exit_code == 1 and "shorter than 12" in short.stderr
    generated = _run("users", "add", "ada@example.com", "--role", "editor", "--generate-password")
    assert generated.exit_code == 0, generated.stderr
    password = generated.stdout.split("Password (shown only now): ")[1].strip()
    assert len(password) >= 24
    with _open(root) as handle:
        user = accounts.authenticate(handle, "ada@example.com", password, "c")

    changed = _run(
        "users", "passwd", "ada@example.com", "--password-stdin", stdin="another long password\n"
    )
    assert changed.exit_code == 0 and "sessions have ended" in changed.stdout
    with _open(root) as handle:
        assert accounts.session_user(handle, user.id, user.session_epoch) is None
        assert accounts.authenticate(handle, "ada@example.com", "another long password", "c")
    missing = _run("users", "passwd", "zed@example.com", "--generate-password")
    assert missing.exit_code == 1 and "no user 'zed@example.com'" in missing.stderr


def test_tokens_create_list_revoke(root: Path) -> None:
    _run("users", "add", "ada@example.com", "--role", "editor", "--generate-password")
    created = invoke("tokens", "create", "nightly export", "--user", "ada@example.com")
    assert created.exit_code == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("pp_") and "not shown again" in created.stderr
    as_json = json.loads(
        invoke("tokens", "create", "ci", "--user", "ada@example.com", "--json").stdout
    )
    assert as_json["token"].startswith(f"pp_{as_json['prefix']}_")
    with _open(root) as handle:
        assert token_user(handle, token) is not None

    listed = json.loads(invoke("tokens", "list", "--json").stdout)
    assert [row["name"] for row in listed] == ["nightly export", "ci"]
    assert all("token" not in row for row in listed)
    assert token not in invoke("tokens", "list").stdout
    prefix = listed[0]["prefix"]
    revoked = invoke("tokens", "revoke", prefix)
    assert revoked.exit_code == 0 and prefix in revoked.stdout
    assert json.loads(invoke("tokens", "list", "--json").stdout)[0]["revoked_at"]
    with _open(root) as handle:
        assert token_user(handle, token) is None
    assert invoke("tokens", "revoke", "deadbeef").exit_code == 1
    nobody = invoke("tokens", "create", "x", "--user", "zed@example.com")
    assert nobody.exit_code == 1 and "no user" in nobody.stderr


def test_serve_refuses_other_addresses_without_accounts(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: calls.append(kw))
    port = str(free_port())  # serve binds the port before it hands it to uvicorn
    refused = invoke("serve", "--host", "0.0.0.0", "--port", port)
    assert refused.exit_code == 1 and calls == []
    [line] = refused.stderr.strip().splitlines()
    assert "no user accounts" in line and "productpath users add" in line
    # Loopback: local mode is fine.
    assert invoke("serve", "--host", "127.0.0.1", "--port", port).exit_code == 0
    _run("users", "add", "ada@example.com", "--role", "admin", "--generate-password")
    assert invoke("serve", "--host", "0.0.0.0", "--port", port).exit_code == 0
    assert [kw["host"] for kw in calls] == ["127.0.0.1", "0.0.0.0"]


def test_an_account_is_linked_to_a_customer_whose_revenue_weights_its_votes(
    root: Path, tmp_path: Path
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,name,segment,annual_revenue\nacme,Acme,smb,300000\nbeta,Beta,smb,100000\n",
        encoding="utf-8",
    )
    assert _run("customers", "import", str(customers)).exit_code == 0
    added = _run(
        "users", "add", "cfo@acme.example", "--role", "stakeholder", "--customer", "acme",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    # Mean revenue 200,000: Acme's 300,000 weighs 1 + 1.5.
    assert added.stdout == (
        "Added cfo@acme.example: stakeholder on pocket; customer acme (each vote counts 2.5)\n"
    )
    (row,) = json.loads(_run("users", "list", "--json").stdout)
    assert (row["customer"], row["vote_weight"]) == ("acme", 2.5)
    table = _run("users", "list").stdout
    assert "acme" in table and "2.5" in table
    moved = _run("users", "update", "cfo@acme.example", "--customer", "beta")
    assert moved.stdout == "cfo@acme.example; customer beta (each vote counts 1.5)\n"
    with _open(root) as handle:
        from productpath.store import portal_repo, user_repo

        with handle.store.read() as session:
            user = user_repo.by_email(session, "cfo@acme.example")
            assert user is not None and user.customer_id is not None
            weight = portal_repo.revenue_weight(session, 1, user.customer_id)
            assert weight == 1.5  # what the portal gives their next vote
    gone = _run("users", "update", "cfo@acme.example", "--no-customer")
    assert gone.stdout == "cfo@acme.example has no customer now; each vote counts 1\n"
    assert json.loads(_run("users", "list", "--json").stdout)[0]["vote_weight"] == 1.0
    unknown = _run("users", "update", "cfo@acme.example", "--customer", "nope")
    assert unknown.exit_code == 1
    assert "no customer 'nope' in this product" in unknown.stderr
    neither = _run("users", "update", "cfo@acme.example")
    assert neither.stderr == "error: give either --customer KEY or --no-customer\n"
