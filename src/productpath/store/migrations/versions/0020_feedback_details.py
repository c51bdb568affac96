"""Feedback may carry what its source says about it besides the text (a review's rating,
app version, territory or language), as a small JSON object

Revision ID: 0020
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_item") as batch:
        batch.add_column(sa.Column("details", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_item") as batch:
        batch.drop_column("details")
