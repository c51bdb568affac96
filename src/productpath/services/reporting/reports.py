"""Reports per audience: exec, engineering, customer and release notes, as Markdown, HTML or PDF.

:func:`render_report` gathers the data from the other services, builds the plain context
(:mod:`productpath.reports`), renders it, and (unless ``record=False``, for previews) stores a
:class:`~productpath.store.models.ReportRun` with the facts the report stated, so the next report
of the same kind can say what changed. The CLI (``productpath report ...``), the web reports
page and the digests all call this one function.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from productpath.errors import InputError, NotFoundError
from productpath.reports.changes import Facts
from productpath.reports.glossary import Glossary, jargon_left, load_glossary
from productpath.reports.model import ReportContext, long_date, plural
from productpath.reports.render import render_html, render_markdown, render_pdf
from productpath.services.reporting.report_shipped import shipped_between
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo, report_repo, work_records
from productpath.store.models import Initiative, Milestone

__all__ = [
    "DEFAULT_SHIPPED_DAYS",
    "REPORT_FORMATS",
    "REPORT_KINDS",
    "RenderedReport",
    "build_context",
    "record_report",
    "render_report",
]

REPORT_KINDS: tuple[str, ...] = ("exec", "engineering", "customer", "release-notes")
REPORT_FORMATS: tuple[str, ...] = ("md", "html", "pdf")
MEDIA_TYPES = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}
# Without an earlier report, "what shipped" looks back this far.
DEFAULT_SHIPPED_DAYS = 30


@dataclass(frozen=True)
class RenderedReport:
    kind: str
    format: str
    title: str
    content: bytes  # UTF-8 text for md/html, PDF bytes for pdf
    media_type: str  # text/markdown; text/html; application/pdf
    filename: str  # e.g. "pocket-exec-2026-11-26.pdf"
    jargon: tuple[str, ...]  # terms left that the glossary does not cover (exec; else empty)


def render_report(
    handle: OpenWorkspace,
    kind: str,
    fmt: str = "md",
    *,
    since: dt.date | None = None,
    milestone: str | None = None,
    record: bool = True,
    today: dt.date | None = None,
) -> RenderedReport:
    """Generate one report. Unknown kind or format: InputError; unknown milestone: NotFoundError;
    a glossary with a duplicate term: InputError naming its file and line."""
    if fmt not in REPORT_FORMATS:
        raise InputError(
            f"unknown format '{fmt}'; choose one of {', '.join(REPORT_FORMATS)}", field="format"
        )
    context, facts, jargon = build_context(
        handle, kind, since=since, milestone=milestone, today=today
    )
    if fmt == "md":
        content = render_markdown(context).encode("utf-8")
    else:
        html = render_html(context)
        content = html.encode("utf-8") if fmt == "html" else render_pdf(html)
    if record:
        with handle.store.write() as session:
            product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
            report_repo.save_run(session, product.id, kind, facts, data_as_of=context.data_as_of)
    day = context.generated_on.isoformat()
    suffix = f"-{milestone}" if milestone else ""
    return RenderedReport(
        kind=kind,
        format=fmt,
        title=context.title,
        content=content,
        media_type=MEDIA_TYPES[fmt],
        filename=f"{handle.workspace.product}-{kind}{suffix}-{day}.{fmt}",
        jargon=jargon,
    )


def record_report(handle: OpenWorkspace, kind: str, *, today: dt.date) -> None:
    """Record the facts of the ``kind`` report as it reads on ``today``, dated that day, without
    rendering it (the demo uses this to give its reports a past to compare with)."""
    context, facts, _ = build_context(handle, kind, today=today)
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        report_repo.save_run(
            session,
            product.id,
            kind,
            facts,
            data_as_of=context.data_as_of,
            generated_at=dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC),
        )


def build_context(
    handle: OpenWorkspace,
    kind: str,
    *,
    since: dt.date | None = None,
    milestone: str | None = None,
    today: dt.date | None = None,
) -> tuple[ReportContext, dict[str, Any], tuple[str, ...]]:
    """The report's context, the facts to record, and (exec) the jargon left after the
    glossary. Stores nothing. The plan, delivery status and what shipped each read the linked
    work; within one report that is read once (:func:`work_records.sharing_linked_work`)."""
    with work_records.sharing_linked_work():
        return _build_context(handle, kind, since=since, milestone=milestone, today=today)


def _build_context(
    handle: OpenWorkspace,
    kind: str,
    *,
    since: dt.date | None,
    milestone: str | None,
    today: dt.date | None,
) -> tuple[ReportContext, dict[str, Any], tuple[str, ...]]:
    if kind not in REPORT_KINDS:
        raise InputError(
            f"unknown report '{kind}'; choose one of {', '.join(REPORT_KINDS)}", field="kind"
        )
    today = today or dt.date.today()
    if since is not None and since > today:
        raise InputError(f"--since {since.isoformat()} is after today ({today})", field="since")
    glossary = load_glossary(handle.workspace.root) if kind == "exec" else Glossary()
    with handle.store.read() as session:
        product = product_repo.find(session, handle.workspace.product)
        if product is None:
            raise NotFoundError(f"product '{handle.workspace.product}' is not in this workspace")
        milestone_id = _milestone_id(session, product.id, milestone)
        previous = report_repo.latest_run(session, product.id, kind)
        basis = report_repo.basis(session, product.id)
        product_name = product.name
    previous_facts: Facts | None = previous.facts if previous else None
    previous_on = previous.generated_at.date() if previous else None
    sources = _sources(basis)
    # Each kind imports only its own builders: the engineering report's read models (code
    # health, the retrospective, the charts) cost a whole-process `report exec` a good part of
    # its start-up, and the shipped reports need none of the roadmap's.
    if kind in ("customer", "release-notes"):
        from productpath.reports.shipped_report import ShippedData, build_shipped
        from productpath.services.reporting.report_shipped import for_users, report_items

        start, reason = _window(since, previous_on, today)
        with handle.store.read() as session:
            product_id = product_repo.find_id(session, handle.workspace.product) or -1
            shipped = shipped_between(session, product_id, start, today, milestone_id=milestone_id)
            coming = _in_progress(session, product_id, milestone_id)
            user_facing, internal, rule = for_users(session, product_id, shipped)
        data = ShippedData(
            product=product_name,
            today=today,
            since=start,
            since_reason=reason,
            items=report_items(user_facing),
            coming=coming,
            milestone=milestone,
            rule=rule,
            left_out=len(internal),
        )
        context, facts = build_shipped(
            kind,
            data,
            previous=previous_facts,
            previous_on=previous_on,
            data_as_of=basis.newest,
            sources=sources,
        )
        return context, facts, ()
    from productpath.services.reporting import report_data

    common = report_data.common(handle, today, milestone, since if kind == "engineering" else None)
    if kind == "engineering":
        from productpath.reports.engineering_report import build_engineering
        from productpath.services.reporting import report_engineering

        eng = report_engineering.engineering_data(handle, common, today)
        context, facts = build_engineering(
            eng,
            previous=previous_facts,
            previous_on=previous_on,
            data_as_of=basis.newest,
            sources=sources,
        )
        return context, facts, ()
    from productpath.reports.exec_report import build_exec

    start, _ = _window(since, previous_on, today)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product) or -1
        shipped = shipped_between(session, product_id, start, today, milestone_id=milestone_id)
    data_exec = report_data.exec_data(handle, common, today, [s.title for s in shipped], start)
    context, facts = build_exec(
        data_exec,
        previous=previous_facts,
        previous_on=previous_on,
        data_as_of=basis.newest,
        sources=sources,
    )
    context = context.map_text(glossary.translate)
    if glossary.path is not None and glossary.entries:
        context = dataclasses.replace(
            context,
            sources=(
                *context.sources,
                f"Terms translated with {glossary.path.name} "
                f"({plural(len(glossary.entries), 'term')})",
            ),
        )
    return context, facts, jargon_left(context.texts(), glossary)


def _milestone_id(session: Any, product_id: int, key: str | None) -> int | None:
    from sqlalchemy import select

    if key is None:
        return None
    found = session.scalar(
        select(Milestone.id).where(Milestone.product_id == product_id, Milestone.key == key)
    )
    if found is None:
        known = list(
            session.scalars(
                select(Milestone.key)
                .where(Milestone.product_id == product_id)
                .order_by(Milestone.target_date, Milestone.key)
            )
        )
        hint = f"; known milestones: {', '.join(known)}" if known else "; the roadmap has none"
        raise NotFoundError(f"no milestone '{key}'{hint}")
    return int(found)


def _window(
    since: dt.date | None, previous_on: dt.date | None, today: dt.date
) -> tuple[dt.date, str]:
    if since is not None:
        return since, "the date asked for"
    if previous_on is not None and previous_on <= today:
        return previous_on, "the last report"
    return today - dt.timedelta(days=DEFAULT_SHIPPED_DAYS), f"the last {DEFAULT_SHIPPED_DAYS} days"


def _in_progress(session: Any, product_id: int, milestone_id: int | None) -> tuple[str, ...]:
    from sqlalchemy import select

    stmt = select(Initiative.title).where(
        Initiative.product_id == product_id, Initiative.status == "in_progress"
    )
    if milestone_id is not None:
        stmt = stmt.where(Initiative.milestone_id == milestone_id)
    return tuple(session.scalars(stmt.order_by(Initiative.position, Initiative.key)))


def _sources(basis: report_repo.Basis) -> tuple[str, ...]:
    out = [f"The roadmap: {plural(basis.initiatives, 'initiative')}"]
    out.append(
        f"{plural(basis.feedback, 'customer feedback item')}"
        if basis.feedback
        else "No customer feedback imported yet"
    )
    if basis.repositories:
        out.append(
            f"{plural(basis.repositories, 'git repository', 'git repositories')} "
            f"({plural(basis.commits, 'commit')})"
        )
    if basis.tracker_items:
        out.append(f"{plural(basis.tracker_items, 'tracker item')}")
    if basis.newest is not None:
        out.append(f"Newest data point: {long_date(basis.newest.date())}")
    return tuple(out)
