"""The feedback explorer: search and filter every feedback item, a page at a time, and export
what the filter shows as CSV.

Filters: ``q`` (case-insensitive substring of the text), ``theme`` (its number), ``kind``,
``sentiment`` (``neg`` below -0.05, ``pos`` above 0.05, ``neutral`` between: VADER's usual
cut-offs), ``segment`` (its key), ``source``, and a date range ``since``..``until`` (inclusive,
UTC days). Kind, sentiment and theme filters match only items the insight engine has read.

The count stops at :data:`COUNT_LIMIT`, so a broad filter over 100,000 items stays as fast as a
narrow one; past it the page says "more than 1,000" and still pages through them all.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from productpath.domain.csv_safety import safe_cell
from productpath.domain.feedback_kinds import KINDS
from productpath.domain.views import ProductInfo, View
from productpath.errors import InputError
from productpath.services.feedback import FeedbackRow, with_labels
from productpath.services.page_common import product_info
from productpath.services.workspace import OpenWorkspace
from productpath.store import feedback_search, label_repo, product_repo
from productpath.store.feedback_search import FoundItem, SearchFilter
from productpath.store.version_memo import remembered

SENTIMENTS = ("neg", "neutral", "pos")
PER_PAGE = 50
MAX_PER_PAGE = 200
# Bounds that keep the offset (page x per_page) and a theme number inside the databases'
# integers: past them the driver fails (OverflowError) instead of the filter answering 422.
MAX_PAGE = 1_000_000
MAX_THEME = 2**31 - 1
COUNT_LIMIT = 1_000
MAX_QUERY = 200
CSV_COLUMNS = (
    "id",
    "source",
    "external_id",
    "created_at",
    "customer",
    "segment",
    "theme",
    "theme_label",
    "kind",
    "sentiment",
    "text",
)


@dataclass(frozen=True)
class FeedbackQuery:
    """The explorer's filter as the user gave it (URL query parameters); None = no filter."""

    q: str | None = None
    theme: int | None = None
    kind: str | None = None
    sentiment: str | None = None
    segment: str | None = None
    source: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    page: int = 1
    per_page: int = PER_PAGE

    def params(self, **override: object) -> str:
        """The URL query string for this filter (with ``override``), empty fields left out."""
        values: dict[str, object] = {
            "q": self.q,
            "theme": self.theme,
            "kind": self.kind,
            "sentiment": self.sentiment,
            "segment": self.segment,
            "source": self.source,
            "since": self.since,
            "until": self.until,
            "page": self.page if self.page != 1 else None,
            "per_page": self.per_page if self.per_page != PER_PAGE else None,
        }
        values.update(override)
        return urlencode({k: str(v) for k, v in values.items() if v not in (None, "")})


class Choice(View):
    value: str
    label: str


class FeedbackFilterView(View):
    q: str | None
    theme: int | None
    kind: str | None
    sentiment: str | None
    segment: str | None
    source: str | None
    since: dt.date | None
    until: dt.date | None


class ExplorerItem(View):
    id: int
    source: str
    external_id: str
    text: str
    created_at: dt.datetime | None
    customer: str | None  # the customer's name
    segment: str | None
    theme: int | None  # the theme's number
    theme_label: str | None
    sentiment: float | None
    kind: str | None
    # A person set the kind (sentiment): the page says so next to it.
    kind_by_person: bool = False
    sentiment_by_person: bool = False


class FeedbackExplorer(View):
    product: ProductInfo
    filter: FeedbackFilterView
    items: tuple[ExplorerItem, ...]
    total: int  # matches, counted up to count_limit + 1
    total_capped: bool  # True: there are more than count_limit matches
    count_limit: int
    page: int
    per_page: int
    pages: int | None  # None when the count was capped
    has_next: bool
    themes: tuple[Choice, ...]
    kinds: tuple[Choice, ...]
    sentiments: tuple[Choice, ...]
    segments: tuple[Choice, ...]
    sources: tuple[Choice, ...]


def validate(query: FeedbackQuery) -> FeedbackQuery:
    """The query, or an InputError naming the field that is out of range."""
    if query.q is not None and len(query.q) > MAX_QUERY:
        raise InputError(f"the search text is longer than {MAX_QUERY} characters", field="q")
    if query.kind is not None and query.kind not in KINDS:
        raise InputError(
            f"unknown kind '{query.kind}'; use one of {', '.join(KINDS)}", field="kind"
        )
    if query.sentiment is not None and query.sentiment not in SENTIMENTS:
        raise InputError(
            f"unknown sentiment '{query.sentiment}'; use neg, neutral or pos", field="sentiment"
        )
    if query.page < 1:
        raise InputError("the page starts at 1", field="page")
    if query.page > MAX_PAGE:
        raise InputError(f"the page must be {MAX_PAGE:,} or less", field="page")
    if query.theme is not None and not 1 <= query.theme <= MAX_THEME:
        raise InputError(f"theme must be between 1 and {MAX_THEME}", field="theme")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise InputError(f"per_page must be between 1 and {MAX_PER_PAGE}", field="per_page")
    if query.since and query.until and query.since > query.until:
        raise InputError("the date range ends before it starts", field="until")
    return query


def explore(handle: OpenWorkspace, query: FeedbackQuery) -> FeedbackExplorer:
    """One page of the feedback matching ``query``, newest first, with the filter's choices;
    a process reads each page once per data version (store/version_memo.py)."""
    query = validate(query)
    store = handle.store
    key = ("feedback explorer", handle.workspace.product, query)
    return remembered(store.engine, store.data_version(), key, lambda: _explore(handle, query))


def _explore(handle: OpenWorkspace, query: FeedbackQuery) -> FeedbackExplorer:
    info = product_info(handle)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        assert product_id is not None  # product_info found it
        themes = feedback_search.theme_choices(session, product_id)
        segments = feedback_search.segment_choices(session, product_id)
        sources = feedback_search.source_choices(session, product_id)
        search = _resolve(query, themes, segments)
        offset = (query.page - 1) * query.per_page
        found: list[FoundItem] = []
        total = 0
        if search is not None:  # None: a theme or segment that does not exist matches nothing
            total = feedback_search.count(session, product_id, search, count_limit=COUNT_LIMIT)
            if total > min(offset, COUNT_LIMIT):
                found = feedback_search.page(
                    session,
                    product_id,
                    search,
                    offset=offset,
                    limit=query.per_page + 1,
                    matches=total,
                )
        labels = label_repo.of_items(session, [f.id for f in found[: query.per_page]])
    capped = total > COUNT_LIMIT
    return FeedbackExplorer(
        product=info,
        filter=FeedbackFilterView(
            q=query.q,
            theme=query.theme,
            kind=query.kind,
            sentiment=query.sentiment,
            segment=query.segment,
            source=query.source,
            since=query.since,
            until=query.until,
        ),
        items=tuple(_item(f, labels.get(f.id)) for f in found[: query.per_page]),
        total=min(total, COUNT_LIMIT + 1),
        total_capped=capped,
        count_limit=COUNT_LIMIT,
        page=query.page,
        per_page=query.per_page,
        pages=None if capped else max(1, -(-total // query.per_page)),
        has_next=len(found) > query.per_page,
        themes=tuple(Choice(value=str(n), label=f"#{n} {label}") for _i, n, label in themes),
        kinds=tuple(Choice(value=k, label=k.replace("_", " ").capitalize()) for k in KINDS),
        sentiments=(
            Choice(value="neg", label="Negative"),
            Choice(value="neutral", label="Neutral"),
            Choice(value="pos", label="Positive"),
        ),
        segments=tuple(Choice(value=k, label=n) for _i, k, n in segments),
        sources=tuple(Choice(value=s, label=s) for s in sources),
    )


def export_csv(handle: OpenWorkspace, query: FeedbackQuery) -> Iterator[str]:
    """Every item matching ``query`` (all pages) as CSV lines, header first; no cell can run as
    a spreadsheet formula (see ``domain.csv_safety``). Streamed: memory stays flat."""
    query = validate(query)
    line = _Line()
    yield line.row(CSV_COLUMNS)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return
        search = _resolve_in(session, product_id, query)
        if search is None:
            return
        for f in feedback_search.stream(session, product_id, search):
            yield line.row(
                (
                    f.id,
                    f.source,
                    f.external_id,
                    f.created_at,
                    f.customer_key,
                    f.segment,
                    f.theme_number,
                    f.theme_label,
                    f.kind,
                    f.sentiment,
                    f.text,
                )
            )


def list_matching(
    handle: OpenWorkspace, query: FeedbackQuery, *, limit: int | None = None
) -> list[FeedbackRow]:
    """The items matching ``query`` in the explorer's order (newest first), at most ``limit``,
    as ``feedback list`` shows them."""
    query = validate(query)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        search = None if product_id is None else _resolve_in(session, product_id, query)
        if product_id is None or search is None:
            return []
        rows = []
        for f in islice(feedback_search.stream(session, product_id, search), limit):
            rows.append(
                FeedbackRow(
                    f.id,
                    f.external_id,
                    f.source,
                    f.text,
                    f.created_at,
                    f.customer_key,
                    f.theme_number,
                    f.theme_label,
                    f.sentiment,
                    f.kind,
                )
            )
        return with_labels(session, rows)


class _Line:
    """Formats one CSV row at a time."""

    def __init__(self) -> None:
        self.buffer: list[str] = []
        self.writer = csv.writer(self, lineterminator="\r\n")

    def write(self, text: str) -> int:
        self.buffer.append(text)
        return len(text)

    def row(self, values: tuple[object, ...]) -> str:
        self.writer.writerow([safe_cell(v) for v in values])
        text = "".join(self.buffer)
        self.buffer.clear()
        return text


def _resolve_in(session: Session, product_id: int, query: FeedbackQuery) -> SearchFilter | None:
    themes = feedback_search.theme_choices(session, product_id) if query.theme else []
    segments = feedback_search.segment_choices(session, product_id) if query.segment else []
    return _resolve(query, themes, segments)


def _resolve(
    query: FeedbackQuery,
    themes: list[tuple[int, int, str]],
    segments: list[tuple[int, str, str]],
) -> SearchFilter | None:
    """The store's filter, with theme number and segment key turned into ids; None when one
    of them names nothing (so nothing can match)."""
    theme_id = segment_id = None
    if query.theme is not None:
        theme_id = next((i for i, n, _label in themes if n == query.theme), None)
        if theme_id is None:
            return None
    if query.segment is not None:
        segment_id = next((i for i, k, _name in segments if k == query.segment), None)
        if segment_id is None:
            return None
    return SearchFilter(
        q=query.q or None,
        theme_id=theme_id,
        kind=query.kind,
        sentiment=query.sentiment,
        segment_id=segment_id,
        source=query.source,
        since=query.since,
        until=query.until,
    )


def _item(f: FoundItem, label: label_repo.StoredLabel | None) -> ExplorerItem:
    return ExplorerItem(
        id=f.id,
        source=f.source,
        external_id=f.external_id,
        text=f.text,
        created_at=f.created_at,
        customer=f.customer_name,
        segment=f.segment,
        theme=f.theme_number,
        theme_label=f.theme_label,
        sentiment=f.sentiment,
        kind=f.kind,
        kind_by_person=label is not None and label.source == "person" and label.kind is not None,
        sentiment_by_person=(
            label is not None and label.source == "person" and label.sentiment is not None
        ),
    )
