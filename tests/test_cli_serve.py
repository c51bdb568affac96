"""productpath serve: refuses to start without a workspace; never starts a server here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import invoke


def test_serve_without_a_workspace_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    monkeypatch.setenv("PRODUCTPATH_WORKSPACE", str(tmp_path))
    result = invoke("serve", "--port", "8765")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: no workspace at")
    assert "productpath init" in lines[0]
    assert "Serving" not in result.stdout


def test_serve_rejects_a_bad_port() -> None:
    result = invoke("serve", "--port", "70000")
    assert result.exit_code == 2


def test_serve_hands_the_workspace_to_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a workspace, serve prints where it serves and runs the app factory.

    uvicorn.run is replaced by a recorder: starting a real server is the browser test's job.
    """
    from productpath.services.workspace import init_workspace

    root = tmp_path / "ws"
    init_workspace(root, "Pocket Pay")
    # Serving beyond loopback needs an account (no accounts = local mode, no log-in).
    from productpath.services.accounts import add_user
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    with open_workspace(Settings(workspace=root, database_url=None)) as handle:
        add_user(handle, "ada@example.com", "admin", "correct horse battery")
    # Recorded by monkeypatch, so the values serve writes are undone after the test.
    monkeypatch.setenv("PRODUCTPATH_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: calls.append((a, kw)))

    result = invoke("--workspace", str(root), "serve", "--host", "0.0.0.0", "--port", "8123")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "Serving Pocket Pay at http://0.0.0.0:8123"
    [(args, kwargs)] = calls
    assert args == ("productpath.web.app:create_app",)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["reload"]) == ("0.0.0.0", 8123, False)
    import os

    assert os.environ["PRODUCTPATH_WORKSPACE"] == str(root.resolve())
