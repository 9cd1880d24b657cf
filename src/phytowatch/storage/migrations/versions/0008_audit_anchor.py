"""audit anchor

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00.000000

The audit trail's anchored heads: a table of its own, where ``phytowatch serve`` records the
trail's newest entry (seq and hash) periodically and ``phytowatch audit verify`` records the head
it has just verified, so that a cut or a rewrite of ``audit_log`` is caught without a head given
by hand. It is append-only as ``audit_log`` is: on PostgreSQL a trigger function refuses UPDATE,
DELETE and TRUNCATE; on SQLite triggers refuse UPDATE, DELETE and an INSERT of an ``id`` already
there (``INSERT OR REPLACE``). ``signature`` stays empty until the bureau's office keys exist.

The triggers are written out here, not imported: ``storage/audit_repo.py`` checks that they are
still exactly these.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_anchor_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_anchor is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )
    with op.batch_alter_table("audit_anchor", schema=None) as batch_op:
        batch_op.create_index("ix_audit_anchor_seq", ["seq"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_anchor_no_change BEFORE UPDATE OR DELETE ON audit_anchor "
            "FOR EACH ROW EXECUTE FUNCTION audit_anchor_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor_append_only()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_anchor_no_{verb.lower()} BEFORE {verb} ON audit_anchor "
                f"BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only: {verb} refused'); END"
            )
        op.execute(
            "CREATE TRIGGER audit_anchor_no_replace BEFORE INSERT ON audit_anchor "
            "WHEN EXISTS (SELECT 1 FROM audit_anchor WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only: REPLACE refused'); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON audit_anchor")
        op.execute("DROP TRIGGER IF EXISTS audit_anchor_no_change ON audit_anchor")
        op.execute("DROP FUNCTION IF EXISTS audit_anchor_append_only()")
    elif dialect == "sqlite":
        for name in ("update", "delete", "replace"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_anchor_no_{name}")
    with op.batch_alter_table("audit_anchor", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_anchor_seq")

    op.drop_table("audit_anchor")
