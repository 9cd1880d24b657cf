"""received ePhyto certificates

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 01:10:00.000000

Step 4 of the e-supervision chain, IPPC ePhyto (storage/ephyto_tables.py): the ePhytos received
from other NPPOs, as received (raw bytes and their sha256, unique) with their parsed fields;
a legal record, append-only by trigger (storage/migrations/append_only.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_ephyto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("type_code", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.String(length=16), nullable=False),
        sa.Column("export_country", sa.String(length=16), nullable=False),
        sa.Column("import_country", sa.String(length=16), nullable=False),
        sa.Column("issued", sa.String(length=64), nullable=False),
        sa.Column("exporter", sa.Text(), nullable=False),
        sa.Column("consignee", sa.Text(), nullable=False),
        sa.Column("parsed", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.BigInteger(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_ephyto")),
        sa.UniqueConstraint("sha256", name=op.f("uq_received_ephyto_sha256")),
    )
    op.create_index("ix_received_ephyto_imported_at", "received_ephyto", ["imported_at"])
    protect("received_ephyto", ("id",))


def downgrade() -> None:
    unprotect("received_ephyto")
    op.drop_index("ix_received_ephyto_imported_at", table_name="received_ephyto")
    op.drop_table("received_ephyto")
