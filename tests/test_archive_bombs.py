"""Archives a user hands us cannot exhaust memory or disk: `import --all bomb.zip` and
`restore bomb.tar.gz` stream members, check each declared size before unpacking it, and end
in one line naming the member. The bombs are built here, small on disk and highly compressible.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from helpers import invoke
from productpath.services.archive_limits import MAX_LINE, MAX_SMALL_MEMBER

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _spaces_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """``size`` spaces and no newline, streamed in: one endless line, compressed ~1000:1."""
    chunk = b" " * (1024 * 1024)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as out:
        left = size
        while left > 0:
            out.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def _export(workspace_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    assert invoke("export", "--all", str(folder)).exit_code == 0
    return folder


def _zip_of(folder: Path, out: Path, replace: dict[str, int]) -> Path:
    """``folder`` zipped, with the members in ``replace`` swapped for bombs of that size."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if name in replace:
                _spaces_member(archive, name, replace[name])
            else:
                archive.write(path, name)
    return out


def test_import_all_refuses_a_bombed_manifest_by_its_declared_size(
    workspace_dir: Path, tmp_path: Path
) -> None:
    size = MAX_SMALL_MEMBER + 1
    bomb = _zip_of(_export(workspace_dir, tmp_path), tmp_path / "bomb.zip", {"manifest.json": size})
    assert bomb.stat().st_size < 200_000  # megabytes inside, kilobytes on disk
    result = invoke("-w", str(tmp_path / "new"), "import", "--all", str(bomb))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {bomb}!manifest.json: declares {size:,} bytes, more than the 16 MiB a manifest "
        "may hold; refused without unpacking it (an archive bomb, or not a productpath file)\n"
    )


def test_import_all_refuses_a_table_that_is_one_endless_line(
    workspace_dir: Path, tmp_path: Path
) -> None:
    folder = _export(workspace_dir, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    table = f"tables/{manifest['tables'][0]['name']}.jsonl"
    bomb = _zip_of(folder, tmp_path / "bomb.zip", {table: MAX_LINE + 10})
    result = invoke("-w", str(tmp_path / "new"), "import", "--all", str(bomb))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {bomb}!{table}:1: a line longer than 64 MiB; refused (an archive bomb, or not "
        "a productpath export)\n"
    )


def _tar_with(out: Path, members: list[tuple[str, int, bytes | None]]) -> Path:
    """A .tar.gz whose members declare the given sizes; ``None`` writes only the header (a
    size the archive claims but does not hold), bytes write that content."""
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, size, content in members:
            info = tarfile.TarInfo(name)
            info.size = size
            if content is None:
                archive.addfile(info)  # header only
            else:
                archive.addfile(info, io.BytesIO(content))
    return out


def test_restore_refuses_a_bombed_manifest(workspace_dir: Path, tmp_path: Path) -> None:
    size = MAX_SMALL_MEMBER + 1
    bomb = _tar_with(tmp_path / "bomb.tar.gz", [("backup.json", size, b" " * size)])
    assert bomb.stat().st_size < 200_000
    result = invoke("restore", str(bomb), "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {bomb}!backup.json: declares {size:,} bytes, more than the 16 MiB a backup's "
        "settings may hold; refused without unpacking it (an archive bomb, or not a productpath "
        "file)\n"
    )


def test_restore_refuses_a_database_larger_than_the_free_disk(
    workspace_dir: Path, tmp_path: Path
) -> None:
    manifest = json.dumps({"format": "productpath-backup"}).encode()
    huge = 2**50  # a petabyte, declared in the header only
    bomb = _tar_with(
        tmp_path / "bomb.tar.gz",
        [("backup.json", len(manifest), manifest), ("productpath.db", huge, None)],
    )
    result = invoke("restore", str(bomb), "--force")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        f"error: {bomb}!productpath.db: declares {huge:,} bytes, more than the "
    )
    assert "free where it would be unpacked; refused without unpacking it" in result.stderr
