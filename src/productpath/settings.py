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

    def allowed_host_list(self) -> list[str]:
        return [host.strip() for host in self.allowed_hosts.split(",") if host.strip()]
