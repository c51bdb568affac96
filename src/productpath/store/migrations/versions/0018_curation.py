"""Curation that sticks: a log of a person's decisions on themes (rename, merge, split, move,
dismiss) that every insight run lays over its clustering, and who named a theme

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
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
    with op.batch_alter_table("theme") as batch:
        batch.add_column(sa.Column("label_set_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("theme") as batch:
        batch.drop_column("label_set_by")
    op.drop_table("curation_decision")
