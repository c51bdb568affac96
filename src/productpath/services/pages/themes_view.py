"""Read models for themes: the list (``themes list``, ``/themes``) and one theme's detail
(``themes show``, ``/themes/{number}``), with trends and emerging evidence computed from the
stored readings as of the newest feedback not dated after today, so the CLI, the pages and their
JSON twins agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from productpath.domain.feedback_kinds import KINDS
from productpath.domain.views import ProductInfo, View
from productpath.errors import NotFoundError
from productpath.insights.theme_size import smallest_theme
from productpath.insights.trends import (
    ADJUSTMENT,
    RECENT_WEEKS,
    TEST_NAME,
    EmergingEvidence,
    ThemeTrend,
    share_change,
    theme_trends,
    trend_end,
)
from productpath.services.page_common import product_info
from productpath.services.workspace import OpenWorkspace
from productpath.store import curation_repo, feedback_repo, insight_repo, label_repo, product_repo
from productpath.store.insight_repo import ReadingRow
from productpath.store.models import InsightRun

TOP = 5
QUOTES = 5


class RunInfo(View):
    finished_at: dt.datetime | None
    embedder: str
    full: bool
    seed: int
    items: int


class Evidence(View):
    """Why a theme is or is not emerging: the counts, shares and test results."""

    test: str
    recent_weeks: int
    recent_count: int
    recent_total: int
    recent_share: float
    baseline_count: int
    baseline_total: int
    baseline_share: float
    ratio: float | None
    p_value: float | None
    q_value: float | None
    emerging: bool
    reason: str
    # Why the share rose without customers (a source started or stopped); "" otherwise.
    source_shift: str = ""


class Week(View):
    week_start: dt.date
    count: int
    mean_sentiment: float | None


class CustomerShare(View):
    key: str
    name: str
    items: int
    annual_revenue: float | None


class SegmentShare(View):
    name: str
    items: int
    customers: int
    annual_revenue: float


class ThemeSummary(View):
    number: int
    label: str
    keywords: tuple[str, ...]
    size: int
    share: float
    mean_sentiment: float | None
    recent_count: int
    trend: float | None  # recent share / earlier share; None when it cannot be said
    emerging: bool
    evidence: Evidence
    weeks: tuple[Week, ...]
    top_customers: tuple[CustomerShare, ...]
    top_segments: tuple[SegmentShare, ...]
    revenue: float  # annual revenue of the distinct customers behind the theme
    label_set_by: str | None = None  # a person named it (``themes rename``): runs keep the label


class ThemesPage(View):
    product: ProductInfo
    run: RunInfo | None
    items: int
    analysed: int
    unassigned: int  # in no theme, dismissed items left out (they are not feedback)
    dismissed: int = 0  # items a person dismissed as not feedback (``feedback dismiss``)
    min_theme_size: int  # the fewest alike items that make a theme, for this many analysed
    as_of: dt.date | None
    test: str
    themes: tuple[ThemeSummary, ...]


class Quote(View):
    feedback_id: int
    text: str
    date: dt.date
    customer: str | None
    similarity: float | None
    kind: str | None
    sentiment: float | None
    # A person set the kind (see ``feedback label``): the page says so.
    kind_by_person: bool = False


class ThemeDetail(View):
    product: ProductInfo
    run: RunInfo | None
    theme: ThemeSummary
    quotes: tuple[Quote, ...]
    kinds: dict[str, int]
    customers: tuple[CustomerShare, ...]
    segments: tuple[SegmentShare, ...]
    # Items per feedback source, most first: whether the theme is one source's or shared.
    sources: dict[str, int]


def themes_page(handle: OpenWorkspace) -> ThemesPage:
    """Every active theme, largest first, with its trend and who is behind it."""
    product = product_info(handle)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:  # pragma: no cover - product_info raised already
            raise NotFoundError("no product")
        stored = [t for t in insight_repo.themes(session, product_id) if t.active]
        rows = insight_repo.readings(session, product_id)
        run = insight_repo.last_run(session, product_id)
        total = feedback_repo.count(session, product_id)
        gone = curation_repo.dismissed_ids(session, product_id)  # dismissed: not feedback
    trends, as_of = _trends(rows)
    by_theme = _group(rows)
    summaries = [
        _summary(
            t.number, t.label, t.keywords, by_theme.get(t.number, []), len(rows), trends
        ).model_copy(update={"label_set_by": t.label_set_by})
        for t in stored
    ]
    summaries.sort(key=lambda s: (-s.size, s.number))
    return ThemesPage(
        product=product,
        run=_run_info(run),
        items=total,
        analysed=len(rows),
        unassigned=sum(1 for r in rows if r.theme_number is None and r.feedback_id not in gone),
        dismissed=len(gone),
        min_theme_size=smallest_theme(len(rows)),
        as_of=as_of,
        test=f"{TEST_NAME}, {ADJUSTMENT}-adjusted across themes",
        themes=tuple(summaries),
    )


def theme_detail(handle: OpenWorkspace, number: int) -> ThemeDetail:
    """One theme: its summary, the quotes closest to its centre, kinds, customers, segments."""
    product = product_info(handle)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:  # pragma: no cover - product_info raised already
            raise NotFoundError("no product")
        theme = next(
            (t for t in insight_repo.themes(session, product_id) if t.number == number), None
        )
        if theme is None or not theme.active:
            raise NotFoundError(f"no theme #{number}; 'productpath themes list' shows them")
        rows = insight_repo.readings(session, product_id)
        quotes = insight_repo.quotes(session, product_id, number, QUOTES)
        labels = label_repo.of_items(session, [q[0] for q in quotes])
        run = insight_repo.last_run(session, product_id)
    trends, _ = _trends(rows)
    members = [r for r in rows if r.theme_number == number]
    summary = _summary(number, theme.label, theme.keywords, members, len(rows), trends)
    summary = summary.model_copy(update={"label_set_by": theme.label_set_by})
    kinds = Counter(r.kind or "other" for r in members)
    return ThemeDetail(
        product=product,
        run=_run_info(run),
        theme=summary,
        quotes=tuple(
            Quote(
                feedback_id=q[0],
                text=q[1],
                date=q[2].date(),
                customer=q[3],
                similarity=q[4],
                kind=q[5],
                sentiment=q[6],
                kind_by_person=q[0] in labels
                and labels[q[0]].source == "person"
                and labels[q[0]].kind is not None,
            )
            for q in quotes
        ),
        kinds={kind: kinds.get(kind, 0) for kind in KINDS},
        customers=_customers(members, limit=None),
        segments=_segments(members),
        sources=dict(Counter(row.source for row in members).most_common()),
    )


def _trends(rows: list[ReadingRow]) -> tuple[dict[int, ThemeTrend], dt.date | None]:
    if not rows:
        return {}, None
    dates = [r.when.date() for r in rows]
    as_of = trend_end(dates)
    numbers = [-1 if r.theme_number is None else r.theme_number for r in rows]
    sentiments = [r.sentiment for r in rows]
    sources = [r.source for r in rows]
    return theme_trends(dates, numbers, sentiments, as_of=as_of, sources=sources), as_of


def _group(rows: Iterable[ReadingRow]) -> dict[int, list[ReadingRow]]:
    grouped: dict[int, list[ReadingRow]] = defaultdict(list)
    for row in rows:
        if row.theme_number is not None:
            grouped[row.theme_number].append(row)
    return grouped


def _summary(
    number: int,
    label: str,
    keywords: tuple[str, ...],
    members: list[ReadingRow],
    total: int,
    trends: dict[int, ThemeTrend],
) -> ThemeSummary:
    trend = trends.get(number)
    evidence = trend.evidence if trend else _untested()
    scored = [r.sentiment for r in members if r.sentiment is not None]
    customers = _customers(members, limit=None)
    return ThemeSummary(
        number=number,
        label=label,
        keywords=keywords,
        size=len(members),
        share=len(members) / total if total else 0.0,
        mean_sentiment=sum(scored) / len(scored) if scored else None,
        recent_count=evidence.recent_count,
        trend=_finite(share_change(evidence)),
        emerging=evidence.emerging,
        evidence=_evidence(evidence),
        weeks=tuple(
            Week(week_start=w.week_start, count=w.count, mean_sentiment=w.mean_sentiment)
            for w in (trend.weeks if trend else ())
        ),
        top_customers=customers[:TOP],
        top_segments=_segments(members)[:TOP],
        revenue=sum(c.annual_revenue or 0.0 for c in customers),
    )


def _finite(value: float | None) -> float | None:
    # JSON has no infinity: a theme with no earlier items has no ratio to show.
    return value if value is not None and value != float("inf") else None


def _untested() -> EmergingEvidence:
    return EmergingEvidence(0, 0, 0.0, 0, 0, 0.0, None, None, None, False, "not tested")


def _evidence(e: EmergingEvidence) -> Evidence:
    return Evidence(
        test=TEST_NAME,
        recent_weeks=RECENT_WEEKS,
        recent_count=e.recent_count,
        recent_total=e.recent_total,
        recent_share=e.recent_share,
        baseline_count=e.baseline_count,
        baseline_total=e.baseline_total,
        baseline_share=e.baseline_share,
        ratio=e.ratio,
        p_value=e.p_value,
        q_value=e.q_value,
        emerging=e.emerging,
        reason=e.reason,
        source_shift=e.source_shift,
    )


def _customers(members: list[ReadingRow], *, limit: int | None) -> tuple[CustomerShare, ...]:
    counts: Counter[str] = Counter()
    info: dict[str, tuple[str, float | None]] = {}
    for row in members:
        if row.customer is not None:
            counts[row.customer] += 1
            info[row.customer] = (row.customer_name or row.customer, row.revenue)
    ranked = sorted(counts, key=lambda k: (-(info[k][1] or 0.0), -counts[k], k))
    return tuple(
        CustomerShare(key=k, name=info[k][0], items=counts[k], annual_revenue=info[k][1])
        for k in ranked[:limit]
    )


def _segments(members: list[ReadingRow]) -> tuple[SegmentShare, ...]:
    items: Counter[str] = Counter()
    customers: dict[str, dict[str, float]] = defaultdict(dict)
    for row in members:
        if row.customer is None:
            continue
        name = row.segment or "(no segment)"
        items[name] += 1
        customers[name][row.customer] = row.revenue or 0.0
    shares = [
        SegmentShare(
            name=name,
            items=items[name],
            customers=len(customers[name]),
            annual_revenue=sum(customers[name].values()),
        )
        for name in items
    ]
    return tuple(sorted(shares, key=lambda s: (-s.annual_revenue, -s.items, s.name)))


def _run_info(run: InsightRun | None) -> RunInfo | None:
    if run is None:
        return None
    return RunInfo(
        finished_at=run.finished_at,
        embedder=run.embedder,
        full=run.full,
        seed=run.seed,
        items=run.items,
    )
