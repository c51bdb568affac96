"""Process-wide settings read from the environment (``PRODUCTPATH_*``).

A plain class rather than a pydantic-settings model: every command builds one before it opens
the workspace, and importing pydantic and pydantic-settings for six environment variables was a
fifth of a second of CPU, as much as a listing command's own work. Each value given to the
constructor wins over the environment; the environment's names are matched without regard to
case (``PRODUCTPATH_WORKSPACE`` or ``productpath_workspace``), as pydantic-settings did.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from productpath.errors import InputError

PREFIX = "PRODUCTPATH_"
MIN_REQUEST_BYTES = 1024
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})
_UNSET: Any = object()


class Settings:
    """Where the workspace is and which database it uses.

    ``database_url`` left empty means the SQLite file inside the workspace.
    """

    workspace: Path
    database_url: str | None
    # Host names the web app answers to, comma-separated ("*" for any). Loopback only by
    # default: a page on another site could otherwise read the workspace through DNS
    # rebinding, since the local server has no log-in.
    allowed_hosts: str
    # Ask for a log-in even before any account exists (see web/login_gate.py). ``productpath
    # serve`` sets it for its workers when it binds beyond loopback or accounts exist as it
    # starts, so a running server never falls back to local mode.
    require_login: bool
    # A file the workers of one ``serve`` share: once it exists, every worker asks for a log-in
    # (set by serve; a worker that saw an account creates it).
    login_latch: Path | None
    # The largest request body the web app reads, in bytes (the feedback upload on /jobs/import
    # has its own, larger limit). Bigger bodies answer 413 before they are read.
    max_request_bytes: int
    # On PostgreSQL, whether the web app runs queued jobs itself (an embedded queue worker)
    # besides enqueuing them; a team server with ``productpath worker`` processes sets it false.
    web_runs_jobs: bool
    # Whether this process queues the periodic jobs (source syncs, digests, nightly insights).
    schedule: bool

    def __init__(
        self,
        *,
        workspace: Path | str = _UNSET,
        database_url: str | None = _UNSET,
        allowed_hosts: str = _UNSET,
        require_login: bool | str = _UNSET,
        login_latch: Path | str | None = _UNSET,
        max_request_bytes: int | str = _UNSET,
        web_runs_jobs: bool | str = _UNSET,
        schedule: bool | str = _UNSET,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = _prefixed(os.environ if environ is None else environ)

        def given(name: str, value: Any) -> Any:
            return env.get(name, _UNSET) if value is _UNSET else value

        found = given("workspace", workspace)
        self.workspace = Path.cwd() if found is _UNSET else Path(found)
        found = given("database_url", database_url)
        self.database_url = None if found is _UNSET else found
        found = given("allowed_hosts", allowed_hosts)
        self.allowed_hosts = "localhost,127.0.0.1,[::1]" if found is _UNSET else str(found)
        found = given("require_login", require_login)
        self.require_login = False if found is _UNSET else _boolean(found, "require_login")
        found = given("login_latch", login_latch)
        self.login_latch = None if found is _UNSET or found is None else Path(found)
        found = given("max_request_bytes", max_request_bytes)
        self.max_request_bytes = (
            2 * 1024 * 1024 if found is _UNSET else _request_bytes(found, "max_request_bytes")
        )
        found = given("web_runs_jobs", web_runs_jobs)
        self.web_runs_jobs = True if found is _UNSET else _boolean(found, "web_runs_jobs")
        found = given("schedule", schedule)
        self.schedule = True if found is _UNSET else _boolean(found, "schedule")

    def allowed_host_list(self) -> list[str]:
        return [host.strip() for host in self.allowed_hosts.split(",") if host.strip()]

    def __repr__(self) -> str:
        return f"Settings(workspace={self.workspace!r}, database_url=...)"


def _prefixed(environ: Mapping[str, str]) -> dict[str, str]:
    """The PRODUCTPATH_* variables by their lower-case field name."""
    return {
        name[len(PREFIX) :].lower(): value
        for name, value in environ.items()
        if name.upper().startswith(PREFIX)
    }


def _boolean(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{PREFIX}{name.upper()} must be true or false, got {value!r}", field=name)


def _request_bytes(value: object, name: str) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        number = None
    if number is None or isinstance(number, bool) or number < MIN_REQUEST_BYTES:
        raise InputError(
            f"{PREFIX}{name.upper()} must be a whole number of bytes, at least "
            f"{MIN_REQUEST_BYTES}, got {value!r}",
            field=name,
        )
    return number
