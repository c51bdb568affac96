"""Code-health figures from a folded history: hotspots, bus factor, abandoned areas. Pure.

Every figure is about the code as it stands at HEAD: files deleted since are left out, and a
renamed file's history counts under its current name (see :mod:`code_history`). Time is
measured from the newest commit, not from today, so an old clone gives the same answer as a
fresh one. Directories are a file's folder cut to ``depth`` parts (``src/app/api/x.py`` is in
``src/app`` at depth 2); files at the top are in ``.``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from productpath.delivery.code_history import History

# Share of a directory's commits that its main authors together made (the bus-factor line).
OWNERSHIP_SHARE = 0.5
# A hotspot is a file that keeps changing: one commit in the window is not churn.
MIN_HOTSPOT_COMMITS = 2


@dataclass(frozen=True)
class FileChurn:
    commits: int
    lines_changed: int
    authors: int


@dataclass(frozen=True)
class Hotspot:
    """A file that changes often and is big: ``score = commits x lines_of_code``."""

    path: str
    commits: int
    lines_changed: int
    authors: int
    lines_of_code: int
    cyclomatic: int | None
    score: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Ownership:
    """Who knows a directory: ``bus_factor`` authors made >= 50% of its commits in the window."""

    directory: str
    commits: int
    authors: int
    bus_factor: int
    concentration: float  # the top author's share of the commits, 0..1
    top_author: str
    main_authors: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "main_authors": list(self.main_authors)}


@dataclass(frozen=True)
class AbandonedArea:
    directory: str
    commits: int  # over the whole history
    last_change: dt.datetime
    days_since_change: int
    main_authors: tuple[str, ...]
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "last_change": self.last_change.isoformat(),
            "main_authors": list(self.main_authors),
            "reasons": list(self.reasons),
        }


def directory_of(path: str, depth: int) -> str:
    parts = PurePosixPath(path).parent.parts[:depth]
    return "/".join(parts) if parts else "."


def file_churn(
    history: History, head_files: Collection[str], since: dt.datetime
) -> dict[str, FileChurn]:
    """Commits, lines changed and authors per file at HEAD, counting touches since ``since``."""
    churn = {}
    for path, touches in history.files.items():
        recent = [t for t in touches if t.when >= since]
        if recent and path in head_files:
            churn[path] = FileChurn(
                commits=len({t.commit for t in recent}),
                lines_changed=sum(t.lines for t in recent),
                authors=len({t.author for t in recent}),
            )
    return churn


def rank_hotspots(
    churn: Mapping[str, FileChurn], lines_of_code: Mapping[str, int], top: int
) -> list[Hotspot]:
    """The ``top`` files by commits x lines of code; ties by lines changed, then path.

    A file changed by one commit only (usually the one that added it) is not churning and is
    not ranked; nor are files without a measure (binary, unreadable).
    """
    spots = [
        Hotspot(path, c.commits, c.lines_changed, c.authors, loc, None, c.commits * loc)
        for path, c in churn.items()
        if c.commits >= MIN_HOTSPOT_COMMITS and (loc := lines_of_code.get(path)) is not None
    ]
    spots.sort(key=lambda h: (-h.score, -h.lines_changed, h.path))
    return spots[:top]


def bus_factor(commits_by_author: Mapping[str, int]) -> tuple[int, tuple[str, ...]]:
    """The fewest authors who together made >= 50% of the commits, and who they are.

    Authors are taken by commits, most first (ties by name), until their share reaches half.
    """
    total = sum(commits_by_author.values())
    ranked = sorted(commits_by_author.items(), key=lambda item: (-item[1], item[0]))
    main: list[str] = []
    covered = 0
    for name, count in ranked:
        if total and covered / total >= OWNERSHIP_SHARE:
            break
        main.append(name)
        covered += count
    return len(main), tuple(main)


def ownership(
    history: History,
    head_files: Collection[str],
    since: dt.datetime,
    *,
    depth: int = 2,
    min_commits: int = 5,
) -> list[Ownership]:
    """Bus factor per directory over the window, for directories with >= ``min_commits``.

    Sorted riskiest first: lowest bus factor, then highest concentration, most commits, path.
    """
    per_dir = _commits_per_author(history, head_files, since, depth)
    found = []
    for directory, authors in per_dir.items():
        counts = _named_counts(history, authors)
        total = sum(counts.values())
        if total < min_commits:
            continue
        factor, main = bus_factor(counts)
        top_name, top_count = sorted(counts.items(), key=lambda i: (-i[1], i[0]))[0]
        found.append(
            Ownership(
                directory, total, len(counts), factor, round(top_count / total, 3), top_name, main
            )
        )
    found.sort(key=lambda o: (o.bus_factor, -o.concentration, -o.commits, o.directory))
    return found


def abandoned_areas(
    history: History,
    head_files: Collection[str],
    *,
    abandoned_days: int = 180,
    depth: int = 2,
    min_commits: int = 5,
) -> tuple[bool, list[AbandonedArea]]:
    """(repository active?, directories left behind), oldest last change first.

    The repository is active when it had >= ``min_commits`` commits in the ``abandoned_days``
    before its newest commit; only then are areas judged. An area is a directory at HEAD with
    >= ``min_commits`` commits over its whole history that either had no change in
    ``abandoned_days``, or whose main authors (>= 50% of its commits) all stopped committing
    anywhere in the repository that long ago.
    """
    newest = history.newest
    if newest is None:
        return False, []
    cutoff = newest - dt.timedelta(days=abandoned_days)
    if sum(when > cutoff for when in history.commit_dates) < min_commits:
        return False, []
    earliest = min(history.commit_dates)
    per_dir = _commits_per_author(history, head_files, earliest, depth)
    last_change = _last_change(history, head_files, depth)
    last_commit: dict[str, dt.datetime] = {}
    for author in (a for a in history.authors if not a.bot):
        last_commit[author.name] = max(author.last_commit, last_commit.get(author.name, earliest))
    areas = []
    for directory, authors in per_dir.items():
        counts = _named_counts(history, authors)
        total = sum(counts.values())
        if total < min_commits:
            continue
        _, main = bus_factor(counts)
        reasons = []
        last = last_change[directory]
        if last <= cutoff:
            reasons.append(f"no change in {abandoned_days}+ days")
        if all(last_commit[name] <= cutoff for name in main):
            names = ", ".join(main)
            reasons.append(
                f"its main authors ({names}) stopped committing {abandoned_days}+ days ago"
            )
        if reasons:
            days = (newest - last).days
            areas.append(AbandonedArea(directory, total, last, days, main, tuple(reasons)))
    areas.sort(key=lambda a: (a.last_change, a.directory))
    return True, areas


def _commits_per_author(
    history: History, head_files: Collection[str], since: dt.datetime, depth: int
) -> dict[str, dict[int, set[int]]]:
    """directory -> author index -> the commits (indexes) of that author touching it."""
    per_dir: dict[str, dict[int, set[int]]] = {}
    for path, touches in history.files.items():
        if path not in head_files:
            continue
        authors = per_dir.setdefault(directory_of(path, depth), {})
        for touch in touches:
            if touch.when >= since:
                authors.setdefault(touch.author, set()).add(touch.commit)
    return {d: a for d, a in per_dir.items() if a}


def _named_counts(history: History, authors: Mapping[int, set[int]]) -> dict[str, int]:
    """Commit counts by author name: one person committing under two e-mails counts once.

    Bots are left out: a dependency updater is nobody's knowledge of the code.
    """
    counts: Counter[str] = Counter()
    for author, commits in authors.items():
        if not history.authors[author].bot:
            counts[history.authors[author].name] += len(commits)
    return dict(counts)


def _last_change(
    history: History, head_files: Collection[str], depth: int
) -> dict[str, dt.datetime]:
    last: dict[str, dt.datetime] = {}
    for path, touches in history.files.items():
        if path in head_files and touches:
            directory = directory_of(path, depth)
            newest = max(t.when for t in touches)
            if directory not in last or newest > last[directory]:
                last[directory] = newest
    return last
