"""The durable outbox on SQL (migration 0020): the messages (append-only, the legal record) and
their delivery state (a small mutable table, not the record)."""
