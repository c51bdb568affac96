"""/reports: pick a report, preview it, download it as Markdown, HTML or PDF; send digests.

``/reports/{kind}.html`` is the report's own self-contained document (its stylesheet inside),
shown in the page through a sandboxed frame. It is served with a CSP of its own that allows
only that inline stylesheet and inline images: no scripts, no requests, no forms. Reports are
never recorded from the web (a GET changes nothing), so previews do not move the "what
changed since the last report" baseline.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.errors import ConflictError, InputError, NotFoundError, ProductpathError
from productpath.services.reporting.communication_pages import ReportsPage, reports_page
from productpath.services.reporting.digest_models import DigestRun
from productpath.services.reporting.digests import send_digests
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, RunnerDep, ViewerDep, render
from productpath.web.principal import Principal

router = APIRouter(tags=["reports"])

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)
KINDS = ("exec", "engineering", "customer", "release-notes")
FORMATS = ("md", "html", "pdf")
SinceQuery = Annotated[dt.date | None, Query(description="YYYY-MM-DD: what changed since then.")]
MilestoneQuery = Annotated[str | None, Query(max_length=64, description="A milestone's id.")]


@router.api_route(
    "/reports", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def reports_html(
    request: Request,
    handle: HandleDep,
    who: ViewerDep,
    kind: Annotated[str, Query(max_length=20)] = "exec",
    since: Annotated[str, Query(max_length=20)] = "",
    milestone: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return _page(request, handle, who, kind=kind, since=since, milestone=milestone)


@router.get("/reports.json", response_model=ReportsPage)
def reports_json(handle: HandleDep, who: ViewerDep) -> ReportsPage:
    """The reports on offer, milestones, who the next digest run would reach, recent sends."""
    return reports_page(handle)


@router.post("/reports/send", response_class=HTMLResponse, include_in_schema=False)
def reports_send_html(
    request: Request,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    runner: RunnerDep,
    dry_run: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    """Show the digests due now (``dry_run``: one line per recipient), or send them as a
    background job and go to its page: rendering each audience's report, PDF included, takes
    too long for one request. Channels are independent, as on the command line: without SMTP
    the job skips the e-mails, says why in its summary, and still sends the webhooks."""
    try:
        if dry_run is not None:
            return _page(request, handle, who, run=send_digests(handle, dry_run=True))
        job_id = runner.start_job(handle, "digests", {}, who.user_id)
    except ConflictError as exc:  # a send is already running
        return _page(request, handle, who, send_error=str(exc), status_code=409)
    except ProductpathError as exc:
        return _page(request, handle, who, send_error=str(exc), status_code=422)
    return RedirectResponse(request.url_for("job_html", job_id=str(job_id)).path, status_code=303)


@router.post("/reports/send.json", response_model=DigestRun)
def reports_send_json(
    handle: HandleDep, who: EditorDep, _csrf: CsrfDep, dry_run: bool = False
) -> DigestRun:
    """Send the digests due now (``dry_run=true``: only say who would get what)."""
    try:
        return send_digests(handle, dry_run=dry_run)
    except ProductpathError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.get(
    "/reports/{kind}.{fmt}",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}}}},
)
def report_file(
    kind: str,
    fmt: str,
    handle: HandleDep,
    who: ViewerDep,
    since: SinceQuery = None,
    milestone: MilestoneQuery = None,
    download: bool = False,
) -> Response:
    """One report (exec, engineering, customer, release-notes) as md, html or pdf."""
    from productpath.services.reporting.reports import render_report

    if kind not in KINDS or fmt not in FORMATS:
        raise HTTPException(status_code=404, detail=f"no report '{kind}.{fmt}'")
    try:
        report = render_report(
            handle, kind, fmt, since=since, milestone=milestone or None, record=False
        )
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    attach = download or fmt != "html"
    disposition = "attachment" if attach else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{report.filename}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = REPORT_CSP
        headers["X-Frame-Options"] = "SAMEORIGIN"
    media = report.media_type + ("; charset=utf-8" if fmt != "pdf" else "")
    return Response(report.content, media_type=media, headers=headers)


def _page(
    request: Request,
    handle: HandleDep,
    who: Principal,
    *,
    kind: str = "exec",
    since: str = "",
    milestone: str = "",
    run: DigestRun | None = None,
    send_error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = reports_page(handle)
    kind = kind if kind in KINDS else "exec"
    since_date, form_error = _since(since)
    if milestone and milestone not in {m.key for m in view.milestones}:
        form_error, milestone = f"no milestone '{milestone}'", ""
    query = {"since": since_date.isoformat() if since_date else "", "milestone": milestone}
    query_text = urlencode({k: v for k, v in query.items() if v})
    return render(
        request,
        "reports.html",
        {
            "title": "Reports",
            "view": view,
            "kind": kind,
            "since": since_date,
            "milestone": milestone,
            "query": f"?{query_text}" if query_text else "",
            "form_error": form_error,
            "can_send": who.at_least("editor"),
            "run": run,
            "send_error": send_error,
        },
        json_url=request.url_for("reports_json").path,
        status_code=422 if form_error and status_code == 200 else status_code,
    )


def _since(text: str) -> tuple[dt.date | None, str | None]:
    """The form's start date, or None and the sentence that says why it cannot be used."""
    if not text:
        return None, None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, f"'{text}' is not a date like 2030-03-14"
    today = dt.date.today()
    if day > today:
        # The report would refuse it: say so on the page rather than frame a failed report.
        return (
            None,
            f"the start date {day.isoformat()} is after today ({today}); pick an earlier one",
        )
    return day, None
