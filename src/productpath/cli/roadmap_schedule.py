"""productpath roadmap schedule: place initiatives on teams over calendar weeks."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add ``schedule`` to the ``roadmap`` group."""
