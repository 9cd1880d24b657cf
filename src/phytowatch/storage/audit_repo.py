"""The audit trail in SQL: one row per entry, appended under a lock so the chain stays linear.

Several processes append at once (``serve`` and the CLI). Each append reads the newest entry and
writes the next one in one transaction that no other append can interleave with: on PostgreSQL a
transaction-level advisory lock, on SQLite ``BEGIN IMMEDIATE`` (the database's write lock, taken
before the read). ``seq`` is the primary key as well, so two appends that still raced would not
both be stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection, Engine

from phytowatch.domain.audit import AuditEntry, AuditRecord, chain
from phytowatch.storage.errors import translating
from phytowatch.storage.tables import audit_log
from phytowatch.storage.unit import Transactions, current, lock_audit

# pg_advisory_xact_lock key: any constant the other locks of the schema do not use.
_PAGE = 2000
# The triggers of migrations 0004 and 0006, per database.
GUARDS = {
    "sqlite": ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"),
    "postgresql": ("audit_log_no_change", "audit_log_no_truncate"),
}


def to_domain(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def from_domain(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _head(conn: Connection) -> AuditEntry | None:
    row = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc()).limit(1)).first()
    return None if row is None else to_domain(row)


@translating
class SqlAuditStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self.transactions = Transactions(engine)

    def atomic(self) -> AbstractContextManager[None]:
        return self.transactions.atomic()

    def append(self, record: AuditRecord) -> AuditEntry:
        shared = current(self.engine)
        if shared is not None:  # inside a unit: its lock is held; it commits with the change
            entry = chain(record, _head(shared))
            shared.execute(insert(audit_log).values(**from_domain(entry)))
            return entry
        with self.engine.connect() as conn:
            lock_audit(conn)
            try:
                entry = chain(record, _head(conn))
                conn.execute(insert(audit_log).values(**from_domain(entry)))
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        return entry

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry in ``seq`` order, a page at a time (each page its own short read)."""
        after: int | None = None
        while True:
            query = select(audit_log).order_by(audit_log.c.seq).limit(_PAGE)
            if after is not None:
                query = query.where(audit_log.c.seq > after)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            for row in rows:
                yield to_domain(row)
            if len(rows) < _PAGE:
                return
            after = rows[-1].seq

    def head(self) -> AuditEntry | None:
        with self.engine.connect() as conn:
            return _head(conn)

    def latest(
        self, *, limit: int, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
        if object_type is not None:
            query = query.where(audit_log.c.object_type == object_type)
        if object_id is not None:
            query = query.where(audit_log.c.object_id == object_id)
        with self.engine.connect() as conn:
            return [to_domain(row) for row in conn.execute(query)]

    def missing_guards(self) -> list[str]:
        expected = GUARDS.get(self.engine.dialect.name, ())
        if self._sqlite:
            query = text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
            )
        else:  # 'D': disabled (ALTER TABLE … DISABLE TRIGGER)
            query = text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        with self.engine.connect() as conn:
            present = {row[0] for row in conn.execute(query)}
        return [name for name in expected if name not in present]
