"""Score and rank the roadmap's initiatives from their evidence (RICE or WSJF, productpath.toml).

``ranked_initiatives`` is the priority order other planning code uses (the schedule places
initiatives in this order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from productpath.errors import NotFoundError
from productpath.planning.scoring import (
    TREND_DAYS,
    WEIGHTED,
    Evidence,
    Method,
    Score,
    ScoringConfig,
    ScoringInput,
    ThemeEvidence,
    score_all,
)
from productpath.services.workspace import OpenWorkspace
from productpath.store import evidence_repo, product_repo, scoring_repo

__all__ = ["ScoreReport", "ranked_initiatives", "score_roadmap"]


@dataclass(frozen=True)
class ScoreReport:
    product: str
    method: Method
    weights: dict[str, float]
    as_of: dt.datetime | None  # the newest feedback item: trends are measured up to it
    scores: list[Score]

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "method": self.method,
            "weights": self.weights,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "initiatives": [score_dict(s) for s in self.scores],
        }


def score_dict(score: Score) -> dict[str, Any]:
    return {
        "rank": score.rank,
        "key": score.key,
        "title": score.title,
        "status": score.status,
        "score": score.value,
        "terms": {
            t.name: {
                "value": t.value,
                "source": t.source,
                "origin": t.origin,
                "overridden": t.overridden,
            }
            for t in score.terms
        },
        "warnings": list(score.warnings),
    }


def ranked_initiatives(handle: OpenWorkspace, product: str | None = None) -> list[Score]:
    """Every initiative of the product, best score first (``.key``, ``.value``, ``.rank``).

    Initiatives that cannot be scored (no estimate) come last, in roadmap order; ``.warnings``
    says why. An empty list when the product has no initiatives.
    """
    return score_roadmap(handle, product).scores


def score_roadmap(handle: OpenWorkspace, product: str | None = None) -> ScoreReport:
    """The ranked scores with the method and weights used; NotFoundError for an unknown product."""
    key = product or handle.workspace.product
    settings = handle.workspace.scoring
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, key)
        if product_id is None:
            raise NotFoundError(f"no product '{key}' in this workspace")
        facts = scoring_repo.scoring_facts(session, product_id, dt.timedelta(days=TREND_DAYS))
        overrides = evidence_repo.load_overrides(session, [i.id for i in facts.initiatives])
    method = cast(Method, settings.method)
    config = ScoringConfig(
        method=method,
        weights=dict(settings.weights),
        total_revenue=sum(facts.revenue.values()),
    )
    unblocks = _dependents([i.key for i in facts.initiatives], facts.depends_on)
    inputs = [
        ScoringInput(
            key=i.key,
            title=i.title,
            status=i.status,
            estimate=i.estimate,
            evidence=_evidence(i),
            overrides=overrides[i.id].as_dict() if i.id in overrides else {},
            unblocks=unblocks[i.key],
        )
        for i in facts.initiatives
    ]
    return ScoreReport(
        product=key,
        method=method,
        weights={name: config.weight(name) for name in WEIGHTED[method]},
        as_of=facts.newest,
        scores=score_all(inputs, config),
    )


def _evidence(facts: scoring_repo.InitiativeFacts) -> Evidence:
    return Evidence(
        themes=tuple(
            ThemeEvidence(t.number, t.label, t.items, t.mean_sentiment) for t in facts.themes
        ),
        direct_items=facts.direct_items,
        items=facts.items,
        customers=facts.customers,
        customers_with_revenue=facts.customers_with_revenue,
        revenue=facts.revenue,
        recent=facts.recent,
        prior=facts.prior,
    )


def _dependents(
    keys: Sequence[str], depends_on: Sequence[tuple[str, str]]
) -> dict[str, tuple[str, ...]]:
    """For each initiative, those that wait for it directly or through others, roadmap order."""
    needed_by: dict[str, list[str]] = {k: [] for k in keys}
    for initiative, dependency in depends_on:
        needed_by[dependency].append(initiative)
    order = {k: n for n, k in enumerate(keys)}
    result: dict[str, tuple[str, ...]] = {}
    for key in keys:
        seen: set[str] = set()
        stack = list(needed_by[key])
        while stack:
            other = stack.pop()
            if other not in seen and other != key:
                seen.add(other)
                stack.extend(needed_by[other])
        result[key] = tuple(sorted(seen, key=order.__getitem__))
    return result
