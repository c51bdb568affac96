"""Search everything a person may read: one query over the roadmap, themes, feedback,
decisions, stakeholders and customers, ranked by the database (see ``store.search_repo``).

User text is reduced to plain words before it reaches a query: quotes, ``*``, ``-``, ``OR``
and emoji are either dropped or searched for as ordinary words, so no input is an error and
none is an operator. Stakeholders see what the portal shows them: public initiatives, linked
to their portal pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from productpath.errors import InputError
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo, search_repo
from productpath.store.search_repo import MARK_END, MARK_START

KINDS = (
    "initiative",
    "objective",
    "milestone",
    "theme",
    "feedback",
    "decision",
    "stakeholder",
    "customer",
)
MAX_WORDS = 12  # more words only narrow an AND further; a pasted page stays cheap
MAX_WORD = 64
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
_WORD = re.compile(r"\w+")


class SearchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: str = Field(description="One of: " + ", ".join(KINDS) + ".")
    key: str | None = Field(
        default=None, description="The object's key (themes: their number); none for feedback."
    )
    id: int | None = Field(default=None, description="The feedback item's id (feedback only).")
    title: str
    snippet: str = Field(description="Plain text around the matched words.")
    url: str = Field(description="The page that shows the object.")
    archived: bool = Field(
        default=False,
        description="An archived initiative: still found, ranked after every live result.",
    )


class SearchResults(BaseModel):
    model_config = ConfigDict(frozen=True)

    query: str
    results: tuple[SearchResult, ...]


def terms(query: str) -> list[str]:
    """The words of ``query`` that a search uses: runs of letters, digits and underscores,
    each at most MAX_WORD characters, the first MAX_WORDS of them."""
    return [w[:MAX_WORD] for w in _WORD.findall(query)[:MAX_WORDS]]


def parse_types(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    """Kinds from ``types`` (comma-separated, or several values); all kinds when none. An
    unknown kind is an InputError naming it and the choices."""
    if raw is None:
        return KINDS
    parts = [raw] if isinstance(raw, str) else list(raw)
    wanted = [p.strip() for part in parts for p in part.split(",") if p.strip()]
    for kind in wanted:
        if kind not in KINDS:
            raise InputError(f"types: unknown type '{kind}' (one of: {', '.join(KINDS)})")
    return tuple(dict.fromkeys(wanted)) or KINDS


def search(
    handle: OpenWorkspace,
    query: str,
    *,
    kinds: Iterable[str] = KINDS,
    limit: int = DEFAULT_LIMIT,
    stakeholder: bool = False,
) -> SearchResults:
    """The best ``limit`` matches of every word of ``query``, best first (none for a query with
    no words). ``stakeholder`` narrows to public initiatives, linked to the portal."""
    found = search_marked(handle, query, kinds=kinds, limit=limit, stakeholder=stakeholder)
    return SearchResults(query=query, results=tuple(result for result, _ in found))


def search_marked(
    handle: OpenWorkspace,
    query: str,
    *,
    kinds: Iterable[str] = KINDS,
    limit: int = DEFAULT_LIMIT,
    stakeholder: bool = False,
) -> list[tuple[SearchResult, list[tuple[str, bool]]]]:
    """As ``search``, each result with its snippet as (text, matched) pieces for a page."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit: must be between 1 and {MAX_LIMIT}, not {limit}")
    chosen = [k for k in kinds if k in KINDS]
    if stakeholder:
        chosen = [k for k in chosen if k == "initiative"]
    words = terms(query)
    with handle.store.read() as session:
        product = product_repo.find(session, handle.workspace.product)
        if product is None or not words:
            return []
        hits = search_repo.search(
            session,
            product.id,
            words,
            kinds=chosen,
            limit=limit,
            public_initiatives_only=stakeholder,
        )
    return [(_result(h, stakeholder=stakeholder), marked(h.snippet)) for h in hits]


def plain(snippet: str) -> str:
    """A snippet without its match marks."""
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def marked(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, matched) pieces, for a page to highlight without trusting HTML."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{MARK_START}{MARK_END}]", snippet)):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


def _result(hit: search_repo.Hit, *, stakeholder: bool) -> SearchResult:
    ref = quote(hit.ref, safe="")
    if hit.kind == "feedback":
        # No page per item: the explorer filtered on the item's opening words finds it.
        opening = " ".join(plain(hit.title).rstrip("…").split()[:8])
        url = "/feedback?" + urlencode({"q": opening})
        return SearchResult(
            type="feedback", id=int(hit.ref), title=hit.title, snippet=plain(hit.snippet), url=url
        )
    urls = {
        "initiative": f"/portal/{ref}" if stakeholder else f"/initiatives/{ref}",
        "objective": "/#objectives-h",
        "milestone": f"/milestones/{ref}",
        "theme": f"/themes/{ref}",
        "decision": f"/decisions/{ref}",
        "stakeholder": f"/stakeholders#sh-{ref}",
        "customer": f"/api/v1/customers/{ref}",
    }
    return SearchResult(
        type=hit.kind,
        key=hit.ref,
        title=hit.title,
        snippet=plain(hit.snippet),
        url=urls[hit.kind],
        archived=hit.archived,
    )
