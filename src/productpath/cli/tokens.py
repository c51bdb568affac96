"""`productpath tokens create|list|revoke`: API tokens for scripts."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(
    help="API tokens for scripts (Authorization: Bearer pp_...). A token acts as its user.",
    no_args_is_help=True,
)


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="What the token is for, e.g. 'nightly export'."),
    user: str = typer.Option(..., "--user", help="E-mail of the account the token acts as."),
    as_json: bool = typer.Option(False, "--json", help="Print the token and its details as JSON."),
) -> None:
    """Create a token and print it once; only its SHA-256 is stored."""
    from productpath.services.api.api_tokens import create_token

    with open_from(ctx) as handle:
        token, row = create_token(handle, name, user)
    if as_json:
        print_json({"token": token, **row.as_dict()})
        return
    typer.echo(token)
    typer.echo(
        f"Token {row.prefix} for {row.user}: copy it now, it is not shown again. "
        f"Revoke it with 'productpath tokens revoke {row.prefix}'.",
        err=True,
    )


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List tokens (prefix, name, user, last use); the secrets themselves are not stored."""
    from productpath.services.api.api_tokens import list_tokens

    with open_from(ctx) as handle:
        rows = list_tokens(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No tokens yet; create one with 'productpath tokens create NAME --user EMAIL'.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("prefix", "name", "user", "created", "last used", "state")
    for row in rows:
        table.add_row(
            row.prefix,
            row.name,
            row.user,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never",
            "revoked" if row.revoked_at else "active",
        )
    Console().print(table)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    prefix: str = typer.Argument(..., help="The token's prefix (see 'tokens list')."),
) -> None:
    """Revoke a token: requests with it are refused from now on."""
    from productpath.services.api.api_tokens import revoke_token

    with open_from(ctx) as handle:
        row = revoke_token(handle, prefix)
    typer.echo(f"Revoked token {row.prefix} ({row.name}, {row.user})")


def register(root: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    root.add_typer(app, name="tokens")
