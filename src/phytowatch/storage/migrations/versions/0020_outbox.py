"""outbox: messages (append-only) and their delivery state

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 03:20:00.000000

The durable outbox (storage/outbox/tables.py): a message is a legal record, append-only by
trigger; its delivery state is a small mutable table beside it, which is not the record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(
        "ix_outbox_messages_destination_key", "outbox_messages", ["destination", "key"], unique=True
    )
    op.create_table(
        "outbox_deliveries",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.BigInteger(), nullable=True),
        sa.Column("last_attempt_at", sa.BigInteger(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_outbox_deliveries_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_outbox_deliveries")),
    )
    op.create_index("ix_outbox_deliveries_due", "outbox_deliveries", ["state", "due_at"])
    op.create_index(
        "ix_outbox_deliveries_destination",
        "outbox_deliveries",
        ["destination", "state", "due_at"],
    )
    protect("outbox_messages", ("id",))


def downgrade() -> None:
    unprotect("outbox_messages")
    op.drop_table("outbox_deliveries")
    op.drop_table("outbox_messages")
