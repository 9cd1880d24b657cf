"""The official policy's versions (migration 0013): every edit of a policy document, whole.

``policy_versions`` is append-only (triggers): a change of policy is a new version, never an
edit of one. The document in force for a kind is its newest row (highest ``id``), else the
shipped file. Instants are µs since the epoch, UTC.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, UniqueConstraint

from phytowatch.storage.tables import metadata

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # PolicyKind
    Column("version", String(32), nullable=False),  # e.g. "2026.1+1"
    Column("body", Text, nullable=False),  # the document as canonical JSON
    Column("sha256", String(64), nullable=False),  # of ``body``
    Column("created_at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text, nullable=False),
    UniqueConstraint("kind", "version", name="uq_policy_versions_kind_version"),
    Index("ix_policy_versions_kind_id", "kind", "id"),
)
