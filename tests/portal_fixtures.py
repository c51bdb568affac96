"""Portal test data: the web fixture's roadmap with some initiatives public, and accounts
(store rows written directly) to vote with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import Customer, Initiative, User
from web_fixtures import seed

PUBLIC = ("dark-mode", "onboarding", "card-freeze")


def seed_portal(handle: OpenWorkspace) -> None:
    """``web_fixtures.seed``, then: dark-mode, onboarding and card-freeze public; Acme with
    annual revenue 300, Globex 100 (mean 200); a description and an internal note."""
    seed(handle)
    with handle.store.write() as s:
        s.execute(update(Initiative).where(Initiative.key.in_(PUBLIC)).values(public=True))
        s.execute(
            update(Initiative)
            .where(Initiative.key == "dark-mode")
            .values(description="INTERNAL: only if Acme renews")
        )
        s.execute(update(Customer).where(Customer.key == "acme").values(annual_revenue=300.0))
        s.execute(update(Customer).where(Customer.key == "globex").values(annual_revenue=100.0))


@pytest.fixture(name="portal_client")
def portal_client_fixture(workspace_dir: Path) -> Iterator[TestClient]:
    """A local-mode web client on a workspace seeded by :func:`seed_portal`."""
    from productpath.web import create_app

    with open_workspace() as handle:
        seed_portal(handle)
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def add_user(handle: OpenWorkspace, email: str, customer: str | None = None) -> int:
    """A user account (no password needed by the services); returns its id."""
    with handle.store.write() as s:
        customer_id = (
            s.scalar(select(Customer.id).where(Customer.key == customer)) if customer else None
        )
        user = User(
            email=email, name=email.split("@")[0], password_hash="-", customer_id=customer_id
        )
        s.add(user)
        s.flush()
        return user.id
