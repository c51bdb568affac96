"""A SQLite file named by PRODUCTPATH_DATABASE_URL, shared by workspaces (issue 17, item 12).

The workspace folder then holds no productpath.db of its own; opening, upgrading and backing
up must use the file the URL names, and a URL naming a missing file must say so in one line.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from helpers import invoke
from productpath.errors import WorkspaceError
from productpath.services.backup import backup
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'team' / 'shared.db'}"
    (tmp_path / "team").mkdir()
    init_workspace(tmp_path / "payments", "Payments", url)
    init_workspace(tmp_path / "growth", "Growth", url)
    monkeypatch.setenv("PRODUCTPATH_DATABASE_URL", url)
    return url


def test_workspaces_open_the_shared_file(tmp_path: Path, shared: str) -> None:
    for name in ("payments", "growth"):
        assert not (tmp_path / name / ".productpath" / "productpath.db").exists()
        with open_workspace(Settings(workspace=tmp_path / name, database_url=shared)) as handle:
            assert handle.workspace.sqlite_file == tmp_path / "team" / "shared.db"
    result = invoke("--workspace", str(tmp_path / "growth"), "db", "current")
    assert result.exit_code == 0, result.stderr


def test_a_backup_holds_the_shared_file(tmp_path: Path, shared: str) -> None:
    with open_workspace(Settings(workspace=tmp_path / "growth", database_url=shared)) as handle:
        result = backup(handle.workspace, tmp_path / "growth.tar.gz")
    assert result.kind == "sqlite"
    with tarfile.open(tmp_path / "growth.tar.gz") as archive:
        assert any(member.name.endswith(".db") for member in archive.getmembers())


def test_a_url_naming_a_missing_file_says_so(tmp_path: Path, shared: str) -> None:
    missing = f"sqlite:///{tmp_path / 'nowhere.db'}"
    settings = Settings(workspace=tmp_path / "growth", database_url=missing)
    with pytest.raises(WorkspaceError, match=r"nowhere\.db .*does not exist yet"):
        open_workspace(settings)
    assert not (tmp_path / "nowhere.db").exists()
