"""productpath competitors ...: the competitive landscape from roadmap.yaml."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(help="Competitors and feature gaps.", no_args_is_help=True)


@app.command("list")
def list_features(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print the feature matrix: each feature, our support and every competitor's."""
    from dataclasses import asdict

    from productpath.services.competitors import matrix

    with open_from(ctx) as handle:
        rows = matrix(handle)
    if as_json:
        print_json({"features": [asdict(r) for r in rows]})
        return
    from productpath.cli.competitors_print import print_matrix

    print_matrix(rows)


@app.command()
def gaps(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Features competitors have that the roadmap does not plan, and where we lead."""
    from productpath.services.competitors import competitor_gaps, gaps_dict

    with open_from(ctx) as handle:
        found = competitor_gaps(handle)
    if as_json:
        print_json(gaps_dict(found))
        return
    from productpath.cli.competitors_print import NO_FEATURES, print_gaps

    if not found.compared:
        # Nothing to compare is an empty listing (exit 0), not three empty sections.
        typer.echo(NO_FEATURES)
        return
    print_gaps(found)
