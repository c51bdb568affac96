"""The real web app over HTTP for tests: uvicorn in a thread, or `productpath serve` itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def serve_in_thread(
    settings: Any, *, start_within_s: float, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Yield the base URL of ``create_app(settings)`` served on a free port; stop after.

    The socket is bound here (port 0: any free one) and handed to uvicorn, so no other process
    can take the port between choosing it and listening on it. ``host="0.0.0.0"`` listens on
    every interface (the URL still names 127.0.0.1).
    """
    import uvicorn

    from productpath.web import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_within_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class ServeProcess:
    """A running `productpath serve`: its base URL and its process (the uvicorn supervisor)."""

    url: str
    process: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        """The pids of its worker processes (multiprocessing spawns them)."""
        found = []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for child in children.read_text().split() if children.exists() else []:
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:
                found.append(int(child))
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], *, within_s: float) -> None:
    deadline = time.monotonic() + within_s  # a bound against hangs, not a timing check
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=10):
                return
        except (OSError, urllib.error.URLError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def serve_process(
    root: Path, *args: str, env: dict[str, str], start_within_s: float
) -> Iterator[ServeProcess]:
    """`productpath -w ROOT serve --port P ARGS...` on 127.0.0.1; SIGINT (then SIGKILL) after."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("productpath")), "-w", str(root), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server, within_s=start_within_s)
        yield ServeProcess(url, server)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
