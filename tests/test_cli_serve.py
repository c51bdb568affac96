"""productpath serve: refuses to start without a workspace or on a port in use; never starts
a server here (uvicorn.run is recorded)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import free_port, invoke


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


@pytest.fixture
def local_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace without accounts (local mode), the environment recorded for undoing."""
    from productpath.services.workspace import init_workspace

    root = tmp_path / "ws"
    init_workspace(root, "Pocket Pay")
    # Recorded by monkeypatch, so the values serve writes are undone after the test.
    monkeypatch.setenv("PRODUCTPATH_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    return root


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """uvicorn.run replaced by a recorder that also notes where the socket it got listens."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def record(*args: Any, **kwargs: Any) -> None:
        with socket.fromfd(kwargs["fd"], socket.AF_INET, socket.SOCK_STREAM) as handed:
            kwargs["listening_on"] = handed.getsockname()
            kwargs["accepts"] = handed.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        calls.append((args, kwargs))

    monkeypatch.setattr("uvicorn.run", record)
    return calls


@pytest.fixture
def port_in_use() -> Iterator[int]:
    """A port another program is serving on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("more", [(), ("--workers", "2")], ids=["one", "workers"])
def test_serve_on_a_port_in_use_fails_with_one_line_before_serving(
    local_workspace: Path,
    port_in_use: int,
    uvicorn_calls: list[tuple[tuple[Any, ...], dict[str, Any]]],
    more: tuple[str, ...],
) -> None:
    """Nothing else is printed first: not "Serving", nor the note about workers on SQLite."""
    result = invoke("-w", str(local_workspace), "serve", "--port", str(port_in_use), *more)

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: port {port_in_use} on 127.0.0.1 is in use; choose another with --port\n"
    )
    assert result.stdout == "" and uvicorn_calls == []


def test_serve_on_an_address_of_another_machine_fails_with_one_line(
    local_workspace: Path, uvicorn_calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    from productpath.services.accounts import add_user
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    with open_workspace(Settings(workspace=local_workspace, database_url=None)) as handle:
        add_user(handle, "ada@example.com", "admin", "correct horse battery")
    # 192.0.2.0/24 is reserved for documentation: no machine has it.
    result = invoke("-w", str(local_workspace), "serve", "--host", "192.0.2.1", "--port", "8765")

    assert result.exit_code == 1 and uvicorn_calls == []
    assert result.stderr == (
        "error: cannot listen on 192.0.2.1: not an address of this machine; check --host\n"
    )


def test_serve_hands_uvicorn_the_socket_it_bound(
    local_workspace: Path, uvicorn_calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    """The port is held (listening) before "Serving" is printed and uvicorn serves that very
    socket; it is closed once uvicorn returns, so the port is free again."""
    port = free_port()
    result = invoke("-w", str(local_workspace), "serve", "--port", str(port))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Serving Pocket Pay at http://127.0.0.1:{port}\n"
    [(_, kwargs)] = uvicorn_calls
    assert kwargs["listening_on"] == ("127.0.0.1", port) and kwargs["accepts"] == 1
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))


def test_serve_hands_the_workspace_to_uvicorn(
    local_workspace: Path, uvicorn_calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    """With a workspace, serve prints where it serves and runs the app factory.

    uvicorn.run is replaced by a recorder: starting a real server is the browser test's job.
    """
    # Serving beyond loopback needs an account (no accounts = local mode, no log-in).
    from productpath.services.accounts import add_user
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    root = local_workspace
    with open_workspace(Settings(workspace=root, database_url=None)) as handle:
        add_user(handle, "ada@example.com", "admin", "correct horse battery")
    port = free_port()

    result = invoke("--workspace", str(root), "serve", "--host", "0.0.0.0", "--port", str(port))

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"Serving Pocket Pay at http://0.0.0.0:{port}"
    [(args, kwargs)] = uvicorn_calls
    assert args == ("productpath.web.app:create_app",)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["reload"]) == ("0.0.0.0", port, False)
    assert kwargs["listening_on"] == ("0.0.0.0", port)
    import os

    assert os.environ["PRODUCTPATH_WORKSPACE"] == str(root.resolve())
