"""`productpath stakeholders list|add|update|remove|map|grid|raci`."""

from __future__ import annotations

from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, atomic_output, open_from, print_json

group = typer.Typer(
    help="The stakeholder registry: who needs to know what, RACI, power/interest.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(group, name="stakeholders")


@group.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """List stakeholders: audience, power/interest, channel and cadence."""
    from productpath.services.listings import list_stakeholders

    with open_from(ctx) as handle:
        rows = list_stakeholders(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo(
            "No stakeholders yet; add one with 'productpath stakeholders add NAME --email ...' "
            "or list them under 'stakeholders:' in roadmap.yaml."
        )
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from productpath.cli.common import drop_until_fits, widen_to_fit

    console = Console()
    full = wide or console.width >= 120  # role and address only where they fit
    from rich.table import Column

    # One line per stakeholder: keys are what the other commands take, so nothing is cut; in
    # a narrow terminal cadence and then channel are left out until the rest fits.
    headers = ["key", "name", "audience", "pow/int", "channel", "cadence"]
    headers += ["role", "to"] if full else []
    table = Table(*(Column(h, no_wrap=True) for h in headers))
    for row in rows:
        cells = [row.key, row.name, row.audience, f"{row.power}/{row.interest}", row.channel]
        cells.append(row.cadence)
        if full:
            role = ", ".join(part for part in (row.role, row.organisation) if part)
            to = row.email if row.channel == "email" else (row.webhook or "")
            cells += [role, to or ""]
        table.add_row(*(escape(cell) for cell in cells))
    dropped = [] if wide else drop_until_fits(console, table, ("cadence", "channel"))
    if wide:
        widen_to_fit(console, table)
    console.print(table)
    if not full:
        hidden = ", ".join([*dropped, "role", "address"]).capitalize()
        console.print(f"[dim]{hidden}: --wide, or a wider terminal.[/]")


# The options add and update share; None means "not given", so an update keeps the rest.
ROLE = typer.Option(None, "--role", help="Their job title, e.g. 'CFO'.")
ORG = typer.Option(None, "--org", help="Their team or organisation.")
EMAIL = typer.Option(None, "--email", help="E-mail address for digests.")
AUDIENCE = typer.Option(
    None,
    "--audience",
    help="executive, engineering, sales_support or customer (default engineering): "
    "decides which report their digest carries.",
)
POWER = typer.Option(None, "--power", help="low or high (default low).")
INTEREST = typer.Option(None, "--interest", help="low or high (default low).")
CHANNEL = typer.Option(None, "--channel", help="email, webhook or none (default email).")
WEBHOOK_URL = typer.Option(
    None, "--webhook-url", help="Where the webhook channel posts (http or https URL)."
)
CADENCE = typer.Option(
    None, "--cadence", help="weekly, biweekly, monthly or none (default weekly)."
)


@group.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The stakeholder's full name."),
    role: str | None = ROLE,
    org: str | None = ORG,
    email: str | None = EMAIL,
    audience: str | None = AUDIENCE,
    power: str | None = POWER,
    interest: str | None = INTEREST,
    channel: str | None = CHANNEL,
    webhook_url: str | None = WEBHOOK_URL,
    cadence: str | None = CADENCE,
    key: str | None = typer.Option(
        None, "--key", help="Stable key (default: made from the name, e.g. 'ada-lovelace')."
    ),
) -> None:
    """Add a stakeholder, or update the one with the same key and name (only the options
    given). A key held under another name is refused: rename with 'stakeholders update'."""
    from productpath.services.history import local_actor
    from productpath.services.stakeholders import StakeholderInput, save_stakeholder

    given = StakeholderInput(
        name=name,
        key=key,
        role=role,
        organisation=org,
        email=email,
        audience=audience,
        power=power,
        interest=interest,
        channel=channel,
        webhook_url=webhook_url,
        cadence=cadence,
    )
    with open_from(ctx) as handle:
        row, outcome = save_stakeholder(handle, given, actor=local_actor(), via="cli")
    typer.echo(f"Stakeholder '{row.key}' ({row.name}) {outcome}.")


@group.command("update")
def update(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The stakeholder's key."),
    name: str | None = typer.Option(None, "--name", help="Their new full name."),
    role: str | None = ROLE,
    org: str | None = ORG,
    email: str | None = EMAIL,
    audience: str | None = AUDIENCE,
    power: str | None = POWER,
    interest: str | None = INTEREST,
    channel: str | None = CHANNEL,
    webhook_url: str | None = WEBHOOK_URL,
    cadence: str | None = CADENCE,
) -> None:
    """Change only the options given of the stakeholder with KEY (the name with --name)."""
    from productpath.services.history import local_actor
    from productpath.services.stakeholders import StakeholderInput, update_stakeholder

    given = StakeholderInput(
        name=name,
        role=role,
        organisation=org,
        email=email,
        audience=audience,
        power=power,
        interest=interest,
        channel=channel,
        webhook_url=webhook_url,
        cadence=cadence,
    )
    with open_from(ctx) as handle:
        row, outcome = update_stakeholder(handle, key, given, actor=local_actor(), via="cli")
    typer.echo(f"Stakeholder '{row.key}' ({row.name}) {outcome}.")


@group.command("remove")
def remove(
    ctx: typer.Context, key: str = typer.Argument(..., help="The stakeholder's key.")
) -> None:
    """Remove a stakeholder, with their RACI assignments and digest log."""
    from productpath.services.stakeholders import remove_stakeholder

    with open_from(ctx) as handle:
        remove_stakeholder(handle, key)
    typer.echo(f"Stakeholder '{key}' removed.")


@group.command("map")
def map_(
    ctx: typer.Context,
    initiative: str = typer.Argument(..., help="The initiative's key."),
    stakeholder: str = typer.Argument(..., help="The stakeholder's key."),
    raci: str | None = typer.Option(
        None, "--raci", help="R (responsible), A (accountable), C (consulted) or I (informed)."
    ),
    remove_: bool = typer.Option(
        False, "--remove", help="Take the stakeholder off the initiative instead."
    ),
) -> None:
    """Give STAKEHOLDER a RACI role on INITIATIVE (or take it away with --remove)."""
    from productpath.errors import InputError
    from productpath.services.stakeholders import map_raci

    if remove_ == (raci is not None):
        raise InputError("give either --raci R|A|C|I or --remove")
    with open_from(ctx) as handle:
        result = map_raci(handle, initiative, stakeholder, None if remove_ else raci)
    if result.after is None:
        if result.before is None:
            typer.echo(f"'{stakeholder}' had no role on '{initiative}'; nothing changed.")
        else:
            typer.echo(f"'{stakeholder}' is no longer {result.before} on '{initiative}'.")
    elif result.before == result.after:
        typer.echo(f"'{stakeholder}' is already {result.after} on '{initiative}'.")
    else:
        was = f" (was {result.before})" if result.before else ""
        typer.echo(f"'{stakeholder}' is now {result.after} on '{initiative}'{was}.")


@group.command("grid")
def grid(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show the power/interest grid: who to manage closely, keep satisfied, inform, monitor."""
    from productpath.services.stakeholders import power_interest_grid

    with open_from(ctx) as handle:
        view = power_interest_grid(handle)
    if as_json:
        print_json(view.model_dump())
        return
    for cell in view.cells:
        names = ", ".join(f"{s.name} ({s.key})" for s in cell.stakeholders) or "-"
        typer.echo(f"{cell.advice} [power {cell.power}, interest {cell.interest}]: {names}")


@group.command("raci")
def raci(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = typer.Option(
        None,
        "--csv",
        help="Write the matrix to this CSV file instead of printing it.",
        dir_okay=False,
    ),
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """Show the RACI matrix (initiatives by stakeholders) and where accountability is unclear."""
    from productpath.services.stakeholders import raci_csv, raci_matrix

    with open_from(ctx) as handle:
        matrix = raci_matrix(handle)
    if csv_file is not None:
        with atomic_output(csv_file) as stream:
            stream.write(raci_csv(matrix))
        typer.echo(
            f"Wrote the RACI matrix ({len(matrix.rows)} initiatives, "
            f"{len(matrix.stakeholders)} stakeholders) to {csv_file}"
        )
        return
    if as_json:
        print_json(matrix.model_dump())
        return
    if not matrix.stakeholders or not matrix.rows:
        typer.echo("No RACI yet: it needs initiatives and stakeholders (see 'stakeholders map').")
        return
    from productpath.cli.stakeholders_raci_print import print_raci

    print_raci(matrix, wide=wide)
