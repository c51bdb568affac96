"""Reading GitHub REST API exports: page shapes, merging issues with pulls, status categories,
and every kind of bad input with its file, line and field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from productpath.errors import InputError
from productpath.ingest.tracker_github import read_github
from productpath.ingest.tracker_record import TrackerRecord
from tracker_fixtures import gh_issue, gh_pull, line_of, write_json

UTC = dt.UTC


def records(*paths: Path) -> dict[str, TrackerRecord]:
    out = read_github(list(paths))
    errors = [item for item in out if isinstance(item, InputError)]
    assert errors == []
    return {r.key: r for r in out if isinstance(r, TrackerRecord)}


def only_error(*paths: Path) -> InputError:
    out = read_github(list(paths))
    errors = [item for item in out if isinstance(item, InputError)]
    assert len(errors) == 1, out
    return errors[0]


def issues_page() -> list[dict[str, object]]:
    return [
        gh_issue(1, "Card never arrives", assignee="mulder", labels=("bug", "cards")),
        gh_issue(
            2,
            "Send the card by courier",
            pull=True,
            labels=("cards",),
            body="Closes #1.\r\n\r\nAlso fixes other/app#3 and resolves "
            "https://github.com/acme/pocket/issues/9",
            created="2026-01-06T10:00:00Z",
        ),
        gh_issue(
            3,
            "Top-up fails",
            state="closed",
            created="2026-01-02T08:00:00Z",
            closed="2026-01-04T17:30:00Z",
            parent=1,
        ),
        gh_issue(
            4,
            "Dark mode",
            pull=True,
            state="closed",
            created="2026-01-03T08:00:00Z",
            closed="2026-01-05T12:00:00Z",
            merged="2026-01-05T12:00:00Z",
        ),
        gh_issue(5, "Export statements", assignee="scully"),
        gh_issue(6, "Savings goals", labels=("Status: In Progress",)),
    ]


def pulls_page() -> list[dict[str, object]]:
    return [
        gh_pull(
            2,
            "Send the card by courier",
            branch="feature/courier",
            body="Closes #1.",
            updated="2026-01-07T09:00:00Z",
        ),
        gh_pull(
            4,
            "Dark mode",
            branch="dark-mode",
            state="closed",
            created="2026-01-03T08:00:00Z",
            closed="2026-01-05T12:00:00Z",
            merged="2026-01-05T12:00:00Z",
        ),
    ]


def test_issues_and_pulls_pages_merge_into_one_item_each(tmp_path: Path) -> None:
    issues = write_json(tmp_path / "issues.json", issues_page())
    pulls = write_json(tmp_path / "pulls.json", pulls_page())
    found = records(issues, pulls)
    assert list(found) == [f"acme/pocket#{n}" for n in range(1, 7)]

    courier = found["acme/pocket#2"]
    assert (courier.item_type, courier.status, courier.status_category) == (
        "pull_request",
        "open",
        "in_progress",
    )
    assert courier.branch == "feature/courier"  # only the pulls page has head.ref
    assert courier.labels == ("cards",)  # only the issues page has them here
    assert courier.started_at == dt.datetime(2026, 1, 6, 10, tzinfo=UTC)
    assert courier.url == "https://github.com/acme/pocket/pull/2"
    assert courier.line == line_of(issues, '"number": 2,')
    # The newer view (the pulls page) wins: its body names only #1.
    assert courier.links == ("closes acme/pocket#1",)

    merged = found["acme/pocket#4"]
    assert (merged.status, merged.status_category, merged.branch) == ("merged", "done", "dark-mode")
    assert merged.resolved_at == dt.datetime(2026, 1, 5, 12, tzinfo=UTC)


def test_status_categories_and_fields_of_issues(tmp_path: Path) -> None:
    found = records(write_json(tmp_path / "issues.json", issues_page()))
    card = found["acme/pocket#1"]
    # An open pull request that closes it: in progress since that pull request was opened.
    assert (card.item_type, card.status, card.status_category) == ("issue", "open", "in_progress")
    assert card.started_at == dt.datetime(2026, 1, 6, 10, tzinfo=UTC)
    assert (card.assignee, card.labels, card.branch, card.points) == (
        "mulder",
        ("bug", "cards"),
        None,
        None,
    )
    assert card.opened_at == dt.datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert card.resolved_at is None

    closed = found["acme/pocket#3"]
    assert (closed.status, closed.status_category) == ("closed", "done")
    assert closed.resolved_at == dt.datetime(2026, 1, 4, 17, 30, tzinfo=UTC)
    assert closed.parent_key == "acme/pocket#1"

    # The issues API alone knows a merge through pull_request.merged_at.
    assert found["acme/pocket#4"].status == "merged"
    # An assignee alone is not work started; an "in progress" label is.
    assert found["acme/pocket#5"].status_category == "todo"
    assert found["acme/pocket#6"].status_category == "in_progress"
    assert found["acme/pocket#6"].started_at is None

    links = found["acme/pocket#2"].links
    assert links == ("closes acme/pocket#1", "closes acme/pocket#9", "closes other/app#3")


def test_a_closed_unmerged_pull_request_does_not_start_its_issue(tmp_path: Path) -> None:
    page = [
        gh_issue(1, "Card never arrives"),
        gh_pull(
            2,
            "Abandoned",
            branch="x",
            state="closed",
            closed="2026-01-08T00:00:00Z",
            body="fixes #1",
        ),
    ]
    found = records(write_json(tmp_path / "p.json", page))
    assert found["acme/pocket#1"].status_category == "todo"
    assert found["acme/pocket#1"].started_at is None
    abandoned = found["acme/pocket#2"]
    assert (abandoned.status, abandoned.status_category) == ("closed", "done")


@pytest.mark.parametrize("shape", ["array_of_arrays", "paginate", "jsonl_pages", "jsonl_objects"])
def test_every_page_shape_reads_the_same(tmp_path: Path, shape: str) -> None:
    pages = [issues_page()[:3], issues_page()[3:]]
    path = tmp_path / "issues.json"
    if shape == "array_of_arrays":
        write_json(path, pages)
    elif shape == "paginate":  # gh api --paginate: arrays one after another
        path.write_text("".join(json.dumps(page, indent=2) for page in pages), encoding="utf-8")
    elif shape == "jsonl_pages":
        path.write_text("\n".join(json.dumps(page) for page in pages) + "\n", encoding="utf-8")
    else:
        objects = [obj for page in pages for obj in page]
        path.write_text("\n".join(json.dumps(o) for o in objects) + "\n", encoding="utf-8")
    single = records(write_json(tmp_path / "single.json", issues_page()))
    found = records(path)
    strip = {k: r.__class__(**{**vars(r), "line": 0}) for k, r in found.items()}
    assert strip == {k: r.__class__(**{**vars(r), "line": 0}) for k, r in single.items()}
    if shape == "jsonl_objects":
        assert found["acme/pocket#5"].line == 5


def test_several_files_and_a_repeated_page_merge(tmp_path: Path) -> None:
    first = write_json(tmp_path / "page1.json", issues_page()[:3])
    second = write_json(tmp_path / "page2.json", issues_page()[2:])  # overlaps on #3
    assert len(records(first, second)) == 6
    assert len(records(first, first)) == 3


def test_key_from_pulls_objects_alone_and_from_html_url(tmp_path: Path) -> None:
    pull = gh_pull(7, "Fix login", branch="fix/login", repo="acme/api")
    issue = gh_issue(8, "Other")
    del issue["repository_url"], issue["url"]
    found = records(write_json(tmp_path / "p.json", [pull, issue]))
    assert set(found) == {"acme/api#7", "acme/pocket#8"}


def test_empty_page_is_fine(tmp_path: Path) -> None:
    assert records(write_json(tmp_path / "p.json", [])) == {}
    assert records(write_json(tmp_path / "p.json", [[], []])) == {}


# --- bad input ------------------------------------------------------------------------------


def test_a_jira_csv_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text("Summary,Issue key\nCard,POCKET-1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_github([path])
    assert (caught.value.file, caught.value.line) == (str(path), 1)
    assert "is not JSON" in caught.value.reason and "--format github" in caught.value.reason


def test_a_truncated_file_names_the_line_where_it_stops(tmp_path: Path) -> None:
    full = json.dumps(issues_page(), indent=2)
    path = tmp_path / "cut.json"
    cut = full[: full.index('"title": "Top-up fails"') + 12]  # inside a string
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_github([path])
    assert "truncated" in caught.value.reason
    assert caught.value.line == cut.count("\n") + 1

    between = full[: full.index("},\n  {") + 2]  # after a complete element and its comma
    path.write_text(between, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_github([path])
    assert caught.value.reason == "the file ends before its JSON array is closed (is it truncated?)"
    assert caught.value.line == between.count("\n") + 1


def test_broken_json_in_the_middle_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"number": 1}\n  {"number": 2}\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_github([path])
    assert (caught.value.line, caught.value.reason) == (
        3,
        "invalid JSON: expected ',' or ']' after an element",
    )
    path.write_text('[\n  {"number": 1,\n   "title": }\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_github([path])
    assert caught.value.line == 3 and caught.value.reason.startswith(
        "invalid JSON: Expecting value"
    )


def test_an_api_error_object_instead_of_a_page(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "issues.json",
        {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
    )
    with pytest.raises(InputError) as caught:
        read_github([path])
    assert str(caught.value) == (
        f"{path}:1: is a GitHub API error response, not issues: Bad credentials"
    )
    jsonl = tmp_path / "pages.jsonl"
    jsonl.write_text(
        json.dumps(issues_page()[:2]) + "\n" + '{"message": "API rate limit exceeded"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_github([jsonl])
    assert caught.value.line == 2 and "rate limit" in caught.value.reason


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"number": None}, "number", "is missing (is this an issues or pulls export?)"),
        ({"number": "12"}, "number", "must be a positive whole number, not '12'"),
        ({"title": None}, "title", "is missing or empty"),
        ({"title": "  "}, "title", "is missing or empty"),
        ({"state": "merged"}, "state", "must be 'open' or 'closed', not 'merged'"),
        ({"created_at": None}, "created_at", "is missing"),
        ({"created_at": "yesterday"}, "created_at", "not a date: 'yesterday'"),
        ({"closed_at": 5}, "closed_at", "must be a date string"),
        ({"labels": "bug"}, "labels", "must be an array of labels"),
        ({"title": "x" * 10, "html_url": None, "repository_url": None, "url": None}, None, ""),
    ],
)
def test_a_bad_object_is_reported_with_line_and_field(
    tmp_path: Path, change: dict[str, object], field: str | None, reason: str
) -> None:
    page = issues_page()
    bad = {k: v for k, v in {**page[2], **change}.items() if v is not None}
    page[2] = bad
    path = write_json(tmp_path / "issues.json", page)
    out = read_github([path])
    error = only_error(path)
    assert (error.file, error.line, error.field) == (
        str(path),
        line_of(path, '"id": 1000003,'),
        field,
    )
    assert error.reason.startswith(reason)
    if field is None:
        assert "cannot tell the repository" in error.reason
    # The others are still read, in their places.
    assert [type(item).__name__ for item in out].count("TrackerRecord") == 5
    assert isinstance(out[2], InputError)


def test_objects_that_are_not_issues(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[\n  42,\n  ["nested", "too deep"]\n]\n', encoding="utf-8")
    errors = [item for item in read_github([path]) if isinstance(item, InputError)]
    assert [(e.line, e.reason) for e in errors] == [
        (2, "expected an issue or pull request object, found a number"),
        (3, "expected an issue or pull request object, found a string"),
        (3, "expected an issue or pull request object, found a string"),
    ]


def test_empty_missing_and_non_utf8_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        read_github([empty])
    with pytest.raises(InputError, match="no such file"):
        read_github([tmp_path / "missing.json"])
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'[\n  {"number": 1,\n   "title": "caf\xe9"}\n]\n')
    with pytest.raises(InputError) as caught:
        read_github([latin])
    assert caught.value.line == 3 and "UTF-8" in caught.value.reason


def test_values_the_store_cannot_keep(tmp_path: Path) -> None:
    long_branch = gh_pull(9, "Long", branch="b" * 300)
    nul = gh_issue(10, "Null \u0000 title")
    path = write_json(tmp_path / "p.json", [long_branch, nul])
    errors = [item for item in read_github([path]) if isinstance(item, InputError)]
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (2, "head.ref", "is longer than 255 characters"),
        (line_of(path, '"number": 10,'), "title", "contains a NUL character"),
    ]


def test_state_reason_is_kept_and_survives_the_pulls_view(tmp_path: Path) -> None:
    wont = gh_issue(7, "Fax support", state="closed", closed="2026-01-08T10:00:00Z")
    wont["state_reason"] = "not_planned"
    merged = gh_issue(
        8, "Dark mode", pull=True, state="closed", closed="2026-01-08T12:00:00Z",
        merged="2026-01-08T12:00:00Z",
    )  # fmt: skip
    issues = write_json(tmp_path / "issues.json", [wont, merged, gh_issue(9, "Open one")])
    pulls = write_json(
        tmp_path / "pulls.json",
        [gh_pull(8, "Dark mode", branch="dark", state="closed", closed="2026-01-08T12:00:00Z",
                 merged="2026-01-08T12:00:00Z", updated="2026-01-09T00:00:00Z")],
    )  # fmt: skip
    found = records(issues, pulls)
    assert found["acme/pocket#7"].state_reason == "not_planned"
    assert found["acme/pocket#8"].state_reason == "completed"  # the pulls API has none
    assert found["acme/pocket#9"].state_reason is None
