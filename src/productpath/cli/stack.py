"""productpath stack ...: the dependencies of a codebase, checked against the team's tech radar.

Reads manifest files only; nothing is looked up online. Only typer is imported at module level.
"""

from __future__ import annotations

from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, print_json, settings_for

app = typer.Typer(help="Dependency inventory and the tech radar.", no_args_is_help=True)

RADAR_NAME = "radar.yaml"
RADAR_OPTION = typer.Option(
    None,
    "--radar",
    dir_okay=False,
    help=f"The tech radar YAML (default: {RADAR_NAME} in the workspace folder, if there is one).",
)


@app.command()
def inventory(
    ctx: typer.Context,
    path: Path = typer.Argument(
        Path("."), help="The folder to scan for manifests (default: here)."
    ),
    as_json: bool = JSON_OPTION,
    radar: Path | None = RADAR_OPTION,
    osv: Path | None = typer.Option(
        None, "--osv", dir_okay=False, help="An OSV-Scanner JSON export to match (read offline)."
    ),
    flagged: bool = typer.Option(
        False, "--flagged", help="List only dependencies with a flag (hold, off-radar, vulnerable)."
    ),
) -> None:
    """List the dependencies declared under PATH; flag those on hold, off the radar, vulnerable."""
    from productpath.services.work.tech import OFFLINE_NOTE, stack_inventory

    report = stack_inventory(path, radar_file=radar or _workspace_radar(ctx), osv_file=osv)
    if as_json:
        data = report.as_dict()
        if flagged:
            data["dependencies"] = [d for d in data["dependencies"] if d["flags"]]
        print_json(data)
        return
    for skip in report.scan.skipped:
        typer.echo(f"skipped {skip}", err=True)
    if osv is not None:
        typer.echo(f"note: {OFFLINE_NOTE} ({osv})", err=True)
    from productpath.cli.stack_print import print_inventory

    print_inventory(report, flagged_only=flagged)


@app.command("radar")
def radar_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    radar: Path | None = RADAR_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """Show the tech radar: each technology by ring (adopt, trial, assess, hold), with why."""
    from productpath.errors import InputError
    from productpath.services.work.tech import load_radar

    file = radar or _workspace_radar(ctx)
    if file is None:
        raise InputError(f"no radar: pass --radar FILE or put {RADAR_NAME} in the workspace folder")
    loaded = load_radar(file)
    if as_json:
        print_json(loaded.as_dict())
        return
    from productpath.cli.stack_print import print_radar

    print_radar(loaded, wide=wide)


def _workspace_radar(ctx: typer.Context) -> Path | None:
    """radar.yaml in the workspace folder when it exists; no workspace needs to be set up."""
    candidate = Path(settings_for(ctx).workspace) / RADAR_NAME
    return candidate if candidate.is_file() else None
