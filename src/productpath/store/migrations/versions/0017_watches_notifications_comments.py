"""Watches and notifications: who watches what, in-app notifications with their channels,
each user's notification channels, and comments on milestones, themes and decisions

The ``notification`` table, until now an e-mail outbox for portal voters, becomes one message
for one person by one channel (``in_app``, ``email`` or ``webhook``); its rows so far are
e-mails (the ``channel`` default) about a voted item (the ``kind`` default, ``portal``).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0020"
branch_labels = None
depends_on = None

_COMMENT_TARGETS = (
    ("milestone_id", "milestone"),
    ("theme_id", "theme"),
    ("decision_id", "decision"),
)


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("notify_email", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("notify_webhook_url", sa.String(1000), nullable=True))
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("channel", sa.String(10), nullable=False, server_default="email")
        )
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="portal"))
        batch.add_column(sa.Column("link", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("webhook_url", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            "fk_notification_user_id_app_user", "app_user", ["user_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_notification_user", ["user_id", "channel", "read_at"])
    with op.batch_alter_table("comment") as batch:
        batch.alter_column("initiative_id", existing_type=sa.Integer(), nullable=True)
        for column, table in _COMMENT_TARGETS:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch.create_foreign_key(
                f"fk_comment_{column}_{table}", table, [column], ["id"], ondelete="CASCADE"
            )
            batch.create_index(f"ix_comment_{column}", [column])
    op.create_table(
        "watch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "product_id",
            sa.Integer(),
            sa.ForeignKey("product.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("object_type", sa.String(20), nullable=False),
        sa.Column("object_key", sa.String(200), nullable=False),
        sa.Column("raised", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "product_id", "object_type", "object_key"),
    )
    op.create_index("ix_watch_object", "watch", ["product_id", "object_type", "object_key"])


def downgrade() -> None:
    op.drop_index("ix_watch_object", table_name="watch")
    op.drop_table("watch")
    op.execute(
        "DELETE FROM comment WHERE initiative_id IS NULL"  # the other kinds have nowhere to go
    )
    with op.batch_alter_table("comment") as batch:
        for column, table in _COMMENT_TARGETS:
            batch.drop_index(f"ix_comment_{column}")
            batch.drop_constraint(f"fk_comment_{column}_{table}", type_="foreignkey")
            batch.drop_column(column)
        batch.alter_column("initiative_id", existing_type=sa.Integer(), nullable=False)
    op.execute("DELETE FROM notification WHERE channel <> 'email'")
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_user")
        batch.drop_constraint("fk_notification_user_id_app_user", type_="foreignkey")
        for column in ("read_at", "webhook_url", "link", "kind", "channel", "user_id"):
            batch.drop_column(column)
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("notify_webhook_url")
        batch.drop_column("notify_email")
