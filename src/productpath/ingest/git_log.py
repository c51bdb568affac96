"""Read a git repository's history as plain records, streamed from the ``git`` binary.

``read_history`` runs one ``git log`` and parses its output while git is still writing it, so
memory stays flat however long the history is and parsing overlaps git's own diffing. Records
come **oldest first**, parents always before their children (``--topo-order --reverse``): the
last record is the branch head.

The format is NUL-separated (``git_log_parse``), so no message or file name can break the
framing. Renames are detected (``-M``, as a plain ``git log`` does): a renamed file is one
FileStat with ``old_path`` set rather than a delete and an add. Merges carry no file list, as
``git log`` shows none for them by default.

Author name and e-mail have the repository's ``.mailmap`` applied (``%aN``/``%aE``), plus an
extra mailmap file when given. Messages that are not valid UTF-8 are decoded with replacement
characters and flagged (``GitCommitRecord.message_replaced``) so callers can report them.
A failing git (missing objects, a corrupt pack) raises one :class:`InputError` carrying git's
first line on stderr, after the records read before the failure: write them in a transaction.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from productpath.domain.git_records import FileStat, GitCommitRecord
from productpath.errors import InputError
from productpath.ingest.git_log_parse import FORMAT, parse, tokens
from productpath.ingest.git_refs import (
    GitTagRecord,
    count_commits,
    is_ancestor,
    read_tags,
    resolve_branch,
    shallow_commits,
)

__all__ = [
    "FileStat",
    "GitCommitRecord",
    "GitTagRecord",
    "History",
    "count_commits",
    "is_ancestor",
    "read_history",
    "read_tags",
    "resolve_branch",
    "shallow_commits",
]

_CHUNK = 1 << 20
_PIPE_SIZE = 1 << 20


def read_history(
    repo: Path,
    *,
    branch: str | None = None,
    since_sha: str | None = None,
    mailmap: Path | None = None,
) -> Iterator[GitCommitRecord]:
    """Yield the commits reachable from ``branch`` (default HEAD), oldest first.

    With ``since_sha``, only the commits after it (``since_sha..branch``). git starts on the
    first ``next()``.
    """
    yield from History(repo, branch=branch, since_sha=since_sha, mailmap=mailmap)


class History:
    """A ``git log`` that starts running at once; iterate it (once) for the records.

    Starting early lets git work while the caller does something slow, such as importing the
    database layer (git can run 1 MiB of output ahead). ``close()`` stops git; iterating to
    the end or stopping early closes too.
    """

    def __init__(
        self,
        repo: Path,
        *,
        branch: str | None = None,
        since_sha: str | None = None,
        mailmap: Path | None = None,
    ) -> None:
        self.repo, self.branch, self.since_sha, self.mailmap = repo, branch, since_sha, mailmap
        rev = branch or "HEAD"
        config = ["-c", "log.showSignature=false", "-c", "core.quotePath=false"]
        if mailmap is not None:
            if not mailmap.is_file():
                raise InputError("mailmap file not found", file=mailmap)
            config += ["-c", f"mailmap.file={mailmap.resolve()}"]
        args = [
            "git", *config, "-C", str(repo), "log", f"--format={FORMAT}", "-z", "--numstat",
            "-M", "--topo-order", "--reverse", "--no-color", "--no-ext-diff", "--encoding=UTF-8",
            # A branch named "-x" must stay a revision, never become an option.
            "--end-of-options", f"{since_sha}..{rev}" if since_sha else rev, "--",
        ]  # fmt: skip
        # stderr goes to a file, not a pipe: a chatty git could otherwise fill that pipe and
        # block while only stdout is read.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=self._stderr, env=_git_env(), bufsize=0
        )
        assert self._proc.stdout is not None
        _grow_pipe(self._proc.stdout)

    def __iter__(self) -> Iterator[GitCommitRecord]:
        try:
            stdout = self._proc.stdout
            assert stdout is not None
            # Unbuffered: each read returns what git has written so far, up to _CHUNK.
            yield from parse(tokens(iter(lambda: stdout.read(_CHUNK), b"")))
            code = self._proc.wait()
            if code != 0:
                self._stderr.seek(0)
                reason = _first_line(self._stderr.read()) or f"git log exited with {code}"
                raise InputError(reason, file=self.repo)
        finally:
            self.close()

    def close(self) -> None:
        if self._proc.poll() is None:  # stopped early: do not leave git running
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()


def _grow_pipe(stream: IO[bytes]) -> None:
    """Let git run up to 1 MiB ahead of the parser instead of the default 64 KiB.

    Without the room git stalls each time the consumer spends a moment writing a batch of
    commits to the database. A reader thread would do the same everywhere, but measured it
    cost more CPU than it saved on a busy two-core machine. Linux only; elsewhere, or over the
    system's limit, the pipe keeps its size.
    """
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(stream.fileno(), setsize, _PIPE_SIZE)


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"})
    return env


def _first_line(raw: bytes) -> str:
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return ""
