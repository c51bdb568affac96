"""`productpath serve --workers 2` as a real process tree against a PostgreSQL workspace."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from web_fixtures import seed

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _worker_processes(pid: int) -> int:
    """How many of the server's child processes are uvicorn workers (multiprocessing spawns)."""
    count = 0
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        count += b"spawn_main" in cmdline
    return count


def test_two_workers_serve_a_postgresql_workspace(tmp_path: Path, postgres_url: str) -> None:
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    root = tmp_path / "team"
    init_workspace(root, "Pocket", postgres_url)
    with open_workspace(Settings(workspace=root, database_url=postgres_url)) as handle:
        seed(handle)
    port = _free_port()
    env = {
        **os.environ,
        "PRODUCTPATH_DATABASE_URL": postgres_url,
        "PRODUCTPATH_SECRET_KEY": "test-secret-shared-by-the-workers",
        # The seeded feedback was never analysed, so the schedule would queue the nightly
        # insights run at once (tests/test_worker.py covers that); this test wants no jobs.
        "PRODUCTPATH_SCHEDULE": "false",
    }
    env.pop("PRODUCTPATH_ALLOWED_HOSTS", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("productpath")),
            "-w",
            str(root),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a bound against hangs, not a timing check
        while True:
            try:
                status, body = _get(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert status == 200 and '"database":"postgresql"' in body
        assert _worker_processes(server.pid) == 2
        # Several requests, so both workers answer some of them.
        for _ in range(6):
            assert _get(f"{base}/")[0] == 200
        status, roadmap = _get(f"{base}/roadmap")
        assert status == 200 and "Grow activation" in roadmap
        status, jobs = _get(f"{base}/jobs.json")
        assert status == 200 and '"jobs":[]' in jobs
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output, _ = server.communicate()
    text = output.decode("utf-8", "replace")
    assert f"Serving Pocket at http://127.0.0.1:{port} (2 workers)" in text
    assert text.count("Application startup complete") == 2
    assert server.returncode == 0, text
