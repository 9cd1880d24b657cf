"""The port's tables (migration 0022).

Every table here is a legal record and append-only (triggers), but one: ``clearance_counters``,
the per-port-office-and-year counter that a release locks and increments inside its own
transaction (like ``certificate_counters``). Instants are µs since the epoch, UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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

# the draw of a transfer: one per transfer, with every input needed to recompute it
port_draws = Table(
    "port_draws",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer_id", Integer, nullable=False, unique=True),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("office", String(32), nullable=False),  # the port office that took the transfer
    Column("checked", Boolean, nullable=False),  # drawn for a check
    Column("key_list", Boolean, nullable=False),  # checked because the enterprise is key-listed
    Column("mode", String(16), nullable=False),  # the route's supervision mode
    Column("ratio", String(16), nullable=False),  # Decimal as text
    Column("confidence", String(4), nullable=False),  # the ratio's ("C2")
    Column("policy_version", String(64), nullable=False),  # the ports document's version
    Column("seed", String(200), nullable=False),  # what the HMAC is taken over
    Column("draw", String(16), nullable=False),  # Decimal in [0, 1) as text
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_port_draws_office", "office", "id"),
)

port_checks = Table(
    "port_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer_id", Integer, nullable=False),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("office", String(32), nullable=False),
    Column("seals_intact", Boolean, nullable=False),
    Column("containers_match", Boolean, nullable=False),
    Column("goods_match", Boolean, nullable=False),
    Column("conforming", Boolean, nullable=False),
    Column("findings", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_port_checks_transfer", "transfer_id", "id"),
)

port_holds = Table(
    "port_holds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer_id", Integer, nullable=False),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("office", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_port_holds_transfer", "transfer_id", "id"),
)

clearances = Table(
    "clearances",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("transfer_id", Integer, nullable=False, unique=True),  # one release per transfer
    Column("transfer_number", String(64), nullable=False),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False),
    Column("consignment_number", String(64), nullable=False),
    Column("enterprise", String(32), nullable=False),
    Column("city", String(100), nullable=False),
    Column("office", String(32), nullable=False),
    Column("port", String(8), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("certificates", Text, nullable=False),  # JSON list of certificate numbers
    Column("check_id", Integer, nullable=True),  # the conforming check it rests on, if any
    Column("released_at", BigInteger, nullable=False),
    Column("released_by", String(200), nullable=False),
    UniqueConstraint("office", "year", "sequence", name="uq_clearances_sequence"),
    Index("ix_clearances_office", "office", "id"),
    Index("ix_clearances_consignment", "consignment_id"),
)

# the one table that changes: the last clearance sequence per port office and year
clearance_counters = Table(
    "clearance_counters",
    metadata,
    Column("office", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    PrimaryKeyConstraint("office", "year", name="pk_clearance_counters"),
)
