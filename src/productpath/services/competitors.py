"""Competitors and the feature matrix from the stored roadmap; gaps and leads."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from productpath.planning.competition import Cell, FeatureRow, Gaps, find_gaps
from productpath.services.roadmap import load_roadmap
from productpath.services.workspace import OpenWorkspace

__all__ = ["competitor_gaps", "gaps_dict", "matrix"]


def matrix(handle: OpenWorkspace, product: str | None = None) -> list[FeatureRow]:
    """Every feature with one cell per competitor (``unknown`` where the roadmap says nothing);
    none before a roadmap is applied: an empty listing, not an error."""
    doc = load_roadmap(handle, product)
    if doc is None:
        return []
    status = {i.id: i.status.value for i in doc.initiatives}
    rows = []
    for feature in doc.features:
        given = {cell.competitor: cell for cell in feature.support}
        cells = tuple(
            Cell(c.id, given[c.id].level.value, given[c.id].source)
            if c.id in given
            else Cell(c.id, "unknown")
            for c in doc.competitors
        )
        rows.append(
            FeatureRow(
                key=feature.id,
                name=feature.name,
                ours=feature.ours.value,
                cells=cells,
                planned_by=tuple((key, status[key]) for key in feature.planned_by),
            )
        )
    return rows


def competitor_gaps(handle: OpenWorkspace, product: str | None = None) -> Gaps:
    return find_gaps(matrix(handle, product))


def gaps_dict(gaps: Gaps) -> dict[str, Any]:
    return {
        "gaps": [asdict(f) for f in gaps.gaps],
        "closing": [asdict(f) for f in gaps.closing],
        "leads": [asdict(f) for f in gaps.leads],
    }
