"""Grow a workspace (usually the demo) to a bench-sized one: many feedback items, many initiatives.

    from grow_workspace import grow
    with open_workspace(Settings(workspace=path)) as handle:
        grow(handle, feedback=100_000, initiatives=300, seed=0)

    python bench/grow_workspace.py DIR [--feedback N] [--initiatives N] [--seed S]
    (DIR is a workspace; PRODUCTPATH_DATABASE_URL points it at PostgreSQL as usual.)

The counts are totals for the product: growing a workspace that already holds them adds
nothing, and growing it further adds only the difference (external ids are deterministic).

New feedback resamples the texts already in the product (the demo's BANKING77 messages, or the
packaged demo file when the product has none), each with a short greeting or sign-off so the
texts are not all duplicates, spread over the last 400 days and over the product's customers.
Each new item gets the reading of the item it was sampled from (theme, kind, sentiment), with a
``text_hash`` that matches its own text, so filters by theme, kind and sentiment have something
to filter and a later incremental ``insights run`` has nothing to redo. Theme sizes are
recounted afterwards.

New initiatives reuse the product's objectives, teams and milestones, take mixed statuses and
estimates, depend on earlier grown ones (never forming a cycle), and carry accepted evidence
links to one to three themes. Everything goes in with bulk inserts, a few thousand rows per
statement round trip, in one write transaction.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import (
    Customer,
    EvidenceLink,
    FeedbackInsight,
    FeedbackItem,
    Initiative,
    InitiativeDependency,
    Milestone,
    Objective,
    Team,
    Theme,
)

GROWN_SOURCE = "grown"
GROWN_PREFIX = "grown-"
CHUNK = 2000
KINDS = ("bug", "feature_request", "question", "praise", "other")
STATUSES = ("proposed",) * 4 + ("planned",) * 3 + ("in_progress",) * 2 + ("done", "dropped")
OPENERS = ("", "", "", "Hi, ", "Hello, ", "Hey team, ", "Quick one: ", "Not urgent, but ")
CLOSERS = ("", "", "", " Thanks.", " Thank you!", " Please help.", " Any news?", " Cheers.")
TOPICS = (
    "card controls",
    "instant transfers",
    "spending insights",
    "shared pots",
    "travel mode",
    "statement export",
    "top-up limits",
    "identity checks",
    "dispute flow",
    "savings goals",
)
PACKAGED_FEEDBACK = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "productpath"
    / "demo"
    / "data"
    / "feedback_banking77.csv"
)


@dataclass(frozen=True)
class Grown:
    """What :func:`grow` added, and how long it took."""

    feedback_added: int
    initiatives_added: int
    evidence_links_added: int
    dependencies_added: int
    feedback_total: int
    initiatives_total: int
    seconds: float


@dataclass(frozen=True)
class _Sample:
    text: str
    theme_id: int | None
    sentiment: float | None
    kind: str | None


def grow(
    handle: OpenWorkspace, feedback: int = 100_000, initiatives: int = 300, seed: int = 0
) -> Grown:
    """Bring the workspace's product up to ``feedback`` items and ``initiatives`` initiatives."""
    started = time.perf_counter()
    rng = random.Random(seed)
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        pid = product.id
        fb_added = _grow_feedback(session, pid, feedback, rng)
        init_added, links, deps = _grow_initiatives(session, pid, initiatives, rng)
        _recount_themes(session, pid)
        fb_total = _count(session, FeedbackItem, pid)
        init_total = _count(session, Initiative, pid)
    return Grown(
        fb_added, init_added, links, deps, fb_total, init_total, time.perf_counter() - started
    )


def _count(session: Session, model: Any, pid: int) -> int:
    return int(session.scalar(select(func.count()).where(model.product_id == pid)) or 0)


def _samples(session: Session, pid: int, rng: random.Random) -> list[_Sample]:
    stmt = (
        select(
            FeedbackItem.text,
            FeedbackInsight.theme_id,
            FeedbackInsight.sentiment,
            FeedbackInsight.kind,
        )
        .outerjoin(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.product_id == pid, FeedbackItem.source != GROWN_SOURCE)
        .order_by(FeedbackItem.id)
    )
    found = [_Sample(*row) for row in session.execute(stmt)]
    if found:
        return found
    # An empty product: the packaged demo messages, with a kind and sentiment made up so the
    # filters still have something to filter.
    with PACKAGED_FEEDBACK.open(encoding="utf-8", newline="") as stream:
        texts = [row["text"] for row in csv.DictReader(stream)]
    return [_Sample(text, None, round(rng.uniform(-1, 1), 3), rng.choice(KINDS)) for text in texts]


def _grow_feedback(session: Session, pid: int, target: int, rng: random.Random) -> int:
    have = _count(session, FeedbackItem, pid)
    missing = target - have
    if missing <= 0:
        return 0
    samples = _samples(session, pid, rng)
    customers = list(
        session.scalars(select(Customer.id).where(Customer.product_id == pid).order_by(Customer.id))
    )
    grown_before = int(
        session.scalar(
            select(func.count()).where(
                FeedbackItem.product_id == pid, FeedbackItem.source == GROWN_SOURCE
            )
        )
        or 0
    )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    added = 0
    while added < missing:
        size = min(CHUNK, missing - added)
        items: list[dict[str, Any]] = []
        readings: list[_Sample] = []
        for offset in range(size):
            number = grown_before + added + offset + 1
            sample = rng.choice(samples)
            text = f"{rng.choice(OPENERS)}{sample.text}{rng.choice(CLOSERS)}"
            readings.append(_Sample(text, sample.theme_id, sample.sentiment, sample.kind))
            items.append(
                {
                    "product_id": pid,
                    "source": GROWN_SOURCE,
                    "external_id": f"g-{number:07d}",
                    "text": text,
                    "created_at": now - dt.timedelta(minutes=rng.randrange(400 * 24 * 60)),
                    "customer_id": rng.choice(customers)
                    if customers and rng.random() < 0.7
                    else None,
                    "imported_at": now,
                }
            )
        ids = list(
            session.scalars(
                insert(FeedbackItem).returning(FeedbackItem.id, sort_by_parameter_order=True),
                items,
            )
        )
        session.execute(
            insert(FeedbackInsight),
            [
                {
                    "feedback_id": item_id,
                    "theme_id": reading.theme_id,
                    "theme_similarity": 0.6 if reading.theme_id is not None else None,
                    "sentiment": reading.sentiment,
                    "kind": reading.kind,
                    "kind_confidence": 0.8 if reading.kind else None,
                    "text_hash": hashlib.sha256(reading.text.encode("utf-8")).hexdigest(),
                    "analysed_at": now,
                }
                for item_id, reading in zip(ids, readings, strict=True)
            ],
        )
        added += size
    return added


def _maybe(rng: random.Random, choices: list[int], share: float) -> int | None:
    """One of ``choices`` for about ``share`` of the calls, else None."""
    return rng.choice(choices) if choices and rng.random() < share else None


def _ids(session: Session, model: Any, pid: int) -> list[int]:
    return list(session.scalars(select(model.id).where(model.product_id == pid).order_by(model.id)))


def _grow_initiatives(
    session: Session, pid: int, target: int, rng: random.Random
) -> tuple[int, int, int]:
    have = _count(session, Initiative, pid)
    missing = target - have
    if missing <= 0:
        return 0, 0, 0
    objectives = _ids(session, Objective, pid)
    teams = _ids(session, Team, pid)
    milestones = _ids(session, Milestone, pid)
    themes = list(
        session.scalars(
            select(Theme.id).where(Theme.product_id == pid, Theme.active).order_by(Theme.id)
        )
    )
    titles = list(
        session.scalars(
            select(Initiative.title)
            .where(Initiative.product_id == pid, ~Initiative.key.startswith(GROWN_PREFIX))
            .order_by(Initiative.id)
        )
    ) or ["Improve the app"]
    first = (
        int(
            session.scalar(
                select(func.count()).where(
                    Initiative.product_id == pid, Initiative.key.startswith(GROWN_PREFIX)
                )
            )
            or 0
        )
        + 1
    )
    position = int(
        session.scalar(select(func.max(Initiative.position)).where(Initiative.product_id == pid))
        or 0
    )
    rows: list[dict[str, Any]] = []
    for offset in range(missing):
        number = first + offset
        likely = rng.choice((2.0, 3.0, 5.0, 8.0, 13.0))
        rows.append(
            {
                "product_id": pid,
                "key": f"{GROWN_PREFIX}{number:04d}",
                "title": f"{rng.choice(titles)}: {rng.choice(TOPICS)} ({number})",
                "description": "Grown for the load bench from the demo roadmap.",
                "objective_id": rng.choice(objectives) if objectives else None,
                "team_id": rng.choice(teams) if teams else None,
                "milestone_id": rng.choice(milestones)
                if milestones and rng.random() < 0.6
                else None,
                "status": rng.choice(STATUSES),
                "estimate_optimistic": likely * 0.6,
                "estimate_likely": likely,
                "estimate_pessimistic": likely * 2.0,
                "public": rng.random() < 0.3,
                "position": position + offset + 1,
            }
        )
    ids = list(
        session.scalars(
            insert(Initiative).returning(Initiative.id, sort_by_parameter_order=True), rows
        )
    )
    links: list[dict[str, Any]] = []
    deps: list[dict[str, Any]] = []
    for index, initiative_id in enumerate(ids):
        for slot, theme_id in enumerate(rng.sample(themes, min(len(themes), rng.randint(1, 3)))):
            links.append(
                {
                    "initiative_id": initiative_id,
                    "theme_id": theme_id,
                    "status": "accepted",
                    "weight": 1.0,
                    "position": slot,
                }
            )
        # Dependencies point only at earlier grown initiatives: the graph stays acyclic.
        if index and rng.random() < 0.3:
            deps.append(
                {
                    "initiative_id": initiative_id,
                    "depends_on_id": ids[rng.randrange(max(0, index - 20), index)],
                    "position": 0,
                }
            )
    for start in range(0, len(links), CHUNK):
        session.execute(insert(EvidenceLink), links[start : start + CHUNK])
    if deps:
        session.execute(insert(InitiativeDependency), deps)
    return len(ids), len(links), len(deps)


def _recount_themes(session: Session, pid: int) -> None:
    counts = session.execute(
        select(FeedbackInsight.theme_id, func.count())
        .join(Theme, Theme.id == FeedbackInsight.theme_id)
        .where(Theme.product_id == pid)
        .group_by(FeedbackInsight.theme_id)
    ).all()
    if counts:
        session.execute(update(Theme), [{"id": tid, "size": int(n)} for tid, n in counts])


def main(argv: list[str]) -> int:
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--initiatives", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with open_workspace(Settings(workspace=args.workspace)) as handle:
        result = grow(handle, feedback=args.feedback, initiatives=args.initiatives, seed=args.seed)
    print(
        f"added {result.feedback_added} feedback items, {result.initiatives_added} initiatives "
        f"({result.evidence_links_added} theme links, {result.dependencies_added} dependencies) "
        f"in {result.seconds:.1f} s; now {result.feedback_total} items and "
        f"{result.initiatives_total} initiatives"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
