"""productpath curation ...: the log of a person's decisions on themes, and taking one back."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(
    help="Curation decisions (rename, merge, split, move, dismiss): list and undo.",
    no_args_is_help=True,
)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every curation decision, oldest first: number, what, who, when, and whether undone."""
    from productpath.services.curation import decisions

    with open_from(ctx) as handle:
        rows = decisions(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No curation decisions yet (themes rename|merge|split, feedback move|dismiss).")
        return
    for row in rows:
        when = row.set_at.strftime("%Y-%m-%d %H:%M")
        undone = f"  (undone {row.undone_at:%Y-%m-%d %H:%M})" if row.undone_at else ""
        typer.echo(f"{row.number:>4}  {when}  {row.set_by or '-':<10}  {row.summary}{undone}")


@app.command("undo")
def undo(
    ctx: typer.Context,
    number: int = typer.Argument(..., help="The decision's number, as in 'curation list'."),
) -> None:
    """Take back one decision: what it changed goes back; later decisions keep their effect."""
    from productpath.services.curation import undo as undo_decision

    with open_from(ctx) as handle:
        done = undo_decision(handle, number, by="cli", via="cli")
    typer.echo(f"Decision {done.number} {done.summary.replace('undid: ', 'undone: ', 1)}")
