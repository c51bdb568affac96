"""Rich tables for ``productpath stack`` (imported only when a command runs)."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Column, Table

from productpath.cli.common import widen_to_fit
from productpath.delivery.stack_review import NOT_ON_RADAR, ON_HOLD, VULNERABLE, DependencyReview
from productpath.domain.stack import RINGS, Radar
from productpath.services.work.tech import StackReport

_FLAG_LABEL = {ON_HOLD: "HOLD", NOT_ON_RADAR: "not on radar", VULNERABLE: "VULNERABLE"}


def print_inventory(report: StackReport, *, flagged_only: bool = False) -> None:
    console = Console()
    review = report.review
    rows = review.flagged() if flagged_only else list(review.reviews)
    summary = (
        f"{_count(len(review.reviews), 'dependency', 'dependencies')} in "
        f"{_count(len(report.scan.manifests), 'manifest')} under "
        f"{report.scan.root}"
    )
    if report.radar_file:
        summary += (
            f"; radar {report.radar_file}: {review.count(ON_HOLD)} on hold, "
            f"{review.count(NOT_ON_RADAR)} not on the radar"
        )
    if report.osv_file:
        summary += f"; {review.count(VULNERABLE)} with known vulnerabilities"
    console.print(summary)
    if not rows:
        console.print("Nothing to list." if flagged_only else "No manifests found.")
    for manifest, group in groupby(rows, key=lambda r: r.dependency.manifest):
        table = Table(
            Column("name", overflow="fold", ratio=2),
            Column("declared", overflow="fold", ratio=1),
            Column("locked", overflow="fold", ratio=1),
            "dev",
            "radar",
            Column("flags", overflow="fold", ratio=3),
            title=manifest,
            title_justify="left",
        )
        for row in group:
            table.add_row(*_cells(row))
        console.print(table)
    if review.unmatched_findings:
        console.print(
            f"{len(review.unmatched_findings)} findings in the OSV file match no direct "
            "dependency at that version (transitive packages, or another version); see --json."
        )


def _cells(row: DependencyReview) -> list[str]:
    dep = row.dependency
    flags = [_FLAG_LABEL[f] for f in row.flags]
    if row.vulnerabilities:
        ids = ", ".join(
            f"{v.id} ({v.severity or v.score})" if (v.severity or v.score) else v.id
            for v in row.vulnerabilities
        )
        flags = [f"{f}: {ids}" if f == "VULNERABLE" else f for f in flags]
    if row.radar is not None and ON_HOLD in row.flags:
        flags = [f"HOLD: {row.radar.reason}" if f == "HOLD" else f for f in flags]
    return [
        dep.name,
        dep.declared or "",
        dep.locked or "",
        "yes" if dep.dev else "",
        row.radar.ring if row.radar else "",
        "; ".join(flags),
    ]


def print_radar(radar: Radar, *, wide: bool = False) -> None:
    """Ring by ring, package names whole and the reason wrapped between words; in a narrow
    terminal (unless ``wide``) "also matches", then ecosystem, are left out until the reason
    has room for its longest word."""
    console = Console()
    if not radar.entries:
        console.print(f"{radar.file}: the radar has no technologies yet.")
        return
    names = ("ring", "technology", "ecosystem", "also matches")
    table = Table(*(Column(h, no_wrap=True) for h in names), "reason", title=escape(radar.file))
    for ring in RINGS:
        for entry in radar.in_ring(ring):
            cells = (entry.name, entry.ecosystem or "any", ", ".join(entry.matches), entry.reason)
            table.add_row(ring, *(escape(cell) for cell in cells))
    dropped: list[str] = []
    if wide:
        widen_to_fit(console, table)
    else:
        for header in ("also matches", "ecosystem"):
            unbounded = console.options.update_width(1000)  # else it is capped at the width
            if Measurement.get(console, unbounded, table).minimum <= console.width:
                break
            table.columns[:] = [c for c in table.columns if c.header != header]
            dropped.append(header)
    console.print(table)
    if dropped:
        hidden = ", ".join(dropped)
        console.print(f"[dim]{hidden[0].upper()}{hidden[1:]}: --wide, or a wider terminal.[/]")


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
