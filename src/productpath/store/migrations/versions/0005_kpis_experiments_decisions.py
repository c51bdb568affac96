"""KPIs and their points, experiments and their results, the decision log and its evidence;
key results may point at a KPI

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 14:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column[dt.datetime]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "kpi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "key"),
    )
    op.create_table(
        "kpi_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kpi_id", "day", "segment"),
    )
    op.create_index("ix_kpi_point_kpi_day", "kpi_point", ["kpi_id", "day"], unique=False)
    op.create_table(
        "experiment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("control", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("srm_p_value", sa.Float(), nullable=True),
        sa.Column("srm_mismatch", sa.Boolean(), nullable=False),
        sa.Column("caveats", sa.Text(), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "key"),
    )
    op.create_table(
        "experiment_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=100), nullable=False),
        sa.Column("metric_kind", sa.String(length=20), nullable=False),
        sa.Column("variant", sa.String(length=100), nullable=False),
        sa.Column("control", sa.String(length=100), nullable=False),
        sa.Column("n_variant", sa.Integer(), nullable=False),
        sa.Column("n_control", sa.Integer(), nullable=False),
        sa.Column("variant_value", sa.Float(), nullable=False),
        sa.Column("control_value", sa.Float(), nullable=False),
        sa.Column("difference", sa.Float(), nullable=False),
        sa.Column("lift", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("prob_beat_control", sa.Float(), nullable=True),
        sa.Column("test", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_experiment_result_experiment_id"),
        "experiment_result",
        ["experiment_id"],
        unique=False,
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("expected_kpi_id", sa.Integer(), nullable=True),
        sa.Column("expected_kpi_ref", sa.String(length=64), nullable=True),
        sa.Column("expected_direction", sa.String(length=10), nullable=True),
        sa.Column("expected_target", sa.Float(), nullable=True),
        sa.Column("expected_by", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["expected_kpi_id"], ["kpi.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "key"),
    )
    op.create_table(
        "decision_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("kpi_id", sa.Integer(), nullable=True),
        sa.Column("experiment_id", sa.Integer(), nullable=True),
        sa.Column("forecast_run_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiment.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["feedback_id"], ["feedback_item.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["forecast_run_id"], ["forecast_run.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_decision_evidence_decision_id"),
        "decision_evidence",
        ["decision_id"],
        unique=False,
    )
    # Batch mode: SQLite cannot add a foreign key to an existing table, so it copies the table.
    with op.batch_alter_table("key_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kpi_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_key_result_kpi_id_kpi", "kpi", ["kpi_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("key_result", schema=None) as batch_op:
        batch_op.drop_constraint("fk_key_result_kpi_id_kpi", type_="foreignkey")
        batch_op.drop_column("kpi_id")
    op.drop_index(op.f("ix_decision_evidence_decision_id"), table_name="decision_evidence")
    op.drop_table("decision_evidence")
    op.drop_table("decision")
    op.drop_index(op.f("ix_experiment_result_experiment_id"), table_name="experiment_result")
    op.drop_table("experiment_result")
    op.drop_table("experiment")
    op.drop_index("ix_kpi_point_kpi_day", table_name="kpi_point")
    op.drop_table("kpi_point")
    op.drop_table("kpi")
