"""productpath roadmap ...: apply roadmap.yaml, export it back, show it as tables.

Only typer is imported at module level; services and Rich load inside each command so that
``productpath --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import typer

from productpath.cli import roadmap_history, roadmap_schedule
from productpath.cli.common import JSON_OPTION, atomic_output, open_from, print_json

app = typer.Typer(
    help="Roadmap as code: apply, export and show roadmap.yaml.", no_args_is_help=True
)

PRODUCT_OPTION = typer.Option(
    None, "--product", "-p", help="Product key (default: the workspace's product)."
)


@app.command()
def apply(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The roadmap YAML file, e.g. roadmap.yaml."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the changes; write nothing."),
    force: bool = typer.Option(
        False,
        "--force",
        help="When the file and the workspace changed the same field since the file's "
        "revision, let the file's value win instead of stopping.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Validate FILE, show what changes, and apply it in one transaction.

    A file exported with a revision is merged with what changed in the workspace since."""
    from productpath.errors import RoadmapConflictError
    from productpath.services.roadmap import apply_roadmap

    with open_from(ctx) as handle:
        try:
            changes = apply_roadmap(handle, file, dry_run=dry_run, force=force)
        except RoadmapConflictError as exc:
            for line in exc.lines:
                typer.echo(f"{file}: {line}", err=True)
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None
        shown = handle.workspace.product
    if changes.product != shown:
        # Allowed (one database can hold several products), but the web UI and reports
        # show the workspace's product, so say why this roadmap will not appear there.
        typer.echo(
            f"note: {file} is the roadmap of product '{changes.product}', but this workspace "
            f"shows product '{shown}' (productpath.toml); set product = "
            f'"{changes.product}" there to see it in the web UI',
            err=True,
        )
    if as_json:
        print_json({"applied": not dry_run, **changes.as_dict()})
        return
    from productpath.cli.roadmap_print import print_diff

    print_diff(changes, file, dry_run=dry_run)
    for warning in changes.warnings:
        typer.echo(f"warning: {warning}", err=True)


@app.command()
def new(
    ctx: typer.Context,
    file: Path = typer.Argument(Path("roadmap.yaml"), help="Where to write it."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
) -> None:
    """Write a commented roadmap.yaml to start from; it applies cleanly as it is."""
    import datetime as dt

    from productpath import workspace
    from productpath.cli.common import settings_for
    from productpath.domain.roadmap_skeleton import skeleton
    from productpath.errors import InputError

    found = workspace.load(settings_for(ctx).workspace)
    if file.exists() and not force:
        raise InputError("exists already; pass --force to overwrite it", file=file)
    with atomic_output(file) as stream:
        stream.write(skeleton(found.product, found.name, dt.date.today()))
    typer.echo(f"Wrote {file}. Edit it, then: productpath roadmap apply {file}")


@app.command()
def export(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None, "--out", "-o", dir_okay=False, help="Write to this file instead of stdout."
    ),
    product: str | None = PRODUCT_OPTION,
) -> None:
    """Write the stored roadmap as YAML; applying it again changes nothing."""
    from productpath.services.roadmap import export_roadmap

    with open_from(ctx) as handle:
        text = export_roadmap(handle, product)
    if out is None:
        typer.echo(text, nl=False)
        return
    with atomic_output(out) as stream:
        stream.write(text)
    typer.echo(f"Wrote the roadmap to {out}")


@app.command()
def show(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    product: str | None = PRODUCT_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """Print the stored roadmap: objectives (with key results' progress from their KPIs),
    teams, stakeholders, milestones and initiatives."""
    from productpath.services.pages.key_results import progress_by_key
    from productpath.services.roadmap import require_roadmap, theme_labels

    with open_from(ctx) as handle:
        doc = require_roadmap(handle, product)
        progress = progress_by_key(handle, doc.product.id)
        labels = theme_labels(handle, doc.product.id)
    if as_json:
        data = doc.model_dump(mode="json")
        # The themes the initiatives cite, with their labels: a number alone says nothing.
        cited = sorted({int(t) for i in doc.initiatives for t in i.themes})
        data["themes_cited"] = [{"number": n, "label": labels.get(n)} for n in cited]
        # Each key result gains its computed progress (null without a KPI, target or values).
        for objective in data["objectives"]:
            for kr in objective["key_results"]:
                found = progress.get((objective["id"], kr["id"]))
                kr["progress"] = found.model_dump(mode="json") if found else None
        print_json(data)
        return
    from productpath.cli.roadmap_print import print_roadmap

    print_roadmap(doc, progress, labels, wide=wide)


@app.command()
def score(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    product: str | None = PRODUCT_OPTION,
) -> None:
    """Rank initiatives by RICE or WSJF (productpath.toml), each term with its source."""
    from productpath.services.scoring import score_roadmap

    with open_from(ctx) as handle:
        report = score_roadmap(handle, product)
    if as_json:
        print_json(report.as_dict())
        return
    from productpath.cli.scoring_print import print_scores

    print_scores(report)


TARGETS_ARGUMENT = typer.Argument(
    ..., help="Theme numbers (3 or #3) and feedback items (source:external_id)."
)


@app.command()
def link(
    ctx: typer.Context,
    initiative: str = typer.Argument(..., help="The initiative's id in roadmap.yaml."),
    targets: list[str] = TARGETS_ARGUMENT,
) -> None:
    """Link INITIATIVE to the themes and feedback items it answers (accepted evidence)."""
    from productpath.services.evidence import link as add_links

    with open_from(ctx) as handle:
        added = add_links(handle, initiative, targets)
    typer.echo(f"Linked {added} new piece{'s' if added != 1 else ''} of evidence to {initiative}")


@app.command()
def unlink(
    ctx: typer.Context,
    initiative: str = typer.Argument(..., help="The initiative's id in roadmap.yaml."),
    targets: list[str] = TARGETS_ARGUMENT,
) -> None:
    """Remove accepted evidence links from INITIATIVE."""
    from productpath.services.evidence import unlink as remove_links

    with open_from(ctx) as handle:
        removed = remove_links(handle, initiative, targets)
    typer.echo(f"Removed {removed} link{'s' if removed != 1 else ''} from {initiative}")


@app.command("suggest-links")
def suggest_links(
    ctx: typer.Context,
    min_score: float | None = typer.Option(
        None,
        "--min-score",
        min=-1.0,
        max=1.0,
        help="Lowest cosine similarity to propose (default: the embedder's measured threshold, "
        "precision >= 0.8 on a labelled set).",
    ),
    accept: bool = typer.Option(
        False, "--accept", help="Accept every proposal shown (read them first)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Propose themes for each initiative, each with why: the similarity of its text to the
    theme and the words they share. Review them; accept the right ones with 'roadmap link'."""
    from productpath.services.evidence import suggest_links as suggest

    with open_from(ctx) as handle:
        report = suggest(handle, min_score=min_score, accept=accept)
    if as_json:
        print_json(report.as_dict())
        return
    from productpath.cli.scoring_print import print_suggestions

    print_suggestions(report)


roadmap_schedule.register(app)
roadmap_history.register(app)
