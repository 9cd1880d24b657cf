"""consignments

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:30:00.000000

The e-supervision chain's first tables (storage/supervision/consignment_tables.py): a
consignment, its submitted versions, their lines and backing runs, and its timeline. What was
submitted is a legal record: the versions, lines, run links and timeline are append-only, by
trigger (storage/migrations/append_only.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_APPEND_ONLY = {
    "declaration_versions": ("consignment_id", "version"),
    "consignment_lines": ("consignment_id", "version", "line_no"),
    "consignment_runs": ("consignment_id", "version", "run_id"),
    "consignment_events": ("id",),
}


def upgrade() -> None:
    op.create_table(
        "consignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column("destination", sa.String(length=2), server_default="", nullable=False),
        sa.Column("consignee", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("copied_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"],
            name=op.f("fk_consignments_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["copied_from"], ["consignments.id"],
            name=op.f("fk_consignments_copied_from_consignments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignments")),
        sa.UniqueConstraint("number", name=op.f("uq_consignments_number")),
    )  # fmt: skip
    with op.batch_alter_table("consignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consignments_enterprise_created", ["enterprise_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_consignments_state_updated", ["state", "updated_at"], unique=False
        )
    op.create_table(
        "declaration_versions",
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.BigInteger(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"], ["consignments.id"],
            name=op.f("fk_declaration_versions_consignment_id_consignments"),
        ),
        sa.PrimaryKeyConstraint("consignment_id", "version", name="pk_declaration_versions"),
    )  # fmt: skip
    op.create_table(
        "consignment_lines",
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("packages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"], ["consignments.id"],
            name=op.f("fk_consignment_lines_consignment_id_consignments"),
        ),
        sa.PrimaryKeyConstraint(
            "consignment_id", "version", "line_no", name="pk_consignment_lines"
        ),
    )  # fmt: skip
    with op.batch_alter_table("consignment_lines", schema=None) as batch_op:
        batch_op.create_index("ix_consignment_lines_product", ["product"], unique=False)
    op.create_table(
        "consignment_runs",
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"], ["consignments.id"],
            name=op.f("fk_consignment_runs_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_consignment_runs_run_id_runs"),
        ),
        sa.PrimaryKeyConstraint(
            "consignment_id", "version", "run_id", name="pk_consignment_runs"
        ),
    )  # fmt: skip
    with op.batch_alter_table("consignment_runs", schema=None) as batch_op:
        batch_op.create_index("ix_consignment_runs_run", ["run_id"], unique=False)
    op.create_table(
        "consignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"], ["consignments.id"],
            name=op.f("fk_consignment_events_consignment_id_consignments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_events")),
    )  # fmt: skip
    with op.batch_alter_table("consignment_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consignment_events_consignment", ["consignment_id", "at"], unique=False
        )
    for table, key in _APPEND_ONLY.items():
        protect(table, key)


def downgrade() -> None:
    for table in _APPEND_ONLY:
        unprotect(table)
    for table in ("consignment_events", "consignment_runs", "consignment_lines",
                  "declaration_versions", "consignments"):  # fmt: skip
        op.drop_table(table)
