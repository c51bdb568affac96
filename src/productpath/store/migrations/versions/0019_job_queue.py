"""Jobs run by a queue: their parameters, subject, worker and attempts; on PostgreSQL the
queue's own schema (procrastinate), so ``productpath worker`` processes can share the database

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from productpath.store import queue_schema

revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("params", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("subject", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("worker", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
    queue_schema.apply(op.get_bind())


def downgrade() -> None:
    queue_schema.drop(op.get_bind())
    with op.batch_alter_table("job") as batch:
        for name in ("attempts", "worker", "subject", "params"):
            batch.drop_column(name)
