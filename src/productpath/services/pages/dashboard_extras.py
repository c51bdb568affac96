"""What the dashboard adds to the counts: milestone confidence (the forecast's P85 date against
each target), the top delivery risks, and the top and emerging themes.

Each comes from the service that owns it (the roadmap forecast the /roadmap page draws, the
delivery status, the themes page), which together cost a few hundred milliseconds. The
dashboard is the most visited page, so the result is kept in memory per database and product
and computed again only when the data behind it changes: the cache key is the store's data
version (which every committed write moves) plus the day, and nothing is kept longer than ten
minutes. Each server worker holds its own copy.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from productpath.domain.views import View
from productpath.errors import ProductpathError
from productpath.services.workspace import OpenWorkspace

MAX_AGE_S = 600
TOP_RISKS = 5
TOP_THEMES = 5
# The most serious first: a late milestone before a quiet initiative.
RISK_ORDER = ("slipping", "dependency_slipped", "scope_growth", "stale", "concentration")


class MilestoneConfidence(View):
    """A milestone's forecast: P85 is the date it is done by in 85% of the simulated futures."""

    key: str
    name: str
    target_date: dt.date
    p50: dt.date | None
    p85: dt.date | None
    probability: float | None  # of being done by the target
    on_track: bool | None  # P85 on or before the target; None without a forecast
    days_late: int | None  # P85 minus the target, in days (negative: days to spare)


class RiskLine(View):
    initiative: str
    title: str
    kind: str
    reason: str


class ThemeLine(View):
    number: int
    label: str
    size: int
    share: float
    trend: float | None
    emerging: bool


class DashboardExtras(View):
    milestone_confidence: tuple[MilestoneConfidence, ...] = ()
    forecast_note: str | None = None  # why there is no forecast
    top_risks: tuple[RiskLine, ...] = ()
    risk_note: str | None = None
    top_themes: tuple[ThemeLine, ...] = ()
    emerging_themes: tuple[ThemeLine, ...] = ()


_cache: dict[tuple[str, str], tuple[tuple[dt.date, int, int], DashboardExtras]] = {}
_lock = threading.Lock()


def dashboard_extras(handle: OpenWorkspace, *, today: dt.date | None = None) -> DashboardExtras:
    """Milestone confidence, top risks and themes of the workspace's product, as of ``today``
    (default: the current date); served from memory while the data behind it is unchanged."""
    today = today or dt.date.today()
    key = (handle.store.url, handle.workspace.product)
    stamp = (today, int(time.monotonic() // MAX_AGE_S), handle.store.data_version())
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    extras = _compute(handle, today)
    with _lock:
        _cache[key] = (stamp, extras)
    return extras


def clear_cache() -> None:
    """Forget every cached result (tests, and after a restore)."""
    with _lock:
        _cache.clear()


def _compute(handle: OpenWorkspace, today: dt.date) -> DashboardExtras:
    confidence, forecast_note = _confidence(handle, today)
    risks, risk_note = _risks(handle, today)
    top, emerging = _themes(handle)
    return DashboardExtras(
        milestone_confidence=confidence,
        forecast_note=forecast_note,
        top_risks=risks,
        risk_note=risk_note,
        top_themes=top,
        emerging_themes=emerging,
    )


def _confidence(
    handle: OpenWorkspace, today: dt.date
) -> tuple[tuple[MilestoneConfidence, ...], str | None]:
    from productpath.services.pages.roadmap_timeline import timeline

    plan = timeline(handle, today=today)
    if plan.forecast is None:
        return (), plan.problem
    found = []
    for m in plan.forecast.milestones:
        p85 = m.finish.p85 if m.finish else None
        found.append(
            MilestoneConfidence(
                key=m.key,
                name=m.name,
                target_date=m.target_date,
                p50=m.finish.p50 if m.finish else None,
                p85=p85,
                probability=m.probability,
                on_track=None if p85 is None else p85 <= m.target_date,
                days_late=None if p85 is None else (p85 - m.target_date).days,
            )
        )
    found.sort(key=lambda c: (c.target_date, c.key))
    return tuple(found), None


def _risks(handle: OpenWorkspace, today: dt.date) -> tuple[tuple[RiskLine, ...], str | None]:
    from productpath.services.delivery import delivery_status

    try:
        status = delivery_status(handle, today=today)
    except ProductpathError as exc:
        return (), str(exc)
    rank = {kind: i for i, kind in enumerate(RISK_ORDER)}
    lines = [
        RiskLine(initiative=i.key, title=i.title, kind=r.kind, reason=r.reason)
        for i in status.initiatives
        for r in i.risks
    ]
    lines.sort(key=lambda r: (rank.get(r.kind, len(rank)), r.initiative))
    return tuple(lines[:TOP_RISKS]), None


def _themes(handle: OpenWorkspace) -> tuple[tuple[ThemeLine, ...], tuple[ThemeLine, ...]]:
    from productpath.services.pages.themes_view import themes_page

    try:
        page = themes_page(handle)
    except ProductpathError:
        return (), ()
    lines = [
        ThemeLine(
            number=t.number,
            label=t.label,
            size=t.size,
            share=t.share,
            trend=t.trend,
            emerging=t.emerging,
        )
        for t in page.themes
    ]
    emerging = sorted((t for t in lines if t.emerging), key=lambda t: -(t.trend or 0.0))
    return tuple(lines[:TOP_THEMES]), tuple(emerging[:TOP_THEMES])
