"""The demo's Jira export: a CSV shaped like Jira's "Export > CSV (all fields)".

It has what real exports have and the importer must cope with: the ``Labels`` column repeated
once per label, ``Parent`` holding the parent's numeric *Issue id* (as Jira Cloud writes it),
dates such as ``03/Mar/25 2:15 PM`` in UTC, and a ``Status Category`` column. The stories follow
``story.WORK``: finished epics, healthy ones, and one of each delivery risk: kyc-v2 slips (too
much left for its milestone), pin-self-service is stale, wallet-provisioning grows in scope and
fx-engine rests on one person.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from productpath.demo import story
from productpath.demo.story import PEOPLE, Work

SEED = "pocket-demo-jira-1"
PROJECT = ("POCKET", "Pocket")
LABEL_COLUMNS = 3
HEADER = (
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name",
    "Priority", "Resolution", "Assignee", "Reporter", "Created", "Updated", "Resolved",
    *("Labels",) * LABEL_COLUMNS, "Custom field (Story Points)", "Custom field (Start date)",
    "Parent", "Parent summary",
    "Status Category", "Status Category Changed", "Sprint", "Description",
)  # fmt: skip
FIRST_STORY = 100  # story numbers start here; the epics have the lower numbers story.py gives
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_VARIANTS = ("{t}", "{t} on Android", "{t} on iOS", "QA: {t}", "Copy and design review: {t}")
_UNLINKED = (
    ("Story", "Upgrade the CI runners to Node 20", ("tech-debt",)),
    ("Story", "Remove the legacy statements endpoint", ("tech-debt",)),
    ("Bug", "App crashes when the camera permission is denied", ("android",)),
    ("Bug", "Balance shows a stale value after a refund", ("support",)),
    ("Story", "Quarterly access review for production", ("security",)),
    ("Bug", "Push notifications arrive twice on iOS", ("ios",)),
    ("Story", "Dashboards for API latency per endpoint", ("tech-debt", "observability")),
    ("Bug", "Support console search times out", ("support",)),
)


@dataclass
class Issue:
    number: int
    kind: str
    title: str
    status: str
    created: dt.datetime
    assignee: str | None = None
    changed: dt.datetime | None = None  # when its status category last changed
    started: dt.datetime | None = None  # when work on it began (Jira's "Start date" field)
    resolved: dt.datetime | None = None
    labels: tuple[str, ...] = ()
    parent: int | None = None
    points: int | None = None
    resolution: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{PROJECT[0]}-{self.number}"


class _Days:
    """Aware UTC datetimes for "N days ago" (fractions allowed), never later than yesterday."""

    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.midnight = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
        self.rng = rng

    def ago(self, days: float) -> dt.datetime:
        hour = self.rng.randint(8, 17) * 3600 + self.rng.randint(0, 59) * 60
        moment = self.midnight - dt.timedelta(days=max(int(days), 1)) + dt.timedelta(seconds=hour)
        return moment


def jira_csv(today: dt.date, titles: dict[str, str], *, as_of: dt.date | None = None) -> str:
    """The export's text. ``titles`` maps initiative keys to titles (the epics' summaries).

    With ``as_of``, the same export as it would have read had it been taken at the start of
    that day: later issues left out, later progress undone.
    """
    rng = random.Random(SEED)
    days = _Days(today, rng)
    epics: list[Issue] = []
    issues: list[Issue] = []
    for work in story.WORK:
        epic, stories = _work_issues(work, titles[work.key], days, rng)
        epics.append(epic)
        issues += stories
    for planned in story.PLANNED:
        number = int(planned.epic.split("-")[1])
        epic = Issue(number, "Epic", titles[planned.key], "To Do", days.ago(planned.created))
        epics.append(epic)
    for kind, title, labels in _UNLINKED:
        created = days.ago(rng.randint(5, 150))
        issues.append(
            _maybe_done(Issue(0, kind, title, "To Do", created, labels=labels), days, rng)
        )
    number = FIRST_STORY
    for issue in sorted(issues, key=lambda i: (i.created, i.title)):
        issue.number = number
        number += rng.randint(1, 2)
    everything = [*epics, *sorted(issues, key=lambda i: i.number)]
    if as_of is not None:
        cutoff = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
        everything = [_as_seen(i, cutoff) for i in everything if i.created < cutoff]
        epics = [e for e in epics if e.created < cutoff]
    return _render(everything, epics)


def _as_seen(issue: Issue, cutoff: dt.datetime) -> Issue:
    """``issue`` as it stood at ``cutoff``: done later means still in progress (when started
    by then) or to do; started later means to do."""
    seen = dataclasses.replace(issue)
    if seen.resolved is not None and seen.resolved >= cutoff:
        seen.resolved, seen.resolution = None, ""
        seen.status, seen.changed = "To Do", None
        if seen.started is not None and seen.started < cutoff:
            seen.status, seen.changed = "In Progress", seen.started
    if seen.started is not None and seen.started >= cutoff:
        seen.started = None
    if seen.changed is not None and seen.changed >= cutoff and seen.status != "Won't Do":
        seen.status, seen.changed = "To Do", None
    return seen


def _work_issues(
    work: Work, title: str, days: _Days, rng: random.Random
) -> tuple[Issue, list[Issue]]:
    finished = work.open + work.added == 0
    epic_number = int(work.epic.split("-")[1])
    epic = Issue(
        epic_number,
        "Epic",
        title,
        "Done" if finished else "In Progress",
        days.ago(work.start + 10),
        assignee=PEOPLE[work.people[0]].name,
        changed=days.ago(work.end if finished else work.start),
    )
    if finished:
        epic.resolved, epic.resolution = epic.changed, "Done"
    titles = _titles(work)
    people = [PEOPLE[p].name for p in work.people]
    issues: list[Issue] = []
    last = max(work.end, 2)
    # Most stories are written when the epic starts; each is done a few days after it starts.
    for i in range(work.done):
        resolved_ago = work.start - (i + 1) * (work.start - last) / work.done
        started_ago = resolved_ago + rng.randint(1, 7)
        created_ago = max(started_ago, rng.uniform(work.start - 14, work.start + 7))
        issue = Issue(
            0,
            "Story",
            next(titles),
            "Done",
            days.ago(created_ago),
            assignee=rng.choice(people),
            changed=days.ago(resolved_ago),
            started=days.ago(started_ago),
            resolved=days.ago(resolved_ago),
            resolution="Done",
        )
        issues.append(issue)
    # The scope the initiative started with, then what was added in the last three weeks.
    for i in range(work.open + work.added):
        grown = i >= work.open
        early = rng.uniform(max(work.start - 20, 30), work.start + 5)
        created_ago = rng.uniform(2, 20) if grown else early
        issue = Issue(0, "Story", next(titles), "To Do", days.ago(created_ago))
        if i < 3 and not grown:  # the first few are under way
            activity = work.end + rng.randint(2, 6) if work.end > 2 else rng.uniform(1, 8)
            issue.status = ("In Progress", "In Review", "In Progress")[i]
            issue.changed = days.ago(min(activity, created_ago))
            issue.started = issue.changed
            issue.assignee = rng.choice(people)
        elif rng.random() < 0.4 or len(people) == 1:
            issue.assignee = rng.choice(people)
        issues.append(issue)
    for issue in issues:
        issue.parent = epic_number
        issue.points = rng.choice((1, 2, 3, 3, 5, 5, 8))
        if work.label and rng.random() < 0.5:
            issue.labels = (work.label,)
    if work.label:  # bugs filed with the initiative's label but under no epic
        for text in ("Blurry passport photos rejected without a reason", "Review queue stuck"):
            bug = Issue(0, "Bug", text, "To Do", days.ago(rng.uniform(3, 30)), labels=(work.label,))
            issues.append(_maybe_done(bug, days, rng))
    if finished:  # one idea dropped along the way
        issues[-1].status, issues[-1].resolution = "Won't Do", "Won't Do"
    return epic, issues


def _maybe_done(issue: Issue, days: _Days, rng: random.Random) -> Issue:
    if rng.random() < 0.5:
        since = (days.midnight - issue.created).days
        when = days.ago(rng.uniform(1, max(since - 1, 1)))
        issue.status, issue.resolution, issue.resolved, issue.changed = "Done", "Done", when, when
    return issue


def _titles(work: Work) -> Iterator[str]:
    """Story summaries: the pull-request titles, then variants of them."""
    for variant in _VARIANTS:
        for title in work.prs:
            yield variant.format(t=title)
    n = 1
    while True:
        yield f"Follow-up {n} for {work.key}"
        n += 1


def _render(issues: list[Issue], epics: list[Issue]) -> str:
    by_number = {e.number: e for e in epics}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for issue in issues:
        parent = by_number.get(issue.parent) if issue.parent is not None else None
        labels = [*issue.labels, *[""] * LABEL_COLUMNS][:LABEL_COLUMNS]
        category = {"To Do": "To Do", "Done": "Done", "Won't Do": "Done"}.get(
            issue.status, "In Progress"
        )
        changed = max(issue.changed or issue.created, issue.created)
        writer.writerow(
            (
                issue.title, issue.key, str(10000 + issue.number), issue.kind, issue.status,
                *PROJECT, "Medium" if issue.kind != "Bug" else "High", issue.resolution,
                issue.assignee or "", issue.assignee or PEOPLE["nia"].name, _date(issue.created),
                _date(changed),
                _date(issue.resolved) if issue.resolved else "",
                *labels, "" if issue.points is None else str(issue.points),
                _day(issue.started) if issue.started else "",
                str(10000 + parent.number) if parent else "", parent.title if parent else "",
                category, _date(changed), _sprint(issue), _description(issue),
            )
        )  # fmt: skip
    return out.getvalue()


def _date(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment.day:02d}/{_MONTHS[moment.month - 1]}/{moment:%y} {hour}:{moment:%M} {half}"


def _day(moment: dt.datetime) -> str:
    """Jira's form for a date-only field, e.g. 03/Mar/25."""
    return f"{moment.day:02d}/{_MONTHS[moment.month - 1]}/{moment:%y}"


def _sprint(issue: Issue) -> str:
    if issue.kind == "Epic" or issue.status == "To Do":
        return ""
    when = issue.changed or issue.created
    return f"Pocket Sprint {(when.toordinal() - 738000) // 14}"


def _description(issue: Issue) -> str:
    if issue.kind == "Epic":
        return f"Delivery of: {issue.title}.\nSee the roadmap for scope, goals and dates."
    if issue.kind == "Bug":
        return "Steps to reproduce:\n1. Open the app\n2. Try again, it fails\nExpected: it works."
    return f"As a customer, I want this: {issue.title.lower()}, so that money moves reliably."
