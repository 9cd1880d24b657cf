"""alarm answers: the clearing's comment, the enterprise's own acknowledgement, inbox indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:00:00.000000

Clearing an alarm says why (``clear_comment``). An enterprise's acknowledgement of what is its to
act on is kept apart from the bureau's (``enterprise_acknowledged_by``, ``_at``,
``enterprise_comment``): it never changes the alarm's ``state``. The alarms inbox filters and
pages in SQL, newest first: indexes on ``raised_at`` and on ``(facility, raised_at)``. Existing
rows get an empty clearing comment and no enterprise acknowledgement: nothing is rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("clear_comment", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("enterprise_acknowledged_by", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(sa.Column("enterprise_acknowledged_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("enterprise_comment", sa.Text(), server_default="", nullable=False)
        )
        batch_op.create_index("ix_alarms_raised_at", ["raised_at"], unique=False)
        batch_op.create_index(
            "ix_alarms_facility_raised_at", ["facility", "raised_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_index("ix_alarms_facility_raised_at")
        batch_op.drop_index("ix_alarms_raised_at")
        batch_op.drop_column("enterprise_comment")
        batch_op.drop_column("enterprise_acknowledged_at")
        batch_op.drop_column("enterprise_acknowledged_by")
        batch_op.drop_column("clear_comment")
