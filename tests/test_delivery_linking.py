"""The linking rules on plain records: each rule, what must not link, and precedence."""

from __future__ import annotations

import datetime as dt

import pytest

from productpath.delivery.linking import Link, link_work, merge_branch
from productpath.domain.work import CommitRecord, InitiativeRefs, ItemRecord

T0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
INITIATIVES = [
    InitiativeRefs("kyc", epics=("POCKET-12",), labels=("identity",)),
    InitiativeRefs("kyc-lite"),
    InitiativeRefs("tap-to-pay", labels=("NFC",)),
]


def commit_links(subject: str, body: str = "") -> set[tuple[str, str]]:
    links = link_work(INITIATIVES, [CommitRecord(1, "a" * 40, subject, body)], [])
    return {(link.initiative, link.rule) for link in links}


def item_links(**fields: object) -> set[tuple[str, str]]:
    values: dict[str, object] = {"id": 7, "key": "POCKET-99", "title": "x", "opened_at": T0}
    values.update(fields)
    links = link_work(INITIATIVES, [], [ItemRecord(**values)])  # type: ignore[arg-type]
    return {(link.initiative, link.rule) for link in links}


@pytest.mark.parametrize(
    "subject",
    [
        "[kyc] ask for the tax id",
        "Ask for the tax id [KYC]",
        "kyc: ask for the tax id",
        "  KYC: ask for the tax id",
        "feat(kyc): ask for the tax id",
        "feat(kyc)!: drop the old form",
        "Ask for the tax id (kyc)",
        "[ kyc ] spaces inside the brackets",
    ],
)
def test_explicit_forms_in_a_subject_link(subject: str) -> None:
    assert commit_links(subject) == {("kyc", "message_key")}


@pytest.mark.parametrize(
    "subject",
    [
        "Fix the kyc form",  # a bare word in prose
        "kyc form: fix the layout",  # not the whole leading token
        "Update kycs",
        "[kyc-old] another key",
        "Refactor (see kyc docs)",
        "Mention kyc-lite in passing",
        "prefix kyc: not at the start",
    ],
)
def test_a_key_in_prose_does_not_link(subject: str) -> None:
    assert commit_links(subject) == set()


def test_a_trailer_links_case_insensitively_and_may_name_several() -> None:
    body = "Longer text.\n\ninitiative: KYC-LITE\nInitiatives: tap-to-pay, kyc\n"
    assert commit_links("Add the form", body) == {
        ("kyc-lite", "trailer"),
        ("tap-to-pay", "trailer"),
        ("kyc", "trailer"),
    }


def test_a_trailer_with_an_unknown_key_links_nothing() -> None:
    assert commit_links("Add the form", "Initiative: nope\nReviewed-by: kyc") == set()


def test_the_strongest_rule_wins_for_one_initiative() -> None:
    assert commit_links("[kyc] tax id", "Initiative: kyc") == {("kyc", "trailer")}


@pytest.mark.parametrize(
    ("subject", "branch"),
    [
        ("Merge branch 'feature/kyc-lite-form'", "feature/kyc-lite-form"),
        ("Merge branch 'kyc' into main", "kyc"),
        ("Merge branch 'x' of github.com:o/r into main", "x"),
        ("Merge remote-tracking branch 'origin/kyc'", "origin/kyc"),
        ("Merge pull request #42 from acme/feature/kyc-form", "feature/kyc-form"),
        ("Merged in hotfix/kyc (pull request #7)", "hotfix/kyc"),
        ("Add a merge helper", None),
    ],
)
def test_merge_branch_is_read_from_merge_subjects(subject: str, branch: str | None) -> None:
    assert merge_branch(subject) == branch


def test_a_merged_branch_links_by_its_segments_and_the_longer_key_wins() -> None:
    assert commit_links("Merge branch 'feature/kyc-lite-form'") == {("kyc-lite", "branch")}
    assert commit_links("Merge pull request #3 from acme/kyc-form") == {("kyc", "branch")}
    assert commit_links("Merge branch 'tap-to-pay/kyc'") == {
        ("tap-to-pay", "branch"),
        ("kyc", "branch"),
    }
    assert commit_links("Merge branch 'kyclite'") == set()
    assert commit_links("Merge branch 'feature/kyc_lite'") == set()


def test_a_pull_request_links_by_title_and_head_branch() -> None:
    pr = {"item_type": "pull_request", "key": "acme/pocket#5"}
    assert item_links(title="[tap-to-pay] NFC reader", **pr) == {("tap-to-pay", "pr_title")}
    assert item_links(title="NFC reader", branch="tap-to-pay/reader", **pr) == {
        ("tap-to-pay", "branch")
    }
    # The title rule is for pull requests: an issue's title links nothing.
    assert item_links(title="[tap-to-pay] NFC reader", item_type="issue") == set()


def test_epics_and_labels_link_items() -> None:
    assert item_links(parent_key="pocket-12") == {("kyc", "epic")}
    assert item_links(key="POCKET-12", item_type="epic") == {("kyc", "epic")}
    assert item_links(labels=("nfc", "ui")) == {("tap-to-pay", "label")}
    assert item_links(labels=("identity",), parent_key="POCKET-12") == {("kyc", "epic")}
    assert item_links(labels=("identity-check",), parent_key="POCKET-13") == set()


def test_one_piece_of_work_may_link_to_several_initiatives() -> None:
    assert item_links(labels=("identity", "NFC")) == {("kyc", "label"), ("tap-to-pay", "label")}


def test_links_are_sorted_and_carry_the_ref() -> None:
    commits = [
        CommitRecord(2, "b" * 40, "[kyc] two"),
        CommitRecord(1, "a" * 40, "[tap-to-pay] one", "Initiative: kyc"),
    ]
    items = [ItemRecord(5, "POCKET-1", "t", T0, labels=("identity",))]
    links = link_work(INITIATIVES, commits, items)
    assert links == [
        Link("commit", 1, "kyc", "trailer", "a" * 40),
        Link("commit", 1, "tap-to-pay", "message_key", "a" * 40),
        Link("commit", 2, "kyc", "message_key", "b" * 40),
        Link("item", 5, "kyc", "label", "POCKET-1"),
    ]
    assert [link.ref for link in links][-1] == "POCKET-1"
    assert link_work(INITIATIVES, reversed(commits), items) == links


def test_no_initiatives_means_no_links() -> None:
    assert link_work([], [CommitRecord(1, "a", "[kyc] x", "Initiative: kyc")], []) == []


def test_commits_of_a_merged_branch_inherit_its_links() -> None:
    def c(n: int, subject: str, *parents: int, body: str = "") -> CommitRecord:
        return CommitRecord(n, f"s{n}", subject, body, parents=tuple(f"s{p}" for p in parents))

    history = [
        c(1, "root"),
        c(2, "main work", 1),
        c(3, "form", 1),  # on feature/kyc-form
        c(4, "[tap-to-pay] shared helper", 3),  # on feature/kyc-form, names another key
        c(5, "Merge branch 'feature/kyc-form'", 2, 4),
        c(6, "reader", 1),  # on a pull request's branch
        c(7, "Merge pull request #5 from acme/reader", 5, 6, body="[tap-to-pay] Reader\n\nMore."),
        c(8, "head", 7),
    ]
    links = {
        (link.work_id, link.initiative, link.rule) for link in link_work(INITIATIVES, history, [])
    }
    assert links == {
        (3, "kyc", "branch"),
        (4, "kyc", "branch"),
        (4, "tap-to-pay", "message_key"),
        (5, "kyc", "branch"),
        (6, "tap-to-pay", "branch"),
        (7, "tap-to-pay", "pr_title"),
    }


def test_text_rules_link_only_work_from_the_initiatives_start() -> None:
    # A 2016 branch named like a 2026 initiative is older work, not the initiative's.
    docs = [InitiativeRefs("docs", labels=("docs",), since=dt.date(2026, 3, 1))]
    old = dt.datetime(2016, 5, 2, 9, tzinfo=dt.UTC)
    new = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    commits = [
        CommitRecord(1, "a" * 40, "Merge branch 'docs/cleanup'", committed_at=old),
        CommitRecord(2, "b" * 40, "[docs] old message", committed_at=old),
        CommitRecord(3, "c" * 40, "Tidy", "Initiative: docs", committed_at=old),
        CommitRecord(4, "d" * 40, "Merge branch 'docs/cleanup'", committed_at=new),
        CommitRecord(5, "e" * 40, "[docs] new message", committed_at=new),
    ]
    items = [
        ItemRecord(7, "#7", "[docs] old PR", old, item_type="pull_request", branch="docs/x"),
        ItemRecord(8, "#8", "Old issue", old, labels=("docs",)),
        ItemRecord(9, "#9", "[docs] new PR", new, item_type="pull_request"),
    ]
    found = {(link.kind, link.work_id, link.rule) for link in link_work(docs, commits, items)}
    assert found == {
        ("commit", 3, "trailer"),  # "Initiative: docs" is no accident, whatever its date
        ("commit", 4, "branch"),
        ("commit", 5, "message_key"),
        ("item", 8, "label"),  # a label is mapped by hand: linked whatever its date
        ("item", 9, "pr_title"),
    }
