"""The roadmap page (``/roadmap``) and its twin ``/roadmap.json``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from starlette.responses import Response

from productpath.charts.planning import gantt_svg
from productpath.errors import ConflictError, InputError
from productpath.services.history import undo
from productpath.services.pages.overview import RoadmapView, roadmap_view
from productpath.services.pages.roadmap_timeline import TimelinePlan
from productpath.services.portal import MAX_COMMENT, comment
from productpath.services.roadmap_edit import edit_object
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep, render

router = APIRouter(tags=["roadmap"])


@router.api_route(
    "/roadmap", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def roadmap_page(request: Request, handle: HandleDep) -> Response:
    view = roadmap_view(handle)
    gantt = _gantt(view.plan)
    return render(
        request,
        "roadmap.html",
        {"title": f"{view.product.name} roadmap", "view": view, "gantt": gantt},
        json_url=request.url_for("roadmap_json").path,
    )


# The last plan drawn and its chart: the service hands out the same plan object until the data
# changes (services/pages/overview.py), and the chart is a function of the plan alone.
_last_gantt: tuple[TimelinePlan, Markup | None] | None = None


def _gantt(plan: TimelinePlan) -> Markup | None:
    global _last_gantt
    last = _last_gantt
    if last is not None and last[0] is plan:
        return last[1]
    chart = (
        gantt_svg(plan.schedule, plan.team_names, today=plan.start)
        if plan.schedule is not None and plan.schedule.slots
        else None
    )
    _last_gantt = (plan, chart)
    return chart


@router.get("/roadmap.json", response_model=RoadmapView)
def roadmap_json(handle: HandleDep) -> RoadmapView:
    """Milestones with their initiatives, the now / next / later lanes, and the plan: the
    capacity-aware schedule (Gantt) and a seeded forecast of every milestone."""
    return roadmap_view(handle)


# --- Editing an initiative and commenting on it (from its page, /initiatives/{key}) ----------
# The forms post here and are answered with a redirect back to the page (post/redirect/get);
# what happened is said there through the query string (saved / conflict).


@router.post("/initiatives/{key}/edit", response_class=HTMLResponse, include_in_schema=False)
def initiative_edit(
    key: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    version: Annotated[int, Form(ge=1)],
    status: Annotated[str, Form(max_length=20)],
    public: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    """Change the status and the public flag, if the page's version is still the latest."""
    # The one editing service of the roadmap: the rules and words of roadmap apply.
    try:
        edit_object(
            handle,
            "initiative",
            key,
            {"status": status, "public": public is not None},
            expected_version=version,
            actor=who.email or who.name,
            via="web",
        )
    except ConflictError:
        wanted = urlencode(
            {"conflict": "1", "wanted": status, "wanted_public": int(public is not None)}
        )
        return RedirectResponse(f"/initiatives/{key}?{wanted}#edit", status_code=303)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return RedirectResponse(f"/initiatives/{key}?saved=1#edit", status_code=303)


@router.post("/initiatives/{key}/undo", response_class=HTMLResponse, include_in_schema=False)
def initiative_undo(
    key: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    edit: Annotated[str | None, Form(max_length=32)] = None,
) -> Response:
    """Undo the change the page showed as the latest (``edit``); a refusal is said on the page."""
    try:
        undo(handle, "initiative", key, edit=edit, actor=who.email or who.name, via="web")
    except (ConflictError, InputError) as exc:
        refused = urlencode({"undo_error": str(exc)})
        return RedirectResponse(f"/initiatives/{key}?{refused}#history", status_code=303)
    return RedirectResponse(f"/initiatives/{key}?undone=1#history", status_code=303)


@router.post("/initiatives/{key}/comments", response_class=HTMLResponse, include_in_schema=False)
def initiative_comment(
    key: str,
    handle: HandleDep,
    who: ViewerDep,
    _csrf: CsrfDep,
    body: Annotated[str, Form(min_length=1, max_length=MAX_COMMENT + 100)],
) -> Response:
    """Add a comment; it is shown on the portal too when the initiative is public."""
    try:
        comment(handle, key, who.name or who.email, body, who.user_id, include_private=True)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return RedirectResponse(f"/initiatives/{key}#comments", status_code=303)
