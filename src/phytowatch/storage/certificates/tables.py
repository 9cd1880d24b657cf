"""The certificates' tables (migration 0017).

Every table here is a legal record and append-only (triggers), but one: ``certificate_counters``,
the per-office-and-year counter that issuing locks and increments inside its own transaction.
A certificate's current state is its newest event; its content is its newest revision; its issue
is one row that never changes. Instants are µs since the epoch, UTC.
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

certificates = Table(
    "certificates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("consignment_id", Integer, ForeignKey("consignments.id"), nullable=True),
    Column("office", String(32), nullable=False),
    Column("enterprise", String(32), nullable=False),  # enterprise code
    Column("city", String(100), nullable=False),
    Column("replaces", Integer, ForeignKey("certificates.id"), nullable=True),
    Column("reason", Text, nullable=False, server_default=""),  # why it replaces
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(200), nullable=False),
    Index("ix_certificates_consignment", "consignment_id"),
    Index("ix_certificates_office", "office", "id"),
    Index("ix_certificates_enterprise", "enterprise", "id"),
    Index("ix_certificates_replaces", "replaces"),
)

certificate_revisions = Table(
    "certificate_revisions",
    metadata,
    Column("certificate_id", Integer, ForeignKey("certificates.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("content", Text, nullable=False),  # JSON: canonical.content_json
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    PrimaryKeyConstraint("certificate_id", "revision", name="pk_certificate_revisions"),
)

certificate_events = Table(
    "certificate_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("certificate_id", Integer, ForeignKey("certificates.id"), nullable=False),
    Column("state", String(16), nullable=False),  # the state it moved to
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: a message, or {}
    Index("ix_certificate_events_certificate", "certificate_id", "id"),
)

certificate_issues = Table(
    "certificate_issues",
    metadata,
    Column("certificate_id", Integer, ForeignKey("certificates.id"), primary_key=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("office", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("revision", Integer, nullable=False),  # the content revision that was issued
    Column("content_hash", String(64), nullable=False),
    Column("signature", Text, nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("check_code", String(16), nullable=False),
    Column("payload_signature", Text, nullable=False),
    Column("officer", String(200), nullable=False),
    Column("officer_actor", String(200), nullable=False),
    Column("place", String(200), nullable=False),
    Column("issued_at", BigInteger, nullable=False),
    UniqueConstraint("office", "year", "sequence", name="uq_certificate_issues_sequence"),
)

certificate_prints = Table(
    "certificate_prints",
    metadata,
    Column("certificate_id", Integer, ForeignKey("certificates.id"), nullable=False),
    Column("sequence", Integer, nullable=False),  # 1 for the first
    Column("copy", Boolean, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    PrimaryKeyConstraint("certificate_id", "sequence", name="pk_certificate_prints"),
)

# the one table that changes: the last sequence issued per office and year
certificate_counters = Table(
    "certificate_counters",
    metadata,
    Column("office", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    PrimaryKeyConstraint("office", "year", name="pk_certificate_counters"),
)

certificate_number_patterns = Table(
    "certificate_number_patterns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("office", String(32), nullable=False),
    Column("pattern", String(200), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_certificate_number_patterns_office", "office", "id"),
)

office_keys = Table(
    "office_keys",
    metadata,
    Column("id", Integer, primary_key=True),  # the newest of an office signs
    Column("key_id", String(32), nullable=False, unique=True),
    Column("office", String(32), nullable=False),
    Column("algorithm", String(16), nullable=False),
    Column("public_key_pem", Text, nullable=False),
    Column("certificate_pem", Text, nullable=False),
    Column("private_key_pem", Text, nullable=False),  # PKCS8, encrypted when a passphrase is set
    Column("encrypted", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(200), nullable=False),
    Index("ix_office_keys_office", "office", "id"),
)
