"""customers import/list through the CLI, and their link to feedback (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import invoke

CUSTOMERS = (
    "id,name,segment,annual_revenue\n"
    'acme,Acme Corp,Enterprise,"1,200,000"\n'
    "beta,Beta Ltd,SMB,4800.50\n"
    "gamma,Gamma,,\n"
)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def listed() -> dict[str, Any]:
    result = invoke("customers", "list", "--json")
    assert result.exit_code == 0, result.output
    return {c["id"]: c for c in json.loads(result.stdout)}


def test_import_is_an_idempotent_upsert(workspace_dir: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "customers.csv", CUSTOMERS)
    result = invoke("customers", "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Imported customers from {path}: 3 added, 0 updated, 0 unchanged\n")
    again = invoke("customers", "import", str(path))
    assert "0 added, 0 updated, 3 unchanged" in again.stdout
    customers = listed()
    assert customers["acme"] == {
        "id": "acme",
        "name": "Acme Corp",
        "segment": "Enterprise",
        "annual_revenue": 1_200_000.0,
        "feedback_count": 0,
    }
    assert customers["gamma"]["segment"] is None
    changed = write(tmp_path, "c2.csv", "id,name,segment\nbeta,Beta Limited,enterprise\n")
    assert "0 added, 1 updated" in invoke("customers", "import", str(changed)).stdout
    beta = listed()["beta"]
    # "enterprise" is the segment created as "Enterprise"; revenue stays (no such column).
    assert (beta["name"], beta["segment"], beta["annual_revenue"]) == (
        "Beta Limited",
        "Enterprise",
        4800.5,
    )


def test_bad_row_stops_the_import_with_nothing_written(workspace_dir: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", CUSTOMERS + "delta,Delta,SMB,lots\n")
    result = invoke("customers", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path}:5, field 'annual_revenue': not an amount: 'lots' "
        "(use digits, e.g. 125000.50)\n"
    )
    assert listed() == {}


def test_a_file_without_rows_is_refused(workspace_dir: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "id,name,segment\n")
    result = invoke("customers", "import", str(path))
    assert result.exit_code == 1
    assert (
        result.stderr == f"error: {path}:1: no rows: the file has a header and nothing under it\n"
    )


def test_missing_name_column_and_conflicting_duplicates(
    workspace_dir: Path, tmp_path: Path
) -> None:
    result = invoke("customers", "import", str(write(tmp_path, "a.csv", "id,segment\nx,SMB\n")))
    assert result.exit_code == 1 and "no column 'name'" in result.stderr
    path = write(tmp_path, "b.csv", "id,name\nx,One\nx,One\nx,Two\n")
    result = invoke("customers", "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:4, field 'id'" in result.stderr and "line 2" in result.stderr


def test_feedback_counts_and_customers_created_by_feedback(
    workspace_dir: Path, tmp_path: Path
) -> None:
    invoke("customers", "import", str(write(tmp_path, "customers.csv", CUSTOMERS)))
    feedback = write(
        tmp_path,
        "tickets.csv",
        "text,account\nCard late,acme\nApp slow,acme\nNeed export,newco\nNo account,\n",
    )
    result = invoke(
        "feedback",
        "import",
        str(feedback),
        "--text-column",
        "text",
        "--customer-column",
        "account",
    )
    assert result.exit_code == 0, result.output
    customers = listed()
    assert customers["acme"]["feedback_count"] == 2
    assert customers["newco"]["name"] == "newco" and customers["newco"]["feedback_count"] == 1
    # The customer list later gives newco its real name; the feedback link stays.
    invoke("customers", "import", str(write(tmp_path, "n.csv", "id,name\nnewco,New Co\n")))
    assert listed()["newco"] == {
        "id": "newco",
        "name": "New Co",
        "segment": None,
        "annual_revenue": None,
        "feedback_count": 1,
    }
    table = invoke("customers", "list").stdout
    assert "Acme Corp" in table and "1,200,000.00" in table
