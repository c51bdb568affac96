"""Rich rendering for ``productpath roadmap``: the diff of an apply, and the roadmap tables.

Kept apart from the command module so that Rich is imported only when something is printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from productpath.cli.common import drop_until_fits, widen_to_fit
from productpath.domain.formatting import plain_number
from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.roadmap_diff import Action, RoadmapDiff
from productpath.learning.key_results import KeyResultProgress

_MARK = {
    Action.ADDED: ("+", "green"),
    Action.CHANGED: ("~", "yellow"),
    Action.REMOVED: ("-", "red"),
}
_NO_WRAP = {"status", "target date", "capacity/week", "estimate"}
_LONGEST = 60  # characters of a text value shown in a diff line; --json has it all


def _console() -> Console:
    # soft_wrap: a diff line stays one line however narrow the terminal, so it can be grepped.
    return Console(highlight=False, soft_wrap=True)


def print_diff(changes: RoadmapDiff, file: Path, *, dry_run: bool) -> None:
    console = _console()
    for change in changes.changes:
        sign, colour = _MARK[change.action]
        console.print(Text(f"{sign} {change.kind} {change.key}", style=colour))
        for field in change.fields:
            console.print(
                Text(f"    {field.field}: {_show(field.old)} -> {_show(field.new)}", style=colour)
            )
    if changes.merge is not None:
        _print_merge(console, changes)
    if changes.is_empty:
        console.print(f"No changes: the roadmap already matches {file}.", markup=False)
    elif dry_run:
        console.print(f"Dry run, nothing written: {changes.summary()}.", markup=False)
    else:
        console.print(f"Applied {file}: {changes.summary()}.", markup=False)


def _print_merge(console: Any, changes: RoadmapDiff) -> None:
    """The three kinds of a three-way apply: from the file, kept from the workspace, conflicts."""
    merge = changes.merge
    assert merge is not None
    for title, edits, colour in (
        ("Changed in the file since its revision (applied)", merge.from_file, "green"),
        ("Changed in the workspace since (kept)", merge.kept, "cyan"),
    ):
        if edits:
            console.print(Text(f"{title}:", style="bold"))
            for e in edits:
                line = f"    {e.type} {e.key} {e.field}"  # created / removed: the whole object
                if e.field not in ("created", "removed"):
                    line += f": {_show(e.before)} -> {_show(e.after)}"
                console.print(Text(line, style=colour))
    if merge.conflicts:
        console.print(Text("Changed on both sides (conflicts):", style="bold"))
        for conflict in merge.conflicts:
            console.print(Text(f"    {conflict.line()}", style="red"))


def _show(value: Any) -> str:
    """A value in a diff line: short, one line, and "(none)" rather than an empty gap."""
    if value is None:
        return "(none)"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        text = value.replace("\n", "\\n")
        return repr(text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…")
    return str(value)


# Columns a narrow terminal leaves out, in this order, so each row of these tables stays one
# line with its keys and words whole.
_OPTIONAL = {
    "Initiatives": ("evidence", "depends on", "estimate", "objective", "milestone", "team"),
    "Stakeholders": ("role", "channel", "power/interest", "name"),
}


def print_roadmap(
    doc: RoadmapDoc,
    progress: dict[tuple[str, str], KeyResultProgress] | None = None,
    theme_labels: dict[int, str] | None = None,
    *,
    wide: bool = False,
) -> None:
    console = _console()
    console.print(Text(f"{doc.product.name} ({doc.product.id})", style="bold"))
    if doc.product.description:
        console.print(Text(doc.product.description))
    tables = (
        _objectives(doc, progress or {}),
        _teams(doc),
        _stakeholders(doc),
        _milestones(doc),
        _initiatives(doc),
        _themes_cited(doc, theme_labels or {}),
        _customers(doc),
        _features(doc),
    )
    for table in tables:
        if table.row_count:
            dropped = _fit(console, table, wide=wide)
            console.print()
            console.print(table)
            if dropped:
                hidden = ", ".join(dropped).capitalize()
                console.print(f"[dim]{hidden}: --wide, or a wider terminal.[/]")


def _fit(console: Console, table: Table, *, wide: bool) -> list[str]:
    """Widen the console for ``table`` under --wide; otherwise, for the initiatives and the
    stakeholders (whose keys are what other commands take, so never cut), the columns left
    out to keep one line per row."""
    if wide:
        widen_to_fit(console, table)
        return []
    optional = _OPTIONAL.get(str(table.title))
    return drop_until_fits(console, table, optional) if optional else []


def _table(title: str, *columns: str, no_wrap: bool = False) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    for column in columns:
        # Short values (status, dates, numbers) never wrap; ids fold rather than lose their end.
        table.add_column(column, overflow="fold", no_wrap=no_wrap or column in _NO_WRAP)
    return table


def _objectives(doc: RoadmapDoc, progress: dict[tuple[str, str], KeyResultProgress]) -> Table:
    table = _table("Objectives", "id", "title", "key results")
    for o in doc.objectives:
        lines = []
        for kr in o.key_results:
            line = f"{kr.id}: {kr.title}"
            if kr.target is not None:
                line += f" → {plain_number(kr.target)}{' ' + kr.unit if kr.unit else ''}"
            found = progress.get((o.id, kr.id))
            if found is not None:
                line += (
                    f" [{found.progress:.0%}: {plain_number(found.latest)} on "
                    f"{found.latest_day.isoformat()}, from {plain_number(found.baseline)}]"
                )
            elif kr.kpi is not None:
                why = "no values yet" if kr.target is not None else "no target to measure"
                line += f" [KPI {kr.kpi}: {why}]"
            lines.append(line)
        table.add_row(Text(o.id), Text(o.title), Text("\n".join(lines)))
    return table


def _stakeholders(doc: RoadmapDoc) -> Table:
    table = _table(
        "Stakeholders", "id", "name", "role", "audience", "power/interest", "channel", no_wrap=True
    )
    for s in doc.stakeholders:
        role = ", ".join(part for part in (s.role, s.organisation) if part)
        channel = s.channel.value if s.channel.value == "none" else f"{s.channel.value}, "
        channel += s.cadence.value if s.channel.value != "none" else ""
        table.add_row(
            Text(s.id),
            Text(s.name),
            Text(role),
            s.audience.value,
            f"{s.power.value}/{s.interest.value}",
            channel,
        )
    return table


def _teams(doc: RoadmapDoc) -> Table:
    table = _table("Teams", "id", "name", "capacity/week", "members")
    for t in doc.teams:
        members = ", ".join(m.name for m in t.members)
        table.add_row(Text(t.id), Text(t.name), plain_number(t.capacity_per_week), Text(members))
    return table


def _milestones(doc: RoadmapDoc) -> Table:
    table = _table("Milestones", "id", "name", "target date")
    for m in doc.milestones:
        table.add_row(Text(m.id), Text(m.name), m.target_date.isoformat())
    return table


def _initiatives(doc: RoadmapDoc) -> Table:
    table = _table(
        "Initiatives",
        "id",
        "title",
        "status",
        "team",
        "objective",
        "milestone",
        "estimate",
        "depends on",
        "evidence",
        no_wrap=True,  # one line each: a narrow terminal drops columns instead (print_roadmap)
    )
    for i in doc.initiatives:
        estimate = ""
        if i.estimate is not None:
            e = i.estimate
            estimate = "/".join(plain_number(v) for v in (e.optimistic, e.likely, e.pessimistic))
        table.add_row(
            Text(i.id),
            Text(i.title),
            i.status.value,
            Text(i.team or ""),
            Text(i.objective or ""),
            Text(i.milestone or ""),
            estimate,
            Text(", ".join(i.depends_on)),
            Text(", ".join([*(f"#{t}" for t in i.themes), *i.feedback])),
        )
    return table


def _themes_cited(doc: RoadmapDoc, labels: dict[int, str]) -> Table:
    """What each theme number in the initiatives' evidence stands for, and who cites it."""
    table = _table("Themes cited", "theme", "label", "cited by")
    cited: dict[int, list[str]] = {}
    for i in doc.initiatives:
        for number in i.themes:
            cited.setdefault(int(number), []).append(i.id)
    for number in sorted(cited):
        label = labels.get(number, "(no such theme now: run 'productpath insights themes')")
        table.add_row(f"#{number}", Text(label), Text(", ".join(cited[number])))
    return table


def _customers(doc: RoadmapDoc) -> Table:
    table = _table("Customers", "id", "name", "segment", "annual revenue")
    for c in doc.customers:
        revenue = plain_number(c.annual_revenue) if c.annual_revenue is not None else ""
        table.add_row(Text(c.id), Text(c.name), Text(c.segment or ""), revenue)
    return table


def _features(doc: RoadmapDoc) -> Table:
    table = _table("Features", "id", "name", "us", *(c.id for c in doc.competitors), "planned by")
    for f in doc.features:
        cells = {cell.competitor: cell.level.value for cell in f.support}
        table.add_row(
            Text(f.id),
            Text(f.name),
            f.ours.value,
            *(cells.get(c.id, "unknown") for c in doc.competitors),
            Text(", ".join(f.planned_by)),
        )
    return table
