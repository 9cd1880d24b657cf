"""run lists

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:00:00.000000

The lists of runs, facilities and enterprises are filtered, sorted and paged by the database, at a
province's size (1,000 facilities, years of runs). A run's review state (``domain.review``) is
derived from whether it is closed, its verdict, whether its judgement asks for a look, and the
inspector's decision. All but one of these are columns; whether the judgement asks for a look
(findings, review required, calibration notes: ``domain.signoff.needs_comment``) is inside JSON
text, which SQLite and PostgreSQL read differently. So it is kept as a column, ``needs_review``,
written when the run is created and again when it closes (the judgement and the notes never
change after that), and computed here for the runs there are.

Indexes for what the lists sort and filter by: a run's start and close; its verdict, whether it
needs review, its close and its facility (the inspector's queue and the review states, answered
from the index alone: closed PASS runs, findings first, the longest waiting first); an
enterprise's city.

The rule is written out here, not imported: a revision must keep meaning what it meant when it
was written, whatever the code becomes.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _needs_review(judgement: str | None, notes: str | None) -> bool:
    """``domain.signoff.needs_comment`` as of this revision."""
    found: Any = json.loads(judgement) if judgement else None
    if not isinstance(found, dict):
        return True
    listed = json.loads(notes) if notes else []
    return bool(found.get("review_required") or found.get("findings") or listed)


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.create_index("ix_runs_started_at", ["started_at"], unique=False)
        batch_op.create_index("ix_runs_closed_at", ["closed_at"], unique=False)
        batch_op.create_index(
            "ix_runs_review", ["verdict", "needs_review", "closed_at", "facility_id"], unique=False
        )
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index("ix_enterprises_city", ["city"], unique=False)

    runs = sa.table(
        "runs",
        sa.column("id", sa.Integer),
        sa.column("judgement", sa.Text),
        sa.column("calibration_notes", sa.Text),
        sa.column("needs_review", sa.Boolean),
    )
    bind = op.get_bind()
    clean = [
        row.id
        for row in bind.execute(sa.select(runs.c.id, runs.c.judgement, runs.c.calibration_notes))
        if not _needs_review(row.judgement, row.calibration_notes)
    ]
    for start in range(0, len(clean), 500):
        bind.execute(
            sa.update(runs)
            .where(runs.c.id.in_(clean[start : start + 500]))
            .values(needs_review=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprises_city")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_review")
        batch_op.drop_index("ix_runs_closed_at")
        batch_op.drop_index("ix_runs_started_at")
        batch_op.drop_column("needs_review")
