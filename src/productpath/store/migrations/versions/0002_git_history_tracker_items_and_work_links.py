"""git history, tracker items and work links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:53:39.419874
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "repository",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("branch", sa.String(length=200), nullable=False),
        sa.Column("head_sha", sa.String(length=64), nullable=True),
        sa.Column("last_ingested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "name"),
    )
    op.create_table(
        "tracker_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("item_type", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=100), nullable=False),
        sa.Column("status_category", sa.String(length=20), nullable=False),
        sa.Column("assignee", sa.String(length=320), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("parent_key", sa.String(length=100), nullable=True),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("branch", sa.String(length=255), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "source", "key"),
    )
    op.create_table(
        "git_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=False),
        sa.Column("tagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["repository_id"], ["repository.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repository_id", "name"),
    )
    op.create_table(
        "tracker_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=100), nullable=True),
        sa.Column("to_status", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["tracker_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tracker_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_status_change_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "contributor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "email"),
    )
    op.create_table(
        "contributor_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["contributor_id"], ["contributor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "email"),
    )
    with op.batch_alter_table("contributor_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contributor_alias_contributor_id"), ["contributor_id"], unique=False
        )

    op.create_table(
        "git_commit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("authored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("parent_shas", sa.Text(), nullable=False),
        sa.Column("is_merge", sa.Boolean(), nullable=False),
        sa.Column("insertions", sa.Integer(), nullable=False),
        sa.Column("deletions", sa.Integer(), nullable=False),
        sa.Column("files_changed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["contributor.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["repository_id"], ["repository.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repository_id", "sha"),
    )
    with op.batch_alter_table("git_commit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_git_commit_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_git_commit_repository_committed", ["repository_id", "committed_at"], unique=False
        )

    op.create_table(
        "file_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commit_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("old_path", sa.Text(), nullable=True),
        sa.Column("insertions", sa.Integer(), nullable=True),
        sa.Column("deletions", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["commit_id"], ["git_commit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("file_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_change_commit_id"), ["commit_id"], unique=False)

    op.create_table(
        "work_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("commit_id", sa.Integer(), nullable=True),
        sa.Column("tracker_item_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["commit_id"], ["git_commit.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tracker_item_id"], ["tracker_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("initiative_id", "commit_id", "tracker_item_id"),
    )
    with op.batch_alter_table("work_link", schema=None) as batch_op:
        batch_op.create_index("ix_work_link_commit", ["commit_id"], unique=False)
        batch_op.create_index("ix_work_link_tracker_item", ["tracker_item_id"], unique=False)

    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_epics", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("work_labels", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_column("work_labels")
        batch_op.drop_column("work_epics")

    with op.batch_alter_table("work_link", schema=None) as batch_op:
        batch_op.drop_index("ix_work_link_tracker_item")
        batch_op.drop_index("ix_work_link_commit")

    op.drop_table("work_link")
    with op.batch_alter_table("file_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_change_commit_id"))

    op.drop_table("file_change")
    with op.batch_alter_table("git_commit", schema=None) as batch_op:
        batch_op.drop_index("ix_git_commit_repository_committed")
        batch_op.drop_index(batch_op.f("ix_git_commit_author_id"))

    op.drop_table("git_commit")
    with op.batch_alter_table("contributor_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributor_alias_contributor_id"))

    op.drop_table("contributor_alias")
    op.drop_table("contributor")
    with op.batch_alter_table("tracker_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_status_change_item_id"))

    op.drop_table("tracker_status_change")
    op.drop_table("git_tag")
    op.drop_table("tracker_item")
    op.drop_table("repository")
