"""Rich rendering of ``productpath stakeholders raci``: one line per initiative, keys whole.

Kept apart from the command module so that Rich is imported only when something is printed.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Column, Table

from productpath.cli.common import drop_until_fits, widen_to_fit
from productpath.services.stakeholders import RaciMatrix


def print_raci(matrix: RaciMatrix, *, wide: bool = False) -> None:
    """The matrix, one line per initiative. In a narrow terminal (unless ``wide``) the
    warnings move under the table, then stakeholder keys give way to numbers with a legend,
    so initiative keys stay whole rather than the cells wrapping."""
    console = Console()
    keys = [s.key for s in matrix.stakeholders]
    table = _table(matrix, keys)
    if wide:
        widen_to_fit(console, table)
        console.print(table)
        return
    moved = drop_until_fits(console, table, ("warnings",))
    numbered = not _fits(console, table)
    if numbered:
        table = _table(matrix, [str(n) for n in range(1, len(keys) + 1)])
        table.columns.pop()  # the warnings stay under the table
    console.print(table)
    if numbered:
        legend = ", ".join(f"{n} = {key}" for n, key in enumerate(keys, start=1))
        console.print(f"Stakeholders: {legend}", markup=False)
    warned = [row for row in matrix.rows if row.warnings]
    if moved and warned:
        for row in warned:
            console.print(f"- {row.initiative}: {'; '.join(row.warnings)}", markup=False)
        console.print("[dim]Warnings beside each initiative: --wide, or a wider terminal.[/]")


def _table(matrix: RaciMatrix, headers: list[str]) -> Table:
    columns = ("initiative", *headers, "warnings")
    table = Table(*(Column(escape(h), no_wrap=True) for h in columns))
    for row in matrix.rows:
        cells = (row.initiative, *(r or "·" for r in row.roles), "; ".join(row.warnings))
        table.add_row(*(escape(c) for c in cells))
    return table


def _fits(console: Console, table: Table) -> bool:
    needed = Measurement.get(console, console.options.update_width(1000), table).maximum
    return needed <= console.width
