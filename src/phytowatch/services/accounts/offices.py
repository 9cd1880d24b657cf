"""Offices of the bureau and the cities or enterprises each covers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from phytowatch.domain.accounts import (
    Office,
)
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.accounts.ports import AccountStore
from phytowatch.services.accounts.users import printable_text
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context

_OFFICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}\Z")


def add_office(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    ctx: Context,
    code: str,
    name: str,
    cities: Sequence[str] = (),
    enterprises: Sequence[str] = (),
    everywhere: bool = False,
) -> Office:
    now = ctx.now
    code = code.strip()
    if not _OFFICE.match(code):
        raise refused(Kind.INVALID, Code.OFFICE_CODE, code=code, max=32)
    name = printable_text("name", name, 200)
    cities = sorted({printable_text("city", c, 100) for c in cities})
    enterprises = sorted({e.strip() for e in enterprises if e.strip()})
    for enterprise in enterprises:
        if not store.enterprise_exists(enterprise):
            raise refused(Kind.NOT_FOUND, Code.NO_ENTERPRISE, enterprise=enterprise)
    if not (cities or enterprises or everywhere):
        raise refused(Kind.INVALID, Code.OFFICE_COVERS)
    if store.office(code) is not None:
        raise refused(Kind.CONFLICT, Code.OFFICE_EXISTS, code=code)
    with audit.atomic():
        store.add_office(code, name, cities, enterprises, everywhere, now=now)
        office = store.office(code)
        assert office is not None
        audit.record(
            actor=ctx.actor,
            action="office.add",
            object_type="office",
            object_id=code,
            after={
                "name": name,
                "cities": cities,
                "enterprises": enterprises,
                "everywhere": everywhere,
            },
            now=now,
        )
    return office
