"""Flow metrics in the manner of DORA, each returned with its definition.

The window is the days from ``since`` to ``today``, both included; "per week" divides by the
window's length in weeks (days / 7). Weeks are ISO weeks (Monday to Sunday). Percentiles
interpolate linearly between the two nearest ranks (numpy's default, Excel's PERCENTILE.INC).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from productpath.delivery.bots import NO_EXTRA_BOTS, Bots
from productpath.delivery.merged_prs import merged_pull_requests
from productpath.delivery.progress import day, iso_week, monday
from productpath.domain.work import IN_PROGRESS_STATUSES, CommitRecord, ItemRecord, TagRecord

RELEASE_PATTERN = r"^(?:v|release[-_/]?)?\d+(?:\.\d+)*$"
PERCENTILES = (50, 85, 95)

THROUGHPUT_DEFINITION = (
    "Work finished per ISO week: tracker items (not epics, not pull requests) whose status "
    "reached done, dated by their resolution. Without such items: merged pull requests from "
    "the tracker; without those: pull requests merged in git (merge commits, and squash or "
    "rebase merges whose subject ends in '(#123)', on the main line). Pull requests by bots "
    "are counted apart ('bots'), not as the team's. 'source' says which was counted."
)
CYCLE_TIME_DEFINITION = (
    "Days from when work started to when it was done, for the items counted in throughput: "
    "started is the tracker's start date, else the first status change to an in-progress "
    "status; an item with neither uses its opening date instead (counted in 'fallbacks')."
)
LEAD_TIME_DEFINITION = (
    "Days from when an item was opened to when it was done, for the items counted in "
    "throughput (DORA measures commit to deploy; this is the tracker's view of the same idea)."
)
DEPLOYMENT_DEFINITION = (
    "Git tags dated in the window, per week. When any tag's name matches the release pattern, "
    "only matching tags count as deployments; otherwise every tag does. A tag's date is its "
    "own (annotated tags), else its commit's."
)
CHANGE_FAILURE_DEFINITION = (
    "A proxy for DORA's change failure rate: (reverts + hotfixes) / deployments in the window. "
    "A revert is a commit whose subject starts with 'Revert \"'; a hotfix is any other commit "
    "whose subject contains 'hotfix' in any case (a merge commit's subject names the branch "
    "it merged, so hotfix branches count)."
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class WeekCount(_Frozen):
    week: str
    week_start: dt.date
    count: int


class Throughput(_Frozen):
    definition: str = THROUGHPUT_DEFINITION
    source: str  # tracker_items | pull_requests | git_pull_requests | none
    total: int
    per_week: float
    weeks: tuple[WeekCount, ...]
    bots: int = 0  # pull requests merged in git by bots in the window, not in ``total``


class Durations(_Frozen):
    definition: str
    unit: str = "days"
    count: int
    p50: float | None
    p85: float | None
    p95: float | None
    fallbacks: int = 0  # items measured from their opening for want of a start
    note: str = ""


class Deployments(_Frozen):
    definition: str = DEPLOYMENT_DEFINITION
    release_pattern: str
    source: str  # release_tags | all_tags | none
    count: int
    per_week: float
    weeks: tuple[WeekCount, ...]
    undated_tags: int


class ChangeFailure(_Frozen):
    definition: str = CHANGE_FAILURE_DEFINITION
    reverts: int
    hotfixes: int
    deployments: int
    rate: float | None
    note: str = ""


class DeliveryMetrics(_Frozen):
    since: dt.date
    until: dt.date
    window_weeks: float
    # Set when the window was moved to end on the data's last day (see services.delivery).
    anchor_note: str = ""
    throughput: Throughput
    cycle_time: Durations
    lead_time: Durations
    deployment_frequency: Deployments
    change_failure: ChangeFailure


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The ``pct``-th percentile of ``values`` by linear interpolation; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def flow_metrics(
    items: Sequence[ItemRecord],
    commits: Sequence[CommitRecord],
    tags: Sequence[TagRecord],
    *,
    since: dt.date,
    today: dt.date,
    release_pattern: str = RELEASE_PATTERN,
    bots: Bots = NO_EXTRA_BOTS,
) -> DeliveryMetrics:
    """Every flow metric over ``since``..``today``."""
    weeks = ((today - since).days + 1) / 7

    def in_window(moment: dt.datetime | None) -> bool:
        return moment is not None and since <= day(moment) <= today

    source, finished, by_bots = _finished(items, commits, in_window, bots)
    deployments = _deployments(tags, since, today, weeks, release_pattern)
    window_commits = [c for c in commits if in_window(c.committed_at)]
    finished_ids = _ids(finished)
    counted = [i for i in items if i.id in finished_ids]
    return DeliveryMetrics(
        since=since,
        until=today,
        window_weeks=round(weeks, 2),
        throughput=Throughput(
            source=source,
            total=len(finished),
            per_week=round(len(finished) / weeks, 2),
            weeks=_weekly(finished, since, today),
            bots=by_bots,
        ),
        cycle_time=_cycle_time(counted, source),
        lead_time=_durations(
            LEAD_TIME_DEFINITION,
            [(i.opened_at, i.done_at) for i in counted],
            note=_no_items_note(source),
        ),
        deployment_frequency=deployments,
        change_failure=_change_failure(window_commits, deployments.count),
    )


def _finished(
    items: Sequence[ItemRecord],
    commits: Sequence[CommitRecord],
    in_window: Callable[[dt.datetime | None], bool],
    bots: Bots,
) -> tuple[str, list[tuple[int, dt.datetime]], int]:
    """The throughput source, its (id, when finished) pairs in the window, bots' count."""
    tracked = [i for i in items if i.in_scope and not i.is_pull_request]
    merged = [i for i in items if i.is_merged_pull_request]
    if tracked or merged:
        chosen = tracked or merged
        source = "tracker_items" if tracked else "pull_requests"
        return source, [(i.id, d) for i in chosen if (d := i.done_at) and in_window(d)], 0
    if commits:
        pulls = [pr for pr in merged_pull_requests(commits, bots) if in_window(pr.merged_at)]
        people = [(-pr.commit_id, pr.merged_at) for pr in pulls if not pr.by_bot]
        return "git_pull_requests", people, len(pulls) - len(people)
    return "none", [], 0


def _ids(finished: Iterable[tuple[int, dt.datetime]]) -> set[int]:
    # Merge commits carry negative ids here so they never match a tracker item.
    return {work_id for work_id, _ in finished if work_id >= 0}


def _weekly(
    finished: Iterable[tuple[int, dt.datetime]], since: dt.date, today: dt.date
) -> tuple[WeekCount, ...]:
    counts = Counter(monday(day(moment)) for _, moment in finished)
    out = []
    week = monday(since)
    while week <= today:
        out.append(WeekCount(week=iso_week(week), week_start=week, count=counts.get(week, 0)))
        week += dt.timedelta(weeks=1)
    return tuple(out)


def cycle_start(item: ItemRecord) -> dt.datetime | None:
    """When work on ``item`` started: its start date, else its first in-progress status."""
    if item.started_at is not None:
        return item.started_at
    for change in item.changes:
        if change.to_status.casefold() in IN_PROGRESS_STATUSES:
            return change.at
    return None


def _cycle_time(items: Sequence[ItemRecord], source: str) -> Durations:
    spans: list[tuple[dt.datetime, dt.datetime | None]] = []
    fallbacks = 0
    for item in items:
        start = cycle_start(item)
        if start is None:
            fallbacks += 1
            start = item.opened_at
        spans.append((start, item.done_at))
    note = _no_items_note(source)
    if fallbacks:
        note = (
            f"{fallbacks} of {len(items)} items have no start date or in-progress history; "
            "their opened -> done time is used instead"
        )
    return _durations(CYCLE_TIME_DEFINITION, spans, fallbacks=fallbacks, note=note)


def _no_items_note(source: str) -> str:
    if source in ("tracker_items", "pull_requests"):
        return ""
    return "no tracker items or pull requests: cycle and lead time need tracker data"


def _durations(
    definition: str,
    spans: Iterable[tuple[dt.datetime, dt.datetime | None]],
    *,
    fallbacks: int = 0,
    note: str = "",
) -> Durations:
    # A start recorded after the end (clock skew, edited dates) counts as zero, not negative.
    days = [max((end - start).total_seconds(), 0.0) / 86_400 for start, end in spans if end]
    p50, p85, p95 = (percentile(days, pct) for pct in PERCENTILES)
    return Durations(
        definition=definition,
        count=len(days),
        p50=_round(p50),
        p85=_round(p85),
        p95=_round(p95),
        fallbacks=fallbacks,
        note=note,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _deployments(
    tags: Sequence[TagRecord], since: dt.date, today: dt.date, weeks: float, pattern: str
) -> Deployments:
    release = re.compile(pattern, re.IGNORECASE)
    matching = [t for t in tags if release.search(t.name)]
    source = "release_tags" if matching else ("all_tags" if tags else "none")
    counted = matching or list(tags)
    dated = [(0, t.at) for t in counted if t.at is not None and since <= day(t.at) <= today]
    return Deployments(
        release_pattern=pattern,
        source=source,
        count=len(dated),
        per_week=round(len(dated) / weeks, 2),
        weeks=_weekly(dated, since, today),
        undated_tags=sum(1 for t in counted if t.at is None),
    )


def is_revert(commit: CommitRecord) -> bool:
    return commit.subject.startswith('Revert "')


def is_hotfix(commit: CommitRecord) -> bool:
    # A merge commit's subject names the branch it merged, so this covers hotfix branches too.
    return "hotfix" in commit.subject.casefold()


def _change_failure(commits: Sequence[CommitRecord], deployments: int) -> ChangeFailure:
    reverts = sum(1 for c in commits if is_revert(c))
    hotfixes = sum(1 for c in commits if not is_revert(c) and is_hotfix(c))
    rate = round((reverts + hotfixes) / deployments, 3) if deployments else None
    note = "" if deployments else "no deployments in the window, so no rate"
    return ChangeFailure(
        reverts=reverts, hotfixes=hotfixes, deployments=deployments, rate=rate, note=note
    )
