"""The certificates' lifecycle on SQLite and PostgreSQL (services/certificates, storage/
certificates): drafted from an assessed consignment, edited, submitted, returned, approved,
issued (numbered, signed, the consignment certified), printed, replaced and cancelled; what the
database refuses; numbers without gaps under concurrent issue."""

from __future__ import annotations

import threading

import pytest
from accountsworld import World
from sqlalchemy import text

from acting import ctx_at, ctx_of
from certworld import T0, assessed, passed_run, person
from phytowatch.bootstrap import Services
from phytowatch.domain.certificates.model import CertificateKind, CertificateState
from phytowatch.domain.messages import Refused
from phytowatch.domain.supervision.consignment import ConsignmentState, Step

pytestmark = pytest.mark.integration
S = CertificateState
MINUTE = 60_000_000


def _ctx(services: Services, who: str, at: int):  # type: ignore[no-untyped-def]
    return ctx_of(person(services, who), at)


def _keyed(services: Services, office: str = "GZ") -> None:
    services.certificates.create_key(office, ctx=ctx_at(T0, "cli:ops"))


def _approved(services: Services, at: int = T0) -> int:
    consignment = assessed(services, at=at, runs=(passed_run(services, at=at),))
    certificates = services.certificates
    draft = certificates.draft(
        consignment.id, CertificateKind.PHYTOSANITARY, ctx=_ctx(services, "declarant", at + 10)
    )
    certificates.submit(draft.id, ctx=_ctx(services, "declarant", at + 11))
    certificates.approve(draft.id, ctx=_ctx(services, "certifier", at + 12))
    return draft.id


def test_a_certificate_goes_from_draft_to_printed_and_its_signature_verifies(
    world: World,
) -> None:
    services = world.services
    _keyed(services)
    run = passed_run(services)
    consignment = assessed(services, runs=(run,))
    certificates = services.certificates
    draft = certificates.draft(
        consignment.id, CertificateKind.PHYTOSANITARY, ctx=_ctx(services, "declarant", T0 + 10)
    )
    assert draft.state is S.DRAFT and draft.office == "GZ" and draft.revision == 1
    content = draft.content
    assert content.consignee.name == "Lim Trading Pte Ltd"
    assert content.lines[0].botanical_name == "Pinus massoniana"
    assert content.lines[0].quantity == "1200 kg" and content.packages == "40 pallets"
    [box] = content.treatments
    assert (box.run_id, box.date, box.method) == (run, "2026-03-01", "heat treatment")
    assert box.duration_and_temperature == "56 °C core for 30 min"

    edited = certificates.edit(
        draft.id, {"marks": "LIM-2026-03 / 1-40"}, ctx=_ctx(services, "declarant", T0 + 11)
    )
    assert edited.revision == 2 and edited.content.marks == "LIM-2026-03 / 1-40"
    certificates.submit(draft.id, ctx=_ctx(services, "declarant", T0 + 12))
    back = certificates.send_back(
        draft.id, "say the pallets' count in the marks", ctx=_ctx(services, "certifier", T0 + 13)
    )
    assert back.state is S.RETURNED
    certificates.submit(draft.id, ctx=_ctx(services, "declarant", T0 + 14))
    certificates.approve(draft.id, ctx=_ctx(services, "certifier", T0 + 15))
    issued = certificates.issue(draft.id, ctx=_ctx(services, "certifier", T0 + 16))

    assert issued.state is S.ISSUED and issued.issue is not None
    assert issued.issue.number == "GZ26P000001"
    assert issued.issue.officer == "Certifier"  # the account's name, printed; not the login
    assert len(issued.issue.token) >= 22 and len(issued.issue.check_code) == 8
    check = certificates.check_signature(issued)
    assert check.valid and check.hash_matches and check.key_known
    assert certificates.by_number("GZ26P000001") == issued
    assert certificates.by_token(issued.issue.token) == issued
    moved = services.consignments.consignment(consignment.id)
    # certified, then transferred by step 5 in the same transaction
    assert moved is not None and moved.state is ConsignmentState.TRANSFERRED
    steps = [e.step for e in services.consignments.timeline(consignment.id)]
    assert steps[-2:] == [Step.CERTIFIED, Step.TRANSFERRED]

    first = certificates.record_print(draft.id, ctx=_ctx(services, "certifier", T0 + 17))
    second = certificates.record_print(draft.id, ctx=_ctx(services, "certifier", T0 + 18))
    theirs = certificates.record_print(draft.id, ctx=_ctx(services, "declarant", T0 + 19))
    assert (first.copy, second.copy, theirs.copy) == (False, True, True)
    assert [p.sequence for p in certificates.prints(draft.id)] == [1, 2, 3]
    assert [e.state for e in certificates.history(draft.id)] == [
        S.DRAFT, S.SUBMITTED, S.RETURNED, S.SUBMITTED, S.APPROVED, S.ISSUED, S.PRINTED,
    ]  # fmt: skip
    actions = [e.action for e in services.audit.store.latest(limit=30)]
    assert "certificate.issued" in actions and "certificate.copy_printed" in actions


def test_a_replacement_names_the_old_certificate_which_becomes_replaced_when_it_is_issued(
    world: World,
) -> None:
    services = world.services
    _keyed(services)
    old_id = _approved(services)
    certificates = services.certificates
    old = certificates.issue(old_id, ctx=_ctx(services, "certifier", T0 + 20))
    new = certificates.replace(
        old_id,
        "the consignee's address was wrong",
        {"consignee": {"name": "Lim Trading Pte Ltd", "address": "10 Jurong Port Rd"}},
        ctx=_ctx(services, "declarant", T0 + 21),
    )
    assert new.replaces == old_id and new.replacement_reason.startswith("the consignee")
    with pytest.raises(Refused) as twice:
        certificates.replace(old_id, "again", {}, ctx=_ctx(services, "declarant", T0 + 22))
    assert twice.value.message.code.value == "certificate.replacement_pending"
    certificates.submit(new.id, ctx=_ctx(services, "declarant", T0 + 23))
    certificates.approve(new.id, ctx=_ctx(services, "certifier", T0 + 24))
    issued = certificates.issue(new.id, ctx=_ctx(services, "certifier", T0 + 25))
    assert issued.issue is not None and old.issue is not None
    assert issued.issue.number == "GZ26P000002"
    replaced = certificates.certificate(old_id)
    assert replaced is not None and replaced.state is S.REPLACED
    assert replaced.replaced_by == new.id
    assert issued.content.consignee.address == "10 Jurong Port Rd"
    cancelled = certificates.cancel(
        new.id, "the consignment was not shipped", ctx=_ctx(services, "certifier", T0 + 26)
    )
    assert cancelled.state is S.CANCELLED


def test_issuing_without_an_office_key_is_refused_naming_the_command(world: World) -> None:
    services = world.services
    certificate_id = _approved(services)
    with pytest.raises(Refused) as refused:
        services.certificates.issue(certificate_id, ctx=_ctx(services, "certifier", T0 + 20))
    assert refused.value.message.code.value == "certificate.no_key"
    assert "phytowatch certificates keys create --office GZ" in str(refused.value)
    still = services.certificates.certificate(certificate_id)
    assert still is not None and still.state is S.APPROVED and still.issue is None


def test_a_rotated_key_signs_from_then_on_and_the_old_one_still_verifies(world: World) -> None:
    services = world.services
    certificates = services.certificates
    _keyed(services)
    first = certificates.issue(_approved(services), ctx=_ctx(services, "certifier", T0 + 30))
    _keyed(services)
    second = certificates.issue(
        _approved(services, at=T0 + MINUTE), ctx=_ctx(services, "certifier", T0 + MINUTE + 30)
    )
    assert first.issue is not None and second.issue is not None
    assert first.issue.key_id != second.issue.key_id
    keys = certificates.keys("GZ")
    assert [k.active for k in keys] == [True, False]
    assert keys[0].key_id == second.issue.key_id
    assert certificates.check_signature(first).valid
    assert certificates.check_signature(second).valid


def test_the_database_refuses_to_change_or_delete_an_issued_certificate(world: World) -> None:
    services = world.services
    _keyed(services)
    pattern = "{office}-{yyyy}-{kind}{seq:05d}"
    services.certificates.set_number_pattern("GZ", pattern, ctx=ctx_at(T0, "cli:ops"))
    issued = services.certificates.issue(
        _approved(services), ctx=_ctx(services, "certifier", T0 + 40)
    )
    services.certificates.record_print(issued.id, ctx=_ctx(services, "certifier", T0 + 41))
    printed = services.certificates.certificate(issued.id)
    assert printed is not None
    issued = printed
    for statement in (
        "UPDATE certificate_issues SET number = 'FORGED' WHERE certificate_id = :id",
        "DELETE FROM certificate_issues WHERE certificate_id = :id",
        "UPDATE certificate_revisions SET content = '{}' WHERE certificate_id = :id",
        "DELETE FROM certificate_events WHERE certificate_id = :id",
        "UPDATE certificates SET enterprise = 'E2' WHERE id = :id",
        "DELETE FROM certificate_prints WHERE certificate_id = :id",
        "UPDATE office_keys SET office = 'NC'",
        "UPDATE certificate_number_patterns SET pattern = '{seq}'",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            services.engine.begin() as conn,
        ):
            conn.execute(text(statement), {"id": issued.id})
    assert issued.issue is not None and issued.issue.number == "GZ-2026-P00001"
    again = services.certificates.certificate(issued.id)
    assert again == issued and services.certificates.check_signature(again).valid


def test_parallel_issues_take_every_number_once_without_gaps(world: World) -> None:
    """8 threads issue 5 certificates each: the numbers are exactly 1..40."""
    services = world.services
    certificates = services.certificates
    _keyed(services)
    consignment = assessed(services, runs=(passed_run(services),))
    declarant, certifier = (
        _ctx(services, "declarant", T0 + 10),
        _ctx(services, "certifier", T0 + 11),
    )
    ids = []
    for _ in range(40):
        draft = certificates.draft(consignment.id, CertificateKind.TREATMENT, ctx=declarant)
        certificates.submit(draft.id, ctx=declarant)
        certificates.approve(draft.id, ctx=certifier)
        ids.append(draft.id)
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def issue_some(mine: list[int]) -> None:
        start.wait()
        for certificate_id in mine:
            try:
                certificates.issue(certificate_id, ctx=_ctx(services, "certifier", T0 + 20))
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=issue_some, args=(ids[n::8],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    issued = [certificates.certificate(i) for i in ids]
    numbers = sorted(c.issue.number for c in issued if c is not None and c.issue is not None)
    assert numbers == [f"GZ26T{n:06d}" for n in range(1, 41)]
    assert len({c.issue.token for c in issued if c is not None and c.issue is not None}) == 40


def test_the_list_filters_by_kind_and_part_of_the_number_in_the_query(world: World) -> None:
    services = world.services
    _keyed(services)
    first = _approved(services)
    second = _approved(services, at=T0 + MINUTE)
    certificates = services.certificates
    certificates.issue(first, ctx=_ctx(services, "certifier", T0 + 2 * MINUTE))
    certificates.issue(second, ctx=_ctx(services, "certifier", T0 + 3 * MINUTE))
    draft = certificates.draft(
        assessed(services, at=T0 + 4 * MINUTE, runs=(passed_run(services),)).id,
        CertificateKind.TREATMENT,
        ctx=_ctx(services, "declarant", T0 + 4 * MINUTE),
    )

    by_number = certificates.find(number="p000002")
    assert [c.id for c in by_number.items] == [second] and by_number.total == 1
    treatment = certificates.find(kind=CertificateKind.TREATMENT)
    assert [c.id for c in treatment.items] == [draft.id] and treatment.total == 1
    assert certificates.find(kind=CertificateKind.TREATMENT, number="GZ").total == 0
    phyto = certificates.find(kind=CertificateKind.PHYTOSANITARY, number="gz26")
    assert sorted(c.id for c in phyto.items) == sorted([first, second]) and phyto.total == 2
