"""Stakeholders and customers edited in the browser (editor role), on SQLite and PostgreSQL:
the same checks as the CLI and the customer import, the change recorded in the history when
roadmap.yaml lists them, and ``roadmap apply`` of an older export keeping the edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth_fixtures import log_in, make_user
from productpath.errors import InputError, NotFoundError
from productpath.services import accounts
from productpath.services.customers import customers_page, update_customer
from productpath.services.history import object_history
from productpath.services.roadmap import apply_roadmap, export_roadmap
from productpath.services.stakeholders import (
    StakeholderInput,
    list_stakeholders,
    update_stakeholder,
)
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.web.app import create_app

ROADMAP = """\
product: {id: pocket, name: Pocket}
segments:
  - {id: smb, name: SMB}
customers:
  - {id: acme, name: Acme Corp, segment: smb, annual_revenue: 1000}
stakeholders:
  - id: cfo
    name: Carla Finance
    audience: executive
    channel: email
    email: carla@example.com
"""
HTML = {"accept": "text/html"}


@pytest.fixture
def handle(workspace_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenWorkspace]:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    with open_workspace() as h:
        path = workspace_dir / "roadmap.yaml"
        path.write_text(ROADMAP, encoding="utf-8")
        apply_roadmap(h, path, actor="pm")
        yield h


def test_a_listed_stakeholder_edit_is_recorded_and_survives_an_older_apply(
    handle: OpenWorkspace, workspace_dir: Path
) -> None:
    older = workspace_dir / "older.yaml"
    older.write_text(export_roadmap(handle), encoding="utf-8")
    _, outcome = update_stakeholder(
        handle, "cfo", StakeholderInput(role="CFO", power="high"), actor="ana", via="web"
    )
    assert outcome == "updated"
    fields = {
        (e.field, e.before, e.after, e.actor, e.via)
        for e in object_history(handle, "stakeholder", "cfo")
        if e.field in {"role", "power"}
    }
    assert fields == {("role", "", "CFO", "ana", "web"), ("power", "low", "high", "ana", "web")}
    # The older export knows nothing of the edit: applying it keeps the workspace's change.
    apply_roadmap(handle, older, actor="pm")
    (cfo,) = list_stakeholders(handle)
    assert (cfo.role, cfo.power) == ("CFO", "high")


def test_stakeholder_edits_are_checked_like_the_cli(handle: OpenWorkspace) -> None:
    with pytest.raises(InputError) as bad:
        update_stakeholder(handle, "cfo", StakeholderInput(audience="board"))
    assert bad.value.field == "audience"
    with pytest.raises(InputError, match="needs"):
        update_stakeholder(handle, "cfo", StakeholderInput(channel="webhook"))
    with pytest.raises(InputError) as internal:  # the outbound guard, as on adding
        update_stakeholder(
            handle, "cfo", StakeholderInput(channel="webhook", webhook_url="http://10.1.2.3/h")
        )
    assert internal.value.field == "webhook_url"
    with pytest.raises(NotFoundError):
        update_stakeholder(handle, "nobody", StakeholderInput(role="x"))
    assert list_stakeholders(handle)[0].role == ""  # nothing half-saved


def test_customer_edits_use_the_import_rules_and_are_recorded(
    handle: OpenWorkspace, workspace_dir: Path
) -> None:
    older = workspace_dir / "older.yaml"
    older.write_text(export_roadmap(handle), encoding="utf-8")
    saved = update_customer(
        handle,
        "acme",
        name="Acme Corporation",
        segment="Enterprise",
        annual_revenue="$1,250,000.50",
        actor="ana",
        via="web",
    )
    assert (saved.name, saved.segment, saved.annual_revenue) == (
        "Acme Corporation",
        "Enterprise",
        1250000.5,
    )
    history = {
        (e.field, e.after)
        for e in object_history(handle, "customer", "acme")
        if e.field != "created"
    }
    assert ("annual_revenue", 1250000.5) in history and ("segment", "enterprise") in history
    for field, value, message in (
        ("annual_revenue", "1,5", "not an amount: '1,5'"),
        ("name", "  ", "the name is missing or empty"),
        ("segment", "x" * 201, "the segment is longer than 200 characters"),
    ):
        values = {"name": "Acme", "segment": "", "annual_revenue": "", field: value}
        with pytest.raises(InputError, match=message) as bad:
            update_customer(handle, "acme", actor="ana", via="web", **values)
        assert bad.value.field == field
    with pytest.raises(NotFoundError):
        update_customer(handle, "zz", name="Z", segment="", annual_revenue="", actor="a", via="web")
    apply_roadmap(handle, older, actor="pm")
    (acme,) = customers_page(handle).customers
    assert (acme.name, acme.annual_revenue) == ("Acme Corporation", 1250000.5)


@pytest.fixture
def client(handle: OpenWorkspace) -> Iterator[TestClient]:
    make_user(handle, "ana@example.com", "editor")
    make_user(handle, "vic@example.com", "viewer")
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def test_the_edit_forms(client: TestClient, handle: OpenWorkspace) -> None:
    csrf = log_in(client, "ana@example.com")
    assert 'href="/stakeholders/cfo/edit"' in client.get("/stakeholders", headers=HTML).text
    page = client.get("/stakeholders/cfo/edit", headers=HTML).text
    assert 'action="/stakeholders/cfo/edit"' in page and 'value="Carla Finance"' in page
    assert client.get("/stakeholders/nobody/edit", headers=HTML).status_code == 404
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "name": "Carla Finance",
        "role": "Chief financial officer",
        "email": "carla@example.com",
        "audience": "executive",
        "power": "high",
        "interest": "high",
        "channel": "email",
        "cadence": "monthly",
    }
    saved = client.post("/stakeholders/cfo/edit", data=form, follow_redirects=False)
    assert (
        saved.status_code == 303 and saved.headers["location"] == "/stakeholders?saved=cfo#sh-cfo"
    )
    assert list_stakeholders(handle)[0].cadence == "monthly"
    refused = client.post("/stakeholders/cfo/edit", data={**form, "email": "not-an-address"})
    assert refused.status_code == 422 and 'id="edit-error"' in refused.text
    assert 'value="not-an-address"' in refused.text  # what was typed is kept

    page = client.get("/customers", headers=HTML).text
    assert "Acme Corp" in page and 'action="/customers/acme/edit"' in page
    edit = {"csrf_token": csrf, "name": "Acme", "segment": "SMB", "annual_revenue": "2000"}
    done = client.post("/customers/acme/edit", data=edit, follow_redirects=False)
    assert done.headers["location"] == "/customers?saved=acme#customer-acme"
    assert client.get("/customers.json").json()["customers"][0]["annual_revenue"] == 2000.0
    bad = client.post("/customers/acme/edit", data={**edit, "annual_revenue": "lots"})
    assert bad.status_code == 422 and "not an amount: &#39;lots&#39;" in bad.text
    assert client.post("/customers/zz/edit", data=edit).status_code == 404

    # A viewer sees no edit forms and may not post them.
    client.post("/logout", data={"csrf_token": csrf})
    csrf = log_in(client, "vic@example.com")
    assert 'action="/customers/acme/edit"' not in client.get("/customers", headers=HTML).text
    assert client.post("/customers/acme/edit", data={**edit, "csrf_token": csrf}).status_code == 403
    assert (
        client.post("/stakeholders/cfo/edit", data={**form, "csrf_token": csrf}).status_code == 403
    )
