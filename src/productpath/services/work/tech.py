"""Engineering health and the technology stack of a repository folder.

These take paths, not a workspace: ``code_health`` reads git history and the files on disk,
``stack_inventory`` reads manifests, and neither needs a database, so the CLI runs them
anywhere and the web app can call them with a repository path it has stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from productpath.delivery.bots import Bots
from productpath.delivery.code_health import (
    AbandonedArea,
    Hotspot,
    Ownership,
    abandoned_areas,
    file_churn,
    ownership,
    rank_hotspots,
)
from productpath.delivery.code_history import fold_history
from productpath.delivery.complexity import lines_of_code, python_cyclomatic
from productpath.delivery.stack_review import FLAGS, StackReview, review_stack
from productpath.domain.stack import Radar
from productpath.errors import InputError
from productpath.ingest.git_log import read_history, resolve_branch
from productpath.ingest.git_refs import run_git
from productpath.ingest.osv import read_osv
from productpath.ingest.radar import read_radar
from productpath.ingest.source_files import read_source, tracked_files
from productpath.ingest.stack import StackScan, scan_tree

OFFLINE_NOTE = "nothing is looked up online: vulnerabilities are only those in the OSV file"


@dataclass(frozen=True)
class CodeHealthReport:
    repository: str
    branch: str
    head_sha: str
    commits: int
    newest_commit: dt.datetime | None
    window_start: dt.datetime | None
    window_days: int
    abandoned_days: int
    depth: int
    commits_in_window: int
    authors_in_window: int
    hotspots: tuple[Hotspot, ...]
    ownership: tuple[Ownership, ...]
    repository_active: bool
    abandoned: tuple[AbandonedArea, ...]

    def as_dict(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "repository": self.repository,
            "branch": self.branch,
            "head_sha": self.head_sha,
            "commits": self.commits,
            "newest_commit": iso(self.newest_commit),
            "window_start": iso(self.window_start),
            "window_days": self.window_days,
            "abandoned_days": self.abandoned_days,
            "depth": self.depth,
            "commits_in_window": self.commits_in_window,
            "authors_in_window": self.authors_in_window,
            "hotspots": [h.as_dict() for h in self.hotspots],
            "ownership": [o.as_dict() for o in self.ownership],
            "repository_active": self.repository_active,
            "abandoned": [a.as_dict() for a in self.abandoned],
        }


def code_health(
    path: Path,
    *,
    window_days: int = 365,
    abandoned_days: int = 180,
    top: int = 20,
    depth: int = 2,
    min_commits: int = 5,
    bots: Sequence[str] = (),
) -> CodeHealthReport:
    """Hotspots, bus factor per directory and abandoned areas of the git repository at ``path``.

    Reads the checked-out branch's whole history (of the whole repository when ``path`` is a
    folder inside one); InputError when ``path`` is in no git repository. Authors named ``*[bot]``
    or listed in ``bots`` own nothing and are not counted as authors.
    """
    for name, value in (("window_days", window_days), ("abandoned_days", abandoned_days)):
        if value < 1:
            raise InputError(f"must be at least 1, got {value}", field=name)
    branch, head = resolve_branch(path, None)
    # A folder inside a repository means the whole repository: git log names paths from the top.
    path = Path(run_git(path, "rev-parse", "--show-toplevel").strip())
    history = fold_history(read_history(path, branch=head), Bots.of(bots))
    head_files = tracked_files(path, head)
    newest = history.newest
    since = newest - dt.timedelta(days=window_days) if newest else None
    hotspots: list[Hotspot] = []
    owners: list[Ownership] = []
    in_window: list[int] = []
    if since is not None:
        churn = file_churn(history, head_files, since)
        texts = {p: read_source(path, p) for p in sorted(churn)}
        loc = {p: lines_of_code(t, p) for p, t in texts.items() if t is not None}
        hotspots = [
            replace(h, cyclomatic=python_cyclomatic(texts[h.path] or ""))
            if h.path.endswith(".py")
            else h
            for h in rank_hotspots(churn, loc, top)
        ]
        owners = ownership(history, head_files, since, depth=depth, min_commits=min_commits)
        in_window = [i for i, when in enumerate(history.commit_dates) if when >= since]
    active, areas = abandoned_areas(
        history, head_files, abandoned_days=abandoned_days, depth=depth, min_commits=min_commits
    )
    return CodeHealthReport(
        repository=str(path.resolve()),
        branch=branch,
        head_sha=head,
        commits=len(history.commit_dates),
        newest_commit=newest,
        window_start=since,
        window_days=window_days,
        abandoned_days=abandoned_days,
        depth=depth,
        commits_in_window=len(in_window),
        authors_in_window=len(
            {a for i in in_window if not history.authors[a := history.commit_authors[i]].bot}
        ),
        hotspots=tuple(hotspots),
        ownership=tuple(owners[:top]),
        repository_active=active,
        abandoned=tuple(areas[:top]),
    )


@dataclass(frozen=True)
class StackReport:
    scan: StackScan
    review: StackReview
    radar_file: str | None
    osv_file: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.scan.root),
            "radar": self.radar_file,
            "osv": self.osv_file,
            "note": OFFLINE_NOTE if self.osv_file else None,
            "manifests": list(self.scan.manifests),
            "summary": {
                "dependencies": len(self.review.reviews),
                **{flag: self.review.count(flag) for flag in FLAGS},
            },
            "dependencies": [r.as_dict() for r in self.review.reviews],
            "unmatched_vulnerabilities": [f.as_dict() for f in self.review.unmatched_findings],
            "skipped": [s.as_dict() for s in self.scan.skipped],
        }


def stack_inventory(
    path: Path, *, radar_file: Path | None = None, osv_file: Path | None = None
) -> StackReport:
    """Every dependency under ``path``, flagged against the radar and an OSV export if given.

    Nothing is looked up online: vulnerabilities come only from ``osv_file``.
    """
    radar = load_radar(radar_file) if radar_file is not None else None
    findings = read_osv(osv_file) if osv_file is not None else None
    scan = scan_tree(path)
    review = review_stack(scan.dependencies, radar, findings)
    return StackReport(
        scan=scan,
        review=review,
        radar_file=str(radar_file) if radar_file is not None else None,
        osv_file=str(osv_file) if osv_file is not None else None,
    )


def load_radar(path: Path) -> Radar:
    """The tech radar in ``path`` (radar.yaml); InputError naming file, line and field."""
    return read_radar(path)
