"""The demo repository's history as a list of dated events, from the story in ``story.py``.

Each event is one commit (or a tag) with its author, time, branch and message; which lines
change is decided later, when ``git_writer`` plays the events in time order. Randomness comes
from one ``random.Random`` with a fixed seed and times are relative to the build day, so the
same day always gives the same events.
"""

from __future__ import annotations

import datetime as dt
import random

from productpath.demo import git_prs, manifests, story
from productpath.demo.git_events import BUSY_START, SEED, Clock, Event
from productpath.demo.story import PEOPLE

LEAD_IN_START = 250  # the first commit, days ago: before the six busy months
DIRECT_PER_DAY = 1.8  # small direct commits to main per working day, on average
ALIAS_SHARE = 0.3  # Hugo's commits made from his laptop's e-mail

_CHORE_VERBS = {
    ".py": ("Tidy", "Refactor", "Fix lint in", "Type hints for", "Clearer errors in"),
    ".tsx": ("Polish", "Fix small-phone layout in", "Tidy"),
    ".ts": ("Tidy", "Stricter types in"),
    ".md": ("Update", "Fix links in"),
}


def plan_history(today: dt.date) -> list[Event]:
    """Every commit and tag of the demo repository, sorted by time."""
    rng = random.Random(SEED)
    clock = Clock(today, rng)
    events: list[Event] = []
    events += _lead_in(clock, rng)
    prs = [pr for work in story.WORK for pr in git_prs.initiative_prs(work, clock, rng)]
    prs += git_prs.chore_prs(clock, rng)
    events += git_prs.pr_events(prs)
    events += _direct_commits(clock, rng)
    events += _follow_ups(clock, rng)
    events += _bumps_and_hotfixes(clock)
    for order, event in enumerate(events):
        event.order = order
    events.sort(key=lambda e: (e.when, e.order))
    events += _tags(events, clock)
    events.sort(key=lambda e: (e.when, e.order))
    for event in events:
        if event.who == story.SECOND_EMAIL[0] and event.kind in {"edit", "sweep"}:
            event.alias = rng.random() < ALIAS_SHARE
    return events


def _lead_in(clock: Clock, rng: random.Random) -> list[Event]:
    """The first import and a quiet stretch; the statements area is last touched here."""
    initial = Event(
        clock.at(LEAD_IN_START, "nia"),
        "nia",
        "import",
        "Initial import of the Pocket backend and app",
        files=story.INITIAL_FILES,
    )
    events = [initial]
    fx_start = Event(
        clock.at(LEAD_IN_START - 10, "sana"),
        "sana",
        "edit",
        "Import the daily exchange rate file",
        files=(story.SOLO_DIR + "rates_file.py", story.SOLO_DIR + "providers.py"),
    )
    events.append(fx_start)
    statements = [f for f in story.INITIAL_FILES if f.startswith(story.ABANDONED)]
    for days in range(LEAD_IN_START - 4, 212, -6):
        who = rng.choice(("nia", "rafael"))
        path = rng.choice(statements)
        events.append(
            Event(clock.at(days, who), who, "edit", _chore_subject(rng, path), files=(path,))
        )
    others = [f for f in story.INITIAL_FILES if not f.startswith(story.ABANDONED)]
    for days in range(LEAD_IN_START - 2, BUSY_START, -3):
        who = rng.choice(("nia", "rafael", "eva", "hugo", "ada"))
        path = rng.choice(others)
        events.append(
            Event(clock.at(days, who), who, "edit", _chore_subject(rng, path), files=(path,))
        )
    return events


def _direct_commits(clock: Clock, rng: random.Random) -> list[Event]:
    """Small commits straight to main: tidying, tests, docs. Some files get far more than
    others, as in any codebase, so hotspots show."""
    events = []
    for days in range(BUSY_START, 0, -1):
        for _ in range(_poisson(rng, DIRECT_PER_DAY)):
            who, _subject, path = rng.choice(story.CHORES)
            if rng.random() < 0.65:  # someone else's turn on a file of the same area
                who = rng.choice([p for p in PEOPLE if p != story.SOLO_PERSON])
            if path.startswith(story.SOLO_DIR):
                who = story.SOLO_PERSON
            subject = _chore_subject(rng, path)
            events.append(Event(clock.at(days, who), who, "edit", subject, files=(path,)))
    for who, subject, path in story.CHORES:
        events.append(
            Event(clock.at(rng.randint(20, 170), who), who, "edit", subject, files=(path,))
        )
    # The one commit in the fx folder by someone else.
    events.append(
        Event(
            clock.at(64, "rafael"),
            "rafael",
            "edit",
            "Fix a typo in the provider timeout",
            files=(story.SOLO_DIR + "providers.py",),
        )
    )
    backend = [f for f in story.INITIAL_FILES if f.endswith(".py")]
    backend = [f for f in backend if not f.startswith((story.ABANDONED, story.SOLO_DIR))]
    events.append(
        Event(
            clock.at(150, "hugo"),
            "hugo",
            "sweep",
            "Format the backend with ruff",
            files=tuple(backend),
        )
    )
    events.append(
        Event(
            clock.at(121, "hugo"),
            "hugo",
            "mailmap",
            "Add a .mailmap for commits from Hugo's laptop",
        )
    )
    return events


def _follow_ups(clock: Clock, rng: random.Random) -> list[Event]:
    """Direct commits that name their initiative in the subject, one of them reverted."""
    events = []
    for work in story.WORK:
        for n in range(2):
            days = rng.randint(work.end + 1, max(work.start - 5, work.end + 2))
            who = work.people[n % len(work.people)]
            text = rng.choice(("tune the defaults", "fix the empty state", "add metrics"))
            name = f"follow-{work.key}-{n}"
            events.append(
                Event(
                    clock.at(days, who),
                    who,
                    "edit",
                    f"{work.key}: {text}",
                    files=(work.files[0],),
                    name=name,
                )
            )
    target = next(e for e in events if e.name == "follow-topup-retry-0")
    events.append(Event(target.when + 5 * 3600, "hugo", "revert", target=target.name))
    return events


def _bumps_and_hotfixes(clock: Clock) -> list[Event]:
    events = []
    for days, who, package, version in manifests.BUMPS:
        name = f"bump-{days}-{package}"
        events.append(
            Event(clock.at(days, who), who, "bump", name=name, package=(package, version))
        )
        if (days, package) == manifests.REVERTED_BUMP:
            # Broke the Android build; reverted first thing the next morning.
            when = events[-1].when + 16 * 3600
            events.append(Event(when, "tariq", "revert", target=name))
    for who, days, subject, path in story.HOTFIXES:
        events.append(
            Event(
                clock.at(days, who, early=19, late=22),
                who,
                "edit",
                subject,
                files=(path,),
                name="hotfix",
            )
        )
    return events


def _tags(events: list[Event], clock: Clock) -> list[Event]:
    """A release every two weeks, and a patch release after each hotfix."""
    tags = []
    for minor, days in enumerate(range(BUSY_START - 7, 0, -14), 1):
        tags.append(
            Event(
                clock.at(days, "nia", early=16, late=17),
                "nia",
                "tag",
                f"Release 1.{minor}.0",
                ref=f"v1.{minor}.0",
            )
        )
    releases = sorted(tags, key=lambda t: t.when)
    patches: dict[str, int] = {}
    for hotfix in (e for e in events if e.name == "hotfix"):
        before = [t for t in releases if t.when < hotfix.when]
        base = before[-1].ref.rsplit(".", 1)[0] if before else "v1.0"
        patches[base] = patches.get(base, 0) + 1
        patch = f"{base}.{patches[base]}"
        tags.append(
            Event(hotfix.when + 1800, "nia", "tag", f"Patch release {patch[1:]}", ref=patch)
        )
    return tags


def _chore_subject(rng: random.Random, path: str) -> str:
    ext = "." + path.rsplit(".", 1)[-1]
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("_", " ")
    if "tests/" in path:
        return rng.choice((f"More tests for {stem[5:]}", f"Speed up {stem}"))
    verbs = _CHORE_VERBS.get(ext, ("Update",))
    return f"{rng.choice(verbs)} {stem}"


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for a small mean.
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
