"""The schema: SQLAlchemy Core tables that run on SQLite and PostgreSQL alike.

Instants are ``BigInteger`` microseconds since the epoch, UTC (as in the domain): exact, portable,
and cheap to compare. Calibration offsets are decimal text, so that 0.30 stays 0.30. A reading's
value is the device's raw number; ranges and offsets are applied by the engine, never on storage.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

enterprises = Table(
    "enterprises",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("grade", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_enterprises_city", "city"),
)

facilities = Table(
    "facilities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("treater_number", String(32), nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

probes = Table(
    "probes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("facility_id", Integer, ForeignKey("facilities.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("role", String(16), nullable=False),
    Column("placement", String(200), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("facility_id", "code", name="uq_probes_facility_code"),
)

calibrations = Table(
    "calibrations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("probe_id", Integer, ForeignKey("probes.id"), nullable=False, index=True),
    Column("calibrated_at", BigInteger, nullable=False),
    Column("offset", String(32), nullable=False),  # decimal text, e.g. "-0.30"
    Column("due_at", BigInteger, nullable=False),
    Column("certificate", String(200), nullable=False, server_default=""),
    Column("recorded_at", BigInteger, nullable=False),
)

cameras = Table(
    "cameras",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("facility_id", Integer, ForeignKey("facilities.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("description", String(200), nullable=False, server_default=""),
    UniqueConstraint("facility_id", "code", name="uq_cameras_facility_code"),
)

device_tokens = Table(
    "device_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("facility_id", Integer, ForeignKey("facilities.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha-256 hex, never the token
    Column("hint", String(12), nullable=False),  # the token's first characters, to tell them apart
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

readings = Table(
    "readings",
    metadata,
    Column("probe_id", Integer, ForeignKey("probes.id"), primary_key=True),
    Column("t", BigInteger, primary_key=True),  # device time
    Column("facility_id", Integer, ForeignKey("facilities.id"), nullable=False),
    Column("value", Float, nullable=True),  # None exactly when fault is set
    Column("fault", String(64), nullable=True),
    Column("received_at", BigInteger, nullable=False),  # server time
    Index("ix_readings_facility_t", "facility_id", "t"),
)

# A reading offered for an instant already stored with another value: refused and kept here as
# evidence for the tamper alarm. History is never overwritten.
reading_conflicts = Table(
    "reading_conflicts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("facility_id", Integer, ForeignKey("facilities.id"), nullable=False, index=True),
    Column("probe_id", Integer, ForeignKey("probes.id"), nullable=False),
    Column("t", BigInteger, nullable=False),
    Column("stored_value", Float, nullable=True),
    Column("stored_fault", String(64), nullable=True),
    Column("offered_value", Float, nullable=True),
    Column("offered_fault", String(64), nullable=True),
    Column("received_at", BigInteger, nullable=False),
    Column("channel", String(8), nullable=False),  # "http" | "mqtt"
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("facility_id", Integer, ForeignKey("facilities.id"), nullable=False),
    Column("camera", String(32), nullable=False, server_default=""),
    Column("taken_at", BigInteger, nullable=True),  # device time, when the device says
    Column("received_at", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content_type", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Index("ix_snapshots_facility_received", "facility_id", "received_at"),
)

# A treatment run: one load in one facility, bound at its start to one schedule version and to
# the probes' calibration offsets. Its readings are the facility's from started_at (device time)
# until it closes; closing freezes its judgement here.
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("facility_id", Integer, ForeignKey("facilities.id"), nullable=False, index=True),
    Column("schedule_id", String(64), nullable=False),
    Column("schedule_version", String(16), nullable=False),
    Column("params", Text, nullable=False, server_default="{}"),  # JSON
    Column("offsets", Text, nullable=False, server_default="{}"),  # JSON: probe -> decimal text
    # JSON: a list of messages, [{"code": ..., "params": {...}}] (domain.messages)
    Column("calibration_notes", Text, nullable=False, server_default="[]"),
    Column("load", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("started_at", BigInteger, nullable=False),
    Column("closed_at", BigInteger, nullable=True),
    Column("close_reason", String(16), nullable=True),  # pass | fail | operator
    Column("verdict", String(16), nullable=True),
    Column("judgement", Text, nullable=True),  # JSON, frozen at close
    # domain.signoff.needs_comment(judgement, calibration_notes), kept in step by the store (at
    # creation and at close) so that the lists filter by review state in SQL (migration 0011)
    Column("needs_review", Boolean, nullable=False, server_default=true()),
    Index("ix_runs_started_at", "started_at"),
    Index("ix_runs_closed_at", "closed_at"),
    Index("ix_runs_review", "verdict", "needs_review", "closed_at", "facility_id"),
)

Index("ix_readings_facility_received", readings.c.facility_id, readings.c.received_at)

# One row per alarm (one open alarm per cause: kind, facility, subject), with its lifecycle.
alarms = Table(
    "alarms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("facility", String(64), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("state", String(16), nullable=False),  # active | acknowledged | cleared
    Column("raised_at", BigInteger, nullable=False),
    Column("last_seen_at", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    Column("last_occurrence", String(128), nullable=False, server_default=""),
    Column("message", Text, nullable=False, server_default=""),  # English, for API clients
    Column("code", String(64), nullable=False, server_default="text"),  # domain.messages.Code
    Column("params", Text, nullable=False, server_default="{}"),  # JSON, instants tagged
    Column("acknowledged_by", String(100), nullable=True),
    Column("acknowledged_at", BigInteger, nullable=True),
    Column("comment", Text, nullable=False, server_default=""),
    Column("cleared_at", BigInteger, nullable=True),
    Column("cleared_by", String(100), nullable=True),
    Column("clear_comment", Text, nullable=False, server_default=""),  # why a person cleared it
    # the enterprise's own acknowledgement (migration 0009): never the bureau's state
    Column("enterprise_acknowledged_by", String(100), nullable=True),
    Column("enterprise_acknowledged_at", BigInteger, nullable=True),
    Column("enterprise_comment", Text, nullable=False, server_default=""),
    Index("ix_alarms_state_facility", "state", "facility"),
    # the inbox filters and pages in SQL: newest first, overall and per facility (migration 0009)
    Index("ix_alarms_raised_at", "raised_at"),
    Index("ix_alarms_facility_raised_at", "facility", "raised_at"),
)

# The audit trail: append-only and hash-chained (domain.audit). ``seq`` is given by the appender
# (1, 2, 3, ... without gaps); ``before`` / ``after`` are canonical JSON text, exactly the bytes
# the hash covers. A trigger refuses UPDATE and DELETE (migration 0004).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(64), nullable=False),
    Column("object_id", String(200), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_object", "object_type", "object_id"),
    Index("ix_audit_log_actor", "actor"),  # the audit page's filters (migration 0010)
    Index("ix_audit_log_at", "at"),
)

# The trail's anchored heads (migration 0008): the newest entry's seq and hash, recorded by
# ``serve`` periodically and by each ``audit verify`` that passes, kept apart from ``audit_log`` so
# that a cut of the trail does not erase them. Append-only, as ``audit_log`` is. ``signature``
# is empty until the bureau's office keys exist (docs/audit.md).
audit_anchor = Table(
    "audit_anchor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("source", String(16), nullable=False),
    Column("signature", Text, nullable=True),
    Index("ix_audit_anchor_seq", "seq"),
)
