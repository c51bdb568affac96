"""Rich rendering for ``productpath delivery``: status with risks, metrics, unlinked work.

Kept apart from the command module so that Rich is imported only when something is printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from productpath.cli.common import drop_until_fits, widen_to_fit
from productpath.delivery.linking import RULES
from productpath.delivery.metrics import DeliveryMetrics, Durations
from productpath.delivery.risks import severity
from productpath.delivery.status import DeliveryStatus
from productpath.services.delivery import LinkReport, UnlinkedRow

_TRACK = {True: "[green]on track[/]", False: "[red]late[/]", None: "-"}


def _console() -> Console:
    return Console(highlight=False)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


# From this many columns on, ``delivery status`` shows every column; narrower terminals get
# the essential ones, each on one line, so nothing wraps in 80 columns.
STATUS_WIDE_AT = 120


def print_status(status: DeliveryStatus, *, wide: bool = False) -> None:
    """Milestones, initiatives and risks; below :data:`STATUS_WIDE_AT` columns (unless
    ``wide``) without the worst-risk, milestone and last-activity columns and with the risks as
    lines, so an 80-column terminal wraps no cell."""
    console = _console()
    full = wide or console.width >= STATUS_WIDE_AT
    if status.milestones:
        headers = ["milestone", "target", "done", "projected", "on time?"]
        table = Table(*(Column(h, no_wrap=True) for h in headers), title="Milestones")
        if full:
            table.add_column("worst risk")
        for m in status.milestones:
            cells = [
                escape(m.key),
                _date(m.target_date),
                f"{m.items_done}/{m.items_total}",
                _date(m.projected_date),
                _TRACK[m.on_track],
            ]
            if full:
                worst = f"{m.worst_risk.kind} ({m.worst_risk.initiative})" if m.worst_risk else ""
                cells.append(escape(worst))
            table.add_row(*cells)
        _print_table(console, table, wide)
    headers = ["initiative", "status", "done", "projected", "target"]
    table = Table(*(Column(h, no_wrap=True) for h in headers), title="Initiatives")
    if full:
        table.add_column("milestone")
        table.add_column("points")
        table.add_column("last activity")
    for i in status.initiatives:
        p = i.progress
        cells = [
            escape(i.key),
            i.status,
            f"{p.items_done}/{p.items_total}",
            _date(p.projection.projected_date),
            _date(i.target_date),
        ]
        if full:
            points = f"{p.points_done:g}/{p.points_total:g}" if p.points_total is not None else ""
            cells += [
                escape(i.milestone or ""),
                points,
                _date(p.last_activity.date() if p.last_activity else None),
            ]
        table.add_row(*cells)
    _print_table(console, table, wide)
    if not full:
        console.print(
            "[dim]Milestone, points, last activity, worst risk: --wide, or a wider terminal.[/]"
        )
    # Worst first; within a kind, in roadmap order.
    risks = sorted(
        (
            (severity(r.kind), n, i.key, r.kind, r.reason)
            for n, i in enumerate(status.initiatives)
            for r in i.risks
        )
    )
    if risks and full:
        table = Table("initiative", "risk", "reason")
        table.title = "Risks"
        for _, _, key, kind, reason in risks:
            table.add_row(escape(key), f"[red]{kind}[/]", escape(reason))
        _print_table(console, table, wide)
    elif risks:
        # Narrow: one paragraph per risk, wrapped between words like any text.
        console.print("Risks", style="bold")
        for _, _, key, kind, reason in risks:
            console.print(f"- {escape(key)} [red]{kind}[/]: {escape(reason)}")
    else:
        console.print("No risks found.")
    console.print(f"{status.forecast} ({status.projection_method}).", markup=False)
    unlinked = status.unlinked
    if unlinked.commits or unlinked.items:
        console.print(
            f"Unlinked: {unlinked.commits} commits, {unlinked.items} tracker items "
            "(see 'productpath delivery unlinked').",
            markup=False,
        )


def _print_table(console: Console, table: Table, wide: bool) -> None:
    if wide:
        widen_to_fit(console, table)
    console.print(table)


def _durations(d: Durations) -> str:
    if not d.count:
        return "no data"
    return f"P50 {d.p50:g} · P85 {d.p85:g} · P95 {d.p95:g} days (n={d.count})"


def print_metrics(metrics: DeliveryMetrics, *, wide: bool = False) -> None:
    """The five metrics, one line each; where "counted from" does not fit beside them (unless
    ``wide``) it is printed under the table, a line per metric, rather than wrapped."""
    console = _console()
    table = Table(*(Column(h, no_wrap=True) for h in ("metric", "value", "counted from")))
    table.title = (
        f"Flow metrics, {metrics.since} to {metrics.until} ({metrics.window_weeks:g} weeks)"
    )
    t, dep, cf = metrics.throughput, metrics.deployment_frequency, metrics.change_failure
    bots = f", {t.bots} more by bots" if t.bots else ""
    rate = f"{cf.rate:.0%}" if cf.rate is not None else "-"
    rows = [
        ("throughput", f"{t.per_week:g}/week ({t.total} in all{bots})", t.source),
        ("cycle time", _durations(metrics.cycle_time), metrics.cycle_time.note),
        ("lead time", _durations(metrics.lead_time), metrics.lead_time.note),
        ("deployment frequency", f"{dep.per_week:g}/week ({dep.count} in all)", dep.source),
        ("change failure (proxy)", rate, f"{cf.reverts} reverts, {cf.hotfixes} hotfixes {cf.note}"),
    ]
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    if wide:
        widen_to_fit(console, table)
        dropped = []
    else:
        dropped = drop_until_fits(console, table, ("counted from",))
    console.print(table)
    if dropped:  # prose under the table wraps between words, where a cell would split them
        console.print("Counted from (beside the values with --wide, or a wider terminal):")
        for name, _, source in rows:
            console.print(f"- {name}: {source}", markup=False)
    if metrics.anchor_note:
        console.print(f"Note: {metrics.anchor_note}", markup=False)
    weeks = Table("week", "done", "deployments")
    weeks.title = "Per week"
    deployed = {w.week: w.count for w in dep.weeks}
    for week in t.weeks:
        weeks.add_row(week.week, str(week.count), str(deployed.get(week.week, 0)))
    console.print(weeks)
    console.print("Definitions:", style="bold")
    for name, definition in (
        ("throughput", t.definition),
        ("cycle time", metrics.cycle_time.definition),
        ("lead time", metrics.lead_time.definition),
        ("deployment frequency", dep.definition + f" Release pattern: {dep.release_pattern}"),
        ("change failure", cf.definition),
    ):
        console.print(f"- {name}: {definition}", markup=False)


def print_unlinked(rows: Sequence[UnlinkedRow], *, wide: bool = False) -> None:
    """One line per commit or item, refs, dates and paths whole: in a narrow terminal (unless
    ``wide``) who, kind and title are left out in that order until the rest fits."""
    headers = ("kind", "ref", "date", "who", "where", "title")
    table = Table(*(Column(h, no_wrap=True) for h in headers))
    for row in rows:
        ref = row.ref[:12] if row.kind == "commit" else row.ref
        title = row.title if len(row.title) <= 70 else row.title[:69] + "…"
        when = _date(row.at.date() if row.at else None)
        table.add_row(
            row.kind, escape(ref), when, escape(row.who or ""), escape(row.where), escape(title)
        )
    console = _console()
    if wide:
        widen_to_fit(console, table)
        dropped = []
    else:
        dropped = drop_until_fits(console, table, ("who", "kind", "title"))
    console.print(table)
    if dropped:
        console.print(f"[dim]{', '.join(dropped).capitalize()}: --wide, or a wider terminal.[/]")


def print_link_report(report: LinkReport) -> None:
    console = _console()
    table = Table("rule", "links")
    for rule in RULES:
        table.add_row(rule, str(report.by_rule.get(rule, 0)))
    console.print(table)
    console.print(
        f"{report.added} links added, {report.removed} removed; unlinked: "
        f"{report.unlinked_commits} commits, {report.unlinked_items} tracker items.",
        markup=False,
    )
