"""How far an initiative has got: scope, burn-up, last activity, and a projection of its end.

Scope is the initiative's linked tracker items that are not epics (an epic is a container; its
children are the work). An item counts as done when its status category is ``done``; it
entered the scope when it was opened. Dates are UTC days.

The projection is deliberately simple and stated with the result: remaining items divided by
the items done per week over the last :data:`WINDOW_WEEKS` weeks. The roadmap forecast takes
this day as the earliest the work can finish (``InitiativeInput.pace_finish``). With nothing
done in the window there is no projection here; the forecast then goes by the pace since the
first item was done, so stalled work never looks better there than slow work
(``services.forecasting.planning``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from productpath.domain.work import CommitRecord, ItemRecord

WINDOW_WEEKS = 4
FORECAST_NOTE = (
    "forecast: projection from recent throughput; the roadmap forecast finishes no work "
    "in progress before it, and with nothing done lately goes by the pace since the first "
    "item was done"
)
PROJECTION_METHOD = (
    f"remaining items / items done per week over the last {WINDOW_WEEKS} weeks "
    f"(the {WINDOW_WEEKS * 7} days up to today), counted forward from today"
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class BurnupPoint(_Frozen):
    week: str  # ISO week, e.g. "2026-W05"
    week_start: dt.date  # its Monday
    done: int  # items done by the end of the week
    scope: int  # items opened by the end of the week


class Projection(_Frozen):
    method: str = PROJECTION_METHOD
    note: str = FORECAST_NOTE
    remaining: int
    done_in_window: int
    throughput_per_week: float
    projected_date: dt.date | None
    target_date: dt.date | None
    on_track: bool | None  # None when there is no target or no projection
    explanation: str


@dataclass(frozen=True)
class InitiativeWork:
    """One initiative as the roadmap has it, with the work linked to it."""

    key: str
    title: str = ""
    status: str = "proposed"
    milestone: str | None = None
    target_date: dt.date | None = None
    depends_on: tuple[str, ...] = ()
    commits: Sequence[CommitRecord] = field(default_factory=tuple)
    items: Sequence[ItemRecord] = field(default_factory=tuple)

    @property
    def scope(self) -> list[ItemRecord]:
        return [item for item in self.items if item.in_scope]


class Progress(_Frozen):
    items_total: int
    items_done: int
    items_remaining: int
    points_total: float | None  # only when every item in scope has points
    points_done: float | None
    scope_window_ago: int  # items in scope WINDOW_WEEKS weeks ago (for scope growth)
    commits: int
    last_activity: dt.datetime | None
    burnup: tuple[BurnupPoint, ...]
    projection: Projection


def day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date()


def iso_week(date: dt.date) -> str:
    year, week, _ = date.isocalendar()
    return f"{year}-W{week:02d}"


def monday(date: dt.date) -> dt.date:
    return date - dt.timedelta(days=date.weekday())


def measure(work: InitiativeWork, today: dt.date) -> Progress:
    """Scope, burn-up, last activity and projection of ``work`` as seen on ``today``."""
    scope = work.scope
    done = [item for item in scope if item.is_done]
    with_points = [item.points for item in scope if item.points is not None]
    all_pointed = bool(scope) and len(with_points) == len(scope)
    window_start = today - dt.timedelta(weeks=WINDOW_WEEKS)
    return Progress(
        items_total=len(scope),
        items_done=len(done),
        items_remaining=len(scope) - len(done),
        points_total=sum(with_points) if all_pointed else None,
        points_done=sum(i.points or 0.0 for i in done) if all_pointed else None,
        scope_window_ago=sum(1 for item in scope if day(item.opened_at) <= window_start),
        commits=len(work.commits),
        last_activity=last_activity(work),
        burnup=burnup(scope, today),
        projection=project(scope, today, work.target_date),
    )


def last_activity(work: InitiativeWork) -> dt.datetime | None:
    """The newest of: linked commits, and the items' openings, status changes and resolutions."""
    moments = [c.committed_at for c in work.commits if c.committed_at is not None]
    for item in work.items:
        moments.append(item.opened_at)
        moments.extend(change.at for change in item.changes)
        if item.resolved_at is not None:
            moments.append(item.resolved_at)
    return max(moments, default=None)


def burnup(scope: Sequence[ItemRecord], today: dt.date) -> tuple[BurnupPoint, ...]:
    """Per ISO week, from the week the first item was opened to this week: done and scope."""
    if not scope:
        return ()
    opened = sorted(day(item.opened_at) for item in scope)
    finished = sorted(day(d) for item in scope if (d := item.done_at) is not None)
    points = []
    week = monday(min(opened[0], today))
    while week <= today:
        end = week + dt.timedelta(days=6)
        points.append(
            BurnupPoint(
                week=iso_week(week),
                week_start=week,
                done=_count_upto(finished, end),
                scope=_count_upto(opened, end),
            )
        )
        week += dt.timedelta(weeks=1)
    return tuple(points)


def _count_upto(sorted_days: list[dt.date], last: dt.date) -> int:
    return bisect.bisect_right(sorted_days, last)


def project(scope: Sequence[ItemRecord], today: dt.date, target: dt.date | None) -> Projection:
    """When the remaining items would be done at the recent rate (see the module docstring)."""
    window_start = today - dt.timedelta(weeks=WINDOW_WEEKS)
    done_days = [day(d) for item in scope if (d := item.done_at) is not None]
    remaining = sum(1 for item in scope if not item.is_done)
    recent = sum(1 for d in done_days if window_start < d <= today)
    rate = recent / WINDOW_WEEKS
    projected: dt.date | None = None
    if not scope:
        explanation = "no tracker items are linked, so there is nothing to project"
    elif remaining == 0:
        projected = max(done_days, default=None)
        explanation = f"all {len(scope)} items are done"
    elif recent == 0:
        explanation = (
            f"no items done in the last {WINDOW_WEEKS} weeks; "
            f"at that rate the {remaining} remaining never finish"
        )
    else:
        weeks = remaining / rate
        projected = today + dt.timedelta(days=math.ceil(weeks * 7))
        explanation = (
            f"{remaining} remaining at {rate:g} items/week ({recent} done in the last "
            f"{WINDOW_WEEKS} weeks): about {weeks:.1f} weeks, so {projected.isoformat()}"
        )
    on_track = None
    if target is not None and projected is not None:
        on_track = projected <= target
    elif target is not None and remaining > 0 and recent == 0:
        on_track = False
    return Projection(
        remaining=remaining,
        done_in_window=recent,
        throughput_per_week=rate,
        projected_date=projected,
        target_date=target,
        on_track=on_track,
        explanation=explanation,
    )
