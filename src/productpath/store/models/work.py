"""Engineering work: git repositories and their commits, issue-tracker items, and the links
that tie both to initiatives.

People appear in git and trackers under several names and e-mails; a Contributor is one
person after merging those by mailmap and e-mail, optionally matched to a team member.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from productpath.store.models.base import Base, Timestamped


class Repository(Timestamped, Base):
    __tablename__ = "repository"
    __table_args__ = (UniqueConstraint("product_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    branch: Mapped[str] = mapped_column(String(200))
    # The newest commit read so far: the next ingest reads only what came after it.
    head_sha: Mapped[str | None] = mapped_column(String(64))
    last_ingested_at: Mapped[dt.datetime | None]


class Contributor(Timestamped, Base):
    __tablename__ = "contributor"
    __table_args__ = (UniqueConstraint("product_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))  # canonical, lower-case
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class ContributorAlias(Base):
    """Another e-mail under which a contributor committed (merged into ``contributor``)."""

    __tablename__ = "contributor_alias"
    __table_args__ = (UniqueConstraint("product_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    contributor_id: Mapped[int] = mapped_column(
        ForeignKey("contributor.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))


class Commit(Base):
    __tablename__ = "git_commit"
    __table_args__ = (
        UniqueConstraint("repository_id", "sha"),
        Index("ix_git_commit_repository_committed", "repository_id", "committed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"))
    sha: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributor.id", ondelete="SET NULL"), index=True
    )
    authored_at: Mapped[dt.datetime]
    committed_at: Mapped[dt.datetime]
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    parent_shas: Mapped[str] = mapped_column(Text, default="")  # space-separated
    is_merge: Mapped[bool] = mapped_column(Boolean, default=False)
    insertions: Mapped[int] = mapped_column(Integer, default=0)
    deletions: Mapped[int] = mapped_column(Integer, default=0)
    files_changed: Mapped[int] = mapped_column(Integer, default=0)
    author: Mapped[Contributor | None] = relationship()


class FileChange(Base):
    __tablename__ = "file_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    commit_id: Mapped[int] = mapped_column(
        ForeignKey("git_commit.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(Text)
    old_path: Mapped[str | None] = mapped_column(Text)  # set on renames
    # None for binary files, where git reports no line counts.
    insertions: Mapped[int | None] = mapped_column(Integer)
    deletions: Mapped[int | None] = mapped_column(Integer)


class GitTag(Base):
    __tablename__ = "git_tag"
    __table_args__ = (UniqueConstraint("repository_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    sha: Mapped[str] = mapped_column(String(64))
    tagged_at: Mapped[dt.datetime | None]


class TrackerItem(Timestamped, Base):
    """An issue, pull request, story, bug or epic from an issue-tracker export."""

    __tablename__ = "tracker_item"
    __table_args__ = (UniqueConstraint("product_id", "source", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(40))  # github | jira
    key: Mapped[str] = mapped_column(String(100))  # "owner/repo#123" or "POCKET-42"
    title: Mapped[str] = mapped_column(Text)
    item_type: Mapped[str] = mapped_column(String(40))  # issue, pull_request, story, bug, epic…
    status: Mapped[str] = mapped_column(String(100))  # as the tracker names it
    status_category: Mapped[str] = mapped_column(String(20))  # todo | in_progress | done
    assignee: Mapped[str | None] = mapped_column(String(320))
    opened_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    labels: Mapped[str] = mapped_column(Text, default="")  # newline-separated
    parent_key: Mapped[str | None] = mapped_column(String(100))  # epic or parent issue
    links: Mapped[str] = mapped_column(Text, default="")  # newline-separated "type key"
    branch: Mapped[str | None] = mapped_column(String(255))  # a pull request's head branch
    url: Mapped[str | None] = mapped_column(Text)
    points: Mapped[float | None] = mapped_column(Float)  # story points, when the export has them
    # GitHub's state_reason: completed, not_planned, reopened, duplicate; None elsewhere.
    state_reason: Mapped[str | None] = mapped_column(String(40))


class TrackerStatusChange(Base):
    """One status an item was seen in, and when: the history that cycle time is read from."""

    __tablename__ = "tracker_status_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("tracker_item.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime]
    from_status: Mapped[str | None] = mapped_column(String(100))
    to_status: Mapped[str] = mapped_column(String(100))


class WorkLink(Base):
    """Work (a commit or a tracker item) that delivers an initiative, and the rule that said so."""

    __tablename__ = "work_link"
    __table_args__ = (
        UniqueConstraint("initiative_id", "commit_id", "tracker_item_id"),
        Index("ix_work_link_commit", "commit_id"),
        Index("ix_work_link_tracker_item", "tracker_item_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    commit_id: Mapped[int | None] = mapped_column(ForeignKey("git_commit.id", ondelete="CASCADE"))
    tracker_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracker_item.id", ondelete="CASCADE")
    )
    # message_key | trailer | branch | pr_title | epic | label | manual
    rule: Mapped[str] = mapped_column(String(40))
