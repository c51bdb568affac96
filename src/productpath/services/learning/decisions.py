"""The decision log: record a decision with its options, evidence and expected outcome on a
KPI; list and show decisions; review the ones that are due against what the KPI now says.

Evidence is written as ``KIND:REF`` (optionally ``=NOTE``): ``theme:3``, ``feedback:1234`` (the
item's id) or ``feedback:b77-0001`` (its id in the imported file), ``kpi:weekly-active-users``,
``experiment:checkout-copy``, ``forecast:12``. A reference to nothing is refused when the
decision is added; a target deleted later shows as "deleted". Feedback shows with its quote.

Two more kinds of ``decision_evidence`` row are bookkeeping, not evidence, and never listed as
evidence (the schema has no columns of their own for them):

* ``initiative`` - the key of the initiative the decision is about, as typed, so that the
  decision can say which initiative it was once the roadmap has removed it;
* ``outcome`` - the review that closed the decision: ``ref`` is the verdict (met, not_met,
  mixed, or ``unstated``) and ``note`` the outcome in the reviewer's words. The decision's
  status is then ``reviewed`` and the day it was closed is its ``updated_at``.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from productpath.domain.views import ProductInfo, View
from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.learning.decisions import (
    DIRECTIONS,
    METHOD,
    Expectation,
    check_outcome,
    is_due,
)
from productpath.services.learning.kpis import find_kpi_key, slug
from productpath.services.page_common import product_info
from productpath.services.workspace import OpenWorkspace
from productpath.store import decision_repo, kpi_repo, product_repo
from productpath.store.models import Decision, DecisionEvidence

EVIDENCE_KINDS = ("theme", "feedback", "kpi", "experiment", "forecast")
VERDICTS = ("met", "not_met", "mixed")
# decision_evidence kinds that are bookkeeping (see the module docstring)
_INITIATIVE = "initiative"
_OUTCOME = "outcome"
_UNSTATED = "unstated"
REVIEWED = "reviewed"
MAX_OUTCOME_LENGTH = 5000
_COLUMN = {
    "theme": "theme_id",
    "feedback": "feedback_id",
    "kpi": "kpi_id",
    "experiment": "experiment_id",
    "forecast": "forecast_run_id",
}


class EvidenceView(View):
    kind: str
    ref: str
    label: str
    href: str | None
    deleted: bool
    note: str


class ExpectedOutcome(View):
    kpi: str
    kpi_deleted: bool
    direction: str
    target: float | None
    by: dt.date | None


class OutcomeView(View):
    verdict: str
    baseline: float | None
    baseline_day: dt.date | None
    latest: float | None
    latest_day: dt.date | None
    change: float | None
    change_relative: float | None
    trend_since: str | None
    points_since: int
    summary: str


class ReviewOutcome(View):
    """How the decision turned out, as recorded by ``decision close``."""

    verdict: str | None  # met | not_met | mixed; None when the reviewer gave none
    outcome: str
    closed_on: dt.date


class DecisionView(View):
    key: str
    title: str
    decision: str
    options: tuple[str, ...]
    owner: str
    decided_on: dt.date
    review_on: dt.date | None
    status: str
    due: bool
    initiative: str | None
    expected: ExpectedOutcome | None
    evidence: tuple[EvidenceView, ...]
    outcome: OutcomeView
    caveats: tuple[str, ...]
    review: ReviewOutcome | None = None


class DecisionPage(View):
    product: ProductInfo
    today: dt.date
    decision: DecisionView
    method: str = METHOD


class DecisionsPage(View):
    product: ProductInfo
    today: dt.date
    decisions: tuple[DecisionView, ...]
    method: str = METHOD


def add_decision(
    handle: OpenWorkspace,
    *,
    title: str,
    decision: str = "",
    options: tuple[str, ...] = (),
    owner: str = "",
    decided_on: dt.date | None = None,
    review_on: dt.date | None = None,
    key: str | None = None,
    initiative: str | None = None,
    expect_kpi: str | None = None,
    direction: str | None = None,
    target: float | None = None,
    by: dt.date | None = None,
    evidence: tuple[str, ...] = (),
    today: dt.date | None = None,
) -> DecisionView:
    """Record a decision; every reference must name something that exists."""
    title = " ".join(title.split())
    if not title:
        raise InputError("the title is empty", field="title")
    decided = decided_on or today or dt.date.today()
    if review_on is not None and review_on < decided:
        raise InputError("the review date is before the decision date", field="--review-on")
    decision_key = key or slug(title)
    if not decision_key or slug(decision_key) != decision_key:
        raise InputError(
            "a key is lower-case letters, digits and dashes (pass --key)", field="--key"
        )
    if (expect_kpi is None) != (direction is None):
        raise InputError("an expected outcome needs both --kpi and --direction", field="--kpi")
    if direction is not None and direction not in DIRECTIONS:
        raise InputError(f"direction is one of: {', '.join(DIRECTIONS)}", field="--direction")
    if expect_kpi is None and (target is not None or by is not None):
        raise InputError("--target and --by describe an expected outcome: add --kpi", field="--kpi")
    parsed = [_parse_evidence(e) for e in evidence]
    kpi_key = find_kpi_key(handle, expect_kpi) if expect_kpi is not None else None
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        if decision_repo.find(session, product.id, decision_key) is not None:
            raise InputError(
                f"a decision '{decision_key}' exists already; pass another --key", field="--key"
            )
        row = Decision(
            product_id=product.id,
            key=decision_key,
            title=title,
            decision=decision.strip(),
            options=json.dumps([o.strip() for o in options if o.strip()]),
            owner=owner.strip(),
            decided_on=decided,
            review_on=review_on,
            status="open",
            expected_kpi_ref=kpi_key,
            expected_kpi_id=decision_repo.kpi_id(session, product.id, kpi_key) if kpi_key else None,
            expected_direction=direction,
            expected_target=target,
            expected_by=by,
        )
        row.evidence = [
            _evidence_row(session, product.id, i, kind, ref, note)
            for i, (kind, ref, note) in enumerate(parsed)
        ]
        if initiative is not None:
            row.initiative_id = decision_repo.initiative_id(session, product.id, initiative)
            if row.initiative_id is None:
                raise NotFoundError(f"no initiative '{initiative}' in the roadmap")
            # Kept by key too, so the decision can name it after the roadmap drops it.
            row.evidence.append(
                DecisionEvidence(position=len(parsed), kind=_INITIATIVE, ref=initiative)
            )
        decision_repo.add(session, row)
    return decision_detail(handle, decision_key, today=today).decision


def _parse_evidence(text: str) -> tuple[str, str, str]:
    kind, sep, rest = text.partition(":")
    kind = kind.strip().casefold()
    ref, _, note = rest.partition("=")
    if not sep or kind not in EVIDENCE_KINDS or not ref.strip():
        raise InputError(
            f"evidence '{text}' is not KIND:REF[=NOTE] with KIND one of "
            f"{', '.join(EVIDENCE_KINDS)}",
            field="--evidence",
        )
    return kind, ref.strip().lstrip("#") if kind == "theme" else ref.strip(), note.strip()


def _evidence_row(
    session: Session, product_id: int, position: int, kind: str, ref: str, note: str
) -> DecisionEvidence:
    target: int | None = None
    if kind == "feedback" and not ref.isdigit():
        target = _feedback_by_external_id(session, product_id, ref)
    elif kind in ("theme", "feedback", "forecast"):
        if not ref.isdigit():
            raise InputError(f"{kind} evidence is a number, not '{ref}'", field="--evidence")
        number = int(ref)
        lookup = {
            "theme": decision_repo.theme_id,
            "feedback": decision_repo.feedback_id,
            "forecast": decision_repo.forecast_run_id,
        }[kind]
        target = lookup(session, product_id, number)
    elif kind == "kpi":
        kpis = kpi_repo.by_key(session, product_id)
        found = kpis.get(ref) or kpis.get(slug(ref))
        target, ref = (found.id, found.key) if found else (None, ref)
    else:
        target = decision_repo.experiment_id(session, product_id, ref)
    if target is None:
        shown = f"#{ref}" if kind == "theme" else f"'{ref}'"
        raise NotFoundError(f"evidence {kind} {shown} does not exist")
    row = DecisionEvidence(position=position, kind=kind, ref=ref, note=note)
    setattr(row, _COLUMN[kind], target)
    return row


def _feedback_by_external_id(session: Session, product_id: int, ref: str) -> int | None:
    """The item whose id in its file is ``ref``; two sources holding it must be told apart."""
    found = decision_repo.feedback_ids_by_external_id(session, product_id, ref)
    if len(found) > 1:
        which = ", ".join(f"feedback:{i} (source '{source}')" for i, source in found)
        raise InputError(
            f"feedback '{ref}' is in {len(found)} sources; name one by its id: {which}",
            field="--evidence",
        )
    return found[0][0] if found else None


def list_decisions(handle: OpenWorkspace, *, today: dt.date | None = None) -> DecisionsPage:
    """Every decision, newest first, each with what its KPI says now."""
    today = today or dt.date.today()
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product) or -1
        rows = decision_repo.list_all(session, product_id)
        views = tuple(_view(session, row, today) for row in rows)
    return DecisionsPage(product=product_info(handle), today=today, decisions=views)


def decision_detail(
    handle: OpenWorkspace, key: str, *, today: dt.date | None = None
) -> DecisionPage:
    today = today or dt.date.today()
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product) or -1
        row = decision_repo.find(session, product_id, key)
        if row is None:
            raise NotFoundError(f"no decision '{key}'")
        view = _view(session, row, today)
    return DecisionPage(product=product_info(handle), today=today, decision=view)


def review_decisions(
    handle: OpenWorkspace, *, today: dt.date | None = None, include_all: bool = False
) -> DecisionsPage:
    """Decisions due for review (all open ones with ``include_all``), soonest due first."""
    page = list_decisions(handle, today=today)
    chosen = [d for d in page.decisions if d.due or (include_all and d.status == "open")]
    chosen.sort(key=lambda d: (d.review_on or dt.date.max, d.key))
    return page.model_copy(update={"decisions": tuple(chosen)})


def close_decision(
    handle: OpenWorkspace,
    key: str,
    *,
    outcome: str,
    verdict: str | None = None,
    today: dt.date | None = None,
) -> DecisionView:
    """Record how decision ``key`` turned out and close it: ``decision review`` stops listing
    it. A decision is closed once; closing it again is a ConflictError."""
    text = outcome.strip()
    if not text:
        raise InputError("the outcome is empty; say how the decision turned out", field="--outcome")
    if len(text) > MAX_OUTCOME_LENGTH:
        raise InputError(
            f"the outcome is longer than {MAX_OUTCOME_LENGTH} characters", field="--outcome"
        )
    if verdict is not None and verdict not in VERDICTS:
        raise InputError(f"the verdict is one of: {', '.join(VERDICTS)}", field="--verdict")
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product) or -1
        row = decision_repo.find(session, product_id, key)
        if row is None:
            raise NotFoundError(f"no decision '{key}'")
        if row.status != "open":
            raise ConflictError(f"decision '{key}' is closed already ({row.status})")
        row.status = REVIEWED
        row.evidence.append(
            DecisionEvidence(
                position=len(row.evidence),
                kind=_OUTCOME,
                ref=verdict or _UNSTATED,
                note=text,
            )
        )
    return decision_detail(handle, key, today=today).decision


def _view(session: Session, row: Decision, today: dt.date) -> DecisionView:
    caveats: list[str] = []
    evidence = tuple(_evidence_view(session, e) for e in row.evidence if e.kind in EVIDENCE_KINDS)
    review = None
    for kept in row.evidence:
        if kept.kind == _OUTCOME:
            review = ReviewOutcome(
                verdict=None if kept.ref == _UNSTATED else kept.ref,
                outcome=kept.note,
                closed_on=row.updated_at.date(),
            )
    for e in evidence:
        if e.deleted:
            caveats.append(f"evidence {e.kind} {e.ref} has been deleted since the decision")
    expected = None
    expectation = None
    series: list[tuple[dt.date, float]] = []
    if row.expected_direction is not None and row.expected_kpi_ref is not None:
        deleted = row.expected_kpi_id is None
        expected = ExpectedOutcome(
            kpi=row.expected_kpi_ref,
            kpi_deleted=deleted,
            direction=row.expected_direction,
            target=row.expected_target,
            by=row.expected_by,
        )
        expectation = Expectation(row.expected_direction, row.expected_target, row.expected_by)
        if deleted:
            caveats.append(f"the expected outcome's KPI '{row.expected_kpi_ref}' was deleted")
        else:
            assert row.expected_kpi_id is not None
            series = kpi_repo.series(session, row.expected_kpi_id)
    check = check_outcome(
        expectation, row.decided_on, [d for d, _ in series], [v for _, v in series], today
    )
    initiative = None
    if row.initiative_id is not None:
        initiative = decision_repo.initiative_keys(session, {row.initiative_id}).get(
            row.initiative_id
        )
    else:
        named = next((e.ref for e in row.evidence if e.kind == _INITIATIVE), None)
        if named is not None:
            caveats.append(
                f"the initiative '{named}' it is about has been removed from the roadmap "
                "since the decision"
            )
    return DecisionView(
        key=row.key,
        title=row.title,
        decision=row.decision,
        options=tuple(json.loads(row.options)),
        owner=row.owner,
        decided_on=row.decided_on,
        review_on=row.review_on,
        status=row.status,
        due=is_due(row.review_on, row.status, today),
        initiative=initiative,
        expected=expected,
        evidence=evidence,
        outcome=OutcomeView(**vars(check)),
        caveats=tuple(caveats),
        review=review,
    )


QUOTE_LENGTH = 120


def _quote(text: str) -> str:
    """The item's words in quotation marks, on one line, shortened to :data:`QUOTE_LENGTH`."""
    flat = " ".join(text.split())
    if len(flat) > QUOTE_LENGTH:
        flat = flat[: QUOTE_LENGTH - 1].rstrip() + "…"
    return f"“{flat}”"


def _evidence_view(session: Session, e: DecisionEvidence) -> EvidenceView:
    target = getattr(e, _COLUMN.get(e.kind, "kpi_id"))
    deleted = target is None
    label, href = e.ref, None
    if e.kind == "theme":
        label = f"theme #{e.ref}"
        if target is not None:
            number, name = decision_repo.theme_labels(session, {target})[target]
            label = f"theme #{number}: {name}"
    elif e.kind == "feedback":
        label = f"feedback item {e.ref}"
        quoted = decision_repo.feedback_quote(session, target) if target is not None else None
        if quoted is not None:
            external_id, source, text = quoted
            label = f"feedback {external_id} ({source}): {_quote(text)}"
    elif e.kind == "kpi":
        label, href = f"KPI {e.ref}", None if deleted else f"/kpis/{e.ref}"
    elif e.kind == "experiment":
        label, href = f"experiment {e.ref}", None if deleted else f"/experiments/{e.ref}"
    elif e.kind == "forecast":
        label = f"forecast run {e.ref}"
    if deleted:
        label += " (deleted)"
    return EvidenceView(
        kind=e.kind, ref=e.ref, label=label, href=href, deleted=deleted, note=e.note
    )
