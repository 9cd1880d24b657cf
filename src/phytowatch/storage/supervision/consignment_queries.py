"""The consignments' lists and counts in SQL: the list within a caller's reach (filtered,
sorted and paged by the database) and the counts the classification rules read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false, func, select, true
from sqlalchemy.engine import Connection

from phytowatch.domain.supervision.consignment import ConsignmentState, Step
from phytowatch.services.paging import Found
from phytowatch.services.supervision.consignments import ConsignmentQuery, ConsignmentRow
from phytowatch.storage.lists_sql import within_reach
from phytowatch.storage.search import holds
from phytowatch.storage.supervision.consignment_tables import (
    consignment_events,
    consignment_lines,
    consignments,
    declaration_versions,
)
from phytowatch.storage.tables import enterprises

_C = consignments.c
JOINED = select(
    consignments,
    enterprises.c.code.label("enterprise_code"),
    enterprises.c.city.label("enterprise_city"),
    enterprises.c.name_zh.label("enterprise_zh"),
    enterprises.c.name_en.label("enterprise_en"),
).join(enterprises, enterprises.c.id == _C.enterprise_id)
_SORTS: dict[str, Any] = {
    "created": _C.created_at,
    "updated": _C.updated_at,
    "number": _C.number,
    "state": _C.state,
    "destination": _C.destination,
}


def find(conn: Connection, query: ConsignmentQuery) -> Found[ConsignmentRow]:
    """A page of the consignments within reach, filtered and sorted (``ConsignmentStore.find``)."""
    where = [within_reach(query.reach), false() if query.nothing else true()]
    if query.enterprise:
        where.append(enterprises.c.code == query.enterprise)
    if query.state is not None:
        where.append(_C.state == query.state.value)
    if query.destination:
        where.append(_C.destination == query.destination)
    if query.product:
        lines = consignment_lines.c
        where.append(
            exists().where(
                and_(
                    lines.consignment_id == _C.id,
                    lines.version == _C.version,
                    lines.product == query.product,
                )
            )
        )
    if query.created_from is not None:
        where.append(_C.created_at >= query.created_from)
    if query.created_before is not None:
        where.append(_C.created_at < query.created_before)
    if query.search:
        where.append(holds(_C.number, query.search) | holds(_C.consignee, query.search))
    column = _SORTS.get(query.sort, _C.created_at)
    order = [column.desc(), _C.id.desc()] if query.descending else [column.asc(), _C.id.asc()]
    total = conn.execute(
        select(func.count())
        .select_from(consignments.join(enterprises, enterprises.c.id == _C.enterprise_id))
        .where(*where)
    ).scalar_one()
    rows = conn.execute(
        JOINED.where(*where)
        .order_by(*order)
        .offset(max(query.offset, 0))
        .limit(max(query.limit, 1))
    ).all()
    items = [
        ConsignmentRow(
            id=r.id,
            number=r.number,
            enterprise=r.enterprise_code,
            enterprise_zh=r.enterprise_zh,
            enterprise_en=r.enterprise_en,
            city=r.enterprise_city,
            state=ConsignmentState(r.state),
            version=r.version,
            destination=r.destination,
            consignee=r.consignee,
            created_at=r.created_at,
            submitted_at=r.submitted_at,
            updated_at=r.updated_at,
        )
        for r in rows
    ]
    return Found(items, total, query.offset, query.limit)


def count(conn: Connection, measure: str, enterprise: str, start: int, end: int) -> int | None:
    """``declarations``: versions submitted in [start, end); ``returned_declarations``:
    times a declaration was returned for correction in [start, end)."""
    if measure == "declarations":
        v = declaration_versions.c
        query = (
            select(func.count())
            .select_from(
                declaration_versions.join(consignments, _C.id == v.consignment_id).join(
                    enterprises, enterprises.c.id == _C.enterprise_id
                )
            )
            .where(
                enterprises.c.code == enterprise,
                v.submitted_at >= start,
                v.submitted_at < end,
            )
        )
    elif measure == "returned_declarations":
        e = consignment_events.c
        query = (
            select(func.count())
            .select_from(
                consignment_events.join(consignments, _C.id == e.consignment_id).join(
                    enterprises, enterprises.c.id == _C.enterprise_id
                )
            )
            .where(
                enterprises.c.code == enterprise,
                e.step == Step.RETURNED.value,
                e.at >= start,
                e.at < end,
            )
        )
    else:
        return None
    return int(conn.execute(query).scalar_one())
