"""KPIs: import their values from files, list them, read one (trend, weekly pattern,
anomalies), and compute a key result's progress from the KPI it points at.

An import runs in one transaction. A value already stored for the same KPI, day and segment
is left alone when equal and restated when the file gives another (a later export corrects an
earlier one); re-running the same import changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from productpath.domain.views import ProductInfo, View
from productpath.errors import InputError, NotFoundError
from productpath.ingest.kpi_files import KpiColumns, KpiRecord, read_kpis
from productpath.ingest.tabular import SkippedRow, source_of
from productpath.learning.key_results import KeyResultProgress, progress_of
from productpath.learning.key_results import progress_towards as progress_towards
from productpath.learning.kpi_trend import read_series
from productpath.services.page_common import product_info
from productpath.services.workspace import OpenWorkspace
from productpath.store import kpi_repo, product_repo
from productpath.store.models import Kpi, utcnow

MAX_KEY_LENGTH = 64
PROGRESS_EVERY = 500


@dataclass
class KpiImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    out_of_order: int = 0
    kpis: list[str] = field(default_factory=list)  # keys, in the order first seen
    created: list[str] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    source: str = ""


class KpiSummary(View):
    key: str
    name: str
    unit: str | None
    points: int
    first: dt.date | None
    last: dt.date | None
    latest: float | None
    segments: tuple[str, ...]


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


def import_kpis(
    handle: OpenWorkspace,
    path: Path,
    *,
    date_column: str,
    value_column: str,
    metric_column: str | None = None,
    metric: str | None = None,
    segment_column: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    file_format: str | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> KpiImportReport:
    """Import the KPI values in ``path``; new KPIs are created under the metric's name."""
    source_name = source_of(path, source)
    columns = KpiColumns(date_column, value_column, metric_column, segment_column, metric)
    records, stats = read_kpis(path, columns, file_format=file_format)
    report = KpiImportReport(source=source_name)
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        kpis = kpi_repo.by_key(session, product.id)
        by_kpi: dict[str, list[KpiRecord]] = {}
        done = 0
        for item in records:
            done += 1
            if isinstance(item, InputError):
                if not skip_invalid:
                    raise item
                report.skipped.append(SkippedRow(item.line, item.field, item.reason))
                continue
            key = slug(item.metric)
            if not key:
                raise InputError("the metric name makes an empty key", file=path, line=item.line)
            by_kpi.setdefault(key, []).append(item)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
        for key, rows in by_kpi.items():
            kpi = kpis.get(key)
            if kpi is None:
                kpi = kpi_repo.create(session, product.id, key, rows[0].metric)
                kpi.unit = unit
                report.created.append(key)
            elif kpi.name == kpi.key and rows[0].metric != kpi.key:
                # Declared by a roadmap key result before any values came: the metric's
                # own name reads better than its key.
                kpi.name = rows[0].metric
                kpi.unit = kpi.unit or unit
            report.kpis.append(key)
            _store_points(session, kpi, rows, source_name, report)
    report.out_of_order = stats.out_of_order
    if progress is not None:
        progress(done)
    return report


def _store_points(
    session: Session, kpi: Kpi, rows: list[KpiRecord], source: str, report: KpiImportReport
) -> None:
    stored = kpi_repo.existing_points(session, kpi.id)
    new: dict[tuple[dt.date, str], KpiRecord] = {}
    changes = []
    for row in rows:
        where = (row.day, row.segment)
        external_id = f"{kpi.key}|{row.day.isoformat()}|{row.segment}"
        if where in stored:
            point_id, value = stored[where]
            if value == row.value:
                report.unchanged += 1
            else:
                changes.append((point_id, row.value, source, external_id))
                stored[where] = (point_id, row.value)
        elif where in new:
            report.unchanged += 1  # the reader refused a repeat with another value
        else:
            new[where] = row
    kpi_repo.update_values(session, changes)
    now = utcnow()
    kpi_repo.insert_points(
        session,
        [
            {
                "kpi_id": kpi.id,
                "day": r.day,
                "segment": r.segment,
                "value": r.value,
                "source": source,
                "external_id": f"{kpi.key}|{r.day.isoformat()}|{r.segment}",
                "imported_at": now,
            }
            for r in new.values()
        ],
    )
    report.added += len(new)
    report.updated += len(changes)


def list_kpis(handle: OpenWorkspace) -> list[KpiSummary]:
    """Every KPI with its span and latest whole-product value."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        found = []
        for kpi, count, first, last in kpi_repo.summaries(session, product_id):
            series = kpi_repo.series(session, kpi.id, start=last, end=last) if last else []
            found.append(
                KpiSummary(
                    key=kpi.key,
                    name=kpi.name,
                    unit=kpi.unit,
                    points=count,
                    first=first,
                    last=last,
                    latest=series[-1][1] if series else None,
                    segments=tuple(s for s in kpi_repo.segments(session, kpi.id) if s),
                )
            )
        return found


def find_kpi_key(handle: OpenWorkspace, ref: str) -> str:
    """The key of the KPI ``ref`` names (its key or its name, any case); NotFoundError if none."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        kpis = kpi_repo.by_key(session, product_id) if product_id is not None else {}
    return _resolve(kpis, ref).key


def _resolve(kpis: dict[str, Kpi], ref: str) -> Kpi:
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
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        kpi = _resolve(kpi_repo.by_key(session, product_id) if product_id else {}, ref)
        segments = tuple(s for s in kpi_repo.segments(session, kpi.id) if s)
        if segment and segment not in segments:
            raise NotFoundError(
                f"KPI '{kpi.key}' has no segment '{segment}' (it has: "
                f"{', '.join(segments) or 'none'})"
            )
        series = kpi_repo.series(session, kpi.id, segment=segment, start=start, end=end)
    days = [d for d, _ in series]
    values = [v for _, v in series]
    reading = read_series(days, values)
    anomalous = {a.day for a in reading.anomalies}
    caveats = list(reading.caveats)
    if not series:
        caveats.insert(0, "no values in this range")
    return KpiDetail(
        product=product_info(handle),
        key=kpi.key,
        name=kpi.name,
        unit=kpi.unit,
        higher_is_better=kpi.higher_is_better,
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


def key_result_progress(
    handle: OpenWorkspace, objective: str, key_result: str, *, since: dt.date | None = None
) -> KeyResultProgress | None:
    """A key result's progress from the KPI it points at; None when it points at none, has no
    target, or the KPI has no values yet."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        kr = kpi_repo.find_key_result(session, product_id or -1, objective, key_result)
        if kr is None:
            raise NotFoundError(f"no key result '{key_result}' under objective '{objective}'")
        if kr.kpi_id is None or kr.target is None:
            return None
        kpi = session.get(Kpi, kr.kpi_id)
        series = kpi_repo.series(session, kr.kpi_id)
        target = kr.target
    if kpi is None:
        return None
    return progress_of(kpi.key, target, series, since=since)


def link_key_result(handle: OpenWorkspace, objective: str, key_result: str, kpi: str) -> None:
    """Point a key result at a KPI (by key or name), so its progress is computed."""
    key = find_kpi_key(handle, kpi)
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        kr = kpi_repo.find_key_result(session, product_id or -1, objective, key_result)
        if kr is None:
            raise NotFoundError(f"no key result '{key_result}' under objective '{objective}'")
        found = kpi_repo.find(session, product_id or -1, key)
        kpi_repo.link_key_result(session, kr.id, found.id if found else None)
