"""Rich rendering for ``productpath competitors``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from productpath.planning.competition import FeatureFinding, FeatureRow, Gaps

NO_FEATURES = (
    "No features to compare yet; list them under 'features:' in roadmap.yaml and apply it."
)


def print_matrix(rows: list[FeatureRow]) -> None:
    console = Console(highlight=False, soft_wrap=True, markup=False)
    if not rows:
        console.print(NO_FEATURES)
        return
    table = Table(show_edge=False)
    table.add_column("feature")
    table.add_column("us")
    for cell in rows[0].cells:
        table.add_column(cell.competitor)
    table.add_column("planned by")
    for row in rows:
        table.add_row(
            row.name,
            row.ours,
            *(c.level for c in row.cells),
            ", ".join(key for key, _ in row.planned_by),
        )
    console.print(table)


def print_gaps(found: Gaps) -> None:
    console = Console(highlight=False, soft_wrap=True, markup=False)
    sections = (
        ("Gaps: competitors have these, we do not, and nothing plans them", found.gaps, "have"),
        (
            "Being closed: competitors have these and an initiative plans them",
            found.closing,
            "have",
        ),
        ("Where we lead: we have these and some competitors do not", found.leads, "lack"),
    )
    for title, findings, verb in sections:
        console.print(f"{title} ({len(findings)})", style="bold")
        if not findings:
            console.print("  none")
        for f in findings:
            console.print(f"  {f.name} [{f.key}] (us: {f.ours})")
            console.print(f"    {verb}: {_cells(f)}")
            if f.planned_by:
                console.print(f"    planned by: {', '.join(f.planned_by)}")
            if f.unknown:
                console.print(f"    unknown for: {', '.join(f.unknown)}", style="yellow")


def _cells(finding: FeatureFinding) -> str:
    return "; ".join(
        f"{c.competitor} ({c.level}{', ' + c.source if c.source else ''})"
        for c in finding.competitors
    )
