"""The e-transfer's tables (migration 0021).

Legal records, append-only by trigger: ``transfers`` (one per consignment, with the declaration
and certificate data as transferred), ``transfer_amendments`` (each allowed change, and each
certificate replaced or cancelled on it), ``transfer_retrievals`` (who took it at the port and
when) and ``transfer_secrets`` (the key its passwords are derived from, made by the migration).
Two tables change: ``transfer_counters`` (the last sequence per origin office and year, locked
and incremented in the issuing transaction) and ``transfer_failures`` (wrong passwords, per
transfer number and per source address, for the lock-out). Instants are µs since the epoch, UTC.
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

transfers = Table(
    "transfers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("origin_office", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=False, unique=True),
    Column("consignment_number", String(64), nullable=False),
    Column("enterprise", String(32), nullable=False),
    Column("city", String(100), nullable=False),
    Column("port", String(16), nullable=False),
    Column("port_office", String(32), nullable=False),  # "" on paper
    Column("electronic", Boolean, nullable=False),
    Column("receiver", String(64), nullable=False),
    Column("version", Integer, nullable=False),  # the declaration's version transferred
    Column("declaration", Text, nullable=False),  # JSON: the declaration as certified
    Column("certificates", Text, nullable=False),  # JSON list: the numbers at creation
    Column("ports_version", String(32), nullable=False),  # ports.json in force
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("origin_office", "year", "sequence", name="uq_transfers_sequence"),
    Index("ix_transfers_port_office", "port_office", "id"),
    Index("ix_transfers_enterprise", "enterprise", "id"),
)

transfer_amendments = Table(
    "transfer_amendments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer_id", Integer, ForeignKey("transfers.id"), nullable=False),
    # declared_value | conveyance | departure_date | containers | quantity (a person's, by the
    # rules) or certificate_replaced | certificate_cancelled (the system's)
    Column("field", String(32), nullable=False),
    Column("before", Text, nullable=False),  # JSON
    Column("after", Text, nullable=False),  # JSON
    Column("rule", Text, nullable=False),  # JSON: the rule that allowed it and its version, {}
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_transfer_amendments_transfer", "transfer_id", "id"),
)

transfer_retrievals = Table(
    "transfer_retrievals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer_id", Integer, ForeignKey("transfers.id"), nullable=False),
    Column("office", String(32), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_transfer_retrievals_transfer", "transfer_id", "id"),
)

transfer_secrets = Table(
    "transfer_secrets",
    metadata,
    Column("id", Integer, primary_key=True),  # the newest derives new passwords
    Column("secret", String(128), nullable=False),  # hex, 32 random bytes
    Column("created_at", BigInteger, nullable=False),
)

# the two tables that change
transfer_counters = Table(
    "transfer_counters",
    metadata,
    Column("office", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    PrimaryKeyConstraint("office", "year", name="pk_transfer_counters"),
)

transfer_failures = Table(
    "transfer_failures",
    metadata,
    Column("key", String(200), primary_key=True),  # "number:<n>" | "address:<ip>"
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", BigInteger, nullable=False),
)
