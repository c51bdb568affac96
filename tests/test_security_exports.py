"""CSV exports neutralise formula injection; secrets never reach exports or error messages."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from helpers import invoke
from productpath.domain.csv_safety import safe_cell, safe_text
from productpath.services.feedback import export_feedback, import_feedback
from productpath.services.portability import export_all
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import ApiToken, User

ATTACKS = ("=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "\uff1d1+1", '=HYPERLINK("x")')


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_cells_are_made_inert(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert safe_text(text).startswith("'")


def test_plain_values_stay_as_they_are() -> None:
    assert safe_cell("Export to PDF") == "Export to PDF"
    assert safe_cell(-0.5) == "-0.5"
    assert safe_cell(3) == "3"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"


def test_feedback_csv_export_neutralises_every_text_cell(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    source = tmp_path / "evil.csv"
    source.write_text(
        'id,text,customer\n=cmd,=HYPERLINK("http://x.test"),@acme\n2,+1 555,-x\n',
        encoding="utf-8",
    )
    import_feedback(opened, source, text_column="text", id_column="id", customer_column="customer")
    out = io.StringIO()
    export_feedback(opened, out, "csv")
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row


def test_exports_and_errors_hold_no_secrets(opened: OpenWorkspace, tmp_path: Path) -> None:
    with opened.store.write() as session:
        user = User(email="ana@example.com", password_hash="$argon2id$v=19$m=65536$SECRETHASH")
        session.add(user)
        session.flush()
        session.add(ApiToken(user_id=user.id, name="ci", prefix="pp_x", token_hash="ab" * 32))
    export_all(opened, tmp_path / "export.zip")
    data = (tmp_path / "export.zip").read_bytes()
    import zipfile

    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist())
    assert "SECRETHASH" not in text and "ab" * 32 not in text
    assert data  # the export exists and was searched


def test_a_database_password_never_reaches_the_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PRODUCTPATH_DATABASE_URL", "postgresql+psycopg://ana:hunter2-pw@127.0.0.1:9/none"
    )
    (tmp_path / "productpath.toml").write_text('name = "P"\nproduct = "p"\n')
    result = invoke("-w", str(tmp_path), "export", "--all", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "hunter2-pw" not in result.stderr + result.stdout
    backup = invoke("-w", str(tmp_path), "backup", str(tmp_path / "b.dump"))
    assert "hunter2-pw" not in backup.stderr + backup.stdout
