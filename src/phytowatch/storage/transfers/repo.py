"""Transfers on SQL (``services.transfers.store.TransferStore``).

A transfer is read as its row, its amendments (the certificate numbers it carries now are the
ones it was made with, each replacement swapped and each cancellation struck) and its first
retrieval. Nothing is updated but the per-office-and-year counter (``SELECT ... FOR UPDATE`` on
PostgreSQL, SQLite serialises writers) and the wrong-password counts.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.sql.elements import ColumnElement

from phytowatch.domain.accounts import FailureCount
from phytowatch.domain.transfers.model import (
    CERTIFICATE_CANCELLED,
    CERTIFICATE_REPLACED,
    Amendment,
    Retrieval,
    Transfer,
)
from phytowatch.services.paging import Found
from phytowatch.services.transfers.store import NewTransfer, TransferQuery
from phytowatch.storage.errors import translating
from phytowatch.storage.transfers.tables import (
    transfer_amendments,
    transfer_counters,
    transfer_failures,
    transfer_retrievals,
    transfer_secrets,
    transfers,
)
from phytowatch.storage.unit import begin, connect

T = transfers
A = transfer_amendments
R = transfer_retrievals


def certificates_now(initial: list[str], amendments: list[Amendment]) -> tuple[str, ...]:
    """The numbers a transfer carries after its system amendments, in order."""
    numbers = list(initial)
    for amendment in amendments:
        if amendment.field == CERTIFICATE_REPLACED:
            old, new = str(amendment.before), str(amendment.after)
            numbers = [new if n == old else n for n in numbers]
            if new not in numbers:
                numbers.append(new)
        elif amendment.field == CERTIFICATE_CANCELLED:
            numbers = [n for n in numbers if n != str(amendment.before)]
    return tuple(numbers)


def _amendment(row: RowMapping) -> Amendment:
    return Amendment(
        id=row["id"],
        transfer_id=row["transfer_id"],
        field=row["field"],
        before=json.loads(row["before"]),
        after=json.loads(row["after"]),
        rule=json.loads(row["rule"]),
        at=row["at"],
        actor=row["actor"],
    )


@translating
class SqlTransferStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- reads -----------------------------------------------------------------------------------

    def _amendments(self, conn: Connection, transfer_id: int) -> list[Amendment]:
        rows = conn.execute(select(A).where(A.c.transfer_id == transfer_id).order_by(A.c.id))
        return [_amendment(r) for r in rows.mappings()]

    def _transfer(self, conn: Connection, row: RowMapping) -> Transfer:
        amendments = self._amendments(conn, row["id"])
        first = conn.execute(
            select(R.c.at, R.c.actor).where(R.c.transfer_id == row["id"]).order_by(R.c.id).limit(1)
        ).first()
        return Transfer(
            id=row["id"],
            number=row["number"],
            consignment_id=row["consignment_id"],
            consignment_number=row["consignment_number"],
            enterprise=row["enterprise"],
            city=row["city"],
            origin_office=row["origin_office"],
            port=row["port"],
            port_office=row["port_office"],
            electronic=bool(row["electronic"]),
            receiver=row["receiver"],
            certificates=certificates_now(json.loads(row["certificates"]), amendments),
            created_at=row["created_at"],
            created_by=row["created_by"],
            retrieved_at=None if first is None else int(first[0]),
            retrieved_by="" if first is None else str(first[1]),
            version=row["version"],
            ports_version=row["ports_version"],
            year=row["year"],
            sequence=row["sequence"],
        )

    def _one(self, where: ColumnElement[bool]) -> Transfer | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(T).where(where)).mappings().first()
            return None if row is None else self._transfer(conn, row)

    def transfer(self, transfer_id: int) -> Transfer | None:
        return self._one(T.c.id == transfer_id)

    def by_number(self, number: str) -> Transfer | None:
        return self._one(T.c.number == number)

    def of_consignment(self, consignment_id: int) -> Transfer | None:
        return self._one(T.c.consignment_id == consignment_id)

    def find(self, query: TransferQuery) -> Found[Transfer]:
        where: list[ColumnElement[bool]] = []
        if not query.everything:
            either: list[ColumnElement[bool]] = []
            if query.port_office:
                either.append(T.c.port_office == query.port_office)
            if query.reach is not None:
                cities, enterprises = query.reach
                if cities:
                    either.append(T.c.city.in_(list(cities)))
                if enterprises:
                    either.append(T.c.enterprise.in_(list(enterprises)))
            if not either:
                return Found([], 0, query.offset, query.limit)
            where.append(or_(*either))
        if query.enterprise:
            where.append(T.c.enterprise == query.enterprise)
        if query.number:
            where.append(func.upper(T.c.number).contains(query.number.strip().upper()))
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(T).where(*where)).scalar_one()
            rows = conn.execute(
                select(T)
                .where(*where)
                .order_by(T.c.id.desc())
                .offset(query.offset)
                .limit(query.limit)
            ).mappings()
            items = [self._transfer(conn, r) for r in rows.all()]
        return Found(items, int(total), query.offset, query.limit)

    def declaration(self, transfer_id: int) -> dict[str, Any]:
        with connect(self.engine) as conn:
            text = conn.execute(select(T.c.declaration).where(T.c.id == transfer_id)).scalar()
        return {} if text is None else dict(json.loads(text))

    def amendments(self, transfer_id: int) -> list[Amendment]:
        with connect(self.engine) as conn:
            return self._amendments(conn, transfer_id)

    def retrievals(self, transfer_id: int) -> list[Retrieval]:
        with connect(self.engine) as conn:
            rows = conn.execute(select(R).where(R.c.transfer_id == transfer_id).order_by(R.c.id))
            return [
                Retrieval(r["id"], r["transfer_id"], r["office"], r["address"], r["at"], r["actor"])
                for r in rows.mappings()
            ]

    # -- writes ----------------------------------------------------------------------------------

    def next_sequence(self, office: str, year: int) -> int:
        key = (transfer_counters.c.office == office) & (transfer_counters.c.year == year)
        with begin(self.engine) as conn:
            last = conn.execute(
                select(transfer_counters.c.last).where(key).with_for_update()
            ).scalar()
            if last is None:
                conn.execute(insert(transfer_counters).values(office=office, year=year, last=1))
                return 1
            conn.execute(update(transfer_counters).where(key).values(last=last + 1))
            return int(last) + 1

    def add(self, new: NewTransfer) -> int:
        with begin(self.engine) as conn:
            result = conn.execute(
                insert(T).values(
                    number=new.number,
                    origin_office=new.origin_office,
                    year=new.year,
                    sequence=new.sequence,
                    consignment_id=new.consignment_id,
                    consignment_number=new.consignment_number,
                    enterprise=new.enterprise,
                    city=new.city,
                    port=new.port,
                    port_office=new.port_office,
                    electronic=new.electronic,
                    receiver=new.receiver,
                    version=new.version,
                    declaration=json.dumps(new.declaration, ensure_ascii=False, sort_keys=True),
                    certificates=json.dumps(list(new.certificates)),
                    ports_version=new.ports_version,
                    created_at=new.created_at,
                    created_by=new.created_by,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def add_amendment(
        self,
        transfer_id: int,
        field: str,
        before: object,
        after: object,
        rule: dict[str, object],
        *,
        at: int,
        actor: str,
    ) -> int:
        with begin(self.engine) as conn:
            result = conn.execute(
                insert(A).values(
                    transfer_id=transfer_id,
                    field=field,
                    before=json.dumps(before, ensure_ascii=False),
                    after=json.dumps(after, ensure_ascii=False),
                    rule=json.dumps(rule, ensure_ascii=False, sort_keys=True),
                    at=at,
                    actor=actor,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def add_retrieval(
        self, transfer_id: int, office: str, address: str, *, at: int, actor: str
    ) -> int:
        with begin(self.engine) as conn:
            result = conn.execute(
                insert(R).values(
                    transfer_id=transfer_id, office=office, address=address[:64], at=at, actor=actor
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def secret(self) -> bytes:
        with connect(self.engine) as conn:
            text = conn.execute(
                select(transfer_secrets.c.secret).order_by(transfer_secrets.c.id.desc()).limit(1)
            ).scalar()
        assert text is not None, "migration 0021 makes the transfers' secret"
        return bytes.fromhex(str(text))

    def failures(self, key: str) -> FailureCount:
        F = transfer_failures  # noqa: N806
        with connect(self.engine) as conn:
            row = conn.execute(
                select(F.c.failures, F.c.last_failure_at).where(F.c.key == key)
            ).first()
        return FailureCount() if row is None else FailureCount(int(row[0]), int(row[1]))

    def set_failures(self, key: str, count: FailureCount) -> None:
        F = transfer_failures  # noqa: N806
        with begin(self.engine) as conn:
            done = conn.execute(
                update(F)
                .where(F.c.key == key)
                .values(failures=count.failures, last_failure_at=count.last_failure_at)
            )
            if not done.rowcount:
                conn.execute(
                    insert(F).values(
                        key=key, failures=count.failures, last_failure_at=count.last_failure_at
                    )
                )

    def clear_failures(self, key: str) -> None:
        with begin(self.engine) as conn:
            conn.execute(delete(transfer_failures).where(transfer_failures.c.key == key))
