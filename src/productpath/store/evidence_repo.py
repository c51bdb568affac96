"""Evidence links (initiative -> theme | feedback item) and hand-set scoring terms.

Accepted links are the roadmap's ``themes:`` and ``feedback:`` lists; suggested ones are the
last ``roadmap suggest-links`` proposals. Saving a roadmap rewrites only accepted links.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from productpath.domain.roadmap import RoadmapDoc, ScoreSpec
from productpath.store.models import (
    EvidenceLink,
    FeedbackInsight,
    FeedbackItem,
    Initiative,
    ScoreOverride,
    Theme,
)

ACCEPTED = "accepted"
SUGGESTED = "suggested"


@dataclass(frozen=True)
class Links:
    """One initiative's accepted links, in the order the roadmap lists them."""

    themes: tuple[int, ...] = ()  # theme numbers
    feedback: tuple[str, ...] = ()  # source:external_id


def load_links(session: Session, initiative_ids: Iterable[int]) -> dict[int, Links]:
    ids = list(initiative_ids)
    themes: dict[int, list[int]] = {i: [] for i in ids}
    for initiative_id, number in session.execute(
        select(EvidenceLink.initiative_id, Theme.number)
        .join(Theme, Theme.id == EvidenceLink.theme_id)
        .where(EvidenceLink.initiative_id.in_(ids), EvidenceLink.status == ACCEPTED)
        .order_by(EvidenceLink.position, Theme.number)
    ):
        themes[initiative_id].append(number)
    feedback: dict[int, list[str]] = {i: [] for i in ids}
    for initiative_id, source, external_id in session.execute(
        select(EvidenceLink.initiative_id, FeedbackItem.source, FeedbackItem.external_id)
        .join(FeedbackItem, FeedbackItem.id == EvidenceLink.feedback_id)
        .where(EvidenceLink.initiative_id.in_(ids), EvidenceLink.status == ACCEPTED)
        .order_by(EvidenceLink.position, FeedbackItem.source, FeedbackItem.external_id)
    ):
        feedback[initiative_id].append(f"{source}:{external_id}")
    return {i: Links(tuple(themes[i]), tuple(feedback[i])) for i in ids}


def load_overrides(session: Session, initiative_ids: Iterable[int]) -> dict[int, ScoreSpec]:
    values: dict[int, dict[str, float]] = {}
    for row in session.scalars(
        select(ScoreOverride).where(ScoreOverride.initiative_id.in_(list(initiative_ids)))
    ):
        values.setdefault(row.initiative_id, {})[row.term] = row.value
    return {i: ScoreSpec(**terms) for i, terms in values.items()}


def theme_ids(session: Session, product_id: int, numbers: Iterable[int]) -> dict[int, int]:
    """Theme number -> id for the numbers that name a theme of the product."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    rows = session.execute(
        select(Theme.number, Theme.id).where(
            Theme.product_id == product_id, Theme.number.in_(wanted)
        )
    )
    return {number: theme_id for number, theme_id in rows}


def feedback_ids(session: Session, product_id: int, refs: Iterable[str]) -> dict[str, int]:
    """``source:external_id`` -> feedback item id for the refs that name an item."""
    pairs = sorted({tuple(ref.split(":", 1)) for ref in refs})
    found: dict[str, int] = {}
    for start in range(0, len(pairs), 500):  # keep the IN list within every driver's limit
        chunk = pairs[start : start + 500]
        for source, external_id, item_id in session.execute(
            select(FeedbackItem.source, FeedbackItem.external_id, FeedbackItem.id).where(
                FeedbackItem.product_id == product_id,
                tuple_(FeedbackItem.source, FeedbackItem.external_id).in_(chunk),
            )
        ):
            found[f"{source}:{external_id}"] = item_id
    return found


def missing_evidence(
    session: Session, product_id: int, doc: RoadmapDoc
) -> list[tuple[tuple[str | int, ...], str]]:
    """Paths in ``doc`` of theme numbers and feedback items the store does not hold."""
    themes = theme_ids(session, product_id, (t for i in doc.initiatives for t in i.themes))
    items = feedback_ids(session, product_id, (f for i in doc.initiatives for f in i.feedback))
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for n, initiative in enumerate(doc.initiatives):
        for t, number in enumerate(initiative.themes):
            if number not in themes:
                problems.append(
                    (
                        ("initiatives", n, "themes", t),
                        f"no theme #{number} in product '{doc.product.id}' (see 'productpath "
                        "themes list'; themes exist after 'productpath insights run')",
                    )
                )
        for f, ref in enumerate(initiative.feedback):
            if ref not in items:
                problems.append(
                    (("initiatives", n, "feedback", f), f"no feedback item '{ref}' is imported")
                )
    return problems


def save_links(
    session: Session, product_id: int, doc: RoadmapDoc, initiatives: dict[str, int]
) -> None:
    """Make the accepted links equal the document's; a suggestion it names becomes accepted."""
    themes = theme_ids(session, product_id, (t for i in doc.initiatives for t in i.themes))
    items = feedback_ids(session, product_id, (f for i in doc.initiatives for f in i.feedback))
    wanted: dict[tuple[int, str, int], int] = {}
    for spec in doc.initiatives:
        initiative_id = initiatives[spec.id]
        for position, number in enumerate(spec.themes):
            wanted[(initiative_id, "theme", themes[number])] = position
        for position, ref in enumerate(spec.feedback):
            wanted[(initiative_id, "feedback", items[ref])] = position
    of_product = select(Initiative.id).where(Initiative.product_id == product_id)
    for row in session.scalars(
        select(EvidenceLink).where(EvidenceLink.initiative_id.in_(of_product))
    ):
        place = wanted.pop(_key(row), None)
        if place is None:
            if row.status == ACCEPTED:
                session.delete(row)
            continue
        _set(row, status=ACCEPTED, weight=1.0, position=place)
    session.add_all(
        EvidenceLink(
            initiative_id=initiative_id,
            theme_id=target if kind == "theme" else None,
            feedback_id=target if kind == "feedback" else None,
            status=ACCEPTED,
            weight=1.0,
            position=position,
        )
        for (initiative_id, kind, target), position in wanted.items()
    )


def save_overrides(session: Session, doc: RoadmapDoc, initiatives: dict[str, int]) -> None:
    ids = list(initiatives.values())
    existing = {
        (row.initiative_id, row.term): row
        for row in session.scalars(
            select(ScoreOverride).where(ScoreOverride.initiative_id.in_(ids))
        )
    }
    for spec in doc.initiatives:
        terms = spec.score.as_dict() if spec.score else {}
        for term, value in terms.items():
            row = existing.pop((initiatives[spec.id], term), None)
            if row is None:
                session.add(
                    ScoreOverride(initiative_id=initiatives[spec.id], term=term, value=value)
                )
            else:
                _set(row, value=value)
    for row in existing.values():
        session.delete(row)


@dataclass(frozen=True)
class Suggestion:
    initiative_id: int
    theme_id: int
    score: float


def replace_suggestions(
    session: Session, initiative_ids: Sequence[int], suggestions: Sequence[Suggestion]
) -> None:
    """Forget the earlier suggestions for these initiatives and keep these instead.

    A suggestion for a link already accepted is not stored: the accepted link stands.
    """
    session.execute(
        delete(EvidenceLink).where(
            EvidenceLink.initiative_id.in_(list(initiative_ids)),
            EvidenceLink.status == SUGGESTED,
        )
    )
    accepted = {
        (initiative_id, theme_id)
        for initiative_id, theme_id in session.execute(
            select(EvidenceLink.initiative_id, EvidenceLink.theme_id).where(
                EvidenceLink.initiative_id.in_(list(initiative_ids)),
                EvidenceLink.theme_id.is_not(None),
            )
        )
    }
    session.add_all(
        EvidenceLink(
            initiative_id=s.initiative_id,
            theme_id=s.theme_id,
            status=SUGGESTED,
            weight=s.score,
            position=rank,
        )
        for rank, s in enumerate(suggestions)
        if (s.initiative_id, s.theme_id) not in accepted
    )


def _key(row: EvidenceLink) -> tuple[int, str, int]:
    if row.theme_id is not None:
        return (row.initiative_id, "theme", row.theme_id)
    assert row.feedback_id is not None  # the check constraint guarantees one target
    return (row.initiative_id, "feedback", row.feedback_id)


def _set(row: object, **values: object) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


@dataclass(frozen=True)
class ThemeRow:
    id: int
    number: int
    label: str
    size: int
    model: str
    centroid: bytes | None


def themes(session: Session, product_id: int) -> list[ThemeRow]:
    """The product's active themes, by number."""
    return [
        ThemeRow(t.id, t.number, t.label, t.size, t.model, t.centroid)
        for t in session.scalars(
            select(Theme)
            .where(Theme.product_id == product_id, Theme.active.is_(True))
            .order_by(Theme.number)
        )
    ]


def add_accepted(
    session: Session, initiative_id: int, theme_ids: Sequence[int], item_ids: Sequence[int]
) -> int:
    """Accept links (a suggestion is promoted); returns how many were not accepted before."""
    rows = list(
        session.scalars(select(EvidenceLink).where(EvidenceLink.initiative_id == initiative_id))
    )
    by_key = {_key(row): row for row in rows}
    next_position = {
        kind: 1
        + max((r.position for r in rows if _key(r)[1] == kind and r.status == ACCEPTED), default=-1)
        for kind in ("theme", "feedback")
    }
    added = 0
    for kind, targets in (("theme", theme_ids), ("feedback", item_ids)):
        for target in targets:
            row = by_key.get((initiative_id, kind, target))
            if row is not None and row.status == ACCEPTED:
                continue
            if row is None:
                row = EvidenceLink(
                    initiative_id=initiative_id,
                    theme_id=target if kind == "theme" else None,
                    feedback_id=target if kind == "feedback" else None,
                )
                session.add(row)
                by_key[(initiative_id, kind, target)] = row
            row.status, row.weight, row.position = ACCEPTED, 1.0, next_position[kind]
            next_position[kind] += 1
            added += 1
    return added


def remove_accepted(
    session: Session, initiative_id: int, theme_ids: Sequence[int], item_ids: Sequence[int]
) -> int:
    """Delete these accepted links; returns how many there were."""
    removed = 0
    for column, targets in (
        (EvidenceLink.theme_id, theme_ids),
        (EvidenceLink.feedback_id, item_ids),
    ):
        if targets:
            for row in session.scalars(
                select(EvidenceLink).where(
                    EvidenceLink.initiative_id == initiative_id,
                    EvidenceLink.status == ACCEPTED,
                    column.in_(list(targets)),
                )
            ):
                session.delete(row)
                removed += 1
    return removed


def accepted_theme_pairs(session: Session, initiative_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(initiative id, theme id) of every accepted theme link of these initiatives."""
    return {
        (initiative_id, theme_id)
        for initiative_id, theme_id in session.execute(
            select(EvidenceLink.initiative_id, EvidenceLink.theme_id).where(
                EvidenceLink.initiative_id.in_(list(initiative_ids)),
                EvidenceLink.theme_id.is_not(None),
                EvidenceLink.status == ACCEPTED,
            )
        )
        if theme_id is not None
    }


def theme_texts(
    session: Session, theme_ids: Sequence[int], per_theme: int = 200
) -> dict[int, list[str]]:
    """Up to ``per_theme`` member texts of each theme (the most similar first)."""
    found: dict[int, list[str]] = {theme_id: [] for theme_id in theme_ids}
    stmt = (
        select(FeedbackInsight.theme_id, FeedbackItem.text)
        .join(FeedbackItem, FeedbackItem.id == FeedbackInsight.feedback_id)
        .where(FeedbackInsight.theme_id.in_(list(theme_ids)))
        .order_by(FeedbackInsight.theme_id, FeedbackInsight.theme_similarity.desc())
    )
    for theme_id, text in session.execute(stmt):
        texts = found.setdefault(theme_id or 0, [])
        if len(texts) < per_theme:
            texts.append(text)
    return found
