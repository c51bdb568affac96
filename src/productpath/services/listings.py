"""The listings a person runs all day (``customers list``, ``feedback list``, ``stakeholders
list``), read as plain rows.

They read through :meth:`Store.rows` and store/listing_rows.py (SQLAlchemy Core, no ORM and no
mapped models), so such a command imports what it prints and little more. The web's customer
API and the feedback explorer use the same rows and the same label rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from productpath.domain import stakeholders as stakeholder_rules
from productpath.store import listing_rows

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from productpath.services.workspace import OpenWorkspace


@dataclass(frozen=True)
class CustomerRow:
    """A customer as listed; ``id`` is the customer's key, ``segment`` the segment's name."""

    id: str
    name: str
    segment: str | None
    annual_revenue: float | None
    feedback_count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FeedbackRow:
    """One stored feedback item as the CLI and exports show it; ``customer`` is its key.

    ``theme_id`` is the theme's user-facing number; it and ``theme_label`` are None for an item
    in no theme, and all four analysis fields are None until the insight engine has read it.
    """

    id: int
    external_id: str
    source: str
    text: str
    created_at: dt.datetime | None
    customer: str | None
    theme_id: int | None = None
    theme_label: str | None = None
    sentiment: float | None = None
    kind: str | None = None
    # Who set kind and sentiment when not the engine: "person" or "file" (see feedback_labels);
    # filled in by ``feedback list``, which shows them (exports carry the values only).
    kind_set_by: str | None = None
    sentiment_set_by: str | None = None

    def listed(self) -> dict[str, Any]:
        """``as_dict`` with who set the kind and the sentiment (None: the insight engine)."""
        return self.as_dict() | {
            "kind_set_by": self.kind_set_by,
            "sentiment_set_by": self.sentiment_set_by,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "source": self.source,
            "text": self.text,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "customer": self.customer,
            "theme_id": self.theme_id,
            "theme_label": self.theme_label,
            "sentiment": self.sentiment,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class StakeholderRow:
    """A stakeholder as ``stakeholders list`` shows it: the fields, in the order, of
    services.stakeholders.StakeholderInfo (its ``model_dump`` equals :meth:`as_dict`), without
    importing pydantic. ``webhook`` shows only the URL's host (see :func:`webhook_host`)."""

    key: str
    name: str
    role: str
    organisation: str
    email: str | None
    audience: str
    power: str
    interest: str
    quadrant: str
    channel: str
    webhook: str | None
    cadence: str
    report: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def webhook_host(url: str | None) -> str | None:
    """Scheme, host and port of a webhook URL: enough to recognise it, not its secret path
    (the rest of a webhook URL is often its secret, as Slack's are)."""
    if not url:
        return None
    from productpath.notify.outbound import shown_host

    shown = shown_host(url)
    return "(set)" if shown.endswith("://") else f"{shown}/…"


def list_stakeholders(handle: OpenWorkspace) -> list[StakeholderRow]:
    """Every stakeholder of the product, roadmap order first, then by key."""
    with handle.store.rows() as conn:
        product = listing_rows.product_id(conn, handle.workspace.product)
        if product is None:
            return []
        found = listing_rows.stakeholders(conn, product)
    return [
        StakeholderRow(
            key=key,
            name=name,
            role=role,
            organisation=organisation,
            email=email,
            audience=audience,
            power=power,
            interest=interest,
            quadrant=stakeholder_rules.quadrant(power, interest),
            channel=channel,
            webhook=webhook_host(webhook_url),
            cadence=cadence,
            report=stakeholder_rules.AUDIENCE_REPORT.get(audience, ""),
        )
        for (
            key,
            name,
            role,
            organisation,
            email,
            audience,
            power,
            interest,
            channel,
            webhook_url,
            cadence,
        ) in found
    ]


def list_customers(handle: OpenWorkspace) -> list[CustomerRow]:
    """Every customer of the product, by id, with its segment and feedback count."""
    with handle.store.rows() as conn:
        product = listing_rows.product_id(conn, handle.workspace.product)
        if product is None:
            return []
        return [CustomerRow(*row) for row in listing_rows.customers(conn, product)]


def list_feedback(handle: OpenWorkspace, *, limit: int | None = None) -> list[FeedbackRow]:
    """The product's feedback in import order, at most ``limit`` items."""
    with handle.store.rows() as conn:
        product = listing_rows.product_id(conn, handle.workspace.product)
        if product is None:
            return []
        rows = [
            FeedbackRow(*row) for row in listing_rows.feedback_items(conn, product, limit=limit)
        ]
        return labelled(conn, rows)


def labelled(conn: Connection, rows: list[FeedbackRow]) -> list[FeedbackRow]:
    """The rows with each label's values and who set them; a label shows even on an item the
    engine has not read yet."""
    found = listing_rows.labels(conn, [row.id for row in rows])
    return [_labelled(row, found[row.id]) if row.id in found else row for row in rows]


def _labelled(row: FeedbackRow, label: listing_rows.LabelTuple) -> FeedbackRow:
    kind, sentiment, source = label
    changes: dict[str, object] = {}
    if kind is not None:
        changes |= {"kind": kind, "kind_set_by": source}
    if sentiment is not None:
        changes |= {"sentiment": sentiment, "sentiment_set_by": source}
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]
