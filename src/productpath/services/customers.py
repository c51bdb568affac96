"""Import customers (with segments and revenue) from a file, list them, and edit one.

Customers are upserted by id in one transaction; segments are created the first time a name is
used. A file without a ``segment`` or ``annual_revenue`` column leaves those values as stored.
An edit from the web form is checked by the same rules as a file's row
(``ingest.customer_files.customer_from_form``); when the customer is listed in roadmap.yaml its
changes are recorded in the history, as a roadmap edit's are, so that ``roadmap apply`` of an
older file sees them as the workspace's own changes and never silently undoes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from productpath.domain.roadmap_edits import CREATED, FieldEdit
from productpath.domain.views import View
from productpath.errors import NotFoundError
from productpath.ingest.customer_files import CustomerRecord, customer_from_form, read_customers
from productpath.services.listings import CustomerRow as CustomerRow
from productpath.services.listings import list_customers as list_customers
from productpath.services.workspace import OpenWorkspace
from productpath.store import customer_repo, history_repo, product_repo
from productpath.store.models import Customer, Segment
from productpath.workspace import slugify

SEGMENT_KEY_LENGTH = 64  # segment.key column width


@dataclass
class CustomerImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def import_customers(handle: OpenWorkspace, path: Path) -> CustomerImportReport:
    """Upsert the customers in ``path``; any bad row stops the import with nothing written."""
    # Read and validate the whole file before taking the write lock.
    records = list(read_customers(path))
    report = CustomerImportReport()
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        known = customer_repo.by_key(session, product.id)
        segments = customer_repo.segments_by_key(session, product.id)
        for record in records:
            values = _values(record, session, product.id, segments)
            outcome = customer_repo.upsert(session, product.id, known, record.key, values)
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


class CustomerView(View):
    """A customer as the customers page shows it."""

    id: str
    name: str
    segment: str | None
    annual_revenue: float | None
    feedback_count: int


class CustomersPage(View):
    customers: list[CustomerView]


def customers_page(handle: OpenWorkspace) -> CustomersPage:
    """Every customer with its segment, revenue and how much feedback it gave."""
    return CustomersPage(
        customers=[CustomerView(**row.as_dict()) for row in list_customers(handle)]
    )


def update_customer(
    handle: OpenWorkspace,
    key: str,
    *,
    name: str,
    segment: str,
    annual_revenue: str,
    actor: str,
    via: str,
) -> CustomerRow:
    """Set a customer's name, segment (by name: created when new) and annual revenue (empty:
    unknown). NotFoundError for an unknown key; InputError naming the field for a bad value."""
    record = customer_from_form(key, name, segment, annual_revenue)
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        known = customer_repo.by_key(session, product_id) if product_id is not None else {}
        row = known.get(key)
        if row is None or product_id is None:
            raise NotFoundError(f"no customer '{key}' in this workspace")
        segments = customer_repo.segments_by_key(session, product_id)
        before = _fields(row, segments)
        values = _values(record, session, product_id, segments)
        customer_repo.upsert(session, product_id, known, key, values)
        after = _fields(row, segments)
        if row.roadmap_position is not None:  # listed in roadmap.yaml: its history counts
            edits = _listed_segment(segments, _segment_of(row, segments))
            edits += [
                FieldEdit("customer", key, field, before[field], after[field])
                for field in before
                if before[field] != after[field]
            ]
            history_repo.append(session, product_id, edits, actor=actor, via=via)
        count = customer_repo.feedback_count(session, row.id)
        segment_row = _segment_of(row, segments)
        return CustomerRow(
            id=row.key,
            name=row.name,
            segment=segment_row.name if segment_row is not None else None,
            annual_revenue=row.annual_revenue,
            feedback_count=count,
        )


def _fields(row: Customer, segments: dict[str, Segment]) -> dict[str, Any]:
    """A customer's fields as roadmap.yaml writes them (the segment by its key)."""
    segment = _segment_of(row, segments)
    return {
        "name": row.name,
        "segment": segment.key if segment is not None else None,
        "annual_revenue": row.annual_revenue,
    }


def _listed_segment(segments: dict[str, Segment], segment: Segment | None) -> list[FieldEdit]:
    """A customer listed in roadmap.yaml may only name a segment it lists: a segment new to
    the roadmap is listed after the others, and that is recorded as its creation."""
    if segment is None or segment.roadmap_position is not None:
        return []
    taken = [s.roadmap_position for s in segments.values() if s.roadmap_position is not None]
    segment.roadmap_position = max(taken, default=-1) + 1
    document = {"id": segment.key, "name": segment.name}
    return [FieldEdit("segment", segment.key, CREATED, None, document)]


def _segment_of(row: Customer, segments: dict[str, Segment]) -> Segment | None:
    return next((s for s in segments.values() if s.id == row.segment_id), None)


def _values(
    record: CustomerRecord, session: Session, product_id: int, segments: dict[str, Segment]
) -> dict[str, Any]:
    """The columns the file sets; a column the file lacks is left out, so it is not touched."""
    values: dict[str, Any] = {"name": record.name}
    if record.has_segment:
        values["segment_id"] = (
            _segment_id(session, product_id, segments, record.segment) if record.segment else None
        )
    if record.has_revenue:
        values["annual_revenue"] = record.annual_revenue
    return values


def _segment_id(session: Session, product_id: int, segments: dict[str, Segment], name: str) -> int:
    # "Enterprise", "enterprise" and "ENTERPRISE " are one segment: matched by its slug key.
    key = slugify(name)[:SEGMENT_KEY_LENGTH]
    segment = segments.get(key)
    if segment is None:
        segment = customer_repo.create_segment(session, product_id, key, name)
        segments[key] = segment
    return segment.id
