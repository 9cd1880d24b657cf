"""The received ePhytos (migration 0018): a legal record, append-only (triggers).

The raw bytes are kept as received (what was validated, and what the officer downloads), with
their sha256 (unique: the same document is stored once) and the parsed fields as JSON, so that a
page never parses XML again. The key fields have their own columns, for the list.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Table, Text

from phytowatch.storage.tables import metadata

received_ephyto = Table(
    "received_ephyto",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("raw", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # certificate | envelope | soap
    Column("number", String(200), nullable=False),
    Column("type_code", String(16), nullable=False),
    Column("status_code", String(16), nullable=False),
    Column("export_country", String(16), nullable=False),
    Column("import_country", String(16), nullable=False),
    Column("issued", String(64), nullable=False),  # as written
    Column("exporter", Text, nullable=False),
    Column("consignee", Text, nullable=False),
    Column("parsed", Text, nullable=False),  # JSON: domain.certificates.ephyto.received_to_json
    Column("imported_at", BigInteger, nullable=False),
    Column("imported_by", String(200), nullable=False),
    Index("ix_received_ephyto_imported_at", "imported_at"),
)
