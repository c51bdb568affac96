"""Files and folders written beside their path and renamed over it only when whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from productpath.errors import InputError
from productpath.services.whole_files import written_whole


def test_a_finished_file_replaces_the_old_one(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("old", encoding="utf-8")
    with written_whole(out, "report") as partial:
        assert partial.name == "report.md.partial"
        partial.write_text("new", encoding="utf-8")
        assert out.read_text(encoding="utf-8") == "old"  # untouched until the block ends
    assert out.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_failure_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    out = tmp_path / "export.zip"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), written_whole(out, "export") as partial:
        partial.write_text("half", encoding="utf-8")
        raise RuntimeError("a bad row")
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


def test_a_folder_is_written_whole_too_and_removed_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "export"
    with written_whole(out, "export") as partial:
        (partial / "tables").mkdir(parents=True)
        (partial / "tables" / "a.jsonl").write_text("{}\n", encoding="utf-8")
    assert (out / "tables" / "a.jsonl").is_file()
    again = tmp_path / "again"
    with pytest.raises(KeyboardInterrupt), written_whole(again, "export") as partial:
        (partial / "tables").mkdir(parents=True)
        raise KeyboardInterrupt
    assert not again.exists() and not (tmp_path / "again.partial").exists()


def test_os_errors_name_the_path_and_leftovers_are_cleared(tmp_path: Path) -> None:
    out = tmp_path / "backup.tar.gz"
    leftover = tmp_path / "backup.tar.gz.partial"
    leftover.write_text("from a crash", encoding="utf-8")
    with pytest.raises(InputError) as caught, written_whole(out, "backup") as partial:
        assert not partial.exists()  # the crash's leftover is gone before writing starts
        partial.mkdir()
        (partial / "missing" / "file").write_text("x", encoding="utf-8")
    assert "cannot write the backup" in str(caught.value)
    assert caught.value.file == str(out)
    assert not leftover.exists() and not out.exists()
    with (
        pytest.raises(InputError, match="does not exist"),
        written_whole(tmp_path / "nope" / "x.md", "file"),
    ):
        pass


def test_a_folder_in_the_way_is_refused_not_deleted(tmp_path: Path) -> None:
    out = tmp_path / "export"
    mine = tmp_path / "export.partial"
    mine.mkdir()
    (mine / "notes.txt").write_text("someone's", encoding="utf-8")
    with pytest.raises(InputError, match="is in the way"), written_whole(out, "export"):
        pass
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "someone's"
