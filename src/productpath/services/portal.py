"""The stakeholder portal: the public roadmap, votes, comments, and feedback from stakeholders.

What stakeholders see is chosen here, not in templates: an initiative's key, title, public
status, vote totals and comments — only for initiatives marked ``public``. Descriptions, scores,
evidence, customers and private initiatives never leave this module (a private initiative reads
as "not found", so its existence does not leak either).

Votes need an account: ``Vote.user_id`` names the voter, one vote per person and initiative. In
local mode (no accounts) the portal shows the totals read only, with a note saying so.

Vote weight: 1, plus the voter's customer's annual revenue divided by the mean annual revenue
of the product's customers with a revenue recorded. A voter without a customer (or whose
customer has no revenue) weighs 1; a customer of average revenue 2; one of five times the
average 6. It is fixed when the vote is cast.

Comments are one conversation per initiative, shown on its internal page and, when the
initiative is public, on the portal. Text in comments and portal feedback has personal data
(e-mail addresses, phone and card numbers...) redacted as the feedback importer does. A comment
that @mentions a team member tells them (``services.notifications``); the mention is read
before the redaction, so "@ana@example.com" finds Ana even though the stored text hides it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import insert
from sqlalchemy.orm import Session

from productpath.domain.text import is_blank
from productpath.domain.views import ProductInfo, View
from productpath.errors import InputError, NotFoundError
from productpath.ingest.pii import redact
from productpath.services.initiative_edit import PUBLIC_STATUS
from productpath.services.notifications import notify_mention
from productpath.services.workspace import OpenWorkspace
from productpath.store import portal_repo, product_repo
from productpath.store.models import Comment, FeedbackItem, Initiative, Product, utcnow

FEEDBACK_SOURCE = "portal"
# A whole author field that is an e-mail address (comments show a name or initials instead).
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
MAX_COMMENT = 5_000
MAX_FEEDBACK = 10_000
MAX_AUTHOR = 200
# The portal's lifecycle, in the order it is shown.
STAGES: tuple[str, ...] = ("proposed", "planned", "in_progress", "done", "dropped")
LOCAL_MODE_NOTE = (
    "Voting needs an account: this workspace has none yet, so votes are shown read only. "
    "Add people with 'productpath users add EMAIL --role stakeholder'."
)
WEIGHT_RULE = (
    "Each vote counts 1, plus the voter's customer's annual revenue divided by the average "
    "annual revenue of this product's customers."
)


class VoteResult(View):
    """The initiative's totals after a vote or unvote; ``changed`` is False when it was
    already so (voting twice counts once)."""

    key: str
    voted: bool
    changed: bool
    votes: int
    weight: float


class CommentPublic(View):
    id: int
    author: str
    body: str
    created_at: dt.datetime


class PortalItem(View):
    key: str
    title: str
    status: str
    stage: str  # the portal's name for the status: under review, planned, ...
    votes: int
    weight: float
    comments: int
    voted: bool  # by the person asking


class PortalStage(View):
    status: str
    label: str
    items: tuple[PortalItem, ...]


class PortalView(View):
    product: ProductInfo
    stages: tuple[PortalStage, ...]
    can_vote: bool
    note: str | None
    weight_rule: str = WEIGHT_RULE
    # What a vote of the asker counts now (their customer's weight); None without an account.
    your_weight: float | None = None


class PortalItemPage(View):
    product: ProductInfo
    item: PortalItem
    comments: tuple[CommentPublic, ...]
    can_vote: bool
    note: str | None
    weight_rule: str = WEIGHT_RULE


class InitiativeSocial(View):
    """Votes and comments as the initiative's internal page shows them."""

    votes: int
    weight: float
    comments: tuple[CommentPublic, ...]


# --- reading -----------------------------------------------------------------------------------


def portal_roadmap(handle: OpenWorkspace, user_id: int | None) -> PortalView:
    """The public initiatives grouped by stage, with totals and the asker's own votes."""
    with handle.store.read() as session:
        product = _product(session, handle)
        rows = [] if product is None else portal_repo.public_initiatives(session, product.id)
        items = _items(session, rows, user_id)
        stages = tuple(
            PortalStage(
                status=status,
                label=PUBLIC_STATUS[status],
                items=tuple(i for i in items if i.status == status),
            )
            for status in STAGES
        )
        return PortalView(
            product=_info(product, handle),
            stages=stages,
            can_vote=user_id is not None,
            note=None if user_id is not None else LOCAL_MODE_NOTE,
            your_weight=_your_weight(session, product, user_id),
        )


def _your_weight(session: Session, product: Product | None, user_id: int | None) -> float | None:
    found = portal_repo.user_customer(session, user_id) if user_id is not None else None
    if found is None or product is None:
        return None
    return round(portal_repo.revenue_weight(session, product.id, found[0]), 2)


def portal_item(handle: OpenWorkspace, key: str, user_id: int | None) -> PortalItemPage:
    """One public initiative with its comments; NotFoundError for a private or unknown key."""
    with handle.store.read() as session:
        product = _product(session, handle)
        row = _initiative(session, product, key, include_private=False)
        (item,) = _items(session, [row], user_id)
        return PortalItemPage(
            product=_info(product, handle),
            item=item,
            comments=_comments(session, row.id),
            can_vote=user_id is not None,
            note=None if user_id is not None else LOCAL_MODE_NOTE,
        )


def initiative_social(handle: OpenWorkspace, key: str) -> InitiativeSocial:
    """Vote totals and every comment of the initiative ``key``, public or not."""
    with handle.store.read() as session:
        row = _initiative(session, _product(session, handle), key, include_private=True)
        return _social(session, row.id)


def social_of(session: Session, initiative_id: int) -> InitiativeSocial:
    """The same, inside a session another read model already holds."""
    return _social(session, initiative_id)


# --- writing -----------------------------------------------------------------------------------


def vote(
    handle: OpenWorkspace, key: str, user_id: int | None, *, include_private: bool = False
) -> VoteResult:
    """Vote for the initiative ``key``; voting again changes nothing.

    Portal semantics by default: only public initiatives can be voted on. ``include_private``
    lets people with a team role vote on any initiative (the JSON API uses it).
    """
    return _set_vote(handle, key, user_id, True, include_private=include_private)


def unvote(
    handle: OpenWorkspace, key: str, user_id: int | None, *, include_private: bool = False
) -> VoteResult:
    """Take back one's vote on ``key``; unvoting without a vote changes nothing."""
    return _set_vote(handle, key, user_id, False, include_private=include_private)


def public_name(author: str) -> str:
    """How a commenter appears to everyone who reads the comments: never an e-mail address.

    An account without a display name is known by its address; that (and any comment stored
    with one before this rule) shows as the initials of the address's local part:
    ``ada.lovelace@example.com`` reads "A. L.".
    """
    if not _EMAIL.fullmatch(author):
        return author
    words = [part for part in re.split(r"[^0-9A-Za-z]+", author.split("@", 1)[0]) if part]
    return " ".join(f"{word[0].upper()}." for word in words) or "anonymous"


def comment(
    handle: OpenWorkspace,
    key: str,
    author: str,
    body: str,
    user_id: int | None,
    *,
    include_private: bool = False,
) -> CommentPublic:
    """Add a comment to ``key`` (public only, unless ``include_private``); personal data in
    the body is redacted."""
    text = clean_text(body, "body", MAX_COMMENT)
    name = public_name(" ".join(author.split())[:MAX_AUTHOR]) or "anonymous"
    with handle.store.write() as session:
        row = _initiative(session, _product(session, handle), key, include_private=include_private)
        stored = Comment(
            initiative_id=row.id,
            user_id=user_id,
            author=name,
            body=redact(text).text,
            created_at=utcnow(),
        )
        session.add(stored)
        session.flush()
        notify_mention(
            session,
            row.product_id,
            text,
            shown=stored.body,
            author=public_name(name),
            author_id=user_id,
            what=row.title,
            link=f"/initiatives/{row.key}#comments",
        )
        return _comment_view(stored)


def submit_feedback(
    handle: OpenWorkspace, text: str, author_email: str | None, user_id: int | None
) -> int:
    """Store feedback from the portal as a feedback item of source "portal"; returns its id.

    The text has personal data redacted. The author's e-mail is not stored: it (or the account)
    only links the item to the customer the account belongs to, if any.
    """
    clean = redact(clean_text(text, "text", MAX_FEEDBACK)).text
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        customer_id = None
        if user_id is not None:
            found = portal_repo.user_customer(session, user_id)
            customer_id = found[0] if found else None
        elif author_email:
            customer_id = portal_repo.customer_of_email(session, author_email)
        now = utcnow()
        result = session.execute(
            insert(FeedbackItem)
            .values(
                product_id=product.id,
                source=FEEDBACK_SOURCE,
                external_id=f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}",
                text=clean,
                created_at=now,
                customer_id=customer_id,
                imported_at=now,
            )
            .returning(FeedbackItem.id)
        )
        return int(result.scalar_one())


# --- helpers -----------------------------------------------------------------------------------


def _set_vote(
    handle: OpenWorkspace, key: str, user_id: int | None, on: bool, *, include_private: bool
) -> VoteResult:
    if user_id is None:
        raise InputError(
            "voting needs an account; this workspace has none (productpath users add)",
            field="user",
        )
    with handle.store.write() as session:
        product = _product(session, handle)
        row = _initiative(session, product, key, include_private=include_private)
        if on:
            found = portal_repo.user_customer(session, user_id)
            if found is None:
                raise NotFoundError(f"no user account {user_id}")
            weight = portal_repo.revenue_weight(session, row.product_id, found[0])
            changed = portal_repo.add_vote(session, row.id, user_id, weight)
        else:
            changed = portal_repo.remove_vote(session, row.id, user_id)
        votes, total = portal_repo.vote_totals(session, [row.id]).get(row.id, (0, 0.0))
        return VoteResult(key=row.key, voted=on, changed=changed, votes=votes, weight=total)


def _product(session: Session, handle: OpenWorkspace) -> Product | None:
    return product_repo.find(session, handle.workspace.product)


def _info(product: Product | None, handle: OpenWorkspace) -> ProductInfo:
    if product is None:
        return ProductInfo(key=handle.workspace.product, name=handle.workspace.name, description="")
    return ProductInfo(key=product.key, name=product.name, description=product.description)


def _initiative(
    session: Session, product: Product | None, key: str, *, include_private: bool
) -> Initiative:
    row = None if product is None else portal_repo.find_initiative(session, product.id, key)
    if row is None or not (row.public or include_private):
        raise NotFoundError(f"no initiative '{key}' on this portal")
    return row


def _items(session: Session, rows: list[Initiative], user_id: int | None) -> list[PortalItem]:
    ids = [r.id for r in rows]
    totals = portal_repo.vote_totals(session, ids)
    counts = portal_repo.comment_counts(session, ids)
    mine = set() if user_id is None else portal_repo.voted(session, user_id, ids)
    return [
        PortalItem(
            key=r.key,
            title=r.title,
            status=r.status,
            stage=PUBLIC_STATUS.get(r.status, r.status),
            votes=totals.get(r.id, (0, 0.0))[0],
            weight=round(totals.get(r.id, (0, 0.0))[1], 2),
            comments=counts.get(r.id, 0),
            voted=r.id in mine,
        )
        for r in rows
    ]


def _social(session: Session, initiative_id: int) -> InitiativeSocial:
    votes, weight = portal_repo.vote_totals(session, [initiative_id]).get(initiative_id, (0, 0.0))
    return InitiativeSocial(
        votes=votes, weight=round(weight, 2), comments=_comments(session, initiative_id)
    )


def _comments(session: Session, initiative_id: int) -> tuple[CommentPublic, ...]:
    return tuple(_comment_view(c) for c in portal_repo.comments(session, initiative_id))


def _comment_view(row: Comment) -> CommentPublic:
    return CommentPublic(
        id=row.id, author=public_name(row.author), body=row.body, created_at=row.created_at
    )


def clean_text(text: str, field: str, limit: int) -> str:
    clean = text.strip().replace("\r\n", "\n")
    if is_blank(clean):
        raise InputError(f"the {field} is empty", field=field)
    if len(clean) > limit:
        raise InputError(f"the {field} is longer than {limit} characters", field=field)
    if "\x00" in clean:
        raise InputError(f"the {field} holds a NUL character", field=field)
    return clean
