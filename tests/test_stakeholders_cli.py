"""The stakeholder registry through the CLI: add/update, validation, RACI, grid, CSV export
(SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import invoke
from productpath.domain.stakeholders import email_problem, period_key, period_length
from web_fixtures import seed

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def listed() -> dict[str, dict[str, Any]]:
    result = invoke("stakeholders", "list", "--json")
    assert result.exit_code == 0, result.output
    return {row["key"]: row for row in json.loads(result.stdout)}


def seeded(workspace_dir: Path) -> None:
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        seed(handle)


def test_add_is_an_idempotent_update_by_key(workspace_dir: Path) -> None:
    result = invoke(
        "stakeholders", "add", "Ada Lovelace", "--role", "CFO", "--org", "Finance",
        "--email", "ada@example.com", "--audience", "executive", "--power", "high",
        "--interest", "high", "--cadence", "monthly",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "Stakeholder 'ada-lovelace' (Ada Lovelace) added.\n"
    again = invoke(
        "stakeholders", "add", "Ada Lovelace", "--role", "CFO", "--email", "ada@example.com"
    )
    assert again.stdout == "Stakeholder 'ada-lovelace' (Ada Lovelace) unchanged.\n"
    ada = listed()["ada-lovelace"]
    assert ada == {
        "key": "ada-lovelace",
        "name": "Ada Lovelace",
        "role": "CFO",
        "organisation": "Finance",
        "email": "ada@example.com",
        "audience": "executive",
        "power": "high",
        "interest": "high",
        "quadrant": "Manage closely",
        "channel": "email",
        "webhook": None,
        "cadence": "monthly",
        "report": "exec",
    }
    # Options not given keep their stored values; the ones given change.
    changed = invoke("stakeholders", "add", "Ada Lovelace", "--interest", "low")
    assert "updated" in changed.stdout
    ada = listed()["ada-lovelace"]
    assert (ada["interest"], ada["role"], ada["quadrant"]) == ("low", "CFO", "Keep satisfied")


@SQLITE_ONLY
def test_webhook_url_is_kept_but_never_listed_in_full(workspace_dir: Path) -> None:
    secret = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    result = invoke(
        "stakeholders", "add", "Eng channel", "--key", "eng", "--channel", "webhook",
        "--webhook-url", secret, "--audience", "engineering",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert listed()["eng"]["webhook"] == "https://hooks.slack.com/…"
    table = invoke("stakeholders", "list")
    assert "SECRET" not in table.stdout and "eng" in table.stdout


BAD_VALUES = [
    (["--email", "not-an-address"], "field 'email': 'not-an-address' is not an e-mail"),
    (["--email", "a@b"], "field 'email': 'a@b' is not an e-mail address (the domain"),
    (["--email", "x@y.org", "--audience", "board"], "field 'audience': must be one of"),
    (["--email", "x@y.org", "--power", "huge"], "field 'power': must be one of low, high"),
    (["--email", "x@y.org", "--cadence", "daily"], "field 'cadence': must be one of"),
    (["--channel", "email"], "the e-mail channel needs an e-mail address"),
    (["--channel", "webhook"], "the webhook channel needs a webhook URL"),
    (["--channel", "webhook", "--webhook-url", "ftp://x"], "is not a webhook URL"),
    (["--email", "x@y.org", "--key", "Not A Key"], "field 'key': a key is lowercase"),
]


@SQLITE_ONLY
def test_bad_values_are_one_line_errors_and_write_nothing(workspace_dir: Path) -> None:
    for args, message in BAD_VALUES:
        result = invoke("stakeholders", "add", "Bob", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
    assert listed() == {}
    # An update is checked as a whole: switching to webhook without a URL is refused.
    invoke("stakeholders", "add", "Bob", "--email", "bob@example.com")
    refused = invoke("stakeholders", "add", "Bob", "--channel", "webhook")
    assert "the webhook channel needs a webhook URL" in refused.stderr
    assert listed()["bob"]["channel"] == "email"


def test_map_raci_matrix_and_csv(workspace_dir: Path, tmp_path: Path) -> None:
    seeded(workspace_dir)
    for name, key in [("Ada", "ada"), ("=cmd|evil", "grace")]:
        out = invoke("stakeholders", "add", name, "--key", key, "--email", f"{key}@example.com")
        assert out.exit_code == 0, out.output
    assert invoke("stakeholders", "map", "onboarding", "ada", "--raci", "a").stdout == (
        "'ada' is now A on 'onboarding'.\n"
    )
    assert (
        "now R on 'onboarding' (was A)"
        in invoke("stakeholders", "map", "onboarding", "ada", "--raci", "R").stdout
    )
    invoke("stakeholders", "map", "onboarding", "grace", "--raci", "A")
    invoke("stakeholders", "map", "card-freeze", "grace", "--raci", "I")
    matrix = json.loads(invoke("stakeholders", "raci", "--json").stdout)
    assert [s["key"] for s in matrix["stakeholders"]] == ["ada", "grace"]
    rows = {row["initiative"]: row for row in matrix["rows"]}
    assert rows["onboarding"]["roles"] == ["R", "A"]
    assert rows["onboarding"]["warnings"] == []
    assert rows["card-freeze"]["warnings"] == [
        "no one is accountable (A)",
        "no one is responsible (R)",
    ]
    assert rows["dark-mode"] == {
        "initiative": "dark-mode",
        "title": "Dark mode",
        "status": "proposed",
        "roles": ["", ""],
        "warnings": [],
    }

    target = tmp_path / "raci.csv"
    out = invoke("stakeholders", "raci", "--csv", str(target))
    assert out.exit_code == 0, out.output
    table = list(csv.reader(target.open(encoding="utf-8")))
    assert table[0] == ["initiative", "title", "ada", "grace"]
    assert ["onboarding", "Guided onboarding", "R", "A"] in table

    removed = invoke("stakeholders", "map", "onboarding", "ada", "--remove")
    assert removed.stdout == "'ada' is no longer R on 'onboarding'.\n"
    both = invoke("stakeholders", "map", "onboarding", "ada", "--raci", "R", "--remove")
    assert both.exit_code == 1 and "either --raci" in both.stderr


@SQLITE_ONLY
def test_map_errors_name_what_is_missing(workspace_dir: Path) -> None:
    seeded(workspace_dir)
    invoke("stakeholders", "add", "Ada", "--email", "ada@example.com")
    missing = invoke("stakeholders", "map", "no-such", "ada", "--raci", "R")
    assert missing.exit_code == 1 and "no initiative with key 'no-such'" in missing.stderr
    nobody = invoke("stakeholders", "map", "onboarding", "zed", "--raci", "R")
    assert "no stakeholder with key 'zed'" in nobody.stderr
    bad = invoke("stakeholders", "map", "onboarding", "ada", "--raci", "X")
    assert "the RACI role must be R, A, C or I" in bad.stderr


@SQLITE_ONLY
def test_grid_and_remove(workspace_dir: Path) -> None:
    invoke("stakeholders", "add", "Ada", "--email", "a@example.com", "--power", "high")
    invoke(
        "stakeholders", "add", "Bo", "--email", "b@example.com", "--power", "high",
        "--interest", "high",
    )  # fmt: skip
    grid = json.loads(invoke("stakeholders", "grid", "--json").stdout)
    cells = {c["advice"]: [s["key"] for s in c["stakeholders"]] for c in grid["cells"]}
    assert cells == {
        "Manage closely": ["bo"],
        "Keep satisfied": ["ada"],
        "Keep informed": [],
        "Monitor": [],
    }
    text = invoke("stakeholders", "grid").stdout
    assert "Keep satisfied [power high, interest low]: Ada (ada)" in text
    assert invoke("stakeholders", "remove", "ada").exit_code == 0
    assert list(listed()) == ["bo"]
    gone = invoke("stakeholders", "remove", "ada")
    assert gone.exit_code == 1 and "no stakeholder with key 'ada'" in gone.stderr


@pytest.mark.parametrize(
    "address",
    ["ann@example.com", "first.last+tag@mail.example.co.uk", "o'neil@example.ie"],
)
def test_plain_addresses_pass(address: str) -> None:
    assert email_problem(address) is None


@pytest.mark.parametrize(
    "address",
    ["", "ann", "ann@", "@x.org", "a@@x.org", "a b@x.org", "Ann <a@x.org>", "a@x.1", "a..b@x.org",
     "a@-x.org", "a@x_y.org"],
)  # fmt: skip
def test_malformed_addresses_are_refused(address: str) -> None:
    assert email_problem(address) is not None


def test_period_keys() -> None:
    import datetime as dt

    day = dt.date(2026, 11, 25)  # ISO week 48
    assert period_key("weekly", day) == "2026-W48"
    assert period_key("biweekly", day) == "2026-W47/2"
    assert period_key("biweekly", dt.date(2026, 11, 18)) == "2026-W47/2"  # week 47
    assert period_key("biweekly", dt.date(2026, 12, 2)) == "2026-W49/2"
    assert period_key("monthly", day) == "2026-11"
    assert period_key("weekly", dt.date(2027, 1, 1)) == "2026-W53"  # ISO year, not calendar
    assert period_length("monthly", dt.date(2026, 3, 10)) == dt.timedelta(days=28)
    with pytest.raises(ValueError):
        period_key("none", day)


def test_add_does_not_rename_and_update_changes_only_what_is_given(workspace_dir: Path) -> None:
    invoke("stakeholders", "add", "Carla Finance", "--key", "cfo", "--email", "cfo@example.com")
    refused = invoke("stakeholders", "add", "X", "--key", "cfo", "--channel", "none")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: field 'name': the key 'cfo' belongs to Carla Finance; adding does not rename "
        "(use 'productpath stakeholders update cfo --name ...')\n"
    )
    assert (listed()["cfo"]["name"], listed()["cfo"]["channel"]) == ("Carla Finance", "email")
    quiet = invoke("stakeholders", "update", "cfo", "--channel", "none")
    assert quiet.stdout == "Stakeholder 'cfo' (Carla Finance) updated.\n"
    renamed = invoke("stakeholders", "update", "cfo", "--name", "Carla Fernández")
    assert renamed.stdout == "Stakeholder 'cfo' (Carla Fernández) updated.\n"
    cfo = listed()["cfo"]
    assert (cfo["name"], cfo["channel"], cfo["email"]) == (
        "Carla Fernández",
        "none",
        "cfo@example.com",
    )
    assert invoke("stakeholders", "update", "cfo", "--name", "Carla Fernández").stdout.endswith(
        "unchanged.\n"
    )
    missing = invoke("stakeholders", "update", "nobody", "--name", "N")
    assert (missing.exit_code, missing.stderr) == (1, "error: no stakeholder with key 'nobody'\n")
    blank = invoke("stakeholders", "update", "cfo", "--name", " ")
    assert blank.stderr == "error: field 'name': the name is empty\n"
