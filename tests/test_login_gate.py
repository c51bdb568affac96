"""Attacks on local mode (issue 17, items 1 and 2), against real servers on this machine.

Whether a server asks for a log-in is decided when it starts and never relaxes: removing every
account, or uvicorn restarting a worker, must not turn a team server into an anonymous admin.
Local mode answers only requests from this machine's loopback address that no proxy forwarded.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from auth_fixtures import PASSWORD
from live_server import ServeProcess, serve_in_thread, serve_process
from web_fixtures import seed

EMAIL = "ada@example.com"
EDITED = "dark-mode"
# Enough new connections that each of two workers answers some (the kernel spreads them).
ROUNDS = 12


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    monkeypatch.setenv("PRODUCTPATH_ARGON2_FAST", "1")
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    folder = tmp_path / "ws"
    init_workspace(folder, "Pocket")
    with open_workspace(Settings(workspace=folder, database_url=None)) as handle:
        seed(handle)
    return folder


def _env() -> dict[str, str]:
    env = {**os.environ, "PRODUCTPATH_SECRET_KEY": "a-test-secret-the-workers-share-0123456789"}
    for name in (
        "PRODUCTPATH_ALLOWED_HOSTS",
        "PRODUCTPATH_REQUIRE_LOGIN",
        "PRODUCTPATH_LOGIN_LATCH",
    ):
        env.pop(name, None)
    return env


def _open(root: Path):  # type: ignore[no-untyped-def]
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    return open_workspace(Settings(workspace=root, database_url=None))


def _add_account(root: Path) -> None:
    from productpath.services.accounts import add_user

    with _open(root) as handle:
        add_user(handle, EMAIL, "admin", PASSWORD)


def _remove_every_account(root: Path) -> None:
    from productpath.services.accounts import remove_user

    with _open(root) as handle:
        assert remove_user(handle, EMAIL) is False  # none left


def _anonymous_statuses(url: str) -> list[int]:
    """What anonymous reads and an anonymous edit get, each on a new connection."""
    statuses = []
    for _ in range(ROUNDS):
        statuses.append(httpx.get(f"{url}/account.json").status_code)
        edit = httpx.patch(
            f"{url}/api/v1/initiatives/{EDITED}", json={"version": 1, "title": "taken over"}
        )
        statuses.append(edit.status_code)
    return statuses


def _restart_every_worker(server: ServeProcess) -> None:
    """Kill the workers one at a time and wait for uvicorn's replacements to answer, so every
    worker left has started after the accounts changed and has served nothing before."""
    for victim in server.workers():
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60  # a bound against hangs, not a timing check
        while True:
            now = server.workers()
            if victim not in now and len(now) == 2:
                break
            assert time.monotonic() < deadline, "uvicorn did not replace a killed worker"
            time.sleep(0.1)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{server.url}/healthz")
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the restarted workers did not answer"
            time.sleep(0.1)


@pytest.fixture
def team_server(root: Path) -> Iterator[ServeProcess]:
    _add_account(root)
    yield from serve_process(root, "--workers", "2", env=_env(), start_within_s=90)


def test_removing_every_account_keeps_a_running_server_asking_for_a_log_in(
    root: Path, team_server: ServeProcess
) -> None:
    assert httpx.get(f"{team_server.url}/account.json").status_code == 401

    _remove_every_account(root)

    assert set(_anonymous_statuses(team_server.url)) == {401}
    _restart_every_worker(team_server)
    assert set(_anonymous_statuses(team_server.url)) == {401}
    me = httpx.get(f"{team_server.url}/account.json")
    assert me.status_code == 401 and "local_mode" not in me.text


@pytest.fixture
def local_server(root: Path) -> Iterator[ServeProcess]:
    yield from serve_process(root, "--workers", "2", env=_env(), start_within_s=90)


def test_an_account_added_to_a_local_server_turns_log_in_on_for_good(
    root: Path, local_server: ServeProcess
) -> None:
    me = httpx.get(f"{local_server.url}/account.json")
    assert me.status_code == 200 and me.json()["local_mode"] is True

    _add_account(root)
    assert set(_anonymous_statuses(local_server.url)) == {401}

    _remove_every_account(root)
    assert set(_anonymous_statuses(local_server.url)) == {401}
    _restart_every_worker(local_server)
    assert set(_anonymous_statuses(local_server.url)) == {401}


def _address_of_this_machine() -> str:
    """An address of this machine other than loopback (the one its default route uses)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            pytest.skip("this machine has no network interface besides loopback")
        address: str = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("this machine has no network interface besides loopback")
    return address


@pytest.fixture
def open_local_server(root: Path) -> Iterator[str]:
    """A workspace without accounts served on every interface, as `uvicorn --host 0.0.0.0`."""
    from productpath.settings import Settings

    yield from serve_in_thread(
        Settings(workspace=root, database_url=None), start_within_s=30, host="0.0.0.0"
    )


def test_local_mode_does_not_trust_the_host_header(open_local_server: str) -> None:
    port = open_local_server.rsplit(":", 1)[1]
    from_network = f"http://{_address_of_this_machine()}:{port}"

    answer = httpx.get(f"{from_network}/account.json", headers={"host": "localhost"})
    assert answer.status_code == 403, answer.text
    assert "serves only this machine" in answer.json()["detail"]
    edit = httpx.patch(
        f"{from_network}/api/v1/initiatives/{EDITED}",
        json={"version": 1, "title": "taken over"},
        headers={"host": "localhost"},
    )
    assert edit.status_code == 403
    # The same server still serves this machine itself.
    me = httpx.get(f"{open_local_server}/account.json")
    assert me.status_code == 200 and me.json()["local_mode"] is True


@pytest.mark.parametrize(
    "header",
    [
        {"x-forwarded-for": "203.0.113.9"},
        {"x-forwarded-for": "127.0.0.1"},
        {"forwarded": "for=127.0.0.1"},
        {"x-real-ip": "127.0.0.1"},
    ],
    ids=["remote", "claims-loopback", "forwarded", "x-real-ip"],
)
def test_local_mode_refuses_proxied_requests(
    open_local_server: str, header: dict[str, str]
) -> None:
    answer = httpx.get(f"{open_local_server}/account.json", headers=header)
    assert answer.status_code == 403, answer.text
