"""The root ``productpath`` command. Groups live in their own modules; heavy imports stay lazy."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from productpath import __version__
from productpath.cli import (
    code,
    competitors,
    customers,
    db,
    decision,
    delivery,
    demo,
    digest,
    experiment,
    feedback,
    forecast,
    git,
    insights,
    jobs,
    kpi,
    portability,
    report,
    retro,
    roadmap,
    search,
    serve,
    sources,
    stack,
    stakeholders,
    themes,
    tokens,
    tracker,
    users,
)
from productpath.cli.common import CliState, ProductpathGroup, settings_for

app = typer.Typer(
    name="productpath",
    cls=ProductpathGroup,
    help="A local-first workbench for technical product managers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"productpath {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        "-w",
        envvar="PRODUCTPATH_WORKSPACE",
        help="Workspace folder (default: the current folder).",
        file_okay=False,
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """A local-first workbench for technical product managers."""
    ctx.obj = CliState(workspace=workspace)


@app.command()
def init(
    ctx: typer.Context,
    name: str | None = typer.Option(None, help="Workspace and product name (default: folder)."),
) -> None:
    """Create a workspace here (productpath.toml and .productpath/), or bring one up to date."""
    from productpath.services.workspace import init_workspace

    settings = settings_for(ctx)
    created = init_workspace(settings.workspace, name, settings.database_url)
    typer.echo(f"Workspace '{created.name}' ready at {created.root}")
    typer.echo(NEXT_STEPS)


# The path from an empty folder to a first report (README, "Start with your own product").
NEXT_STEPS = """
Next steps:
  1. productpath roadmap new                  write roadmap.yaml; edit it, then
     productpath roadmap apply roadmap.yaml
  2. productpath feedback import FILE --text-column title --text-column body
     (or an issue export: --format github-issues | jira)
  3. productpath insights run                 themes, sentiment, trends; then: themes list
  4. productpath git ingest PATH/TO/REPO      and/or: tracker import EXPORT --format jira
  5. productpath report exec --format pdf --out exec.pdf
"""


app.add_typer(roadmap.app, name="roadmap")
app.add_typer(feedback.app, name="feedback")
app.add_typer(customers.app, name="customers")
app.add_typer(code.app, name="code")
app.add_typer(stack.app, name="stack")
app.add_typer(git.app, name="git")
app.add_typer(tracker.app, name="tracker")
app.add_typer(delivery.app, name="delivery")
app.add_typer(insights.app, name="insights")
app.add_typer(themes.app, name="themes")
app.add_typer(competitors.app, name="competitors")
app.add_typer(forecast.app, name="forecast")
app.add_typer(kpi.app, name="kpi")
app.add_typer(experiment.app, name="experiment")
app.add_typer(decision.app, name="decision")
serve.register(app)
retro.register(app)
demo.register(app)
report.register(app)
stakeholders.register(app)
digest.register(app)
users.register(app)
tokens.register(app)
db.register(app)
portability.register(app)
sources.register(app)
search.register(app)
jobs.register(app)


def run() -> None:
    keep_only_the_named_command(app, sys.argv[1:])
    app()


# The root options that take a value (the command's name is the first word after them).
_VALUED_ROOT_OPTIONS = ("--workspace", "-w")


def keep_only_the_named_command(root: typer.Typer, args: list[str]) -> None:
    """Leave on ``root`` only the command or group ``args`` names, when it names one.

    Typer builds the Click command of every registered command before it runs any (about a
    tenth of a CPU second here, for some ninety commands), so a listing paid for building all
    of them. The command that runs, its options, its help and its errors are the same; a
    mistyped name, ``--help`` or no command at all keeps every command (the root's help and
    "No such command" list them)."""
    name = _command_word(args)
    if name is None:
        return
    groups = [g for g in root.registered_groups if g.name == name]
    commands = [
        c
        for c in root.registered_commands
        if (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == name
    ]
    if groups or commands:
        root.registered_groups = groups
        root.registered_commands = commands


def _command_word(args: list[str]) -> str | None:
    """The first word of ``args`` that is not a root option or its value; None after --help."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("--help", "--version"):
            return None
        if arg in _VALUED_ROOT_OPTIONS:
            skip = True
            continue
        if arg.startswith("-"):
            continue  # --workspace=PATH, -wPATH, or an option the root will refuse
        return arg
    return None


if __name__ == "__main__":  # `python -m productpath.cli.main` runs the CLI too
    run()
