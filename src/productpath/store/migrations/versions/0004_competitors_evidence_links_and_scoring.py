"""competitors and their feature matrix, evidence links, score overrides; roadmap-managed
customers and segments; ``initiative.themes`` becomes evidence links

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:00:00

The old ``initiative.themes`` column held the roadmap's theme names verbatim. A name that is a
theme number ("3" or "#3") of the same product, or a theme's label, becomes an accepted
evidence link; anything else named no theme and is dropped (docs/roadmap.md says so).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "competitor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "key"),
    )
    op.create_table(
        "feature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("ours", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "key"),
    )
    op.create_table(
        "feature_support",
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("competitor_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["competitor_id"], ["competitor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["feature_id"], ["feature.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feature_id", "competitor_id"),
    )
    op.create_table(
        "feature_initiative",
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["feature_id"], ["feature.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feature_id", "initiative_id"),
    )
    op.create_table(
        "evidence_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(theme_id IS NULL) <> (feedback_id IS NULL)", name="ck_evidence_link_one_target"
        ),
        sa.ForeignKeyConstraint(["feedback_id"], ["feedback_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("initiative_id", "feedback_id"),
        sa.UniqueConstraint("initiative_id", "theme_id"),
    )
    op.create_index(
        op.f("ix_evidence_link_initiative_id"), "evidence_link", ["initiative_id"], unique=False
    )
    op.create_table(
        "score_override",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("initiative_id", "term"),
    )
    # Plain ALTER TABLE, never a batch copy: on SQLite a batch drops and re-creates the table,
    # and dropping customer (or initiative) with foreign keys on would null or delete the rows
    # that refer to it. SQLite >= 3.35 adds and drops such plain columns in place.
    for table in ("customer", "segment"):
        op.add_column(table, sa.Column("roadmap_position", sa.Integer(), nullable=True))
    _themes_to_links()
    op.drop_column("initiative", "themes")


def _themes_to_links() -> None:
    conn = op.get_bind()
    themes: dict[tuple[int, str], int] = {}
    for theme_id, product_id, number, label in conn.execute(
        sa.text("SELECT id, product_id, number, label FROM theme")
    ):
        themes.setdefault((product_id, str(number)), theme_id)
        themes.setdefault((product_id, f"#{number}"), theme_id)
        themes.setdefault((product_id, label.casefold()), theme_id)
    rows = conn.execute(
        sa.text("SELECT id, product_id, themes FROM initiative WHERE themes <> ''")
    ).all()
    link = sa.text(
        "INSERT INTO evidence_link (initiative_id, theme_id, status, weight, position, "
        "created_at) VALUES (:i, :t, 'accepted', 1.0, :p, CURRENT_TIMESTAMP)"
    )
    for initiative_id, product_id, names in rows:
        linked: list[int] = []
        for name in names.split(","):
            theme_id = themes.get((product_id, name.strip().casefold()))
            if theme_id is not None and theme_id not in linked:
                linked.append(theme_id)
        for position, theme_id in enumerate(linked):
            conn.execute(link, {"i": initiative_id, "t": theme_id, "p": position})


def downgrade() -> None:
    op.add_column("initiative", sa.Column("themes", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT l.initiative_id, t.number FROM evidence_link l JOIN theme t "
            "ON t.id = l.theme_id WHERE l.status = 'accepted' ORDER BY l.initiative_id, "
            "l.position"
        )
    ).all()
    by_initiative: dict[int, list[str]] = {}
    for initiative_id, number in rows:
        by_initiative.setdefault(initiative_id, []).append(str(number))
    for initiative_id, numbers in by_initiative.items():
        conn.execute(
            sa.text("UPDATE initiative SET themes = :t WHERE id = :i"),
            {"t": ",".join(numbers), "i": initiative_id},
        )
    for table in ("segment", "customer"):
        op.drop_column(table, "roadmap_position")
    op.drop_table("score_override")
    op.drop_index(op.f("ix_evidence_link_initiative_id"), table_name="evidence_link")
    op.drop_table("evidence_link")
    op.drop_table("feature_initiative")
    op.drop_table("feature_support")
    op.drop_table("feature")
    op.drop_table("competitor")
