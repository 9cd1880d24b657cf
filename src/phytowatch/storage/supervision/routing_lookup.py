"""What routing and assessment read of a consignment, on SQL (``ConsignmentLookup``): the
consignment and where it stands, a submitted version, the runs that back it, and the
compare-and-set move with its timeline entry.

Kept small on purpose: the declarations' store answers the same port, and either may be wired.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from phytowatch.domain.supervision.consignment import (
    BackingRun,
    Consignment,
    ConsignmentState,
    Declaration,
    Line,
    Party,
    Step,
)
from phytowatch.storage.accounts_tables import run_signoffs
from phytowatch.storage.errors import translating
from phytowatch.storage.supervision.consignment_tables import (
    consignment_events,
    consignments,
    declaration_versions,
)
from phytowatch.storage.tables import enterprises, facilities, runs
from phytowatch.storage.unit import begin, connect


def _party(data: Any) -> Party:
    data = data or {}
    return Party(str(data.get("name", "")), str(data.get("address", "")))


def declaration_from_json(data: dict[str, Any]) -> Declaration:
    """A submitted version's content (canonical JSON of a ``Declaration``'s fields)."""
    return Declaration(
        exporter=_party(data.get("exporter")),
        consignee=_party(data.get("consignee")),
        lines=tuple(
            Line(
                product=str(line["product"]),
                botanical_name=str(line.get("botanical_name", "")),
                quantity=Decimal(str(line.get("quantity", "0"))),
                unit=str(line.get("unit", "")),
                packages=int(line.get("packages", 0)),
                package_type=str(line.get("package_type", "")),
                description=str(line.get("description", "")),
            )
            for line in data.get("lines", [])
        ),
        destination=str(data.get("destination", "")),
        port_of_exit=str(data.get("port_of_exit", "")),
        conveyance=str(data.get("conveyance", "")),
        marks=str(data.get("marks", "")),
        containers=tuple(str(c) for c in data.get("containers", [])),
        bases=tuple(str(b) for b in data.get("bases", [])),
        runs=tuple(int(r) for r in data.get("runs", [])),
    )


@translating
class SqlConsignmentLookup:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def consignment(self, consignment_id: int) -> Consignment | None:
        query = (
            select(consignments, enterprises.c.code, enterprises.c.city)
            .join(enterprises, enterprises.c.id == consignments.c.enterprise_id)
            .where(consignments.c.id == consignment_id)
        )
        with connect(self.engine) as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return Consignment(
            id=row["id"],
            number=row["number"],
            enterprise=row["code"],
            city=row["city"],
            state=ConsignmentState(row["state"]),
            version=row["version"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            copied_from=row["copied_from"],
        )

    def declaration(self, consignment_id: int, version: int) -> Declaration | None:
        query = select(declaration_versions.c.content).where(
            declaration_versions.c.consignment_id == consignment_id,
            declaration_versions.c.version == version,
        )
        with connect(self.engine) as conn:
            content = conn.execute(query).scalar()
        return None if content is None else declaration_from_json(json.loads(content))

    def backing_runs(self, run_ids: Iterable[int]) -> dict[int, BackingRun]:
        wanted = sorted(set(run_ids))
        if not wanted:
            return {}
        query = (
            select(
                runs.c.id,
                runs.c.schedule_id,
                runs.c.closed_at,
                runs.c.verdict,
                runs.c.needs_review,
                facilities.c.code.label("facility"),
                enterprises.c.code.label("enterprise"),
                run_signoffs.c.decision,
            )
            .join(facilities, facilities.c.id == runs.c.facility_id)
            .join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
            .outerjoin(run_signoffs, run_signoffs.c.run_id == runs.c.id)
            .where(runs.c.id.in_(wanted))
        )
        with connect(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        return {
            row["id"]: BackingRun(
                run_id=row["id"],
                enterprise=row["enterprise"],
                facility=row["facility"],
                schedule_id=row["schedule_id"],
                closed=row["closed_at"] is not None,
                verdict=row["verdict"],
                signed_off=row["decision"] == "signed_off",
                has_findings=bool(row["needs_review"]),
                closed_at=row["closed_at"],
            )
            for row in rows
        }

    def move(
        self,
        consignment_id: int,
        from_state: ConsignmentState,
        to_state: ConsignmentState,
        *,
        step: Step,
        at: int,
        actor: str,
        detail: dict[str, object] | None = None,
    ) -> bool:
        with begin(self.engine) as conn:
            done = conn.execute(
                update(consignments)
                .where(consignments.c.id == consignment_id, consignments.c.state == from_state)
                .values(state=to_state.value, updated_at=at)
            )
            if done.rowcount != 1:
                return False
            version = conn.execute(
                select(consignments.c.version).where(consignments.c.id == consignment_id)
            ).scalar_one()
            conn.execute(
                insert(consignment_events).values(
                    consignment_id=consignment_id,
                    step=step.value,
                    at=at,
                    actor=actor,
                    version=version,
                    detail=json.dumps(detail or {}, sort_keys=True),
                )
            )
        return True
