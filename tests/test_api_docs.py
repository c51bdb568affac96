"""/docs (Swagger UI served offline under the strict CSP) and the OpenAPI document it reads:
every /api/v1 operation documents its errors, the token scheme and examples."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from productpath.settings import Settings
from productpath.web import create_app
from productpath.web.security import CONTENT_SECURITY_POLICY


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings()).openapi()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_docs_page_loads_swagger_from_this_app_with_no_inline_code(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    html = response.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert [attrs.strip() for attrs, _ in scripts] == [
        'src="/static/search.js" defer',
        'src="/static/keys.js" defer',
        'src="/static/mention.js" defer',
        'src="/docs/static/swagger-ui-bundle.js"',
        'src="/static/api-docs.js"',
    ]
    assert all(body.strip() == "" for _, body in scripts)
    assert " style=" not in html and "<style" not in html
    assert 'data-openapi="/openapi.json"' in html
    assert 'href="/docs/static/swagger-ui.css"' in html
    for path, kind in [
        ("/docs/static/swagger-ui-bundle.js", "text/javascript"),
        ("/docs/static/swagger-ui.css", "text/css"),
        ("/static/api-docs.js", "javascript"),
    ]:
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert kind in asset.headers["content-type"]
        assert len(asset.content) > 500
    assert client.get("/docs/static/index.html").status_code == 404
    assert client.get("/docs/static/..%2Fswagger-ui.js").status_code == 404


def _api_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    ]


def test_every_api_operation_documents_its_errors_and_the_token(
    document: dict[str, Any],
) -> None:
    operations = _api_operations(document)
    assert len(operations) >= 20
    for method, path, operation in operations:
        codes = set(operation["responses"])
        assert {"401", "403", "422"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        assert operation.get("description") or operation.get("summary"), (method, path)
        assert {"token": []} in operation.get("security", []), (method, path)
    scheme = document["components"]["securitySchemes"]["token"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    patch = document["paths"]["/api/v1/initiatives/{key}"]["patch"]
    assert "409" in patch["responses"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    update = document["components"]["schemas"][body]
    assert "version" in update["required"]
    assert update["examples"][0]["version"] == 3


def test_error_responses_share_one_shape(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ApiError"]["required"] == ["detail"]
    refs = {
        op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
        for _, path, op in _api_operations(document)
        if "404" in op["responses"]
    }
    assert refs == {"#/components/schemas/ApiError"}
