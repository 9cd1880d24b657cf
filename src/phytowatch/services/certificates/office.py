"""An office's signing keys and its numbering pattern: the administrator's, from the CLI.

Keys are never deleted: a new one (a rotation) signs from then on and the older stay to verify
what they signed. Patterns are versions: each change is a new row, audited; the newest is used.
Who may: the operator of the CLI or the system (the process's own authority), or an
administrator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from phytowatch.domain.accounts import Office, Principal
from phytowatch.domain.certificates.numbering import DEFAULT_PATTERN, pattern_problem
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.certificates.ports import OfficeKey
from phytowatch.services.certificates.store import CertificateStore, OfficeDirectory
from phytowatch.services.context import Context

if TYPE_CHECKING:
    from phytowatch.services.certificates.lifecycle import CertificateService


def covering(offices: OfficeDirectory, enterprise: str, city: str) -> str | None:
    """The office that certifies for an enterprise: one that names it, else one that covers its
    city, else one that covers everywhere (the first by code at each step)."""
    listed: list[Office] = sorted(offices.list_offices(), key=lambda o: o.code)
    for test in (
        lambda o: enterprise in o.jurisdiction.enterprises,
        lambda o: city in o.jurisdiction.cities,
        lambda o: o.jurisdiction.everywhere,
    ):
        for found in listed:
            if test(found):
                return found.code
    return None


def _administrator(principal: Principal) -> None:
    if not (principal.kind in ("cli", "system") or principal.sees_everything):
        raise refused(Kind.FORBIDDEN, Code.CERT_ADMIN_ONLY)


def _office(service: CertificateService, code: str) -> Office:
    found = service.offices.office(code)
    if found is None:
        raise refused(Kind.NOT_FOUND, Code.NO_OFFICE, office=code)
    return found


def create_key(service: CertificateService, code: str, *, ctx: Context) -> OfficeKey:
    _administrator(ctx.principal)
    found = _office(service, code)
    new = service.signer.new_key(
        found.code, found.name, now=ctx.now, actor=ctx.actor, passphrase=service.passphrase
    )
    with service.audit.atomic():
        before = service.store.keys(found.code)
        service.store.add_key(new)
        service.audit.record(
            actor=ctx.actor,
            action="office_key.created",
            object_type="office",
            object_id=found.code,
            before={"key_id": before[0].key_id} if before else None,
            after={
                "key_id": new.key.key_id,
                "algorithm": new.key.algorithm,
                "encrypted": new.encrypted,
            },
            now=ctx.now,
        )
    made = service.store.key(new.key.key_id)
    assert made is not None
    return made


def pattern_of(store: CertificateStore, office: str) -> str:
    versions = store.patterns(office)
    return versions[-1].pattern if versions else DEFAULT_PATTERN


def set_pattern(service: CertificateService, code: str, pattern: str, *, ctx: Context) -> str:
    _administrator(ctx.principal)
    found = _office(service, code)
    problem = pattern_problem(pattern)
    if problem is not None:
        raise refused(Kind.INVALID, problem.code, **problem.params)
    with service.audit.atomic():
        before = pattern_of(service.store, found.code)
        service.store.add_pattern(found.code, pattern, at=ctx.now, actor=ctx.actor)
        service.audit.record(
            actor=ctx.actor,
            action="number_pattern.set",
            object_type="office",
            object_id=found.code,
            before={"pattern": before},
            after={"pattern": pattern},
            now=ctx.now,
        )
    return pattern
