"""Rich rendering for ``productpath decision``; imported only when something is printed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from productpath.cli.common import drop_until_fits, widen_to_fit
from productpath.services.learning.decisions import DecisionView

_VERDICT = {
    "met": "[green]target met[/]",
    "on_track": "[green]on track[/]",
    "missed": "[red]target missed[/]",
    "wrong_way": "[red]wrong way[/]",
    "no_change": "[yellow]no clear change[/]",
    "not_enough_data": "not enough data",
    "no_expectation": "-",
}


def _expected(d: DecisionView) -> str:
    if d.expected is None:
        return "-"
    e = d.expected
    text = f"{e.kpi} {e.direction}"
    if e.target is not None:
        text += f" to {e.target:g}"
    if e.by is not None:
        text += f" by {e.by}"
    return text


def print_decisions(rows: Sequence[DecisionView], *, wide: bool = False) -> None:
    """One line per decision: in a narrow terminal (unless ``wide``) the prose columns are
    left out, least needed first, until every cell fits on its line; a note says which."""
    console = Console(highlight=False)
    table = Table("decision", "title", "owner", "decided", "review", "expected", "now")
    for column in table.columns:
        column.no_wrap = True
    for d in rows:
        review = f"{d.review_on}" + (" [bold](due)[/]" if d.due else "") if d.review_on else "-"
        table.add_row(
            d.key,
            escape(d.title),
            escape(d.owner),
            str(d.decided_on),
            review,
            escape(_expected(d)),
            _VERDICT[d.outcome.verdict],
        )
    optional = ("expected", "owner", "decided", "title")
    dropped = [] if wide else drop_until_fits(console, table, optional)
    if wide:
        widen_to_fit(console, table)
    console.print(table)
    if dropped:
        shown = ", ".join(dropped).capitalize()
        console.print(f"[dim]{shown}: --wide, a wider terminal, or 'decision review'.[/]")


def print_reviews(rows: Sequence[DecisionView]) -> None:
    console = Console(highlight=False)
    for d in rows:
        console.print(f"[bold]{d.key}[/] {escape(d.title)} (review on {d.review_on})")
        console.print(f"  expected: {escape(_expected(d))}; now: {_VERDICT[d.outcome.verdict]}")
        console.print(f"  {escape(d.outcome.summary)}")
        for caveat in d.caveats:
            console.print(f"  [yellow]caveat:[/] {escape(caveat)}")


def print_decision(d: DecisionView) -> None:
    console = Console(highlight=False)
    console.print(f"[bold]{escape(d.title)}[/] ({d.key}), {d.status}")
    console.print(f"Decided on {d.decided_on} by {escape(d.owner or 'nobody named')}")
    if d.review_on:
        console.print(f"Review on {d.review_on}" + (" [bold](due)[/]" if d.due else ""))
    if d.initiative:
        console.print(f"Initiative: {d.initiative}")
    if d.decision:
        console.print(escape(d.decision))
    for option in d.options:
        console.print(f"  option: {escape(option)}")
    for e in d.evidence:
        note = f" - {escape(e.note)}" if e.note else ""
        console.print(f"  evidence: {escape(e.label)}{note}")
    console.print(f"Expected: {escape(_expected(d))}")
    console.print(f"Now: {_VERDICT[d.outcome.verdict]}. {escape(d.outcome.summary)}")
    if d.review is not None:
        verdict = f" ({d.review.verdict.replace('_', ' ')})" if d.review.verdict else ""
        console.print(f"Closed on {d.review.closed_on}{verdict}: {escape(d.review.outcome)}")
    for caveat in d.caveats:
        console.print(f"[yellow]caveat:[/] {escape(caveat)}")
