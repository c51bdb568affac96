"""The portal's services: votes (weights, idempotence), comments, feedback; what it shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from portal_fixtures import PUBLIC, add_user, seed_portal
from productpath.errors import InputError, NotFoundError
from productpath.services.portal import (
    comment,
    initiative_social,
    portal_item,
    portal_roadmap,
    submit_feedback,
    unvote,
    vote,
)
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import FeedbackItem, Vote


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        seed_portal(h)
        yield h


def test_the_public_roadmap_groups_public_initiatives_by_stage(handle: OpenWorkspace) -> None:
    view = portal_roadmap(handle, None)
    stages = {s.label: [i.key for i in s.items] for s in view.stages}
    assert stages == {
        "under review": ["dark-mode"],
        "planned": [],
        "in progress": ["onboarding"],
        "shipped": ["card-freeze"],
        "declined": [],
    }
    assert view.can_vote is False and view.note and "Voting needs an account" in view.note
    # Private initiatives read as missing.
    with pytest.raises(NotFoundError):
        portal_item(handle, "crypto", None)
    with pytest.raises(NotFoundError):
        vote(handle, "crypto", add_user(handle, "x@example.com"))


def test_votes_are_weighted_by_revenue_and_count_once(handle: OpenWorkspace) -> None:
    acme = add_user(handle, "ann@acme.example", customer="acme")  # revenue 300, mean 200
    plain = add_user(handle, "pat@example.com")
    first = vote(handle, "dark-mode", acme)
    assert (first.votes, first.weight, first.changed) == (1, 2.5, True)
    again = vote(handle, "dark-mode", acme)
    assert (again.votes, again.changed) == (1, False)
    both = vote(handle, "dark-mode", plain)
    assert (both.votes, both.weight) == (2, 3.5)
    item = portal_item(handle, "dark-mode", acme).item
    assert (item.votes, item.weight, item.voted) == (2, 3.5, True)
    assert portal_item(handle, "dark-mode", None).item.voted is False
    back = unvote(handle, "dark-mode", acme)
    assert (back.votes, back.weight, back.voted, back.changed) == (1, 1.0, False, True)
    assert unvote(handle, "dark-mode", acme).changed is False
    with handle.store.read() as s:
        assert len(s.scalars(select(Vote)).all()) == 1


def test_voting_needs_an_account(handle: OpenWorkspace) -> None:
    with pytest.raises(InputError) as err:
        vote(handle, "dark-mode", None)
    assert err.value.field == "user"


def test_comments_are_redacted_and_private_ones_need_the_team(handle: OpenWorkspace) -> None:
    c = comment(handle, "dark-mode", "Ann", "Call me on +44 20 7946 0958 or ann@acme.example", None)
    assert "+44" not in c.body and "ann@acme.example" not in c.body
    assert "[PHONE]" in c.body and "[EMAIL]" in c.body
    with pytest.raises(NotFoundError):
        comment(handle, "crypto", "Ann", "hello", None)
    comment(handle, "crypto", "PM", "internal thought", None, include_private=True)
    assert [x.body for x in initiative_social(handle, "crypto").comments] == ["internal thought"]
    with pytest.raises(InputError):
        comment(handle, "dark-mode", "Ann", "   ", None)
    page = portal_item(handle, "dark-mode", None)
    assert [x.author for x in page.comments] == ["Ann"]
    assert portal_roadmap(handle, None).stages[0].items[0].comments == 1


def test_feedback_from_the_portal_lands_in_the_store(handle: OpenWorkspace) -> None:
    user = add_user(handle, "ann@acme.example", customer="acme")
    first = submit_feedback(handle, "Export to CSV please, mail ann@acme.example", None, user)
    second = submit_feedback(handle, "Same again", "ann@acme.example", None)
    third = submit_feedback(handle, "Anonymous", None, None)
    with handle.store.read() as s:
        rows = {
            r.id: r for r in s.scalars(select(FeedbackItem).where(FeedbackItem.source == "portal"))
        }
    assert set(rows) == {first, second, third}
    assert rows[first].text == "Export to CSV please, mail [EMAIL]"
    assert rows[first].customer_id is not None
    assert rows[second].customer_id == rows[first].customer_id  # found through the e-mail
    assert rows[third].customer_id is None
    assert len({r.external_id for r in rows.values()}) == 3
    with pytest.raises(InputError):
        submit_feedback(handle, "", None, None)


def test_stakeholders_see_no_internal_fields(handle: OpenWorkspace) -> None:
    text = (
        portal_roadmap(handle, None).model_dump_json()
        + portal_item(handle, "dark-mode", None).model_dump_json()
    )
    for secret in ("INTERNAL", "Acme", "Globex", "acme", "score", "Crypto", "Instant transfers"):
        assert secret not in text
    assert all(key in text for key in PUBLIC[:1])


def test_the_portal_shows_what_the_askers_vote_counts(handle: OpenWorkspace) -> None:
    acme = add_user(handle, "ann@acme.example", customer="acme")  # revenue 300, mean 200
    plain = add_user(handle, "pat@example.com")
    assert portal_roadmap(handle, acme).your_weight == 2.5
    assert portal_roadmap(handle, plain).your_weight == 1.0
    assert portal_roadmap(handle, None).your_weight is None
