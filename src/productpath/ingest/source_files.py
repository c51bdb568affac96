"""The files of a repository at HEAD, and their text as it lies on disk, for measuring code.

Complexity is measured from the working tree (what a developer opens), restricted to the files
git tracks at the analysed commit; a file missing on disk, too large, or binary has no text.
"""

from __future__ import annotations

from pathlib import Path

from productpath.ingest.git_refs import run_git

# Larger files are almost always generated or minified; measuring them says nothing.
MAX_BYTES = 1_000_000
_SNIFF = 8192


def tracked_files(repo: Path, sha: str) -> set[str]:
    """Paths of the files git tracks at commit ``sha``."""
    out = run_git(repo, "ls-tree", "-r", "-z", "--name-only", sha)  # -z: paths never quoted
    return {path for path in out.split("\0") if path}


def read_source(repo: Path, path: str) -> str | None:
    """The file's text on disk, or None when it is missing, over MAX_BYTES, or binary."""
    file = repo / path
    try:
        if not file.is_file() or file.stat().st_size > MAX_BYTES:
            return None
        raw = file.read_bytes()
    except OSError:
        return None
    if b"\0" in raw[:_SNIFF]:
        return None
    return raw.decode("utf-8", "replace")
