"""productpath themes ...: the themes the insight engine found."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(
    help="Themes found in feedback: list and show; rename, merge and split (kept by every run).",
    no_args_is_help=True,
)


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


@app.command("rename")
def rename(
    ctx: typer.Context,
    theme: str = typer.Argument(..., help="The theme's number (3 or #3)."),
    label: str = typer.Argument(..., help="The new label, up to 200 characters."),
) -> None:
    """Name a theme. The label and the theme's present members are kept by every later
    'insights run', incremental or --full; new items may still join it."""
    from productpath.services.curation import rename_theme

    with open_from(ctx) as handle:
        done = rename_theme(handle, theme, label, set_by="cli", via="cli")
    typer.echo(f"Decision {done.number}: {done.summary} (set by a person)")


@app.command("merge")
def merge(
    ctx: typer.Context,
    themes: list[str] = typer.Argument(
        ..., help="Two or more theme numbers; the first keeps its number and label."
    ),
) -> None:
    """Merge themes into the first one named; they stay merged through every run."""
    from productpath.services.curation import merge_themes

    with open_from(ctx) as handle:
        done = merge_themes(handle, themes, set_by="cli", via="cli")
    typer.echo(f"Decision {done.number}: {done.summary} ({done.items} items)")


@app.command("split")
def split(
    ctx: typer.Context,
    theme: str = typer.Argument(..., help="The theme's number (3 or #3)."),
    into: int = typer.Option(
        2, "--into", help="How many sub-themes to re-cluster the members into (2 to 10)."
    ),
    item: list[str] = typer.Option(
        [],
        "--item",
        help="Pick items (external id or number) to become a new theme instead; repeatable.",
    ),
) -> None:
    """Split a theme into sub-themes: re-cluster its members (--into N) or move the picked
    items (--item) into a new theme. The largest part keeps the number; the split stays."""
    from productpath.services.curation import split_theme

    with open_from(ctx) as handle:
        done = split_theme(handle, theme, into=into, items=item, set_by="cli", via="cli")
    typer.echo(f"Decision {done.number}: {done.summary}")
