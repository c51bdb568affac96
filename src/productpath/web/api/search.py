"""``/api/v1/search``: one ranked query over everything the asker may read.

Open to every role (stakeholders included, who find only public initiatives), so it is mounted
by the app beside the team-only API router rather than inside it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from productpath.services.search import (
    DEFAULT_LIMIT,
    KINDS,
    MAX_LIMIT,
    SearchResults,
    parse_types,
    search,
)
from productpath.web.api import bearer
from productpath.web.api.common import COMMON_ERRORS, ApiRoute
from productpath.web.deps import HandleDep, PrincipalDep

MAX_QUERY = 10_000

# Without a prefix, as every API module's router: the app mounts it under PREFIX.
router = APIRouter(
    tags=["search"],
    route_class=ApiRoute,
    responses=COMMON_ERRORS,
    dependencies=[Depends(bearer)],
)


@router.get("/search", response_model=SearchResults)
def api_search(
    handle: HandleDep,
    who: PrincipalDep,
    q: Annotated[
        str, Query(max_length=MAX_QUERY, description="Words to find (every word must match).")
    ] = "",
    types: Annotated[
        str | None,
        Query(max_length=200, description="Comma-separated types: " + ", ".join(KINDS) + "."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> SearchResults:
    """The best matches, ranked by the database: initiatives, objectives, milestones, themes,
    feedback, decisions, stakeholders and customers. Quotes, ``*``, ``OR`` and other symbols
    are not operators; a query without words finds nothing. Stakeholders find public
    initiatives only."""
    return search(
        handle,
        q,
        kinds=parse_types(types),
        limit=limit,
        stakeholder=who.role == "stakeholder",
    )
