"""Edit the roadmap in the browser (editors and admins): new initiative, the full edit form,
archive; objectives (with key results), milestones and teams. Plain forms that post without
JavaScript; a successful save redirects to the object's page (post/redirect/get), a refused
one shows the form again with the error next to its field (422) or, when someone else saved
first, the conflict view with both versions (409). See services/pages/edit_forms.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.errors import ConflictError, InputError
from productpath.services.pages.edit_forms import (
    FORM_FIELDS,
    LABELS,
    ROW_PREFIXES,
    STATUSES,
    EditForm,
    archive_or_delete,
    blank_form,
    save_form,
    stored_form,
)
from productpath.services.roadmap_edit import list_objects
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, render
from productpath.web.principal import Principal

router = APIRouter(tags=["roadmap"])

# URL segment of each type's pages; initiatives have their own page (web/routes/delivery.py).
SEGMENTS = {"objective": "objectives", "milestone": "milestones", "team": "teams"}


def _actor(who: Principal) -> str:
    return who.email or who.name


def _page(request: Request, form: EditForm, status_code: int = 200) -> Response:
    template = "initiative_form.html" if form.type == "initiative" else "object_form.html"
    noun = form.type.replace("_", " ")
    title = f"New {noun}" if form.key is None else f"Edit {noun} {form.key}"
    if form.conflict:
        status_code = 409
    elif form.errors:
        status_code = 422
    return render(
        request,
        template,
        {
            "title": title,
            "form": form,
            "statuses": STATUSES,
            "labels": LABELS,
            "segment": SEGMENTS.get(form.type, "initiatives"),
            "form_fields": FORM_FIELDS.get(form.type, ()),
        },
        status_code=status_code,
    )


async def _posted(request: Request) -> dict[str, Any]:
    data = await request.form()
    posted: dict[str, Any] = {}
    for name in data:
        values = [v for v in data.getlist(name) if isinstance(v, str)]
        posted[name] = values if name.startswith(ROW_PREFIXES) else (values[-1] if values else "")
    return posted


def _version(posted: dict[str, Any]) -> int | None:
    try:
        return int(str(posted.get("version") or "")) or None
    except ValueError:
        return None


# --- Initiatives ----------------------------------------------------------------------------


@router.get("/roadmap/new", response_class=HTMLResponse, include_in_schema=False)
def new_initiative_form(request: Request, handle: HandleDep, _: EditorDep) -> Response:
    return _page(request, blank_form(handle, "initiative"))


@router.post("/roadmap/new", response_class=HTMLResponse, include_in_schema=False)
async def new_initiative(
    request: Request, handle: HandleDep, who: EditorDep, _csrf: CsrfDep
) -> Response:
    result = save_form(
        handle, "initiative", None, await _posted(request), version=None, actor=_actor(who)
    )
    if isinstance(result, EditForm):
        return _page(request, result)
    return RedirectResponse(f"/initiatives/{result.key}?saved=1", status_code=303)


@router.get("/initiatives/{key}/edit", response_class=HTMLResponse, include_in_schema=False)
def initiative_form(key: str, request: Request, handle: HandleDep, _: EditorDep) -> Response:
    return _page(request, stored_form(handle, "initiative", key))


@router.post("/initiatives/{key}/save", response_class=HTMLResponse, include_in_schema=False)
async def save_initiative(
    key: str, request: Request, handle: HandleDep, who: EditorDep, _csrf: CsrfDep
) -> Response:
    posted = await _posted(request)
    result = save_form(
        handle, "initiative", key, posted, version=_version(posted), actor=_actor(who)
    )
    if isinstance(result, EditForm):
        return _page(request, result)
    return RedirectResponse(f"/initiatives/{key}?saved=1", status_code=303)


@router.post("/initiatives/{key}/archive", response_class=HTMLResponse, include_in_schema=False)
def archive_initiative(
    key: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    version: Annotated[int, Form(ge=1)],
) -> Response:
    try:
        archive_or_delete(handle, "initiative", key, version=version, actor=_actor(who))
    except ConflictError:
        return RedirectResponse(f"/initiatives/{key}?stale=1", status_code=303)
    return RedirectResponse(f"/initiatives/{key}?archived=1", status_code=303)


# --- Objectives, milestones, teams ----------------------------------------------------------


@router.get("/roadmap/objects", response_class=HTMLResponse, include_in_schema=False)
def roadmap_objects(request: Request, handle: HandleDep, _: EditorDep) -> Response:
    """Objectives, milestones and teams with their edit links, and the "New" buttons."""
    sections = {kind: list_objects(handle, kind) for kind in SEGMENTS}
    return render(
        request,
        "roadmap_objects.html",
        {"title": "Objectives, milestones and teams", "sections": sections, "segments": SEGMENTS},
    )


def _object_routes(kind: str, segment: str) -> None:
    """The form pages of one type, at fixed paths (no ``{segment}`` that could take another
    module's ``/x/{key}/edit``)."""

    def new_form(request: Request, handle: HandleDep, _: EditorDep) -> Response:
        return _page(request, blank_form(handle, kind))

    async def create(
        request: Request, handle: HandleDep, who: EditorDep, _csrf: CsrfDep
    ) -> Response:
        posted = await _posted(request)
        result = save_form(handle, kind, None, posted, version=None, actor=_actor(who))
        if isinstance(result, EditForm):
            return _page(request, result)
        return RedirectResponse(f"/{segment}/{result.key}/edit?saved=1", status_code=303)

    def edit_form(key: str, request: Request, handle: HandleDep, _: EditorDep) -> Response:
        return _page(request, stored_form(handle, kind, key))

    async def save(
        key: str, request: Request, handle: HandleDep, who: EditorDep, _csrf: CsrfDep
    ) -> Response:
        posted = await _posted(request)
        result = save_form(handle, kind, key, posted, version=_version(posted), actor=_actor(who))
        if isinstance(result, EditForm):
            return _page(request, result)
        return RedirectResponse(f"/{segment}/{key}/edit?saved=1", status_code=303)

    def delete(
        key: str,
        request: Request,
        handle: HandleDep,
        who: EditorDep,
        _csrf: CsrfDep,
        version: Annotated[int, Form(ge=1)],
    ) -> Response:
        try:
            archive_or_delete(handle, kind, key, version=version, actor=_actor(who))
        except (ConflictError, InputError) as exc:
            form = stored_form(handle, kind, key)
            form.errors["form"] = str(exc)
            return _page(request, form)
        return RedirectResponse("/roadmap/objects?deleted=1", status_code=303)

    for path, endpoint, method in (
        (f"/roadmap/new/{kind}", new_form, "GET"),
        (f"/roadmap/new/{kind}", create, "POST"),
        (f"/{segment}/{{key}}/edit", edit_form, "GET"),
        (f"/{segment}/{{key}}/edit", save, "POST"),
        (f"/{segment}/{{key}}/delete", delete, "POST"),
    ):
        endpoint.__name__ = f"{kind}_{endpoint.__name__}"
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            response_class=HTMLResponse,
            include_in_schema=False,
        )


for _kind_name, _segment in SEGMENTS.items():
    _object_routes(_kind_name, _segment)
