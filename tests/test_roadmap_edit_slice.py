"""An initiative's own-field edit is checked without the whole roadmap (store.initiative_slice
and roadmap_yaml.validate_initiative_edit): it must say what validating the whole edited roadmap
says, for the edited initiative and for every other one a dependency cycle may point at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_fixtures import seed_portal
from productpath.domain.roadmap import RoadmapDoc
from productpath.errors import RoadmapError
from productpath.ingest.roadmap_yaml import validate_data, validate_initiative_edit
from productpath.services.roadmap import load_roadmap
from productpath.services.roadmap_edit import edit_object, object_spec
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store import product_repo
from productpath.store.initiative_slice import initiative_slice

CHANGES: tuple[dict[str, object], ...] = (
    {"team": "nobody"},
    {"objective": "nope", "milestone": "never"},
    {"milestone": "never"},
    {"depends_on": ["missing-one"]},
    {"depends_on": ["x", "x"]},
    {"estimate": {"optimistic": 3, "likely": 1, "pessimistic": 2}},
    {"start": "2030-02-01", "target": "2030-01-01"},
    {"status": "shipped"},
    {"title": ""},
)


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        seed_portal(h)
        yield h


def _whole(doc: RoadmapDoc, index: int, item: dict[str, object]) -> RoadmapError:
    data = doc.model_dump(mode="json")
    data["initiatives"][index] = item
    with pytest.raises(RoadmapError) as whole:
        validate_data(data)
    return whole.value


def _relative(doc: RoadmapDoc, index: int, error: RoadmapError) -> tuple[str | None, str]:
    """The whole roadmap's error as the edit form words it (see roadmap_edit._relative)."""
    own = f"initiatives[{index}]"
    field = error.field or ""
    if field.startswith(own + ".") or field.startswith(own + "["):
        return field[len(own) + 1 :], error.reason
    head, _, rest = field.partition(".")
    other = doc.initiatives[int(head.partition("[")[2].rstrip("]"))].id
    return None, f"{error.reason} (in initiative '{other}', field '{rest}')"


def test_each_initiative_edit_says_what_the_whole_roadmap_says(handle: OpenWorkspace) -> None:
    doc = load_roadmap(handle)
    assert doc is not None and len(doc.initiatives) > 2
    keys = [i.id for i in doc.initiatives]
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        assert product_id is not None
        slices = {k: initiative_slice(session, product_id, k) for k in keys}
    for index, spec in enumerate(doc.initiatives):
        part = slices[spec.id]
        assert part is not None and part.position == index and part.spec == spec
        # Depending on every other initiative closes a cycle wherever something depends on it.
        others = [k for k in keys if k != spec.id]
        for change in (*CHANGES, {"depends_on": others}, {"depends_on": [spec.id]}):
            item = {**spec.model_dump(mode="json"), **change}
            try:
                validate_data(
                    {
                        **doc.model_dump(mode="json"),
                        "initiatives": [
                            item if n == index else i.model_dump(mode="json")
                            for n, i in enumerate(doc.initiatives)
                        ],
                    }
                )
            except RoadmapError:
                pass
            else:
                continue  # a valid change (no cycle there): nothing to compare
            whole = _whole(doc, index, item)
            with pytest.raises(RoadmapError) as one:
                validate_initiative_edit(index, item, part.known, part.order, part.edges)
            assert (one.value.field, one.value.reason) == (whole.field, whole.reason)


def test_a_cycle_through_another_initiative_is_named_and_nothing_is_saved(
    handle: OpenWorkspace,
) -> None:
    doc = load_roadmap(handle)
    assert doc is not None
    keys = [i.id for i in doc.initiatives]
    first, last = keys[0], keys[-1]
    # first -> last, then last -> first: the cycle starts at first, the edited one is last.
    _, version = object_spec(handle, "initiative", first)
    edit_object(
        handle,
        "initiative",
        first,
        {"depends_on": [last]},
        expected_version=version,
        actor="a",
        via="web",
    )
    after_first = load_roadmap(handle)
    assert after_first is not None
    _, version = object_spec(handle, "initiative", last)
    item = {**after_first.initiatives[-1].model_dump(mode="json"), "depends_on": [first]}
    expected = _relative(after_first, len(keys) - 1, _whole(after_first, len(keys) - 1, item))
    with pytest.raises(RoadmapError) as bad:
        edit_object(
            handle,
            "initiative",
            last,
            {"depends_on": [first]},
            expected_version=version,
            actor="a",
            via="web",
        )
    assert (bad.value.field, bad.value.reason) == expected
    assert bad.value.reason.startswith("dependency cycle")
    assert f"in initiative '{first}', field 'depends_on[0]'" in bad.value.reason
    assert load_roadmap(handle) == after_first
    assert object_spec(handle, "initiative", last)[1] == version


def test_an_own_field_edit_keeps_the_feedback_digest_and_the_scores_stay_right(
    handle: OpenWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cached path: scoring's pass over the feedback (keyed on the data version) is carried
    over an edit of an initiative's own fields, and gives the scores a fresh read gives."""
    from productpath.services.scoring import ranked_initiatives
    from productpath.store import scoring_repo

    reads: list[int] = []
    real = scoring_repo._read_digest

    def counted(*args: object) -> scoring_repo.FeedbackDigest:
        reads.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(scoring_repo, "_read_digest", counted)
    ranked_initiatives(handle)
    assert reads == [1]
    _, version = object_spec(handle, "initiative", "onboarding")
    saved = edit_object(
        handle,
        "initiative",
        "onboarding",
        {
            "title": "Onboarding, renamed",
            "estimate": {"optimistic": 1, "likely": 2, "pessimistic": 8},
        },
        expected_version=version,
        actor="a",
        via="web",
    )
    assert saved.changed == ("title", "estimate")
    carried = ranked_initiatives(handle)
    assert reads == [1]  # no second pass over the feedback
    assert any(s.key == "onboarding" and s.title == "Onboarding, renamed" for s in carried)
    scoring_repo._DIGESTS.clear()
    assert ranked_initiatives(handle) == carried  # what a fresh read gives
    assert reads == [1, 1]
    # Any other write is not vouched for: the digest is read again after it.
    with handle.store.write():
        pass
    ranked_initiatives(handle)
    assert reads == [1, 1, 1]
