"""Property tests: any valid roadmap survives YAML export and re-apply unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from productpath.domain.roadmap import (
    RACI_ROLES,
    Audience,
    Cadence,
    Channel,
    CompetitorSpec,
    CustomerSpec,
    Estimate,
    FeatureSpec,
    InitiativeSpec,
    InitiativeStatus,
    KeyResultSpec,
    Level,
    MemberSpec,
    MilestoneSpec,
    ObjectiveSpec,
    ProductSpec,
    RaciSpec,
    RoadmapDoc,
    ScoreSpec,
    SegmentSpec,
    StakeholderSpec,
    Support,
    SupportSpec,
    TeamSpec,
    WorkSpec,
)
from productpath.domain.roadmap_diff import diff
from productpath.domain.roadmap_rules import check
from productpath.ingest.roadmap_yaml import dump, parse
from productpath.services.roadmap import apply_roadmap, export_roadmap, load_roadmap

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,11}", fullmatch=True)
# Any printable text, with newlines, tabs, quotes, '#', ': ' and YAML-looking words mixed in.
_chars = st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from(
    ["\n", "\t", " ", "#", ": ", "- ", "'", '"', "|", "null", "yes", "1.5", "2026-01-01", "\\"]
)


def text(min_size: int = 0, pieces: int = 12) -> st.SearchStrategy[str]:
    # Validation strips surrounding whitespace, so generate what it would keep. A piece is at
    # most 10 characters, so 12 pieces fit every text column.
    stripped = st.lists(_chars, max_size=pieces).map("".join).map(str.strip)
    return stripped.filter(bool) if min_size else stripped


emails = st.builds("{}@{}.example".format, ids, ids)
numbers = st.floats(min_value=0, max_value=1e9, allow_nan=False) | st.integers(0, 500).map(float)
any_number = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def estimates(draw: st.DrawFn) -> Estimate:
    low, mid, high = sorted(draw(st.lists(numbers, min_size=3, max_size=3)))
    return Estimate(optimistic=low, likely=mid, pessimistic=high)


# Tracker keys as Jira and GitHub write them, and a few YAML-looking ones.
tracker_keys = (
    st.from_regex(r"[A-Z]{1,6}-[0-9]{1,5}", fullmatch=True)
    | st.builds("{}/{}#{}".format, ids, ids, st.integers(1, 9999))
    | st.sampled_from(["null", "yes", "1.5", "2026-01-01", "a#b", "a:b", "x!", "NULL", "0x1"])
)
labels = text(1, pieces=8).filter(lambda s: not set(s) & {"\n", "\u2028", "\u2029"})


def _distinct(values: list[str]) -> tuple[str, ...]:
    # The document rejects a value listed twice (ignoring case).
    kept: dict[str, str] = {}
    for value in values:
        kept.setdefault(value.casefold(), value)
    return tuple(kept.values())


@st.composite
def work_specs(draw: st.DrawFn) -> WorkSpec | None:
    epics = _distinct(draw(st.lists(tracker_keys, max_size=3)))
    mapped = _distinct(draw(st.lists(labels, max_size=3)))
    # Written as "work: {}" or left out, an empty mapping reads back as no mapping at all.
    return WorkSpec(epics=epics, labels=mapped) if epics or mapped else None


# The store test creates themes #1..#5 and these feedback items, so links to them apply.
THEME_NUMBERS = st.integers(1, 5)
FEEDBACK_REFS = ["banking77:1", "banking77:2", "web:a b: c"]


@st.composite
def scores(draw: st.DrawFn) -> ScoreSpec | None:
    terms = draw(
        st.dictionaries(
            st.sampled_from(["reach", "impact", "business_value", "time_criticality"]),
            numbers,
            max_size=2,
        )
    )
    if draw(st.booleans()):
        terms["confidence"] = draw(st.floats(0, 1))
    if draw(st.booleans()):
        terms["effort"] = draw(st.floats(0.1, 100))
    return ScoreSpec(**terms) if terms else None


@st.composite
def market(
    draw: st.DrawFn, initiatives: list[str]
) -> tuple[
    tuple[SegmentSpec, ...],
    tuple[CustomerSpec, ...],
    tuple[CompetitorSpec, ...],
    tuple[FeatureSpec, ...],
]:
    def unique_ids(max_size: int) -> list[str]:
        return draw(st.lists(ids, max_size=max_size, unique=True))

    segments = tuple(SegmentSpec(id=key, name=draw(text(1))) for key in unique_ids(2))
    customer_keys = draw(st.lists(labels.filter(lambda s: len(s) <= 200), max_size=3, unique=True))
    customers = tuple(
        CustomerSpec(
            id=key,
            name=draw(text(1)),
            segment=draw(st.sampled_from([None, *(s.id for s in segments)])),
            annual_revenue=draw(st.none() | numbers),
        )
        for key in customer_keys
    )
    competitors = tuple(
        CompetitorSpec(
            id=key, name=draw(text(1)), url=draw(st.sampled_from(["", "https://x.example/a?b=1"]))
        )
        for key in unique_ids(3)
    )
    features = tuple(
        FeatureSpec(
            id=key,
            name=draw(text(1)),
            description=draw(text()),
            ours=draw(st.sampled_from(Support)),
            planned_by=tuple(draw(st.lists(st.sampled_from(initiatives), unique=True, max_size=2)))
            if initiatives
            else (),
            support=tuple(
                SupportSpec(
                    competitor=c.id, level=draw(st.sampled_from(Support)), source=draw(text())
                )
                for c in competitors
                if draw(st.booleans())
            ),
        )
        for key in unique_ids(3)
    )
    return segments, customers, competitors, features


kpi_keys = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
stakeholder_emails = st.from_regex(
    r"[a-z0-9]{1,8}(\.[a-z0-9]{1,4})?@[a-z0-9]{1,8}\.example", fullmatch=True
)


@st.composite
def stakeholder_specs(draw: st.DrawFn, key: str) -> StakeholderSpec:
    channel = draw(st.sampled_from(Channel))
    email = (
        draw(stakeholder_emails)
        if channel is Channel.EMAIL
        else draw(st.none() | stakeholder_emails)
    )
    hook = "https://hooks.example/" + key
    return StakeholderSpec(
        id=key,
        name=draw(text(1)),
        role=draw(text(pieces=8)),
        organisation=draw(text(pieces=8)),
        email=email,
        audience=draw(st.sampled_from(Audience)),
        power=draw(st.sampled_from(Level)),
        interest=draw(st.sampled_from(Level)),
        channel=channel,
        webhook_url=hook if channel is Channel.WEBHOOK or draw(st.booleans()) else None,
        cadence=draw(st.sampled_from(Cadence)),
    )


@st.composite
def raci_specs(draw: st.DrawFn, stakeholders: list[str]) -> RaciSpec | None:
    if not stakeholders or not draw(st.booleans()):
        return None
    chosen = draw(st.lists(st.sampled_from(stakeholders), unique=True, max_size=4))
    roles: dict[str, list[str]] = {}
    for key in chosen:
        roles.setdefault(draw(st.sampled_from(RACI_ROLES)), []).append(key)
    return RaciSpec(**{role: tuple(keys) for role, keys in roles.items()})


@st.composite
def roadmaps(draw: st.DrawFn, product: str | None = None, min_items: int = 0) -> RoadmapDoc:
    def unique_ids(max_size: int, min_size: int = 0) -> list[str]:
        return draw(st.lists(ids, min_size=min_size, max_size=max_size, unique=True))

    objectives = tuple(
        ObjectiveSpec(
            id=key,
            title=draw(text(1)),
            description=draw(text()),
            key_results=tuple(
                KeyResultSpec(
                    id=kr,
                    title=draw(text(1)),
                    target=draw(st.none() | any_number),
                    unit=draw(st.none() | text(1, pieces=5)),
                    kpi=draw(st.none() | kpi_keys),
                )
                for kr in unique_ids(3)
            ),
        )
        for key in unique_ids(3)
    )
    teams = tuple(
        TeamSpec(
            id=key,
            name=draw(text(1)),
            capacity_per_week=draw(st.floats(min_value=0.1, max_value=100)),
            members=tuple(
                MemberSpec(
                    name=draw(text(1)),
                    email=draw(st.none() | emails),
                )
                for _ in range(draw(st.integers(0, 3)))
            ),
        )
        for key in unique_ids(3)
    )
    stakeholders = tuple(draw(stakeholder_specs(key)) for key in unique_ids(3))
    milestones = tuple(
        MilestoneSpec(
            id=key,
            name=draw(text(1)),
            description=draw(text()),
            target_date=draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))),
        )
        for key in unique_ids(3)
    )

    def ref(items: tuple[Any, ...]) -> str | None:
        return draw(st.none() | st.sampled_from([i.id for i in items])) if items else None

    keys = unique_ids(6, min_size=min_items)

    def planned() -> tuple[dt.date | None, dt.date | None]:
        days = st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
        start, target = draw(days), draw(days)
        if start is not None and target is not None and target < start:
            start, target = target, start
        return start, target

    dates = {key: planned() for key in keys}
    # Dependencies only point at earlier ids, so the graph is acyclic; the order of the
    # initiatives in the document is then shuffled so it is not always topological.
    initiatives = [
        InitiativeSpec(
            id=key,
            title=draw(text(1)),
            description=draw(text()),
            objective=ref(objectives),
            team=ref(teams),
            milestone=ref(milestones),
            start=dates[key][0],
            target=dates[key][1],
            status=draw(st.sampled_from(InitiativeStatus)),
            estimate=draw(st.none() | estimates()),
            depends_on=tuple(
                draw(st.lists(st.sampled_from(keys[:n]), unique=True, max_size=3)) if n else ()
            ),
            themes=tuple(draw(st.lists(THEME_NUMBERS, max_size=2, unique=True))),
            feedback=tuple(draw(st.lists(st.sampled_from(FEEDBACK_REFS), max_size=2, unique=True))),
            score=draw(scores()),
            work=draw(work_specs()),
            target_kpi=draw(st.none() | ids),
            public=draw(st.booleans()),
            raci=draw(raci_specs([s.id for s in stakeholders])),
        )
        for n, key in enumerate(keys)
    ]
    doc = RoadmapDoc(
        product=ProductSpec(id=product or draw(ids), name=draw(text(1)), description=draw(text())),
        objectives=objectives,
        teams=teams,
        stakeholders=stakeholders,
        milestones=milestones,
        initiatives=tuple(draw(st.permutations(initiatives))),
    )
    segments, customers, competitors, features = draw(market(keys))
    doc = doc.model_copy(
        update={
            "segments": segments,
            "customers": customers,
            "competitors": competitors,
            "features": features,
        }
    )
    assert check(doc) == []
    return doc


@settings(max_examples=100, deadline=None)
@given(roadmaps())
def test_dump_then_parse_gives_the_same_document(doc: RoadmapDoc) -> None:
    text = dump(doc)
    assert parse(text) == doc
    assert dump(parse(text)) == text
    assert diff(doc, parse(text)).is_empty


@settings(max_examples=50, deadline=None)
@given(roadmaps(), roadmaps())
def test_the_diff_is_empty_exactly_when_documents_are_equal(a: RoadmapDoc, b: RoadmapDoc) -> None:
    b = b.model_copy(update={"product": a.product})
    assert diff(a, b).is_empty == (a == b)
    assert diff(a, a).is_empty
    reordered = a.model_copy(update={"initiatives": a.initiatives[::-1]})
    assert diff(a, reordered).is_empty == (reordered == a)


@settings(
    # Each example applies and exports twice against a real database: 25 keep the suite quick
    # while still walking inserts, updates and deletions; the pure round trip above runs 100.
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=roadmaps(product="pocket", min_items=1))
def test_export_then_apply_is_a_no_op_on_a_real_store(
    opened: Any, tmp_path: Path, doc: RoadmapDoc
) -> None:
    # One store for all examples: each example replaces the previous roadmap, so updates and
    # deletions are exercised as well as inserts.
    add_evidence_targets(opened)
    path = tmp_path / "roadmap.yaml"
    path.write_text(dump(doc), encoding="utf-8")
    apply_roadmap(opened, path)
    assert load_roadmap(opened) == doc
    exported = export_roadmap(opened)
    path.write_text(exported, encoding="utf-8")
    assert apply_roadmap(opened, path).is_empty
    assert export_roadmap(opened) == exported


def add_evidence_targets(handle: Any) -> None:
    """Themes #1..#5 and the feedback items in FEEDBACK_REFS, once per store."""
    from sqlalchemy import select

    from productpath.store import product_repo
    from productpath.store.models import FeedbackItem, Theme

    with handle.store.write() as session:
        product = product_repo.ensure(session, "pocket", "Pocket")
        if session.scalar(select(Theme).where(Theme.product_id == product.id)) is not None:
            return
        session.add_all(
            Theme(product_id=product.id, number=n, label=f"theme {n}") for n in range(1, 6)
        )
        session.add_all(
            FeedbackItem(
                product_id=product.id,
                source=ref.split(":", 1)[0],
                external_id=ref.split(":", 1)[1],
                text="evidence",
            )
            for ref in FEEDBACK_REFS
        )
