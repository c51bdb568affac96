"""Rich tables for ``productpath code health`` (imported only when the command runs)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Column, Table

from productpath.cli.common import drop_until_fits, widen_to_fit
from productpath.services.work.tech import CodeHealthReport

# Columns a narrow terminal leaves out, in this order, so that each row (a path or a directory
# whole) stays one line; --wide keeps them all.
_HOTSPOT_OPTIONAL = ("changed", "authors", "CC", "LOC")
_OWNER_OPTIONAL = ("main authors (top first)", "top share", "authors", "commits")
_ABANDONED_OPTIONAL = ("main authors", "commits", "days")


def print_report(report: CodeHealthReport, *, wide: bool = False) -> None:
    console = Console()
    if report.newest_commit is None or report.window_start is None:
        console.print(f"{report.repository}: no commits on {report.branch}.")
        return
    console.print(
        f"[bold]{report.repository}[/] on {report.branch} at {report.head_sha[:10]}: "
        f"{_count(report.commits, 'commit')}; window {report.window_start.date()} to "
        f"{report.newest_commit.date()} ({report.window_days} days before the newest commit): "
        f"{_count(report.commits_in_window, 'commit')} by "
        f"{_count(report.authors_in_window, 'author')}."
    )
    hotspots = Table(
        Column("file", no_wrap=True),
        _num("commits"),
        _num("changed"),
        _num("authors"),
        _num("LOC"),
        _num("CC"),
        _num("score"),
        title="Hotspots: score = commits x LOC (lines of code); CC = cyclomatic, Python only",
    )
    for h in report.hotspots:
        cyclomatic = "" if h.cyclomatic is None else str(h.cyclomatic)
        hotspots.add_row(
            h.path,
            str(h.commits),
            str(h.lines_changed),
            str(h.authors),
            str(h.lines_of_code),
            cyclomatic,
            str(h.score),
        )
    _print(
        console,
        hotspots,
        "No file at HEAD changed in two or more commits in the window.",
        _fit(console, hotspots, _HOTSPOT_OPTIONAL, wide=wide),
    )
    owners = Table(
        Column("directory", no_wrap=True),
        _num("commits"),
        _num("authors"),
        _num("bus factor"),
        _num("top share"),
        Column("main authors (top first)", no_wrap=True),
        title="Knowledge: bus factor = fewest authors with >= 50% of the commits in the window",
    )
    for o in report.ownership:
        owners.add_row(
            o.directory,
            str(o.commits),
            str(o.authors),
            str(o.bus_factor),
            f"{o.concentration:.0%}",
            ", ".join(o.main_authors),
        )
    _print(
        console,
        owners,
        "No directory had enough commits in the window.",
        _fit(console, owners, _OWNER_OPTIONAL, wide=wide),
    )
    if not report.repository_active:
        console.print(
            f"Abandoned areas: not judged; the repository itself had little activity in the "
            f"{report.abandoned_days} days before its newest commit."
        )
        return
    abandoned = Table(
        Column("directory", no_wrap=True),
        _num("commits"),
        Column("last change", no_wrap=True),
        _num("days"),
        Column("main authors", no_wrap=True),
        Column("why", ratio=1),  # prose: wraps between words
        title=f"Abandoned areas ({report.abandoned_days}+ days)",
    )
    for a in report.abandoned:
        abandoned.add_row(
            a.directory,
            str(a.commits),
            a.last_change.date().isoformat(),
            str(a.days_since_change),
            ", ".join(a.main_authors),
            "; ".join(a.reasons),
        )
    _print(
        console,
        abandoned,
        "No abandoned areas.",
        _fit(console, abandoned, _ABANDONED_OPTIONAL, wide=wide),
    )


def _fit(console: Console, table: Table, optional: tuple[str, ...], *, wide: bool) -> list[str]:
    """Under --wide, widen ``console`` for ``table``; otherwise the columns left out of it."""
    if wide:
        widen_to_fit(console, table)
        return []
    return drop_until_fits(console, table, optional)


def _print(console: Console, table: Table, empty: str, dropped: list[str]) -> None:
    if table.row_count:
        console.print(table)
        if dropped:
            hidden = ", ".join(dropped)
            console.print(f"[dim]{hidden[0].upper()}{hidden[1:]}: --wide, or a wider terminal.[/]")
    else:
        console.print(f"{table.title}: {empty}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _num(header: str) -> Column:
    return Column(header, justify="right", no_wrap=True)
