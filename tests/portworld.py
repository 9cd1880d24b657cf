"""The port's starting point on the accounts world: E1's consignment to Singapore by Shanghai,
assessed, certified (GZ) and transferred to the port office PSHA, taken there; and PSHA's port
officer as a principal."""

from __future__ import annotations

from dataclasses import replace

from acting import ctx_at, ctx_of
from certworld import T0, passed_run, person
from certworld import declaration as declared
from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
from phytowatch.domain.certificates.model import CertificateKind
from phytowatch.domain.transfers.model import Transfer
from phytowatch.services.port.ports import CheckForm
from phytowatch.services.supervision.assessment import InspectionForm, record_inspection
from phytowatch.services.supervision.declare import DeclarationService
from phytowatch.storage.transfers.repo import SqlTransferStore

PSHA = Principal(
    "user", "user:port_sha", ROLE_ACTIONS[Role.PORT_OFFICER], Role.PORT_OFFICER,
    user_id=99, login="port_sha", office="PSHA",
    jurisdiction=Jurisdiction(cities=frozenset({"上海"})),
)  # fmt: skip
YES = CheckForm("yes", "yes", "yes", "seals 1-4 intact")


def transferred(services: Services, at: int = T0, *, take: bool = True) -> Transfer:
    """E1's consignment to Singapore by Shanghai, assessed, certified and transferred to PSHA
    (taken there when ``take``)."""
    declarant = ctx_of(person(services, "declarant"), at)
    declare = DeclarationService.of(services)
    made = declare.create(
        replace(declared((passed_run(services, at=at),)), port_of_exit="CNSHA"), ctx=declarant
    )
    if declare.submit(made.id, ctx=declarant).consignment.state.value == "routed":
        record_inspection(
            services.consignments, services.assessments, services.audit, made.id,
            InspectionForm("5 of 40 pallets", (), "", "none", (), "conforming", "", ""),
            ctx=ctx_of(person(services, "inspector"), at + 1),
        )  # fmt: skip
    certificates = services.certificates
    if not certificates.keys("GZ"):
        certificates.create_key("GZ", ctx=ctx_at(at, "cli:ops"))
    draft = certificates.draft(
        made.id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(person(services, "declarant"), at + 2)
    )
    certificates.submit(draft.id, ctx=ctx_of(person(services, "declarant"), at + 3))
    certifier = ctx_of(person(services, "certifier"), at + 4)
    certificates.approve(draft.id, ctx=certifier)
    certificates.issue(draft.id, ctx=certifier)
    transfer = services.transfers.of_consignment(made.id)
    assert transfer is not None and transfer.port_office == "PSHA", transfer
    if take:
        SqlTransferStore(services.engine).add_retrieval(
            transfer.id, "PSHA", "127.0.0.1", at=at + 5, actor=PSHA.actor
        )
    found = services.transfers.transfer(transfer.id)
    assert found is not None
    return found
