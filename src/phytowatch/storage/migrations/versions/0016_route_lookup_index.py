"""an index of routes by consignment and outcome

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 23:40:00.000000

Every submission asks whether the enterprise owes an inspection: for each of its withdrawn or
rejected consignments, whether one of its routes was to inspect
(``SqlAssessmentStore.owed``). With only the index by outcome, SQLite read every route to inspect
of the year for each such consignment; this index answers it from the consignment's own routes.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_consignment_routes_consignment_outcome",
        "consignment_routes",
        ["consignment_id", "outcome"],
    )


def downgrade() -> None:
    op.drop_index("ix_consignment_routes_consignment_outcome", table_name="consignment_routes")
