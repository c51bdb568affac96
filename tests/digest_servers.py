"""Real local servers for the digest tests: an SMTP server (aiosmtpd) that keeps what it
receives and refuses chosen addresses, and an HTTP server that records webhook posts and
answers chosen paths with an error."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """What the SMTP server accepted: (envelope recipients, parsed message)."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    # Recipients refused with a permanent 550.
    refuse: set[str] = field(default_factory=set)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.box.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.box.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


@contextmanager
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server on a free local port; yields (port, mailbox)."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()


@dataclass
class Hooks:
    """Webhook posts received: (path, parsed JSON); a path in ``status`` answers that code."""

    posts: list[tuple[str, Any]] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    # A path here answers 302 with this Location (a webhook that tries to bounce the POST).
    redirect: dict[str, str] = field(default_factory=dict)


@contextmanager
def http_server() -> Iterator[tuple[str, Hooks]]:
    """A real HTTP server in a thread; yields (base URL, hooks)."""
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            hooks.hits[self.path] = hooks.hits.get(self.path, 0) + 1
            if self.path in hooks.redirect:
                self.send_response(302)
                self.send_header("Location", hooks.redirect[self.path])
                self.end_headers()
                return
            if self.path in hooks.status:
                self.send_response(hooks.status[self.path])
                self.end_headers()
                return
            hooks.posts.append((self.path, json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self) -> None:  # where a followed 302 would land
            hooks.hits[self.path] = hooks.hits.get(self.path, 0) + 1
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hooks
    finally:
        server.shutdown()
        server.server_close()


def allow_local_webhooks(root: Path) -> None:
    """Let the workspace at ``root`` send webhooks to this machine, as an admin would for a
    chat server on the team's own network: the servers here listen on 127.0.0.1, which the
    outbound gate refuses by default."""
    with (root / "productpath.toml").open("a", encoding="utf-8") as f:
        f.write('\n[webhooks]\nallow = ["127.0.0.1"]\n')
