"""The ``git log`` output format that ``git_log`` asks for, and its incremental parser.

The format is NUL-separated (``-z``), so no message or path can be confused with the framing:
each commit starts with a ``\\x01`` marker, then a fixed list of header fields, then the
message, then ``--numstat`` entries, which always start with a digit or ``-`` (a rename is an
entry with an empty path followed by the old and the new path as two more fields).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from productpath.domain.git_records import FileStat, GitCommitRecord

MARK = b"\x01"
# sha, parents, mailmapped name and e-mail, raw name and e-mail, author and committer time, message
FORMAT = "%x01%H%x00%P%x00%aN%x00%aE%x00%an%x00%ae%x00%at%x00%ct%x00%B"
_HEADER_FIELDS = 9


def tokens(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The NUL-separated fields of a byte stream given in chunks."""
    rest = b""
    for chunk in chunks:
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _text(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), True


def parse(fields: Iterator[bytes]) -> Iterator[GitCommitRecord]:
    header: list[bytes] | None = None
    files: list[FileStat] = []
    for token in fields:
        if token.startswith(MARK):
            if header is not None:
                yield _record(header, files)
            header = [token[1:]]
            header.extend(next(fields, b"") for _ in range(_HEADER_FIELDS - 1))
            files = []
            continue
        if not token or token == b"\n":
            continue
        # "added\tdeleted\tpath", or "added\tdeleted\t" followed by old and new path on a rename.
        added, deleted, path = token.lstrip(b"\n").split(b"\t", 2)
        old: str | None = None
        if not path:
            old = _text(next(fields, b""))[0]
            path = next(fields, b"")
        files.append(
            FileStat(
                path=_text(path)[0],
                old_path=old,
                insertions=None if added == b"-" else int(added),
                deletions=None if deleted == b"-" else int(deleted),
            )
        )
    if header is not None:
        yield _record(header, files)


def _record(header: list[bytes], files: list[FileStat]) -> GitCommitRecord:
    sha, parents, name, email, raw_name, raw_email, authored, committed, message = header
    text, replaced = _text(message)
    subject, _, body = text.strip("\n").partition("\n")
    return GitCommitRecord(
        sha=sha.decode("ascii"),
        parents=tuple(parents.decode("ascii").split()),
        author_name=_text(name)[0],
        author_email=_text(email)[0],
        authored_at=dt.datetime.fromtimestamp(int(authored), tz=dt.UTC),
        committed_at=dt.datetime.fromtimestamp(int(committed), tz=dt.UTC),
        subject=subject.strip(),
        body=body.strip("\n"),
        files=tuple(files),
        raw_author_name=_text(raw_name)[0],
        raw_author_email=_text(raw_email)[0],
        message_replaced=replaced,
    )
