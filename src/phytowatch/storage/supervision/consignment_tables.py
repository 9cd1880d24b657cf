"""The consignments' tables (migration 0012): the consignment, its submitted versions, its
lines, the runs that back each version, and its timeline.

``declaration_versions``, ``consignment_lines``, ``consignment_runs`` and ``consignment_events``
are append-only (triggers): a correction is a new version, never an edit. ``consignments`` holds
where each stands (its state, its newest version) and, while it is a draft, the draft itself.
Instants are µs since the epoch, UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from phytowatch.storage.tables import metadata

consignments = Table(
    "consignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer, nullable=False),  # newest submitted version; 0 for a draft
    Column("draft", Text, nullable=True),  # JSON of a Declaration, while a draft or returned
    Column("destination", String(2), nullable=False, server_default=""),  # for lists
    Column("consignee", String(500), nullable=False, server_default=""),  # for lists, search
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("submitted_at", BigInteger, nullable=True),  # first submission
    Column("updated_at", BigInteger, nullable=False),  # last change of state
    Column("copied_from", Integer, ForeignKey("consignments.id"), nullable=True),
    Index("ix_consignments_enterprise_created", "enterprise_id", "created_at"),
    Index("ix_consignments_state_updated", "state", "updated_at"),
)

declaration_versions = Table(
    "declaration_versions",
    metadata,
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content", Text, nullable=False),  # canonical JSON of the Declaration
    Column("content_hash", String(64), nullable=False),  # sha-256 hex of ``content``
    Column("submitted_at", BigInteger, nullable=False),
    Column("submitted_by", String(200), nullable=False),
    PrimaryKeyConstraint("consignment_id", "version", name="pk_declaration_versions"),
)

consignment_lines = Table(
    "consignment_lines",
    metadata,
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("product", String(64), nullable=False),
    Column("quantity", Numeric(18, 3), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("packages", Integer, nullable=False),
    PrimaryKeyConstraint("consignment_id", "version", "line_no", name="pk_consignment_lines"),
    Index("ix_consignment_lines_product", "product"),
)

consignment_runs = Table(
    "consignment_runs",
    metadata,
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    PrimaryKeyConstraint("consignment_id", "version", "run_id", name="pk_consignment_runs"),
    Index("ix_consignment_runs_run", "run_id"),
)

consignment_events = Table(
    "consignment_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("step", String(16), nullable=False),  # domain.supervision.consignment.Step
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("detail", Text, nullable=False, server_default="{}"),  # JSON: a message, or {}
    Index("ix_consignment_events_consignment", "consignment_id", "at"),
)
