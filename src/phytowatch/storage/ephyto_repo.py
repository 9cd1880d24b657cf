"""Received ePhytos on SQL (``services.certificates.ephyto.ReceivedStore``)."""

from __future__ import annotations

import json

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine, RowMapping

from phytowatch.domain.certificates.ephyto import (
    ReceivedEphyto,
    StoredEphyto,
    received_from_json,
    received_to_json,
)
from phytowatch.services.paging import Found
from phytowatch.storage.ephyto_tables import received_ephyto
from phytowatch.storage.errors import translating
from phytowatch.storage.unit import begin, connect

_SHOWN = [c for c in received_ephyto.c if c.name != "raw"]


def _stored(row: RowMapping) -> StoredEphyto:
    return StoredEphyto(
        id=row["id"],
        sha256=row["sha256"],
        imported_at=row["imported_at"],
        imported_by=row["imported_by"],
        size=row["size"],
        received=received_from_json(json.loads(row["parsed"])),
    )


@translating
class SqlReceivedEphytoStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def by_hash(self, sha256: str) -> StoredEphyto | None:
        query = select(*_SHOWN).where(received_ephyto.c.sha256 == sha256)
        with connect(self.engine) as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _stored(row)

    def add(
        self,
        raw: bytes,
        sha256: str,
        received: ReceivedEphyto,
        *,
        kind: str,
        at: int,
        by: str,
    ) -> StoredEphyto:
        values = {
            "sha256": sha256,
            "raw": raw,
            "size": len(raw),
            "kind": kind,
            "number": received.number[:200],
            "type_code": received.type_code[:16],
            "status_code": received.status_code[:16],
            "export_country": received.export_country[:16],
            "import_country": received.import_country[:16],
            "issued": received.issued[:64],
            "exporter": received.exporter.name,
            "consignee": received.consignee.name,
            "parsed": json.dumps(received_to_json(received), ensure_ascii=False),
            "imported_at": at,
            "imported_by": by,
        }
        with begin(self.engine) as conn:
            new_id = conn.execute(
                insert(received_ephyto).values(**values).returning(received_ephyto.c.id)
            ).scalar_one()
        return StoredEphyto(new_id, sha256, at, by, len(raw), received)

    def received(self, received_id: int) -> StoredEphyto | None:
        query = select(*_SHOWN).where(received_ephyto.c.id == received_id)
        with connect(self.engine) as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _stored(row)

    def raw(self, received_id: int) -> bytes | None:
        query = select(received_ephyto.c.raw).where(received_ephyto.c.id == received_id)
        with connect(self.engine) as conn:
            data = conn.execute(query).scalar()
        return None if data is None else bytes(data)

    def find(self, *, offset: int, limit: int) -> Found[StoredEphyto]:
        query = (
            select(*_SHOWN)
            .order_by(received_ephyto.c.imported_at.desc(), received_ephyto.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(received_ephyto)).scalar_one()
            rows = [_stored(row) for row in conn.execute(query).mappings()]
        return Found(rows, total, offset, limit)
