"""Forecast hit rates as a server-side SVG: one bar per level (P50, P85, P95) with the nominal
rate marked, so a gap between bar and mark is the miscalibration. Colours are SVG presentation
attributes, not inline styles, so the strict CSP holds."""

from __future__ import annotations

from markupsafe import Markup

from productpath.charts.svg import svg_open
from productpath.learning.retro import HitRates

# Drawn at the width of the page's content, as the other charts are, so its text is not scaled up.
_W, _H = 960, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 14, 14, 30
_BAR = "#2563eb"


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def hit_rate_svg(rates: HitRates | None) -> Markup:
    """The chart for the overall hit rates; axes and a note when nothing is scored yet."""
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    levels = (
        [(50, rates.p50), (85, rates.p85), (95, rates.p95)]
        if rates is not None
        else [(50, None), (85, None), (95, None)]
    )
    description = (
        "; ".join(
            f"P{level}: {hit:.0%} of {rates.n} hit, {level}% nominal"
            for level, hit in levels
            if hit is not None
        )
        if rates is not None
        else "No finished initiative has a stored forecast yet."
    )

    def y(share: float) -> str:
        return _fmt(_TOP + plot_h - share * plot_h)

    parts = [
        svg_open("retro-hits", "Forecast hit rate against nominal", description, _W, _H),
        '<g class="chart__grid" aria-hidden="true">',
    ]
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(share)}" y2="{y(share)}"/>'
            f'<text class="chart__tick" x="{_LEFT - 6}" y="{y(share)}" text-anchor="end" '
            f'dominant-baseline="middle">{share:.0%}</text>'
        )
    parts.append("</g>")
    slot = plot_w / len(levels)
    for n, (level, hit) in enumerate(levels):
        left = _LEFT + n * slot + slot * 0.25
        width = slot * 0.5
        if hit is not None:
            parts.append(
                f'<rect x="{_fmt(left)}" y="{y(hit)}" width="{_fmt(width)}" '
                f'height="{_fmt(hit * plot_h)}" fill="{_BAR}"/>'
            )
        parts.append(
            f'<g class="chart__marker chart__marker--p85"><line x1="{_fmt(left - 6)}" '
            f'x2="{_fmt(left + width + 6)}" y1="{y(level / 100)}" y2="{y(level / 100)}"/></g>'
            f'<text class="chart__tick" x="{_fmt(left + width / 2)}" y="{_H - 10}" '
            f'text-anchor="middle">P{level}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
