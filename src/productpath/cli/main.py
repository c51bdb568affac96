"""The root ``productpath`` command. Groups live in their own modules; heavy imports stay lazy."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import typer

from productpath import __version__
from productpath.cli.common import CliState, ProductpathGroup, settings_for


def _root() -> typer.Typer:
    """The root command with ``init`` and no group yet (see :func:`build`)."""
    root = typer.Typer(
        name="productpath",
        cls=ProductpathGroup,
        help="A local-first workbench for technical product managers.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_show_locals=False,
    )
    root.callback()(root_options)
    root.command()(init)
    return root


def _version(value: bool) -> None:
    if value:
        typer.echo(f"productpath {__version__}")
        raise typer.Exit()


def root_options(
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


# Every module with commands, in the order the root's help lists them, with the command words
# each adds: a group module's ``app`` is added under its word, the others ``register`` theirs.
# tests/test_cli_one_command.py holds these words to what the modules register.
GROUP_MODULES = (
    "roadmap",
    "feedback",
    "customers",
    "code",
    "stack",
    "git",
    "tracker",
    "delivery",
    "insights",
    "themes",
    "curation",
    "competitors",
    "forecast",
    "kpi",
    "experiment",
    "decision",
)
REGISTERING_MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("serve", ("serve",)),
    ("retro", ("retro",)),
    ("demo", ("demo",)),
    ("report", ("report",)),
    ("stakeholders", ("stakeholders",)),
    ("digest", ("digest",)),
    ("users", ("users",)),
    ("tokens", ("tokens",)),
    ("db", ("db",)),
    ("portability", ("backup", "restore", "export", "import")),
    ("sources", ("connect", "sources", "sync")),
    ("search", ("search",)),
    ("jobs", ("worker", "jobs")),
)


def build(word: str | None = None) -> typer.Typer:
    """The root with every command, or, when ``word`` is a command word one module adds, with
    that module's commands only: a command then imports its own module, not the other ~30
    (a tenth of a CPU second of a listing's half second)."""
    root = _root()
    named = [m for m in GROUP_MODULES if m == word]
    named += [m for m, words in REGISTERING_MODULES if word in words]
    if word == "init":
        return root
    chosen = set(named) if named else None
    for module in GROUP_MODULES:
        if chosen is None or module in chosen:
            root.add_typer(_module(module).app, name=module)
    for module, _words in REGISTERING_MODULES:
        if chosen is None or module in chosen:
            _module(module).register(root)
    return root


def _module(name: str) -> Any:
    return importlib.import_module(f"productpath.cli.{name}")


def __getattr__(name: str) -> Any:
    """``app``, the root with every command (tests and the docs check read it), built once."""
    if name != "app":
        raise AttributeError(name)
    built = build()
    globals()["app"] = built
    return built


def run() -> None:
    args = sys.argv[1:]
    root = build(_command_word(args))
    keep_only_the_named_command(root, args)
    root()


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
