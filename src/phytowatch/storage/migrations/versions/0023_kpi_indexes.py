"""the indexes the bureau's figures read by

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 03:40:00.000000

The figures of a period (``storage/kpi_sql.py``) select the chain's records by the instant of a
step: a consignment's release and certification (its timeline's events by step and instant),
its first submission, a certificate's issue, a transfer's making, and the alarms raised, with
the columns they count (covering, so that a province-year is read from the index alone).
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_consignment_events_step_at", "consignment_events", ["step", "at", "consignment_id"]),
    ("ix_consignments_submitted_at", "consignments", ["submitted_at"]),
    ("ix_certificate_issues_issued_at", "certificate_issues", ["issued_at"]),
    ("ix_transfers_created_at", "transfers", ["created_at"]),
    ("ix_alarms_raised_kind", "alarms", ["raised_at", "kind", "acknowledged_at", "facility"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
