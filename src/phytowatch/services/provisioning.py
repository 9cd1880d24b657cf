"""Registry use cases: enterprises, facilities with their probes, device tokens.

A device token is shown once, when it is issued; only its SHA-256 is stored (a token is 256 random
bits, so a fast hash is enough: there is nothing to guess). It can write readings and stills for
its own facility and nothing else, and read nothing.

Given an ``audit`` log, each change is recorded in it once made, by the context's actor (the web
or CLI layer says who: ``admin-token``, ``cli:<user>``, ``user:<login>``). A token is recorded by
its hint (its first characters), never by its value or its hash.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from phytowatch.domain.instants import US_PER_D, format_instant
from phytowatch.domain.judgement.judge import MAX_OFFSET
from phytowatch.domain.messages import Code, Kind, Word, refused
from phytowatch.domain.schedule import ROLES
from phytowatch.domain.text import plain_text
from phytowatch.services.audit import AuditRecorder, atomic
from phytowatch.services.context import Context
from phytowatch.services.ports import EnterpriseRecord, FacilityRef, Registry

FACILITY_KINDS = ("kiln", "cold_room", "reefer", "hot_water_tank", "vapour_heat_chamber", "other")
ENTERPRISE_GRADES = ("I", "II", "III", "IV", "AA", "A", "B", "C", "D")  # [M] configurable later
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")  # facility codes: String(64)
_ENTERPRISE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}\Z")  # enterprise codes: String(32)
_PROBE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}\Z")
TOKEN_PREFIX = "pwd_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def parse_probe_spec(spec: str) -> tuple[str, str, str]:
    """``C1:product`` or ``C1:product:centre of the stack`` to (code, role, placement)."""
    code, _, rest = spec.partition(":")
    role, _, placement = rest.partition(":")
    code, role = code.strip(), (role.strip() or "product").lower()
    if not _PROBE.match(code):
        raise refused(Kind.INVALID, Code.PROBE_ID, probe=spec)
    if role not in ROLES:
        raise refused(Kind.INVALID, Code.PROBE_ROLE, probe=spec, roles=", ".join(ROLES))
    if len(placement.strip()) > 200 or not plain_text(placement.strip()):
        raise refused(Kind.INVALID, Code.PROBE_PLACEMENT, probe=code, max=200)
    return code, role, placement.strip()


def _record(
    audit: AuditRecorder | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    after: dict[str, object] | None,
    *,
    now: int,
) -> None:
    if audit is not None:
        audit.record(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            after=after,
            now=now,
        )


def add_enterprise(
    registry: Registry,
    code: str,
    name_zh: str,
    name_en: str,
    city: str,
    grade: str,
    *,
    ctx: Context,
    audit: AuditRecorder | None = None,
) -> EnterpriseRecord:
    now, actor = ctx.now, ctx.actor
    if not _ENTERPRISE.match(code):
        raise refused(Kind.INVALID, Code.ENTERPRISE_CODE, code=code, max=32)
    if grade not in ENTERPRISE_GRADES:
        raise refused(
            Kind.INVALID, Code.ENTERPRISE_GRADE, grade=grade, grades=", ".join(ENTERPRISE_GRADES)
        )
    for label, value, most in (
        ("Chinese name", name_zh, 200),
        ("English name", name_en, 200),
        ("city", city, 100),
    ):
        if not value.strip() or len(value) > most or not plain_text(value.strip()):
            raise refused(Kind.INVALID, Code.FIELD_TEXT, field=Word(label), max=most)
    if registry.enterprise_by_code(code) is not None:
        raise refused(Kind.CONFLICT, Code.ENTERPRISE_EXISTS, code=code)
    with atomic(audit):
        record = registry.add_enterprise(
            code, name_zh.strip(), name_en.strip(), city.strip(), grade, now=now
        )
        _record(
            audit,
            actor,
            "enterprise.added",
            "enterprise",
            record.code,
            {
                "name_zh": record.name_zh,
                "name_en": record.name_en,
                "city": record.city,
                "grade": record.grade,
            },
            now=now,
        )
    return record


@dataclass(frozen=True)
class IssuedToken:
    facility: FacilityRef
    token: str  # shown once, never stored


def add_facility(
    registry: Registry,
    code: str,
    enterprise_code: str,
    kind: str,
    probe_specs: list[str],
    *,
    name: str = "",
    treater_number: str | None = None,
    ctx: Context,
    audit: AuditRecorder | None = None,
) -> IssuedToken:
    """Register a facility with its probes and issue its first device token."""
    now, actor = ctx.now, ctx.actor
    if not _CODE.match(code):
        raise refused(Kind.INVALID, Code.FACILITY_CODE, code=code, max=64)
    if len(name) > 200 or not plain_text(name):
        raise refused(Kind.INVALID, Code.FIELD_AT_MOST, field=Word("name"), max=200)
    if treater_number is not None and (
        not 0 < len(treater_number) <= 32 or not plain_text(treater_number)
    ):
        raise refused(Kind.INVALID, Code.FACILITY_TREATER, max=32)
    if kind not in FACILITY_KINDS:
        raise refused(Kind.INVALID, Code.FACILITY_KIND, kind=kind, kinds=", ".join(FACILITY_KINDS))
    enterprise = registry.enterprise_by_code(enterprise_code)
    if enterprise is None:
        raise refused(Kind.NOT_FOUND, Code.NO_ENTERPRISE, enterprise=enterprise_code)
    if registry.facility_by_code(code) is not None:
        raise refused(Kind.CONFLICT, Code.FACILITY_EXISTS, code=code)
    if not probe_specs:
        raise refused(Kind.INVALID, Code.PROBES_NONE)
    probes = [parse_probe_spec(spec) for spec in probe_specs]
    seen = [c for c, _, _ in probes]
    duplicates = sorted({c for c in seen if seen.count(c) > 1})
    if duplicates:
        raise refused(Kind.INVALID, Code.PROBE_TWICE, probe=duplicates[0])
    with atomic(audit):
        facility = registry.add_facility(
            code, enterprise.id, kind, probes, name=name, treater_number=treater_number, now=now
        )
        _record(
            audit,
            actor,
            "facility.added",
            "facility",
            facility.code,
            {
                "enterprise": enterprise.code,
                "kind": kind,
                "name": name,
                "treater_number": treater_number,
                "probes": [
                    {"probe": probe, "role": role, "placement": placement}
                    for probe, role, placement in probes
                ],
            },
            now=now,
        )
        token = _issue(registry, facility, now=now)
        _record(audit, actor, "token.issued", "facility", facility.code, _hint(token), now=now)
    return IssuedToken(facility, token)


def _hint(token: str) -> dict[str, object]:
    """What the audit trail keeps of a token: its first characters, as the registry shows them."""
    return {"hint": token[:10]}


def rotate_token(
    registry: Registry,
    facility_code: str,
    *,
    ctx: Context,
    audit: AuditRecorder | None = None,
) -> IssuedToken:
    """Revoke every token of the facility and issue a new one."""
    now, actor = ctx.now, ctx.actor
    facility = _facility(registry, facility_code)
    token = new_token()
    with atomic(audit):
        registry.replace_tokens(facility.id, hash_token(token), token[:10], now=now)
        _record(audit, actor, "token.rotated", "facility", facility.code, _hint(token), now=now)
    return IssuedToken(facility, token)


def revoke_tokens(
    registry: Registry,
    facility_code: str,
    *,
    ctx: Context,
    audit: AuditRecorder | None = None,
) -> int:
    """Revoke every token of the facility; recorded when there was one to revoke."""
    now, actor = ctx.now, ctx.actor
    facility = _facility(registry, facility_code)
    with atomic(audit):
        count = registry.revoke_tokens(facility.id, now=now)
        if count:
            _record(
                audit,
                actor,
                "token.revoked",
                "facility",
                facility.code,
                {"revoked": count},
                now=now,
            )
    return count


def _facility(registry: Registry, code: str) -> FacilityRef:
    facility = registry.facility_by_code(code)
    if facility is None:
        raise refused(Kind.NOT_FOUND, Code.NO_FACILITY, facility=code)
    return facility


def _issue(registry: Registry, facility: FacilityRef, *, now: int) -> str:
    token = new_token()
    registry.add_token(facility.id, hash_token(token), token[:10], now=now)
    return token


@dataclass(frozen=True)
class CalibrationRecord:
    probe: str
    calibrated_at: int
    offset: str  # decimal text, e.g. "-0.30"
    due_at: int
    certificate: str


def add_calibration(
    registry: Registry,
    facility_code: str,
    probe_code: str,
    offset: str,
    *,
    calibrated_at: int,
    due_at: int,
    certificate: str,
    ctx: Context,
    audit: AuditRecorder | None = None,
) -> CalibrationRecord:
    """Record a probe's calibration: its offset (added to raw values) and when it falls due."""
    now, actor = ctx.now, ctx.actor
    facility = _facility(registry, facility_code)
    probe = facility.probes.get(probe_code)
    if probe is None:
        raise refused(
            Kind.INVALID,
            Code.FACILITY_NO_PROBE,
            facility=facility_code,
            probe=probe_code,
            probes=", ".join(facility.probes),
        )
    try:
        delta = Decimal(str(offset).strip())
    except InvalidOperation:
        raise refused(Kind.INVALID, Code.OFFSET_NOT_NUMBER, offset=offset) from None
    # copy_abs, not abs(): abs() rounds to the context and 1e999999999 overflows it
    if not delta.is_finite() or delta.copy_abs() > MAX_OFFSET:
        raise refused(Kind.INVALID, Code.OFFSET_TOO_LARGE, offset=offset, max=str(MAX_OFFSET))
    if due_at <= calibrated_at:
        raise refused(Kind.INVALID, Code.CALIBRATION_DUE_BEFORE)
    if calibrated_at > now + US_PER_D:
        raise refused(Kind.INVALID, Code.CALIBRATION_FUTURE)
    if len(certificate) > 200 or not plain_text(certificate.strip()):
        raise refused(Kind.INVALID, Code.FIELD_AT_MOST, field=Word("certificate"), max=200)
    text = str(delta)
    with atomic(audit):
        registry.add_calibration(
            probe.id, calibrated_at, text, due_at, certificate.strip(), now=now
        )
        _record(
            audit,
            actor,
            "probe.calibrated",
            "probe",
            f"{facility.code}/{probe_code}",
            {
                "offset": text,
                "calibrated_at": format_instant(calibrated_at),
                "due_at": format_instant(due_at),
                "certificate": certificate.strip(),
            },
            now=now,
        )
    return CalibrationRecord(probe_code, calibrated_at, text, due_at, certificate.strip())


def add_camera(
    registry: Registry,
    facility_code: str,
    code: str,
    description: str = "",
    *,
    ctx: Context,
    audit: AuditRecorder | None = None,
) -> None:
    now, actor = ctx.now, ctx.actor
    facility = _facility(registry, facility_code)
    if not _PROBE.match(code):
        raise refused(Kind.INVALID, Code.CAMERA_CODE, code=code, max=32)
    if len(description) > 200 or not plain_text(description.strip()):
        raise refused(Kind.INVALID, Code.FIELD_AT_MOST, field=Word("camera description"), max=200)
    if code in registry.cameras_of(facility.id):
        raise refused(Kind.CONFLICT, Code.CAMERA_EXISTS, facility=facility_code, code=code)
    with atomic(audit):
        registry.add_camera(facility.id, code, description.strip(), now=now)
        _record(
            audit,
            actor,
            "camera.added",
            "camera",
            f"{facility.code}/{code}",
            {"description": description.strip()},
            now=now,
        )
