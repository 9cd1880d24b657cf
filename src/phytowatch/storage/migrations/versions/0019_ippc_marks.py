"""the IPPC mark's authorisations

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 01:00:00.000000

Step 4, the IPPC mark for wood packaging (storage/certificates/marks_tables.py): one row per load
a mark was authorised for, numbered per year without gaps; a legal record, append-only by trigger
(storage/migrations/append_only.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mark_authorisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("facility", sa.String(length=32), nullable=False),
        sa.Column("enterprise", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("treater_number", sa.String(length=32), nullable=False),
        sa.Column("bureau_code", sa.String(length=8), nullable=False),
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("schedule_id", sa.String(length=64), nullable=False),
        sa.Column("load", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("check_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_mark_authorisations_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mark_authorisations")),
        sa.UniqueConstraint("number", name=op.f("uq_mark_authorisations_number")),
        sa.UniqueConstraint("token", name=op.f("uq_mark_authorisations_token")),
    )
    with op.batch_alter_table("mark_authorisations", schema=None) as batch_op:
        batch_op.create_index("ix_mark_authorisations_run", ["run_id"], unique=False)
        batch_op.create_index("ix_mark_authorisations_year_serial", ["year", "serial"], unique=True)
    protect("mark_authorisations", ("id",))


def downgrade() -> None:
    unprotect("mark_authorisations")
    op.drop_table("mark_authorisations")
