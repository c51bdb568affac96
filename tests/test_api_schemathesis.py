"""schemathesis against the app's own OpenAPI document: every /api/v1 operation, with generated
(valid and invalid) input, must never answer 5xx and must answer what the document says.

The app serves a seeded workspace (tests/web_fixtures.seed plus a public initiative, a theme,
a KPI) on SQLite and on PostgreSQL; writes the fuzzer makes (feedback, comments,
decisions, edits) land in that workspace, which is the point: later calls read them back.
Accounts are on, as on a team server: every call carries an admin's API token, so it passes
the log-in check (and the body guard before it) and reaches the operation.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api_fixtures import DATABASES, shared_api_client
from auth_fixtures import make_user
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web import api as web_api
from productpath.web import create_app

EXAMPLES = 15  # per operation and database: bounded, so the fuzzing stays short


@pytest.fixture(scope="module", params=DATABASES)
def served_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    """The app on a seeded workspace, its lifespan running, for the whole module."""
    root = tmp_path_factory.mktemp("api-fuzz") / "ws"
    fast = pytest.MonkeyPatch()
    fast.setenv("PRODUCTPATH_ARGON2_FAST", "1")
    try:
        with shared_api_client(request.param, root) as client:
            app = client.app
            assert isinstance(app, FastAPI)
            with open_workspace() as handle:
                app.state.fuzz_token = make_user(handle, "fuzz@example.com", "admin")
            yield app
    finally:
        fast.undo()


@pytest.fixture(scope="module")
def api_schema(served_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", served_app)


def _operations() -> list[str]:
    paths = create_app(Settings()).openapi()["paths"]
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
        for method in operations
    )


@schemathesis.check
def logged_in(ctx: Any, response: Any, case: Any) -> bool:
    """The token opened the door: with accounts on, a refused log-in would hide every bug.
    (Negative cases may drop or mangle the header; those may get their 401.)"""
    token = case.operation.app.state.fuzz_token
    if response.request.headers.get("authorization") == f"Bearer {token}":
        assert response.status_code != 401, f"the token was refused: {response.text[:200]}"
    return True


# Keys the seeded workspace holds, so generated calls reach real objects, not only 404s.
KNOWN = {
    "/api/v1/initiatives/{key}": {"key": "dark-mode"},
    "/api/v1/initiatives/{key}/votes": {"key": "dark-mode"},
    "/api/v1/initiatives/{key}/comments": {"key": "dark-mode"},
    "/api/v1/objectives/{key}": {"key": "O1"},
    "/api/v1/milestones/{key}": {"key": "beta"},
    "/api/v1/themes/{number}": {"number": 1},
    "/api/v1/feedback/{item_id}": {"item_id": 1},
    "/api/v1/customers/{key}": {"key": "acme"},
    "/api/v1/kpis/{key}": {"key": "activation"},
    "/api/v1/teams/{key}": {"key": "payments"},
}


@pytest.mark.parametrize("label", _operations())
def test_api_operation_never_fails_and_matches_its_schema(
    served_app: FastAPI, api_schema: Any, label: str
) -> None:
    token = served_app.state.fuzz_token
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    known = KNOWN.get(operation.path)
    if known is not None:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def check(case: Any) -> None:
        case.call_and_validate(
            headers={"authorization": f"Bearer {token}"},
            checks=[not_a_server_error, response_schema_conformance, logged_in],
        )

    check()


def test_every_api_route_is_fuzzed() -> None:
    """The fuzzer sees only documented operations: no /api/v1 route may hide from it. Every
    module of productpath.web.api with a router is read, so a new one is covered too."""
    routes = set()
    for info in pkgutil.iter_modules(web_api.__path__):
        module = importlib.import_module(f"{web_api.__name__}.{info.name}")
        router = getattr(module, "router", None)
        for route in getattr(router, "routes", []):
            if isinstance(route, APIRoute):
                routes |= {f"{m} {web_api.PREFIX}{route.path}" for m in route.methods}
    assert len(routes) >= 20
    assert routes == set(_operations())
