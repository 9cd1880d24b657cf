"""Consignments put straight into the tables of migration 0012 (as the declarations' use cases
will) and routed by the App's router: what the routing and assessment tests start from."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import insert, select

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.domain.supervision.consignment import Consignment, Declaration, Line, Party
from phytowatch.storage.supervision.consignment_tables import consignments, declaration_versions
from phytowatch.storage.tables import enterprises


def declaration(*products: str, destination: str = "SG") -> Declaration:
    return Declaration(
        Party("E", "a"),
        Party("C", "b"),
        tuple(Line(p, "", Decimal(1), "t", 1, "cartons") for p in products),
        destination,
        "CNNCH",
        "truck",
        "",
        (),
        (),
        (),
    )


def submitted(
    services: Services, enterprise: str, number: str, *products: str, at: int
) -> Consignment:
    """A consignment of ``enterprise`` submitted at ``at`` and routed (what the router says)."""
    content = {
        "lines": [{"product": p, "quantity": "1", "unit": "t", "packages": 1} for p in products],
        "destination": "SG",
    }
    with services.engine.begin() as conn:
        enterprise_id = conn.execute(
            select(enterprises.c.id).where(enterprises.c.code == enterprise)
        ).scalar_one()
        cid = conn.execute(
            insert(consignments)
            .values(
                number=number,
                enterprise_id=enterprise_id,
                state="submitted",
                version=1,
                destination="SG",
                created_at=at,
                created_by="user:declarant",
                submitted_at=at,
                updated_at=at,
            )
            .returning(consignments.c.id)
        ).scalar_one()
        conn.execute(
            insert(declaration_versions).values(
                consignment_id=cid,
                version=1,
                content=json.dumps(content),
                content_hash="0" * 64,
                submitted_at=at,
                submitted_by="user:declarant",
            )
        )
    found = services.consignments.consignment(cid)
    assert found is not None
    services.router.on_submitted(found, declaration(*products), ctx=ctx_at(at, "user:declarant"))
    routed = services.consignments.consignment(cid)
    assert routed is not None
    return routed
