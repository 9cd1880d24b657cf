"""policy versions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 23:00:00.000000

Official policy's versions (storage/supervision/policy_tables.py): each edit of a policy
document (products, destinations, routing, classification) stored whole, with who, when and
why. A legal record: append-only, by trigger (storage/migrations/append_only.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("kind", "version", name="uq_policy_versions_kind_version"),
    )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index("ix_policy_versions_kind_id", ["kind", "id"], unique=False)
    protect("policy_versions", ("id",))


def downgrade() -> None:
    unprotect("policy_versions")
    op.drop_table("policy_versions")
