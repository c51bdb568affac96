"""``/search``: the page behind the search box in every page's header, and its JSON twin.

Open to every logged-in role: stakeholders find public initiatives only (their portal pages).
A GET form, so it works without JavaScript; ``static/search.js`` only focuses the box on ``/``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.errors import InputError
from productpath.services.search import (
    DEFAULT_LIMIT,
    KINDS,
    MAX_LIMIT,
    SearchResults,
    parse_types,
    search,
    search_marked,
)
from productpath.web.api.search import MAX_QUERY
from productpath.web.deps import HandleDep, PrincipalDep, render

router = APIRouter(tags=["search"])

QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="Words to find.")]
TypeFilter = Annotated[
    str | None, Query(max_length=200, description="Comma-separated types: " + ", ".join(KINDS))
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.api_route(
    "/search", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def search_page(
    request: Request,
    handle: HandleDep,
    who: PrincipalDep,
    q: QueryText = "",
    types: TypeFilter = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    error = None
    found: list[object] = []
    try:
        kinds = parse_types(types)
        found = list(
            search_marked(
                handle, q, kinds=kinds, limit=limit, stakeholder=who.role == "stakeholder"
            )
        )
    except InputError as exc:
        error = exc.reason
    return render(
        request,
        "search.html",
        {"title": "Search", "q": q, "types": types or "", "found": found, "error": error},
        json_url="/search.json" + (f"?{request.url.query}" if request.url.query else ""),
        status_code=422 if error else 200,
    )


@router.get("/search.json", response_model=SearchResults)
def search_json(
    handle: HandleDep,
    who: PrincipalDep,
    q: QueryText = "",
    types: TypeFilter = None,
    limit: Limit = DEFAULT_LIMIT,
) -> SearchResults:
    """The search page as JSON (as ``/api/v1/search``)."""
    try:
        kinds = parse_types(types)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=exc.reason) from None
    return search(handle, q, kinds=kinds, limit=limit, stakeholder=who.role == "stakeholder")
