"""What shipped, for customers and as release notes.

Both reports take the initiatives delivered in a window, grouped by the customer theme they
answer (else their objective), with the user-facing lines of their linked work already cleaned
(see :mod:`productpath.reports.cleaning`). The customer report tells each change as a short
story; the release notes list every change under its initiative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from productpath.reports.changes import Facts, describe_changes
from productpath.reports.model import ReportContext, Section, long_date, plural

# Release notes list this many changes per initiative, then count the rest.
MAX_CHANGES = 8


@dataclass(frozen=True)
class ShippedItem:
    title: str
    description: str
    shipped_on: dt.date
    changes: tuple[str, ...]  # cleaned lines of linked work finished in the window


@dataclass(frozen=True)
class ShippedGroup:
    heading: str
    items: tuple[ShippedItem, ...]


@dataclass(frozen=True)
class ShippedData:
    product: str
    today: dt.date
    since: dt.date
    since_reason: str  # "the last report", "30 days ago", "the date asked for"
    groups: tuple[ShippedGroup, ...]
    coming: tuple[str, ...]  # in-progress initiative titles, for "coming next"
    milestone: str | None = None


def shipped_facts(data: ShippedData) -> dict[str, Any]:
    return {
        "since": data.since.isoformat(),
        "shipped": [item.title for group in data.groups for item in group.items],
    }


def build_shipped(
    kind: str,
    data: ShippedData,
    *,
    previous: Facts | None,
    previous_on: dt.date | None,
    data_as_of: dt.datetime | None,
    sources: tuple[str, ...],
) -> tuple[ReportContext, dict[str, Any]]:
    """``kind`` is ``customer`` or ``release-notes``."""
    facts = shipped_facts(data)
    count = sum(len(g.items) for g in data.groups)
    window = f"since {long_date(data.since)} ({data.since_reason})"
    scope = f" in {data.milestone}" if data.milestone else ""
    if kind == "customer":
        title = f"What's new in {data.product}"
        summary = (
            f"{plural(count, 'improvement')}{scope} {window}."
            if count
            else f"Nothing new has shipped{scope} {window}; here is what we are working on."
        )
        sections = [
            Section(
                f"group-{n}",
                group.heading,
                bullets=tuple(_story(item) for item in group.items),
            )
            for n, group in enumerate(data.groups, 1)
        ]
        sections.append(
            Section(
                "coming",
                "Coming next",
                bullets=data.coming,
                empty="Nothing is in progress right now.",
            )
        )
        audience = "customers"
    else:
        title = f"{data.product} release notes"
        summary = f"{plural(count, 'initiative')} delivered{scope} {window}."
        sections = [
            Section(
                f"group-{n}",
                group.heading,
                bullets=tuple(_note(item) for item in group.items),
            )
            for n, group in enumerate(data.groups, 1)
        ]
    if not data.groups:
        sections.insert(
            0,
            Section("shipped", "Shipped", empty=f"Nothing shipped{scope} {window}."),
        )
    context = ReportContext(
        kind=kind,
        title=title,
        product=data.product,
        audience=audience if kind == "customer" else "users and support teams",
        generated_on=data.today,
        data_as_of=data_as_of,
        sources=sources,
        changes=describe_changes(
            previous, facts, previous_on, "customer" if kind == "customer" else "release-notes"
        ),
        previous_on=previous_on,
        sections=tuple(sections),
        summary=summary,
    )
    return context, facts


def _story(item: ShippedItem) -> str:
    text = f"{item.title}: {item.description}" if item.description else item.title
    return f"{text} (available since {long_date(item.shipped_on)})"


def _note(item: ShippedItem) -> str:
    head = f"{item.title} ({long_date(item.shipped_on)})"
    if not item.changes:
        return head
    shown = item.changes[:MAX_CHANGES]
    more = len(item.changes) - len(shown)
    tail = f"; and {plural(more, 'smaller change')}" if more > 0 else ""
    return head + ": " + "; ".join(shown) + tail + "."
