"""Change history: who changed which field of which object, when, and through what

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "product_id",
            sa.Integer(),
            sa.ForeignKey("product.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("edit", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("object_type", sa.String(20), nullable=False),
        sa.Column("object_key", sa.String(200), nullable=False),
        sa.Column("field", sa.String(300), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_change_history_object",
        "change_history",
        ["product_id", "object_type", "object_key", "id"],
    )
    op.create_index("ix_change_history_product", "change_history", ["product_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_change_history_product", table_name="change_history")
    op.drop_index("ix_change_history_object", table_name="change_history")
    op.drop_table("change_history")
