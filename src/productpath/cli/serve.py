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
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Worker processes (team server: about one per CPU core; PostgreSQL recommended).",
    ),
    proxy_headers: bool = typer.Option(
        True,
        "--proxy-headers/--no-proxy-headers",
        help="Take the client address and scheme from X-Forwarded-For / X-Forwarded-Proto, "
        "when the request comes from an address in --forwarded-allow-ips (a reverse proxy).",
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        "--forwarded-allow-ips",
        help="Comma-separated proxy addresses whose X-Forwarded-* headers are trusted "
        "(with --proxy-headers).",
    ),
) -> None:
    """Serve the web UI (dashboard, roadmap, delivery, code health, radar), each page with a
    JSON twin."""
    from productpath.services.workspace import open_workspace

    if reload and workers > 1:
        raise typer.BadParameter("--reload runs one process; drop --workers", param_hint="--reload")
    settings = settings_for(ctx)
    # Open once here so a missing or broken workspace fails with the usual one-line error
    # instead of a traceback from inside the server's start-up.
    with open_workspace(settings) as handle:
        workspace = handle.workspace
        _check_exposure(handle, host)

    import uvicorn

    # The factory reads its settings from the environment (a --reload worker is a fresh
    # process), so hand it the workspace this command resolved, --workspace included.
    os.environ["PRODUCTPATH_WORKSPACE"] = str(workspace.root)
    if settings.database_url:
        os.environ["PRODUCTPATH_DATABASE_URL"] = settings.database_url
    if "PRODUCTPATH_ALLOWED_HOSTS" not in os.environ:
        os.environ["PRODUCTPATH_ALLOWED_HOSTS"] = _allowed_hosts(settings.allowed_hosts, host)
    if workers > 1 and workspace.uses_sqlite:
        typer.echo(
            f"note: {workers} workers share one SQLite file: fine on one machine, but a team "
            "server should use PostgreSQL (PRODUCTPATH_DATABASE_URL)",
            err=True,
        )
    several = f" ({workers} workers)" if workers > 1 else ""
    typer.echo(f"Serving {workspace.name} at http://{host}:{port}{several}")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        reload_dirs=[str(Path(__file__).resolve().parent.parent)] if reload else None,
        # Each worker process imports the factory and builds its own app from the
        # PRODUCTPATH_* environment set above.
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="info",
    )


def _allowed_hosts(defaults: str, host: str) -> str:
    """The host names to answer to when listening on ``host``."""
    if host in {"0.0.0.0", "::"}:
        # Listening on every interface: the names people will use are unknown here.
        typer.echo(
            "note: listening on all interfaces; any host name is accepted, and everyone who "
            "can reach this machine gets the log-in page (put it behind https)",
            err=True,
        )
        return "*"
    return f"{defaults},{host}"


LOOPBACK = {"127.0.0.1", "::1", "localhost", "[::1]"}


def _check_exposure(handle: object, host: str) -> None:
    """No accounts means no log-in (local mode): then only this machine may connect."""
    from productpath.errors import WorkspaceError
    from productpath.services.accounts import has_users

    if host in LOOPBACK or host.startswith("127."):
        return
    if not has_users(handle):  # type: ignore[arg-type]
        raise WorkspaceError(
            f"refusing to serve on {host}: this workspace has no user accounts, so anyone who "
            "could connect would be its admin; add one first with "
            "'productpath users add EMAIL --role admin'"
        )


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("serve")(serve)
