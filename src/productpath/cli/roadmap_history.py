"""productpath roadmap history / undo: who changed what in the roadmap, and taking it back."""

from __future__ import annotations

import json
from typing import Any

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

TYPE_HELP = "The object's type: initiative, objective, milestone or team."


def _value(value: Any) -> str:
    if value is None:
        return "(unset)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def register(app: typer.Typer) -> None:
    """Add ``history`` and ``undo`` to the ``roadmap`` group."""

    @app.command()
    def history(
        ctx: typer.Context,
        key: str | None = typer.Argument(
            None, help="The object's key; left out, the latest changes of any object."
        ),
        object_type: str = typer.Option("initiative", "--type", "-t", help=TYPE_HELP),
        limit: int = typer.Option(30, "--limit", "-n", min=1, max=500, help="At most this many."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Show who changed which field, when, through what (web, api, cli, roadmap-apply,
        sync), and the value before and after; newest first."""
        from productpath.services.history import object_history, recent_activity

        with open_from(ctx) as handle:
            entries = (
                recent_activity(handle, limit=limit)
                if key is None
                else object_history(handle, object_type, key, limit=limit)
            )
        if as_json:
            print_json([e.model_dump(mode="json") for e in entries])
            return
        if not entries:
            typer.echo("No changes recorded yet.")
            return
        for e in entries:
            when = e.at.strftime("%Y-%m-%d %H:%M")
            typer.echo(
                f"{when}  {e.actor} ({e.via})  {e.type} {e.key}  {e.field}: "
                f"{_value(e.before)} -> {_value(e.after)}"
            )

    @app.command()
    def undo(
        ctx: typer.Context,
        key: str = typer.Argument(..., help="The key of the object whose change to undo."),
        object_type: str = typer.Option("initiative", "--type", "-t", help=TYPE_HELP),
        edit: str | None = typer.Option(
            None,
            "--edit",
            help="The edit to undo (its id in 'history --json'); default: the latest.",
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Put back the values one change of an object replaced (default: its latest change).

        Refused when a later change touched one of the same fields."""
        from productpath.services.history import local_actor
        from productpath.services.history import undo as undo_change

        with open_from(ctx) as handle:
            result = undo_change(
                handle, object_type, key, edit=edit, actor=local_actor(), via="cli"
            )
        if as_json:
            print_json(result.model_dump(mode="json"))
            return
        typer.echo(f"Undid the change of {', '.join(result.fields)} on {object_type} {key}.")
