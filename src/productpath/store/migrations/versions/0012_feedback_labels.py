"""Feedback labels: a person's (or an imported file's) kind and sentiment for an item, kept
apart from the insight engine's readings so a run never overwrites them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_label",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["feedback_id"], ["feedback_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feedback_id"),
    )


def downgrade() -> None:
    op.drop_table("feedback_label")
