"""Correct the kind and sentiment of feedback items (``feedback label``, ``PATCH /feedback``).

A correction is stored as a label (``label_repo``), apart from the engine's readings, laid over
them at once and after every run, and learnt from by the next run's kind classifier.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from productpath.domain.feedback_kinds import KINDS
from productpath.errors import InputError, NotFoundError
from productpath.services.workspace import OpenWorkspace
from productpath.store import label_repo, product_repo

if TYPE_CHECKING:
    pass

# Sentiment words a person may give instead of a score, and the score each stands for: well
# outside the neutral band (|s| <= 0.05) so filters and averages read them as meant.
SENTIMENT_WORDS = {"positive": 0.5, "pos": 0.5, "neutral": 0.0, "negative": -0.5, "neg": -0.5}


@dataclass(frozen=True)
class Labelled:
    """What ``label_items`` did: the item ids it labelled, in the order given."""

    ids: tuple[int, ...]
    kind: str | None
    sentiment: float | None


def parse_kind(value: str | None) -> str | None:
    if value is None:
        return None
    kind = value.strip().lower()
    if kind not in KINDS:
        raise InputError(
            f"unknown kind '{value}' (expected one of {', '.join(KINDS)})", field="kind"
        )
    return kind


def parse_sentiment(value: str | float | None) -> float | None:
    """A score from -1 to 1, or one of positive, neutral, negative."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in SENTIMENT_WORDS:
        return SENTIMENT_WORDS[value.strip().lower()]
    try:
        score = float(value)
    except ValueError:
        score = math.nan
    if not -1.0 <= score <= 1.0:
        raise InputError(
            f"sentiment '{value}' must be a number from -1 to 1 or positive, neutral, negative",
            field="sentiment",
        )
    return score


def label_items(
    handle: OpenWorkspace,
    refs: Sequence[str],
    *,
    kind: str | None,
    sentiment: str | float | None,
    source: str = "person",
    set_by: str | None = None,
    numbers_only: bool = False,
) -> Labelled:
    """Label every item named (external id or number) or none: an unknown item or value is
    one error and nothing changes."""
    clean_kind = parse_kind(kind)
    score = parse_sentiment(sentiment)
    if clean_kind is None and score is None:
        raise InputError("give --kind or --sentiment (or both)", field="kind")
    if not refs:
        raise InputError("name at least one item", field="item")
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        found = (
            {}
            if product_id is None
            else label_repo.resolve(session, product_id, refs, numbers_only=numbers_only)
        )
        missing = [ref for ref in refs if found.get(ref) is None]
        if product_id is None or missing:
            raise NotFoundError(f"no feedback item '{missing[0] if missing else refs[0]}'")
        ids = tuple(dict.fromkeys(i for i in found.values() if i is not None))
        label_repo.put(session, ids, kind=clean_kind, sentiment=score, source=source, set_by=set_by)
        label_repo.apply(session, product_id)
    return Labelled(ids, clean_kind, score)


@dataclass(frozen=True)
class ReviewItem:
    """An item waiting for a person's kind: what the engine read and how sure it was."""

    id: int
    external_id: str
    text: str
    kind: str | None
    confidence: float | None

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def review_queue(handle: OpenWorkspace, *, limit: int) -> list[ReviewItem]:
    """Up to ``limit`` analysed items without a person's or file's kind, least certain first."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        return [ReviewItem(*row) for row in label_repo.least_certain(session, product_id, limit)]
