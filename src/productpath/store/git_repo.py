"""Git history in the store: repositories, commits and file changes in bulk, tags, contributors.

Commits and file changes go in with Core ``insert()`` executemany, CHUNK_SIZE rows a round trip:
the ORM unit of work would cost several times more per row on a 20,000-commit history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from productpath.domain.git_records import RepositoryRow
from productpath.store.models import (
    Commit,
    Contributor,
    ContributorAlias,
    FileChange,
    GitTag,
    Person,
    Repository,
    Team,
)

CHUNK_SIZE = 1000
# Column widths of the schema: PostgreSQL refuses longer values, so they are cut to fit.
NAME_MAX, EMAIL_MAX, TAG_MAX, REF_MAX = 200, 320, 255, 200


@dataclass(frozen=True)
class StoredRepository:
    id: int
    name: str
    path: str
    branch: str
    head_sha: str | None


def find_repository(session: Session, product_id: int, name: str) -> StoredRepository | None:
    stmt = select(
        Repository.id, Repository.name, Repository.path, Repository.branch, Repository.head_sha
    ).where(Repository.product_id == product_id, Repository.name == name[:NAME_MAX])
    row = session.execute(stmt).first()
    return StoredRepository(*row) if row else None


def save_repository(
    session: Session, product_id: int, name: str, path: str, branch: str
) -> StoredRepository:
    """The repository row for ``name``, created or pointed at ``path`` and ``branch``."""
    found = find_repository(session, product_id, name)
    if found is None:
        repo = Repository(product_id=product_id, name=name[:NAME_MAX], path=path, branch=branch)
        session.add(repo)
        session.flush()
        return StoredRepository(repo.id, repo.name, path, branch, None)
    values = {"path": path, "branch": branch[:REF_MAX]}
    session.execute(update(Repository).where(Repository.id == found.id).values(**values))
    return StoredRepository(found.id, found.name, path, branch, found.head_sha)


def set_head(session: Session, repository_id: int, head_sha: str, at: dt.datetime) -> None:
    stmt = update(Repository).where(Repository.id == repository_id)
    session.execute(stmt.values(head_sha=head_sha, last_ingested_at=at))


def delete_history(session: Session, repository_id: int) -> int:
    """Remove the repository's commits and their file changes; returns how many commits."""
    commits = select(Commit.id).where(Commit.repository_id == repository_id)
    session.execute(delete(FileChange).where(FileChange.commit_id.in_(commits)))
    result = session.execute(delete(Commit).where(Commit.repository_id == repository_id))
    return int(getattr(result, "rowcount", 0) or 0)


# Core tables, not the mapped classes: an insert of a mapped class goes through the ORM's
# bulk machinery, which costs several times more per row.
_COMMIT = cast(Table, Commit.__table__)
_FILE_CHANGE = cast(Table, FileChange.__table__)


def insert_commits(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert commits (dicts of git_commit columns); returns sha -> new id.

    RETURNING is asked for (id, sha) rather than in parameter order: ordered RETURNING makes
    SQLAlchemy fall back to one statement per row on SQLite.
    """
    ids: dict[str, int] = {}
    stmt = insert(_COMMIT).returning(_COMMIT.c.sha, _COMMIT.c.id)
    conn = session.connection()
    for start in range(0, len(rows), CHUNK_SIZE):
        for sha, id_ in conn.execute(stmt, list(rows[start : start + CHUNK_SIZE])):
            ids[sha] = id_
    return ids


def insert_file_changes(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    conn = session.connection()
    for start in range(0, len(rows), CHUNK_SIZE * 4):
        conn.execute(insert(_FILE_CHANGE), list(rows[start : start + CHUNK_SIZE * 4]))


def replace_tags(
    session: Session, repository_id: int, tags: Iterable[tuple[str, str, dt.datetime | None]]
) -> int:
    """Make the stored tags exactly ``tags`` (name, sha, tagged_at); returns how many."""
    session.execute(delete(GitTag).where(GitTag.repository_id == repository_id))
    rows = [
        {"repository_id": repository_id, "name": name[:TAG_MAX], "sha": sha, "tagged_at": when}
        for name, sha, when in tags
    ]
    if rows:
        session.execute(insert(GitTag), rows)
    return len(rows)


def tags_of(session: Session, repository_id: int) -> set[tuple[str, str]]:
    stmt = select(GitTag.name, GitTag.sha).where(GitTag.repository_id == repository_id)
    return {(name, sha) for name, sha in session.execute(stmt)}


# --- contributors -------------------------------------------------------------------------


def contributor_ids(session: Session, product_id: int) -> dict[str, int]:
    """Canonical e-mail and every alias e-mail -> contributor id."""
    known = {
        email: id_
        for email, id_ in session.execute(
            select(Contributor.email, Contributor.id).where(Contributor.product_id == product_id)
        )
    }
    aliases = select(ContributorAlias.email, ContributorAlias.contributor_id).where(
        ContributorAlias.product_id == product_id
    )
    for email, id_ in session.execute(aliases):
        known.setdefault(email, id_)
    return known


def alias_emails(session: Session, product_id: int) -> set[str]:
    stmt = select(ContributorAlias.email).where(ContributorAlias.product_id == product_id)
    return set(session.scalars(stmt))


def person_ids_by_email(session: Session, product_id: int) -> dict[str, int]:
    """Team members of the product that have an e-mail, lower-cased e-mail -> person id."""
    stmt = (
        select(Person.email, Person.id)
        .join(Team, Person.team_id == Team.id)
        .where(Team.product_id == product_id, Person.email.is_not(None))
        .order_by(Person.id)
    )
    found: dict[str, int] = {}
    for email, id_ in session.execute(stmt):
        found.setdefault((email or "").strip().lower(), id_)
    return found


def create_contributor(
    session: Session, product_id: int, name: str, email: str, person_id: int | None
) -> int:
    stmt = insert(Contributor).returning(Contributor.id)
    values = {
        "product_id": product_id,
        "name": name[:NAME_MAX],
        "email": email[:EMAIL_MAX],
        "person_id": person_id,
    }
    return int(session.scalars(stmt, [values]).one())


def add_aliases(session: Session, product_id: int, aliases: Sequence[tuple[int, str, str]]) -> None:
    """Record (contributor id, e-mail, name) aliases; the caller leaves out known e-mails."""
    if aliases:
        rows = [
            {
                "product_id": product_id,
                "contributor_id": cid,
                "email": email[:EMAIL_MAX],
                "name": name[:NAME_MAX],
            }
            for cid, email, name in aliases
        ]
        session.execute(insert(ContributorAlias), rows)


def link_people(session: Session, product_id: int, people: dict[str, int]) -> int:
    """Point unlinked contributors at the team member with their e-mail (canonical or alias)."""
    if not people:
        return 0
    unlinked = select(Contributor.id, Contributor.email).where(
        Contributor.product_id == product_id, Contributor.person_id.is_(None)
    )
    emails: dict[int, list[str]] = {}
    for cid, email in session.execute(unlinked):
        emails.setdefault(cid, []).append(email)
    if not emails:
        return 0
    aliases = select(ContributorAlias.contributor_id, ContributorAlias.email).where(
        ContributorAlias.product_id == product_id
    )
    for cid, email in session.execute(aliases):
        if cid in emails:
            emails[cid].append(email)
    linked = 0
    for cid, addresses in emails.items():
        person = next((people[a] for a in addresses if a in people), None)
        if person is not None:
            stmt = update(Contributor).where(Contributor.id == cid).values(person_id=person)
            session.execute(stmt)
            linked += 1
    return linked


# --- reading back -------------------------------------------------------------------------


def summaries(session: Session, product_id: int) -> list[RepositoryRow]:
    """Every repository of the product with its commit and contributor counts, by name."""
    stats = (
        select(
            Commit.repository_id.label("rid"),
            func.count(Commit.id).label("commits"),
            func.count(func.distinct(Commit.author_id)).label("contributors"),
            func.min(Commit.committed_at).label("first"),
            func.max(Commit.committed_at).label("last"),
        )
        .group_by(Commit.repository_id)
        .subquery()
    )
    stmt = (
        select(
            Repository.name,
            Repository.path,
            Repository.branch,
            Repository.head_sha,
            Repository.last_ingested_at,
            func.coalesce(stats.c.commits, 0),
            func.coalesce(stats.c.contributors, 0),
            stats.c.first,
            stats.c.last,
        )
        .outerjoin(stats, stats.c.rid == Repository.id)
        .where(Repository.product_id == product_id)
        .order_by(Repository.name)
    )
    return [RepositoryRow(*row) for row in session.execute(stmt)]
