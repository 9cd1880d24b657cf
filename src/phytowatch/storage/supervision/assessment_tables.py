"""The routing and assessment tables (migration 0015): the bureau's sampling key, each version's
route, each assessment with its samples, and the interceptions.

All are legal records and append-only (triggers). ``interceptions`` keeps the enterprise, city,
products and destination as they were, for the records page and the KPIs that count them.
Instants are µs since the epoch, UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from phytowatch.storage.tables import metadata

sampling_keys = Table(
    "sampling_keys",
    metadata,
    Column("id", Integer, primary_key=True),  # one row: 1
    Column("key", String(64), nullable=False),  # hex of 32 random bytes
    Column("created_at", BigInteger, nullable=False),
)

consignment_routes = Table(
    "consignment_routes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("ratio", String(16), nullable=False),
    Column("draw", String(16), nullable=False),
    Column("rules_version", String(64), nullable=False),
    Column("fired", Text, nullable=False),  # JSON list of hard-rule names
    Column("reasons", Text, nullable=False),  # JSON list of messages
    Column("inputs", Text, nullable=False),  # JSON: everything it was decided from
    Column("products", Text, nullable=False),  # " p1 p2 ": for the inspection owed
    Column("destination", String(2), nullable=False),
    Column("takes_over", Text, nullable=False, server_default=""),  # " N1 N2 ": owed, discharged
    Column("at", BigInteger, nullable=False),
    UniqueConstraint("consignment_id", "version", name="uq_consignment_routes_version"),
    Index("ix_consignment_routes_outcome_at", "outcome", "at"),
    Index("ix_consignment_routes_consignment_outcome", "consignment_id", "outcome"),  # 0016
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # documents | inspection
    Column("conformity", String(16), nullable=False),
    Column("disposal", String(16), nullable=True),
    Column("inspected", Text, nullable=False),
    Column("lab_results", Text, nullable=False),
    Column("findings", Text, nullable=False),
    Column("comment", Text, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON
    Column("reason", Text, nullable=True),  # JSON message (documents)
    Column("by", String(200), nullable=False),
    Column("office", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
    UniqueConstraint("consignment_id", "version", name="uq_assessments_version"),
)

assessment_samples = Table(
    "assessment_samples",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sample_id", String(200), nullable=False),
    Column("kind", String(200), nullable=False),
    Column("lab", String(200), nullable=False),
    Column("result", Text, nullable=False),
    PrimaryKeyConstraint("assessment_id", "line_no", name="pk_assessment_samples"),
)

interceptions = Table(
    "interceptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("assessment_id", Integer, ForeignKey("assessments.id"), nullable=False),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("pest", String(200), nullable=False),
    Column("life_stage", String(16), nullable=False),
    Column("count", Integer, nullable=False),
    Column("batches", Text, nullable=False),
    Column("enterprise", String(32), nullable=False),  # enterprise code, as it was
    Column("city", String(100), nullable=False),
    Column("products", Text, nullable=False),  # " p1 p2 "
    Column("destination", String(2), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("by", String(200), nullable=False),
    Index("ix_interceptions_at", "at"),
    Index("ix_interceptions_enterprise_at", "enterprise", "at"),
)
