"""Step 6: the draw, the port check, hold and release, and the clearance record (通关单).

The draw is made the first time the port office that took a transfer looks at it (its queue,
the transfer's page, or any act on it), in its own unit with its audit entry; it is recorded
once (append-only, one per transfer) with every input needed to recompute it. A check, a hold
and a release are records too, each audited in the unit that writes it. Release numbers the
clearance record from the port office's counter of the year (locked and incremented in the
release's transaction: no gap, no duplicate) and moves the consignment TRANSFERRED -> RELEASED.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from phytowatch.domain.accounts import Action, Principal
from phytowatch.domain.certificates.model import CertificateState
from phytowatch.domain.messages import Code, Kind, Message, Word, refused, say
from phytowatch.domain.supervision.consignment import ConsignmentState, Step
from phytowatch.domain.transfers.model import (
    CERTIFICATE_CANCELLED,
    CERTIFICATE_REPLACED,
    Transfer,
)
from phytowatch.domain.transfers.release import (
    MAX_FINDINGS,
    MAX_REASON,
    Clearance,
    PortCheck,
    PortDraw,
    PortHold,
    clearance_number,
    decide_draw,
)
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.port.ports import (
    CertificateReads,
    CheckForm,
    PortStore,
    PortTransfers,
    PortView,
    SamplingKey,
)
from phytowatch.services.runs.record import BUREAU_ZONE
from phytowatch.services.supervision.assessment import FieldsRefused
from phytowatch.services.supervision.ports import (
    ConsignmentLookup,
    PolicySource,
    StandingLookup,
)

YES = frozenset({"yes", "y", "true", "1", "on", "是"})
NO = frozenset({"no", "n", "false", "0", "off", "否"})


def year_of(instant: int) -> int:
    return datetime.fromtimestamp(instant / 1_000_000, UTC).astimezone(BUREAU_ZONE).year


def acting_office(principal: Principal, office: str | None) -> str:
    """The port office that acts: the CLI's operator and the system name it; a person acts for
    their own office, as a port officer (``port:release``)."""
    if principal.kind in ("cli", "system"):
        if not office:
            raise refused(Kind.INVALID, Code.PORT_OFFICE_NEEDED)
        return office
    if not principal.may(Action.PORT_RELEASE):
        raise refused(Kind.FORBIDDEN, Code.PORT_NO_OFFICE)
    if not principal.office:  # a port officer's account without an office: set one up first
        raise refused(Kind.CONFLICT, Code.PORT_NO_OFFICE)
    if office and office != principal.office:
        raise refused(Kind.FORBIDDEN, Code.PORT_NO_OFFICE)
    return principal.office


def parse_check(form: CheckForm) -> tuple[bool, bool, bool, str]:
    """The form's answers, or every wrong field with its message (``FieldsRefused``)."""
    wrong = []
    answers: list[bool] = []
    for name in ("seals_intact", "containers_match", "goods_match"):
        text = str(getattr(form, name)).strip().lower()
        if text in YES:
            answers.append(True)
        elif text in NO:
            answers.append(False)
        else:
            answers.append(False)
            wrong.append((name, say(Code.PORT_YES_NO)))
    findings = form.findings.strip()
    if len(findings) > MAX_FINDINGS:
        wrong.append(("findings", say(Code.PORT_TEXT_TOO_LONG, max=MAX_FINDINGS)))
    if wrong:
        raise FieldsRefused(wrong)
    return answers[0], answers[1], answers[2], findings


class PortService:
    def __init__(
        self,
        store: PortStore,
        *,
        transfers: PortTransfers,
        certificates: CertificateReads,
        consignments: ConsignmentLookup,
        routes: SamplingKey,
        standing: StandingLookup,
        policy: PolicySource,
        audit: AuditRecorder,
    ) -> None:
        self.store = store
        self.transfers = transfers
        self.certificates = certificates
        self.consignments = consignments
        self.routes = routes
        self.standing = standing
        self.policy = policy
        self.audit = audit

    # -- reads ------------------------------------------------------------------------------

    def _transfer(self, number: str) -> Transfer:
        found = self.transfers.by_number(number.strip())
        if found is None:
            raise refused(Kind.NOT_FOUND, Code.PORT_UNKNOWN_TRANSFER, number=number)
        return found

    def _view(self, transfer: Transfer) -> PortView:
        return PortView(
            transfer=transfer,
            draw=self.store.draw_of(transfer.id),
            checks=self.store.checks(transfer.id),
            holds=self.store.holds(transfer.id),
            clearance=self.store.clearance_of(transfer.id),
        )

    def queue(self, *, ctx: Context, office: str | None = None) -> list[PortView]:
        code = acting_office(ctx.principal, office)
        out = []
        for transfer in self.transfers.taken_by(code):
            if self.store.clearance_of(transfer.id) is not None:
                continue
            self.draw(transfer, ctx=ctx)
            out.append(self._view(transfer))
        return out

    def view(self, number: str, *, ctx: Context, office: str | None = None) -> PortView:
        """A person sees only the transfers to their own port office (others are not found
        alike); the CLI's operator and the system see any, and make no draw unless they name
        the office."""
        transfer = self._transfer(number)
        principal = ctx.principal
        if principal.kind in ("cli", "system") and not office:
            return self._view(transfer)
        code = acting_office(principal, office)
        if transfer.port_office != code:
            raise refused(Kind.NOT_FOUND, Code.PORT_UNKNOWN_TRANSFER, number=number)
        if transfer.retrieved_at is not None:
            self.draw(transfer, ctx=ctx)
        return self._view(transfer)

    def clearance(self, number: str) -> Clearance | None:
        return self.store.clearance(number.strip())

    def reaches(self, principal: Principal, consignment_id: int) -> bool:
        """Whether a port officer sees the consignment because their office took its transfer
        (beside whatever their jurisdiction covers)."""
        if not principal.may(Action.PORT_RELEASE) or not principal.office:
            return False
        transfer = self.transfers.of_consignment(consignment_id)
        return (
            transfer is not None
            and transfer.port_office == principal.office
            and transfer.retrieved_at is not None
        )

    def sees_clearance(self, principal: Principal, clearance: Clearance) -> bool:
        """The port office that released it, and whoever sees its consignment."""
        return (
            principal.sees_everything
            or principal.covers(clearance.enterprise, clearance.city)
            or (principal.may(Action.PORT_RELEASE) and principal.office == clearance.office)
        )

    def clearance_of_consignment(self, consignment_id: int) -> Clearance | None:
        return self.store.clearance_of_consignment(consignment_id)

    def clearances(self, office: str | None, *, limit: int = 50) -> list[Clearance]:
        return self.store.clearances(office, limit=limit)

    # -- the draw ---------------------------------------------------------------------------

    def draw(self, transfer: Transfer, *, ctx: Context) -> PortDraw:
        """The transfer's draw: the one recorded, else made now (audited)."""
        found = self.store.draw_of(transfer.id)
        if found is not None:
            return found
        ports = self.policy.policy().ports
        routes = self.routes.routes(transfer.consignment_id)
        mode = routes[-1].mode if routes else None
        standing = self.standing.standing(transfer.enterprise)
        key_listed = standing is not None and standing.key_list
        if mode is not None and mode in ports.check_ratios:
            ratio = ports.check_ratios[mode]
            confidence = ports.confidence_of(f"check_ratios.{mode.value}")
        else:  # no route, or a mode without a ratio: the batch is checked (ratio 1)
            ratio = Decimal(1)
            confidence = ports.confidence
        with self.audit.atomic():
            again = self.store.draw_of(transfer.id)
            if again is not None:
                return again
            key = self.routes.sampling_key(now=ctx.now)
            checked, because, seed, drawn = decide_draw(
                key,
                transfer_number=transfer.number,
                policy_version=ports.version,
                ratio=ratio,
                key_listed=key_listed,
                check_key_list=ports.check_key_list,
            )
            made = self.store.add_draw(
                PortDraw(
                    transfer_id=transfer.id,
                    consignment_id=transfer.consignment_id,
                    office=transfer.port_office,
                    checked=checked,
                    key_list=because,
                    mode=mode.value if mode is not None else "",
                    ratio=ratio,
                    confidence=confidence.value,
                    policy_version=ports.version,
                    seed=seed,
                    draw=drawn,
                    at=ctx.now,
                    actor=ctx.actor,
                )
            )
            self.audit.record(
                actor=ctx.actor,
                action="port.drawn",
                object_type="transfer",
                object_id=transfer.number,
                after=draw_json(made),
                now=ctx.now,
            )
        return made

    # -- acts -------------------------------------------------------------------------------

    def _taken(self, number: str, ctx: Context, office: str | None) -> tuple[Transfer, str]:
        code = acting_office(ctx.principal, office)
        transfer = self._transfer(number)
        person = ctx.principal.kind not in ("cli", "system")
        if person and transfer.port_office != code:
            # another office's transfer (or a paper one) is not found for a port officer, as it is
            # on the transfer's page: no number says whether it exists, or where it went
            raise refused(Kind.NOT_FOUND, Code.PORT_UNKNOWN_TRANSFER, number=number)
        if not transfer.electronic or not transfer.port_office:
            raise refused(
                Kind.CONFLICT,
                Code.PORT_PAPER_TRANSFER,
                transfer=transfer.number,
                consignment=transfer.consignment_number,
                port=transfer.port,
            )
        if transfer.retrieved_at is None:
            raise refused(Kind.CONFLICT, Code.PORT_NOT_TAKEN, transfer=transfer.number)
        if transfer.port_office != code:
            raise refused(
                Kind.FORBIDDEN,
                Code.PORT_OTHER_OFFICE,
                transfer=transfer.number,
                taken=transfer.port_office,
                office=code,
            )
        released = self.store.clearance_of(transfer.id)
        if released is not None:
            raise refused(
                Kind.CONFLICT,
                Code.PORT_RELEASED_ALREADY,
                consignment=transfer.consignment_number,
                clearance=released.number,
            )
        return transfer, code

    def check(
        self, number: str, form: CheckForm, *, ctx: Context, office: str | None = None
    ) -> PortCheck:
        seals, containers, goods, findings = parse_check(form)
        transfer, code = self._taken(number, ctx, office)
        self.draw(transfer, ctx=ctx)
        record = PortCheck(
            transfer_id=transfer.id,
            consignment_id=transfer.consignment_id,
            office=code,
            seals_intact=seals,
            containers_match=containers,
            goods_match=goods,
            findings=findings,
            at=ctx.now,
            actor=ctx.actor,
        )
        with self.audit.atomic():
            made = self.store.add_check(record)
            self.audit.record(
                actor=ctx.actor,
                action="port.checked",
                object_type="transfer",
                object_id=transfer.number,
                after={
                    "check": made,
                    "seals_intact": seals,
                    "containers_match": containers,
                    "goods_match": goods,
                    "conforming": record.conforming,
                    "findings": findings,
                },
                now=ctx.now,
            )
        return PortCheck(**{**record.__dict__, "id": made})

    def hold(
        self, number: str, reason: str, *, ctx: Context, office: str | None = None
    ) -> PortHold:
        text = reason.strip()
        if not text:
            raise FieldsRefused([("reason", say(Code.PORT_HOLD_REASON))])
        if len(text) > MAX_REASON:
            raise FieldsRefused([("reason", say(Code.PORT_TEXT_TOO_LONG, max=MAX_REASON))])
        transfer, code = self._taken(number, ctx, office)
        self.draw(transfer, ctx=ctx)
        record = PortHold(
            transfer_id=transfer.id,
            consignment_id=transfer.consignment_id,
            office=code,
            reason=text,
            at=ctx.now,
            actor=ctx.actor,
        )
        with self.audit.atomic():
            made = self.store.add_hold(record)
            self.audit.record(
                actor=ctx.actor,
                action="port.held",
                object_type="transfer",
                object_id=transfer.number,
                after={"hold": made, "reason": text},
                now=ctx.now,
            )
        return PortHold(**{**record.__dict__, "id": made})

    def _replacement_of(self, number: str) -> str:
        found = self.certificates.by_number(number)
        newer = (
            self.certificates.certificate(found.replaced_by)
            if found is not None and found.replaced_by is not None
            else None
        )
        return newer.issue.number if newer is not None and newer.issue is not None else "?"

    def _certificates_valid(self, transfer: Transfer, last_check: PortCheck | None) -> None:
        """Refused when a certificate it carries is cancelled or replaced; when every
        certificate it carried was cancelled; and when a certificate was replaced on it after the
        port took it and no check was recorded since (the goods were checked against the old
        one): the refusal names the new number."""
        for number in transfer.certificates:
            found = self.certificates.by_number(number)
            if found is None:
                continue
            if found.state is CertificateState.CANCELLED:
                raise refused(
                    Kind.CONFLICT,
                    Code.PORT_CERT_CANCELLED,
                    certificate=number,
                    transfer=transfer.number,
                )
            if found.state is CertificateState.REPLACED:
                raise refused(
                    Kind.CONFLICT,
                    Code.PORT_CERT_REPLACED,
                    certificate=number,
                    transfer=transfer.number,
                    replacement=self._replacement_of(number),
                )
        amendments = self.transfers.amendments(transfer.id)
        cancelled = [a for a in amendments if a.field == CERTIFICATE_CANCELLED]
        if not transfer.certificates and cancelled:
            raise refused(
                Kind.CONFLICT,
                Code.PORT_CERT_CANCELLED,
                certificate=str(cancelled[-1].before),
                transfer=transfer.number,
            )
        since = max(transfer.retrieved_at or 0, last_check.at if last_check else 0)
        for amendment in amendments:
            if amendment.field == CERTIFICATE_REPLACED and amendment.at >= since:
                raise refused(
                    Kind.CONFLICT,
                    Code.PORT_CERT_REPLACED,
                    certificate=str(amendment.before),
                    transfer=transfer.number,
                    replacement=str(amendment.after),
                )

    def release(self, number: str, *, ctx: Context, office: str | None = None) -> Clearance:
        transfer, _ = self._taken(number, ctx, office)
        self.draw(transfer, ctx=ctx)  # its own record, made at the first look, refused or not
        with self.audit.atomic():
            # every condition read again inside the unit, under the audit trail's lock: a
            # certificate cancelled or replaced, a hold or a release recorded since the first
            # look is seen here, and refuses
            return self._release(number, ctx=ctx, office=office)

    def _release(self, number: str, *, ctx: Context, office: str | None) -> Clearance:
        transfer, code = self._taken(number, ctx, office)
        consignment = self.consignments.consignment(transfer.consignment_id)
        if consignment is None or consignment.state is not ConsignmentState.TRANSFERRED:
            state = consignment.state.value if consignment is not None else "?"
            raise refused(
                Kind.CONFLICT,
                Code.PORT_NOT_TRANSFERRED,
                consignment=transfer.consignment_number,
                state=Word(state),
            )
        drawn = self.draw(transfer, ctx=ctx)
        view = self._view(transfer)
        last_check = view.checks[-1] if view.checks else None
        self._certificates_valid(transfer, last_check)
        if view.holds:
            last_hold = view.holds[-1]
            if last_check is None or not last_check.conforming or last_check.at < last_hold.at:
                raise refused(
                    Kind.CONFLICT, Code.PORT_HELD, transfer=transfer.number, reason=last_hold.reason
                )
        if drawn.checked and (last_check is None or not last_check.conforming):
            raise refused(Kind.CONFLICT, Code.PORT_CHECK_OWED, transfer=transfer.number)
        resting_on = last_check.id if last_check and last_check.conforming else None
        year = year_of(ctx.now)
        sequence = self.store.next_sequence(code, year)
        record = Clearance(
            number=clearance_number(code, year, sequence),
            transfer_id=transfer.id,
            transfer_number=transfer.number,
            consignment_id=transfer.consignment_id,
            consignment_number=transfer.consignment_number,
            enterprise=transfer.enterprise,
            city=transfer.city,
            office=code,
            port=transfer.port,
            year=year,
            sequence=sequence,
            certificates=tuple(transfer.certificates),
            check_id=resting_on,
            released_at=ctx.now,
            released_by=ctx.actor,
        )
        made = self.store.add_clearance(record)
        moved = self.consignments.move(
            transfer.consignment_id,
            ConsignmentState.TRANSFERRED,
            ConsignmentState.RELEASED,
            step=Step.RELEASED,
            at=ctx.now,
            actor=ctx.actor,
            detail=say(
                Code.PORT_RELEASED_AS, port=transfer.port, clearance=record.number
            ).to_json(),
        )
        if not moved:
            raise refused(
                Kind.CONFLICT,
                Code.PORT_NOT_TRANSFERRED,
                consignment=transfer.consignment_number,
                state=Word("released"),
            )
        self.audit.record(
            actor=ctx.actor,
            action="port.released",
            object_type="transfer",
            object_id=transfer.number,
            before={"state": ConsignmentState.TRANSFERRED.value},
            after={
                "state": ConsignmentState.RELEASED.value,
                "clearance": record.number,
                "office": code,
                "check": record.check_id,
            },
            now=ctx.now,
        )
        return Clearance(**{**record.__dict__, "id": made})


def draw_json(draw: PortDraw) -> dict[str, object]:
    return {
        "checked": draw.checked,
        "key_list": draw.key_list,
        "mode": draw.mode,
        "ratio": str(draw.ratio),
        "confidence": draw.confidence,
        "policy_version": draw.policy_version,
        "seed": draw.seed,
        "draw": str(draw.draw),
    }


def draw_message(draw: PortDraw) -> Message:
    """What the draw decided, as a message (the ratio with its confidence)."""
    if draw.key_list:
        return say(Code.PORT_KEY_LISTED)
    params: dict[str, str | Word] = {
        "draw": str(draw.draw),
        "ratio": str(draw.ratio),
        "confidence": draw.confidence,
        "mode": Word(draw.mode or "?"),
    }
    return say(Code.PORT_DRAWN if draw.checked else Code.PORT_NOT_DRAWN, **params)
