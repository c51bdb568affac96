"""Memory attacks through request bodies (issue 17, item 3), against a real server.

A body is only read after its sender is known, and never past ``max_request_bytes``. The
proof that a body was not read is that the server answers while the client is still sending:
each test sends a little of a huge body, stops, and reads the answer.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from auth_fixtures import make_user
from live_server import serve_in_thread

CAP = 4096
HUGE = 200 * 1024 * 1024


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    monkeypatch.setenv("PRODUCTPATH_ARGON2_FAST", "1")
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    init_workspace(tmp_path / "ws", "Pocket")
    with open_workspace(Settings(workspace=tmp_path / "ws", database_url=None)) as handle:
        return make_user(handle, "ed@example.com", "editor")


@pytest.fixture
def url(tmp_path: Path, token: str) -> Iterator[str]:
    from productpath.settings import Settings

    settings = Settings(workspace=tmp_path / "ws", database_url=None, max_request_bytes=CAP)
    yield from serve_in_thread(settings, start_within_s=30)


def _exchange(url: str, head: str, first_part: bytes) -> int:
    """Send the request line and headers and ``first_part`` of the body, then read the status.

    The socket's timeout bounds the wait: a server that waits for the rest of the body never
    answers, and the test fails on the timeout instead of hanging.
    """
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall(head.encode("latin-1") + b"\r\n" + first_part)
        received = b""
        while b"\r\n" not in received:
            chunk = conn.recv(4096)
            if not chunk:
                break
            received += chunk
    status_line = received.split(b"\r\n", 1)[0].decode("latin-1")
    return int(status_line.split()[1])


def _head(path: str, *headers: str) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    return "\r\n".join([*lines, *headers]) + "\r\n"


def test_an_anonymous_body_is_refused_before_it_is_read(url: str) -> None:
    head = _head("/api/v1/feedback", f"Content-Length: {HUGE}")
    assert _exchange(url, head, b"[" + b" " * 1000) == 401


def test_a_declared_length_over_the_cap_answers_413_at_once(url: str, token: str) -> None:
    head = _head("/api/v1/feedback", f"Authorization: Bearer {token}", f"Content-Length: {HUGE}")
    assert _exchange(url, head, b"[" + b" " * 1000) == 413


def test_a_streamed_body_over_the_cap_answers_413_without_the_rest(url: str, token: str) -> None:
    head = _head("/api/v1/feedback", f"Authorization: Bearer {token}", "Transfer-Encoding: chunked")
    piece = b" " * 2048
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(4))  # twice the cap
    assert _exchange(url, head, chunks) == 413


def test_a_body_under_the_cap_is_still_read(url: str, token: str) -> None:
    import httpx

    answer = httpx.post(
        f"{url}/api/v1/feedback",
        json={"text": "The export button is hard to find"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.text
