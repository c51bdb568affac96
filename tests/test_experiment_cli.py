"""experiment analyze / show / list / size through the CLI, and bad experiment files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import invoke

COUNTS = (
    "variant,users,signups,basket_mean,basket_sd\ncontrol,10000,1000,40,28\nnew,10100,1100,41,29\n"
)


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_analyze_counts_json_shape_and_stored(workspace_dir: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "checkout.csv", COUNTS)
    result = invoke("experiment", "analyze", path, "--users-column", "users", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["srm"]["mismatch"] is False and 0 < data["srm"]["p_value"] <= 1
    by_metric = {c["metric"]: c for c in data["comparisons"]}
    assert set(by_metric) == {"signups", "basket"}
    signups = by_metric["signups"]
    assert signups["kind"] == "conversion" and signups["variant"] == "new"
    for field in ("lift", "ci_low", "ci_high", "p_value"):
        assert isinstance(signups[field], float)
    assert signups["ci_low"] < signups["lift"] < signups["ci_high"]
    assert by_metric["basket"]["kind"] == "mean"
    shown = json.loads(invoke("experiment", "show", "checkout", "--json").stdout)
    assert shown["comparisons"] == data["comparisons"]
    assert [e["key"] for e in json.loads(invoke("experiment", "list", "--json").stdout)] == [
        "checkout"
    ]


def test_per_user_rows(workspace_dir: Path, tmp_path: Path) -> None:
    lines = ["user,variant,paid,amount"]
    for i in range(40):
        lines.append(f"u{i},{'a' if i % 2 else 'b'},{int(i % 3 == 0)},{10 + i % 7}")
    path = _file(tmp_path, "rows.csv", "\n".join(lines) + "\n")
    result = invoke(
        "experiment",
        "analyze",
        path,
        "--user-column",
        "user",
        "--control",
        "a",
        "--no-save",
        "--json",
    )
    assert result.exit_code == 0, result.output
    kinds = {c["metric"]: c["kind"] for c in json.loads(result.stdout)["comparisons"]}
    assert kinds == {"paid": "conversion", "amount": "mean"}
    assert json.loads(invoke("experiment", "list", "--json").stdout) == []


def test_sample_ratio_mismatch_is_loud(workspace_dir: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "srm.csv", "variant,users,signups\ncontrol,10000,1000\nnew,11000,1100\n")
    result = invoke("experiment", "analyze", path, "--users-column", "users", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["srm"]["mismatch"] is True
    assert "WARNING: SAMPLE RATIO MISMATCH" in result.stderr
    planned = invoke(
        "experiment",
        "analyze",
        path,
        "--users-column",
        "users",
        "--json",
        "--split",
        "control=10,new=11",
    )
    assert json.loads(planned.stdout)["srm"]["mismatch"] is False


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (
            "variant,users,s\ncontrol,100,1\nnew,0,0\n",
            (),
            "checkout.csv:3, field 'users': variant 'new' has 0 users",
        ),
        ("variant,users,s\ncontrol,100,1\n", (), "only one variant ('control')"),
        ("variant,users,s\ncontrol,100,1\nnew,100,200\n", (), "200 conversions but only 100 users"),
        (
            "variant,users,s\ncontrol,100,1\ncontrol,100,2\n",
            (),
            "variant 'control' is on line 2 too",
        ),
        (COUNTS, ("--control", "ctrl"), "no variant 'ctrl' in the file"),
        (COUNTS, ("--split", "control=50"), "missing: new"),
    ],
)
def test_bad_experiment_input_is_one_line(
    workspace_dir: Path, tmp_path: Path, text: str, args: tuple[str, ...], message: str
) -> None:
    path = _file(tmp_path, "checkout.csv", text)
    result = invoke("experiment", "analyze", path, "--users-column", "users", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_user_in_two_rows_is_an_error(workspace_dir: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "rows.csv", "user,variant,paid\nu1,a,1\nu2,b,0\nu1,b,1\n")
    result = invoke("experiment", "analyze", path, "--user-column", "user")
    assert result.exit_code == 1 and "rows.csv:4" in result.stderr and "line 2" in result.stderr


def test_size() -> None:
    result = invoke("experiment", "size", "--baseline", "0.1", "--mde", "0.1", "--json")
    assert json.loads(result.stdout)["per_arm"] == 14751
    result = invoke(
        "experiment",
        "size",
        "--sd",
        "10",
        "--mde",
        "2",
        "--absolute",
        "--daily-users",
        "100",
        "--json",
    )
    data = json.loads(result.stdout)
    assert data["per_arm"] == 394 and data["days"] == pytest.approx(7.88)
    bad = invoke("experiment", "size", "--baseline", "1.5", "--mde", "0.1")
    assert bad.exit_code == 1 and "strictly between 0 and 1" in bad.stderr


def test_a_counts_file_without_users_column_is_recognised_or_refused(
    workspace_dir: Path, tmp_path: Path
) -> None:
    """One row per variant is a counts file: never two users who "need at least 2 users"."""
    path = _file(tmp_path, "ab.csv", "variant,users,conversions\ncontrol,5000,400\nb,5000,460\n")
    plain = invoke("experiment", "analyze", path, "--json", "--no-save")
    named = invoke("experiment", "analyze", path, "--users-column", "users", "--json", "--no-save")
    assert plain.exit_code == 0, plain.output
    read, told = json.loads(plain.stdout), json.loads(named.stdout)
    assert read["comparisons"] == told["comparisons"]
    assert read["comparisons"][0]["kind"] == "conversion"
    assert read["caveats"][-1] == (
        "read as one row per variant, with the users in column 'users' "
        "(--users-column names another)"
    )
    text = "variant,people,conversions\ncontrol,5000,400\nb,5000,460\n"
    unnamed = _file(tmp_path, "cr.csv", text)
    refused = invoke("experiment", "analyze", unnamed)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: {unnamed}:2: each variant is on one row, so this is a file of counts per "
        "variant, not of users; say which column holds the users per variant with "
        "--users-column (the file has: 'people', 'conversions')\n"
    )
    # A per-user file is still read per user.
    rows = "variant,converted\n" + "control,0\nb,1\n" * 30
    per_user_file = _file(tmp_path, "u.csv", rows)
    per_user = invoke("experiment", "analyze", per_user_file, "--json", "--no-save")
    assert json.loads(per_user.stdout)["srm"]["observed"] == {"control": 30, "b": 30}
