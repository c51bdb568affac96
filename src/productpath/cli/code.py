"""productpath code ...: the health of a codebase from its git history and its files.

Works on any git repository folder, inside a workspace or not: it reads history and files and
needs no database. Only typer is imported at module level.
"""

from __future__ import annotations

from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, print_json, settings_for

app = typer.Typer(
    help="Code health of a git repository: hotspots, ownership.", no_args_is_help=True
)


@app.command()
def health(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), help="The git repository folder (default: here)."),
    as_json: bool = JSON_OPTION,
    window_days: int = typer.Option(
        365, "--window-days", min=1, help="Days of history before the newest commit to measure."
    ),
    abandoned_days: int = typer.Option(
        180, "--abandoned-days", min=1, help="Days without change after which an area is abandoned."
    ),
    top: int = typer.Option(20, "--top", min=1, help="Rows per table."),
    depth: int = typer.Option(
        2, "--depth", min=1, help="Folder levels that make a directory (src/app at depth 2)."
    ),
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """Churn hotspots, bus factor per directory and abandoned areas of the repository at PATH.

    Bots own nothing: authors named *[bot], and in a workspace the [delivery] bots it lists.
    """
    from productpath.services.work.tech import code_health

    report = code_health(
        path,
        window_days=window_days,
        abandoned_days=abandoned_days,
        top=top,
        depth=depth,
        bots=_workspace_bots(ctx),
    )
    if as_json:
        print_json(report.as_dict())
        return
    from productpath.cli.code_print import print_report

    print_report(report, wide=wide)


def _workspace_bots(ctx: typer.Context) -> tuple[str, ...]:
    """The ``[delivery] bots`` of the workspace this runs in, if it runs in one."""
    from productpath import workspace
    from productpath.errors import WorkspaceError

    try:
        return workspace.load(settings_for(ctx).workspace).delivery.bots
    except WorkspaceError:  # no workspace here: the repository is read on its own
        return ()
