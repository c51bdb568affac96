"""``/api/v1/jobs``: background jobs (insights runs, imports started from the web UI) and
their progress, for scripts that poll. Starting a job is the web UI's (``POST /jobs/...``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from productpath.services.background.jobs import JobRunner, JobView, get_job, jobs_page
from productpath.web.api.common import (
    COMMON_ERRORS,
    DEFAULT_LIMIT,
    NOT_FOUND,
    ApiRoute,
    LimitQuery,
    OffsetQuery,
    Page,
    page_of,
)
from productpath.web.deps import HandleDep, ViewerDep

router = APIRouter(tags=["jobs"], route_class=ApiRoute, responses=COMMON_ERRORS)
# The jobs page lists this many; older ones are history.
RECENT = 200


def _runner(request: Request) -> JobRunner | None:
    # The app's job pool knows the live progress of running jobs (between throttled writes).
    runner = getattr(request.app.state, "jobs", None)
    return runner if isinstance(runner, JobRunner) else None


@router.get("/jobs", response_model=Page[JobView])
def jobs(
    request: Request,
    handle: HandleDep,
    _: ViewerDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[JobView]:
    """The product's recent background jobs, newest first, with their progress."""
    page = jobs_page(handle, _runner(request), limit=RECENT)
    return page_of(page.jobs, limit, offset)


@router.get("/jobs/{job_id}", response_model=JobView, responses={**NOT_FOUND})
def job(
    job_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    request: Request,
    handle: HandleDep,
    _: ViewerDep,
) -> JobView:
    """One job: status (queued, running, done, failed), stage, done/total, percent, message."""
    return get_job(handle, job_id, _runner(request))
