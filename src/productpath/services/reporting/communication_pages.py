"""Read models for the web's stakeholder and reports pages (each page and its ``.json`` twin
serialise the same object)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from productpath.domain.stakeholders import REPORT_READERS
from productpath.domain.views import ProductInfo, View
from productpath.errors import ProductpathError
from productpath.services.page_common import product_info
from productpath.services.reporting.digest_models import DeliveryLogRow, DigestRun
from productpath.services.reporting.digests import digest_log, send_digests
from productpath.services.stakeholders import (
    PowerInterestGrid,
    RaciMatrix,
    StakeholderInfo,
    list_stakeholders,
    power_interest_grid,
    raci_matrix,
)
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import Milestone

REPORT_LABELS = {
    "exec": "Executive summary",
    "engineering": "Engineering status",
    "customer": "Customer update",
    "release-notes": "Release notes",
}


class StakeholdersPage(View):
    product: ProductInfo
    stakeholders: list[StakeholderInfo]
    grid: PowerInterestGrid
    raci: RaciMatrix


class ReportKind(View):
    key: str
    label: str
    readers: str


class MilestoneChoice(View):
    key: str
    name: str
    target_date: dt.date | None


class ReportsPage(View):
    """The reports on offer, the milestones to narrow them to, who the next digest run would
    reach (a dry run: nothing rendered or sent), and the latest deliveries."""

    product: ProductInfo
    kinds: list[ReportKind]
    milestones: list[MilestoneChoice]
    next_digests: DigestRun | None
    digest_problem: str | None
    log: list[DeliveryLogRow]


def stakeholders_page(handle: OpenWorkspace) -> StakeholdersPage:
    return StakeholdersPage(
        product=product_info(handle),
        stakeholders=list_stakeholders(handle),
        grid=power_interest_grid(handle),
        raci=raci_matrix(handle),
    )


def reports_page(handle: OpenWorkspace, today: dt.date | None = None) -> ReportsPage:
    try:
        plan: DigestRun | None = send_digests(handle, dry_run=True, today=today)
        problem = None
    except ProductpathError as exc:  # e.g. a broken [smtp] table: say so, keep the page
        plan, problem = None, str(exc)
    return ReportsPage(
        product=product_info(handle),
        kinds=[
            ReportKind(key=key, label=label, readers=REPORT_READERS[key])
            for key, label in REPORT_LABELS.items()
        ],
        milestones=_milestones(handle),
        next_digests=plan,
        digest_problem=problem,
        log=digest_log(handle, limit=20),
    )


def _milestones(handle: OpenWorkspace) -> list[MilestoneChoice]:
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        rows = session.scalars(
            select(Milestone)
            .where(Milestone.product_id == product_id)
            .order_by(Milestone.target_date, Milestone.key)
        )
        return [MilestoneChoice(key=m.key, name=m.name, target_date=m.target_date) for m in rows]
