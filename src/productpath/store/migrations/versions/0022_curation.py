"""Curation that sticks: a log of a person's decisions on themes (rename, merge, split, move,
dismiss) that every insight run lays over its clustering, and who named a theme; and the kind a
source gave an item kept once, as a ``feedback_label`` of source ``file``

``feedback_item.labelled_kind`` held the same kind as the import's ``file`` label (both written
by every import since 0012); it moves into ``feedback_label`` (rows a person set are left as they
are, a label without a kind gets the file's) and the column goes.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "curation_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "number"),
    )
    # Plain ALTER TABLE, never a batch copy: on SQLite a copy drops the old table, and with
    # foreign keys on that would cascade to the labels and readings that point at it.
    op.add_column("theme", sa.Column("label_set_by", sa.String(length=200), nullable=True))
    _fold_labelled_kind()
    op.drop_column("feedback_item", "labelled_kind")


def _fold_labelled_kind() -> None:
    now = dt.datetime.now(dt.UTC)
    op.execute(
        sa.text(
            "UPDATE feedback_label SET kind = (SELECT labelled_kind FROM feedback_item "
            "WHERE feedback_item.id = feedback_label.feedback_id) "
            "WHERE kind IS NULL AND feedback_id IN "
            "(SELECT id FROM feedback_item WHERE labelled_kind IS NOT NULL)"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO feedback_label (feedback_id, kind, sentiment, source, set_by, set_at) "
            "SELECT id, labelled_kind, NULL, 'file', NULL, :now FROM feedback_item "
            "WHERE labelled_kind IS NOT NULL "
            "AND id NOT IN (SELECT feedback_id FROM feedback_label)"
        ).bindparams(sa.bindparam("now", now, type_=sa.DateTime(timezone=True)))
    )


def downgrade() -> None:
    op.add_column("feedback_item", sa.Column("labelled_kind", sa.String(length=20), nullable=True))
    op.execute(
        sa.text(
            "UPDATE feedback_item SET labelled_kind = (SELECT kind FROM feedback_label "
            "WHERE feedback_label.feedback_id = feedback_item.id AND source = 'file')"
        )
    )
    op.drop_column("theme", "label_set_by")
    op.drop_table("curation_decision")
