"""KPIs: import their values from files, list them, read one (trend, weekly pattern,
anomalies), and compute a key result's progress from the KPI it points at.

An import runs in one transaction. A value already stored for the same KPI, day and segment
is left alone when equal and restated when the file gives another (a later export corrects an
earlier one); re-running the same import changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from productpath.domain.views import View
from productpath.errors import InputError, NotFoundError
from productpath.ingest.kpi_files import KpiColumns, KpiRecord, read_kpis
from productpath.ingest.tabular import SkippedRow, source_of
from productpath.learning.key_results import KeyResultProgress, progress_of
from productpath.learning.key_results import progress_towards as progress_towards
from productpath.services.learning.kpi_detail import MAX_KEY_LENGTH as MAX_KEY_LENGTH
from productpath.services.learning.kpi_detail import AnomalyView as AnomalyView
from productpath.services.learning.kpi_detail import KpiDetail as KpiDetail
from productpath.services.learning.kpi_detail import KpiPointView as KpiPointView
from productpath.services.learning.kpi_detail import TrendView as TrendView
from productpath.services.learning.kpi_detail import kpi_detail as kpi_detail
from productpath.services.learning.kpi_detail import resolve as _resolve
from productpath.services.learning.kpi_detail import slug as slug
from productpath.services.workspace import OpenWorkspace
from productpath.store import kpi_repo, product_repo
from productpath.store.models import Kpi, utcnow

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
