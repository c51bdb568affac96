"""Ingest a git repository's history into the workspace, and list what is stored.

The rule for a repeated ingest of the same repository (by name):

- stored head == branch head (and the same tags): nothing to do, nothing written;
- stored head is an ancestor of the branch head: read only ``stored..head``;
- otherwise the history was rewritten (force-push, rebase, another branch): its commits are
  deleted and the branch is read again in full.

Everything is written in one transaction: a git failure half-way (missing objects, a corrupt
pack) leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from productpath.domain.git_records import RepositoryRow
from productpath.ingest.git_log import (
    GitCommitRecord,
    GitTagRecord,
    History,
    count_commits,
    is_ancestor,
    read_tags,
    resolve_branch,
    shallow_commits,
)
from productpath.services.delivery import relink_session
from productpath.services.work.git_report import GitIngestReport, repository_name
from productpath.services.workspace import OpenWorkspace
from productpath.store import git_repo, product_repo
from productpath.store.models import utcnow

__all__ = ["GitIngestReport", "RepositoryRow", "ingest_repository", "list_repositories"]

# Commits between two progress reports.
PROGRESS_EVERY = 250
_SHORT = 12


def ingest_repository(
    handle: OpenWorkspace,
    path: Path,
    *,
    name: str | None = None,
    branch: str | None = None,
    mailmap: Path | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    started: History | None = None,
) -> GitIngestReport:
    """Read the history of ``branch`` (default: the stored one, else the checked-out branch).

    ``on_total`` is told how many commits will be read before reading starts; ``progress``
    is called with the number read so far. ``started`` is a full read the caller began early
    (see ``services.work.git_quick``): used when it is exactly the read needed; stopped in any case
    by the time this returns.
    """
    try:
        plan = _plan(handle, path.resolve(), name, branch)
        if plan.report.up_to_date:
            return plan.report
        if on_total is not None:
            head, since = plan.report.head_sha, plan.since
            on_total(count_commits(plan.repo, f"{since}..{head}" if since else head))
        history = _history(started, plan, mailmap)
        try:
            _write(handle, plan, history, progress)
        finally:
            history.close()
    finally:
        if started is not None:
            started.close()
    # Once per ingest rather than once per page view: see services.work.code_health_cache.
    from productpath.services.work.code_health_cache import warm

    warm(handle, plan.repo)
    report = plan.report
    if report.replaced_messages:
        count = len(report.replaced_messages)
        report.warnings.append(
            f"{count} commit message{'s' if count > 1 else ''} not valid UTF-8, stored with "
            f"replacement characters (first: {report.replaced_messages[0][:_SHORT]})"
        )
    return report


@dataclass
class _Plan:
    repo: Path
    report: GitIngestReport
    tags: list[GitTagRecord]
    since: str | None = None
    boundary: set[str] = field(default_factory=set)


def _plan(handle: OpenWorkspace, repo: Path, name: str | None, branch: str | None) -> _Plan:
    """What to read: nothing, the commits after the stored head, or everything."""
    repo_name = repository_name(repo, name)
    with handle.store.read() as session:
        product_id = _product_id(session, handle)
        stored = git_repo.find_repository(session, product_id, repo_name) if product_id else None
        stored_tags = git_repo.tags_of(session, stored.id) if stored else set()
    branch_name, head = resolve_branch(repo, branch or (stored.branch if stored else None))
    tags = read_tags(repo)
    plan = _Plan(repo, GitIngestReport(repo_name, str(repo), branch_name, head), tags)
    plan.report.previous_head = stored.head_sha if stored else None
    plan.report.tags = len(tags)
    if (
        stored is not None
        and stored.head_sha == head
        and stored.branch == branch_name
        and stored.path == str(repo)
        and {(t.name, t.sha) for t in tags} == stored_tags
    ):
        plan.report.mode = "up-to-date"
        return plan
    plan.since = _since(repo, stored.head_sha if stored else None, head, branch_name, plan.report)
    # In a shallow clone the oldest commits present look parentless, so git would list their
    # whole tree as "added": their file lists are left out rather than stored wrong.
    plan.boundary = set(shallow_commits(repo))
    for sha in sorted(plan.boundary):
        plan.report.warnings.append(
            f"shallow clone: history before {sha[:_SHORT]} is not in this clone "
            "(that commit's file changes are left out)"
        )
    return plan


def _write(
    handle: OpenWorkspace,
    plan: _Plan,
    history: Iterable[GitCommitRecord],
    progress: Callable[[int], None] | None,
) -> None:
    """Everything in one transaction: a failure half-way leaves the store as it was."""
    report = plan.report
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        saved = git_repo.save_repository(
            session, product.id, report.repository, report.path, report.branch
        )
        if report.mode == "rewritten":
            report.commits_removed = git_repo.delete_history(session, saved.id)
        writer = _Writer(session, product.id, saved.id, report, plan.boundary)
        for record in history:
            writer.add(record)
            if progress is not None and report.commits_added % PROGRESS_EVERY == 0:
                progress(report.commits_added)
        writer.flush()
        tags = ((t.name, t.sha, t.tagged_at) for t in plan.tags)
        git_repo.replace_tags(session, saved.id, tags)
        git_repo.set_head(session, saved.id, report.head_sha, utcnow())
        report.people_linked += git_repo.link_people(session, product.id, writer.people)
        report.authors = len(writer.authors)
        relink_session(session, product.key)  # new commits may name initiatives
    if progress is not None:
        progress(report.commits_added)


def _history(started: History | None, plan: _Plan, mailmap: Path | None) -> History:
    """The caller's early start when it reads exactly what the plan needs, else a new read."""
    head, since = plan.report.head_sha, plan.since
    if started is not None:
        same_map = (started.mailmap.resolve() if started.mailmap else None) == (
            mailmap.resolve() if mailmap else None
        )
        same_range = (started.repo, started.branch, started.since_sha) == (plan.repo, head, since)
        if same_map and same_range:
            return started
        started.close()
    return History(plan.repo, branch=head, since_sha=since, mailmap=mailmap)


def _since(
    repo: Path, stored_head: str | None, head: str, branch: str, report: GitIngestReport
) -> str | None:
    """Where to start reading, and the mode that implies (set on ``report``)."""
    if stored_head is None:
        report.mode = "full"
        return None
    if is_ancestor(repo, stored_head, head):
        report.mode = "incremental"
        return stored_head
    report.mode = "rewritten"
    report.warnings.append(
        f"history rewritten: the stored head {stored_head[:_SHORT]} is not in '{branch}'; "
        "its commits were replaced by a full read"
    )
    return None


class _Writer:
    """Queues commits and their file changes and inserts them a chunk at a time."""

    def __init__(
        self,
        session: Session,
        product_id: int,
        repository_id: int,
        report: GitIngestReport,
        boundary: set[str],
    ) -> None:
        self.session = session
        self.product_id = product_id
        self.repository_id = repository_id
        self.report = report
        self.boundary = boundary
        self.contributors = git_repo.contributor_ids(session, product_id)
        self.people = git_repo.person_ids_by_email(session, product_id)
        self.authors: set[int] = set()
        self.commits: list[dict[str, Any]] = []
        self.files: list[list[dict[str, Any]]] = []
        self.aliases: list[tuple[int, str, str]] = []

    def add(self, record: GitCommitRecord) -> None:
        author = self._author(record)
        self.authors.add(author)
        files: list[dict[str, Any]] = []
        added = deleted = binary = 0
        # One pass over the files (this runs once per commit of the whole history).
        for f in () if record.sha in self.boundary else record.files:
            files.append(
                {
                    "path": f.path,
                    "old_path": f.old_path,
                    "insertions": f.insertions,
                    "deletions": f.deletions,
                }
            )
            if f.insertions is None:
                binary += 1
            else:
                added += f.insertions
                deleted += f.deletions or 0
        self.commits.append(
            {
                "repository_id": self.repository_id,
                "sha": record.sha,
                "author_id": author,
                "authored_at": record.authored_at,
                "committed_at": record.committed_at,
                "subject": record.subject,
                "body": record.body,
                "parent_shas": " ".join(record.parents),
                "is_merge": len(record.parents) > 1,
                "insertions": added,
                "deletions": deleted,
                "files_changed": len(files),
            }
        )
        self.files.append(files)
        report = self.report
        report.commits_added += 1
        report.merges += len(record.parents) > 1
        report.file_changes += len(files)
        report.binary_file_changes += binary
        if record.message_replaced:
            report.replaced_messages.append(record.sha)
        if len(self.commits) >= git_repo.CHUNK_SIZE:
            self.flush()

    def _author(self, record: GitCommitRecord) -> int:
        email = record.author_email.strip().lower()
        cid = self.contributors.get(email)
        if cid is None:
            person = self.people.get(email)
            cid = git_repo.create_contributor(
                self.session, self.product_id, record.author_name.strip(), email, person
            )
            self.contributors[email] = cid
            self.report.contributors_added += 1
            self.report.people_linked += person is not None
        raw = record.raw_author_email.strip().lower()
        if raw and raw not in self.contributors:
            # Another e-mail the mailmap folded into this person: remembered as an alias so
            # tracker items and team members under that e-mail find the same contributor.
            self.contributors[raw] = cid
            self.aliases.append((cid, raw, record.raw_author_name.strip()))
        return cid

    def flush(self) -> None:
        if not self.commits:
            return
        ids = git_repo.insert_commits(self.session, self.commits)
        rows = [
            {"commit_id": ids[commit["sha"]], **change}
            for commit, changes in zip(self.commits, self.files, strict=True)
            for change in changes
        ]
        git_repo.insert_file_changes(self.session, rows)
        git_repo.add_aliases(self.session, self.product_id, self.aliases)
        self.commits, self.files, self.aliases = [], [], []


def stored_head(handle: OpenWorkspace, name: str) -> str | None:
    """The head commit stored for repository ``name`` (None: not stored yet)."""
    with handle.store.read() as session:
        product_id = _product_id(session, handle)
        stored = git_repo.find_repository(session, product_id, name) if product_id else None
        return stored.head_sha if stored else None


def store_history(
    handle: OpenWorkspace,
    name: str,
    location: str,
    branch: str,
    commits: list[GitCommitRecord],
    *,
    rewritten: bool,
) -> GitIngestReport:
    """Store commits read elsewhere than from a clone (a host's API), oldest first, as an
    ingest would: after the stored head, or (``rewritten``) replacing the stored history.
    No file lists and no tags: an API's commit list carries neither."""
    previous = stored_head(handle, name)
    head = commits[-1].sha if commits else previous or ""
    report = GitIngestReport(name, location, branch, head, previous_head=previous)
    report.mode = "rewritten" if rewritten else "incremental" if previous else "full"
    if not commits:
        report.mode = "up-to-date"
        return report
    _write(handle, _Plan(Path(location), report, []), commits, None)
    return report


def list_repositories(handle: OpenWorkspace) -> list[RepositoryRow]:
    """The workspace's repositories by name, with commit and contributor counts."""
    with handle.store.read() as session:
        product_id = _product_id(session, handle)
        if product_id is None:
            return []
        return git_repo.summaries(session, product_id)


def _product_id(session: Session, handle: OpenWorkspace) -> int | None:
    return product_repo.find_id(session, handle.workspace.product)
