"""Reading members of archives a user hands us (``import --all`` exports, ``restore`` backups)
without trusting their size.

A 1.5 MB zip can hold a 1.5 GB ``manifest.json`` of spaces; reading it whole ended in a
``MemoryError`` traceback. So every member is streamed, what is read into memory at once is
bounded (:data:`MAX_SMALL_MEMBER` for a manifest or settings file, :data:`MAX_LINE` for one row
of a table), a member's declared size is checked against those bounds before a byte is
decompressed, and a member written to disk must fit the free space there. Breaking a bound is
one :class:`InputError` naming the member.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from productpath.errors import InputError

MAX_SMALL_MEMBER = 16 * 1024 * 1024  # a manifest or a settings file; real ones are kilobytes
MAX_LINE = 64 * 1024 * 1024  # one row of a table export; the longest real ones are megabytes
_CHUNK = 1024 * 1024


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


def check_declared(size: int, limit: int, where: str, what: str) -> None:
    """Refuse a member whose header declares more than ``limit`` bytes."""
    if size > limit:
        raise InputError(
            f"declares {size:,} bytes, more than the {_size(limit)} {what} may hold; "
            "refused without unpacking it (an archive bomb, or not a productpath file)",
            file=where,
        )


def read_small(stream: IO[bytes], where: str, what: str) -> bytes:
    """The whole member, when it holds at most :data:`MAX_SMALL_MEMBER` bytes (whatever its
    header claimed)."""
    data = stream.read(MAX_SMALL_MEMBER + 1)
    if len(data) > MAX_SMALL_MEMBER:
        raise InputError(
            f"holds more than the {_size(MAX_SMALL_MEMBER)} {what} may hold; refused "
            "(an archive bomb, or not a productpath file)",
            file=where,
        )
    return data


def bounded_lines(stream: IO[bytes], where: str) -> Iterator[bytes]:
    """The lines of ``stream``, none longer than :data:`MAX_LINE`: a member that is one endless
    line is refused after reading that much, never read whole."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise InputError(
                f"a line longer than {_size(MAX_LINE)}; refused (an archive bomb, "
                "or not a productpath export)",
                file=where,
                line=number,
            )
        yield line


def copy_within(stream: IO[bytes], out: IO[bytes], declared: int, folder: Path, where: str) -> None:
    """Copy a member to disk when its declared size fits the free space of ``folder`` (leaving
    a margin), and stop if it turns out longer than it declared."""
    free = shutil.disk_usage(folder).free
    if declared > free - 64 * 1024 * 1024:
        raise InputError(
            f"declares {declared:,} bytes, more than the {_size(free)} free where it would be "
            "unpacked; refused without unpacking it",
            file=where,
        )
    written = 0
    while chunk := stream.read(_CHUNK):
        written += len(chunk)
        if written > declared:
            raise InputError(f"holds more than the {declared:,} bytes it declares", file=where)
        out.write(chunk)
