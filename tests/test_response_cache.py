"""The web's response cache: replays to the same credentials only, while no data changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth_fixtures import OTHER_PRODUCT, add_other_product, log_in, make_user
from helpers import invoke
from productpath.services import accounts
from productpath.services.api.api_tokens import revoke_token
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.store.db import Store
from productpath.web.app import create_app
from productpath.web.response_cache import (
    Entry,
    ResponseCache,
    cacheable_path,
)
from productpath.web.routes import dashboard as dashboard_routes
from web_fixtures import seed

HIT = "x-response-cache"
JSON = {"accept": "application/json"}


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    monkeypatch.delenv(accounts.SECRET_KEY_ENV, raising=False)
    monkeypatch.delenv("PRODUCTPATH_RESPONSE_CACHE", raising=False)


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as opened:
        seed(opened)
        yield opened


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the dashboard's service really runs, its product key is appended."""
    made: list[str] = []
    real = dashboard_routes.dashboard

    def counting(handle: OpenWorkspace, *args: Any, **kwargs: Any) -> Any:
        made.append(handle.workspace.product)
        return real(handle, *args, **kwargs)

    monkeypatch.setattr(dashboard_routes, "dashboard", counting)
    return made


@pytest.fixture
def client(handle: OpenWorkspace, calls: list[str]) -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def test_data_version_moves_with_every_committed_write_only(handle: OpenWorkspace) -> None:
    store = handle.store
    before = store.data_version()
    with store.write():
        pass
    assert store.data_version() == before + 1
    with pytest.raises(RuntimeError), store.write():
        raise RuntimeError("rolled back")
    assert store.data_version() == before + 1
    with store.read():
        pass
    # Another Store on the same database (as another process) sees the same number.
    other = Store(store.url)
    try:
        assert other.data_version() == before + 1
        add_other_product(handle)
        assert other.data_version() == before + 2
    finally:
        other.dispose()


def test_second_request_is_served_from_the_cache(client: TestClient, calls: list[str]) -> None:
    first = client.get("/dashboard.json")
    second = client.get("/dashboard.json")
    assert first.status_code == second.status_code == 200
    assert calls == ["pocket"]
    assert HIT not in first.headers and second.headers[HIT] == "hit"
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    # The security headers are added to replayed answers too.
    assert "default-src 'self'" in second.headers["content-security-policy"]
    # Another query string or Accept header is another entry.
    client.get("/dashboard.json?x=1")
    client.get("/dashboard.json", headers=JSON)
    assert len(calls) == 3


def test_a_write_from_another_process_invalidates(
    client: TestClient, calls: list[str], tmp_path: Path
) -> None:
    before = client.get("/dashboard.json").json()["feedback"]["total"]
    assert client.get("/dashboard.json").headers[HIT] == "hit"
    feedback = tmp_path / "new.csv"
    feedback.write_text("text\nthe export button is gone\n", encoding="utf-8")
    # The CLI opens its own Store on the same database, as a separate process would.
    result = invoke("feedback", "import", str(feedback), "--text-column", "text")
    assert result.exit_code == 0, result.output
    after = client.get("/dashboard.json")
    assert HIT not in after.headers
    assert after.json()["feedback"]["total"] == before + 1
    assert len(calls) == 2
    assert client.get("/dashboard.json").headers[HIT] == "hit"


def test_head_requests_work_and_are_cached_apart(client: TestClient, calls: list[str]) -> None:
    page = client.get("/")
    assert page.status_code == 200
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""
    again = client.head("/")
    assert again.status_code == 200 and again.content == b"" and again.headers[HIT] == "hit"
    assert again.headers["content-type"] == page.headers["content-type"]
    assert client.get("/").text == page.text
    assert len(calls) == 2  # one GET, one HEAD


def test_credentials_never_share_entries(
    client: TestClient, handle: OpenWorkspace, calls: list[str]
) -> None:
    add_other_product(handle)
    admin = make_user(handle, "ada@example.com", "admin")
    viewer = make_user(handle, "vic@example.com", "viewer")
    other = make_user(handle, "otto@example.com", "admin", product=OTHER_PRODUCT)

    def ask(token: str) -> Any:
        return client.get("/dashboard.json", headers={"authorization": f"Bearer {token}"})

    # A token's first use stamps its last_used_at: a write, so nothing is stored from it yet.
    for token in (admin, viewer, other):
        assert ask(token).status_code == 200
    calls.clear()
    assert ask(admin).json()["product"]["key"] == "pocket"
    assert ask(admin).headers[HIT] == "hit"
    # The viewer's request runs the app with the viewer's credentials, never replaying the
    # admin's stored answer; the same for the user of the other product.
    assert HIT not in ask(viewer).headers
    answer = ask(other)
    assert HIT not in answer.headers
    assert answer.json()["product"]["key"] == OTHER_PRODUCT
    assert calls == ["pocket", "pocket", OTHER_PRODUCT]
    for token, product in ((admin, "pocket"), (viewer, "pocket"), (other, OTHER_PRODUCT)):
        again = ask(token)
        assert again.headers[HIT] == "hit" and again.json()["product"]["key"] == product
    # No credentials at all: refused by the app, never a stored page.
    anonymous = client.get("/dashboard.json")
    assert anonymous.status_code == 401 and HIT not in anonymous.headers
    assert len(calls) == 3


def test_revoking_a_token_or_a_role_takes_effect_at_once(
    client: TestClient, handle: OpenWorkspace
) -> None:
    token = make_user(handle, "ada@example.com", "viewer")
    headers = {"authorization": f"Bearer {token}"}
    assert client.get("/dashboard.json", headers=headers).status_code == 200  # stamps last use
    assert client.get("/dashboard.json", headers=headers).status_code == 200
    assert client.get("/dashboard.json", headers=headers).headers[HIT] == "hit"
    accounts.set_role(handle, "ada@example.com", "stakeholder")
    refused = client.get("/dashboard.json", headers=headers)
    assert refused.status_code == 403 and HIT not in refused.headers
    accounts.set_role(handle, "ada@example.com", "viewer")
    assert client.get("/dashboard.json", headers=headers).status_code == 200
    assert client.get("/dashboard.json", headers=headers).headers[HIT] == "hit"
    revoke_token(handle, token)
    revoked = client.get("/dashboard.json", headers=headers)
    assert revoked.status_code == 401 and HIT not in revoked.headers


def test_session_cookies_are_keys_and_set_cookie_answers_are_not_stored(
    client: TestClient, handle: OpenWorkspace, calls: list[str]
) -> None:
    make_user(handle, "ada@example.com", "admin")
    # The log-in form sets its CSRF cookie: such answers are never stored.
    assert "set-cookie" in client.get("/login").headers
    log_in(client, "ada@example.com")
    assert client.get("/dashboard.json").status_code == 200
    assert client.get("/dashboard.json").headers[HIT] == "hit"
    with TestClient(client.app) as stranger:
        assert stranger.get("/dashboard.json").status_code == 401
    assert len(calls) == 1


def test_the_cache_can_be_turned_off(
    handle: OpenWorkspace, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRODUCTPATH_RESPONSE_CACHE", "0")
    with TestClient(create_app(Settings())) as off:
        for _ in range(2):
            assert HIT not in off.get("/dashboard.json").headers
    assert len(calls) == 2


def test_paths_that_never_come_from_the_cache() -> None:
    for path in ("/static/app.css", "/login", "/account.json", "/healthz", "/jobs/3.json"):
        assert not cacheable_path(path), path
    for path in ("/", "/roadmap", "/roadmap.json", "/api/v1/feedback", "/jobsite"):
        assert cacheable_path(path), path


def _entry(size: int) -> Entry:
    return Entry(200, ((b"content-type", b"text/plain"),), b"x" * size, stored_at=0.0)


def test_the_lru_stays_within_its_bounds() -> None:
    cache = ResponseCache(max_total_bytes=1000, max_body_bytes=600, ttl_s=60)
    cache.observe(1)
    cache.put(b"big", _entry(700))
    assert len(cache) == 0
    for key in (b"a", b"b", b"c", b"d"):
        cache.put(key, _entry(300))  # 322 bytes with its header
    assert len(cache) == 3 and cache.size_bytes <= 1000
    assert cache.get(b"a", 1.0) is None  # the oldest went first
    assert cache.get(b"c", 1.0) is not None
    assert cache.get(b"c", 100.0) is None  # expired
    cache.observe(2)
    assert len(cache) == 0 and cache.size_bytes == 0
