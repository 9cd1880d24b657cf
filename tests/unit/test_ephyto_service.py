"""Importing a received ePhyto as a use case (services/certificates/ephyto.py), with fakes: it
is validated, kept once by its hash and audited in one unit; a broken one is refused naming each
problem; only those who import may; our certificates are exported through the same codec."""

from __future__ import annotations

from pathlib import Path

import pytest

from acting import ctx_at, ctx_of
from ephyto_certificates import issued
from fakes import InMemoryAuditRecorder, InMemoryReceivedEphytoStore
from phytowatch.domain.accounts import ROLE_ACTIONS, Principal, Role
from phytowatch.domain.messages import Kind, Refused
from phytowatch.ephyto.codec import LxmlEphyto
from phytowatch.services.certificates.ephyto import EphytoService, ProblemsRefused

SAMPLES = Path(__file__).parents[1] / "ephyto_samples"
GOOD = (SAMPLES / "co-pe-reference.xml").read_bytes()
BAD = (SAMPLES / "ar-ec-test-out-of-order.xml").read_bytes()


def _person(role: Role) -> Principal:
    return Principal(kind="user", actor=f"user:{role.value}", actions=ROLE_ACTIONS[role], role=role)


@pytest.fixture
def desk() -> tuple[EphytoService, InMemoryReceivedEphytoStore, InMemoryAuditRecorder]:
    store, audit = InMemoryReceivedEphytoStore(), InMemoryAuditRecorder()
    return EphytoService(LxmlEphyto(), store, audit), store, audit


def test_a_valid_document_is_kept_with_its_hash_and_audited(
    desk: tuple[EphytoService, InMemoryReceivedEphytoStore, InMemoryAuditRecorder],
) -> None:
    service, store, audit = desk
    done = service.import_xml(GOOD, ctx=ctx_of(_person(Role.PORT_OFFICER), 5))
    assert done.created and done.stored.received.number == "123456789CO"
    assert store.raws[done.stored.id] == GOOD
    assert done.stored.imported_by == "user:port_officer" and done.stored.imported_at == 5
    [entry] = audit.entries
    assert entry["action"] == "ephyto.imported" and entry["after"]["number"] == "123456789CO"
    assert done.message.code.value == "ephyto.imported"


def test_the_same_document_twice_is_recognised_not_stored_again(
    desk: tuple[EphytoService, InMemoryReceivedEphytoStore, InMemoryAuditRecorder],
) -> None:
    service, store, audit = desk
    first = service.import_xml(GOOD, ctx=ctx_at(1, "cli:ops"))
    again = service.import_xml(GOOD, ctx=ctx_at(2, "cli:ops"))
    assert not again.created and again.stored.id == first.stored.id
    assert len(store.rows) == 1 and len(audit.entries) == 1
    assert again.message.code.value == "ephyto.known"


def test_a_broken_document_is_refused_naming_each_problem_and_nothing_is_kept(
    desk: tuple[EphytoService, InMemoryReceivedEphytoStore, InMemoryAuditRecorder],
) -> None:
    service, store, audit = desk
    with pytest.raises(ProblemsRefused) as caught:
        service.import_xml(BAD, ctx=ctx_at(1, "cli:ops"))
    assert [p.element for p in caught.value.problems] == [
        "ReferenceSPSReferencedDocument",
        "TransitSPSCountry",
    ]
    assert caught.value.kind is Kind.INVALID
    assert caught.value.message.params["line"] == 84
    assert store.rows == {} and audit.entries == []


@pytest.mark.parametrize("role", [Role.ENTERPRISE_DECLARANT, Role.ENTERPRISE_OPERATOR])
def test_only_those_who_import_may(
    desk: tuple[EphytoService, InMemoryReceivedEphytoStore, InMemoryAuditRecorder], role: Role
) -> None:
    service, store, _ = desk
    with pytest.raises(Refused) as caught:
        service.import_xml(GOOD, ctx=ctx_of(_person(role), 1))
    assert caught.value.kind is Kind.FORBIDDEN and store.rows == {}


def test_a_received_document_not_there_is_a_404_message(
    desk: tuple[EphytoService, InMemoryReceivedEphytoStore, InMemoryAuditRecorder],
) -> None:
    service, _, _ = desk
    with pytest.raises(Refused) as caught:
        service.received(9)
    assert caught.value.kind is Kind.NOT_FOUND
    assert caught.value.message.code.value == "ephyto.no_received"


def test_an_unknown_or_unissued_certificate_is_not_exported(
    desk: tuple[EphytoService, InMemoryReceivedEphytoStore, InMemoryAuditRecorder],
) -> None:
    service, _, _ = desk
    with pytest.raises(Refused) as caught:
        service.export(None, shown="SD2026-999999")
    assert caught.value.kind is Kind.NOT_FOUND
    assert caught.value.message.params == {"certificate": "SD2026-999999"}
    data = service.export(issued(), shown="SD2026-000042")
    assert b"<hub:NPPOCertificateNumber>SD2026-000042<" in data
