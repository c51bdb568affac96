"""The authorisation matrix: every route x every role x own/other product.

Routes are read from the app at test time, so a route added anywhere is covered without
touching this file, and classified by the dependencies it declares: ``require_role(R)``
(``ViewerDep``/``EditorDep``/``AdminDep``, or a router's ``dependencies=``), ``current_principal``
(``PrincipalDep``: any logged-in role, stakeholders included), or public (``web.auth.is_public``).

For each route:
* each role with a role on this product, and anonymous: allowed -> not 401/403 (and no 5xx);
  forbidden -> 401/403, and for writes the database is unchanged (row count and hash of every
  table);
* each role on the *other* product only, asking for this one (``?product=``): 403, no change;
* an admin of the other product, addressing this product's objects by their ids in their own
  scope: no success (4xx), no change.

Routes with path parameters need a sample value: add one to ``SAMPLES`` when a new parameter
appears (the test says which).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from auth_fixtures import OTHER_PRODUCT, add_other_product, log_in, make_user
from productpath.services import accounts
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import Base, FeedbackItem, Initiative, Job, Product, Theme
from productpath.web import auth
from productpath.web.app import create_app
from productpath.web.deps import RoleCheck, check_csrf, current_principal
from web_fixtures import seed

ROLES = ("admin", "editor", "viewer", "stakeholder")
RANK = {"admin": 3, "editor": 2, "viewer": 1, "stakeholder": 0}
SAFE = {"GET", "HEAD", "OPTIONS"}
# Tables a refused request may touch: failed log-ins are counted, token use is stamped.
# data_version counts every committed write, and a token's last use is stamped (a write) at most
# once a minute whoever presents it, refused or not: a matrix longer than a minute would see it
# move. The tables a refused write could touch are all still watched.
UNWATCHED = {"login_attempt", "api_token", "data_version"}

# Sample values for path parameters: the longest entry whose path prefix matches the text
# before ``{param}`` wins; ``*`` entries match any path. Values name objects the seed made
# in this product (see ``world``), so refused writes would have had something to change.
SAMPLES: dict[tuple[str, str], str | Callable[[World], str]] = {
    ("*", "key"): "onboarding",
    ("/api/v1/objectives/", "key"): "O1",
    ("/api/v1/milestones/", "key"): "beta",
    ("/api/v1/teams/", "key"): "growth",
    ("/objectives/", "key"): "O1",
    ("/milestones/", "key"): "beta",
    ("/teams/", "key"): "growth",
    ("/api/v1/customers/", "key"): "acme",
    ("/kpis/", "key"): "activation",
    ("/api/v1/kpis/", "key"): "activation",
    ("/decisions/", "key"): "d1",
    ("/api/v1/decisions/", "key"): "d1",
    ("/experiments/", "key"): "e1",
    ("*", "number"): "1",
    ("*", "item_id"): lambda w: str(w.feedback_id),
    ("*", "job_id"): lambda w: str(w.job_id),
    ("/docs/static/", "name"): "swagger-ui.css",
    ("/reports/", "kind"): "exec",
    ("/reports/", "fmt"): "md",
}
# Path parameters that name an object of a product (so another product's users never reach it).
OBJECT_PARAMS = {"key", "number", "item_id", "job_id"}
# Form fields of the HTML forms: values that make the request succeed when it is allowed.
FORM_SAMPLES: dict[str, str | Callable[[World], str]] = {
    "version": lambda w: str(w.version()),
    "status": "planned",
    "public": "true",
    "body": "A comment from the matrix test",
    "text": "Feedback from the matrix test",
    "action": "vote",
    "product": "pocket",
    "next": "/",
    "seed": "0",
    "full": "false",
    "embedder": "hashing",
    "dry_run": "1",
    # Moving a roadmap card (one neighbour) and an initiative's planned dates.
    "before": "card-freeze",
    "after": "",
    "start": "2030-01-06",
    "target": "2030-02-03",
}
# Allowed requests that would start expensive work get a body that is refused as invalid
# (the point is only that authorisation let them through).
ALLOWED_FORM_OVERRIDES = {("POST", "/jobs/insights"): {"embedder": "not-an-embedder"}}
# Routes that read their body themselves (no declared fields): what to send them.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/jobs/import"): {
        "files": {"file": ("matrix.csv", b"id,text\n1,Matrix feedback\n", "text/csv")}
    },
}


class DirectClient:
    """Calls the app in this thread's own event loop (httpx + ASGITransport): the matrix sends
    hundreds of requests, and TestClient's hop to a portal thread per request doubles the time.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._lifespan = app.router.lifespan_context(app)
        self.loop.run_until_complete(self._lifespan.__aenter__())
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self._lifespan.__aexit__(None, None, None))
        self.loop.close()


@dataclass
class World:
    handle: OpenWorkspace
    client: DirectClient
    tokens: dict[str, str]
    feedback_id: int
    job_id: int
    openapi: dict[str, Any]

    def version(self) -> int:
        with self.handle.store.read() as session:
            stmt = select(Initiative.version).where(Initiative.key == "onboarding")
            return int(session.scalars(stmt).first() or 1)


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: tuple[str, ...]
    rule: str | None  # "public", "principal", a role, or None (nothing declared)
    csrf: bool
    params: tuple[str, ...]
    form_fields: tuple[str, ...]


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def routes_of(app: Any) -> list[RouteInfo]:
    found = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        path = route.path
        if dependant is None:  # the mounted /static files and /openapi.json
            assert auth.is_public(path) or auth.is_public(path + "/"), path
            continue
        calls = list(_calls(dependant))
        roles = [call.role for call in calls if isinstance(call, RoleCheck)]
        if auth.is_public(path):
            rule: str | None = "public"
        elif roles:
            rule = max(roles, key=RANK.__getitem__)
        elif current_principal in calls:
            rule = "principal"
        else:
            rule = None
        methods = tuple(sorted(m for m in route.methods if m != "HEAD"))
        found.append(
            RouteInfo(
                path=path,
                methods=methods,
                rule=rule,
                csrf=check_csrf in calls,
                params=tuple(p.name for p in dependant.path_params),
                form_fields=tuple(p.name for p in dependant.body_params),
            )
        )
    return found


def _sample(world: World, path: str, param: str) -> str:
    before = path.split("{" + param)[0]
    matches = [
        (len(prefix), value)
        for (prefix, name), value in SAMPLES.items()
        if name == param and (prefix == "*" or before.startswith(prefix))
    ]
    if not matches:
        pytest.fail(
            f"route {path} has the path parameter {{{param}}} and tests/test_authz_matrix.py "
            f"has no sample for it: add one to SAMPLES (('{before}', '{param}'): value)"
        )
    value = max(matches, key=lambda m: m[0])[1]
    return value(world) if callable(value) else value


def _url(world: World, route: RouteInfo) -> str:
    url = route.path
    for param in route.params:
        url = url.replace("{" + param + "}", _sample(world, route.path, param))
    return url


def _json_example(world: World, route: RouteInfo, method: str) -> Any:
    """A request body from the OpenAPI document: its example, or one built from the schema."""
    operation = world.openapi.get("paths", {}).get(route.path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return None if schema is None else _from_schema(world, schema)


def _from_schema(world: World, schema: dict[str, Any]) -> Any:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = world.openapi["components"]["schemas"][name]
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _from_schema(world, schema[key][0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        props = schema.get("properties", {})
        return {name: _from_schema(world, props[name]) for name in required if name in props}
    return {"integer": 1, "number": 1.0, "boolean": True, "array": []}.get(str(kind), "x")


def _body(world: World, route: RouteInfo, method: str, *, allowed: bool) -> dict[str, Any]:
    if (method, route.path) in BODIES:
        return dict(BODIES[(method, route.path)])
    if method in SAFE or not route.form_fields:
        return {}
    example = _json_example(world, route, method)
    if example is not None:
        return {"json": example}
    form = {}
    for field in route.form_fields:
        value = FORM_SAMPLES.get(field, "x")
        form[field] = value(world) if callable(value) else value
    if allowed:
        form.update(ALLOWED_FORM_OVERRIDES.get((method, route.path), {}))
    return {"data": form}


def fingerprint(handle: OpenWorkspace) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the rows of every table (but the UNWATCHED ones)."""
    found = {}
    with handle.store.read() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in UNWATCHED:
                continue
            rows = sorted(repr(tuple(row)) for row in session.execute(select(table)))
            found[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return found


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _request(
    world: World, route: RouteInfo, method: str, who: str, *, allowed: bool, query: str = ""
) -> Any:
    headers = {"authorization": f"Bearer {world.tokens[who]}"} if who != "anonymous" else {}
    return world.client.request(
        method,
        _url(world, route) + query,
        headers=headers,
        follow_redirects=False,
        **_body(world, route, method, allowed=allowed),
    )


def _allowed(rule: str, who: str) -> bool:
    if rule == "public":
        return True
    if who == "anonymous":
        return False
    return rule == "principal" or RANK[who] >= RANK[rule]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Two products in one database: 'pocket' (seeded) and 'other' (empty); a user per role
    on each, with an API token; the app on top.

    SQLite only: who may do what does not depend on the database, and the queries it rests
    on (accounts, roles, tokens) run on both in test_auth_accounts.py and test_auth_web.py.
    """
    from productpath.services.workspace import init_workspace
    from productpath.settings import Settings

    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    monkeypatch.delenv(accounts.SECRET_KEY_ENV, raising=False)
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    init_workspace(tmp_path / "ws", "Pocket")
    settings = Settings(workspace=tmp_path / "ws", database_url=None)
    with open_workspace(settings) as handle:
        seed(handle)
        add_other_product(handle)
        with handle.store.write() as session:
            pid = session.scalars(select(Product.id).where(Product.key == "pocket")).one()
            onboarding = session.scalars(
                select(Initiative).where(Initiative.key == "onboarding")
            ).one()
            onboarding.public = True
            session.add(Theme(product_id=pid, number=1, label="Speed", size=1))
            job = Job(product_id=pid, kind="insights", status="done")
            session.add(job)
            session.flush()
            job_id = job.id
            feedback_id = session.scalars(select(FeedbackItem.id).order_by(FeedbackItem.id)).first()
        tokens = {}
        for role in ROLES:
            tokens[role] = make_user(handle, f"{role}@example.com", role)
            tokens[f"other-{role}"] = make_user(
                handle, f"{role}@other.example", role, product=OTHER_PRODUCT
            )
        app = create_app(settings)
        client = DirectClient(app)
        try:
            yield World(
                handle=handle,
                client=client,
                tokens=tokens,
                feedback_id=int(feedback_id or 0),
                job_id=job_id,
                openapi=app.openapi(),
            )
        finally:
            client.close()


def test_every_route_declares_who_may_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from productpath.services.workspace import init_workspace
    from productpath.settings import Settings

    init_workspace(tmp_path / "ws", "Pocket")
    app = create_app(Settings(workspace=tmp_path / "ws", database_url=None))
    routes = routes_of(app)
    assert len(routes) > 20
    undeclared = [f"{','.join(r.methods)} {r.path}" for r in routes if r.rule is None]
    assert undeclared == [], (
        "these routes declare no role: give each ViewerDep, EditorDep or AdminDep (or "
        "PrincipalDep for portal routes stakeholders use)"
    )
    no_csrf = [
        f"{method} {r.path}"
        for r in routes
        for method in r.methods
        if method not in SAFE and not r.csrf
    ]
    assert no_csrf == [], "these unsafe routes need a CsrfDep parameter"


def test_the_matrix(world: World) -> None:
    problems: list[str] = []
    checked = 0
    for route in routes_of(world.client.app):
        assert route.rule is not None, f"{route.path}: see test_every_route_declares_who_may_use_it"
        for method in route.methods:
            cases = [(who, "") for who in ("admin", "editor", "viewer", "stakeholder", "anonymous")]
            if route.rule != "public":
                cases += [(f"other-{role}", "?product=pocket") for role in ROLES]
            forbidden = [
                (who, q)
                for who, q in cases
                if who.startswith("other-") or not _allowed(route.rule, who)
            ]
            # Allowed requests run the whole page, so only both ends of the allowed range go
            # (roles are ordered: the weakest allowed one and the admin); refusals all go.
            allowed = [case for case in cases if case not in forbidden]
            permitted = list(dict.fromkeys([allowed[0], allowed[-1]])) if allowed else []
            before = fingerprint(world.handle) if method not in SAFE else None
            for who, query in forbidden:
                answer = _request(world, route, method, who, allowed=False, query=query)
                checked += 1
                if answer.status_code not in {401, 403}:
                    problems.append(
                        f"{method} {route.path} as {who}{query}: {answer.status_code}, "
                        f"expected 401/403 (needs {route.rule})"
                    )
            if before is not None:
                changed = _changed(before, fingerprint(world.handle))
                if changed:
                    problems.append(f"{method} {route.path}: refused requests changed {changed}")
            if route.rule != "public" and set(route.params) & OBJECT_PARAMS:
                # An admin of the other product, in their own scope, naming this product's
                # objects: nothing found, nothing changed.
                before = fingerprint(world.handle) if method not in SAFE else None
                answer = _request(world, route, method, "other-admin", allowed=False)
                checked += 1
                if answer.status_code < 400:
                    problems.append(
                        f"{method} {_url(world, route)} as other-admin: {answer.status_code}, "
                        "an object of another product was reachable"
                    )
                if before is not None and _changed(before, fingerprint(world.handle)):
                    problems.append(f"{method} {route.path} as other-admin changed this product")
            for who, query in permitted:
                answer = _request(world, route, method, who, allowed=True, query=query)
                checked += 1
                public_refusal = route.rule == "public" and answer.status_code in {401, 403, 429}
                if (answer.status_code in {401, 403} and not public_refusal) or (
                    answer.status_code >= 500
                ):
                    problems.append(
                        f"{method} {route.path} as {who}: {answer.status_code} "
                        f"{answer.text[:120]!r}, expected it allowed ({route.rule})"
                    )
            # A permitted request may have queued a job (an import); it writes from its own
            # thread, so let it finish before the next route's fingerprint is taken.
            _wait_for_jobs(world)
    assert checked > 100
    assert problems == [], "\n".join(problems)


def _wait_for_jobs(world: World, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with world.handle.store.read() as session:
            busy = session.scalar(
                select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")))
            )
        if not busy:
            return
        time.sleep(0.05)
    raise AssertionError("a job queued by the matrix did not finish")


def test_a_cookie_session_post_without_its_token_is_refused(world: World) -> None:
    """Every unsafe route, as a logged-in admin in a browser, without the CSRF token: 403."""
    client = world.client
    log_in(client, "admin@example.com")
    problems = []
    for route in routes_of(client.app):
        for method in route.methods:
            if method in SAFE or route.path == "/login":
                continue
            before = fingerprint(world.handle)
            answer = client.request(
                method,
                _url(world, route),
                follow_redirects=False,
                **_body(world, route, method, allowed=False),
            )
            if answer.status_code != 403 or "CSRF" not in answer.text:
                problems.append(f"{method} {route.path}: {answer.status_code}")
            if _changed(before, fingerprint(world.handle)):
                problems.append(f"{method} {route.path}: changed the database")
    assert problems == []


# Search is open to every role (the matrix above checks refusals for anonymous callers and other
# products' users); what a stakeholder finds is what the portal shows them: public initiatives.
SEARCH_ROUTES = ("/search", "/search.json", "/api/v1/search")


def test_search_is_for_every_role_and_stakeholders_find_only_public_initiatives(
    world: World,
) -> None:
    rules = {r.path: r.rule for r in routes_of(world.client.app)}
    assert {path: rules[path] for path in SEARCH_ROUTES} == dict.fromkeys(
        SEARCH_ROUTES, "principal"
    )

    def found(who: str, q: str) -> list[tuple[str, str]]:
        answer = world.client.request(
            "GET",
            f"/api/v1/search?q={q}",
            headers={"authorization": f"Bearer {world.tokens[who]}"},
            follow_redirects=False,
        )
        assert answer.status_code == 200, (who, answer.text)
        return [(r["type"], r["key"]) for r in answer.json()["results"]]

    for who in ("admin", "editor", "viewer"):
        assert found(who, "crypto") == [("initiative", "crypto")], who
        assert found(who, "acme") == [("customer", "acme")], who
    # The world makes "onboarding" public; "crypto" is private, customers are not the portal's.
    assert found("stakeholder", "onboarding") == [("initiative", "onboarding")]
    assert found("stakeholder", "crypto") == []
    assert found("stakeholder", "acme") == []
    with world.handle.store.write() as session:
        row = session.scalars(select(Initiative).where(Initiative.key == "crypto")).one()
        row.public = True
    assert found("stakeholder", "crypto") == [("initiative", "crypto")]
