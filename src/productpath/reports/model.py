"""The plain context every report renders from: a title, what it is based on, what changed,
and sections of paragraphs, bullet points, tables and charts.

Builders (:mod:`productpath.reports.exec_report` and its siblings) turn per-audience data into a
:class:`ReportContext`; the renderers in :mod:`productpath.reports.render` write it out as
Markdown, HTML or PDF. Charts arrive as finished SVG markup with a text alternative, so this
package never needs to know where the numbers came from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chart:
    """An SVG figure (escaped, safe markup) and the sentence that says what it shows; the
    Markdown rendering prints the sentence in place of the picture."""

    title: str
    svg: str
    summary: str


@dataclass(frozen=True)
class Table:
    """A small table; every cell is already text. ``numeric`` marks right-aligned columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """One heading of a report. ``empty`` is the plain "no data yet" sentence shown instead of
    content when there is nothing to say."""

    key: str
    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    empty: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.paragraphs or self.bullets or self.tables or self.charts)


@dataclass(frozen=True)
class ReportContext:
    """A whole report, ready to render."""

    kind: str
    title: str
    product: str
    audience: str
    generated_on: dt.date
    data_as_of: dt.datetime | None
    sources: tuple[str, ...]
    changes: tuple[str, ...]
    previous_on: dt.date | None
    sections: tuple[Section, ...]
    summary: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def texts(self) -> list[str]:
        """Every sentence a reader sees (for the jargon check), charts' summaries included."""
        out = [self.title, self.summary, *self.changes]
        for section in self.sections:
            out.append(section.heading)
            out.extend(section.paragraphs)
            out.extend(section.bullets)
            for table in section.tables:
                out.extend(table.columns)
                out.extend(cell for row in table.rows for cell in row)
                out.append(table.caption)
            out.extend(chart.summary for chart in section.charts)
            if section.empty:
                out.append(section.empty)
        return [text for text in out if text]

    def map_text(self, change: Callable[[str], str]) -> ReportContext:
        """The same report with ``change`` applied to every sentence a reader sees (not to
        chart markup, dates or the list of sources)."""

        def section(s: Section) -> Section:
            return dataclasses.replace(
                s,
                heading=change(s.heading),
                paragraphs=tuple(change(p) for p in s.paragraphs),
                bullets=tuple(change(b) for b in s.bullets),
                tables=tuple(
                    dataclasses.replace(
                        t,
                        rows=tuple(tuple(change(c) for c in row) for row in t.rows),
                        caption=change(t.caption),
                    )
                    for t in s.tables
                ),
                charts=tuple(dataclasses.replace(c, summary=change(c.summary)) for c in s.charts),
                empty=change(s.empty) if s.empty else s.empty,
            )

        return dataclasses.replace(
            self,
            summary=change(self.summary),
            changes=tuple(change(c) for c in self.changes),
            sections=tuple(section(s) for s in self.sections),
        )


def long_date(day: dt.date) -> str:
    """'14 March 2027': how reports write a date for people."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    """'14 Mar 2027'."""
    return f"{day.day} {day:%b %Y}"


def money(amount: float) -> str:
    """Revenue for people: '1.2m', '455k', '900' (no currency: the workspace does not say)."""
    if amount >= 1_000_000:
        return f"{amount / 1_000_000:.1f}m"
    if amount >= 10_000:
        return f"{amount / 1000:.0f}k"
    return f"{amount:,.0f}"


def chance(probability: float) -> str:
    """A forecast's chance for people: '85%', capped at '> 99%' and '< 1%'.

    A simulation that always (or never) made the date has not shown certainty; "100%" next to
    a risk reads as a contradiction, and a careful reader would be right to doubt it.
    """
    if probability >= 0.995:
        return "> 99%"
    if probability < 0.005:
        return "< 1%"
    return f"{probability:.0%}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 item', '3 items'."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
