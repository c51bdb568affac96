"""Edit an initiative from the web UI or the JSON API: status, public flag, title, description.

Every edit names the version it was based on. The row is updated with ``UPDATE ... WHERE id = ?
AND version = ?`` and the version grows by one, so of two people who opened version 3, the first
to save wins and the second gets a :class:`ConflictError` instead of silently overwriting the
first (the check and the write are one statement: safe on SQLite and PostgreSQL alike).

A status change of a public initiative leaves a :class:`Notification` for every portal voter
with an e-mail address ("Your vote: Dark mode is now planned"); ``productpath digest send``
delivers them. A change to a private initiative tells no one: its voters could not see it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from productpath.domain.escaping import plain_text
from productpath.domain.roadmap import InitiativeStatus
from productpath.domain.roadmap_edits import FieldEdit
from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.services.history import record_edits
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import Initiative, Notification, User, Vote, utcnow

log = logging.getLogger(__name__)

STATUSES: tuple[str, ...] = tuple(s.value for s in InitiativeStatus)
# How the portal names each status (the lifecycle stakeholders see).
PUBLIC_STATUS = {
    InitiativeStatus.PROPOSED.value: "under review",
    InitiativeStatus.PLANNED.value: "planned",
    InitiativeStatus.IN_PROGRESS.value: "in progress",
    InitiativeStatus.DONE.value: "shipped",
    InitiativeStatus.DROPPED.value: "declined",
}
FIELDS = ("status", "public", "title", "description")
MAX_TITLE = 500
MAX_DESCRIPTION = 20_000


@dataclass(frozen=True)
class InitiativeChanges:
    """What to change; ``None`` leaves a field as it is."""

    status: str | None = None
    public: bool | None = None
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class InitiativeEdited:
    """The initiative after the edit; ``changed`` names the fields whose value changed."""

    key: str
    version: int
    status: str
    public: bool
    title: str
    description: str
    changed: tuple[str, ...]


def update_initiative(
    handle: OpenWorkspace,
    key: str,
    changes: InitiativeChanges,
    *,
    expected_version: int,
    actor: str,
    via: str = "api",
) -> InitiativeEdited:
    """Apply ``changes`` to the initiative ``key`` if it is still at ``expected_version``.

    Raises NotFoundError for an unknown key, InputError (with the field) for a bad value, and
    ConflictError when someone else saved it since. An edit that changes nothing keeps the
    version as it is. Each changed field is recorded in the change history (who, and ``via``:
    web or api).
    """
    values = _validated(changes)
    with handle.store.write() as session:
        row = _find(session, handle.workspace.product, key)
        if row.version != expected_version:
            raise _conflict(key, row.version, expected_version)
        before = _fields(row)
        changed = {name: v for name, v in values.items() if before[name] != v}
        if not changed:
            return _edited(row.key, row.version, before, ())
        result: Any = session.execute(
            update(Initiative)
            .where(Initiative.id == row.id, Initiative.version == expected_version)
            .values(**changed, version=Initiative.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            # Someone saved between our read and our write (PostgreSQL, read committed).
            latest = session.scalar(select(Initiative.version).where(Initiative.id == row.id))
            raise _conflict(key, latest or expected_version + 1, expected_version)
        after = {**before, **changed}
        record_edits(
            session,
            row.product_id,
            [FieldEdit("initiative", key, n, before[n], after[n]) for n in FIELDS if n in changed],
            actor=actor,
            via=via,
        )
        if "status" in changed and after["public"]:
            notify_voters(session, row, str(after["title"]), str(after["status"]))
    log.info("initiative %s edited by %s: %s", key, actor, ", ".join(sorted(changed)))
    return _edited(key, expected_version + 1, after, tuple(n for n in FIELDS if n in changed))


def _fields(row: Initiative) -> dict[str, object]:
    return {
        "status": row.status,
        "public": row.public,
        "title": row.title,
        "description": row.description,
    }


def _edited(
    key: str, version: int, values: dict[str, object], changed: tuple[str, ...]
) -> InitiativeEdited:
    return InitiativeEdited(
        key=key,
        version=version,
        status=str(values["status"]),
        public=bool(values["public"]),
        title=str(values["title"]),
        description=str(values["description"]),
        changed=changed,
    )


def _validated(changes: InitiativeChanges) -> dict[str, object]:
    values: dict[str, object] = {}
    if changes.status is not None:
        if changes.status not in STATUSES:
            raise InputError(
                f"unknown status '{changes.status}'; use one of {', '.join(STATUSES)}",
                field="status",
            )
        values["status"] = changes.status
    if changes.public is not None:
        values["public"] = changes.public
    if changes.title is not None:
        title = changes.title.strip()
        if not title:
            raise InputError("the title is empty", field="title")
        if "\n" in title or "\r" in title:
            raise InputError("the title must be one line", field="title")
        if len(title) > MAX_TITLE:
            raise InputError(f"the title is longer than {MAX_TITLE} characters", field="title")
        values["title"] = title
    if changes.description is not None:
        description = changes.description.strip().replace("\r\n", "\n")
        if len(description) > MAX_DESCRIPTION:
            raise InputError(
                f"the description is longer than {MAX_DESCRIPTION} characters",
                field="description",
            )
        values["description"] = description
    return values


def _find(session: Session, product_key: str, key: str) -> Initiative:
    product_id = product_repo.find_id(session, product_key)
    row = (
        None
        if product_id is None
        else session.scalar(
            select(Initiative).where(Initiative.product_id == product_id, Initiative.key == key)
        )
    )
    if row is None:
        raise NotFoundError(f"no initiative '{key}' in this workspace")
    return row


def _conflict(key: str, stored: int, expected: int) -> ConflictError:
    return ConflictError(
        f"initiative '{key}' was changed by someone else (version {stored}, you edited "
        f"version {expected}); reload and try again"
    )


def notify_voters(session: Session, row: Initiative, title: str, status: str) -> None:
    """Leave a notification for every portal voter of ``row`` with an e-mail address."""
    emails = session.scalars(
        select(User.email)
        .join(Vote, Vote.user_id == User.id)
        .where(Vote.initiative_id == row.id, User.email != "")
        .order_by(User.email)
    ).all()
    label = PUBLIC_STATUS.get(status, status)
    title = plain_text(title)  # the subject and the plain-text mail: one line, no controls
    for email in emails:
        session.add(
            Notification(
                product_id=row.product_id,
                email=email,
                initiative_id=row.id,
                subject=f"Your vote: {title} is now {label}",
                body=(
                    f"You voted for “{title}” on the portal. Its status is now: {label}.\n"
                    f"(It is listed on the portal as {row.key}.)\n"
                ),
            )
        )
