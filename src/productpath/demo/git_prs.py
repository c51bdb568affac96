"""The demo repository's pull requests: the initiatives' and the upkeep ones, as events.

Each pull request is a branch with a few commits and a merge: GitHub's "Merge pull request #n
from owner/branch", or for some kyc-v2 work a local "Merge branch 'feature/...'". Branches are
named after the initiative they deliver, which is how the linker ties merges to initiatives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from productpath.demo import story
from productpath.demo.git_events import BUSY_START, SEED, Clock, Event
from productpath.demo.story import Work

_FOLLOW_UPS = (
    "Address review comments",
    "Add tests",
    "Handle the error path",
    "Fix lint",
    "Log the outcome",
    "Rename for clarity",
    "Cover the edge case from review",
    "Update copy",
)


@dataclass
class _Pr:
    who: str
    slug: str
    title: str
    times: list[int]
    merged: int
    key: str | None = None
    style: str = "github"
    number: int = 0
    files: tuple[str, ...] = ()
    index: int = 0  # its place among its initiative's pull requests


def initiative_prs(work: Work, clock: Clock, rng: random.Random) -> list[_Pr]:
    span = work.start - work.end
    prs = []
    for i, title in enumerate(work.prs):
        opened = work.start - round(i * span / len(work.prs))
        closed = max(work.end, opened - rng.randint(3, 9))
        # Turns in a fixed pattern, so no one but a lone owner has most of the work.
        who = work.people[(0, 1, 0, 2, 1)[i % 5] % len(work.people)]
        days = sorted({rng.randint(closed, opened) for _ in range(rng.randint(2, 6))}, reverse=True)
        times = sorted(clock.at(d, who) for d in days)
        merged = min(times[-1] + rng.randint(3600, 30 * 3600), clock.latest)
        if i == len(work.prs) - 1 and work.end <= 2:
            merged = min(clock.at(work.end, who, early=17, late=19), clock.latest)
        slug = "-".join(title.lower().replace("'", "").split()[:4]).strip(",.")
        style = "branch" if work.key == "kyc-v2" and i % 3 == 2 else "github"
        prs.append(
            _Pr(
                who,
                f"{work.key}-{slug}",
                title,
                times,
                max(merged, times[-1] + 300),
                work.key,
                style,
                files=work.files,
                index=i,
            )
        )
    return prs


def chore_prs(clock: Clock, rng: random.Random) -> list[_Pr]:
    prs = []
    backend = [f for f in story.INITIAL_FILES if f.endswith((".py", ".ts", ".tsx"))]
    backend = [f for f in backend if not f.startswith((story.ABANDONED, story.SOLO_DIR))]
    for i, (who, slug, title) in enumerate(story.CHORE_PRS):
        opened = BUSY_START - 4 - round(i * (BUSY_START - 8) / len(story.CHORE_PRS))
        times = sorted(clock.at(opened - k, who) for k in range(rng.randint(1, 4)))
        merged = min(times[-1] + rng.randint(3600, 48 * 3600), clock.latest)
        files = tuple(rng.sample(backend, rng.randint(1, 3)))
        prs.append(_Pr(who, slug, title, times, max(merged, times[-1] + 300), files=files))
    return prs


def pr_events(prs: list[_Pr]) -> list[Event]:
    """Number the pull requests in the order they were opened, then their commits and merges.

    Each pull request draws from its own generator: when the build day moves the order of
    two pull requests, neither one's commits change. In an initiative's every other pull
    request the first commit names the initiative in an ``Initiative:`` trailer, in every third
    one as ``[key]`` in its subject.
    """
    events = []
    number = 40
    for pr in sorted(prs, key=lambda p: p.times[0]):
        rng = random.Random(f"{SEED}:{pr.slug}")
        number += rng.randint(1, 3)  # issues share GitHub's numbers
        pr.number = number
        if pr.style == "branch":
            ref = f"refs/heads/feature/{pr.slug}"
            merge = f"Merge branch 'feature/{pr.slug}'\n\n{pr.title}"
        else:
            ref = f"refs/pull/{pr.number}/head"
            merge = f"Merge pull request #{pr.number} from {story.GITHUB_OWNER}/{pr.slug}\n\n"
            merge += pr.title
        for i, when in enumerate(pr.times):
            subject = pr.title if i == 0 else rng.choice(_FOLLOW_UPS)
            message = subject
            if pr.key is not None and i == 0:
                if pr.index % 3 == 2:
                    message = f"[{pr.key}] {subject}"
                if pr.index % 2 == 1:
                    message += f"\n\nInitiative: {pr.key}"
            files = tuple(rng.sample(pr.files, min(len(pr.files), rng.randint(1, 3))))
            events.append(Event(when, pr.who, "edit", message, branch=ref, files=files))
        events.append(Event(pr.merged, pr.who, "merge", merge, ref=ref, committer="github"))
    return events
