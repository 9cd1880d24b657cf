"""The certificates' lifecycle as one service (``services.certificates.ports.Certificates``).

draft -> submitted -> (returned <-> submitted) -> approved -> issued -> printed, with the side
exits rejected and cancelled, and a replacement that, once issued, moves the one it replaces to
replaced (``domain.certificates.model``). Every act re-reads the certificate inside its unit
(the audit trail's lock serialises the units) so that two people cannot both move it, and
records its event and its audit entry in that unit. Issuing, numbering and signing are in
``issuing``; the office keys and numbering patterns in ``office``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Protocol

from phytowatch.domain.accounts import Action
from phytowatch.domain.certificates.canonical import canonical_bytes, content_hash
from phytowatch.domain.certificates.content import content_of
from phytowatch.domain.certificates.edits import apply_changes, reexport_problems
from phytowatch.domain.certificates.model import (
    ISSUED_STATES,
    Certificate,
    CertificateEvent,
    CertificateKind,
    CertificateState,
    Print,
    ReexportDetails,
    TreatmentStatement,
)
from phytowatch.domain.certificates.payload import unb64url
from phytowatch.domain.messages import Code, Kind, Word, refused, say
from phytowatch.domain.supervision.assessment import Assessment, Conformity
from phytowatch.domain.supervision.consignment import Consignment, ConsignmentState
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.certificates import issuing, office
from phytowatch.services.certificates.ports import CertificateHook, OfficeKey, SignatureCheck
from phytowatch.services.certificates.rules import (
    FieldsRefused,
    applicant,
    certifier,
    in_state,
    not_found,
    reason_text,
    sees,
)
from phytowatch.services.certificates.store import (
    CertificateStore,
    NewCertificate,
    OfficeDirectory,
    Reach,
    Signer,
    TreatmentSource,
)
from phytowatch.services.context import Context
from phytowatch.services.paging import Found
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource

S = CertificateState
# a consignment may have certificates once it was assessed conforming (an inspection, or the
# documents assessment that releases it); a certified one may have more (a treatment
# certificate, a replacement), and so may a transferred one until its release (step 5 made its
# transfer in the issuing transaction; a replacement swaps the number on it)
CERTIFIABLE = frozenset(
    {ConsignmentState.ASSESSED, ConsignmentState.CERTIFIED, ConsignmentState.TRANSFERRED}
)


class AssessmentLookup(Protocol):
    """What the service reads of an assessment (``services.supervision.assessment``)."""

    def assessment_of(self, consignment_id: int) -> Assessment | None: ...


class CertificateService:
    def __init__(
        self,
        store: CertificateStore,
        *,
        signer: Signer,
        consignments: ConsignmentLookup,
        assessments: AssessmentLookup,
        policy: PolicySource,
        treatments: TreatmentSource,
        offices: OfficeDirectory,
        audit: AuditRecorder,
        passphrase: str | None = None,
    ) -> None:
        self.store = store
        self.signer = signer
        self.consignments = consignments
        self.assessments = assessments
        self.policy = policy
        self.treatments = treatments
        self.offices = offices
        self.audit = audit
        self.passphrase = passphrase
        # told of each issue and cancellation inside its unit (step 5's transfers); bootstrap
        # appends them once the services that listen exist
        self.hooks: list[CertificateHook] = []

    # -- reads ----------------------------------------------------------------------------------

    def certificate(self, certificate_id: int) -> Certificate | None:
        return self.store.certificate(certificate_id)

    def by_number(self, number: str) -> Certificate | None:
        return self.store.by_number(number)

    def by_token(self, token: str) -> Certificate | None:
        return self.store.by_token(token)

    def of_consignment(self, consignment_id: int) -> list[Certificate]:
        return self.store.of_consignment(consignment_id)

    def history(self, certificate_id: int) -> list[CertificateEvent]:
        return self.store.history(certificate_id)

    def prints(self, certificate_id: int) -> list[Print]:
        return self.store.prints(certificate_id)

    def find(
        self,
        *,
        states: frozenset[CertificateState] | None = None,
        office: str | None = None,
        enterprise: str | None = None,
        offset: int = 0,
        limit: int = 50,
        reach: Reach | None = None,
        kind: CertificateKind | None = None,
        number: str = "",
    ) -> Found[Certificate]:
        return self.store.find(
            kind=kind,
            number=number,
            states=states,
            office=office,
            enterprise=enterprise,
            reach=reach,
            offset=offset,
            limit=limit,
        )

    def check_signature(self, certificate: Certificate) -> SignatureCheck:
        issue = certificate.issue
        if issue is None:
            return SignatureCheck(valid=False, hash_matches=False, key_id="", key_known=False)
        data = canonical_bytes(
            certificate.content,
            number=issue.number,
            office=issue.office,
            place_of_issue=issue.place_of_issue,
            issued_at=issue.issued_at,
            officer=issue.officer,
        )
        key = self.store.key(issue.key_id)
        hash_matches = content_hash(data) == issue.content_hash
        if key is None or key.office != issue.office:
            return SignatureCheck(False, hash_matches, issue.key_id, key_known=False)
        try:
            signature = unb64url(issue.signature)
        except ValueError:
            return SignatureCheck(False, hash_matches, issue.key_id, key_known=True)
        valid = self.signer.verify(key.public_key_pem, signature, data)
        return SignatureCheck(valid and hash_matches, hash_matches, issue.key_id, key_known=True)

    def keys(self, office: str | None = None) -> list[OfficeKey]:
        return self.store.keys(office)

    def key(self, key_id: str) -> OfficeKey | None:
        return self.store.key(key_id)

    # -- helpers --------------------------------------------------------------------------------

    def _visible(self, certificate_id: int, ctx: Context) -> Certificate:
        found = self.store.certificate(certificate_id)
        if found is None or not sees(ctx.principal, found):
            raise not_found(certificate_id)
        return found

    def _fresh(self, certificate_id: int) -> Certificate:
        found = self.store.certificate(certificate_id)
        if found is None:  # pragma: no cover - certificates are never deleted
            raise not_found(certificate_id)
        return found

    def _move(
        self,
        certificate: Certificate,
        to: CertificateState,
        *,
        ctx: Context,
        action: str,
        detail: Mapping[str, object] | None = None,
        after: Mapping[str, object] | None = None,
    ) -> None:
        self.store.add_event(
            CertificateEvent(certificate.id, to, ctx.now, ctx.actor, dict(detail or {}))
        )
        self.audit.record(
            actor=ctx.actor,
            action=f"certificate.{action}",
            object_type="certificate",
            object_id=str(certificate.id),
            before={"state": certificate.state.value},
            after={"state": to.value, **(after or {})},
            now=ctx.now,
        )

    def _act(
        self,
        certificate_id: int,
        *,
        ctx: Context,
        allowed: Collection[CertificateState],
        to: CertificateState,
        action: str,
        officer: bool,
        reason: str | None = None,
    ) -> Certificate:
        seen = self._visible(certificate_id, ctx)
        if officer:
            certifier(ctx.principal, seen)
        else:
            applicant(ctx.principal, seen.enterprise, seen.city)
        text = None if reason is None else reason_text(reason)
        in_state(seen, allowed, action)
        detail = {} if text is None else say(Code.TEXT, text=text).to_json()
        with self.audit.atomic():
            current = self._fresh(certificate_id)
            in_state(current, allowed, action)
            after = {} if text is None else {"reason": text}
            self._move(current, to, ctx=ctx, action=action, detail=detail, after=after)
            if to is S.CANCELLED:
                cancelled = self._fresh(certificate_id)
                for hook in self.hooks:
                    hook.cancelled(cancelled, ctx=ctx)
        return self._fresh(certificate_id)

    # -- the applicant's acts -------------------------------------------------------------------

    def _certifiable(self, consignment_id: int, ctx: Context) -> Consignment:
        found = self.consignments.consignment(consignment_id)
        if found is None or not ctx.principal.covers(found.enterprise, found.city):
            raise refused(Kind.NOT_FOUND, Code.NO_CONSIGNMENT, consignment=consignment_id)
        applicant(ctx.principal, found.enterprise, found.city)
        assessment = self.assessments.assessment_of(consignment_id)
        if (
            found.state not in CERTIFIABLE
            or assessment is None
            or assessment.conformity is not Conformity.CONFORMING
        ):
            raise refused(
                Kind.CONFLICT,
                Code.CERT_NOT_CERTIFIABLE,
                consignment=found.number,
                state=Word(found.state.value),
            )
        return found

    def _treatments(self, run_ids: tuple[int, ...]) -> list[TreatmentStatement]:
        found = (self.treatments.treatment(run_id) for run_id in run_ids)
        return [t for t in found if t is not None]

    def draft(
        self,
        consignment_id: int,
        kind: CertificateKind,
        *,
        ctx: Context,
        reexport: ReexportDetails | None = None,
    ) -> Certificate:
        consignment = self._certifiable(consignment_id, ctx)
        declaration = self.consignments.declaration(consignment.id, consignment.version)
        if declaration is None:  # pragma: no cover - an assessed consignment was submitted
            raise refused(Kind.CONFLICT, Code.CERT_NOT_CERTIFIABLE, consignment=consignment.number,
                          state=Word(consignment.state.value))  # fmt: skip
        if kind is CertificateKind.REEXPORT:
            wrong = reexport_problems(reexport)
            if wrong:
                raise FieldsRefused(wrong)
            assert reexport is not None
            reexport = replace(
                reexport,
                origin_country=reexport.origin_country.upper(),
                original_certificate=reexport.original_certificate.strip(),
            )
        treatments = self._treatments(declaration.runs)
        if kind is CertificateKind.TREATMENT and not treatments:
            raise refused(Kind.CONFLICT, Code.CERT_NO_TREATMENT, consignment=consignment.number)
        content = content_of(
            declaration,
            kind=kind,
            consignment=consignment.number,
            requirements=self.policy.policy().destinations,
            treatments=treatments,
            reexport=reexport,
        )
        office_code = office.covering(self.offices, consignment.enterprise, consignment.city)
        if office_code is None:
            raise refused(Kind.CONFLICT, Code.CERT_NO_OFFICE, enterprise=consignment.enterprise)
        new = NewCertificate(
            kind=kind,
            consignment_id=consignment.id,
            office=office_code,
            enterprise=consignment.enterprise,
            city=consignment.city,
            content=content,
            at=ctx.now,
            actor=ctx.actor,
        )
        return self._add(new, ctx=ctx)

    def _add(self, new: NewCertificate, *, ctx: Context) -> Certificate:
        with self.audit.atomic():
            certificate_id = self.store.add_certificate(new)
            self.audit.record(
                actor=ctx.actor,
                action="certificate.drafted",
                object_type="certificate",
                object_id=str(certificate_id),
                before=None,
                after={
                    "state": S.DRAFT.value,
                    "kind": new.kind.value,
                    "consignment": new.content.consignment,
                    "office": new.office,
                    "replaces": new.replaces,
                    "reason": new.reason or None,
                },
                now=ctx.now,
            )
        return self._fresh(certificate_id)

    def edit(self, certificate_id: int, changes: dict[str, object], *, ctx: Context) -> Certificate:
        seen = self._visible(certificate_id, ctx)
        applicant(ctx.principal, seen.enterprise, seen.city)
        editable = (S.DRAFT, S.RETURNED)
        in_state(seen, editable, "edited")
        content, wrong = apply_changes(seen.content, changes)
        if wrong:
            raise FieldsRefused(wrong)
        with self.audit.atomic():
            current = self._fresh(certificate_id)
            in_state(current, editable, "edited")
            content, wrong = apply_changes(current.content, changes)
            if wrong:  # pragma: no cover - the same changes on the same content
                raise FieldsRefused(wrong)
            revision = self.store.add_revision(certificate_id, content, at=ctx.now, actor=ctx.actor)
            self.audit.record(
                actor=ctx.actor,
                action="certificate.edited",
                object_type="certificate",
                object_id=str(certificate_id),
                before={"revision": current.revision},
                after={"revision": revision, "fields": sorted(changes)},
                now=ctx.now,
            )
        return self._fresh(certificate_id)

    def submit(self, certificate_id: int, *, ctx: Context) -> Certificate:
        return self._act(
            certificate_id,
            ctx=ctx,
            allowed=(S.DRAFT, S.RETURNED),
            to=S.SUBMITTED,
            action="submitted",
            officer=False,
        )

    def replace(
        self, certificate_id: int, reason: str, changes: dict[str, object], *, ctx: Context
    ) -> Certificate:
        old = self._visible(certificate_id, ctx)
        applicant(ctx.principal, old.enterprise, old.city)
        text = reason_text(reason)
        in_state(old, ISSUED_STATES, "replaced")
        pending = [
            c
            for c in self._replacements(old)
            if c.state not in (S.REJECTED, S.CANCELLED, S.REPLACED)
        ]
        if pending:
            raise refused(
                Kind.CONFLICT,
                Code.CERT_REPLACEMENT_PENDING,
                certificate=old.issue.number if old.issue else str(old.id),
                replacement=f"#{pending[0].id}",
            )
        content, wrong = apply_changes(old.content, changes)
        if wrong:
            raise FieldsRefused(wrong)
        new = NewCertificate(
            kind=old.kind,
            consignment_id=old.consignment_id,
            office=old.office,
            enterprise=old.enterprise,
            city=old.city,
            content=content,
            at=ctx.now,
            actor=ctx.actor,
            replaces=old.id,
            reason=text,
        )
        return self._add(new, ctx=ctx)

    def _replacements(self, old: Certificate) -> list[Certificate]:
        if old.consignment_id is None:
            return []
        return [c for c in self.store.of_consignment(old.consignment_id) if c.replaces == old.id]

    # -- the certifying officer's acts ----------------------------------------------------------

    def send_back(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate:
        return self._act(
            certificate_id,
            ctx=ctx,
            allowed=(S.SUBMITTED, S.APPROVED),
            to=S.RETURNED,
            action="returned",
            officer=True,
            reason=reason,
        )

    def approve(self, certificate_id: int, *, ctx: Context) -> Certificate:
        return self._act(
            certificate_id,
            ctx=ctx,
            allowed=(S.SUBMITTED,),
            to=S.APPROVED,
            action="approved",
            officer=True,
        )

    def reject(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate:
        return self._act(
            certificate_id,
            ctx=ctx,
            allowed=(S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED),
            to=S.REJECTED,
            action="rejected",
            officer=True,
            reason=reason,
        )

    def cancel(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate:
        return self._act(
            certificate_id,
            ctx=ctx,
            allowed=ISSUED_STATES,
            to=S.CANCELLED,
            action="cancelled",
            officer=True,
            reason=reason,
        )

    def issue(self, certificate_id: int, *, ctx: Context) -> Certificate:
        seen = self._visible(certificate_id, ctx)
        certifier(ctx.principal, seen)
        in_state(seen, (S.APPROVED,), "issued")
        with self.audit.atomic():
            current = self._fresh(certificate_id)
            in_state(current, (S.APPROVED,), "issued")
            issued = issuing.issue(self, current, ctx=ctx)
            replaced: Certificate | None = None
            if current.replaces is not None:
                old = self._fresh(current.replaces)
                if old.state in ISSUED_STATES:
                    self._move(
                        old,
                        S.REPLACED,
                        ctx=ctx,
                        action="replaced",
                        detail=say(Code.CERT_REPLACED_BY, number=issued.number).to_json(),
                        after={"replaced_by": issued.number},
                    )
                    replaced = self._fresh(old.id)
            done = self._fresh(certificate_id)
            for hook in self.hooks:
                hook.issued(done, replaced=replaced, ctx=ctx)
        return self._fresh(certificate_id)

    # -- prints ---------------------------------------------------------------------------------

    def record_print(self, certificate_id: int, *, ctx: Context) -> Print:
        seen = self._visible(certificate_id, ctx)
        if not ctx.principal.may(Action.CERTIFICATES_PRINT):
            raise refused(Kind.FORBIDDEN, Code.CERT_PRINT_FORBIDDEN)
        printable = (S.ISSUED, S.PRINTED)
        in_state(seen, printable, "printed")
        with self.audit.atomic():
            current = self._fresh(certificate_id)
            in_state(current, printable, "printed")
            done = self.store.prints(certificate_id)
            officer = ctx.principal.may(Action.CERTIFICATES_CERTIFY)
            # the original is the certifying officer's, once (the state says whether it was)
            copy = not officer or current.state is not S.ISSUED
            entry = Print(certificate_id, copy, ctx.now, ctx.actor, len(done) + 1)
            self.store.add_print(entry)
            if not copy:
                self._move(current, S.PRINTED, ctx=ctx, action="printed", after={"copy": False})
            else:
                self.audit.record(
                    actor=ctx.actor,
                    action="certificate.copy_printed",
                    object_type="certificate",
                    object_id=str(certificate_id),
                    before=None,
                    after={"copy": True, "sequence": entry.sequence},
                    now=ctx.now,
                )
        return entry

    # -- keys and numbering (``office``) --------------------------------------------------------

    def create_key(self, office_code: str, *, ctx: Context) -> OfficeKey:
        return office.create_key(self, office_code, ctx=ctx)

    def number_pattern(self, office_code: str) -> str:
        return office.pattern_of(self.store, office_code)

    def set_number_pattern(self, office_code: str, pattern: str, *, ctx: Context) -> str:
        return office.set_pattern(self, office_code, pattern, ctx=ctx)
