"""Read models for the web's technology pages: the tech radar and code health.

Both start from the repositories the workspace has ingested (``git ingest``) and read what is
on disk now: the radar file in the workspace folder, each repository's manifests and history.
A repository whose folder has gone is listed as such instead of failing the page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ConfigDict

from productpath.domain.stack import RINGS, Radar
from productpath.domain.views import ProductInfo, View
from productpath.errors import InputError
from productpath.services.page_common import product_info
from productpath.services.work.code_health_cache import cached_code_health, code_health_dir
from productpath.services.work.git import list_repositories
from productpath.services.work.tech import load_radar, stack_inventory
from productpath.services.workspace import OpenWorkspace

RADAR_NAME = "radar.yaml"
# Quadrant names for the ecosystems a radar entry may name; entries without one are platforms,
# tools and techniques.
QUADRANT_NAMES = {
    "PyPI": "Python",
    "npm": "JavaScript",
    "Go": "Go",
    "crates.io": "Rust",
    "Maven": "Java",
    "RubyGems": "Ruby",
    None: "Platforms & tools",
}
OTHER_QUADRANT = "Other ecosystems"
FLAG_ORDER = ("on_hold", "vulnerable", "not_on_radar")


class _View(View):
    # Built straight from the stored rows' attributes.
    model_config = ConfigDict(frozen=True, from_attributes=True)


class RadarBlip(_View):
    number: int
    name: str
    ecosystem: str | None
    ring: str
    quadrant: str
    reason: str
    matches: tuple[str, ...]
    used_by: tuple[str, ...]  # repositories with a dependency this entry covers


class FlaggedDependency(_View):
    name: str
    ecosystem: str
    declared: str | None
    locked: str | None
    manifest: str
    dev: bool
    flags: tuple[str, ...]
    ring: str | None
    radar_entry: str | None
    radar_reason: str | None


class RepositoryStack(_View):
    name: str
    path: str
    available: bool
    problem: str | None
    dependencies: int
    on_hold: int
    not_on_radar: int
    vulnerable: int
    flagged: tuple[FlaggedDependency, ...]  # on hold first, then vulnerable, then off the radar
    off_radar: tuple[str, ...]  # names of the packages no radar entry covers, once each


class RadarView(_View):
    product: ProductInfo
    radar_file: str
    radar_found: bool
    problem: str | None  # the radar file could not be read: why
    rings: tuple[str, ...]
    quadrants: tuple[str, ...]
    entries: tuple[RadarBlip, ...]
    repositories: tuple[RepositoryStack, ...]


def radar_view(handle: OpenWorkspace) -> RadarView:
    """The radar in the workspace's radar.yaml, and each ingested repository's flagged stack."""
    path = handle.workspace.root / RADAR_NAME
    radar: Radar | None = None
    problem = None
    if path.is_file():
        try:
            radar = load_radar(path)
        except InputError as exc:
            problem = str(exc)
    stacks = []
    used: dict[str, set[str]] = {}
    for repo in list_repositories(handle):
        stack, names = _stack(repo.name, Path(repo.path), path if radar else None)
        stacks.append(stack)
        for name in names:
            used.setdefault(name, set()).add(repo.name)
    entries = radar.entries if radar is not None else ()
    quadrants = _quadrants([QUADRANT_NAMES.get(e.ecosystem, OTHER_QUADRANT) for e in entries])
    # Number the blips quadrant by quadrant, ring by ring, as they are read on the chart.
    ordered = sorted(
        entries,
        key=lambda e: (
            quadrants.index(_quadrant_of(e.ecosystem, quadrants)),
            RINGS.index(e.ring),
            e.name.lower(),
        ),
    )
    blips = tuple(
        RadarBlip(
            number=number,
            name=e.name,
            ecosystem=e.ecosystem,
            ring=e.ring,
            quadrant=_quadrant_of(e.ecosystem, quadrants),
            reason=e.reason,
            matches=e.matches,
            used_by=tuple(sorted(used.get(_entry_key(e.name, e.ecosystem), ()))),
        )
        for number, e in enumerate(ordered, 1)
    )
    return RadarView(
        product=product_info(handle),
        radar_file=str(path),
        radar_found=path.is_file(),
        problem=problem,
        rings=RINGS,
        quadrants=tuple(quadrants),
        entries=blips,
        repositories=tuple(stacks),
    )


def _entry_key(name: str, ecosystem: str | None) -> str:
    return f"{ecosystem or ''}:{name.lower()}"


def _quadrants(names: list[str]) -> list[str]:
    """Four quadrant names, in the order the file first uses them: more than four fold the
    rest into "Other ecosystems"; fewer leave that one (or more) empty."""
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    if len(seen) > 4:
        seen = [*seen[:3], OTHER_QUADRANT]
    spare = (n for n in (OTHER_QUADRANT, *QUADRANT_NAMES.values()) if n not in seen)
    while len(seen) < 4:
        seen.append(next(spare))
    return seen


def _quadrant_of(ecosystem: str | None, quadrants: list[str]) -> str:
    name = QUADRANT_NAMES.get(ecosystem, OTHER_QUADRANT)
    return name if name in quadrants else OTHER_QUADRANT


def _stack(name: str, path: Path, radar: Path | None) -> tuple[RepositoryStack, set[str]]:
    if not path.is_dir():
        return _unavailable(name, path, "the folder is not there any more"), set()
    try:
        report = stack_inventory(path, radar_file=radar)
    except InputError as exc:
        return _unavailable(name, path, str(exc)), set()
    reviews = report.review.reviews
    flagged = sorted(
        (r for r in reviews if r.flags),
        key=lambda r: (
            min(FLAG_ORDER.index(f) for f in r.flags),
            r.dependency.name.lower(),
            r.dependency.manifest,
        ),
    )
    used = {_entry_key(r.radar.name, r.radar.ecosystem) for r in reviews if r.radar is not None}
    return (
        RepositoryStack(
            name=name,
            path=str(path),
            available=True,
            problem=None,
            dependencies=len(reviews),
            on_hold=report.review.count("on_hold"),
            not_on_radar=report.review.count("not_on_radar"),
            vulnerable=report.review.count("vulnerable"),
            flagged=tuple(FlaggedDependency.model_validate(r.as_dict()) for r in flagged),
            off_radar=tuple(
                sorted(
                    {r.dependency.name for r in reviews if "not_on_radar" in r.flags}, key=str.lower
                )
            ),
        ),
        used,
    )


def _unavailable(name: str, path: Path, problem: str) -> RepositoryStack:
    return RepositoryStack(
        name=name,
        path=str(path),
        available=False,
        problem=problem,
        dependencies=0,
        on_hold=0,
        not_on_radar=0,
        vulnerable=0,
        flagged=(),
        off_radar=(),
    )


class HotspotInfo(_View):
    path: str
    commits: int
    lines_changed: int
    authors: int
    lines_of_code: int
    cyclomatic: int | None
    score: int


class OwnershipInfo(_View):
    directory: str
    commits: int
    authors: int
    bus_factor: int
    concentration: float
    top_author: str
    main_authors: tuple[str, ...]


class AbandonedInfo(_View):
    directory: str
    commits: int
    last_change: dt.datetime
    days_since_change: int
    main_authors: tuple[str, ...]
    reasons: tuple[str, ...]


class RepositoryHealth(_View):
    name: str
    path: str
    available: bool
    problem: str | None
    branch: str | None = None
    head_sha: str | None = None
    commits: int = 0
    newest_commit: dt.datetime | None = None
    window_days: int = 0
    abandoned_days: int = 0
    depth: int = 0
    commits_in_window: int = 0
    authors_in_window: int = 0
    repository_active: bool = False
    hotspots: tuple[HotspotInfo, ...] = ()
    ownership: tuple[OwnershipInfo, ...] = ()
    abandoned: tuple[AbandonedInfo, ...] = ()


class CodeHealthView(_View):
    product: ProductInfo
    repositories: tuple[RepositoryHealth, ...]


def code_health_view(handle: OpenWorkspace, *, top: int = 10) -> CodeHealthView:
    """Hotspots, bus factor and abandoned areas of every ingested repository still on disk."""
    found = []
    for repo in list_repositories(handle):
        path = Path(repo.path)
        problem = None if path.is_dir() else "the folder is not there any more"
        if problem is None:
            try:
                report = cached_code_health(
                    path, code_health_dir(handle), top=top, bots=handle.workspace.delivery.bots
                )
            except InputError as exc:
                problem = str(exc)
        if problem is not None:
            found.append(
                RepositoryHealth(name=repo.name, path=repo.path, available=False, problem=problem)
            )
            continue
        found.append(
            RepositoryHealth.model_validate(
                {
                    **vars(report),
                    "name": repo.name,
                    "path": repo.path,
                    "available": True,
                    "problem": None,
                }
            )
        )
    return CodeHealthView(product=product_info(handle), repositories=tuple(found))
