"""The radar view drawn as the four-ring radar (see :mod:`productpath.charts.svg`)."""

from __future__ import annotations

from markupsafe import Markup

from productpath.charts.svg import Blip, radar_chart
from productpath.services.pages.tech_view import RadarView


def radar_svg(view: RadarView) -> Markup:
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
