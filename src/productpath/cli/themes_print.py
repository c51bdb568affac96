"""Rich rendering of ``themes list`` and ``themes show``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from productpath.cli.common import widen_to_fit
from productpath.services.pages.themes_view import ThemeDetail, ThemesPage, ThemeSummary

SPARK = "▁▂▃▄▅▆▇█"


WIDE_TERMINAL = 140
MIDDLE_TERMINAL = 110


def sparkline(counts: list[int]) -> str:
    """Weekly counts as block characters, scaled to the largest week."""
    top = max(counts, default=0)
    if top == 0:
        return SPARK[0] * len(counts)
    return "".join(SPARK[min(len(SPARK) - 1, round(c / top * (len(SPARK) - 1)))] for c in counts)


def trend_text(theme: ThemeSummary) -> str:
    if theme.trend is None:
        return "new" if theme.recent_count and not theme.evidence.baseline_count else "—"
    arrow = "↑" if theme.trend >= 1.2 else "↓" if theme.trend <= 0.8 else "→"
    return f"{arrow} {theme.trend:.1f}x"


def _sentiment(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def print_themes(page: ThemesPage, *, wide: bool = False) -> None:
    console = Console()
    if not page.themes:
        if page.items == 0:
            console.print("No feedback yet; import some with 'productpath feedback import FILE'.")
        elif page.analysed:
            noun = "item" if page.analysed == 1 else "items"
            console.print(
                f"No themes in the {page.analysed:,} analysed {noun}: a theme needs at least "
                f"{page.min_theme_size} items that are alike."
            )
        else:
            console.print("No themes yet; run 'productpath insights run' to find them.")
        return
    # Who is asking needs room; narrower terminals keep what reads without a wrapped cell
    # (80 columns: no share, weekly or who-asks columns) and 'themes show' or --json give the
    # rest. ``wide`` shows every column however narrow the terminal.
    full = wide or console.width >= WIDE_TERMINAL
    middle = full or console.width >= MIDDLE_TERMINAL
    columns = ["id", "label", "size"]
    columns += ["share", "sentiment", "trend", "weekly"] if middle else ["sent.", "trend"]
    columns += ["emerging"] if middle else ["emerg."]
    if full:
        columns += ["top segments", "top customers (revenue)"]
    table = Table(*columns)
    for t in page.themes:
        row = [f"#{t.number}", t.label, str(t.size)]
        if middle:
            row.append(f"{t.share:.1%}")
        row += [_sentiment(t.mean_sentiment), trend_text(t)]
        if middle:
            row.append(sparkline([w.count for w in t.weeks[-12:]]))
        row.append("yes" if t.emerging else ("source mix" if t.evidence.source_shift else ""))
        if full:
            row.append(", ".join(f"{s.name} ({s.items})" for s in t.top_segments[:2]))
            row.append(
                ", ".join(f"{c.name} ({_money(c.annual_revenue)})" for c in t.top_customers[:2])
            )
        table.add_row(*row)
    if wide:
        widen_to_fit(console, table)
    console.print(table)
    if not full:
        console.print("[dim]Share, weekly counts, who asks: --wide, or a wider terminal.[/]")
    console.print(
        f"{page.analysed:,} of {page.items:,} items analysed, {page.unassigned:,} unassigned"
        f"{f', {page.dismissed:,} dismissed as not feedback' if page.dismissed else ''}; "
        f"trend: last 4 weeks' share vs before, up to {page.as_of}. "
        f"Emerging: {page.test}."
    )


def print_theme(detail: ThemeDetail) -> None:
    console = Console()
    t = detail.theme
    console.print(f"[bold]#{t.number} {t.label}[/bold]")
    console.print(f"keywords: {', '.join(t.keywords) or '—'}")
    console.print(
        f"{t.size} items ({t.share:.1%}), mean sentiment {_sentiment(t.mean_sentiment)}, "
        f"trend {trend_text(t)}, annual revenue behind it {_money(t.revenue)}"
    )
    e = t.evidence
    flag = (
        "EMERGING"
        if e.emerging
        else ("not emerging (source mix)" if e.source_shift else "not emerging")
    )
    console.print(f"{flag}: {e.reason}")
    if e.p_value is not None:
        console.print(
            f"  {e.recent_count} of {e.recent_total} items in the last {e.recent_weeks} weeks "
            f"({e.recent_share:.1%}) vs {e.baseline_count} of {e.baseline_total} before "
            f"({e.baseline_share:.1%}); p = {e.p_value:.3g}, q = {e.q_value:.3g} ({e.test})"
        )
    quotes = Table("date", "customer", "kind", "sentiment", "quote", title="Quotes")
    for q in detail.quotes:
        quotes.add_row(str(q.date), q.customer or "", q.kind or "", _sentiment(q.sentiment), q.text)
    console.print(quotes)
    kinds = Table("kind", "items", title="Kinds")
    for kind, count in detail.kinds.items():
        kinds.add_row(kind, str(count))
    console.print(kinds)
    sources = Table("source", "items", "share", title="Sources")
    for source, count in detail.sources.items():
        sources.add_row(source, str(count), f"{count / max(t.size, 1):.0%}")
    console.print(sources)
    weeks = Table("week", "items", "sentiment", title="Weekly trend")
    for w in t.weeks:
        weeks.add_row(str(w.week_start), str(w.count), _sentiment(w.mean_sentiment))
    console.print(weeks)
    segments = Table("segment", "items", "customers", "revenue", title="Segments")
    for s in detail.segments:
        segments.add_row(s.name, str(s.items), str(s.customers), _money(s.annual_revenue))
    console.print(segments)
    customers = Table("customer", "items", "revenue", title="Customers")
    for c in detail.customers:
        customers.add_row(c.name, str(c.items), _money(c.annual_revenue))
    console.print(customers)
