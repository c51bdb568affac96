"""productpath connect / sources / sync: live sources read through their APIs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

connect_app = typer.Typer(
    help="Register a live source (read through its API by 'productpath sync').",
    no_args_is_help=True,
)
sources_app = typer.Typer(help="List, show and remove live sources.", no_args_is_help=True)


_TOKEN_ENV_HELP = (
    "The NAME of the environment variable holding the token (the token is never stored)."
)
_KEYRING_HELP = (
    "Read the token from the OS keyring entry SERVICE:USER instead (store it with "
    "'keyring set SERVICE USER')."
)
_EVERY_HELP = "How often it should be synced: 30s, 15m, 2h, 1d."


def _token_env() -> Any:
    return typer.Option(None, "--token-env", help=_TOKEN_ENV_HELP)


def _token_keyring() -> Any:
    return typer.Option(None, "--token-keyring", help=_KEYRING_HELP)


def _every() -> Any:
    return typer.Option(None, "--every", help=_EVERY_HELP)


def _register(ctx: typer.Context, connect: Callable[..., Any], name: str, **options: Any) -> Any:
    """Register source ``name`` with the service's ``connect`` function and ``options``."""
    with open_from(ctx) as handle:
        return connect(handle, name, **options)


def _connected(row: Any, what: str) -> None:
    typer.echo(
        f"Connected source '{row.name}' ({what}); run 'productpath sync {row.name}' to read it"
    )


@connect_app.command("github")
def connect_github(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the source, used by 'sync NAME'."),
    repo: str = typer.Option(..., "--repo", help="The repository, OWNER/NAME."),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        help="The REST API root, for GitHub Enterprise (https://HOST/api/v3); "
        "default https://api.github.com.",
    ),
    token_env: str | None = typer.Option(
        None,
        "--token-env",
        help="The NAME of the environment variable holding the token (the token is never "
        "stored). Leave out for a public repository.",
    ),
    token_keyring: str | None = _token_keyring(),
    every: str | None = _every(),
    as_: str = typer.Option(
        "tracker",
        "--as",
        help="What the issues become: tracker (items, with pull requests) or feedback (as "
        "'feedback import --format github-issues' maps them).",
    ),
    commits: bool = typer.Option(
        False,
        "--commits",
        help="Also read the default branch's commits through the API, as 'git ingest' stores "
        "a clone's (no clone needed; no file lists).",
    ),
) -> None:
    """Register a GitHub repository's issues and pull requests as a source."""
    from productpath.errors import InputError
    from productpath.services.work.sources import connect_github as connect

    if as_ not in ("tracker", "feedback"):
        raise InputError(f"--as takes tracker or feedback, not '{as_}'", field="as")
    with open_from(ctx) as handle:
        row = connect(
            handle,
            name,
            repo=repo,
            api_url=api_url,
            token_env=token_env,
            every=every,
            token_keyring=token_keyring,
            as_feedback=as_ == "feedback",
            commits=commits,
        )
    into = "as feedback" if as_ == "feedback" else "into the tracker"
    _connected(row, f"GitHub {repo} at {row.settings['api_url']}, {into}")


@connect_app.command("jira")
def connect_jira(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the source, used by 'sync NAME'."),
    site: str = typer.Option(..., "--site", help="The Jira site, e.g. https://acme.atlassian.net."),
    jql: str = typer.Option(..., "--jql", help="The issues to read, e.g. 'project = SHOP'."),
    user_env: str | None = typer.Option(
        None,
        "--user-env",
        help="The NAME of the environment variable holding the account's e-mail (Jira Cloud); "
        "leave out for a Data Center personal access token.",
    ),
    token_env: str | None = _token_env(),
    token_keyring: str | None = _token_keyring(),
    every: str | None = _every(),
) -> None:
    """Register the Jira issues a JQL query selects (tracker items, with status history)."""
    from productpath.services.work.sources import connect_jira as connect

    row = _register(
        ctx,
        connect,
        name,
        site=site,
        jql=jql,
        user_env=user_env,
        token_env=token_env,
        token_keyring=token_keyring,
        every=every,
    )
    _connected(row, f"Jira {row.settings['site']}: {jql}")


@connect_app.command("zendesk")
def connect_zendesk(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the source, used by 'sync NAME'."),
    site: str = typer.Option(..., "--site", help="The account, e.g. https://acme.zendesk.com."),
    user_env: str = typer.Option(
        ..., "--user-env", help="The NAME of the environment variable holding the agent's e-mail."
    ),
    token_env: str | None = _token_env(),
    token_keyring: str | None = _token_keyring(),
    every: str | None = _every(),
) -> None:
    """Register a Zendesk account's tickets as feedback (with their organisation)."""
    from productpath.services.work.sources import connect_zendesk as connect

    row = _register(
        ctx,
        connect,
        name,
        site=site,
        user_env=user_env,
        token_env=token_env,
        token_keyring=token_keyring,
        every=every,
    )
    _connected(row, f"Zendesk {row.settings['site']} tickets as feedback")


@connect_app.command("intercom")
def connect_intercom(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the source, used by 'sync NAME'."),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        help="The API root: https://api.intercom.io (default), api.eu.intercom.io or "
        "api.au.intercom.io for those regions.",
    ),
    token_env: str | None = _token_env(),
    token_keyring: str | None = _token_keyring(),
    every: str | None = _every(),
) -> None:
    """Register an Intercom workspace's conversations as feedback (with their company)."""
    from productpath.services.work.sources import connect_intercom as connect

    row = _register(
        ctx,
        connect,
        name,
        api_url=api_url,
        token_env=token_env,
        token_keyring=token_keyring,
        every=every,
    )
    _connected(row, f"Intercom {row.settings['api_url']} conversations as feedback")


@connect_app.command("app-store")
def connect_app_store(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the source, used by 'sync NAME'."),
    app: str = typer.Option(..., "--app", help="The app's Apple ID (digits)."),
    api_url: str | None = typer.Option(
        None, "--api-url", help="The API root (default https://api.appstoreconnect.apple.com)."
    ),
    token_env: str | None = _token_env(),
    token_keyring: str | None = _token_keyring(),
    every: str | None = _every(),
    key_id: str | None = typer.Option(
        None,
        "--key-id",
        help="The API key's id: the secret is then the key (.p8 text) and each sync signs "
        "its own token.",
    ),
    issuer_id: str | None = typer.Option(
        None, "--issuer-id", help="The issuer id shown with the team's API keys."
    ),
) -> None:
    """Register an App Store app's customer reviews as feedback (App Store Connect API)."""
    from productpath.services.work.sources import connect_app_store as connect

    row = _register(
        ctx,
        connect,
        name,
        app=app,
        api_url=api_url,
        token_env=token_env,
        token_keyring=token_keyring,
        every=every,
        key_id=key_id,
        issuer_id=issuer_id,
    )
    _connected(row, f"App Store app {app} reviews as feedback")


@connect_app.command("google-play")
def connect_google_play(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the source, used by 'sync NAME'."),
    package: str = typer.Option(..., "--package", help="The app's package, com.example.app."),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        help="The API root (default https://androidpublisher.googleapis.com).",
    ),
    token_env: str | None = _token_env(),
    token_keyring: str | None = _token_keyring(),
    every: str | None = _every(),
    service_account: bool = typer.Option(
        False,
        "--service-account",
        help="The secret is a service account's JSON key (exchanged for an access token at "
        "each sync), not an access token.",
    ),
) -> None:
    """Register a Google Play app's reviews as feedback (Play Developer API)."""
    from productpath.services.work.sources import connect_google_play as connect

    row = _register(
        ctx,
        connect,
        name,
        package=package,
        api_url=api_url,
        token_env=token_env,
        token_keyring=token_keyring,
        every=every,
        service_account=service_account,
    )
    _connected(row, f"Google Play {package} reviews as feedback")


@sources_app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the sources with their latest sync."""
    from productpath.services.work.sources import list_sources

    with open_from(ctx) as handle:
        rows = list_sources(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No sources; add one with 'productpath connect github NAME --repo OWNER/NAME'.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in ("name", "kind", "reads", "every", "last sync", "result"):
        table.add_column(column)
    for row in rows:
        last = row.runs[0] if row.runs else None
        table.add_row(
            row.name,
            row.kind,
            _reads(row.settings),
            row.every or "",
            last.started_at.strftime("%Y-%m-%d %H:%M") if last else "never",
            _result(last.as_dict()) if last else "",
        )
    Console().print(table)


@sources_app.command("show")
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The source's name."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one source: what it reads, its cursor and its latest syncs."""
    from productpath.services.work.sources import show_source

    with open_from(ctx) as handle:
        row = show_source(handle, name)
    if as_json:
        print_json(row.as_dict())
        return
    typer.echo(f"{row.name} ({row.kind})")
    for key, value in row.settings.items():
        typer.echo(f"  {key}: {value}")
    keyring = row.settings.get("token_keyring")
    place = f"${row.token_env}" if row.token_env else f"keyring {keyring}" if keyring else None
    typer.echo(f"  token from: {place or 'none (public)'}")
    typer.echo(f"  every: {row.every or 'by hand'}")
    typer.echo(f"  changes read up to: {row.cursor or 'nothing read yet'}")
    for run in row.runs:
        typer.echo(f"  {run.started_at:%Y-%m-%d %H:%M:%S} {_result(run.as_dict())}")
        for reason in run.skipped:
            typer.echo(f"    skipped {reason}")


@sources_app.command("remove")
def remove(ctx: typer.Context, name: str = typer.Argument(..., help="The source's name.")) -> None:
    """Remove a source and its sync log; the items it brought stay."""
    from productpath.services.work.sources import remove_source

    with open_from(ctx) as handle:
        remove_source(handle, name)
    typer.echo(f"Removed source '{name}'")


def sync(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="The source to sync; all of them if left out."),
    full: bool = typer.Option(
        False, "--full", help="Read everything again instead of only what changed."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the reports as JSON."),
) -> None:
    """Pull what changed in the sources since their last sync."""
    from productpath.services.work.source_sync import sync_sources

    with open_from(ctx) as handle, _progress() as progress:
        reports = sync_sources(handle, name, full=full, progress=progress)
    for report in reports:
        for reason in report.skipped:
            typer.echo(f"skipped {reason}", err=True)
    if as_json:
        print_json([report.as_dict() for report in reports])
        return
    if not reports:
        typer.echo("No sources; add one with 'productpath connect github NAME --repo OWNER/NAME'.")
    for report in reports:
        news = "nothing new" if report.not_modified else f"{report.added} new"
        commits = f"{report.commits} new commits " if report.commits else ""
        typer.echo(
            f"Synced '{report.source}': {news}, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.skipped)} skipped "
            f"{commits}({report.requests} requests, {report.seconds:.1f} s)"
        )


def _reads(settings: dict[str, Any]) -> str:
    for key in ("repo", "jql", "app", "package", "site", "api_url"):
        if settings.get(key):
            return str(settings[key])
    return ""


def _result(run: dict[str, Any]) -> str:
    if run["error"]:
        return f"failed: {run['error']}"
    if run["finished_at"] is None:
        return "cut off"
    return (
        f"{run['added']} new, {run['updated']} updated, {run['unchanged']} unchanged, "
        f"{len(run['skipped'])} skipped, {run['requests']} requests"
    )


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int | None], None]]:
    """A bar of pages read per source on stderr (a spinner until the total is known); silent
    when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("Syncing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(source: str, pages: int, total: int | None) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(source, total=None)
            bar.update(tasks[source], completed=pages, total=total)

        yield update


def register(root: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    root.add_typer(connect_app, name="connect")
    root.add_typer(sources_app, name="sources")
    root.command("sync")(sync)
