"""The IPPC mark's authorisations (migration 0019): one row per load a mark was authorised for,
a legal record, append-only by trigger. Instants are µs since the epoch, UTC."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from phytowatch.storage.tables import metadata

mark_authorisations = Table(
    "mark_authorisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),  # MK2026-000001
    Column("year", Integer, nullable=False),
    Column("serial", Integer, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("facility", String(32), nullable=False),
    Column("enterprise", String(32), nullable=False),
    Column("city", String(100), nullable=False),
    Column("treater_number", String(32), nullable=False),
    Column("bureau_code", String(8), nullable=False),
    Column("mark", String(64), nullable=False),
    Column("method", String(8), nullable=False),
    Column("schedule_id", String(64), nullable=False),
    Column("load", Text, nullable=False),
    Column("quantity", String(32), nullable=False),  # a decimal, as written
    Column("unit", String(16), nullable=False),
    Column("office", String(32), nullable=False),
    Column("by", String(200), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("check_code", String(16), nullable=False),
    Index("ix_mark_authorisations_run", "run_id"),
    Index("ix_mark_authorisations_year_serial", "year", "serial", unique=True),
)

# an authorisation withdrawn: its own row, at most one per authorisation (append-only, 0019)
mark_revocations = Table(
    "mark_revocations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "number", String(16), ForeignKey("mark_authorisations.number"), nullable=False, unique=True
    ),
    Column("reason", Text, nullable=False),
    Column("office", String(32), nullable=False),
    Column("by", String(200), nullable=False),
    Column("at", BigInteger, nullable=False),
)
