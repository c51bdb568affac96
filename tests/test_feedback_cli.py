"""The feedback commands, end to end through the CLI (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from helpers import invoke

CONTENT = (
    "id,body,created,account\n"
    "1,Card never arrived,2024-03-05,acme\n"
    "2,@admin please call me,2024-03-06,\n"
    "3,,2024-03-07,acme\n"
    "4,Top-up failed,last week,beta\n"
)
OPTIONS = (
    "--text-column",
    "body",
    "--id-column",
    "id",
    "--date-column",
    "created",
    "--customer-column",
    "account",
)


def reviews(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.csv"
    path.write_text(CONTENT, encoding="utf-8")
    return path


def test_import_error_is_one_line_and_writes_nothing(workspace_dir: Path, tmp_path: Path) -> None:
    path = reviews(tmp_path)
    result = invoke("feedback", "import", str(path), *OPTIONS)
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}:4, field 'body': the text is missing or empty\n"
    assert json.loads(invoke("feedback", "list", "--json").stdout) == []


def test_import_skip_invalid_summary_and_reimport(workspace_dir: Path, tmp_path: Path) -> None:
    path = reviews(tmp_path)
    result = invoke("feedback", "import", str(path), *OPTIONS, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Imported 2 new items from {path} (source 'reviews'); 0 already present; 2 skipped\n"
    )
    assert f"skipped {path}:4, field 'body': the text is missing or empty" in result.stderr
    assert f"skipped {path}:5, field 'created': not a date" in result.stderr
    again = invoke("feedback", "import", str(path), *OPTIONS, "--skip-invalid")
    assert "Imported 0 new items" in again.stdout and "2 already present" in again.stdout


def test_list_json_and_table(workspace_dir: Path, tmp_path: Path) -> None:
    invoke("feedback", "import", str(reviews(tmp_path)), *OPTIONS, "--skip-invalid")
    data = json.loads(invoke("feedback", "list", "--json").stdout)
    assert [(d["external_id"], d["source"], d["customer"]) for d in data] == [
        ("1", "reviews", "acme"),
        ("2", "reviews", None),
    ]
    assert data[0]["created_at"] == "2024-03-05T00:00:00+00:00"
    assert len(json.loads(invoke("feedback", "list", "--json", "--limit", "1").stdout)) == 1
    table = invoke("feedback", "list", "--wide").stdout
    assert "Card never arrived" in table and "acme" in table


def test_unknown_column_and_format(workspace_dir: Path, tmp_path: Path) -> None:
    path = reviews(tmp_path)
    result = invoke("feedback", "import", str(path), "--text-column", "text")
    assert result.exit_code == 1
    assert "no column 'text'" in result.stderr and "'body'" in result.stderr
    result = invoke("feedback", "import", str(path), "--text-column", "body", "--format", "xml")
    assert result.exit_code == 2


def test_export_csv_to_stdout_neutralises_formulas(workspace_dir: Path, tmp_path: Path) -> None:
    invoke("feedback", "import", str(reviews(tmp_path)), *OPTIONS, "--skip-invalid")
    result = invoke("feedback", "export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["text"] for r in rows] == ["Card never arrived", "'@admin please call me"]


def test_export_json_to_file(workspace_dir: Path, tmp_path: Path) -> None:
    invoke("feedback", "import", str(reviews(tmp_path)), *OPTIONS, "--skip-invalid")
    out = tmp_path / "out" / "feedback.json"
    out.parent.mkdir()
    result = invoke("feedback", "export", "--format", "json", "--out", str(out))
    assert result.exit_code == 0
    assert result.stdout == f"Exported 2 feedback items to {out}\n"
    assert [d["text"] for d in json.loads(out.read_text(encoding="utf-8"))] == [
        "Card never arrived",
        "@admin please call me",
    ]
    assert list(out.parent.iterdir()) == [out]


def test_empty_workspace_lists_and_exports_nothing(workspace_dir: Path) -> None:
    assert "No feedback yet" in invoke("feedback", "list").stdout
    assert json.loads(invoke("feedback", "export", "--format", "json").stdout) == []


def test_export_into_a_missing_folder_is_one_line(workspace_dir: Path, tmp_path: Path) -> None:
    result = invoke("feedback", "export", "--out", str(tmp_path / "nope" / "x.csv"))
    assert result.exit_code == 1
    assert "the folder to write into does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


PII_CONTENT = (
    "id,body\n"
    "1,Mail ann.lee@example.com or call +44 20 7946 0958 / 020 7946 0958\n"
    "2,Card 4111 1111 1111 1111 was charged twice\n"
    "3,Nothing personal on 2026-11-25\n"
)
PII_VALUES = ("ann.lee@example.com", "+44 20 7946 0958", "020 7946 0958", "4111 1111 1111 1111")


def test_import_redacts_and_reports_counts_only(workspace_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(PII_CONTENT, encoding="utf-8")
    result = invoke("feedback", "import", str(path), "--text-column", "body", "--id-column", "id")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["Redacted PII in 2 items: 1 card, 1 email, 2 phone"]
    listed = invoke("feedback", "list", "--json").stdout
    exported = invoke("feedback", "export", "--format", "csv").stdout
    for value in PII_VALUES:
        assert value not in result.output + listed + exported
    assert json.loads(listed)[0]["text"] == "Mail [EMAIL] or call [PHONE] / [PHONE]"


def test_keep_pii_then_default_import_redacts_stored_text(
    workspace_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(PII_CONTENT, encoding="utf-8")
    options = ("--text-column", "body", "--id-column", "id")
    kept = invoke("feedback", "import", str(path), *options, "--keep-pii")
    assert kept.stdout.count("\n") == 1  # no redaction lines
    assert PII_VALUES[0] in invoke("feedback", "list", "--json").stdout
    again = invoke("feedback", "import", str(path), *options)
    assert again.stdout.splitlines() == [
        f"Imported 0 new items from {path} (source 'tickets'); 1 already present; 0 skipped",
        "Redacted the text of 2 items already stored",
        "Redacted PII in 2 items: 1 card, 1 email, 2 phone",
    ]
    listed = invoke("feedback", "list", "--json").stdout
    assert not any(value in listed for value in PII_VALUES)


def test_list_json_has_the_analysis_fields(workspace_dir: Path, tmp_path: Path) -> None:
    invoke("feedback", "import", str(reviews(tmp_path)), *OPTIONS, "--skip-invalid")
    item = json.loads(invoke("feedback", "list", "--json").stdout)[0]
    assert {k: item[k] for k in ("theme_id", "theme_label", "sentiment", "kind")} == {
        "theme_id": None,
        "theme_label": None,
        "sentiment": None,
        "kind": None,
    }
    header = invoke("feedback", "export").stdout.splitlines()[0]
    assert (
        header
        == "id,external_id,source,text,created_at,customer,theme_id,theme_label,sentiment,kind"
    )


def test_import_removes_nul_characters_with_a_warning(workspace_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('id,body\n1,"Sync\x00 broke\x00"\n2,Fine\n', encoding="utf-8")
    result = invoke("feedback", "import", str(path), "--text-column", "body", "--id-column", "id")
    assert result.exit_code == 0, result.stderr
    assert "Imported 2 new items" in result.stdout
    assert result.stderr == (
        f"warning: {path}:2: removed 2 NUL characters from the text of 1 row (first here)\n"
    )
    texts = {item["text"] for item in json.loads(invoke("feedback", "list", "--json").stdout)}
    assert texts == {"Sync broke", "Fine"}
