"""The events the demo repository's history is made of, and the clock that dates them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import KW_ONLY, dataclass

from productpath.demo.story import PEOPLE

SEED = "pocket-demo-git-1"
BUSY_START = 182  # days ago the six busy months begin


@dataclass
class Event:
    """One commit or tag. ``kind``: import, edit, merge, bump, revert, sweep, mailmap, tag."""

    when: int
    who: str
    kind: str
    message: str = ""
    _: KW_ONLY
    branch: str = "main"
    files: tuple[str, ...] = ()
    ref: str = ""  # merge: the merged branch's ref; tag: the tag name
    name: str = ""  # an id that a later revert refers to
    target: str = ""  # revert: the name of the event it reverts
    package: tuple[str, str] = ("", "")  # bump: (package, new version)
    alias: bool = False
    committer: str = ""  # "github" for merges made with GitHub's button
    order: int = 0


class Clock:
    """Unix times for "N days ago at H o'clock" in a person's zone, avoiding most weekends."""

    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.midnight = int(dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC).timestamp())

    def workday(self, days_ago: int) -> int:
        day = self.today - dt.timedelta(days=days_ago)
        # Draw whatever the day, so the build day does not change the rest of the draws.
        weekend_work = self.rng.random() < 0.1
        if day.weekday() >= 5 and not weekend_work:
            days_ago += day.weekday() - 4  # back to Friday
        return max(days_ago, 1)

    def at(self, days_ago: int, who: str, *, early: int = 9, late: int = 18) -> int:
        tz = PEOPLE[who].tz
        offset = (int(tz[1:3]) * 60 + int(tz[3:])) * 60 * (1 if tz[0] == "+" else -1)
        seconds = self.rng.randint(early * 3600, late * 3600)
        return self.midnight - self.workday(days_ago) * 86400 + seconds - offset

    @property
    def latest(self) -> int:
        """Nothing happens after yesterday's end."""
        return self.midnight - 600
