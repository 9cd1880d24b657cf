"""user last login and forced password change

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:00:00.000000

Two columns of ``users``: ``last_login_at`` (µs UTC of the latest successful login, set with its
audit entry; NULL: never logged in) and ``must_change_password`` (set when an administrator
resets the password or makes a temporary one; until the person changes it, a session opens only
the change form). An index on ``audit_log.actor`` and on ``audit_log.at`` lets the audit page
filter a large trail in SQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_login_at", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
        batch.drop_column("last_login_at")
