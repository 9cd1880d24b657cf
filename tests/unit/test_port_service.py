"""Step 6 on the in-memory stores: the draw (reproducible, its ratio over many draws, the key
list), the check form, hold, release and every refusal of release."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from acting import ctx_at, ctx_of
from fakes import InMemoryAuditRecorder, InMemoryConsignmentLookup, InMemoryStandingLookup
from fakes.certificate_service import content_of
from fakes.port import (
    InMemoryCertificateReads,
    InMemoryPortStore,
    InMemoryPortTransfers,
    InMemoryRoutes,
)
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateKind,
    CertificateState,
    Issue,
)
from phytowatch.domain.messages import Code, Kind
from phytowatch.domain.supervision.consignment import (
    Consignment,
    ConsignmentState,
    Step,
)
from phytowatch.domain.supervision.policy import RouteOutcome, SupervisionMode
from phytowatch.domain.supervision.registry import EnterpriseStanding
from phytowatch.domain.supervision.routing import Route, sampling_draw
from phytowatch.domain.transfers.model import (
    CERTIFICATE_CANCELLED,
    CERTIFICATE_REPLACED,
    Amendment,
    Transfer,
)
from phytowatch.domain.transfers.release import clearance_number, decide_draw, seed_of
from phytowatch.rules import load_shipped
from phytowatch.services.context import Context, acting_as
from phytowatch.services.port.ports import CheckForm
from phytowatch.services.port.release import PortService
from phytowatch.services.supervision.assessment import FieldsRefused
from refusals import refused

T0 = 1_772_361_600_000_000  # 2026-03-01 UTC
POLICY = load_shipped()
PORT_OFFICER = Principal(
    "user", "user:port", ROLE_ACTIONS[Role.PORT_OFFICER], Role.PORT_OFFICER,
    user_id=9, login="port", office="PSHA", jurisdiction=Jurisdiction(everywhere=True),
)  # fmt: skip
OTHER_PORT = replace(PORT_OFFICER, actor="user:ngb", login="ngb", office="PNGB")
KEY = b"k" * 32
YES = CheckForm("yes", "yes", "yes", "all as declared")


class _Policy:
    def policy(self):  # type: ignore[no-untyped-def]
        return POLICY


class World:
    def __init__(self) -> None:
        self.store = InMemoryPortStore()
        self.transfers = InMemoryPortTransfers()
        self.certificates = InMemoryCertificateReads()
        self.consignments = InMemoryConsignmentLookup()
        self.routes = InMemoryRoutes(KEY)
        self.standing = InMemoryStandingLookup()
        self.audit = InMemoryAuditRecorder()
        self.service = PortService(
            self.store,
            transfers=self.transfers,
            certificates=self.certificates,
            consignments=self.consignments,
            routes=self.routes,
            standing=self.standing,
            policy=_Policy(),
            audit=self.audit,
        )

    def certificate(self, cid: int, number: str, state: CertificateState, **more: object) -> None:
        issue = Issue(cid, number, "GZ", "赣州", T0, "王", "user:wang", "k", "h", "s", f"t{cid}",
                      "C", "p")  # fmt: skip
        self.certificates.add(
            Certificate(
                cid, CertificateKind.PHYTOSANITARY, 1, "GZ", "E1", "赣州", state, 1,
                content_of("CD2026-000001"), T0, "user:dec", issue=issue, **more,  # type: ignore[arg-type]
            )
        )  # fmt: skip

    def transfer(
        self,
        tid: int = 1,
        *,
        mode: SupervisionMode = SupervisionMode.GENERAL,
        electronic: bool = True,
        retrieved: bool = True,
        certificates: tuple[str, ...] = ("GZ2026P000001",),
        enterprise: str = "E1",
    ) -> Transfer:
        number = f"TR2026{tid:06d}"
        self.consignments.consignments[tid] = Consignment(
            tid, f"CD2026-{tid:06d}", enterprise, "赣州", ConsignmentState.TRANSFERRED, 1, T0,
            "user:dec",
        )  # fmt: skip
        self.routes.rows[tid] = [
            Route(tid, 1, RouteOutcome.DOCUMENTS, mode, Decimal("0.05"), Decimal("0.5"), "r1", (),
                  {}, T0)
        ]  # fmt: skip
        return self.transfers.add(
            Transfer(
                id=tid, number=number, consignment_id=tid, consignment_number=f"CD2026-{tid:06d}",
                enterprise=enterprise, city="赣州", origin_office="GZ", port="CNSHA",
                port_office="PSHA" if electronic else "", electronic=electronic,
                receiver="", certificates=certificates, created_at=T0, created_by="user:wang",
                retrieved_at=T0 + 10 if retrieved else None,
                retrieved_by="user:port" if retrieved else "",
            )
        )  # fmt: skip

    def drawn_checked(self, tid: int) -> Transfer:
        """A transfer whose draw (made here, as the service would) says check."""
        made = self.transfer(tid, enterprise="KEY")
        self.standing.standings["KEY"] = EnterpriseStanding("KEY", "s", "1", True, True, T0, "x")
        return made


def test_a_draw_is_reproducible_from_its_recorded_inputs() -> None:
    world = World()
    transfer = world.transfer()
    made = world.service.draw(transfer, ctx=ctx_of(PORT_OFFICER, T0 + 20))
    assert made.seed == seed_of(transfer.number)
    assert made.policy_version == POLICY.ports.version
    assert made.ratio == POLICY.ports.check_ratios[SupervisionMode.GENERAL]
    assert made.confidence == "C2"
    assert made.draw == sampling_draw(KEY, made.seed, made.policy_version)
    assert made.checked is (made.draw < made.ratio)
    # made once: a second look gives the same draw, and only one audit entry
    again = world.service.draw(transfer, ctx=ctx_of(PORT_OFFICER, T0 + 30))
    assert again == made
    drawn = [e for e in world.audit.entries if e["action"] == "port.drawn"]
    assert len(drawn) == 1 and drawn[0]["in_unit"]
    assert drawn[0]["after"]["draw"] == str(made.draw)


def test_the_share_drawn_over_many_batches_is_the_ratio_within_tolerance() -> None:
    ratio = Decimal("0.03")
    n = 20_000
    checked = sum(
        decide_draw(
            KEY, transfer_number=f"TR{i}", policy_version="2026.1", ratio=ratio,
            key_listed=False, check_key_list=True,
        )[0]
        for i in range(n)
    )  # fmt: skip
    # binomial sd = sqrt(0.03*0.97/20000) ≈ 0.0012: four sd
    assert abs(checked / n - 0.03) < 0.005


def test_every_batch_of_a_key_list_enterprise_is_checked_when_the_policy_says_so() -> None:
    checked, because, _, _ = decide_draw(
        KEY, transfer_number="TR1", policy_version="v", ratio=Decimal(0),
        key_listed=True, check_key_list=True,
    )  # fmt: skip
    assert checked and because
    checked, because, _, _ = decide_draw(
        KEY, transfer_number="TR1", policy_version="v", ratio=Decimal(0),
        key_listed=True, check_key_list=False,
    )  # fmt: skip
    assert not checked and not because


def test_release_numbers_the_clearance_and_moves_the_consignment() -> None:
    world = World()
    world.certificate(1, "GZ2026P000001", CertificateState.ISSUED)
    transfer = world.transfer()
    world.routes.key = KEY
    drawn = world.service.draw(transfer, ctx=ctx_of(PORT_OFFICER, T0 + 20))
    if drawn.checked:
        world.service.check(transfer.number, YES, ctx=ctx_of(PORT_OFFICER, T0 + 25))
    made = world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 30))
    assert made.number == clearance_number("PSHA", 2026, 1) == "PSHA-2026-TG000001"
    assert world.consignments.consignments[1].state is ConsignmentState.RELEASED
    entry = world.consignments.timeline[-1]
    assert entry.step is Step.RELEASED
    assert entry.detail["params"]["clearance"] == made.number  # type: ignore[index]
    released = [e for e in world.audit.entries if e["action"] == "port.released"]
    assert released and released[0]["in_unit"]
    with refused(Code.PORT_RELEASED_ALREADY, Kind.CONFLICT):
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 40))
    second = world.transfer(2)
    world.store.draws[2] = replace(drawn, transfer_id=2, checked=False)
    assert world.service.release(second.number, ctx=ctx_of(PORT_OFFICER, T0 + 50)).sequence == 2


def test_a_drawn_batch_needs_a_conforming_check_before_release() -> None:
    world = World()
    transfer = world.drawn_checked(1)
    assert world.service.draw(transfer, ctx=ctx_of(PORT_OFFICER, T0 + 20)).key_list
    with refused(Code.PORT_CHECK_OWED, Kind.CONFLICT):
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 21))
    bad = world.service.check(
        transfer.number, CheckForm("no", "yes", "yes", "seal 3 broken"),
        ctx=ctx_of(PORT_OFFICER, T0 + 22),
    )  # fmt: skip
    assert not bad.conforming
    with refused(Code.PORT_CHECK_OWED):
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 23))
    world.service.check(transfer.number, YES, ctx=ctx_of(PORT_OFFICER, T0 + 24))
    made = world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 25))
    assert made.check_id == 2


def test_a_held_batch_is_released_only_after_a_conforming_check() -> None:
    world = World()
    transfer = world.transfer()
    reason = "  container count differs "
    world.service.hold(transfer.number, reason, ctx=ctx_of(PORT_OFFICER, T0 + 20))
    view = world.service.view(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 21))
    assert view.held and view.holds[0].reason == "container count differs"
    with refused(Code.PORT_HELD, Kind.CONFLICT) as caught:
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 22))
    assert caught.value.message.params["reason"] == "container count differs"
    world.service.check(transfer.number, YES, ctx=ctx_of(PORT_OFFICER, T0 + 23))
    assert not world.service.view(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 24)).held
    assert world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 25)).number


CLI_AT_PSHA = Context(acting_as("cli:operator", kind="cli"), T0)


def test_release_of_a_paper_transfer_is_refused() -> None:
    world = World()
    transfer = world.transfer(electronic=False)
    # the operator who names the port office is told why; a port officer finds no such transfer
    # (a paper one is no port office's)
    with refused(Code.PORT_PAPER_TRANSFER, Kind.CONFLICT):
        world.service.release(transfer.number, ctx=CLI_AT_PSHA, office="PSHA")
    with refused(Code.PORT_UNKNOWN_TRANSFER, Kind.NOT_FOUND):
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0))


def test_release_without_a_transfer_is_refused() -> None:
    with refused(Code.PORT_UNKNOWN_TRANSFER, Kind.NOT_FOUND):
        World().service.release("TR-NONE", ctx=ctx_of(PORT_OFFICER, T0))


def test_release_of_a_transfer_not_yet_taken_is_refused() -> None:
    world = World()
    transfer = world.transfer(retrieved=False)
    with refused(Code.PORT_NOT_TAKEN, Kind.CONFLICT):
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0))


def test_another_port_office_may_not_release_it() -> None:
    world = World()
    transfer = world.transfer()
    # a port officer of another office: not found, as a number that does not exist
    with refused(Code.PORT_UNKNOWN_TRANSFER, Kind.NOT_FOUND):
        world.service.release(transfer.number, ctx=ctx_of(OTHER_PORT, T0))
    # the operator naming another office is told which office took it
    with refused(Code.PORT_OTHER_OFFICE, Kind.FORBIDDEN) as caught:
        world.service.release(transfer.number, ctx=CLI_AT_PSHA, office="PNGB")
    assert caught.value.message.params == {
        "transfer": transfer.number, "taken": "PSHA", "office": "PNGB"
    }  # fmt: skip


def test_release_with_a_cancelled_certificate_is_refused_naming_it() -> None:
    world = World()
    world.certificate(1, "GZ2026P000001", CertificateState.CANCELLED)
    transfer = world.transfer()
    with refused(Code.PORT_CERT_CANCELLED, Kind.CONFLICT) as caught:
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0))
    assert caught.value.message.params["certificate"] == "GZ2026P000001"


def test_release_with_a_replaced_certificate_is_refused_naming_the_new_number() -> None:
    world = World()
    world.certificate(2, "GZ2026P000002", CertificateState.ISSUED)
    world.certificate(1, "GZ2026P000001", CertificateState.REPLACED, replaced_by=2)
    transfer = world.transfer()
    with refused(Code.PORT_CERT_REPLACED, Kind.CONFLICT) as caught:
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0))
    assert caught.value.message.params["replacement"] == "GZ2026P000002"
    assert world.consignments.consignments[1].state is ConsignmentState.TRANSFERRED


def test_a_certificate_replaced_after_the_port_took_it_needs_a_check_against_the_new_one() -> None:
    world = World()
    world.certificate(2, "GZ2026P000002", CertificateState.ISSUED)
    transfer = world.transfer(certificates=("GZ2026P000002",))  # as amended: carries the new one
    world.transfers.changes.append(
        Amendment(1, 1, CERTIFICATE_REPLACED, "GZ2026P000001", "GZ2026P000002", {}, T0 + 15, "x")
    )
    with refused(Code.PORT_CERT_REPLACED, Kind.CONFLICT) as caught:
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 20))
    assert caught.value.message.params["certificate"] == "GZ2026P000001"
    assert caught.value.message.params["replacement"] == "GZ2026P000002"
    world.service.check(transfer.number, YES, ctx=ctx_of(PORT_OFFICER, T0 + 30))
    made = world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 31))
    assert made.certificates == ("GZ2026P000002",)


def test_a_transfer_whose_every_certificate_was_cancelled_is_not_released() -> None:
    world = World()
    transfer = world.transfer(certificates=())
    world.transfers.changes.append(
        Amendment(1, 1, CERTIFICATE_CANCELLED, "GZ2026P000001", None, {}, T0 + 15, "x")
    )
    with refused(Code.PORT_CERT_CANCELLED, Kind.CONFLICT) as caught:
        world.service.release(transfer.number, ctx=ctx_of(PORT_OFFICER, T0 + 20))
    assert caught.value.message.params["certificate"] == "GZ2026P000001"


def test_who_may_act_and_for_which_office() -> None:
    world = World()
    transfer = world.transfer()
    with refused(Code.PORT_UNKNOWN_TRANSFER, Kind.NOT_FOUND):
        world.service.view(transfer.number, ctx=ctx_of(OTHER_PORT, T0))
    assert world.store.draws == {}  # another office's look draws nothing
    declarant = Principal(
        "user", "user:dec", ROLE_ACTIONS[Role.ENTERPRISE_DECLARANT], Role.ENTERPRISE_DECLARANT,
        enterprise="E1",
    )  # fmt: skip
    with refused(Code.PORT_NO_OFFICE, Kind.FORBIDDEN):
        world.service.release(transfer.number, ctx=ctx_of(declarant, T0))
    with refused(Code.PORT_OFFICE_NEEDED, Kind.INVALID):
        world.service.queue(ctx=ctx_at(T0, "cli:ops"))
    queue = world.service.queue(ctx=ctx_at(T0, "cli:ops"), office="PSHA")
    assert [v.transfer.number for v in queue] == [transfer.number]
    assert queue[0].draw is not None


def test_the_check_form_names_every_wrong_field() -> None:
    world = World()
    transfer = world.transfer()
    with pytest.raises(FieldsRefused) as caught:
        world.service.check(
            transfer.number, CheckForm("maybe", "yes", "", "x" * 3000),
            ctx=ctx_of(PORT_OFFICER, T0),
        )  # fmt: skip
    assert [name for name, _ in caught.value.wrong] == ["seals_intact", "goods_match", "findings"]
    assert world.store.check_rows == []
    with pytest.raises(FieldsRefused) as held:
        world.service.hold(transfer.number, "   ", ctx=ctx_of(PORT_OFFICER, T0))
    assert held.value.wrong[0][0] == "reason"
    assert world.service.check(transfer.number, CheckForm("是", "否", "是"),
                               ctx=ctx_of(PORT_OFFICER, T0)).containers_match is False  # fmt: skip
