"""Feedback may carry the kind its source gives it (an issue's labels)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_item") as batch:
        batch.add_column(sa.Column("labelled_kind", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_item") as batch:
        batch.drop_column("labelled_kind")
