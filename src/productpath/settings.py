"""Process-wide settings read from the environment (``PRODUCTPATH_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the workspace is and which database it uses.

    ``database_url`` left empty means the SQLite file inside the workspace.
    """

    model_config = SettingsConfigDict(env_prefix="PRODUCTPATH_", extra="ignore")

    workspace: Path = Field(default_factory=Path.cwd)
    database_url: str | None = None
    # Host names the web app answers to, comma-separated ("*" for any). Loopback only by
    # default: a page on another site could otherwise read the workspace through DNS
    # rebinding, since the local server has no log-in.
    allowed_hosts: str = "localhost,127.0.0.1,[::1]"
    # Ask for a log-in even before any account exists (see web/login_gate.py). ``productpath
    # serve`` sets it for its workers when it binds beyond loopback or accounts exist as it
    # starts, so a running server never falls back to local mode.
    require_login: bool = False
    # A file the workers of one ``serve`` share: once it exists, every worker asks for a log-in
    # (set by serve; a worker that saw an account creates it).
    login_latch: Path | None = None
    # The largest request body the web app reads, in bytes (the feedback upload on /jobs/import
    # has its own, larger limit). Bigger bodies answer 413 before they are read.
    max_request_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)

    # On PostgreSQL, whether the web app runs queued jobs itself (an embedded queue worker)
    # besides enqueuing them; a team server with ``productpath worker`` processes sets it false.
    web_runs_jobs: bool = True
    # Whether this process queues the periodic jobs (source syncs, digests, nightly insights).
    schedule: bool = True

    def allowed_host_list(self) -> list[str]:
        return [host.strip() for host in self.allowed_hosts.split(",") if host.strip()]
