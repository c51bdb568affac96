"""The quick first look of ``git ingest``, before the workspace is opened the ordinary way.

Opening a workspace (SQLAlchemy, Alembic's revision check) costs most of a second on a small
machine. For a SQLite workspace the CLI asks here first, with three short git calls and one
read-only query through the standard library:

- nothing changed since the last ingest: the answer is an up-to-date report, and the command
  is done in well under half a second;
- the repository is new to the workspace: the full ``git log`` is started right away, so git
  works while the database layer is imported, and ``services.work.git.ingest_repository`` takes it
  over (it checks the read is the one it needs, else stops it);
- anything else, or anything this cannot tell (PostgreSQL, an older schema): no answer, and
  the ordinary path decides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from productpath import workspace as ws
from productpath.ingest.git_log import History, read_tags, resolve_branch
from productpath.services.work.git_report import GitIngestReport, repository_name
from productpath.store.git_head import read_stored_head

_URL_VARIABLE = "PRODUCTPATH_DATABASE_URL"


@dataclass
class QuickLook:
    up_to_date: GitIngestReport | None = None
    started: History | None = None  # a full read, running; the caller must close() it

    def close(self) -> None:
        if self.started is not None:
            self.started.close()


def quick_look(
    workspace_root: Path | None,
    path: Path,
    *,
    name: str | None,
    branch: str | None,
    mailmap: Path | None = None,
) -> QuickLook:
    # Settings reads the variable case-insensitively; any spelling means "not the SQLite file".
    if any(k.upper() == _URL_VARIABLE and v for k, v in os.environ.items()):
        return QuickLook()
    workspace = ws.load(workspace_root or Path.cwd())
    repo = path.resolve()
    repo_name = repository_name(repo, name)
    stored = read_stored_head(workspace.data_dir / ws.DB_NAME, workspace.product, repo_name)
    if stored is None:
        return QuickLook()
    if not stored.found:
        _, head = resolve_branch(repo, branch)
        return QuickLook(started=History(repo, branch=head, mailmap=mailmap))
    if stored.head_sha is None or stored.path != str(repo):
        return QuickLook()
    branch_name, head = resolve_branch(repo, branch or stored.branch)
    if branch_name != stored.branch or head != stored.head_sha:
        return QuickLook()
    if {(t.name, t.sha) for t in read_tags(repo)} != stored.tags:
        return QuickLook()
    report = GitIngestReport(repo_name, str(repo), branch_name, head, previous_head=head)
    report.mode = "up-to-date"
    report.tags = len(stored.tags)
    return QuickLook(up_to_date=report)
