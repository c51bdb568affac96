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
