"""Import customers (with segments and revenue) from a file, and list them.

Customers are upserted by id in one transaction; segments are created the first time a name is
used. A file without a ``segment`` or ``annual_revenue`` column leaves those values as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from productpath.ingest.customer_files import CustomerRecord, read_customers
from productpath.services.listings import CustomerRow as CustomerRow
from productpath.services.listings import list_customers as list_customers
from productpath.services.workspace import OpenWorkspace
from productpath.store import customer_repo, product_repo
from productpath.store.models import Segment
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
