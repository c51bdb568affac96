"""The curation log (``curation_decision``) and how it is laid over the engine's themes.

A decision pins items: a rename pins the theme's members to its number, a merge pins every
member of the merged themes to the theme kept (and folds whatever a later run puts under the
merged numbers into it), a split pins each part's members to its part, a move pins the items
moved, a dismissal pins its items to no theme. :func:`apply` replays the decisions not undone,
oldest first (a later decision about the same item wins), over whatever readings a run just
wrote; the curation service and every ``insights run`` call it, so a person's decision holds
through incremental and full runs alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from productpath.store.models import (
    CurationDecision,
    FeedbackInsight,
    FeedbackItem,
    Theme,
    utcnow,
)

IN_CHUNK = 900
ACTIONS = ("rename", "merge", "split", "move", "dismiss")


@dataclass(frozen=True)
class StoredDecision:
    number: int
    action: str
    summary: str
    details: dict[str, Any]
    set_by: str | None
    set_at: dt.datetime
    undone_at: dt.datetime | None


@dataclass
class Curated:
    """What the decisions not undone say, replayed oldest first."""

    pins: dict[int, int | None] = field(default_factory=dict)  # item id -> theme number | None
    labels: dict[int, tuple[str, str]] = field(default_factory=dict)
    absorbed: dict[int, int] = field(default_factory=dict)  # merged number -> number kept

    def final(self, number: int) -> int:
        seen = {number}
        while number in self.absorbed:
            number = self.absorbed[number]
            if number in seen:  # a merge undone out of order cannot loop, but be safe
                break
            seen.add(number)
        return number

    def dismissed(self) -> set[int]:
        return {item for item, number in self.pins.items() if number is None}


def add(
    session: Session,
    product_id: int,
    action: str,
    summary: str,
    details: Mapping[str, Any],
    set_by: str | None,
) -> StoredDecision:
    """Log a decision; as stored (its per-product number included)."""
    number = (
        session.scalar(
            select(func.max(CurationDecision.number)).where(
                CurationDecision.product_id == product_id
            )
        )
        or 0
    ) + 1
    row = CurationDecision(
        product_id=product_id,
        number=number,
        action=action,
        summary=summary[:300],
        details=json.dumps(details),
        set_by=set_by,
        set_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _stored(row)


def decisions(session: Session, product_id: int, *, active_only: bool) -> list[StoredDecision]:
    stmt = select(CurationDecision).where(CurationDecision.product_id == product_id)
    if active_only:
        stmt = stmt.where(CurationDecision.undone_at.is_(None))
    return [_stored(d) for d in session.scalars(stmt.order_by(CurationDecision.number))]


def get(session: Session, product_id: int, number: int) -> StoredDecision | None:
    row = _row(session, product_id, number)
    return None if row is None else _stored(row)


def mark_undone(
    session: Session,
    product_id: int,
    number: int,
    *,
    by: str | None = None,
    via: str | None = None,
) -> None:
    """Mark a decision undone; who undid it and through what go into its details."""
    row = _row(session, product_id, number)
    if row is not None:
        row.undone_at = utcnow()
        if by is not None or via is not None:
            details = json.loads(row.details or "{}")
            row.details = json.dumps({**details, "undone_by": by, "undone_via": via})
        session.flush()


def _row(session: Session, product_id: int, number: int) -> CurationDecision | None:
    return session.scalar(
        select(CurationDecision).where(
            CurationDecision.product_id == product_id, CurationDecision.number == number
        )
    )


def _stored(row: CurationDecision) -> StoredDecision:
    return StoredDecision(
        number=row.number,
        action=row.action,
        summary=row.summary,
        details=json.loads(row.details or "{}"),
        set_by=row.set_by,
        set_at=row.set_at,
        undone_at=row.undone_at,
    )


def replay(found: Sequence[StoredDecision]) -> Curated:
    """The state the decisions leave, oldest first."""
    state = Curated()
    for decision in found:
        d = decision.details
        if decision.action == "rename":
            state.labels[int(d["theme"])] = (str(d["label"]), decision.set_by or "a person")
            state.pins.update({int(i): int(d["theme"]) for i in d["members"]})
        elif decision.action == "merge":
            into = int(d["into"])
            for number, members in d["members"].items():
                if int(number) != into:
                    state.absorbed[int(number)] = into
                    state.labels.pop(int(number), None)
                state.pins.update({int(i): into for i in members})
        elif decision.action == "split":
            for number, members in d["parts"].items():
                state.absorbed.pop(int(number), None)
                state.pins.update({int(i): int(number) for i in members})
        elif decision.action == "move":
            state.pins.update({int(i): int(d["theme"]) for i in d["items"]})
        elif decision.action == "dismiss":
            state.pins.update({int(i): None for i in d["items"]})
    return state


def curated_state(session: Session, product_id: int) -> Curated:
    return replay(decisions(session, product_id, active_only=True))


def dismissed_ids(session: Session, product_id: int) -> set[int]:
    """Items dismissed as not feedback by the decisions not undone (a later move of one takes
    it back). Without a standing dismissal no decision is read, so pages that only need this
    stay cheap on a long log."""
    standing = session.scalar(
        select(func.count())
        .select_from(CurationDecision)
        .where(
            CurationDecision.product_id == product_id,
            CurationDecision.action == "dismiss",
            CurationDecision.undone_at.is_(None),
        )
    )
    return curated_state(session, product_id).dismissed() if standing else set()


def apply(session: Session, product_id: int, newest: StoredDecision | None = None) -> Curated:
    """Lay the decisions not undone over the product's readings and themes; what they say.

    With ``newest`` only that decision is laid over: right when it is the newest and the
    others are laid over already (as after a run or an earlier decision), and what keeps a
    decision's cost from growing with the log. The caller refreshes theme sizes afterwards.
    """
    state = curated_state(session, product_id) if newest is None else replay([newest])
    if not (state.pins or state.labels or state.absorbed):
        return state
    rows = {
        t.number: t for t in session.scalars(select(Theme).where(Theme.product_id == product_id))
    }
    for source in state.absorbed:
        kept = rows.get(state.final(source))
        gone = rows.get(source)
        if kept is None or gone is None:
            continue
        session.execute(
            update(FeedbackInsight)
            .where(FeedbackInsight.theme_id == gone.id)
            .values(theme_id=kept.id)
        )
        gone.active = False
    by_theme: dict[int | None, list[int]] = {}
    # A rename's or a merge's pins, laid over just as it is taken, restate where its items are
    # (a merge's were moved with their themes above): only a replay needs them.
    restating = newest is not None and newest.action in ("rename", "merge")
    # A split just taken: the members the theme keeps are where they are already.
    stays = int(newest.details["theme"]) if newest and newest.action == "split" else None
    for item, number in ({} if restating else state.pins).items():
        if stays is not None and number == stays:
            continue
        target = None if number is None else state.final(number)
        if target is not None and target not in rows:
            continue
        by_theme.setdefault(target, []).append(item)
    for target, items in by_theme.items():
        values: dict[str, Any] = {"theme_id": None if target is None else rows[target].id}
        if target is None:
            values["theme_similarity"] = None
        else:
            rows[target].active = True
        set_themes(session, items, values)
    for number, (label, set_by) in state.labels.items():
        row = rows.get(number)
        if row is not None and state.final(number) == number:
            row.label = label[:200]
            row.label_set_by = set_by[:200]
    session.flush()
    return state


def refresh_sizes(session: Session, product_id: int, numbers: Iterable[int]) -> None:
    """The sizes of these themes from their readings; one left with none becomes inactive."""
    wanted = sorted(set(numbers))
    if not wanted:
        return
    rows = session.scalars(
        select(Theme).where(Theme.product_id == product_id, Theme.number.in_(wanted))
    ).all()
    counts = dict(
        session.execute(
            select(FeedbackInsight.theme_id, func.count())
            .where(FeedbackInsight.theme_id.in_([row.id for row in rows]))
            .group_by(FeedbackInsight.theme_id)
        ).all()
    )
    for row in rows:
        row.size = int(counts.get(row.id, 0))
        if row.size == 0:
            row.active = False
    session.flush()


def set_themes(session: Session, items: Sequence[int], values: Mapping[str, Any]) -> None:
    """Set columns of the readings of ``items`` (chunked IN lists)."""
    ordered = sorted(items)
    for start in range(0, len(ordered), IN_CHUNK):
        session.execute(
            update(FeedbackInsight)
            .where(FeedbackInsight.feedback_id.in_(ordered[start : start + IN_CHUNK]))
            .values(dict(values))
        )


def theme_row(session: Session, product_id: int, number: int) -> Theme | None:
    return session.scalar(
        select(Theme).where(Theme.product_id == product_id, Theme.number == number)
    )


def next_theme_number(session: Session, product_id: int) -> int:
    return (
        session.scalar(select(func.max(Theme.number)).where(Theme.product_id == product_id)) or 0
    ) + 1


def member_ids(session: Session, theme_id: int) -> list[int]:
    stmt = (
        select(FeedbackInsight.feedback_id)
        .where(FeedbackInsight.theme_id == theme_id)
        .order_by(FeedbackInsight.feedback_id)
    )
    return list(session.scalars(stmt))


def members(session: Session, theme_id: int) -> list[tuple[int, str]]:
    """(item id, text) of a theme's members, by id."""
    stmt = (
        select(FeedbackItem.id, FeedbackItem.text)
        .join(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .where(FeedbackInsight.theme_id == theme_id)
        .order_by(FeedbackItem.id)
    )
    return [(row[0], row[1]) for row in session.execute(stmt)]


def item_themes(session: Session, product_id: int, items: Iterable[int]) -> dict[int, int | None]:
    """Each analysed item's theme number (None: in no theme); items not analysed are absent."""
    found: dict[int, int | None] = {}
    ordered = sorted(set(items))
    for start in range(0, len(ordered), IN_CHUNK):
        stmt = (
            select(FeedbackInsight.feedback_id, Theme.number)
            .outerjoin(Theme, Theme.id == FeedbackInsight.theme_id)
            .where(FeedbackInsight.feedback_id.in_(ordered[start : start + IN_CHUNK]))
        )
        found.update({row[0]: row[1] for row in session.execute(stmt)})
    return found


def item_texts(session: Session, items: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(set(items))
    for start in range(0, len(ordered), IN_CHUNK):
        stmt = select(FeedbackItem.id, FeedbackItem.text).where(
            FeedbackItem.id.in_(ordered[start : start + IN_CHUNK])
        )
        found.update({row[0]: row[1] for row in session.execute(stmt)})
    return found
