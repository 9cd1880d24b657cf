"""The demo's e-supervision chain, steps 5 and 6: e-transfer, port check and release.

Seeding (:func:`seed_ports`) gives each port of ``ports.json`` that takes e-transfers its port
office (its ``office``, covering the port's own city) and a port officer, ``port-<office>``.

Then :class:`Porting` is stepped on the demo's clock with the chain, which tells it when a
consignment's certificate was issued (the transfer is made in the same unit):

- now and then, before the port takes it, the declarant amends the transfer as the rules allow
  (a vessel change; a declared value within 10 %); once in a while a value beyond the rule,
  which is refused (and the demo's log says so);
- a while later the port officer of the port of exit takes the transfer with the number and the
  password the declarant was given, opens it (the draw is made), records the check when the draw
  asks for one, and releases; now and then the batch is held with a reason first and released
  later;
- a transfer on paper (a port without an office) stays with the paper: counted, not released
  here.

Every act is a use case with the right person's context; a refusal is logged and the demo
carries on. Nothing here reads a clock.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from phytowatch.domain.instants import US_PER_H, US_PER_MIN
from phytowatch.domain.messages import Code, Message, Refused, say

if TYPE_CHECKING:
    from phytowatch.services.app import App
    from phytowatch.services.context import Context

log = logging.getLogger(__name__)

AMEND_AFTER = 40 * US_PER_MIN  # the declarant changes the vessel or the value
TAKE_AFTER = US_PER_H  # the port officer takes the transfer once the goods are at the port
RELEASE_AFTER = 20 * US_PER_MIN  # opened, checked where drawn, released
HELD_FOR = 3 * US_PER_H  # a held batch is released once the reason is cleared
AMEND_VESSEL_EVERY = 5  # of the transfers, one changes vessel
AMEND_VALUE_EVERY = 7  # one changes its declared value within the rule
AMEND_BEYOND_EVERY = 13  # one asks for a value beyond the rule: refused
HOLD_EVERY = 9  # of the batches released, one is held first
VESSELS = ("vessel COSCO Shipping Taurus", "vessel MSC Aurora", "vessel OOCL Tokyo")
HOLD_REASON = (
    "One container's seal number differs from the packing list: held until the carrier confirms it."
)
CLEARED = "The carrier confirmed the seal number; seals and containers checked again."
REPLACED = "Goods checked against the replacement certificate."
ADDRESS = "127.0.0.1"  # where the demo's port officers take their transfers from
VALUE_WITHIN = Decimal("1.06")  # a declared value changed by 6 %: within the rule (10 %)
VALUE_BEYOND = Decimal("1.25")  # by 25 %: beyond it, refused


def port_officer_login(office: str) -> str:
    return f"port-{office.lower()}"


def seed_ports(app: App, *, now: int, password: str) -> list[tuple[str, str, str]]:
    """Each e-transfer port's office (if missing) and its port officer (as the demo's
    administrator); the people added: (login, password, role)."""
    from phytowatch.demo.chain import principal
    from phytowatch.services.accounts import add_office, add_user
    from phytowatch.services.context import Context

    ctx = Context(principal(app, "admin"), now)
    added = []
    ports = app.policy.policy().ports.ports
    for port in sorted(ports.values(), key=lambda p: p.code):
        if not port.office:
            continue
        if app.accounts.office(port.office) is None:
            add_office(
                app.accounts,
                app.audit,
                ctx=ctx,
                code=port.office,
                name=f"{port.name_en} port office {port.name_zh}口岸",
                cities=[port.name_zh],
            )
        login = port_officer_login(port.office)
        if app.accounts.user_by_login(login) is not None:
            continue
        add_user(
            app.accounts,
            app.audit,
            ctx=ctx,
            login=login,
            name=f"Port officer of {port.name_en} {port.name_zh}口岸官员",
            role="port_officer",
            password=password,
            office=port.office,
            cost=app.settings.password_hash_cost,
        )
        added.append((login, password, "port_officer"))
    return added


@dataclass
class PortTask:
    due: int
    consignment: int = 0
    number: str = ""
    held: bool = False
    change: str = ""  # what the declarant amends: vessel, value, beyond (the rule)


@dataclass
class Porting:
    """Declarants and port officers at steps 5 and 6, on the demo's clock."""

    app: App
    ctx: Callable[[str, int], Context]  # the person's context at a demo time (the chain's)
    counts: Counter[str]
    _told: set[int] = field(default_factory=set)  # consignments already told of
    # what the demo says of the port's work besides its counts (a refused amendment and why),
    # taken and printed by the demo's loop
    said: deque[Message] = field(default_factory=deque)
    _amend: list[PortTask] = field(default_factory=list)
    _take: list[PortTask] = field(default_factory=list)
    _release: list[PortTask] = field(default_factory=list)

    # -- what the chain tells ------------------------------------------------------------------

    def certified(self, consignment: int, now: int) -> None:
        """A consignment's certificate was issued at ``now`` (its transfer made with the first
        phytosanitary one; a later certificate of the same consignment changes nothing here)."""
        if consignment in self._told:
            return
        transfer = self.app.transfers.of_consignment(consignment)
        if transfer is None:
            return
        self._told.add(consignment)
        self.counts["transferred"] += 1
        if not transfer.electronic:
            self.counts["paper"] += 1
            return
        turn = self.counts["transfer_turn"]
        self.counts["transfer_turn"] += 1
        change = (
            "vessel" if turn % AMEND_VESSEL_EVERY == 1
            else "value" if turn % AMEND_VALUE_EVERY == 3
            else "beyond" if turn % AMEND_BEYOND_EVERY == 6
            else ""
        )  # fmt: skip
        if change:
            self._amend.append(
                PortTask(now + AMEND_AFTER, consignment, transfer.number, change=change)
            )
        self._take.append(PortTask(now + TAKE_AFTER, consignment, transfer.number))

    # -- the steps -----------------------------------------------------------------------------

    def step(self, now: int) -> None:
        for queue, act in (
            (self._amend, self._amending),
            (self._take, self._taking),
            (self._release, self._releasing),
        ):
            due = [t for t in queue if t.due <= now]
            queue[:] = [t for t in queue if t.due > now]
            for task in due:
                try:
                    act(task, now)
                except Refused as why:
                    self.counts["port_refused"] += 1
                    log.warning(
                        "demo port refused: %s %s", why.message.code.value, why.message.params
                    )

    def _amending(self, task: PortTask, now: int) -> None:
        from phytowatch.demo.chain import declarant_login
        from phytowatch.services.transfers.service import AmendmentRefused

        transfers = self.app.transfers
        transfer = transfers.by_number(task.number)
        if transfer is None or transfer.retrieved_at is not None:
            return  # the port took it first: the demo's declarants amend before
        ctx = self.ctx(declarant_login(transfer.enterprise), now)
        changes: dict[str, object]
        if task.change == "vessel":
            changes = {"conveyance": VESSELS[self.counts["amended"] % len(VESSELS)]}
        else:
            value = transfers.values(transfer).get("declared_value")
            if value in (None, ""):
                return
            factor = VALUE_WITHIN if task.change == "value" else VALUE_BEYOND
            changes = {"declared_value": str((Decimal(str(value)) * factor).quantize(Decimal(1)))}
        try:
            transfers.amend(task.number, changes, ctx=ctx)
        except AmendmentRefused as why:
            self.counts["amend_refused"] += 1
            # said by the demo in its reader's language (demo/run.py), with the rule it breaks
            self.said.append(say(Code.DEMO_AMEND_REFUSED, number=task.number))
            self.said.extend(problem.message for problem in why.problems)
            return
        self.counts["amended"] += 1

    def _taking(self, task: PortTask, now: int) -> None:
        from phytowatch.demo.chain import declarant_login

        transfers = self.app.transfers
        transfer = transfers.by_number(task.number)
        if transfer is None:
            return
        # the declarant gives the number and the password to the port (as a person would)
        declarant = self.ctx(declarant_login(transfer.enterprise), now).principal
        password = transfers.password(transfer, declarant)
        if password is None:
            return
        officer = self.ctx(port_officer_login(transfer.port_office), now)
        transfers.retrieve(task.number, password, address=ADDRESS, ctx=officer)
        self.counts["retrieved"] += 1
        self._release.append(PortTask(now + RELEASE_AFTER, task.consignment, task.number))

    def _releasing(self, task: PortTask, now: int) -> None:
        from phytowatch.domain.messages import Code
        from phytowatch.services.port.ports import CheckForm

        transfer = self.app.transfers.by_number(task.number)
        if transfer is None:
            return
        officer = self.ctx(port_officer_login(transfer.port_office), now)
        port = self.app.port
        view = port.view(task.number, ctx=officer)  # the draw, made at the first look
        if view.clearance is not None:
            return
        if view.draw is not None and view.draw.checked and not view.checks:
            port.check(task.number, CheckForm("yes", "yes", "yes", ""), ctx=officer)
            self.counts["checked"] += 1
        if task.held:  # the reason is cleared: a check says so, then the release
            port.check(task.number, CheckForm("yes", "yes", "yes", CLEARED), ctx=officer)
            self.counts["checked"] += 1
        else:
            turn = self.counts["release_turn"]
            self.counts["release_turn"] += 1
            if turn % HOLD_EVERY == HOLD_EVERY // 2:
                port.hold(task.number, HOLD_REASON, ctx=officer)
                self.counts["held"] += 1
                self._release.append(PortTask(now + HELD_FOR, task.consignment, task.number, True))
                return
        try:
            port.release(task.number, ctx=officer)
        except Refused as why:
            if why.message.code is Code.PORT_CERT_CANCELLED:
                self.counts["not_shipped"] += 1  # every certificate cancelled: nothing to release
                return
            if why.message.code is not Code.PORT_CERT_REPLACED:
                raise
            # a certificate replaced since the port took it: the officer checks the goods
            # against the new one, then releases
            port.check(task.number, CheckForm("yes", "yes", "yes", REPLACED), ctx=officer)
            self.counts["checked"] += 1
            port.release(task.number, ctx=officer)
        self.counts["released"] += 1
