"""productpath themes ...: the themes the insight engine found."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(help="Themes found in feedback: list and show.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """List the themes, largest first: size, share, sentiment, trend, emerging, who asks."""
    from productpath.cli.themes_print import print_themes
    from productpath.services.pages.themes_view import themes_page

    with open_from(ctx) as handle:
        page = themes_page(handle)
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    print_themes(page, wide=wide)


@app.command("show")
def show(
    ctx: typer.Context,
    theme: str = typer.Argument(..., help="The theme's number, as in 'themes list' (3 or #3)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one theme: quotes, kinds, weekly trend, segments and customers, emerging evidence."""
    from productpath.cli.themes_print import print_theme
    from productpath.errors import InputError
    from productpath.services.pages.themes_view import theme_detail

    text = theme.strip().lstrip("#")
    if not text.isdigit():
        raise InputError(f"'{theme}' is not a theme number (e.g. 3 or #3)", field="ID")
    with open_from(ctx) as handle:
        detail = theme_detail(handle, int(text))
    if as_json:
        print_json(detail.model_dump(mode="json"))
        return
    print_theme(detail)
