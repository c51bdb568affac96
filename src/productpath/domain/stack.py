"""The technology stack as plain data: dependencies, vulnerability findings, the tech radar.

The manifest readers and the OSV and radar file readers (``ingest``) produce these; the stack
review (``delivery``), the services and the pages read them. None of them does any I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Ecosystem names as OSV spells them, so an OSV-Scanner export matches without a lookup table.
PYPI = "PyPI"
NPM = "npm"
GO = "Go"
CARGO = "crates.io"
MAVEN = "Maven"
RUBYGEMS = "RubyGems"
ECOSYSTEMS = (PYPI, NPM, GO, CARGO, MAVEN, RUBYGEMS)


@dataclass(frozen=True, order=True)
class Dependency:
    """One dependency a manifest declares.

    ``declared`` is the requirement as the manifest writes it (``>=2,<3``, ``^1.4``); ``locked``
    the exact version a lock file (or an exact pin) fixes; ``manifest`` the path of the manifest
    relative to the scanned folder, with forward slashes.
    """

    manifest: str
    ecosystem: str
    name: str
    dev: bool
    declared: str | None
    locked: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ecosystem": self.ecosystem,
            "name": self.name,
            "declared": self.declared,
            "locked": self.locked,
            "manifest": self.manifest,
            "dev": self.dev,
        }


def normalise_pypi(name: str) -> str:
    """PEP 503: names differing only in case and runs of ``-_.`` are the same project."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True, order=True)
class OsvFinding:
    """One vulnerability OSV reported for one package version.

    ``severity`` is the advisory database's label (``HIGH``, ``MODERATE``) when it gives one;
    ``score`` the group's highest CVSS score as OSV-Scanner wrote it (``"7.5"``).
    """

    ecosystem: str
    name: str
    version: str | None
    id: str
    summary: str
    aliases: tuple[str, ...]
    severity: str | None
    score: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "severity": self.severity,
            "score": self.score,
            "ecosystem": self.ecosystem,
            "name": self.name,
            "version": self.version,
        }


RINGS = ("adopt", "trial", "assess", "hold")


@dataclass(frozen=True)
class RadarEntry:
    """One technology on the radar; ``line`` is where its entry starts in the file."""

    name: str
    ring: str
    reason: str
    ecosystem: str | None = None
    matches: tuple[str, ...] = ()
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ecosystem": self.ecosystem,
            "ring": self.ring,
            "reason": self.reason,
            "matches": list(self.matches),
        }


@dataclass(frozen=True)
class Radar:
    """The radar file's entries, in file order."""

    file: str
    entries: tuple[RadarEntry, ...]

    def in_ring(self, ring: str) -> list[RadarEntry]:
        return [e for e in self.entries if e.ring == ring]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rings": {ring: [e.as_dict() for e in self.in_ring(ring)] for ring in RINGS},
        }
