"""certificates: revisions, states, issues, prints, numbering and office keys

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 01:00:00.000000

Step 4 of the e-supervision chain (storage/certificates/tables.py). Every table is a legal record
and append-only by trigger (storage/migrations/append_only.py), except the per-office-and-year
counter, which issuing locks and increments in its own transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phytowatch.storage.migrations.append_only import protect, unprotect

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_APPEND_ONLY = {
    "certificates": ("id",),
    "certificate_revisions": ("certificate_id", "revision"),
    "certificate_events": ("id",),
    "certificate_issues": ("certificate_id",),
    "certificate_prints": ("certificate_id", "sequence"),
    "certificate_number_patterns": ("id",),
    "office_keys": ("id",),
}


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _certificate_id(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    column = sa.Column("certificate_id", sa.Integer(), nullable=False)
    return column, _fk(table, "certificate_id", "certificates")


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=True),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("enterprise", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("replaces", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _fk("certificates", "consignment_id", "consignments"),
        _fk("certificates", "replaces", "certificates"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
    )
    op.create_index("ix_certificates_consignment", "certificates", ["consignment_id"])
    op.create_index("ix_certificates_office", "certificates", ["office", "id"])
    op.create_index("ix_certificates_enterprise", "certificates", ["enterprise", "id"])
    op.create_index("ix_certificates_replaces", "certificates", ["replaces"])
    op.create_table(
        "certificate_revisions",
        *_certificate_id("certificate_revisions"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id", "revision", name="pk_certificate_revisions"),
    )
    op.create_table(
        "certificate_events",
        sa.Column("id", sa.Integer(), nullable=False),
        *_certificate_id("certificate_events"),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_events")),
    )
    op.create_index(
        "ix_certificate_events_certificate", "certificate_events", ["certificate_id", "id"]
    )
    op.create_table(
        "certificate_issues",
        *_certificate_id("certificate_issues"),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("check_code", sa.String(length=16), nullable=False),
        sa.Column("payload_signature", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("officer_actor", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_certificate_issues")),
        sa.UniqueConstraint("number", name=op.f("uq_certificate_issues_number")),
        sa.UniqueConstraint("token", name=op.f("uq_certificate_issues_token")),
        sa.UniqueConstraint("office", "year", "sequence", name="uq_certificate_issues_sequence"),
    )
    op.create_table(
        "certificate_prints",
        *_certificate_id("certificate_prints"),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("copy", sa.Boolean(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id", "sequence", name="pk_certificate_prints"),
    )
    op.create_table(
        "certificate_counters",
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office", "year", name="pk_certificate_counters"),
    )
    op.create_table(
        "certificate_number_patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_number_patterns")),
    )
    op.create_index(
        "ix_certificate_number_patterns_office", "certificate_number_patterns", ["office", "id"]
    )
    op.create_table(
        "office_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_office_keys_key_id")),
    )
    op.create_index("ix_office_keys_office", "office_keys", ["office", "id"])
    for table, key in _APPEND_ONLY.items():
        protect(table, key)


def downgrade() -> None:
    for table in _APPEND_ONLY:
        unprotect(table)
    for table in ("office_keys", "certificate_number_patterns", "certificate_counters",
                  "certificate_prints", "certificate_issues", "certificate_events",
                  "certificate_revisions", "certificates"):  # fmt: skip
        op.drop_table(table)
