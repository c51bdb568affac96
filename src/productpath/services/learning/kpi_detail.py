"""``kpi show``: one KPI's series read robustly (trend, seasonality, anomalies), for the CLI, the
KPI page and the API.

Its reads are SQLAlchemy Core selects returning rows (store/listing_rows.py), so the command
imports neither the ORM nor the mapped models (issue 21); services/learning/kpis.py, which
imports and links KPIs through the ORM, re-exports what is here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

from productpath.domain.views import ProductInfo, View
from productpath.errors import InputError, NotFoundError
from productpath.learning.kpi_trend import read_series
from productpath.store import listing_rows

if TYPE_CHECKING:
    from productpath.services.workspace import OpenWorkspace

MAX_KEY_LENGTH = 64
_Found = TypeVar("_Found")


class KpiPointView(View):
    day: dt.date
    value: float
    expected: float | None
    anomaly: bool


class TrendView(View):
    direction: str
    slope_per_day: float
    slope_low: float
    slope_high: float
    slope_per_period: float
    period_days: int
    start_value: float
    end_value: float


class AnomalyView(View):
    day: dt.date
    value: float
    expected: float
    size: float
    relative: float | None
    z: float


class KpiDetail(View):
    product: ProductInfo
    key: str
    name: str
    unit: str | None
    higher_is_better: bool
    segment: str
    segments: tuple[str, ...]
    cadence: str
    gaps: int
    seasonal: bool
    seasonal_strength: float | None
    weekday_profile: tuple[float, ...] | None
    trend: TrendView | None
    anomalies: tuple[AnomalyView, ...]
    points: tuple[KpiPointView, ...]
    caveats: tuple[str, ...]
    methods: dict[str, str]


def slug(name: str) -> str:
    """A KPI's key: its name, lower case, runs of other characters as one dash."""
    key = re.sub(r"[^0-9a-z]+", "-", name.casefold()).strip("-")
    return key[:MAX_KEY_LENGTH].rstrip("-")


def resolve(kpis: Mapping[str, _Found], ref: str) -> _Found:
    """The KPI ``ref`` names, by key or by a name that slugs to its key; NotFoundError naming
    the known keys otherwise."""
    kpi = kpis.get(ref) or kpis.get(slug(ref))
    if kpi is None:
        known = ", ".join(sorted(kpis)) or "none yet; import some with 'productpath kpi import'"
        raise NotFoundError(f"no KPI '{ref}' (known: {known})")
    return kpi


def kpi_detail(
    handle: OpenWorkspace,
    ref: str,
    *,
    segment: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> KpiDetail:
    """One KPI's series for ``segment`` ("" = whole product) in [start, end], read robustly."""
    if start is not None and end is not None and end < start:
        raise InputError("the end date is before the start date", field="--to")
    with handle.store.rows() as conn:
        header = listing_rows.product(conn, handle.workspace.product)
        product_id = listing_rows.product_id(conn, handle.workspace.product)
        kpi_id, key, name, unit, higher_is_better = resolve(
            listing_rows.kpis(conn, product_id) if product_id else {}, ref
        )
        segments = tuple(s for s in listing_rows.kpi_segments(conn, kpi_id) if s)
        if segment and segment not in segments:
            raise NotFoundError(
                f"KPI '{key}' has no segment '{segment}' (it has: {', '.join(segments) or 'none'})"
            )
        series = listing_rows.kpi_series(conn, kpi_id, segment=segment, start=start, end=end)
    if header is None:
        raise NotFoundError(
            f"product '{handle.workspace.product}' is not in this workspace's database"
        )
    days = [d for d, _ in series]
    values = [v for _, v in series]
    reading = read_series(days, values)
    anomalous = {a.day for a in reading.anomalies}
    caveats = list(reading.caveats)
    if not series:
        caveats.insert(0, "no values in this range")
    return KpiDetail(
        product=ProductInfo(key=header[0], name=header[1], description=header[2]),
        key=key,
        name=name,
        unit=unit,
        higher_is_better=higher_is_better,
        segment=segment,
        segments=segments,
        cadence=reading.cadence,
        gaps=reading.gaps,
        seasonal=reading.seasonal,
        seasonal_strength=reading.seasonal_strength,
        weekday_profile=reading.weekday_profile,
        trend=TrendView(**vars(reading.trend)) if reading.trend else None,
        anomalies=tuple(AnomalyView(**vars(a)) for a in reading.anomalies),
        points=tuple(
            KpiPointView(day=d, value=v, expected=e, anomaly=d in anomalous)
            for d, v, e in zip(days, values, reading.expected, strict=True)
        ),
        caveats=tuple(caveats),
        methods=reading.methods,
    )
