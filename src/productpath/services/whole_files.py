"""Files (or folders) that appear whole or not at all.

Every export, backup and report written to a user's path is first written beside it, under
the same name plus ``.partial``, and renamed over it only when writing finished without error.
A failure (a full disk, a Ctrl-C, a bad row) removes the partial file or folder, so the user
never finds half an export, and a file already at the path stays intact until the new one is
whole.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from productpath.errors import InputError

PARTIAL_SUFFIX = ".partial"


@contextmanager
def written_whole(out: Path, what: str) -> Iterator[Path]:
    """The path to write into instead of ``out`` (a file or a folder: the block chooses).

    An ``OSError`` in the block or the rename becomes an ``InputError`` naming ``out``:
    "cannot write the <what>: <reason>". A partial file left by an earlier crash is removed
    first; a folder of that name is refused rather than deleted.
    """
    if not out.parent.is_dir():
        raise InputError("the folder to write into does not exist", file=out.parent)
    partial = out.with_name(out.name + PARTIAL_SUFFIX)
    if partial.is_dir() and not partial.is_symlink():
        # Perhaps left by an export that was killed, perhaps the user's own: not ours to delete.
        raise InputError(
            f"a folder named {partial.name} is in the way (left by an interrupted export?); "
            "remove it and try again",
            file=partial,
        )
    partial.unlink(missing_ok=True)  # a file left by a killed run: only ever a partial write
    try:
        yield partial
        partial.replace(out)
    except OSError as exc:
        raise InputError(f"cannot write the {what}: {exc.strerror or exc}", file=out) from exc
    finally:
        # The error that brought us here says more than a failed clean-up would.
        with suppress(OSError):
            _remove(partial)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
