"""Watches and notifications: who watches what, what they are told, and by which channels.

A signed-in user watches an initiative, a milestone or a theme. They are told, in the app
(the bell in the header) and, by their own choice on their account page, by e-mail and by
webhook:

* when a watched initiative's status changes, whoever changed it and however (the web, the
  API, the CLI, ``roadmap apply``, a sync, an undo): every one of those paths records its edits
  through ``services.history``, which hands them here in the same transaction;
* when a watched initiative becomes at risk (any delivery risk, ``services.delivery``), once
  per transition: the watch remembers the warning was raised (``Watch.raised``) until the risk
  clears. Risks are computed on reading, so the check (:func:`check_delivery`) runs as the
  risk check job, queued after the writes that can change a risk and hourly by the schedule
  (``services/reporting/risk_alerts.py``), and with ``productpath digest send``;
* when a watched milestone's P85 date moves past its target, by the same risk check or on a
  saved roadmap forecast run, once per transition likewise;
* when someone @mentions them in a comment (:func:`mentioned`).

Whoever made a change is not told about it. In-app notifications are rows with the channel
``in_app``; the e-mail and webhook copies are rows of their own that ``digest send`` delivers
through the digests' sending path (the outbound guard, Markdown escaping, retries).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from sqlalchemy import insert
from sqlalchemy.orm import Session

from productpath.domain.escaping import plain_text
from productpath.domain.roadmap_edits import FieldEdit
from productpath.domain.stakeholders import email_problem
from productpath.domain.views import View
from productpath.errors import InputError, NotFoundError, ProductpathError
from productpath.notify.outbound import url_problem
from productpath.services.delivery import delivery_status
from productpath.services.stakeholders import webhook_host, webhook_policy
from productpath.services.workspace import OpenWorkspace
from productpath.store import notification_repo, product_repo
from productpath.store.models import Notification, User, Watch, utcnow

WATCHABLE: tuple[str, ...] = ("initiative", "milestone", "theme")
KINDS: tuple[str, ...] = ("portal", "status", "at_risk", "milestone_late", "mention")
# Who may be @mentioned (and listed by the completion): the team, not portal stakeholders.
MENTIONABLE_ROLES: tuple[str, ...] = ("admin", "editor", "viewer")
MAX_LIST = 200
MAX_WEBHOOK_URL = 1000
_PLURAL = {"initiative": "initiatives", "milestone": "milestones", "theme": "themes"}
# "@" at the start or after a space or an opening bracket; an e-mail mention is one token.
_MENTION_START = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))@")
_EMAIL_TOKEN = re.compile(r"[^\s@,;:()<>\[\]]+@[^\s@,;:()<>\[\]]+[^\s@,;:()<>\[\].!?]")


class NotificationView(View):
    """One in-app notification."""

    id: int
    kind: str = Field(description="status, at_risk, milestone_late, mention or portal")
    subject: str
    body: str
    link: str = Field(description="the page it is about, a path in this app ('' for none)")
    created_at: dt.datetime
    read: bool


class NotificationsPage(View):
    """The user's notifications, newest first, and how many are unread."""

    unread: int
    notifications: list[NotificationView]


class WatchState(View):
    """Whether the caller watches the object now."""

    type: str
    key: str
    watching: bool


class Channels(View):
    """How a user is told besides the in-app bell (always on)."""

    in_app: bool = True
    email: bool = Field(description="also by e-mail to the account's address")
    address: str = Field(description="the account's e-mail address")
    webhook: bool = Field(description="also posted to the user's webhook")
    webhook_host: str | None = Field(
        description="scheme and host of the webhook (its path may hold a secret: not shown)"
    )


class MentionCandidate(View):
    """A person a comment may @mention; ``mention`` is what completion inserts."""

    name: str
    email: str
    mention: str


@dataclass(frozen=True)
class _Message:
    kind: str
    subject: str
    body: str
    link: str


# --- Watching ------------------------------------------------------------------------------
def watch(handle: OpenWorkspace, user_id: int | None, object_type: str, key: str) -> WatchState:
    """Start watching (watching twice changes nothing); NotFoundError for an unknown object."""
    uid = _signed_in(user_id)
    with handle.store.write() as session:
        product_id = _object_product(session, handle, object_type, key)
        if notification_repo.find_watch(session, uid, product_id, object_type, key) is None:
            session.add(
                Watch(
                    user_id=uid,
                    product_id=product_id,
                    object_type=object_type,
                    object_key=key,
                    raised=False,
                    created_at=utcnow(),
                )
            )
    return WatchState(type=object_type, key=key, watching=True)


def unwatch(handle: OpenWorkspace, user_id: int | None, object_type: str, key: str) -> WatchState:
    """Stop watching (not watching changes nothing)."""
    uid = _signed_in(user_id)
    with handle.store.write() as session:
        product_id = _object_product(session, handle, object_type, key)
        notification_repo.remove_watch(session, uid, product_id, object_type, key)
    return WatchState(type=object_type, key=key, watching=False)


def is_watching(handle: OpenWorkspace, user_id: int | None, object_type: str, key: str) -> bool:
    if user_id is None or object_type not in WATCHABLE:
        return False
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return False
        found = notification_repo.find_watch(session, user_id, product_id, object_type, key)
    return found is not None


# --- Reading and marking --------------------------------------------------------------------
def notifications(
    handle: OpenWorkspace, user_id: int | None, *, unread_only: bool = False, limit: int = 50
) -> NotificationsPage:
    """The user's in-app notifications on this product, newest first (none in local mode)."""
    if user_id is None:
        return NotificationsPage(unread=0, notifications=[])
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return NotificationsPage(unread=0, notifications=[])
        rows = notification_repo.in_app(
            session,
            user_id,
            product_id,
            unread_only=unread_only,
            limit=max(1, min(limit, MAX_LIST)),
        )
        unread = notification_repo.unread_count(session, user_id, product_id)
    return NotificationsPage(unread=unread, notifications=[_view(r) for r in rows])


def unread_count(handle: OpenWorkspace, user_id: int | None) -> int:
    """How many in-app notifications the user has not read (the bell's number)."""
    if user_id is None:
        return 0
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return 0
        return notification_repo.unread_count(session, user_id, product_id)


def mark_read(handle: OpenWorkspace, user_id: int | None, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all, or only ``ids``); returns how many changed."""
    uid = _signed_in(user_id)
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return 0
        return notification_repo.mark_read(session, uid, product_id, ids, utcnow())


# --- Channels -------------------------------------------------------------------------------
def channels(handle: OpenWorkspace, user_id: int | None) -> Channels:
    uid = _signed_in(user_id)
    with handle.store.read() as session:
        user = _user(session, uid)
        return _channels(user)


def set_channels(
    handle: OpenWorkspace,
    user_id: int | None,
    *,
    email: bool,
    webhook_url: str | None,
    keep_webhook: bool = False,
    env: Mapping[str, str] | None = None,
) -> Channels:
    """Choose the e-mail and webhook channels. A webhook URL is checked by the same outbound
    guard as the digests' webhooks (https or http, no internal address unless an admin allowed
    it); an empty one turns the channel off, unless ``keep_webhook`` keeps the one set now."""
    uid = _signed_in(user_id)
    url = (webhook_url or "").strip() or None
    if url is not None:
        if len(url) > MAX_WEBHOOK_URL:
            raise InputError(
                f"the webhook URL is longer than {MAX_WEBHOOK_URL} characters", field="webhook_url"
            )
        problem = url_problem(url, webhook_policy(handle, env))
        if problem is not None:
            raise InputError(f"the webhook URL is refused: {problem}", field="webhook_url")
    with handle.store.write() as session:
        user = _user(session, uid)
        if email and email_problem(user.email) is not None:
            raise InputError(
                f"your account's address cannot receive e-mail: {email_problem(user.email)}",
                field="email",
            )
        user.notify_email = email
        if not (keep_webhook and url is None):
            user.notify_webhook_url = url
        return _channels(user)


# --- Mentions -------------------------------------------------------------------------------
def mention_candidates(
    handle: OpenWorkspace, prefix: str, *, limit: int = 10
) -> list[MentionCandidate]:
    """Team members whose e-mail or a word of whose name starts with ``prefix``."""
    prefix = prefix.strip().lstrip("@")[:200]
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        users = notification_repo.members(
            session, product_id, MENTIONABLE_ROLES, prefix=prefix, limit=max(1, min(limit, 50))
        )
    return [
        MentionCandidate(name=u.name, email=u.email, mention="@" + (u.name or u.email))
        for u in users
    ]


def mentioned_users(session: Session, product_id: int, body: str) -> list[User]:
    """The team members ``body`` @mentions, by e-mail address or by display name (the longest
    name that fits wins: "@Ana Lima" over "@Ana"), each once, in order of first mention."""
    if "@" not in body:
        return []
    people = notification_repo.members(session, product_id, MENTIONABLE_ROLES)
    by_email = {u.email.lower(): u for u in people}
    names = sorted((u for u in people if u.name.strip()), key=lambda u: -len(u.name))
    found: dict[int, User] = {}
    for match in _MENTION_START.finditer(body):
        rest = body[match.end() :]
        token = _EMAIL_TOKEN.match(rest)
        user = by_email.get(token.group(0).lower()) if token else None
        if user is None:
            user = next((u for u in names if _starts_with_name(rest, u.name)), None)
        if user is not None:
            found.setdefault(user.id, user)
    return list(found.values())


def _starts_with_name(text: str, name: str) -> bool:
    name = " ".join(name.split())
    if text[: len(name)].lower() != name.lower():
        return False
    after = text[len(name) : len(name) + 1]
    return not after or not (after.isalnum() or after == "_")


def notify_mention(
    session: Session,
    product_id: int,
    body: str,
    *,
    shown: str,
    author: str,
    author_id: int | None,
    what: str,
    link: str,
) -> list[str]:
    """Tell everyone ``body`` mentions (not the author) with an excerpt of ``shown`` (the body
    as stored, personal data redacted); returns their e-mail addresses."""
    told: list[str] = []
    excerpt = plain_text(shown)
    if len(excerpt) > 300:
        excerpt = excerpt[:299] + "…"
    for user in mentioned_users(session, product_id, body):
        if user.id == author_id:
            continue
        message = _Message(
            kind="mention",
            subject=f"{plain_text(author)} mentioned you on {plain_text(what)}",
            body=f"{plain_text(author)} wrote on {plain_text(what)}: “{excerpt}”",
            link=link,
        )
        _tell(session, product_id, user, message)
        told.append(user.email)
    return told


# --- What happened (called inside the writer's transaction) ---------------------------------
def notify_edits(
    session: Session, product_id: int, edits: Iterable[FieldEdit], *, actor: str, via: str
) -> None:
    """Tell the watchers of initiatives whose status these recorded edits changed."""
    changed = [e for e in edits if e.type == "initiative" and e.field == "status"]
    if not changed:
        return
    watching = notification_repo.watchers(
        session, product_id, "initiative", sorted({e.key for e in changed})
    )
    if not watching:
        return
    by_key: dict[str, list[User]] = {}
    for watch_row, user in watching:
        by_key.setdefault(watch_row.object_key, []).append(user)
    titles = notification_repo.initiative_titles(session, product_id, [e.key for e in changed])
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for edit in changed:
        title = titles.get(edit.key, edit.key)
        message = _Message(
            kind="status",
            subject=f"{plain_text(title)} is now {_status(edit.after)}",
            body=(
                f"{plain_text(actor)} changed the status of {plain_text(title)} ({edit.key}) "
                f"from {_status(edit.before)} to {_status(edit.after)} (via {via})."
            ),
            link=f"/initiatives/{edit.key}",
        )
        for user in by_key.get(edit.key, ()):
            if not _is_actor(user, actor):
                rows += _rows(product_id, user, message, now)
    _insert(session, rows)


def milestone_forecast(
    session: Session, product_id: int, finishes: Iterable[tuple[str, str, dt.date, dt.date | None]]
) -> int:
    """From the risk check's forecast: (key, name, target, P85) per milestone. Tells the
    watchers of each milestone whose P85 moved past its target (once, until it is back on
    time); returns how many people were told."""
    by_key = {key: (name, target, p85) for key, name, target, p85 in finishes}
    told = 0
    for watch_row, user in notification_repo.watchers(session, product_id, "milestone", [*by_key]):
        name, target, p85 = by_key[watch_row.object_key]
        late = p85 is not None and p85 > target
        if late and not watch_row.raised:
            message = _Message(
                kind="milestone_late",
                subject=f"{plain_text(name)}: the forecast's P85 is past its target",
                body=(
                    f"The latest roadmap forecast puts {plain_text(name)} at {p85} with 85% "
                    f"confidence, after its target of {target}."
                ),
                link=f"/milestones/{watch_row.object_key}",
            )
            _tell(session, product_id, user, message)
            told += 1
        watch_row.raised = late
    return told


def check_delivery(handle: OpenWorkspace, *, today: dt.date | None = None) -> int:
    """Tell the watchers of initiatives that became at risk since the last check (once per
    transition); returns how many people were told. A product without a roadmap has none."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None or not notification_repo.watches_of(
            session, product_id, "initiative"
        ):
            return 0
    try:
        status = delivery_status(handle, today=today)
    except (NotFoundError, ProductpathError):
        return 0
    risky = {i.key: (i.title, i.risks[0].reason) for i in status.initiatives if i.risks}
    told = 0
    with handle.store.write() as session:
        for watch_row in notification_repo.watches_of(session, product_id, "initiative"):
            at_risk = watch_row.object_key in risky
            if at_risk and not watch_row.raised:
                title, reason = risky[watch_row.object_key]
                user = session.get(User, watch_row.user_id)
                if user is not None and user.active:
                    message = _Message(
                        kind="at_risk",
                        subject=f"{plain_text(title)} is at risk",
                        body=f"{plain_text(title)} ({watch_row.object_key}) is at risk: "
                        f"{plain_text(reason)}",
                        link=f"/initiatives/{watch_row.object_key}",
                    )
                    _tell(session, product_id, user, message)
                    told += 1
            watch_row.raised = at_risk
    return told


def object_link(object_type: str, key: str, *, comments: bool = False) -> str:
    """The page of a watched or commented object (at its comments, with ``comments``)."""
    if object_type == "decision":
        page = f"/decisions/{key}"
    else:
        page = f"/{_PLURAL.get(object_type, object_type + 's')}/{key}"
    return page + ("#comments" if comments else "")


# --- Helpers --------------------------------------------------------------------------------
def _tell(session: Session, product_id: int, user: User, message: _Message) -> None:
    """One in-app row, and a row per outbound channel the user chose."""
    _insert(session, _rows(product_id, user, message, utcnow()))


def _rows(product_id: int, user: User, message: _Message, now: dt.datetime) -> list[dict[str, Any]]:
    common: dict[str, Any] = {
        "product_id": product_id,
        "user_id": user.id,
        "email": user.email,
        "initiative_id": None,
        "kind": message.kind,
        "subject": message.subject[:300],
        "body": message.body,
        "link": message.link,
        "created_at": now,
        "failed": False,
        "read_at": None,
        "webhook_url": None,
    }
    # In-app rows are never sent: they count as delivered when written.
    rows = [{**common, "channel": "in_app", "sent_at": now}]
    if user.notify_email and email_problem(user.email) is None:
        rows.append({**common, "channel": "email", "sent_at": None})
    if user.notify_webhook_url:
        rows.append(
            {
                **common,
                "channel": "webhook",
                "sent_at": None,
                "webhook_url": user.notify_webhook_url,
            }
        )
    return rows


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT: a roadmap apply that changes 300 watched statuses stays cheap."""
    if rows:
        session.execute(insert(Notification), rows)


def _is_actor(user: User, actor: str) -> bool:
    return actor.lower() in {user.email.lower(), user.name.lower()} if actor else False


def _status(value: object) -> str:
    return str(value).replace("_", " ") if value is not None else "unset"


def _view(row: Notification) -> NotificationView:
    return NotificationView(
        id=row.id,
        kind=row.kind,
        subject=row.subject,
        body=row.body,
        link=row.link,
        created_at=row.created_at,
        read=row.read_at is not None,
    )


def _channels(user: User) -> Channels:
    return Channels(
        email=user.notify_email,
        address=user.email,
        webhook=bool(user.notify_webhook_url),
        webhook_host=webhook_host(user.notify_webhook_url),
    )


def _signed_in(user_id: int | None) -> int:
    if user_id is None:
        raise InputError(
            "watching and notifications need an account: this workspace has none yet (add one "
            "with 'productpath users add EMAIL')"
        )
    return user_id


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("no such user")
    return user


def _object_product(session: Session, handle: OpenWorkspace, object_type: str, key: str) -> int:
    if object_type not in WATCHABLE:
        raise NotFoundError(f"a {object_type} cannot be watched")
    product_id = product_repo.find_id(session, handle.workspace.product)
    if (
        product_id is None
        or notification_repo.object_id(session, product_id, object_type, key) is None
    ):
        raise NotFoundError(f"no {object_type} '{key}' in this workspace")
    return product_id
