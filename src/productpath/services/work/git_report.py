"""What a git ingest did, and how stored repositories look: plain data for the CLI and web.

Kept apart from ``services.work.git`` so the quick up-to-date check can build a report without
importing SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from productpath.errors import InputError

Mode = Literal["full", "incremental", "rewritten", "up-to-date"]


@dataclass
class GitIngestReport:
    """One ingest. ``mode``: what was read (everything, only new commits, everything again
    because the stored head is no longer in the branch, or nothing at all)."""

    repository: str
    path: str
    branch: str
    head_sha: str
    previous_head: str | None = None
    mode: Mode = "full"
    commits_added: int = 0
    commits_removed: int = 0
    merges: int = 0
    file_changes: int = 0
    binary_file_changes: int = 0
    tags: int = 0
    authors: int = 0
    contributors_added: int = 0
    people_linked: int = 0
    # Commits whose message was not UTF-8: stored with U+FFFD in place of the bad bytes.
    replaced_messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.mode == "up-to-date"

    def as_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "path": self.path,
            "branch": self.branch,
            "head_sha": self.head_sha,
            "previous_head": self.previous_head,
            "mode": self.mode,
            "commits_added": self.commits_added,
            "commits_removed": self.commits_removed,
            "merges": self.merges,
            "file_changes": self.file_changes,
            "binary_file_changes": self.binary_file_changes,
            "tags": self.tags,
            "authors": self.authors,
            "contributors_added": self.contributors_added,
            "people_linked": self.people_linked,
            "replaced_messages": list(self.replaced_messages),
            "warnings": list(self.warnings),
        }


NAME_MAX = 200


def repository_name(path: Path, name: str | None) -> str:
    """The name a repository is stored under: ``name``, or the folder's name."""
    chosen = (path.name if name is None else name).strip()
    if not chosen:
        raise InputError("the repository name is empty; pass --name NAME", field="name")
    if len(chosen) > NAME_MAX:
        raise InputError(f"the repository name is longer than {NAME_MAX} characters", field="name")
    return chosen
