"""productpath delivery ...: work linked to initiatives, delivery status and risks, flow metrics.

Only typer (and the standard library) is imported at module level; services and Rich load inside
each command so that ``productpath --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

TODAY_OPTION = typer.Option(
    None,
    "--today",
    formats=["%Y-%m-%d"],
    help="Evaluate as of this day, YYYY-MM-DD (default: today), for reproducible reports.",
)


app = typer.Typer(
    help="Link commits and tracker items to initiatives; delivery status, risks, flow metrics.",
    no_args_is_help=True,
)


@app.command()
def status(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    stale_days: int = typer.Option(
        14, "--stale-days", min=1, help="Days without activity after which work is stale."
    ),
    today: dt.datetime | None = TODAY_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """Progress, projection and risks of every initiative, rolled up per milestone."""
    from productpath.services.delivery import delivery_status

    with open_from(ctx) as handle:
        result = delivery_status(
            handle, stale_days=stale_days, today=today.date() if today else None
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    from productpath.cli.delivery_print import print_status

    print_status(result, wide=wide)


@app.command()
def metrics(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    since: dt.datetime | None = typer.Option(
        None,
        "--since",
        formats=["%Y-%m-%d"],
        help="First day of the window, YYYY-MM-DD (default: 12 weeks ago).",
    ),
    today: dt.datetime | None = TODAY_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """Throughput, cycle and lead time, deployment frequency and change-failure proxy."""
    from productpath.services.delivery import delivery_metrics

    with open_from(ctx) as handle:
        result = delivery_metrics(
            handle,
            since=since.date() if since else None,
            today=today.date() if today else None,
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    from productpath.cli.delivery_print import print_metrics

    print_metrics(result, wide=wide)


@app.command()
def link(
    ctx: typer.Context,
    initiative: str = typer.Argument(..., help="The initiative's id in roadmap.yaml."),
    refs: list[str] = typer.Argument(
        ..., help="Commit shas (at least 7 characters) or tracker keys such as POCKET-42."
    ),
) -> None:
    """Link commits or tracker items to an initiative by hand; relinking keeps these links."""
    from productpath.services.delivery import link_manually

    with open_from(ctx) as handle:
        made = link_manually(handle, initiative, refs)
    noun = "link" if made == 1 else "links"
    typer.echo(f"Linked to {initiative}: {made} new manual {noun} ({len(refs)} refs given)")


@app.command()
def unlink(
    ctx: typer.Context,
    initiative: str = typer.Argument(..., help="The initiative's id in roadmap.yaml."),
    refs: list[str] = typer.Argument(..., help="Commit shas or tracker keys linked by hand."),
) -> None:
    """Remove manual links made with 'delivery link' (automatic links come from the rules)."""
    from productpath.services.delivery import unlink_manually

    with open_from(ctx) as handle:
        removed = unlink_manually(handle, initiative, refs)
    noun = "link" if removed == 1 else "links"
    typer.echo(f"Removed {removed} manual {noun} from {initiative}")


@app.command()
def unlinked(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show at most N rows."),
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """List commits and tracker items that link to no initiative, newest first."""
    from productpath.services.delivery import unlinked_work

    with open_from(ctx) as handle:
        rows = unlinked_work(handle, limit=limit)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("All work is linked to an initiative.")
        return
    from productpath.cli.delivery_print import print_unlinked

    print_unlinked(rows, wide=wide)


@app.command()
def relink(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Recompute the automatic links now and print how many each rule made."""
    from productpath.services.delivery import relink as run_relink

    with open_from(ctx) as handle:
        report = run_relink(handle)
    if as_json:
        print_json(report.as_dict())
        return
    from productpath.cli.delivery_print import print_link_report

    print_link_report(report)
