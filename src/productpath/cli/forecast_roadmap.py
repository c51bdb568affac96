"""productpath forecast roadmap|compare: simulate the whole roadmap and scenarios."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the roadmap-wide forecast commands to the ``forecast`` group."""
