"""Data version: one counter every write transaction bumps (for the web's response cache)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "n": 0}])


def downgrade() -> None:
    op.drop_table("data_version")
