"""Delivery risks of an initiative, each with a reason sentence and the evidence behind it.

Only open initiatives carry risks: not ``done`` or ``dropped`` in the roadmap, and not with
every linked item done. Kinds, worst first:

``slipping``            the projection ends after the milestone's target date, the target has
                        passed with work remaining (or the initiative not done), or nothing was
                        done in the projection window while items remain before a target. Its
                        evidence says which of the three in ``cause`` (:class:`SlipCause`), so
                        whatever explains it again (:func:`slip_of`) cannot drift from this.
``dependency_slipped``  a dependency is slipping itself, or is not done while this initiative's
                        target is at most ``near_days`` away.
``stale``               work has started (status ``in_progress``, or an item in progress or done)
                        and nothing happened for more than ``stale_days`` days.
``scope_growth``        the scope grew by more than ``growth_ratio`` over the projection window.
``concentration``       one person made more than ``concentration_share`` of the linked commits
                        (merges left out) or holds that share of the linked items, counted when
                        there are at least ``concentration_min`` of them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from productpath.delivery.progress import WINDOW_WEEKS, InitiativeWork, Progress, day
from productpath.domain.work import DONE, IN_PROGRESS

SLIPPING = "slipping"
DEPENDENCY_SLIPPED = "dependency_slipped"
STALE = "stale"
SCOPE_GROWTH = "scope_growth"
CONCENTRATION = "concentration"
KINDS = (SLIPPING, DEPENDENCY_SLIPPED, STALE, SCOPE_GROWTH, CONCENTRATION)  # worst first
_CLOSED = {"done", "dropped"}


class Risk(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    reason: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class RiskSettings:
    stale_days: int = 14
    growth_ratio: float = 0.20
    near_days: int = 28
    concentration_share: float = 0.70
    concentration_min: int = 5


class SlipCause(StrEnum):
    """Which test found an initiative slipping, first that applies: the target has passed, the
    projection ends after it, or nothing was finished lately with items left."""

    TARGET_PASSED = "target_passed"
    PROJECTED_LATE = "projected_late"
    STALLED = "stalled"


@dataclass(frozen=True)
class Slip:
    """A slipping risk's cause, with the numbers it was judged on."""

    cause: SlipCause
    target_date: dt.date
    projected_date: dt.date | None
    remaining: int


def slip_of(risk: Risk) -> Slip | None:
    """What made ``risk`` a slipping one, read from its evidence; None for any other kind."""
    if risk.kind != SLIPPING:
        return None
    evidence = risk.evidence
    projected = evidence["projected_date"]
    return Slip(
        cause=SlipCause(evidence["cause"]),
        target_date=dt.date.fromisoformat(evidence["target_date"]),
        projected_date=dt.date.fromisoformat(projected) if projected else None,
        remaining=evidence["remaining"],
    )


def severity(kind: str) -> int:
    """0 for the worst kind; lower is worse."""
    return KINDS.index(kind)


def is_open(work: InitiativeWork, progress: Progress) -> bool:
    finished = progress.items_total > 0 and progress.items_remaining == 0
    return work.status not in _CLOSED and not finished


def assess(
    works: Sequence[InitiativeWork],
    progress: Mapping[str, Progress],
    today: dt.date,
    settings: RiskSettings | None = None,
) -> dict[str, list[Risk]]:
    """The risks of every initiative in ``works`` (keyed by initiative), worst first."""
    settings = settings or RiskSettings()
    by_key = {work.key: work for work in works}
    slipping = {
        work.key: risk
        for work in works
        if is_open(work, progress[work.key])
        and (risk := _slipping(work, progress[work.key], today)) is not None
    }
    out: dict[str, list[Risk]] = {}
    for work in works:
        measured = progress[work.key]
        if not is_open(work, measured):
            out[work.key] = []
            continue
        found = [
            slipping.get(work.key),
            _dependency(work, by_key, progress, slipping, today, settings),
            _stale(work, measured, today, settings),
            _scope_growth(measured, settings),
            _concentration(work, settings),
        ]
        out[work.key] = [risk for risk in found if risk is not None]
    return out


def _slipping(work: InitiativeWork, progress: Progress, today: dt.date) -> Risk | None:
    projection = progress.projection
    target = work.target_date
    if target is None:
        return None
    evidence: dict[str, Any] = {
        "target_date": target.isoformat(),
        "projected_date": projection.projected_date.isoformat()
        if projection.projected_date
        else None,
        "remaining": projection.remaining,
        "throughput_per_week": projection.throughput_per_week,
    }
    if target < today:
        left = f"{projection.remaining} items remaining" if progress.items_total else "not done"
        return Risk(
            kind=SLIPPING,
            reason=f"its target {target} has passed ({left})",
            evidence={**evidence, "cause": SlipCause.TARGET_PASSED},
        )
    if projection.projected_date is not None and projection.projected_date > target:
        return Risk(
            kind=SLIPPING,
            reason=f"projected to finish {projection.projected_date}, after its target "
            f"{target} ({projection.remaining} remaining at "
            f"{projection.throughput_per_week:g} items/week)",
            evidence={**evidence, "cause": SlipCause.PROJECTED_LATE},
        )
    if projection.remaining > 0 and projection.done_in_window == 0:
        return Risk(
            kind=SLIPPING,
            reason=f"nothing done in the last {WINDOW_WEEKS} weeks and "
            f"{projection.remaining} items remain before its target {target}",
            evidence={**evidence, "cause": SlipCause.STALLED},
        )
    return None


def _dependency(
    work: InitiativeWork,
    by_key: Mapping[str, InitiativeWork],
    progress: Mapping[str, Progress],
    slipping: Mapping[str, Risk],
    today: dt.date,
    settings: RiskSettings,
) -> Risk | None:
    reasons: list[str] = []
    late: list[str] = []
    days_left = (work.target_date - today).days if work.target_date else None
    for key in work.depends_on:
        dependency = by_key.get(key)
        if dependency is None or not is_open(dependency, progress[key]):
            continue
        if key in slipping:
            reasons.append(f"{key}, which is slipping: {slipping[key].reason}")
            late.append(key)
        elif days_left is not None and days_left <= settings.near_days:
            reasons.append(f"{key}, which is not done, and this target is {_days(days_left)}")
            late.append(key)
    if not late:
        return None
    return Risk(
        kind=DEPENDENCY_SLIPPED,
        reason="depends on " + "; ".join(reasons),
        evidence={"dependencies": late, "days_to_target": days_left},
    )


def _days(days_left: int) -> str:
    if days_left < 0:
        return f"{-days_left} days past"
    return f"{days_left} days away"


def _stale(
    work: InitiativeWork, progress: Progress, today: dt.date, settings: RiskSettings
) -> Risk | None:
    started = work.status == IN_PROGRESS or any(
        item.status_category in (IN_PROGRESS, DONE) for item in work.scope
    )
    if not started:
        return None
    last = progress.last_activity
    if last is None:
        return Risk(
            kind=STALE,
            reason="in progress, but no commits or tracker items are linked to it",
            evidence={"last_activity": None, "stale_days": settings.stale_days},
        )
    idle = (today - day(last)).days
    if idle <= settings.stale_days:
        return None
    return Risk(
        kind=STALE,
        reason=f"no activity for {idle} days (last on {day(last)}; "
        f"stale after {settings.stale_days})",
        evidence={
            "last_activity": last.isoformat(),
            "idle_days": idle,
            "stale_days": settings.stale_days,
        },
    )


def _scope_growth(progress: Progress, settings: RiskSettings) -> Risk | None:
    before, now = progress.scope_window_ago, progress.items_total
    if before == 0 or (now - before) / before <= settings.growth_ratio:
        return None
    growth = (now - before) / before
    return Risk(
        kind=SCOPE_GROWTH,
        reason=f"scope grew from {before} to {now} items (+{growth:.0%}) in the last "
        f"{WINDOW_WEEKS} weeks (threshold {settings.growth_ratio:.0%})",
        evidence={"scope_before": before, "scope_now": now, "growth": round(growth, 4)},
    )


def _concentration(work: InitiativeWork, settings: RiskSettings) -> Risk | None:
    commits = [c.author for c in work.commits if not c.is_merge and c.author]
    assigned = [item.assignee for item in work.scope if item.assignee]
    reasons: list[str] = []
    evidence: dict[str, Any] = {}
    for what, verb, names in (("commits", "made", commits), ("items", "holds", assigned)):
        top = _top_share(names, settings)
        if top is not None:
            who, count = top
            reasons.append(
                f"{who} {verb} {count} of the {len(names)} linked {what} ({count / len(names):.0%})"
            )
            evidence[what] = {"who": who, "count": count, "total": len(names)}
    if not reasons:
        return None
    return Risk(kind=CONCENTRATION, reason="; ".join(reasons), evidence=evidence)


def _top_share(names: Iterable[str], settings: RiskSettings) -> tuple[str, int] | None:
    counts = Counter(names)
    total = sum(counts.values())
    if total < settings.concentration_min:
        return None
    # Ties go to the alphabetically first name, so the result does not depend on input order.
    who, count = min(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return (who, count) if count / total > settings.concentration_share else None
