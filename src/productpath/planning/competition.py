"""Feature gaps and leads from the competitor feature matrix. Pure: plain data in and out.

A *gap* is a feature at least one competitor has (fully or partly) that we have not (``no`` or
``unknown``) or have only partly, and that no live initiative plans. The same feature with an
initiative planning it is *being closed*. We *lead* where we have a feature that at least one
competitor lacks (``no``). ``unknown`` cells are never counted as having or lacking; they are
listed so someone can find out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HAVE = ("has", "partial")
# Initiatives in these states no longer plan anything.
FINISHED = ("done", "dropped")


@dataclass(frozen=True)
class Cell:
    competitor: str
    level: str  # has | partial | no | unknown
    source: str = ""


@dataclass(frozen=True)
class FeatureRow:
    key: str
    name: str
    ours: str  # has | partial | no | unknown
    cells: tuple[Cell, ...]
    # (initiative key, status) of the initiatives that plan it
    planned_by: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FeatureFinding:
    key: str
    name: str
    ours: str
    competitors: tuple[Cell, ...]  # gaps: who has it; leads: who lacks it
    planned_by: tuple[str, ...]  # live initiatives planning it
    unknown: tuple[str, ...]  # competitors whose support nobody has checked


@dataclass(frozen=True)
class Gaps:
    gaps: tuple[FeatureFinding, ...]
    closing: tuple[FeatureFinding, ...]
    leads: tuple[FeatureFinding, ...]
    compared: int = 0  # features looked at: none means nothing to compare, not "no gaps"


def find_gaps(features: Sequence[FeatureRow]) -> Gaps:
    """Gaps (most competitors having it first), gaps being closed, and leads, each in that order."""
    gaps: list[FeatureFinding] = []
    closing: list[FeatureFinding] = []
    leads: list[FeatureFinding] = []
    for feature in features:
        live = tuple(key for key, status in feature.planned_by if status not in FINISHED)
        unknown = tuple(c.competitor for c in feature.cells if c.level == "unknown")
        having = tuple(c for c in feature.cells if c.level in HAVE)
        behind = feature.ours in ("no", "unknown") or (
            feature.ours == "partial" and any(c.level == "has" for c in having)
        )
        if having and behind:
            finding = FeatureFinding(feature.key, feature.name, feature.ours, having, live, unknown)
            (closing if live else gaps).append(finding)
        lacking = tuple(c for c in feature.cells if c.level == "no")
        if feature.ours == "has" and lacking:
            leads.append(
                FeatureFinding(feature.key, feature.name, feature.ours, lacking, live, unknown)
            )
    order = {f.key: n for n, f in enumerate(features)}

    def by_reach(items: list[FeatureFinding]) -> tuple[FeatureFinding, ...]:
        return tuple(sorted(items, key=lambda f: (-len(f.competitors), order[f.key])))

    return Gaps(by_reach(gaps), by_reach(closing), by_reach(leads), compared=len(features))
