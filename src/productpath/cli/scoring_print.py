"""Rich rendering for ``roadmap score`` and ``roadmap suggest-links``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from productpath.domain.formatting import plain_number
from productpath.services.evidence import SuggestReport
from productpath.services.scoring import ScoreReport

_LABELS = {
    "reach": "reach",
    "impact": "impact",
    "confidence": "confidence",
    "effort": "effort",
    "business_value": "business value",
    "time_criticality": "time criticality",
    "risk_reduction": "risk reduction",
    "job_size": "job size",
}


def print_scores(report: ScoreReport) -> None:
    console = Console(highlight=False, soft_wrap=True, markup=False)
    weights = ", ".join(f"{name} {plain_number(w)}" for name, w in report.weights.items())
    as_of = f"; evidence up to {report.as_of:%Y-%m-%d}" if report.as_of else ""
    console.print(f"{report.method.upper()} scores of {report.product} (weights: {weights}{as_of})")
    if not report.scores:
        console.print("The roadmap has no initiatives.")
        return
    table = Table(show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("initiative")
    table.add_column("score", justify="right")
    first = report.scores[0]
    for term in first.terms:
        table.add_column(_LABELS[term.name], justify="right")
    for s in report.scores:
        table.add_row(
            str(s.rank),
            s.key,
            plain_number(s.value) if s.value is not None else "-",
            *(
                (plain_number(t.value) if t.value is not None else "-")
                + ("*" if t.overridden else "")
                for t in s.terms
            ),
        )
    console.print(table)
    console.print("* set by hand in roadmap.yaml")
    for s in report.scores:
        console.print(f"\n{s.rank}. {s.key}: {s.title}")
        for t in s.terms:
            shown = plain_number(t.value) if t.value is not None else "-"
            console.print(f"   {_LABELS[t.name]} {shown}: {t.source}")
        for warning in s.warnings:
            console.print(f"   warning: {warning}", style="yellow")


def print_suggestions(report: SuggestReport) -> None:
    console = Console(highlight=False, soft_wrap=True, markup=False)
    console.print(
        f"Suggested links (embedder {report.embedder}, similarity >= "
        f"{plain_number(report.min_score)})"
    )
    if not report.suggestions:
        console.print("No theme is close enough to any initiative; try a lower --min-score.")
        return
    table = Table(show_edge=False)
    for name in ("initiative", "theme", "label", "size", "score", "accepted", "why"):
        table.add_column(name, justify="right" if name in {"size", "score"} else "left")
    for s in report.suggestions:
        table.add_row(
            s.initiative,
            f"#{s.theme}",
            s.label,
            str(s.size),
            f"{s.score:.3f}",
            "yes" if s.accepted else "",
            s.why,
        )
    console.print(table)
    if report.accepted:
        console.print(f"Accepted {report.accepted} new link{'s' if report.accepted != 1 else ''}.")
    else:
        console.print(
            "These are proposals, not facts: read each reason, then accept the right ones with "
            "'productpath roadmap link INITIATIVE THEME' (--accept takes every one shown)."
        )
