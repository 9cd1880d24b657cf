"""standing and bases

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 23:00:00.000000

Classification management and raw-material bases (storage/supervision/standing_tables.py).
An enterprise's class history and a base's history are legal records: append-only by trigger.
Every enterprise gets its first standing from its registered grade (I-IV: the cn-class scheme;
AA-D: credit grades), not e-supervised, not on the key list, by "migration".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_APPEND_ONLY = {"enterprise_standing": ("id",), "base_events": ("id",)}


def upgrade() -> None:
    op.create_table(
        "enterprise_standing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("class", sa.String(length=16), nullable=False),
        sa.Column("e_supervised", sa.Boolean(), nullable=False),
        sa.Column("key_list", sa.Boolean(), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"],
            name=op.f("fk_enterprise_standing_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_standing")),
    )  # fmt: skip
    with op.batch_alter_table("enterprise_standing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enterprise_standing_enterprise", ["enterprise_id", "id"], unique=False
        )
    op.create_table(
        "raw_material_bases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("products", sa.Text(), server_default="[]", nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"],
            name=op.f("fk_raw_material_bases_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_material_bases")),
        sa.UniqueConstraint("number", name=op.f("uq_raw_material_bases_number")),
    )  # fmt: skip
    with op.batch_alter_table("raw_material_bases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_raw_material_bases_enterprise_id"), ["enterprise_id"], unique=False
        )
    op.create_table(
        "base_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["base_id"], ["raw_material_bases.id"],
            name=op.f("fk_base_events_base_id_raw_material_bases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_base_events")),
    )  # fmt: skip
    with op.batch_alter_table("base_events", schema=None) as batch_op:
        batch_op.create_index("ix_base_events_base", ["base_id", "id"], unique=False)
    op.create_table(
        "classification_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("from_class", sa.String(length=16), nullable=False),
        sa.Column("to_class", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.BigInteger(), nullable=False),
        sa.Column("period_end", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_at", sa.BigInteger(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"],
            name=op.f("fk_classification_proposals_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification_proposals")),
        sa.UniqueConstraint(
            "enterprise_id", "rule", "period_end", name="uq_classification_proposals_once"
        ),
    )  # fmt: skip
    with op.batch_alter_table("classification_proposals", schema=None) as batch_op:
        batch_op.create_index("ix_classification_proposals_state", ["state", "id"], unique=False)
    # the first standing of every enterprise: its registered grade
    op.execute(
        "INSERT INTO enterprise_standing "
        '(enterprise_id, scheme, class, e_supervised, key_list, since, "by", reason) '
        "SELECT id, CASE WHEN grade IN ('I', 'II', 'III', 'IV') THEN 'cn-class' "
        "ELSE 'credit-grade' END, grade, false, false, created_at, 'migration', '' "
        "FROM enterprises ORDER BY id"
    )
    for table, key in _APPEND_ONLY.items():
        protect(table, key)


def downgrade() -> None:
    for table in _APPEND_ONLY:
        unprotect(table)
    for table in ("classification_proposals", "base_events", "raw_material_bases",
                  "enterprise_standing"):  # fmt: skip
        op.drop_table(table)
