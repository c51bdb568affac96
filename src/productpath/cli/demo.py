"""productpath demo: build the Pocket demo workspace, then serve the web UI on it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

DEFAULT_DIR = Path("demo-workspace")


def demo(
    ctx: typer.Context,
    directory: Path = typer.Option(
        DEFAULT_DIR,
        "--dir",
        file_okay=False,
        help="Folder to build the demo in: created when missing, rebuilt when it holds a demo.",
    ),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the web UI on the demo once it is built."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to serve on."),
    today: dt.datetime | None = typer.Option(
        None,
        "--today",
        formats=["%Y-%m-%d"],
        help="Build as if today were this date (YYYY-MM-DD), for a reproducible demo.",
    ),
) -> None:
    """Build "Pocket", a demo mobile-payments workspace, and serve the web UI on it."""
    import os
    import shlex

    from rich.console import Console

    from productpath.cli.common import CliState
    from productpath.demo import build_demo

    console = Console(stderr=True)
    with console.status("Building the Pocket demo...") as status:
        summary = build_demo(
            directory,
            today=today.date() if today is not None else None,
            progress=lambda step: status.update(f"{step}..."),
        )

    where = shlex.quote(str(directory))
    span = ""
    if summary.feedback_from is not None and summary.feedback_to is not None:
        span = f" from {summary.feedback_from} to {summary.feedback_to}"
    typer.echo(f"Built the {summary.product} demo in {summary.root}")
    typer.echo(
        f"  {summary.initiatives} initiatives ({summary.dependencies} dependencies), "
        f"{summary.teams} teams, {summary.milestones} milestones, "
        f"{summary.objectives} objectives"
    )
    typer.echo(f"  {summary.customers} customers in {summary.segments} segments")
    typer.echo(f"  {summary.feedback_items:,} feedback items{span}")
    typer.echo(f"  {summary.themes} themes found in them, {summary.emerging_themes} emerging")
    typer.echo(
        f"  {summary.commits:,} commits by {summary.contributors} people in pocket-app/, "
        f"{summary.tracker_items} Jira issues, {summary.work_links:,} links from work to "
        "initiatives"
    )
    typer.echo("")
    typer.echo("Next steps:")
    typer.echo(f"  productpath -w {where} roadmap show")
    typer.echo(f"  productpath -w {where} roadmap apply {where}/roadmap.yaml   # after editing it")
    typer.echo(f"  productpath -w {where} themes list")
    typer.echo(f"  productpath -w {where} roadmap score")
    typer.echo(f"  productpath -w {where} forecast roadmap")
    typer.echo(f"  productpath -w {where} delivery status")
    typer.echo(f"  productpath code health {where}/pocket-app")
    typer.echo(f"  productpath -w {where} serve")
    if not serve:
        return

    from productpath.cli.serve import serve as serve_command

    typer.echo("")
    # The demo lives in the SQLite file inside its folder; serve exactly that, even when the
    # environment points productpath at another database.
    os.environ.pop("PRODUCTPATH_DATABASE_URL", None)
    ctx.ensure_object(CliState).workspace = summary.root
    serve_command(
        ctx,
        host=host,
        port=port,
        reload=False,
        workers=1,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("demo")(demo)
