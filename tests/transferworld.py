"""A certified, transferred consignment, made through the use cases: E1's consignment declared
with a port of exit, assessed conforming, its phytosanitary certificate issued by GZ (which
makes the transfer); the port office PXMN (Xiamen, ports.json: an office and a receiver) and
its port officer ``port_xm`` (password accountsworld.PASSWORD)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from acting import ctx_at, ctx_of
from certworld import T0, declaration, passed_run, person
from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import ROLE_ACTIONS, Principal, Role
from phytowatch.domain.certificates.model import Certificate, CertificateKind
from phytowatch.domain.supervision.consignment import Consignment
from phytowatch.domain.transfers.model import Transfer
from phytowatch.services.accounts import add_office, add_user
from phytowatch.services.supervision.assessment import InspectionForm, record_inspection
from phytowatch.services.supervision.declare import DeclarationService

PASSWORD = "correct horse battery staple"


def port_office(services: Services, code: str = "PXMN", login: str = "port_xm") -> None:
    if services.accounts.office(code) is None:
        add_office(
            services.accounts, services.audit, code=code, name="厦门口岸", cities=["厦门"],
            ctx=ctx_at(T0, "test"),
        )  # fmt: skip
    if services.accounts.user_by_login(login) is None:
        add_user(
            services.accounts, services.audit, login=login, name="Port Xiamen",
            role="port_officer", password=PASSWORD, enterprise=None, office=code, cost=10,
            ctx=ctx_at(T0, "test"),
        )  # fmt: skip


def port_officer(services: Services, login: str = "port_xm") -> Principal:
    user = services.accounts.user_by_login(login)
    assert user is not None
    return Principal(
        "user", f"user:{login}", ROLE_ACTIONS[Role.PORT_OFFICER], Role.PORT_OFFICER,
        user_id=user.id, login=login, office=user.office,
    )  # fmt: skip


def assessed_to(services: Services, port: str, *, at: int = T0) -> Consignment:
    """E1's consignment to ``port``, assessed conforming by GZ."""
    declarant = ctx_of(person(services, "declarant"), at)
    declare = DeclarationService.of(services)
    content = replace(declaration((passed_run(services, at=at),)), port_of_exit=port)
    content = replace(content, declared_value=Decimal("10000"), currency="USD")
    made = declare.create(content, ctx=declarant)
    submitted = declare.submit(made.id, ctx=declarant).consignment
    if submitted.state.value == "routed":
        record_inspection(
            services.consignments, services.assessments, services.audit, made.id,
            InspectionForm("5 of 40 pallets", (), "", "none", (), "conforming", "", ""),
            ctx=ctx_of(person(services, "inspector"), at + 1),
        )  # fmt: skip
    found = services.consignments.consignment(made.id)
    assert found is not None and found.state.value == "assessed", found
    return found


def approved(services: Services, consignment: Consignment, *, at: int) -> int:
    certificates = services.certificates
    if not certificates.keys("GZ"):
        certificates.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    draft = certificates.draft(
        consignment.id, CertificateKind.PHYTOSANITARY,
        ctx=ctx_of(person(services, "declarant"), at + 10),
    )  # fmt: skip
    certificates.submit(draft.id, ctx=ctx_of(person(services, "declarant"), at + 11))
    certificates.approve(draft.id, ctx=ctx_of(person(services, "certifier"), at + 12))
    return draft.id


def transferred(
    services: Services, port: str = "CNXMN", *, at: int = T0
) -> tuple[Transfer, Certificate]:
    port_office(services)
    consignment = assessed_to(services, port, at=at)
    draft = approved(services, consignment, at=at)
    issued = services.certificates.issue(draft, ctx=ctx_of(person(services, "certifier"), at + 13))
    made = services.transfers.of_consignment(consignment.id)
    assert made is not None
    return made, issued
