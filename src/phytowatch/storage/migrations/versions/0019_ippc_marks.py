"""the IPPC mark's authorisations

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 01:00:00.000000

Step 4, the IPPC mark for wood packaging (storage/certificates/marks_tables.py): one row per load
a mark was authorised for, numbered per year without gaps; and their revocations, each its own record; legal records, append-only by trigger
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

_APPEND_ONLY = ("mark_authorisations", "mark_revocations")


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
    op.create_table(
        "mark_revocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["number"],
            ["mark_authorisations.number"],
            name=op.f("fk_mark_revocations_number_mark_authorisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mark_revocations")),
        sa.UniqueConstraint("number", name=op.f("uq_mark_revocations_number")),
    )
    for table in _APPEND_ONLY:
        protect(table, ("id",))


def downgrade() -> None:
    for table in _APPEND_ONLY:
        unprotect(table)
    op.drop_table("mark_revocations")
    op.drop_table("mark_authorisations")
