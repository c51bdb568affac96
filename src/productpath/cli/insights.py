"""productpath insights ...: analyse the workspace's feedback (themes, sentiment, kind, trends)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

import typer

from productpath.cli.common import JSON_OPTION, SEED_MAX, open_from, print_json

app = typer.Typer(
    help="Analyse feedback: themes, sentiment, kind and trends.", no_args_is_help=True
)


class EmbedderChoice(StrEnum):
    auto = "auto"
    minilm = "minilm"
    hashing = "hashing"


class GroupBy(StrEnum):
    repo = "repo"
    source = "source"
    segment = "segment"
    none = "none"


STAGE_NAMES = {
    "embed": "Embedding",
    "cluster": "Finding themes",
    "label": "Labelling themes",
    "kind": "Reading kinds",
    "sentiment": "Scoring sentiment",
    "trends": "Computing trends",
}


@app.command("run")
def run(
    ctx: typer.Context,
    seed: int = typer.Option(
        0, "--seed", min=0, max=SEED_MAX, help="Seed for the clustering (same seed, same themes)."
    ),
    full: bool = typer.Option(
        False, "--full", help="Re-cluster everything; themes that match keep their numbers."
    ),
    embedder_name: EmbedderChoice = typer.Option(
        EmbedderChoice.auto,
        "--embedder",
        help="auto: MiniLM when the ml extra is installed, else the lighter hashing embedder.",
    ),
    group_by: GroupBy | None = typer.Option(
        None,
        "--group-by",
        help="Find themes within each repository, source or segment (none: across all); "
        "later runs keep it.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Analyse all feedback: new items join existing themes; the first run finds the themes."""
    from productpath.services.insights import choose_embedder, run_insights

    embedder, note = choose_embedder(embedder_name.value)
    if note:
        typer.echo(note, err=True)
    with open_from(ctx) as handle, _stages() as progress:
        batches = None
        if not handle.workspace.uses_sqlite:
            # PostgreSQL: a large embedding goes to batch jobs that every worker can take.
            from productpath.services.background.job_kinds import batch_embedding, standard_runner

            batches = batch_embedding(handle, standard_runner())
        report = run_insights(
            handle,
            seed=seed,
            full=full,
            embedder=embedder,
            progress=progress,
            group_by=None if group_by is None else group_by.value,
            batches=batches,
        )
    if as_json:
        print_json(report.as_dict())
        return
    if report.mode == "none":
        typer.echo(
            "No feedback to analyse yet; import some with 'productpath feedback import FILE'."
        )
        return
    _summary(report)


def _summary(report: Any) -> None:
    how = "Re-clustered" if report.mode == "full" else "Updated"
    themes = "1 theme" if report.themes == 1 else f"{report.themes} themes"
    if report.group_by:
        themes += f" within each {report.group_by}"
    typer.echo(
        f"{how} {_items(report.items)} ({report.analysed:,} analysed, {report.embedded:,} "
        f"embedded with {report.embedder}): {themes} "
        f"({report.new_themes} new), {_items(report.unassigned)} unassigned"
        + (f", {report.dismissed:,} dismissed as not feedback." if report.dismissed else ".")
    )
    if report.note:
        typer.echo(f"note: {report.note}")
    if report.suggest_full:
        typer.echo(
            f"{_items(report.unassigned_since_full)} fit no theme since themes were last found, "
            f"enough for a new one (a theme needs {report.min_theme_size}); run "
            "'productpath insights run --full' to find new themes."
        )
    if report.dated_after_today:
        typer.echo(f"{_items(report.dated_after_today)} dated after today left out of trends.")
    for theme in report.emerging:
        typer.echo(f"emerging: #{theme.number} {theme.label}: {theme.reason}")
    typer.echo("See them with 'productpath themes list'.")


def _items(count: int) -> str:
    return f"{count:,} item" if count == 1 else f"{count:,} items"


@contextmanager
def _stages() -> Iterator[Any]:
    """One Rich progress bar per stage on stderr; silent when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    tasks: dict[str, tuple[Any, int | None]] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                for task, known in tasks.values():  # a stage is over once the next starts
                    bar.update(task, total=known or 1, completed=known or 1)
                tasks[stage] = (bar.add_task(STAGE_NAMES.get(stage, stage), total=total), total)
            task, _ = tasks[stage]
            tasks[stage] = (task, total)
            bar.update(task, completed=done, total=total)

        yield update
        for task, known in tasks.values():
            bar.update(task, total=known or 1, completed=known or 1)
