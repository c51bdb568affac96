"""Feedback through the JSON API: search it (the explorer's store queries, plus a sentiment
range) and add one item at a time as source ``api``.

Added items follow the importer's rules: personal data in the text is redacted, ``external_id``
makes a retry a no-op (the same id again returns the stored item), and a customer key the
product does not know yet creates that customer, named by its key.
"""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from productpath.domain.feedback_kinds import KINDS
from productpath.domain.text import is_blank
from productpath.errors import ConflictError, InputError
from productpath.ingest.pii import redact
from productpath.services.workspace import OpenWorkspace
from productpath.store import customer_repo, feedback_search, label_repo, product_repo
from productpath.store.feedback_search import FoundItem, SearchFilter
from productpath.store.models import FeedbackItem, utcnow

SOURCE = "api"
# A total counted past this says "more than" (total_capped), so a broad filter stays cheap.
COUNT_LIMIT = 10_000
MAX_TEXT = 10_000


class FeedbackPublic(BaseModel):
    """One feedback item with the insight engine's reading of it (None until it has run)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1042,
                    "source": "api",
                    "external_id": "ticket-881",
                    "text": "Please let me freeze my card from the app",
                    "created_at": "2030-02-01T10:00:00Z",
                    "customer": "acme",
                    "customer_name": "Acme Corp",
                    "segment": "Enterprise",
                    "theme": 3,
                    "theme_label": "card controls",
                    "sentiment": -0.1,
                    "kind": "feature_request",
                }
            ]
        },
    )
    id: int
    source: str
    external_id: str
    text: str
    created_at: dt.datetime | None
    customer: str | None  # the customer's key
    customer_name: str | None
    segment: str | None
    theme: int | None  # the theme's number
    theme_label: str | None
    sentiment: float | None
    kind: str | None
    # "person" when a person set the kind (sentiment) and the engine did not; None otherwise.
    kind_set_by: str | None = None
    sentiment_set_by: str | None = None


class FeedbackSearch(BaseModel):
    """Filters; None leaves one off. ``theme`` is a number, ``segment`` a key, dates are UTC
    days (inclusive)."""

    model_config = ConfigDict(frozen=True)
    q: str | None = None
    theme: int | None = None
    kind: str | None = None
    sentiment_min: float | None = None
    sentiment_max: float | None = None
    segment: str | None = None
    source: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


class FoundPage(BaseModel):
    model_config = ConfigDict(frozen=True)
    items: tuple[FeedbackPublic, ...]
    total: int
    total_capped: bool


def search_feedback(
    handle: OpenWorkspace, search: FeedbackSearch, *, limit: int, offset: int
) -> FoundPage:
    """A page of the matching items, newest first, and how many match (capped)."""
    search = _checked(search)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        found: list[FoundItem] = []
        total = 0
        if product_id is not None:
            resolved = _resolve(session, product_id, search)
            if resolved is not None:
                found = feedback_search.page(
                    session, product_id, resolved, offset=offset, limit=limit
                )
                total = feedback_search.count(
                    session, product_id, resolved, count_limit=COUNT_LIMIT
                )
        labels = label_repo.of_items(session, [f.id for f in found])
    return FoundPage(
        items=tuple(_public(f, labels.get(f.id)) for f in found),
        total=min(total, COUNT_LIMIT),
        total_capped=total > COUNT_LIMIT,
    )


def get_feedback(handle: OpenWorkspace, item_id: int) -> FeedbackPublic | None:
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return None
        return _by_id(session, product_id, item_id)


def add_feedback(
    handle: OpenWorkspace,
    text: str,
    *,
    external_id: str | None = None,
    created_at: dt.datetime | None = None,
    customer: str | None = None,
) -> tuple[FeedbackPublic, bool]:
    """Store one item of source ``api``: (the item, True when it was added now).

    The same ``external_id`` again returns the stored item (False) when its text is the same
    after redaction, and raises ConflictError when it differs: stored items are not rewritten.
    """
    clean = redact(text.strip()).text
    if is_blank(clean):
        raise InputError("the text is empty", field="text")
    if len(clean) > MAX_TEXT:
        raise InputError(f"the text is longer than {MAX_TEXT} characters", field="text")
    if created_at is not None:
        if created_at.tzinfo is None:
            raise InputError("give created_at with a time zone (e.g. ...Z)", field="created_at")
        try:
            created_at = created_at.astimezone(dt.UTC)
        except OverflowError:
            raise InputError("created_at is out of range", field="created_at") from None
    now = utcnow()
    ext = (external_id or "").strip() or f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        stored = session.execute(
            select(FeedbackItem.id, FeedbackItem.text).where(
                FeedbackItem.product_id == product.id,
                FeedbackItem.source == SOURCE,
                FeedbackItem.external_id == ext,
            )
        ).first()
        if stored is not None:
            if stored[1] != clean:
                raise ConflictError(
                    f"feedback '{ext}' is stored already with another text; stored items "
                    "are not rewritten (send a new external_id)"
                )
            item = _by_id(session, product.id, stored[0])
            assert item is not None
            return item, False
        customer_id = None
        if customer:
            known = customer_repo.ids_by_key(session, product.id)
            customer_id = (
                known.get(customer)
                or customer_repo.create_named_by_key(session, product.id, [customer])[customer]
            )
        new_id = session.execute(
            insert(FeedbackItem)
            .values(
                product_id=product.id,
                source=SOURCE,
                external_id=ext,
                text=clean,
                created_at=created_at or now,
                customer_id=customer_id,
                imported_at=now,
            )
            .returning(FeedbackItem.id)
        ).scalar_one()
        item = _by_id(session, product.id, int(new_id))
        assert item is not None
        return item, True


def _checked(search: FeedbackSearch) -> FeedbackSearch:
    if search.kind is not None and search.kind not in KINDS:
        raise InputError(
            f"unknown kind '{search.kind}'; use one of {', '.join(KINDS)}", field="kind"
        )
    low, high = search.sentiment_min, search.sentiment_max
    if low is not None and high is not None and low > high:
        raise InputError("sentiment_min is above sentiment_max", field="sentiment_max")
    if search.until == dt.date.max:  # the store adds a day to it: keep that in range
        search = search.model_copy(update={"until": dt.date.max - dt.timedelta(days=1)})
    if search.since and search.until and search.since > search.until:
        raise InputError("the date range ends before it starts", field="until")
    return search


def _resolve(session: Session, product_id: int, search: FeedbackSearch) -> SearchFilter | None:
    """The store's filter with theme number and segment key made ids; None if either names
    nothing (then nothing matches)."""
    theme_id = segment_id = None
    if search.theme is not None:
        choices = feedback_search.theme_choices(session, product_id)
        theme_id = next((i for i, n, _ in choices if n == search.theme), None)
        if theme_id is None:
            return None
    if search.segment is not None:
        segments = feedback_search.segment_choices(session, product_id)
        segment_id = next((i for i, k, _ in segments if k == search.segment), None)
        if segment_id is None:
            return None
    return SearchFilter(
        q=search.q or None,
        theme_id=theme_id,
        kind=search.kind,
        segment_id=segment_id,
        source=search.source,
        since=search.since,
        until=search.until,
        sentiment_min=search.sentiment_min,
        sentiment_max=search.sentiment_max,
    )


def _by_id(session: Session, product_id: int, item_id: int) -> FeedbackPublic | None:
    found = feedback_search.item(session, product_id, item_id)
    if found is None:
        return None
    return _public(found, label_repo.of_items(session, [found.id]).get(found.id))


def _public(f: FoundItem, label: label_repo.StoredLabel | None) -> FeedbackPublic:
    kind_label = label is not None and label.kind is not None
    sentiment_label = label is not None and label.sentiment is not None
    return FeedbackPublic(
        id=f.id,
        source=f.source,
        external_id=f.external_id,
        text=f.text,
        created_at=f.created_at,
        customer=f.customer_key,
        customer_name=f.customer_name,
        segment=f.segment,
        theme=f.theme_number,
        theme_label=f.theme_label,
        sentiment=label.sentiment if label is not None and sentiment_label else f.sentiment,
        kind=label.kind if label is not None and kind_label else f.kind,
        kind_set_by=label.source if label is not None and kind_label else None,
        sentiment_set_by=label.source if label is not None and sentiment_label else None,
    )
