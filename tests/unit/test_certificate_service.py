"""The certificates' lifecycle (services/certificates) on the in-memory stores: who may do what,
from which states, what a draft is filled with, what issuing signs and numbers, prints, keys and
numbering patterns."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from acting import ctx_at, ctx_of
from fakes import (
    InMemoryAuditRecorder,
    InMemoryCertificateStore,
    InMemoryConsignmentLookup,
    InMemoryOfficeDirectory,
    InMemoryTreatmentSource,
    KeyedHashSigner,
)
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Office, Principal, Role
from phytowatch.domain.certificates.model import (
    CertificateKind,
    CertificateState,
    ReexportDetails,
    TreatmentStatement,
)
from phytowatch.domain.messages import Code, Kind
from phytowatch.domain.schedule import Confidence
from phytowatch.domain.supervision.assessment import Assessment, AssessmentKind, Conformity
from phytowatch.domain.supervision.consignment import (
    Consignment,
    ConsignmentState,
    Declaration,
    Line,
    Party,
)
from phytowatch.domain.supervision.policy import DestinationRequirement
from phytowatch.services.certificates.lifecycle import CertificateService
from phytowatch.services.certificates.rules import FieldsRefused
from refusals import refused

S = CertificateState
T0 = 1_772_361_600_000_000
GZ = Jurisdiction(cities=frozenset({"赣州"}))
DECLARANT = Principal(
    "user", "user:dec", ROLE_ACTIONS[Role.ENTERPRISE_DECLARANT], Role.ENTERPRISE_DECLARANT,
    user_id=1, login="dec", enterprise="E1",
)  # fmt: skip
OTHER_DECLARANT = replace(DECLARANT, actor="user:dec2", login="dec2", enterprise="E2")
OFFICER = Principal(
    "user", "user:wang", ROLE_ACTIONS[Role.CERTIFYING_OFFICER], Role.CERTIFYING_OFFICER,
    user_id=2, login="wang", office="GZ", jurisdiction=GZ,
)  # fmt: skip
NC_OFFICER = replace(
    OFFICER, actor="user:nc", login="nc", office="NC",
    jurisdiction=Jurisdiction(cities=frozenset({"南昌"})),
)  # fmt: skip
SAME_CITY_OTHER_OFFICE = replace(OFFICER, actor="user:zz", login="zz", office="ZZ")
BOX = TreatmentStatement(7, "ispm15-ht", "2026-03-01", "heat treatment", "56 °C core for 30 min")
AD = "The wood was heat treated in accordance with ISPM 15."


def _declaration(runs: tuple[int, ...] = (7,)) -> Declaration:
    return Declaration(
        exporter=Party("Ganzhou Wood", "1 Road"),
        consignee=Party("Lim", "Singapore"),
        lines=(
            Line("wood-packaging", "Pinus massoniana", Decimal("1200.0"), "kg", 40, "pallets"),
            Line("wood-packaging", "Pinus elliottii", Decimal("300"), "kg", 10, "pallets"),
        ),
        destination="SG",
        port_of_exit="CNNCH",
        conveyance="truck",
        marks="LIM",
        containers=("MSCU1234566",),
        bases=(),
        runs=runs,
    )


class Assessments:
    def __init__(self) -> None:
        self.rows: dict[int, Assessment] = {}

    def assessment_of(self, consignment_id: int) -> Assessment | None:
        return self.rows.get(consignment_id)


@dataclasses.dataclass
class World:
    service: CertificateService
    store: InMemoryCertificateStore
    consignments: InMemoryConsignmentLookup
    assessments: Assessments
    audit: InMemoryAuditRecorder
    signer: KeyedHashSigner


def _world(passphrase: str | None = None) -> World:
    store, consignments, assessments = (
        InMemoryCertificateStore(), InMemoryConsignmentLookup(), Assessments(),
    )  # fmt: skip
    audit, signer = InMemoryAuditRecorder(), KeyedHashSigner()
    requirement = DestinationRequirement(
        "*", "wood-packaging", ("ispm15-ht",), (AD,), "ISPM 15", Confidence.CHECKED
    )
    policy: Any = SimpleNamespace(policy=lambda: SimpleNamespace(destinations=(requirement,)))
    offices = InMemoryOfficeDirectory(
        Office("GZ", "赣州海关", GZ),
        Office("ZZ", "Province", Jurisdiction(everywhere=True)),
        Office("NC", "南昌海关", Jurisdiction(cities=frozenset({"南昌"}))),
    )
    service = CertificateService(
        store, signer=signer, consignments=consignments, assessments=assessments, policy=policy,
        treatments=InMemoryTreatmentSource({7: BOX}), offices=offices, audit=audit,
        passphrase=passphrase,
    )  # fmt: skip
    return World(service, store, consignments, assessments, audit, signer)


def _consignment(
    world: World,
    state: ConsignmentState = ConsignmentState.ASSESSED,
    conformity: Conformity = Conformity.CONFORMING,
    runs: tuple[int, ...] = (7,),
) -> Consignment:
    cid = len(world.consignments.consignments) + 1
    found = Consignment(cid, f"CD2026-{cid:06d}", "E1", "赣州", state, 1, T0, "user:dec")
    world.consignments.add(found, _declaration(runs))
    world.assessments.rows[cid] = Assessment(
        cid, 1, AssessmentKind.INSPECTION, conformity, None, "all", (), "", "", (), "", {},
        "user:li", "GZ", T0,
    )  # fmt: skip
    return found


def _approved(world: World, kind: CertificateKind = CertificateKind.PHYTOSANITARY) -> int:
    consignment = _consignment(world)
    draft = world.service.draft(consignment.id, kind, ctx=ctx_of(DECLARANT, T0))
    world.service.submit(draft.id, ctx=ctx_of(DECLARANT, T0 + 1))
    world.service.approve(draft.id, ctx=ctx_of(OFFICER, T0 + 2))
    return draft.id


def test_a_draft_is_filled_from_the_declaration_the_requirement_and_the_runs() -> None:
    world = _world()
    consignment = _consignment(world)
    draft = world.service.draft(
        consignment.id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(DECLARANT, T0)
    )
    content = draft.content
    assert draft.state is S.DRAFT and draft.office == "GZ"  # the city's office over "everywhere"
    assert content.consignment == "CD2026-000001" and content.exporter.name == "Ganzhou Wood"
    assert [line.quantity for line in content.lines] == ["1200 kg", "300 kg"]
    assert content.packages == "50 pallets"
    assert content.additional_declaration == AD
    assert content.treatments == (BOX,)
    assert content.containers == ("MSCU1234566",)
    assert world.audit.entries[-1]["action"] == "certificate.drafted"
    assert world.audit.entries[-1]["in_unit"]


@pytest.mark.parametrize(
    ("state", "conformity"),
    [
        (ConsignmentState.ROUTED, Conformity.CONFORMING),
        (ConsignmentState.ASSESSED, Conformity.NOT_CONFORMING),
        (ConsignmentState.REJECTED, Conformity.CONFORMING),
    ],
)
def test_only_a_consignment_assessed_conforming_may_have_a_certificate(
    state: ConsignmentState, conformity: Conformity
) -> None:
    world = _world()
    consignment = _consignment(world, state, conformity)
    with refused(Code.CERT_NOT_CERTIFIABLE, Kind.CONFLICT):
        world.service.draft(
            consignment.id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(DECLARANT, T0)
        )


def test_only_the_enterprise_declarant_drafts_and_others_do_not_see_the_consignment() -> None:
    world = _world()
    consignment = _consignment(world)
    with refused(Code.NO_CONSIGNMENT, Kind.NOT_FOUND):
        world.service.draft(
            consignment.id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(OTHER_DECLARANT, T0)
        )
    with refused(Code.CERT_APPLICANT_ONLY, Kind.FORBIDDEN):
        world.service.draft(consignment.id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(OFFICER, T0))


def test_a_treatment_certificate_needs_a_signed_off_passed_run_and_a_reexport_its_box() -> None:
    world = _world()
    bare = _consignment(world, runs=())
    with refused(Code.CERT_NO_TREATMENT, Kind.CONFLICT):
        world.service.draft(bare.id, CertificateKind.TREATMENT, ctx=ctx_of(DECLARANT, T0))
    with pytest.raises(FieldsRefused) as missing:
        world.service.draft(bare.id, CertificateKind.REEXPORT, ctx=ctx_of(DECLARANT, T0))
    assert [name for name, _ in missing.value.wrong] == ["reexport"]
    with pytest.raises(FieldsRefused) as wrong:
        world.service.draft(
            bare.id, CertificateKind.REEXPORT, ctx=ctx_of(DECLARANT, T0),
            reexport=ReexportDetails("China", ""),
        )  # fmt: skip
    assert [name for name, _ in wrong.value.wrong] == [
        "reexport.origin_country", "reexport.original_certificate",
    ]  # fmt: skip
    made = world.service.draft(
        bare.id, CertificateKind.REEXPORT, ctx=ctx_of(DECLARANT, T0),
        reexport=ReexportDetails("vn", "VN-2026-1"),
    )  # fmt: skip
    assert made.content.reexport == ReexportDetails("VN", "VN-2026-1")


def test_an_edit_is_a_new_revision_of_the_free_fields_only() -> None:
    world = _world()
    draft = world.service.draft(
        _consignment(world).id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(DECLARANT, T0)
    )
    with pytest.raises(FieldsRefused) as fixed:
        world.service.edit(
            draft.id, {"treatments": [], "lines": [], "marks": 7}, ctx=ctx_of(DECLARANT, T0)
        )
    assert [name for name, _ in fixed.value.wrong] == ["treatments", "lines", "marks"]
    assert fixed.value.wrong[0][1].code is Code.CERT_FIELD_FIXED
    edited = world.service.edit(draft.id, {"marks": "LIM 1-50"}, ctx=ctx_of(DECLARANT, T0 + 1))
    assert edited.revision == 2 and edited.content.marks == "LIM 1-50"
    assert edited.content.treatments == (BOX,)
    world.service.submit(draft.id, ctx=ctx_of(DECLARANT, T0 + 2))
    with refused(Code.CERT_STATE, Kind.CONFLICT):
        world.service.edit(draft.id, {"marks": "late"}, ctx=ctx_of(DECLARANT, T0 + 3))


def test_only_a_certifying_officer_of_the_certificates_office_decides() -> None:
    world = _world()
    draft = world.service.draft(
        _consignment(world).id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(DECLARANT, T0)
    )
    world.service.submit(draft.id, ctx=ctx_of(DECLARANT, T0 + 1))
    with refused(Code.CERT_NOT_FOUND, Kind.NOT_FOUND):
        world.service.approve(draft.id, ctx=ctx_of(NC_OFFICER, T0 + 2))
    with refused(Code.CERT_CERTIFIER_ONLY, Kind.FORBIDDEN):
        world.service.approve(draft.id, ctx=ctx_of(SAME_CITY_OTHER_OFFICE, T0 + 2))
    with refused(Code.CERT_CERTIFIER_ONLY, Kind.FORBIDDEN):
        world.service.approve(draft.id, ctx=ctx_of(DECLARANT, T0 + 2))
    with pytest.raises(FieldsRefused):
        world.service.send_back(draft.id, " ", ctx=ctx_of(OFFICER, T0 + 2))
    back = world.service.send_back(draft.id, "marks", ctx=ctx_of(OFFICER, T0 + 3))
    assert back.state is S.RETURNED
    assert world.store.history(draft.id)[-1].detail == {"code": "text", "params": {"text": "marks"}}


def test_issuing_numbers_signs_and_certifies_the_consignment_once() -> None:
    world = _world()
    world.service.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    first = world.service.issue(_approved(world), ctx=ctx_of(OFFICER, T0 + 3))
    assert first.issue is not None and first.issue.number == "GZ26P000001"
    assert first.issue.officer == "wang" and first.issue.place_of_issue == "赣州海关"
    assert world.service.check_signature(first).valid
    consignment_id = first.consignment_id
    assert consignment_id is not None
    moved = world.consignments.consignment(consignment_id)
    assert moved is not None and moved.state is ConsignmentState.CERTIFIED
    treatment = world.service.draft(
        consignment_id, CertificateKind.TREATMENT, ctx=ctx_of(DECLARANT, T0 + 4)
    )
    world.service.submit(treatment.id, ctx=ctx_of(DECLARANT, T0 + 5))
    world.service.approve(treatment.id, ctx=ctx_of(OFFICER, T0 + 6))
    second = world.service.issue(treatment.id, ctx=ctx_of(OFFICER, T0 + 7))
    assert second.issue is not None and second.issue.number == "GZ26T000002"
    assert [e.step.value for e in world.consignments.timeline] == ["certified"]
    issued = [e for e in world.audit.entries if e["action"] == "certificate.issued"]
    assert len(issued) == 2 and all(e["in_unit"] for e in issued)
    with refused(Code.CERT_STATE, Kind.CONFLICT):
        world.service.issue(treatment.id, ctx=ctx_of(OFFICER, T0 + 8))


def test_a_changed_stored_record_no_longer_verifies() -> None:
    world = _world()
    world.service.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    issued = world.service.issue(_approved(world), ctx=ctx_of(OFFICER, T0 + 3))
    forged = replace(issued, content=replace(issued.content, destination="US"))
    check = world.service.check_signature(forged)
    assert not check.valid and not check.hash_matches and check.key_known
    assert issued.issue is not None
    unknown = replace(issued, issue=replace(issued.issue, key_id="0" * 16))
    assert not world.service.check_signature(unknown).key_known


def test_without_a_key_or_with_the_wrong_passphrase_nothing_is_issued() -> None:
    world = _world(passphrase="right")
    certificate_id = _approved(world)
    with refused(Code.CERT_NO_KEY, Kind.CONFLICT) as caught:
        world.service.issue(certificate_id, ctx=ctx_of(OFFICER, T0 + 3))
    assert caught.value.message.params["command"] == (
        "phytowatch certificates keys create --office GZ"
    )
    world.service.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    world.service.passphrase = "wrong"
    with refused(Code.CERT_KEY_LOCKED, Kind.UNAVAILABLE):
        world.service.issue(certificate_id, ctx=ctx_of(OFFICER, T0 + 4))
    still = world.service.certificate(certificate_id)
    assert still is not None and still.state is S.APPROVED and still.issue is None


def test_the_original_prints_once_and_every_other_print_is_a_copy() -> None:
    world = _world()
    world.service.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    certificate_id = _approved(world)
    with refused(Code.CERT_STATE, Kind.CONFLICT):
        world.service.record_print(certificate_id, ctx=ctx_of(OFFICER, T0 + 3))
    world.service.issue(certificate_id, ctx=ctx_of(OFFICER, T0 + 3))
    theirs = world.service.record_print(certificate_id, ctx=ctx_of(DECLARANT, T0 + 4))
    original = world.service.record_print(certificate_id, ctx=ctx_of(OFFICER, T0 + 5))
    again = world.service.record_print(certificate_id, ctx=ctx_of(OFFICER, T0 + 6))
    assert (theirs.copy, original.copy, again.copy) == (True, False, True)
    printed = world.service.certificate(certificate_id)
    assert printed is not None and printed.state is S.PRINTED


def test_a_replacement_moves_the_old_one_to_replaced_only_when_it_is_issued() -> None:
    world = _world()
    world.service.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    old_id = _approved(world)
    with refused(Code.CERT_STATE, Kind.CONFLICT):
        world.service.replace(old_id, "wrong", {}, ctx=ctx_of(DECLARANT, T0 + 3))
    world.service.issue(old_id, ctx=ctx_of(OFFICER, T0 + 3))
    new = world.service.replace(
        old_id, "wrong consignee", {"remarks": "replaces"}, ctx=ctx_of(DECLARANT, T0 + 4)
    )
    old = world.service.certificate(old_id)
    assert old is not None and old.state is S.ISSUED and old.replaced_by is None
    world.service.submit(new.id, ctx=ctx_of(DECLARANT, T0 + 5))
    world.service.approve(new.id, ctx=ctx_of(OFFICER, T0 + 6))
    world.service.issue(new.id, ctx=ctx_of(OFFICER, T0 + 7))
    old = world.service.certificate(old_id)
    assert old is not None and old.state is S.REPLACED and old.replaced_by == new.id
    with refused(Code.CERT_STATE, Kind.CONFLICT):
        world.service.cancel(old_id, "too late", ctx=ctx_of(OFFICER, T0 + 8))


def test_keys_and_numbering_patterns_are_the_administrators() -> None:
    world = _world()
    with refused(Code.CERT_ADMIN_ONLY, Kind.FORBIDDEN):
        world.service.create_key("GZ", ctx=ctx_of(OFFICER, T0))
    with refused(Code.NO_OFFICE, Kind.NOT_FOUND):
        world.service.create_key("XX", ctx=ctx_at(T0, "cli:ops"))
    with refused(Code.CERT_PATTERN_NEEDS, Kind.INVALID):
        world.service.set_number_pattern("GZ", "{office}{seq}", ctx=ctx_at(T0, "cli:ops"))
    assert world.service.number_pattern("GZ") == "{office}{yy}{kind}{seq:06d}"
    world.service.set_number_pattern("GZ", "{office}-{yyyy}-{seq:04d}", ctx=ctx_at(T0, "cli:ops"))
    world.service.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    issued = world.service.issue(_approved(world), ctx=ctx_of(OFFICER, T0 + 3))
    assert issued.issue is not None and issued.issue.number == "GZ-2026-0001"
    actions = [e["action"] for e in world.audit.entries]
    assert "number_pattern.set" in actions and "office_key.created" in actions
