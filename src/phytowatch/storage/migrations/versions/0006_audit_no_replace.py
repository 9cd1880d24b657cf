"""audit no replace

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:40:00.000000

On SQLite, ``INSERT OR REPLACE`` of an existing ``seq`` deletes the old row without firing the
DELETE trigger (delete triggers fire on REPLACE only with recursive triggers on): a third trigger
refuses an insert whose ``seq`` is taken. On PostgreSQL ``ON CONFLICT DO UPDATE`` is an UPDATE,
which the trigger of 0004 refuses already.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
            "WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq) "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: REPLACE refused'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
