"""productpath search QUERY: one ranked search over the roadmap, themes, feedback, decisions,
stakeholders and customers (the web's search box, from the terminal)."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

# Kept here rather than imported: ``productpath --help`` must not load the services.
TYPES_HELP = (
    "Only this type (repeatable): initiative, objective, milestone, theme, feedback, "
    "decision, stakeholder or customer."
)


def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Words to find; every word must match."),
    type_: list[str] = typer.Option([], "--type", "-t", help=TYPES_HELP),
    limit: int = typer.Option(20, "--limit", "-n", help="At most this many results (1-100)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Search everything: best match first, with each hit's type, key and where it is shown.

    Quotes, '*', 'OR' and other symbols are ordinary text, never operators."""
    from productpath.services.search import parse_types
    from productpath.services.search import search as run_search

    kinds = parse_types(type_ or None)
    with open_from(ctx) as handle:
        found = run_search(handle, query, kinds=kinds, limit=limit)
    if as_json:
        print_json(found.model_dump(mode="json")["results"])
        return
    if not found.results:
        typer.echo(f"Nothing matches '{query[:80]}'.")
        return
    for r in found.results:
        ref = r.key if r.key is not None else f"#{r.id}"
        typer.echo(f"{r.type:<12} {ref:<20} {r.title}{' (archived)' if r.archived else ''}")
        if r.snippet and r.snippet != r.title:
            typer.echo(f"{'':<12} {'':<20} {r.snippet}")


def register(app: typer.Typer) -> None:
    app.command("search")(search)
