"""Whether this server asks for a log-in: decided when it starts, tightened, never relaxed.

A server asks for a log-in when it was started bound beyond loopback, or when accounts existed
as it started (``Settings.require_login``, which ``productpath serve`` sets for its workers), or
as soon as any of its workers has seen an account since. Removing every account from a running
server therefore leaves it asking for a log-in (nobody can then log in) until it is restarted.

The workers of one ``productpath serve`` share the tightening through a latch file
(``Settings.login_latch``): a worker that uvicorn starts later, or one that has served nothing
yet, finds the file and never falls back to local mode, whatever the accounts table says now.

Local mode itself (no log-in, the one local person is admin) is only for requests that come
straight from this machine: the peer address must be loopback and no proxy may have handled
the request. The Host header proves nothing (a client chooses it).
"""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path

from starlette.requests import HTTPConnection

from productpath.services.accounts import has_users
from productpath.services.workspace import OpenWorkspace

# A reverse proxy adds one of these; a browser on this machine talking to the server sends none.
FORWARDING_HEADERS = (
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
)
LOCAL_ONLY = (
    "this server has no user accounts and serves only this machine (local mode); "
    "ask its owner to add an account with 'productpath users add EMAIL --role viewer'"
)


class LoginGate:
    """One per app (``app.state.login_gate``), made in the app's lifespan."""

    def __init__(self, handle: OpenWorkspace, *, required: bool, latch: Path | None) -> None:
        self._handle = handle
        self._latch = latch
        self._required = required or _latched(latch) or has_users(handle)
        if self._required:
            self._tighten()

    def required(self) -> bool:
        """True once log-in is on; checked per request, so new accounts turn it on at once."""
        if not self._required and (_latched(self._latch) or has_users(self._handle)):
            self._tighten()
        return self._required

    def _tighten(self) -> None:
        self._required = True
        if self._latch is not None:
            # Best effort: the latch only spreads the decision to sibling workers; this
            # worker's own flag already holds it.
            with contextlib.suppress(OSError):
                self._latch.touch(exist_ok=True)


def _latched(latch: Path | None) -> bool:
    return latch is not None and latch.exists()


def from_this_machine(connection: HTTPConnection) -> bool:
    """True when the peer is a loopback address and no proxy forwarded the request."""
    if any(name in connection.headers for name in FORWARDING_HEADERS):
        return False
    peer = connection.client.host if connection.client else ""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback
