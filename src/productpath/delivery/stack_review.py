"""Review a dependency inventory against the tech radar and OSV findings: pure logic.

Flags per dependency:

- ``on_hold``: the radar puts it in the *hold* ring (the radar's reason comes with it);
- ``not_on_radar``: a radar was given and no entry covers it;
- ``vulnerable``: the OSV export reports a vulnerability for this package at this version.

A radar entry covers a dependency when the ecosystems agree (an entry without one covers every
ecosystem) and its name or one of its ``matches`` patterns fits the package name, ignoring case
(and, for PyPI, the ``-``/``_``/``.`` spelling). A Maven entry may name just the artifactId.
The most specific entry wins: one naming the ecosystem over one that does not, an exact name
over a pattern, then file order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from productpath.domain.stack import (
    MAVEN,
    PYPI,
    Dependency,
    OsvFinding,
    Radar,
    RadarEntry,
    normalise_pypi,
)

ON_HOLD = "on_hold"
NOT_ON_RADAR = "not_on_radar"
VULNERABLE = "vulnerable"
FLAGS = (ON_HOLD, NOT_ON_RADAR, VULNERABLE)
_PLAIN_VERSION = re.compile(r"^v?\d[\w.+-]*$")


@dataclass(frozen=True)
class DependencyReview:
    dependency: Dependency
    radar: RadarEntry | None
    flags: tuple[str, ...]
    vulnerabilities: tuple[OsvFinding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.dependency.as_dict(),
            "ring": self.radar.ring if self.radar else None,
            "radar_entry": self.radar.name if self.radar else None,
            "radar_reason": self.radar.reason if self.radar else None,
            "flags": list(self.flags),
            "vulnerabilities": [v.as_dict() for v in self.vulnerabilities],
        }


@dataclass(frozen=True)
class StackReview:
    """Each dependency with its flags; OSV findings that fit no dependency are kept apart."""

    reviews: tuple[DependencyReview, ...]
    unmatched_findings: tuple[OsvFinding, ...]

    def count(self, flag: str) -> int:
        return sum(flag in r.flags for r in self.reviews)

    def flagged(self) -> list[DependencyReview]:
        return [r for r in self.reviews if r.flags]


def review_stack(
    dependencies: Sequence[Dependency],
    radar: Radar | None = None,
    findings: Sequence[OsvFinding] | None = None,
) -> StackReview:
    """Flags for every dependency; ``radar`` None means no radar flags at all."""
    by_package: dict[tuple[str, str], list[OsvFinding]] = {}
    for finding in findings or ():
        by_package.setdefault(_package_key(finding.ecosystem, finding.name), []).append(finding)
    used: set[OsvFinding] = set()
    reviews = []
    for dep in dependencies:
        entry = match_entry(radar, dep) if radar is not None else None
        flags = []
        if entry is not None and entry.ring == "hold":
            flags.append(ON_HOLD)
        if radar is not None and entry is None:
            flags.append(NOT_ON_RADAR)
        versions = dependency_versions(dep)
        vulns = tuple(
            f
            for f in by_package.get(_package_key(dep.ecosystem, dep.name), [])
            if not versions or f.version is None or _version(f.version) in versions
        )
        if vulns:
            flags.append(VULNERABLE)
            used.update(vulns)
        reviews.append(DependencyReview(dep, entry, tuple(flags), vulns))
    unmatched = tuple(sorted(f for group in by_package.values() for f in group if f not in used))
    return StackReview(tuple(reviews), unmatched)


def match_entry(radar: Radar, dep: Dependency) -> RadarEntry | None:
    """The most specific radar entry that covers ``dep``, or None."""
    names = {_name_key(dep.ecosystem, dep.name)}
    if dep.ecosystem == MAVEN and ":" in dep.name:
        names.add(dep.name.rsplit(":", 1)[1].lower())
    best: tuple[int, int, int] | None = None
    chosen = None
    for order, entry in enumerate(radar.entries):
        if entry.ecosystem not in (None, dep.ecosystem):
            continue
        exact = _name_key(dep.ecosystem, entry.name) in names
        pattern = any(
            fnmatchcase(name, _name_key(dep.ecosystem, p)) for p in entry.matches for name in names
        )
        if not (exact or pattern):
            continue
        rank = (0 if entry.ecosystem else 1, 0 if exact else 1, order)
        if best is None or rank < best:
            best, chosen = rank, entry
    return chosen


def dependency_versions(dep: Dependency) -> set[str]:
    """The versions a dependency is known to be at: locked, else a plain declared version."""
    if dep.locked:
        return {_version(v) for v in dep.locked.split(", ")}
    if dep.declared and _PLAIN_VERSION.match(dep.declared):
        return {_version(dep.declared)}
    return set()


def _version(text: str) -> str:
    """Go writes v1.2.3 where OSV writes 1.2.3: compare without the ``v``."""
    return text.strip().removeprefix("v").lower()


def _name_key(ecosystem: str, name: str) -> str:
    return normalise_pypi(name) if ecosystem == PYPI else name.strip().lower()


def _package_key(ecosystem: str, name: str) -> tuple[str, str]:
    canonical = ecosystem.strip()
    if canonical.lower() == PYPI.lower():
        canonical = PYPI
    return canonical.lower(), _name_key(canonical, name)
