"""port: the draws, checks, holds and clearance records of step 6

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 03:30:00.000000

Step 6 of the e-supervision chain (storage/port/tables.py). Every table is a legal record and
append-only by trigger (storage/migrations/append_only.py), except the per-port-office-and-year
counter of clearance numbers, which a release locks and increments in its own transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_APPEND_ONLY = {
    "port_draws": ("id",),
    "port_checks": ("id",),
    "port_holds": ("id",),
    "clearances": ("id",),
}


def _consignment(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return (
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f(f"fk_{table}_consignment_id_consignments"),
        ),
    )


def _who() -> tuple[sa.Column[int], sa.Column[str]]:
    return (
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "port_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        *_consignment("port_draws"),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("key_list", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("ratio", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.String(length=4), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=200), nullable=False),
        sa.Column("draw", sa.String(length=16), nullable=False),
        *_who(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_port_draws")),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_port_draws_transfer_id")),
    )
    op.create_index("ix_port_draws_office", "port_draws", ["office", "id"])
    op.create_table(
        "port_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        *_consignment("port_checks"),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("seals_intact", sa.Boolean(), nullable=False),
        sa.Column("containers_match", sa.Boolean(), nullable=False),
        sa.Column("goods_match", sa.Boolean(), nullable=False),
        sa.Column("conforming", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        *_who(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_port_checks")),
    )
    op.create_index("ix_port_checks_transfer", "port_checks", ["transfer_id", "id"])
    op.create_table(
        "port_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        *_consignment("port_holds"),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_who(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_port_holds")),
    )
    op.create_index("ix_port_holds_transfer", "port_holds", ["transfer_id", "id"])
    op.create_table(
        "clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("transfer_number", sa.String(length=64), nullable=False),
        *_consignment("clearances"),
        sa.Column("consignment_number", sa.String(length=64), nullable=False),
        sa.Column("enterprise", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("port", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("certificates", sa.Text(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.BigInteger(), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearances")),
        sa.UniqueConstraint("number", name=op.f("uq_clearances_number")),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_clearances_transfer_id")),
        sa.UniqueConstraint("office", "year", "sequence", name="uq_clearances_sequence"),
    )
    op.create_index("ix_clearances_office", "clearances", ["office", "id"])
    op.create_index("ix_clearances_consignment", "clearances", ["consignment_id"])
    op.create_table(
        "clearance_counters",
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office", "year", name="pk_clearance_counters"),
    )
    for table, key in _APPEND_ONLY.items():
        protect(table, key)


def downgrade() -> None:
    for table in _APPEND_ONLY:
        unprotect(table)
    op.drop_table("clearance_counters")
    op.drop_index("ix_clearances_consignment", table_name="clearances")
    op.drop_index("ix_clearances_office", table_name="clearances")
    op.drop_table("clearances")
    op.drop_index("ix_port_holds_transfer", table_name="port_holds")
    op.drop_table("port_holds")
    op.drop_index("ix_port_checks_transfer", table_name="port_checks")
    op.drop_table("port_checks")
    op.drop_index("ix_port_draws_office", table_name="port_draws")
    op.drop_table("port_draws")
