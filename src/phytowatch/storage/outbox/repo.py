"""The outbox on SQL: ``put`` in the caller's unit (``services.transfers.ports.Outbox``); the
worker's claims and results (``services.outbox.OutboxStore``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from phytowatch.services.outbox import (
    DELIVERED,
    REFUSED,
    WAITING,
    DestinationStatus,
    Due,
    Outcome,
    error_json,
    error_of,
)
from phytowatch.storage.errors import storage_errors, translating
from phytowatch.storage.outbox.tables import outbox_deliveries as D  # noqa: N812
from phytowatch.storage.outbox.tables import outbox_messages as M  # noqa: N812
from phytowatch.storage.unit import begin, connect


def _plain(value: Any) -> Any:
    """What JSON has no type for, as the transfer document writes it: a decimal as its text
    (no float rounding), an instant or a day in ISO 8601, an enumeration by its value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} in an outbox message's body")


def encode(body: Mapping[str, Any]) -> str:
    """The body as it is stored and sent: JSON, keys sorted, no spaces, UTF-8 as is."""
    return json.dumps(
        body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_plain
    )


class SqlOutbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(
        self,
        *,
        topic: str,
        key: str,
        destination: str,
        body: Mapping[str, Any],
        at: int,
    ) -> int:
        """The message and its delivery state, on the caller's unit's connection (committed or
        rolled back with what it carries). A key already put for ``destination`` is the same
        message: its id, nothing written (the first body stays)."""
        text = encode(body)
        with storage_errors(), begin(self.engine) as conn:
            # one round trip for a new key: the insert, skipped by the unique index for a key
            # already there (whose id is then read)
            dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            message_id = conn.execute(
                dialect_insert(M)
                .values(topic=topic, key=key, destination=destination, body=text, created_at=at)
                .on_conflict_do_nothing(index_elements=[M.c.destination, M.c.key])
                .returning(M.c.id)
            ).scalar()
            if message_id is None:
                existing = conn.execute(
                    select(M.c.id).where(M.c.destination == destination, M.c.key == key)
                ).scalar_one()
                return int(existing)
            conn.execute(
                insert(D).values(
                    message_id=message_id,
                    destination=destination,
                    state="waiting",
                    due_at=at,
                    attempts=0,
                    last_error="",
                )
            )
        return int(message_id)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A transaction of its own that holds the write lock from its start on SQLite (a read then
    a write never fails for another writer in between); a plain one on PostgreSQL."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


@translating
class SqlOutboxStore:
    """The worker's side (``services.outbox.OutboxStore``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, *, now: int, lease: int, limit: int, destinations: Sequence[str]) -> list[Due]:
        if not destinations or limit <= 0:
            return []
        with _writing(self.engine) as conn:
            ids = list(
                conn.execute(
                    select(D.c.message_id)
                    .where(
                        D.c.state == WAITING,
                        D.c.due_at <= now,
                        D.c.destination.in_(list(destinations)),
                    )
                    .order_by(D.c.due_at, D.c.message_id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if not ids:
                return []
            conn.execute(update(D).where(D.c.message_id.in_(ids)).values(due_at=now + lease))
            rows = conn.execute(
                select(M, D.c.attempts, D.c.first_failed_at)
                .join(D, D.c.message_id == M.c.id)
                .where(M.c.id.in_(ids))
            ).all()
        order = {message_id: n for n, message_id in enumerate(ids)}
        found = [
            Due(
                r.id,
                r.topic,
                r.key,
                r.destination,
                r.body,
                r.created_at,
                r.attempts,
                r.first_failed_at,
            )
            for r in rows
        ]
        return sorted(found, key=lambda due: order[due.id])

    def record(self, outcomes: Sequence[Outcome]) -> None:
        if not outcomes:
            return
        statement = (
            update(D)
            .where(D.c.message_id == bindparam("b_id"), D.c.state != DELIVERED)
            .values(
                state=bindparam("b_state"),
                due_at=bindparam("b_due"),
                attempts=bindparam("b_attempts"),
                first_failed_at=bindparam("b_first"),
                last_attempt_at=bindparam("b_at"),
                last_status=bindparam("b_status"),
                last_error=bindparam("b_error"),
                delivered_at=bindparam("b_delivered"),
            )
        )
        rows = [
            {
                "b_id": o.message_id,
                "b_state": o.state,
                "b_due": o.due_at,
                "b_attempts": o.attempts,
                "b_first": o.first_failed_at,
                "b_at": o.at,
                "b_status": o.status,
                "b_error": error_json(o.error),
                "b_delivered": o.at if o.state == DELIVERED else None,
            }
            for o in outcomes
        ]
        with _writing(self.engine) as conn:
            conn.execute(statement, rows)

    def wake(self, destination: str, *, now: int) -> int:
        with _writing(self.engine) as conn:
            done = conn.execute(
                update(D)
                .where(D.c.destination == destination, D.c.state == WAITING, D.c.due_at > now)
                .values(due_at=now)
            )
        return int(done.rowcount or 0)

    def release(self, *, now: int, destination: str | None, message_id: int | None) -> int:
        statement = update(D).where(D.c.state == REFUSED)
        if destination is not None:
            statement = statement.where(D.c.destination == destination)
        if message_id is not None:
            statement = statement.where(D.c.message_id == message_id)
        with begin(self.engine) as conn:
            done = conn.execute(statement.values(state=WAITING, due_at=now, first_failed_at=None))
        return int(done.rowcount or 0)

    def counts(self, *, now: int, flag_after: int) -> list[DestinationStatus]:
        failing = case(
            (and_(D.c.state == WAITING, D.c.first_failed_at < now - flag_after), 1), else_=0
        )
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(D.c.destination, D.c.state, func.count(), func.sum(failing)).group_by(
                    D.c.destination, D.c.state
                )
            ).all()
            oldest = dict(
                conn.execute(
                    select(D.c.destination, func.min(M.c.created_at))
                    .join(M, M.c.id == D.c.message_id)
                    .where(D.c.state != DELIVERED)
                    .group_by(D.c.destination)
                ).all()
            )
            destinations = sorted({r[0] for r in rows})
            last: dict[str, tuple[str, int | None]] = {}
            for name in destinations:
                row = conn.execute(
                    select(D.c.last_error, D.c.last_attempt_at)
                    .where(D.c.destination == name, D.c.state != DELIVERED, D.c.last_error != "")
                    .order_by(D.c.last_attempt_at.desc())
                    .limit(1)
                ).first()
                if row is not None:
                    last[name] = (row[0], row[1])
        table: dict[str, dict[str, int]] = {name: {} for name in destinations}
        for name, state, count, failing_count in rows:
            table[name][state] = int(count)
            if state == WAITING:
                table[name]["failing"] = int(failing_count or 0)
        out = []
        for name in destinations:
            t = table[name]
            error_text, error_at = last.get(name, ("", None))
            out.append(
                DestinationStatus(
                    destination=name,
                    configured=True,
                    waiting=t.get(WAITING, 0),
                    delivered=t.get(DELIVERED, 0),
                    refused=t.get(REFUSED, 0),
                    failing=t.get("failing", 0),
                    oldest_undelivered_since=oldest.get(name),
                    last_error=error_of(error_text),
                    last_error_at=error_at,
                )
            )
        return out
