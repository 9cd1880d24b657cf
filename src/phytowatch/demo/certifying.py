"""The demo's e-supervision chain, step 4: certificates and the IPPC mark.

Seeding (:func:`seed_certifying`) gives each office a signing key (through the certificates'
service, as an administrator would from the CLI) and a certifying officer (the demo's own
``certifier`` for its office ``JX``; ``certifier-<office>`` for any other).

Then :class:`Certifying` is stepped on the demo's clock with the chain (demo/chain.py), which
tells it what was assessed conforming and which wood-packaging runs were signed off:

- a while after a consignment is assessed conforming (or released on documents), its declarant
  applies for a phytosanitary certificate and submits it; one wood-packaging consignment in three
  also gets a treatment certificate (the treatment box from the signed-off run);
- the certifying officer of the covering office gets to it later: now and then returns it for
  correction (the declarant corrects the marks and submits again), otherwise approves and issues
  it and prints the original (the first print; a PDF in ``print_to`` when one is given);
- now and then the declarant asks for a replacement of an issued certificate (the consignee's
  address corrected), which goes the same way; rarely the officer cancels one;
- the inspector authorises the IPPC mark for a load of every other signed-off ISPM 15 run at a
  kiln with a treater number.

Every act is a use case with the right person's context; a refusal is logged and the chain
carries on. Nothing here reads a clock.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from phytowatch.demo.province import DEMO_OFFICE
from phytowatch.domain.accounts import Role
from phytowatch.domain.certificates.model import Certificate, CertificateKind
from phytowatch.domain.instants import US_PER_H, US_PER_MIN
from phytowatch.domain.messages import Invalid, Refused

if TYPE_CHECKING:
    from phytowatch.services.app import App
    from phytowatch.services.context import Context

log = logging.getLogger(__name__)

APPLY_AFTER = 30 * US_PER_MIN  # the declarant applies once the consignment is assessed
CERTIFY_AFTER = US_PER_H  # the certifying officer gets to a submitted application
CORRECT_AFTER = 40 * US_PER_MIN  # the declarant corrects a returned application
REPLACE_AFTER = 3 * US_PER_H  # the buyer asks for a correction of an issued certificate
CANCEL_AFTER = 5 * US_PER_H  # the shipment falls through
MARK_AFTER = 15 * US_PER_MIN  # the inspector authorises the mark for a signed-off load
SEND_BACK_EVERY = 8  # of the applications looked at, one is returned for correction first
TREATMENT_EVERY = 3  # of the wood-packaging consignments, one also gets a treatment certificate
REPLACE_EVERY = 12  # of the certificates issued, one is replaced later
CANCEL_EVERY = 30  # of the certificates issued, one is cancelled later
MARK_EVERY = 2  # of the signed-off ISPM 15 runs, one gets the mark authorised for its load
MARK_SCHEDULES = ("ispm15-ht", "ispm15-dh")
WOOD = "wood-packaging"
SEND_BACK = (
    "The distinguishing marks must give the container numbers as on the packing list: "
    "correct them and submit again."
)
REPLACEMENT = (
    "The consignee's address lacked the receiving warehouse: corrected at the buyer's request."
)
CANCELLATION = "The consignment was not shipped: the buyer cancelled the order."
LOAD = re.compile(r"(\d+)\s+(pallets|crates|pieces)\b(?:,\s*(.+))?")


def certifier_login(office: str) -> str:
    """The certifying officer of an office: ``certifier`` for the demo's own (JX)."""
    return "certifier" if office == DEMO_OFFICE[0] else f"certifier-{office.lower()}"


def seed_certifying(app: App, *, now: int, password: str) -> list[tuple[str, str, str]]:
    """A signing key for each office that has none, and a certifying officer for each office
    that has none (as the demo's administrator); the people added: (login, password, role)."""
    from phytowatch.demo.chain import principal
    from phytowatch.services.accounts import add_user
    from phytowatch.services.context import Context

    ctx = Context(principal(app, "admin"), now)
    added = []
    officers = {u.office for u in app.accounts.list_users() if u.role is Role.CERTIFYING_OFFICER}
    for office in sorted(app.accounts.list_offices(), key=lambda o: o.code):
        if not app.certificates.keys(office.code):
            app.certificates.create_key(office.code, ctx=ctx)
        login = certifier_login(office.code)
        if office.code in officers or app.accounts.user_by_login(login) is not None:
            continue
        add_user(
            app.accounts,
            app.audit,
            ctx=ctx,
            login=login,
            name=f"Certifying officer of {office.code} 签证官",
            role=Role.CERTIFYING_OFFICER.value,
            password=password,
            office=office.code,
            cost=app.settings.password_hash_cost,
        )
        added.append((login, password, "certifying_officer"))
    return added


def mark_load(load: str) -> tuple[str, str, str]:
    """A facility's load ("650 pallets, pine") as the mark's (description, quantity, unit)."""
    found = LOAD.match(load.strip())
    if found is None:
        return (load.strip() or "wood packaging", "1", "pieces")
    count, unit, wood = found.groups()
    return (f"{wood} {unit}" if wood else unit, count, unit)


@dataclass
class Task:
    """Something the certifying side will do at ``due``."""

    due: int
    consignment: int = 0
    certificate: int = 0
    run: int = 0
    load: str = ""


@dataclass
class Certifying:
    """Declarants, certifying officers and the inspector at step 4, on the demo's clock."""

    app: App
    ctx: Callable[[str, int], Context]  # the person's context at a demo time (the chain's)
    counts: Counter[str]
    inspector: str = "inspector"
    print_to: Path | None = None  # the originals' PDFs, when given
    # told of each consignment whose certificate was issued (steps 5-6: demo/port.py)
    on_issued: Callable[[int, int], None] | None = None
    _apply: list[Task] = field(default_factory=list)
    _certify: list[Task] = field(default_factory=list)
    _correct: list[Task] = field(default_factory=list)
    _replace: list[Task] = field(default_factory=list)
    _cancel: list[Task] = field(default_factory=list)
    _mark: list[Task] = field(default_factory=list)
    _returned: set[int] = field(default_factory=set)

    # -- what the chain tells ------------------------------------------------------------------

    def assessed(self, consignment: int, now: int) -> None:
        """A consignment assessed conforming (or released on documents) at ``now``."""
        self._apply.append(Task(now + APPLY_AFTER, consignment=consignment))

    def signed_off(self, run: int, schedule: str, load: str, now: int) -> None:
        """A PASS run signed off at ``now``: every other ISPM 15 one gets the mark."""
        if schedule not in MARK_SCHEDULES:
            return
        turn = self.counts["mark_turn"]
        self.counts["mark_turn"] += 1
        if turn % MARK_EVERY == 0:
            self._mark.append(Task(now + MARK_AFTER, run=run, load=load))

    # -- the steps -----------------------------------------------------------------------------

    def step(self, now: int) -> None:
        for queue, act in (
            (self._apply, self._applying),
            (self._certify, self._certifying),
            (self._correct, self._correcting),
            (self._replace, self._replacing),
            (self._cancel, self._cancelling),
            (self._mark, self._marking),
        ):
            due = [t for t in queue if t.due <= now]
            queue[:] = [t for t in queue if t.due > now]
            for task in due:
                try:
                    act(task, now)
                except Refused as why:
                    self.counts["refused"] += 1
                    log.warning(
                        "demo certificates refused: %s %s",
                        why.message.code.value,
                        why.message.params,
                    )

    def _declarant(self, certificate: Certificate) -> str:
        from phytowatch.demo.chain import declarant_login

        return declarant_login(certificate.enterprise)

    def _applying(self, task: Task, now: int) -> None:
        from phytowatch.demo.chain import declarant_login
        from phytowatch.services.supervision.consignments import content

        found = self.app.consignments.consignment(task.consignment)
        if found is None:
            return
        declared = content(self.app.consignments, found)
        kinds = [CertificateKind.PHYTOSANITARY]
        if (
            declared is not None
            and declared.runs
            and any(line.product == WOOD for line in declared.lines)
        ):
            turn = self.counts["wood_applied"]
            self.counts["wood_applied"] += 1
            if turn % TREATMENT_EVERY == TREATMENT_EVERY - 1:
                kinds.append(CertificateKind.TREATMENT)
        ctx = self.ctx(declarant_login(found.enterprise), now)
        for kind in kinds:
            draft = self.app.certificates.draft(found.id, kind, ctx=ctx)
            self.app.certificates.submit(draft.id, ctx=ctx)
            self.counts["applied"] += 1
            self._certify.append(Task(now + CERTIFY_AFTER, certificate=draft.id))

    def _certifying(self, task: Task, now: int) -> None:
        certificates = self.app.certificates
        found = certificates.certificate(task.certificate)
        if found is None:
            return
        ctx = self.ctx(certifier_login(found.office), now)
        turn = self.counts["looked_at_certificates"]
        self.counts["looked_at_certificates"] += 1
        if turn % SEND_BACK_EVERY == SEND_BACK_EVERY // 2 and found.id not in self._returned:
            certificates.send_back(found.id, SEND_BACK, ctx=ctx)
            self._returned.add(found.id)
            self.counts["cert_returned"] += 1
            self._correct.append(Task(now + CORRECT_AFTER, certificate=found.id))
            return
        certificates.approve(found.id, ctx=ctx)
        issued = certificates.issue(found.id, ctx=ctx)
        self.counts["issued"] += 1
        if issued.replaces is not None:
            self.counts["replaced"] += 1
        self._print(issued, ctx)
        if self.on_issued is not None and issued.consignment_id is not None:
            self.on_issued(issued.consignment_id, now)
        order = self.counts["issued"]
        if issued.replaces is None and order % REPLACE_EVERY == REPLACE_EVERY // 2:
            self._replace.append(Task(now + REPLACE_AFTER, certificate=issued.id))
        elif issued.replaces is None and order % CANCEL_EVERY == CANCEL_EVERY - 1:
            self._cancel.append(Task(now + CANCEL_AFTER, certificate=issued.id))

    def _print(self, issued: Certificate, ctx: Context) -> None:
        """The original's print, logged; its PDF written when there is a folder for it."""
        from phytowatch.services.certificates.printing import (
            PrintMark,
            printable_of,
            replaced_number,
        )

        done = self.app.certificates.record_print(issued.id, ctx=ctx)
        self.counts["printed"] += 1
        if self.print_to is None or issued.issue is None:
            return
        printed = self.app.certificates.certificate(issued.id) or issued
        mark = PrintMark.COPY if done.copy else PrintMark.ORIGINAL
        try:
            self.app.printer.ready()
            body = self.app.printer.render(
                printable_of(
                    printed,
                    mark=mark,
                    public_url=self.app.public_url,
                    replaces=replaced_number(self.app.certificates, printed),
                )
            )
        except Invalid as why:  # no font: the print is logged, its PDF not written
            log.warning("demo print not rendered: %s", why.message.code.value)
            return
        self.print_to.mkdir(parents=True, exist_ok=True)
        (self.print_to / f"{issued.issue.number}.pdf").write_bytes(body)

    def _correcting(self, task: Task, now: int) -> None:
        found = self.app.certificates.certificate(task.certificate)
        if found is None:
            return
        ctx = self.ctx(self._declarant(found), now)
        containers = ", ".join(found.content.containers)
        marks = f"{found.content.marks} · {containers}" if containers else found.content.marks
        self.app.certificates.edit(found.id, {"marks": marks}, ctx=ctx)
        self.app.certificates.submit(found.id, ctx=ctx)
        self.counts["cert_corrected"] += 1
        self._certify.append(Task(now + CERTIFY_AFTER, certificate=found.id))

    def _replacing(self, task: Task, now: int) -> None:
        found = self.app.certificates.certificate(task.certificate)
        if found is None:
            return
        ctx = self.ctx(self._declarant(found), now)
        consignee = found.content.consignee
        address = f"{consignee.address}, receiving warehouse 2"
        new = self.app.certificates.replace(
            found.id,
            REPLACEMENT,
            {"consignee": {"name": consignee.name, "address": address}},
            ctx=ctx,
        )
        self.app.certificates.submit(new.id, ctx=ctx)
        self.counts["applied"] += 1
        self._certify.append(Task(now + CERTIFY_AFTER, certificate=new.id))

    def _cancelling(self, task: Task, now: int) -> None:
        found = self.app.certificates.certificate(task.certificate)
        if found is None:
            return
        self.app.certificates.cancel(
            found.id, CANCELLATION, ctx=self.ctx(certifier_login(found.office), now)
        )
        self.counts["cancelled"] += 1

    def _marking(self, task: Task, now: int) -> None:
        description, quantity, unit = mark_load(task.load)
        self.app.marks.authorise(
            task.run,
            load=description,
            quantity=quantity,
            unit=unit,
            ctx=self.ctx(self.inspector, now),
        )
        self.counts["marks"] += 1
