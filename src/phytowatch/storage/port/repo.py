"""The port's records in SQL (storage/port/tables.py), and the transfers a port office took."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine, RowMapping

from phytowatch.domain.transfers.release import Clearance, PortCheck, PortDraw, PortHold
from phytowatch.storage.port.tables import (
    clearance_counters,
    clearances,
    port_checks,
    port_draws,
    port_holds,
)
from phytowatch.storage.unit import begin, connect


def _draw(row: RowMapping) -> PortDraw:
    return PortDraw(
        id=row["id"],
        transfer_id=row["transfer_id"],
        consignment_id=row["consignment_id"],
        office=row["office"],
        checked=bool(row["checked"]),
        key_list=bool(row["key_list"]),
        mode=row["mode"],
        ratio=Decimal(row["ratio"]),
        confidence=row["confidence"],
        policy_version=row["policy_version"],
        seed=row["seed"],
        draw=Decimal(row["draw"]),
        at=row["at"],
        actor=row["actor"],
    )


def _check(row: RowMapping) -> PortCheck:
    return PortCheck(
        id=row["id"],
        transfer_id=row["transfer_id"],
        consignment_id=row["consignment_id"],
        office=row["office"],
        seals_intact=bool(row["seals_intact"]),
        containers_match=bool(row["containers_match"]),
        goods_match=bool(row["goods_match"]),
        findings=row["findings"],
        at=row["at"],
        actor=row["actor"],
    )


def _hold(row: RowMapping) -> PortHold:
    return PortHold(
        id=row["id"],
        transfer_id=row["transfer_id"],
        consignment_id=row["consignment_id"],
        office=row["office"],
        reason=row["reason"],
        at=row["at"],
        actor=row["actor"],
    )


def _clearance(row: RowMapping) -> Clearance:
    return Clearance(
        id=row["id"],
        number=row["number"],
        transfer_id=row["transfer_id"],
        transfer_number=row["transfer_number"],
        consignment_id=row["consignment_id"],
        consignment_number=row["consignment_number"],
        enterprise=row["enterprise"],
        city=row["city"],
        office=row["office"],
        port=row["port"],
        year=row["year"],
        sequence=row["sequence"],
        certificates=tuple(json.loads(row["certificates"])),
        check_id=row["check_id"],
        released_at=row["released_at"],
        released_by=row["released_by"],
    )


class SqlPortStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def draw_of(self, transfer_id: int) -> PortDraw | None:
        with connect(self.engine) as conn:
            row = (
                conn.execute(select(port_draws).where(port_draws.c.transfer_id == transfer_id))
                .mappings()
                .first()
            )
        return _draw(row) if row is not None else None

    def add_draw(self, draw: PortDraw) -> PortDraw:
        values = {
            "transfer_id": draw.transfer_id,
            "consignment_id": draw.consignment_id,
            "office": draw.office,
            "checked": draw.checked,
            "key_list": draw.key_list,
            "mode": draw.mode,
            "ratio": str(draw.ratio),
            "confidence": draw.confidence,
            "policy_version": draw.policy_version,
            "seed": draw.seed,
            "draw": str(draw.draw),
            "at": draw.at,
            "actor": draw.actor,
        }
        # inside the draw's unit, under the audit lock: the caller looked for one first
        with begin(self.engine) as conn:
            conn.execute(insert(port_draws).values(**values))
        found = self.draw_of(draw.transfer_id)
        assert found is not None
        return found

    def checks(self, transfer_id: int) -> list[PortCheck]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(port_checks)
                .where(port_checks.c.transfer_id == transfer_id)
                .order_by(port_checks.c.id)
            ).mappings()
            return [_check(r) for r in rows]

    def add_check(self, check: PortCheck) -> int:
        with begin(self.engine) as conn:
            made = conn.execute(
                insert(port_checks)
                .values(
                    transfer_id=check.transfer_id,
                    consignment_id=check.consignment_id,
                    office=check.office,
                    seals_intact=check.seals_intact,
                    containers_match=check.containers_match,
                    goods_match=check.goods_match,
                    conforming=check.conforming,
                    findings=check.findings,
                    at=check.at,
                    actor=check.actor,
                )
                .returning(port_checks.c.id)
            ).scalar_one()
        return int(made)

    def holds(self, transfer_id: int) -> list[PortHold]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(port_holds)
                .where(port_holds.c.transfer_id == transfer_id)
                .order_by(port_holds.c.id)
            ).mappings()
            return [_hold(r) for r in rows]

    def add_hold(self, hold: PortHold) -> int:
        with begin(self.engine) as conn:
            made = conn.execute(
                insert(port_holds)
                .values(
                    transfer_id=hold.transfer_id,
                    consignment_id=hold.consignment_id,
                    office=hold.office,
                    reason=hold.reason,
                    at=hold.at,
                    actor=hold.actor,
                )
                .returning(port_holds.c.id)
            ).scalar_one()
        return int(made)

    def next_sequence(self, office: str, year: int) -> int:
        key = and_(clearance_counters.c.office == office, clearance_counters.c.year == year)
        with begin(self.engine) as conn:
            last = conn.execute(
                select(clearance_counters.c.last).where(key).with_for_update()
            ).scalar()
            if last is None:
                conn.execute(insert(clearance_counters).values(office=office, year=year, last=1))
                return 1
            conn.execute(update(clearance_counters).where(key).values(last=last + 1))
            return int(last) + 1

    def add_clearance(self, clearance: Clearance) -> int:
        with begin(self.engine) as conn:
            made = conn.execute(
                insert(clearances)
                .values(
                    number=clearance.number,
                    transfer_id=clearance.transfer_id,
                    transfer_number=clearance.transfer_number,
                    consignment_id=clearance.consignment_id,
                    consignment_number=clearance.consignment_number,
                    enterprise=clearance.enterprise,
                    city=clearance.city,
                    office=clearance.office,
                    port=clearance.port,
                    year=clearance.year,
                    sequence=clearance.sequence,
                    certificates=json.dumps(list(clearance.certificates)),
                    check_id=clearance.check_id,
                    released_at=clearance.released_at,
                    released_by=clearance.released_by,
                )
                .returning(clearances.c.id)
            ).scalar_one()
        return int(made)

    def _one(self, where: object) -> Clearance | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(clearances).where(where)).mappings().first()  # type: ignore[arg-type]
        return _clearance(row) if row is not None else None

    def clearance(self, number: str) -> Clearance | None:
        return self._one(clearances.c.number == number)

    def clearance_of(self, transfer_id: int) -> Clearance | None:
        return self._one(clearances.c.transfer_id == transfer_id)

    def clearance_of_consignment(self, consignment_id: int) -> Clearance | None:
        return self._one(clearances.c.consignment_id == consignment_id)

    def clearances(self, office: str | None, *, limit: int = 50) -> list[Clearance]:
        query = select(clearances).order_by(clearances.c.id.desc()).limit(limit)
        if office is not None:
            query = query.where(clearances.c.office == office)
        with connect(self.engine) as conn:
            return [_clearance(r) for r in conn.execute(query).mappings()]
