"""The audit trail in SQL: one row per entry, appended under a lock so the chain stays linear.

Several processes append at once (``serve`` and the CLI). Each append reads the newest entry and
writes the next one in one transaction that no other append can interleave with: on PostgreSQL a
transaction-level advisory lock, on SQLite ``BEGIN IMMEDIATE`` (the database's write lock, taken
before the read). ``seq`` is the primary key as well, so two appends that still raced would not
both be stored.

The anchors (``audit_anchor``, migration 0008) are appended here too, and the append-only
triggers of both tables are checked against what the migrations made (:func:`broken_guards`):
one missing, disabled, or redefined is reported, never only warned about.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from phytowatch.domain.audit import (
    Anchor,
    AuditEntry,
    AuditRecord,
    GuardProblem,
    GuardState,
    chain,
)
from phytowatch.services.audit import AuditFilter
from phytowatch.services.paging import Found
from phytowatch.storage.errors import translating
from phytowatch.storage.search import holds
from phytowatch.storage.tables import audit_anchor, audit_log
from phytowatch.storage.unit import Transactions, begin, connect, current, lock_audit

_PAGE = 2000


def _sqlite_guard(table: str, verb: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
    )


def _sqlite_no_replace(table: str, key: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key}) "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: REPLACE refused'); END"
    )


def _pg_guards(table: str) -> dict[str, str]:
    return {
        f"{table}_no_change": f"CREATE TRIGGER {table}_no_change BEFORE DELETE OR UPDATE ON "
        f"{table} FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        f"{table}_no_truncate": f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
    }


def _pg_function(table: str) -> str:
    return f"BEGIN RAISE EXCEPTION '{table} is append-only: % refused', TG_OP; END;"


# The append-only triggers of migrations 0004, 0006 and 0008, per database and table, each as
# the migration made it (whitespace aside): a trigger of that name defined otherwise (another
# event, a WHEN that never holds, a function that lets the change through) is altered.
GUARDS: dict[str, dict[str, dict[str, str]]] = {
    "sqlite": {
        "audit_log": {
            "audit_log_no_update": _sqlite_guard("audit_log", "UPDATE"),
            "audit_log_no_delete": _sqlite_guard("audit_log", "DELETE"),
            "audit_log_no_replace": _sqlite_no_replace("audit_log", "seq"),
        },
        "audit_anchor": {
            "audit_anchor_no_update": _sqlite_guard("audit_anchor", "UPDATE"),
            "audit_anchor_no_delete": _sqlite_guard("audit_anchor", "DELETE"),
            "audit_anchor_no_replace": _sqlite_no_replace("audit_anchor", "id"),
        },
    },
    "postgresql": {table: _pg_guards(table) for table in ("audit_log", "audit_anchor")},
}
# PostgreSQL: each table's trigger function, its body as the migration wrote it
GUARD_FUNCTIONS = {table: _pg_function(table) for table in ("audit_log", "audit_anchor")}

_SPACE = re.compile(r"\s+")
_QUALIFIED = re.compile(r"\b(ON|FUNCTION) (?:\w+|\"[^\"]+\")\.")


def _normal(sql: str | None) -> str:
    """A definition with its whitespace collapsed and schema qualifiers dropped."""
    return _QUALIFIED.sub(r"\1 ", _SPACE.sub(" ", sql or "").strip())


def _sqlite_guards(conn: Connection) -> list[GuardProblem]:
    present: dict[str, str | None] = dict(
        conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_log', 'audit_anchor')"
            )
        ).all()
    )
    found = []
    for table, triggers in GUARDS["sqlite"].items():
        for name, definition in triggers.items():
            if name not in present:
                found.append(GuardProblem(table, name, GuardState.MISSING))
            elif _normal(present[name]) != _normal(definition):
                found.append(GuardProblem(table, name, GuardState.ALTERED))
    return found


def _postgres_guards(conn: Connection) -> list[GuardProblem]:
    rows = conn.execute(
        text(
            "SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid), p.proname, "
            "p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE c.relname IN ('audit_log', 'audit_anchor') "
            "AND c.relnamespace = to_regnamespace(current_schema())::oid AND NOT t.tgisinternal"
        )
    ).all()
    present = {(row[0], row[1]): row for row in rows}
    found = []
    for table, triggers in GUARDS["postgresql"].items():
        for name, definition in triggers.items():
            row = present.get((table, name))
            if row is None:
                found.append(GuardProblem(table, name, GuardState.MISSING))
            elif row[2] not in ("O", "A"):  # 'D' disabled; 'R' fires only on a replica
                found.append(GuardProblem(table, name, GuardState.DISABLED))
            elif _normal(row[3]) != _normal(definition) or _normal(row[5]) != _normal(
                GUARD_FUNCTIONS[table]
            ):
                found.append(GuardProblem(table, name, GuardState.ALTERED))
    return found


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
        with connect(self.engine) as conn:
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

    def entry(self, seq: int) -> AuditEntry | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(audit_log).where(audit_log.c.seq == seq)).first()
        return None if row is None else to_domain(row)

    def search(self, wanted: AuditFilter, *, offset: int, limit: int) -> Found[AuditEntry]:
        """Newest first; every filter is a ``WHERE`` (``at`` and ``actor`` are indexed,
        migration 0010), the page a ``LIMIT``/``OFFSET``, the total a ``COUNT``."""
        where: list[Any] = []
        if wanted.actor.strip():
            where.append(holds(audit_log.c.actor, wanted.actor.strip()))
        if wanted.action:
            where.append(audit_log.c.action == wanted.action)
        if wanted.object_type:
            where.append(audit_log.c.object_type == wanted.object_type)
        if wanted.subject.strip():
            where.append(holds(audit_log.c.object_id, wanted.subject.strip()))
        if wanted.since is not None:
            where.append(audit_log.c.at >= wanted.since)
        if wanted.until is not None:
            where.append(audit_log.c.at < wanted.until)
        if wanted.upto is not None:
            where.append(audit_log.c.seq <= wanted.upto)
        query = (
            select(audit_log)
            .where(*where)
            .order_by(audit_log.c.seq.desc())
            .offset(offset)
            .limit(limit)
        )
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(audit_log).where(*where))
            count = int(total.scalar() or 0)
            rows = conn.execute(query).all()
        return Found([to_domain(row) for row in rows], count, offset, limit)

    def broken_guards(self) -> list[GuardProblem]:
        with self.engine.connect() as conn:
            return _sqlite_guards(conn) if self._sqlite else _postgres_guards(conn)

    def add_anchor(self, anchor: Anchor) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                insert(audit_anchor).values(
                    at=anchor.at,
                    seq=anchor.seq,
                    hash=anchor.hash,
                    source=anchor.source,
                    signature=anchor.signature,
                )
            )

    def anchors(self) -> list[Anchor]:
        with connect(self.engine) as conn:
            rows = conn.execute(select(audit_anchor).order_by(audit_anchor.c.id)).all()
        return [_anchor(row) for row in rows]

    def latest_anchor(self) -> Anchor | None:
        query = (
            select(audit_anchor)
            .order_by(audit_anchor.c.seq.desc(), audit_anchor.c.id.desc())
            .limit(1)
        )
        with connect(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _anchor(row)


def _anchor(row: Any) -> Anchor:
    return Anchor(row.seq, row.hash, at=row.at, source=row.source, signature=row.signature)
