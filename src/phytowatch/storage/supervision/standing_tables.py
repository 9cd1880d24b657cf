"""Classification and raw-material bases' tables (migration 0014).

``enterprise_standing`` is an enterprise's class history (the newest row, by id, is in force)
and ``base_events`` a base's: both append-only (triggers). ``raw_material_bases`` holds where
each base stands (its status now); ``classification_proposals`` the changes the rules proposed
and what the administrator decided. Instants are µs since the epoch, UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from phytowatch.storage.tables import metadata

enterprise_standing = Table(
    "enterprise_standing",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), nullable=False),
    Column("scheme", String(32), nullable=False),
    Column("class", String(16), nullable=False),
    Column("e_supervised", Boolean, nullable=False),
    Column("key_list", Boolean, nullable=False),
    Column("since", BigInteger, nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_enterprise_standing_enterprise", "enterprise_id", "id"),
)

raw_material_bases = Table(
    "raw_material_bases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("products", Text, nullable=False, server_default="[]"),  # JSON list of product codes
    Column("location", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # valid | suspended
    Column("updated_at", BigInteger, nullable=False),
)

base_events = Table(
    "base_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("base_id", Integer, ForeignKey("raw_material_bases.id"), nullable=False),
    Column("event", String(16), nullable=False),  # registered | suspended | reinstated
    Column("at", BigInteger, nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_base_events_base", "base_id", "id"),
)

classification_proposals = Table(
    "classification_proposals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), nullable=False),
    Column("from_class", String(16), nullable=False),
    Column("to_class", String(16), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("measure", String(64), nullable=False),
    Column("count", Integer, nullable=False),
    Column("period_start", BigInteger, nullable=False),
    Column("period_end", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),  # proposed | confirmed | dismissed
    Column("proposed_at", BigInteger, nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", BigInteger, nullable=True),
    Column("comment", Text, nullable=False, server_default=""),
    # one proposal per enterprise, rule and period, whatever became of it
    UniqueConstraint(
        "enterprise_id", "rule", "period_end", name="uq_classification_proposals_once"
    ),
    Index("ix_classification_proposals_state", "state", "id"),
)
