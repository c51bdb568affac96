"""Key results' progress for every objective of a product, computed from their KPIs.

Kept apart from :mod:`.kpis` so that the dashboard (``services.pages.overview``), which
``services.learning.kpis`` itself builds on, can use it without an import cycle.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.learning.key_results import KeyResultProgress, progress_of
from productpath.services.workspace import OpenWorkspace
from productpath.store import kpi_repo, product_repo
from productpath.store.models import KeyResult, Objective

__all__ = ["KeyResultProgress", "progress_by_id", "progress_by_key"]


def progress_by_id(session: Session, product_id: int) -> dict[int, KeyResultProgress]:
    """Key result row id -> progress, for those with a target, a KPI and values."""
    rows = session.execute(
        select(KeyResult.id, KeyResult.target)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.product_id == product_id, KeyResult.kpi_id.is_not(None))
    )
    targets = {kr_id: target for kr_id, target in rows}
    out = {}
    for kr_id, (kpi, series) in kpi_repo.key_result_series(session, product_id).items():
        found = progress_of(kpi, targets.get(kr_id), series)
        if found is not None:
            out[kr_id] = found
    return out


def progress_by_key(
    handle: OpenWorkspace, product: str | None = None
) -> dict[tuple[str, str], KeyResultProgress]:
    """(objective key, key result key) -> progress, for the product's roadmap."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, product or handle.workspace.product)
        if product_id is None:
            return {}
        progress = progress_by_id(session, product_id)
        keys = session.execute(
            select(KeyResult.id, Objective.key, KeyResult.key)
            .join(Objective, Objective.id == KeyResult.objective_id)
            .where(KeyResult.id.in_(list(progress)))
        ).all()
    return {(objective, kr): progress[kr_id] for kr_id, objective, kr in keys}
