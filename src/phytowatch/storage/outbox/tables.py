"""The outbox (migration 0020). Instants are µs since the epoch, UTC.

- ``outbox_messages``: what was sent, as written in the sender's transaction: a legal record,
  append-only by trigger. ``key`` is unique per destination: a repeated put is the same message.
- ``outbox_deliveries``: where each message's delivery stands (one row per message, written in
  the same transaction as the message). It changes as attempts are made; it is not the record:
  the message's body never changes, whatever happens here.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from phytowatch.storage.tables import metadata

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("key", String(200), nullable=False),
    Column("destination", String(64), nullable=False),
    Column("body", Text, nullable=False),  # JSON, as it is sent (the bytes signed)
    Column("created_at", BigInteger, nullable=False),
    Index("ix_outbox_messages_destination_key", "destination", "key", unique=True),
)

# state: "waiting" (due at ``due_at``), "delivered", "refused" (the receiver answered a 4xx:
# held until an administrator retries it)
outbox_deliveries = Table(
    "outbox_deliveries",
    metadata,
    Column("message_id", Integer, ForeignKey("outbox_messages.id"), primary_key=True),
    Column("destination", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("due_at", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_failed_at", BigInteger, nullable=True),  # since when it has been failing
    Column("last_attempt_at", BigInteger, nullable=True),
    Column("last_status", Integer, nullable=True),  # the receiver's HTTP status, if it answered
    Column("last_error", Text, nullable=False),  # a message code's parameters, as JSON ("" none)
    Column("delivered_at", BigInteger, nullable=True),
    Index("ix_outbox_deliveries_due", "state", "due_at"),
    Index("ix_outbox_deliveries_destination", "destination", "state", "due_at"),
)
