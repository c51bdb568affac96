"""Initiatives may carry planned dates (roadmap.yaml ``start:`` and ``target:``)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("initiative") as batch:
        batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("target_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("initiative") as batch:
        batch.drop_column("target_date")
        batch.drop_column("start_date")
