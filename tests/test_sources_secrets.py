"""A source's token is read from the environment for each sync and goes nowhere else: not into
the database, not into ``export --all``, not into CLI output, error lines or logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from github_fake import FakeGitHub
from helpers import invoke

TOKEN = "ghp_Zq8v1TokenThatMustNeverLeak0042"


def _database_text(workspace_dir: Path, database_url: str) -> str:
    """Everything the database holds: the SQLite files' bytes, or every PostgreSQL row."""
    if database_url.startswith("sqlite"):
        files = [p for p in workspace_dir.rglob("*") if p.is_file() and ".db" in p.name]
        assert files, "the workspace database was not found"
        return "".join(p.read_bytes().decode("latin-1") for p in files)
    engine = create_engine(make_url(database_url))
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            rows = [
                repr(tuple(row))
                for name in names
                for row in conn.execute(select(text("*")).select_from(text(f'"{name}"')))
            ]
    finally:
        engine.dispose()
    assert any("acme/pocket#1" in row for row in rows), "the synced items were not found"
    return "\n".join(rows)


def test_the_token_is_never_stored_exported_printed_or_logged(
    workspace_dir: Path,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    with FakeGitHub(token=TOKEN) as github:
        github.add_many(20)
        outputs = [
            invoke(*github.connect_args("--token-env", "GH_TOKEN")),
            invoke("sync", "gh"),
            invoke("sync", "--json"),
            invoke("sources", "show", "gh"),
            invoke("sources", "list", "--json"),
        ]
        assert [r.exit_code for r in outputs] == [0, 0, 0, 0, 0], outputs[1].output
        github.fail(404, path="/issues", message="Not Found")
        outputs.append(invoke("sync", "gh"))  # fails: the error line must not carry it
        github.token = "another"
        github.faults.clear()
        outputs.append(invoke("sync", "gh"))  # 401
        assert [r.exit_code for r in outputs[-2:]] == [1, 1]
        sent = {seen.headers.get("authorization") for seen in github.requests}
    assert f"Bearer {TOKEN}" in sent  # the token was really used

    out = tmp_path / "export"
    outputs.append(invoke("export", "--all", str(out)))
    assert outputs[-1].exit_code == 0, outputs[-1].output
    exported = "".join(p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file())
    assert "acme/pocket#1" in exported  # the export holds the synced items and was searched

    printed = "".join(r.stdout + r.stderr for r in outputs)
    assert "source 'gh'" in printed
    for where, haystack in (
        ("CLI output", printed),
        ("logs", caplog.text),
        ("export --all", exported),
        ("database", _database_text(workspace_dir, database_url)),
    ):
        assert TOKEN not in haystack, where
        assert TOKEN[4:20] not in haystack, where
