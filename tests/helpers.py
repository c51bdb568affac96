"""Helpers tests import directly (``from helpers import invoke``)."""

from __future__ import annotations

from typer.testing import CliRunner, Result


def invoke(*args: str, runner: CliRunner | None = None) -> Result:
    """Run ``productpath ARGS`` in-process; the result has exit_code, stdout and stderr."""
    from productpath.cli.main import app

    return (runner or CliRunner()).invoke(app, list(args), catch_exceptions=False)
