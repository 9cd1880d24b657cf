"""Issuing: number, sign, record, and move the consignment on; inside the caller's unit.

The number comes from the office's counter of the year (locked and incremented in this very
transaction, so a rollback gives it back: no gap, no duplicate), formatted by the office's
pattern. The canonical bytes (``domain.certificates.canonical``) are signed with the office's
active Ed25519 key, and so is the QR payload's body (``domain.certificates.payload``). The
token that opens the public verification page is unguessable; the check code is short and
printed, for typing with the number.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from phytowatch.domain.certificates.canonical import canonical_bytes, content_hash
from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateEvent,
    CertificateState,
    Issue,
)
from phytowatch.domain.certificates.numbering import MAX_NUMBER, format_number
from phytowatch.domain.certificates.payload import b64url, payload_body, payload_of
from phytowatch.domain.instants import BUREAU_ZONE
from phytowatch.domain.messages import Code, Kind, refused, say
from phytowatch.domain.supervision.consignment import ConsignmentState, Step
from phytowatch.services.certificates import office
from phytowatch.services.context import Context

if TYPE_CHECKING:
    from phytowatch.services.certificates.lifecycle import CertificateService

CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper
CHECK_LENGTH = 8
TOKEN_BYTES = 18  # 24 characters of base64url: 144 random bits


def check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def local_day(instant: int) -> datetime:
    return datetime.fromtimestamp(instant / 1_000_000, UTC).astimezone(BUREAU_ZONE)


def issue(service: CertificateService, certificate: Certificate, *, ctx: Context) -> Issue:
    store = service.store
    keys = store.keys(certificate.office)
    if not keys:
        raise refused(
            Kind.CONFLICT,
            Code.CERT_NO_KEY,
            office=certificate.office,
            command=f"phytowatch certificates keys create --office {certificate.office}",
        )
    key = keys[0]
    private = store.private_key(key.key_id)
    assert private is not None
    day = local_day(ctx.now)
    sequence = store.next_sequence(certificate.office, day.year)
    pattern = office.pattern_of(store, certificate.office)
    number = format_number(
        pattern, office=certificate.office, year=day.year, kind=certificate.kind, sequence=sequence
    )
    if len(number) > MAX_NUMBER:
        raise refused(Kind.CONFLICT, Code.CERT_NUMBER_TOO_LONG, number=number, max=MAX_NUMBER)
    found = service.offices.office(certificate.office)
    place = found.name if found is not None else certificate.office
    # the authorized officer as printed: the account's name (a person's), else the login
    login = ctx.principal.login
    account = service.offices.user_by_login(login) if login else None
    officer = (account.name if account is not None and account.name else login) or ctx.actor
    data = canonical_bytes(
        certificate.content,
        number=number,
        office=certificate.office,
        place_of_issue=place,
        issued_at=ctx.now,
        officer=officer,
    )
    digest = content_hash(data)
    payload = payload_of(
        certificate.content,
        number=number,
        office=certificate.office,
        issued_on=day.date().isoformat(),
        content_hash=digest,
        key_id=key.key_id,
    )
    body = payload_body(payload)
    try:
        signature = service.signer.sign(private, data, passphrase=service.passphrase)
        payload_signature = service.signer.sign(
            private, body.encode("ascii"), passphrase=service.passphrase
        )
    except ValueError:
        raise refused(
            Kind.UNAVAILABLE, Code.CERT_KEY_LOCKED, office=certificate.office, key=key.key_id
        ) from None
    record = Issue(
        certificate_id=certificate.id,
        number=number,
        office=certificate.office,
        place_of_issue=place,
        issued_at=ctx.now,
        officer=officer,
        officer_actor=ctx.actor,
        key_id=key.key_id,
        content_hash=digest,
        signature=b64url(signature),
        token=secrets.token_urlsafe(TOKEN_BYTES),
        check_code=check_code(),
        payload_signature=b64url(payload_signature),
    )
    store.add_issue(record, year=day.year, sequence=sequence, revision=certificate.revision)
    store.add_event(
        CertificateEvent(
            certificate.id,
            CertificateState.ISSUED,
            ctx.now,
            ctx.actor,
            say(Code.CERT_ISSUED_AS, number=number).to_json(),
        )
    )
    if certificate.consignment_id is not None:
        consignment = service.consignments.consignment(certificate.consignment_id)
        if consignment is not None and consignment.state is ConsignmentState.ASSESSED:
            service.consignments.move(
                consignment.id,
                ConsignmentState.ASSESSED,
                ConsignmentState.CERTIFIED,
                step=Step.CERTIFIED,
                at=ctx.now,
                actor=ctx.actor,
                detail=say(Code.CERT_ISSUED_AS, number=number).to_json(),
            )
    service.audit.record(
        actor=ctx.actor,
        action="certificate.issued",
        object_type="certificate",
        object_id=str(certificate.id),
        before={"state": certificate.state.value},
        after={
            "state": CertificateState.ISSUED.value,
            "number": number,
            "office": certificate.office,
            "key_id": key.key_id,
            "content_hash": digest,
            "revision": certificate.revision,
        },
        now=ctx.now,
    )
    return record
