"""Accounts' tables (migrations 0005, 0010): users, offices, sessions, personal tokens,
lock-out, sign-off.

No secret is stored: passwords as scrypt hashes, session ids and personal tokens as SHA-256.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from phytowatch.storage.tables import metadata

offices = Table(
    "offices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("everywhere", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
)

# what an office covers: whole cities ("city") or single enterprises ("enterprise", by code)
office_areas = Table(
    "office_areas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("office_id", Integer, ForeignKey("offices.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("value", String(100), nullable=False),
    UniqueConstraint("office_id", "kind", "value", name="uq_office_areas_office_kind_value"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("enterprise", String(32), nullable=True),  # enterprise code, for enterprise roles
    Column("office", String(32), nullable=True),  # office code, for bureau roles
    Column("password_hash", String(200), nullable=False),
    Column("disabled_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # migration 0010: the latest successful login, and a password to change before anything else
    Column("last_login_at", BigInteger, nullable=True),
    Column("must_change_password", Boolean, nullable=False, server_default=false()),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha-256 of the cookie
    Column("csrf_token", String(64), nullable=False),
    Column("address", String(64), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

personal_tokens = Table(
    "personal_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("hint", String(12), nullable=False),
    Column("scopes", Text, nullable=True),  # JSON list; NULL: the user's whole role
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=True),
    Column("last_used_at", BigInteger, nullable=True),
    Column("revoked_at", BigInteger, nullable=True),
)

# consecutive failed logins per key: "user:<login>" or "addr:<address>"
login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", BigInteger, nullable=False),
)

run_signoffs = Table(
    "run_signoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, unique=True),
    Column("decision", String(16), nullable=False),  # signed_off | rejected
    Column("comment", Text, nullable=False, server_default=""),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("login", String(64), nullable=False),
    Column("office", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
)
