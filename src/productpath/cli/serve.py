"""productpath serve: the web UI for this workspace."""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from productpath.cli.common import settings_for
from productpath.errors import ProductpathError

if TYPE_CHECKING:
    from productpath.settings import Settings
    from productpath.workspace import Workspace

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
        login_required = _check_exposure(handle, host)
    # Bound before anything is printed, so a port in use is one error line and exit 1;
    # uvicorn serves this very socket, so nothing can take the port in between.
    with (
        _listen(host, port) as listener,
        tempfile.TemporaryDirectory(prefix="productpath-serve-") as shared,
    ):
        _hand_over(workspace, settings, host, workers)
        _hand_over_login(login_required, Path(shared) / "login-required")
        several = f" ({workers} workers)" if workers > 1 else ""
        typer.echo(f"Serving {workspace.name} at http://{host}:{port}{several}")
        _run_uvicorn(
            listener,
            reload=reload,
            workers=workers,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
        )


def _hand_over(workspace: Workspace, settings: Settings, host: str, workers: int) -> None:
    """Put what the app factory needs in the environment, with a note where it matters."""
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


def _hand_over_login(required: bool, latch: Path) -> None:
    """Tell every worker, including ones uvicorn starts later, what was decided at start-up.

    Log-in is required from the start when accounts exist now or the address is beyond
    loopback; the latch file lets a worker that sees an account later turn it on for all of
    them (web/login_gate.py). Nothing a worker does can turn it off again.
    """
    os.environ["PRODUCTPATH_REQUIRE_LOGIN"] = "1" if required else "0"
    os.environ["PRODUCTPATH_LOGIN_LATCH"] = str(latch)
    if required:
        latch.touch()


def _run_uvicorn(
    listener: socket.socket,
    *,
    reload: bool,
    workers: int,
    proxy_headers: bool,
    forwarded_allow_ips: str,
) -> None:
    """Serve the app factory on ``listener`` until Ctrl+C."""
    import uvicorn

    host, port = listener.getsockname()[:2]
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        # uvicorn's public way to take a socket already bound; with --workers or --reload its
        # processes share it too.
        fd=listener.fileno(),
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


def _listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port``; a ProductpathError in one line when it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn does: a restart may reuse the port while the last run's connections linger.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # uvicorn rebuilds a socket handed over by descriptor as a Unix one, and asyncio then skips
    # TCP_NODELAY on the connections it accepts; set here, every accepted connection inherits it.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listener.bind((host, port))
        # Listening at once holds the port: with SO_REUSEADDR, two sockets that are bound but
        # not yet listening can share it, and the loser would only fail inside uvicorn.
        listener.listen()
    except OSError as exc:
        listener.close()
        raise ProductpathError(_cannot_listen(host, port, exc)) from None
    # uvicorn's worker and reload processes take the socket from this one.
    listener.set_inheritable(True)
    return listener


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use; choose another with --port"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port} on {host}; choose another with --port"
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: not an address of this machine; check --host"
    return f"cannot listen on port {port} on {host}: {exc.strerror or exc}"


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


def _check_exposure(handle: object, host: str) -> bool:
    """Whether the server must ask for a log-in; refuses to serve beyond loopback without one.

    No accounts means no log-in (local mode): then only this machine may connect.
    """
    from productpath.errors import WorkspaceError
    from productpath.services.accounts import has_users

    accounts = has_users(handle)  # type: ignore[arg-type]
    if host in LOOPBACK or host.startswith("127."):
        return accounts
    if not accounts:
        raise WorkspaceError(
            f"refusing to serve on {host}: this workspace has no user accounts, so anyone who "
            "could connect would be its admin; add one first with "
            "'productpath users add EMAIL --role admin'"
        )
    return True


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("serve")(serve)
