"""productpath decision ...: the decision log, and reviews of decisions that are due."""

from __future__ import annotations

from enum import StrEnum

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json
from productpath.cli.kpi import parse_day

app = typer.Typer(
    help="Record decisions with their evidence and expected outcome; review them later.",
    no_args_is_help=True,
)

TODAY_OPTION = typer.Option(None, "--today", help="Review as of this date (default: today).")


@app.command("add")
def add(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="What was decided, in a line."),
    decision: str = typer.Option("", "--decision", help="The decision and its reasoning."),
    options: list[str] | None = typer.Option(
        None, "--option", help="An option that was considered (repeat)."
    ),
    owner: str = typer.Option("", "--owner", help="Who owns the decision."),
    decided_on: str | None = typer.Option(
        None, "--decided-on", help="YYYY-MM-DD (default: today)."
    ),
    review_on: str | None = typer.Option(None, "--review-on", help="When to review (YYYY-MM-DD)."),
    key: str | None = typer.Option(None, "--key", help="Key (default: from the title)."),
    initiative: str | None = typer.Option(None, "--initiative", help="The initiative it is about."),
    evidence: list[str] | None = typer.Option(
        None,
        "--evidence",
        help="KIND:REF[=NOTE], KIND one of theme, feedback, kpi, experiment, forecast (repeat).",
    ),
    kpi: str | None = typer.Option(None, "--kpi", help="Expected outcome: the KPI it should move."),
    direction: str | None = typer.Option(
        None, "--direction", help="Expected outcome: increase or decrease."
    ),
    target: float | None = typer.Option(None, "--target", help="Expected outcome: target value."),
    by: str | None = typer.Option(None, "--by", help="Expected outcome: reached by (YYYY-MM-DD)."),
) -> None:
    """Record a decision: options, evidence it rests on, expected outcome on a KPI, review date."""
    from productpath.services.learning.decisions import add_decision

    with open_from(ctx) as handle:
        view = add_decision(
            handle,
            title=title,
            decision=decision,
            options=tuple(options or ()),
            owner=owner,
            decided_on=parse_day(decided_on, "--decided-on"),
            review_on=parse_day(review_on, "--review-on"),
            key=key,
            initiative=initiative,
            expect_kpi=kpi,
            direction=direction,
            target=target,
            by=parse_day(by, "--by"),
            evidence=tuple(evidence or ()),
        )
    review = f"; review on {view.review_on}" if view.review_on else ""
    typer.echo(f"Recorded decision '{view.key}' with {len(view.evidence)} evidence links{review}")


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    today: str | None = TODAY_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """List decisions, newest first."""
    from productpath.services.learning.decisions import list_decisions

    with open_from(ctx) as handle:
        page = list_decisions(handle, today=parse_day(today, "--today"))
    if as_json:
        print_json([d.model_dump(mode="json") for d in page.decisions])
        return
    if not page.decisions:
        typer.echo("No decisions yet; record one with 'productpath decision add TITLE'.")
        return
    from productpath.cli.decision_print import print_decisions

    print_decisions(page.decisions, wide=wide)


@app.command("show")
def show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The decision's key."),
    as_json: bool = JSON_OPTION,
    today: str | None = TODAY_OPTION,
) -> None:
    """Show a decision with its evidence and what its KPI says now."""
    from productpath.services.learning.decisions import decision_detail

    with open_from(ctx) as handle:
        page = decision_detail(handle, key, today=parse_day(today, "--today"))
    if as_json:
        print_json(page.decision.model_dump(mode="json"))
        return
    from productpath.cli.decision_print import print_decision

    print_decision(page.decision)


@app.command("review")
def review(
    ctx: typer.Context,
    include_all: bool = typer.Option(
        False, "--all", help="Every open decision, not only those due."
    ),
    as_json: bool = JSON_OPTION,
    today: str | None = TODAY_OPTION,
) -> None:
    """List decisions due for review, each with what the data now says."""
    from productpath.services.learning.decisions import review_decisions

    with open_from(ctx) as handle:
        page = review_decisions(handle, today=parse_day(today, "--today"), include_all=include_all)
    if as_json:
        print_json([d.model_dump(mode="json") for d in page.decisions])
        return
    if not page.decisions:
        typer.echo(f"No decisions due for review on {page.today}.")
        return
    from productpath.cli.decision_print import print_reviews

    print_reviews(page.decisions)


class Verdict(StrEnum):
    met = "met"
    not_met = "not_met"
    mixed = "mixed"


@app.command("close")
def close(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The decision's key."),
    outcome: str = typer.Option(
        ..., "--outcome", help="How it turned out, in a sentence or two (what the review found)."
    ),
    verdict: Verdict | None = typer.Option(
        None, "--verdict", help="Did it deliver what it expected: met, not_met or mixed."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the review's outcome and close the decision; 'decision review' stops listing it."""
    from productpath.services.learning.decisions import close_decision

    with open_from(ctx) as handle:
        view = close_decision(
            handle, key, outcome=outcome, verdict=verdict.value if verdict else None
        )
    if as_json:
        print_json(view.model_dump(mode="json"))
        return
    verdict_text = f" ({view.review.verdict})" if view.review and view.review.verdict else ""
    typer.echo(f"Closed decision '{view.key}'{verdict_text}: {outcome.strip()}")
