"""Initiatives may name the KPI they are meant to move (roadmap.yaml ``target_kpi:``)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("initiative") as batch:
        batch.add_column(sa.Column("target_kpi", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("initiative") as batch:
        batch.drop_column("target_kpi")
