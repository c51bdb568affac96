"""What shipped, for customers and as release notes.

Both reports take the initiatives delivered in a window, each under its own title, with the
user-facing lines of its linked work already cleaned (see :mod:`productpath.reports.cleaning`)
and the customer request it answers, in the customers' own words, when it answers one. The
customer report tells each change as a short story; the release notes list every change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from productpath.domain.stakeholders import REPORT_READERS
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
    asked_for: str = ""  # the customer theme it answers, as a phrase; "" when none


@dataclass(frozen=True)
class ShippedData:
    product: str
    today: dt.date
    since: dt.date
    since_reason: str  # "the last report", "30 days ago", "the date asked for"
    items: tuple[ShippedItem, ...]  # by ship day
    coming: tuple[str, ...]  # in-progress initiative titles, for "coming next"
    milestone: str | None = None
    rule: str = ""  # how the shipped work was chosen, printed as one line at the end
    left_out: int = 0  # shipped initiatives the rule left out as internal work


def shipped_facts(data: ShippedData) -> dict[str, Any]:
    return {
        "since": data.since.isoformat(),
        "shipped": [item.title for item in data.items],
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
    count = len(data.items)
    window = f"since {long_date(data.since)} ({data.since_reason})"
    scope = f" in {data.milestone}" if data.milestone else ""
    if kind == "customer":
        title = f"What's new in {data.product}"
        summary = (
            f"{plural(count, 'improvement')}{scope} {window}."
            if count
            else f"Nothing new has shipped{scope} {window}; here is what we are working on."
        )
        sections = [_story(n, item) for n, item in enumerate(data.items, 1)]
        sections.append(
            Section(
                "coming",
                "Coming next",
                bullets=data.coming,
                empty="Nothing is in progress right now.",
            )
        )
    else:
        title = f"{data.product} release notes"
        summary = f"{plural(count, 'initiative')} delivered{scope} {window}."
        sections = [_note(n, item) for n, item in enumerate(data.items, 1)]
    if not data.items:
        sections.insert(
            0,
            Section("shipped", "Shipped", empty=f"Nothing shipped{scope} {window}."),
        )
    if data.rule:
        dropped = (
            f" {plural(data.left_out, 'initiative')} shipped in this window left out as internal."
            if data.left_out
            else ""
        )
        sections.append(Section("chosen", "How this was chosen", paragraphs=(data.rule + dropped,)))
    context = ReportContext(
        kind=kind,
        title=title,
        product=data.product,
        audience=REPORT_READERS[kind],
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


def _story(n: int, item: ShippedItem) -> Section:
    """One shipped initiative told to customers: what it does, since when, and what they
    asked for that it answers."""
    when = f"Available since {long_date(item.shipped_on)}."
    if item.asked_for:
        when += f" What you told us: “{item.asked_for}”."
    return Section(
        f"shipped-{n}",
        item.title,
        paragraphs=tuple(p for p in (_sentence(item.description), when) if p),
    )


def _note(n: int, item: ShippedItem) -> Section:
    """One shipped initiative as release notes: its ship day, what customers told us that it
    answers, and every change (past :data:`MAX_CHANGES`, counted)."""
    when = f"Shipped {long_date(item.shipped_on)}."
    if item.asked_for:
        when += f" Customers told us: “{item.asked_for}”."
    shown = item.changes[:MAX_CHANGES]
    more = len(item.changes) - len(shown)
    tail = (f"And {plural(more, 'smaller change')}.",) if more > 0 else ()
    return Section(
        f"shipped-{n}",
        item.title,
        paragraphs=(when,),
        bullets=(*shown, *tail),
    )


def _sentence(text: str) -> str:
    """``text`` ending like a sentence (descriptions are often written without a full stop)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."
