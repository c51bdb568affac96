"""The radar view drawn as the four-ring radar (see :mod:`productpath.charts.svg`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup

from productpath.charts.svg import Blip, radar_chart


class _Entry(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def ring(self) -> str: ...
    @property
    def quadrant(self) -> str: ...
    @property
    def used_by(self) -> Sequence[str]: ...


class RadarPicture(Protocol):
    """What the radar chart reads (the tech radar page's ``RadarView`` has it)."""

    @property
    def rings(self) -> Sequence[str]: ...
    @property
    def quadrants(self) -> Sequence[str]: ...
    @property
    def entries(self) -> Sequence[_Entry]: ...


def radar_svg(view: RadarPicture) -> Markup:
    """The radar chart of ``view``; each blip links to its row in the table below it."""
    blips = [
        Blip(
            number=entry.number,
            label=f"{entry.number}. {entry.name}: {entry.ring}, {entry.quadrant}"
            + (f", used in {', '.join(entry.used_by)}" if entry.used_by else ""),
            ring=view.rings.index(entry.ring),
            quadrant=view.quadrants.index(entry.quadrant),
            href=f"#tech-{entry.number}",
            flagged=entry.ring == "hold" and bool(entry.used_by),
        )
        for entry in view.entries
    ]
    counts = ", ".join(
        f"{sum(e.ring == ring for e in view.entries)} in {ring}" for ring in view.rings
    )
    return radar_chart(
        blips,
        rings=view.rings,
        quadrants=view.quadrants,
        chart_id="radar-chart",
        title=f"Tech radar: {len(view.entries)} technologies",
        description=f"Rings from the centre out: {', '.join(view.rings)}. {counts}. "
        "The table below lists every technology with its ring and the reason.",
    )
