"""the e-transfer: transfers, amendments, retrievals

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 03:30:00.000000

Step 5 of the e-supervision chain (storage/transfers/tables.py): one transfer per certified
consignment, numbered per origin office and year without gaps; its amendments and retrievals;
the secret its passwords are derived from (made here, 32 random bytes); legal records,
append-only by trigger (storage/migrations/append_only.py). The counters and the wrong-password
counts change.
"""

from __future__ import annotations

import secrets
import time

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_APPEND_ONLY = ("transfers", "transfer_amendments", "transfer_retrievals", "transfer_secrets")


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("origin_office", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("consignment_number", sa.String(length=64), nullable=False),
        sa.Column("enterprise", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("port", sa.String(length=16), nullable=False),
        sa.Column("port_office", sa.String(length=32), nullable=False),
        sa.Column("electronic", sa.Boolean(), nullable=False),
        sa.Column("receiver", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("declaration", sa.Text(), nullable=False),
        sa.Column("certificates", sa.Text(), nullable=False),
        sa.Column("ports_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_transfers_consignment_id_consignments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint("number", name=op.f("uq_transfers_number")),
        sa.UniqueConstraint("consignment_id", name=op.f("uq_transfers_consignment_id")),
        sa.UniqueConstraint("origin_office", "year", "sequence", name="uq_transfers_sequence"),
    )
    op.create_index("ix_transfers_port_office", "transfers", ["port_office", "id"])
    op.create_index("ix_transfers_enterprise", "transfers", ["enterprise", "id"])
    op.create_table(
        "transfer_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_amendments_transfer_id_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_amendments")),
    )
    op.create_index("ix_transfer_amendments_transfer", "transfer_amendments", ["transfer_id", "id"])
    op.create_table(
        "transfer_retrievals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_retrievals_transfer_id_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_retrievals")),
    )
    op.create_index("ix_transfer_retrievals_transfer", "transfer_retrievals", ["transfer_id", "id"])
    secrets_table = op.create_table(
        "transfer_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_secrets")),
    )
    op.bulk_insert(
        secrets_table,
        [{"id": 1, "secret": secrets.token_hex(32), "created_at": time.time_ns() // 1000}],
    )
    op.create_table(
        "transfer_counters",
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office", "year", name="pk_transfer_counters"),
    )
    op.create_table(
        "transfer_failures",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_transfer_failures")),
    )
    for table in _APPEND_ONLY:
        protect(table, ("id",))


def downgrade() -> None:
    for table in _APPEND_ONLY:
        unprotect(table)
    op.drop_table("transfer_failures")
    op.drop_table("transfer_counters")
    op.drop_table("transfer_secrets")
    op.drop_index("ix_transfer_retrievals_transfer", table_name="transfer_retrievals")
    op.drop_table("transfer_retrievals")
    op.drop_index("ix_transfer_amendments_transfer", table_name="transfer_amendments")
    op.drop_table("transfer_amendments")
    op.drop_index("ix_transfers_enterprise", table_name="transfers")
    op.drop_index("ix_transfers_port_office", table_name="transfers")
    op.drop_table("transfers")
