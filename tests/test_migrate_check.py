"""The schema check every command makes reads revisions as text: Alembic's answer, no Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from helpers import loaded_by
from productpath.services.workspace import init_workspace
from productpath.store import migrate


def test_heads_read_from_the_scripts_are_alembics() -> None:
    assert migrate.heads_from_scripts() == {migrate.head_revision()}


def test_scripts_that_are_not_plain_leave_the_answer_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "0001_a.py").write_text('revision = "0001"\ndown_revision = None\n')
    (tmp_path / "0002_b.py").write_text('revision: str = "0002"\ndown_revision = ("0001",)\n')
    assert migrate.heads_from_scripts(tmp_path) == {"0002"}
    (tmp_path / "0003_c.py").write_text("revision = make_revision()\ndown_revision = '0002'\n")
    assert migrate.heads_from_scripts(tmp_path) is None


def test_is_current_only_at_the_head(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        assert not migrate.is_current(engine)  # no alembic_version table yet
        migrate.upgrade(engine, "0007")
        assert not migrate.is_current(engine)
        migrate.upgrade(engine)
        assert migrate.is_current(engine)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_newer'"))
        assert not migrate.is_current(engine)
    finally:
        engine.dispose()


def test_opening_a_current_workspace_does_not_import_alembic(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws", "Pocket")
    code = (
        "from pathlib import Path\n"
        "from productpath.services.workspace import open_workspace\n"
        "from productpath.settings import Settings\n"
        f"open_workspace(Settings(workspace=Path({str(tmp_path / 'ws')!r}))).close()"
    )
    assert loaded_by(code, ["alembic"]) == []
