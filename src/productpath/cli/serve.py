"""productpath serve: the web UI for this workspace."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from productpath.cli.common import settings_for

# uvicorn imports the factory by name, so the CLI never imports the web package itself, and
# the same string works with --reload (which needs an import string to restart the worker).
APP_FACTORY = "productpath.web.app:create_app"


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    reload: bool = typer.Option(
        False, "--reload/--no-reload", help="Restart when the source changes (development)."
    ),
) -> None:
    """Serve the web UI (dashboard, roadmap, delivery, code health, radar), each page with a
    JSON twin."""
    from productpath.services.workspace import open_workspace

    settings = settings_for(ctx)
    # Open once here so a missing or broken workspace fails with the usual one-line error
    # instead of a traceback from inside the server's start-up.
    with open_workspace(settings) as handle:
        workspace = handle.workspace

    import uvicorn

    # The factory reads its settings from the environment (a --reload worker is a fresh
    # process), so hand it the workspace this command resolved, --workspace included.
    os.environ["PRODUCTPATH_WORKSPACE"] = str(workspace.root)
    if settings.database_url:
        os.environ["PRODUCTPATH_DATABASE_URL"] = settings.database_url
    if "PRODUCTPATH_ALLOWED_HOSTS" not in os.environ:
        os.environ["PRODUCTPATH_ALLOWED_HOSTS"] = _allowed_hosts(settings.allowed_hosts, host)
    typer.echo(f"Serving {workspace.name} at http://{host}:{port}")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        reload_dirs=[str(Path(__file__).resolve().parent.parent)] if reload else None,
        log_level="info",
    )


def _allowed_hosts(defaults: str, host: str) -> str:
    """The host names to answer to when listening on ``host``."""
    if host in {"0.0.0.0", "::"}:
        # Listening on every interface: the names people will use are unknown here.
        typer.echo(
            "note: listening on all interfaces; any host name is accepted and there is no "
            "log-in, so anyone who can reach this machine can read the workspace",
            err=True,
        )
        return "*"
    return f"{defaults},{host}"


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("serve")(serve)
