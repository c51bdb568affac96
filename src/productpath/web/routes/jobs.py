"""/jobs: background jobs started from the UI and their progress.

``/jobs`` lists them (with the forms that start one, for editors), ``/jobs/{id}`` shows one;
each has a ``.json`` twin, which ``static/jobs.js`` polls while a job runs. ``POST /jobs/insights``
``POST /jobs/import`` (a multipart upload of a CSV, JSON or JSONL feedback file) and ``POST
/jobs/report`` (a report, kept for ``GET /jobs/{id}/file``) start one and answer at once: 303 to
the job's page for a form, 202 with the job for a JSON client.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from collections.abc import AsyncGenerator
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.responses import Response

from productpath.errors import ConflictError, InputError, NotFoundError, ProductpathError
from productpath.services.background.job_kinds import EMBEDDERS, IMPORT_FORMATS
from productpath.services.background.jobs import JobRunner, JobsPage, JobView, get_job, jobs_page
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, RunnerDep, ViewerDep, render
from productpath.web.routes.reports import REPORT_CSP

router = APIRouter(tags=["jobs"])

# Uploads larger than this are refused while they stream in, before they reach the disk whole.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_DIR = "uploads"


def _page(handle: HandleDep, runner: JobRunner) -> JobsPage:
    return jobs_page(handle, runner, max_upload_mb=MAX_UPLOAD_BYTES // (1024 * 1024))


@router.api_route(
    "/jobs", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def jobs_html(
    request: Request, principal: ViewerDep, handle: HandleDep, runner: RunnerDep
) -> Response:
    return _render_page(request, _page(handle, runner), principal.at_least("editor"))


@router.get("/jobs.json", response_model=JobsPage)
def jobs_json(_principal: ViewerDep, handle: HandleDep, runner: RunnerDep) -> JobsPage:
    """The product's newest background jobs with their progress, newest first."""
    return _page(handle, runner)


@router.get("/jobs/{job_id}.json", response_model=JobView)
def job_json(job_id: str, _principal: ViewerDep, handle: HandleDep, runner: RunnerDep) -> JobView:
    """One job: status (queued, running, done, failed), stage, done/total, message."""
    return _job(handle, job_id, runner)


@router.api_route(
    "/jobs/{job_id}",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    include_in_schema=False,
)
def job_html(
    job_id: str, request: Request, _principal: ViewerDep, handle: HandleDep, runner: RunnerDep
) -> Response:
    job = _job(handle, job_id, runner)
    return render(
        request,
        "job.html",
        {"title": f"Job #{job.id}: {job.label}", "job": job},
        json_url=request.url_for("job_json", job_id=str(job.id)).path,
    )


_STARTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobView, "description": "The job is queued (JSON clients)."},
    303: {"description": "The job is queued; see its page (HTML forms)."},
    409: {"description": "A job of this kind is already queued or running."},
}


@router.post("/jobs/insights", status_code=202, responses=_STARTED, response_model=None)
def start_insights(
    request: Request,
    principal: EditorDep,
    _csrf: CsrfDep,
    handle: HandleDep,
    runner: RunnerDep,
    seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
    full: Annotated[bool, Form()] = False,
    embedder: Annotated[str, Form(pattern="^(auto|hashing|minilm)$")] = "auto",
) -> Response:
    """Run the insight engine (themes, kinds, sentiment) in the background."""
    params = {"seed": seed, "full": full, "embedder": embedder}
    return _start(request, handle, runner, "insights", params, principal.user_id)


@router.post("/jobs/report", status_code=202, responses=_STARTED, response_model=None)
def start_report(
    request: Request,
    principal: EditorDep,
    _csrf: CsrfDep,
    handle: HandleDep,
    runner: RunnerDep,
    kind: Annotated[str, Form(max_length=20)] = "exec",
    fmt: Annotated[str, Form(alias="format", max_length=4)] = "pdf",
    since: Annotated[str, Form(max_length=10)] = "",
    milestone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Generate a report (exec, engineering, customer, release-notes; md, html or pdf) in the
    background: it is recorded like one from the CLI, and its file kept for
    ``GET /jobs/{id}/file``."""
    from productpath.services.background.report_jobs import JOB_KIND, report_params, report_subject

    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        day = None
        error = InputError(f"since '{since}' is not a YYYY-MM-DD date", field="since")
        return _refused(request, handle, runner, 422, error)
    try:
        params = report_params(kind, fmt, since=day, milestone=milestone or None)
    except InputError as exc:
        return _refused(request, handle, runner, 422, exc)
    return _start(
        request,
        handle,
        runner,
        JOB_KIND,
        params,
        principal.user_id,
        subject=report_subject(params),
    )


@router.get(
    "/jobs/{job_id}/file",
    response_class=Response,
    responses={
        200: {"content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}}},
        404: {"description": "No such job, or it has generated no file (yet)."},
    },
)
def job_file(job_id: str, _principal: ViewerDep, handle: HandleDep) -> Response:
    """The report file a report job generated, as a download."""
    from productpath.services.background.report_jobs import report_file

    if not (job_id.isascii() and job_id.isdigit()) or len(job_id) > 12:
        raise HTTPException(status_code=404, detail=f"no job '{job_id}'")
    try:
        found = report_file(handle, int(job_id))
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    headers = {"Content-Disposition": f'attachment; filename="{found.filename}"'}
    if found.format == "html":  # the report's own document, opened from disk or a frame
        headers["Content-Security-Policy"] = REPORT_CSP
    media = found.media_type + ("; charset=utf-8" if found.format != "pdf" else "")
    return Response(found.content, media_type=media, headers=headers)


async def upload_form(request: Request) -> FormData:
    """The multipart form of an import, read with the size limit enforced while it streams."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(status_code=415, detail="send the file as multipart/form-data")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail=_too_large())

    async def limited() -> AsyncGenerator[bytes, None]:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > MAX_UPLOAD_BYTES:
                raise HTTPException(status_code=413, detail=_too_large())
            yield chunk

    parser = MultiPartParser(request.headers, limited(), max_files=1, max_fields=20)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise HTTPException(status_code=400, detail=exc.message) from None
    # Later readers (the CSRF check) get this form rather than an empty stream.
    request._form = form
    return form


UploadDep = Annotated[FormData, Depends(upload_form)]

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "text_column": {"type": "string", "default": "text"},
                        "id_column": {"type": "string"},
                        "date_column": {"type": "string"},
                        "customer_column": {"type": "string"},
                        "source": {"type": "string"},
                        "format": {"type": "string", "enum": list(IMPORT_FORMATS)},
                    },
                }
            }
        },
    }
}


@router.post(
    "/jobs/import",
    status_code=202,
    responses={**_STARTED, 413: {"description": "The file is over the size limit."}},
    response_model=None,
    openapi_extra=_UPLOAD_BODY,
)
async def start_import(
    request: Request,
    principal: EditorDep,
    form: UploadDep,
    _csrf: CsrfDep,
    handle: HandleDep,
    runner: RunnerDep,
) -> Response:
    """Import an uploaded feedback file (CSV, JSON array or JSONL) in the background. The file
    is read as data only, and removed when the job ends."""
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("choose a feedback file to upload", field="file")
        name = PurePath(upload.filename.replace("\\", "/")).name
        file_format = _field(form, "format") or PurePath(name).suffix.lstrip(".").lower()
        if file_format not in IMPORT_FORMATS:
            raise InputError("the file must be .csv, .json or .jsonl", field="file")
        folder = Path(handle.workspace.data_dir) / UPLOAD_DIR
        target = folder / f"{uuid.uuid4().hex}.{file_format}"
        await run_in_threadpool(_save, upload, target)
    except InputError as exc:
        return _refused(request, handle, runner, 422, exc)
    finally:
        await form.close()
    params = {
        "upload": str(target),
        "file_format": file_format,
        "source": _field(form, "source") or _source_from(name),
        "text_column": _field(form, "text_column") or "text",
        "id_column": _field(form, "id_column"),
        "date_column": _field(form, "date_column"),
        "customer_column": _field(form, "customer_column"),
    }
    response = await run_in_threadpool(
        _start, request, handle, runner, "import", params, principal.user_id
    )
    if response.status_code >= 400:
        target.unlink(missing_ok=True)
    return response


def _save(upload: UploadFile, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _source_from(filename: str) -> str:
    """A source name from the uploaded file's name: its stem, in safe characters."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePath(filename).stem).strip("-.")
    return stem[:100] or "upload"


def _too_large() -> str:
    return f"the file is over the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB upload limit"


def _start(
    request: Request,
    handle: HandleDep,
    runner: JobRunner,
    kind: str,
    params: dict[str, Any],
    user_id: int | None,
    *,
    subject: str = "",
) -> Response:
    try:
        job_id = runner.start_job(handle, kind, params, user_id, subject=subject)
    except ConflictError as exc:
        return _refused(request, handle, runner, 409, exc)
    except InputError as exc:
        return _refused(request, handle, runner, 422, exc)
    if _wants_json(request):
        job = get_job(handle, job_id, runner)
        return JSONResponse(job.model_dump(mode="json"), status_code=202)
    return RedirectResponse(request.url_for("job_html", job_id=str(job_id)).path, status_code=303)


def _refused(
    request: Request, handle: HandleDep, runner: JobRunner, status: int, exc: ProductpathError
) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": str(exc)}, status_code=status)
    return _render_page(request, _page(handle, runner), True, error=str(exc), status_code=status)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _render_page(
    request: Request,
    view: JobsPage,
    can_start: bool,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "jobs.html",
        {
            "title": f"{view.product.name} jobs",
            "view": view,
            "can_start": can_start,
            "embedders": EMBEDDERS,
            "error": error,
        },
        json_url=request.url_for("jobs_json").path,
        status_code=status_code,
    )


def _job(handle: HandleDep, raw: str, runner: JobRunner) -> JobView:
    # A path segment, so "/jobs/abc" names no page (404) rather than a malformed request.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise HTTPException(status_code=404, detail=f"no job '{raw}'")
    try:
        return get_job(handle, int(raw), runner)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
