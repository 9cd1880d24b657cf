"""routes and assessments

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 23:00:00.000000

Step 2 and 3 of the e-supervision chain (storage/supervision/assessment_tables.py): the bureau's
sampling key, each version's route, assessments, their samples, and interceptions; all legal
records, append-only by trigger (storage/migrations/append_only.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_APPEND_ONLY = {
    "sampling_keys": ("id",),
    "consignment_routes": ("id",),
    "assessments": ("id",),
    "assessment_samples": ("assessment_id", "line_no"),
    "interceptions": ("id",),
}


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "sampling_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sampling_keys")),
    )
    op.create_table(
        "consignment_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("ratio", sa.String(length=16), nullable=False),
        sa.Column("draw", sa.String(length=16), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("fired", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("products", sa.Text(), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("takes_over", sa.Text(), server_default="", nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        _fk("consignment_routes", "consignment_id", "consignments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_routes")),
        sa.UniqueConstraint("consignment_id", "version", name="uq_consignment_routes_version"),
    )
    with op.batch_alter_table("consignment_routes", schema=None) as batch_op:
        batch_op.create_index("ix_consignment_routes_outcome_at", ["outcome", "at"], unique=False)
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("conformity", sa.String(length=16), nullable=False),
        sa.Column("disposal", sa.String(length=16), nullable=True),
        sa.Column("inspected", sa.Text(), nullable=False),
        sa.Column("lab_results", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        _fk("assessments", "consignment_id", "consignments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("consignment_id", "version", name="uq_assessments_version"),
    )
    op.create_table(
        "assessment_samples",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=200), nullable=False),
        sa.Column("lab", sa.String(length=200), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        _fk("assessment_samples", "assessment_id", "assessments"),
        sa.PrimaryKeyConstraint("assessment_id", "line_no", name="pk_assessment_samples"),
    )
    op.create_table(
        "interceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("pest", sa.String(length=200), nullable=False),
        sa.Column("life_stage", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Text(), nullable=False),
        sa.Column("enterprise", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("products", sa.Text(), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        _fk("interceptions", "assessment_id", "assessments"),
        _fk("interceptions", "consignment_id", "consignments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interceptions")),
    )
    with op.batch_alter_table("interceptions", schema=None) as batch_op:
        batch_op.create_index("ix_interceptions_at", ["at"], unique=False)
        batch_op.create_index("ix_interceptions_enterprise_at", ["enterprise", "at"], unique=False)
    for table, key in _APPEND_ONLY.items():
        protect(table, key)


def downgrade() -> None:
    for table in _APPEND_ONLY:
        unprotect(table)
    for table in ("interceptions", "assessment_samples", "assessments", "consignment_routes",
                  "sampling_keys"):  # fmt: skip
        op.drop_table(table)
