"""Step 1, e-declaration: an enterprise declarant drafts a consignment (or copies an earlier
one), edits the draft (a whole declaration, or its lines from a CSV), submits it, corrects it
when returned (a new version; the old one is kept), or withdraws it.

Only an enterprise declarant of the consignment's enterprise declares. Each use case writes
its change and its audit entry in one unit; the submission also calls the router inside that
unit, so that a submission and its routing are stored together, or neither.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

from phytowatch.domain.accounts import Action, Principal, Role
from phytowatch.domain.messages import Code, Kind, Word, refused, say
from phytowatch.domain.supervision.consignment import (
    Consignment,
    ConsignmentState,
    Declaration,
    Line,
    Party,
    Step,
    may_move,
)
from phytowatch.domain.supervision.routing import Route
from phytowatch.domain.supervision.validation import (
    FieldProblem,
    FieldsRefused,
    problem,
    problems,
    warnings,
    with_defaults,
)
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.supervision.consignments import ConsignmentStore, content, visible
from phytowatch.services.supervision.ports import PolicySource, Router, StandingLookup

S = ConsignmentState
EDITABLE = (S.DRAFT, S.RETURNED)
SUBMITTABLE = (S.DRAFT, S.RETURNED)
WITHDRAWABLE = tuple(state for state in ConsignmentState if may_move(state, S.WITHDRAWN))
MAX_REASON = 2000

EMPTY = Declaration(
    exporter=Party("", ""),
    consignee=Party("", ""),
    lines=(),
    destination="",
    port_of_exit="",
    conveyance="",
    marks="",
    containers=(),
    bases=(),
    runs=(),
)


@dataclass(frozen=True)
class Submitted:
    consignment: Consignment
    version: int
    declaration: Declaration
    warnings: tuple[FieldProblem, ...]  # not refusals: what routing will inspect
    route: Route | None  # None where no router is wired: it stays submitted


def _summary(consignment: Consignment, **more: Any) -> dict[str, Any]:
    return {"number": consignment.number, "enterprise": consignment.enterprise, **more}


class DeclarationParts(Protocol):
    """What the declaration needs of the application (``services.app.App`` has it all)."""

    @property
    def consignments(self) -> ConsignmentStore: ...
    @property
    def audit(self) -> AuditRecorder: ...
    @property
    def policy(self) -> PolicySource: ...
    @property
    def standing(self) -> StandingLookup: ...
    @property
    def router(self) -> Router: ...


@dataclass
class DeclarationService:
    store: ConsignmentStore
    audit: AuditRecorder
    policy: PolicySource
    standing: StandingLookup
    router: Router

    @classmethod
    def of(cls, app: DeclarationParts) -> DeclarationService:
        return cls(app.consignments, app.audit, app.policy, app.standing, app.router)

    # -- who declares -----------------------------------------------------------------------

    @staticmethod
    def _declarant(principal: Principal, enterprise: str) -> None:
        if (
            not principal.may(Action.CONSIGNMENTS_DECLARE)
            or principal.role is not Role.ENTERPRISE_DECLARANT
            or principal.enterprise != enterprise
        ):
            raise refused(Kind.FORBIDDEN, Code.DECL_DECLARANT_ONLY)

    def _own(self, ctx: Context, consignment_id: int) -> Consignment:
        found = visible(self.store, ctx.principal, consignment_id)
        self._declarant(ctx.principal, found.enterprise)
        return found

    def _exporter(self, enterprise: str) -> Party:
        ref = self.store.enterprise(enterprise)
        if ref is None:
            return Party("", "")
        return Party(ref.name_en or ref.name_zh, ref.city)

    def _defaults(self, enterprise: str, declaration: Declaration) -> Declaration:
        return with_defaults(
            declaration,
            exporter=self._exporter(enterprise),
            products=self.policy.policy().products,
        )

    # -- drafts -----------------------------------------------------------------------------

    def create(
        self, declaration: Declaration, *, ctx: Context, enterprise: str | None = None
    ) -> Consignment:
        """A new draft of the caller's enterprise (the exporter defaults to the enterprise)."""
        code = enterprise or ctx.principal.enterprise or ""
        self._declarant(ctx.principal, code)
        draft = self._defaults(code, declaration)
        with self.audit.atomic():
            made = self.store.create(code, draft, at=ctx.now, actor=ctx.actor)
            self.audit.record(
                actor=ctx.actor,
                action="consignment.drafted",
                object_type="consignment",
                object_id=str(made.id),
                after=_summary(made, lines=len(draft.lines)),
                now=ctx.now,
            )
        return made

    def copy(self, source_id: int, *, ctx: Context) -> Consignment:
        """A new draft with an earlier consignment's content, without its runs (a run backs
        the consignment it was done for)."""
        source = self._own(ctx, source_id)
        found = content(self.store, source)
        draft = replace(found or EMPTY, runs=())
        with self.audit.atomic():
            made = self.store.create(
                source.enterprise, draft, at=ctx.now, actor=ctx.actor, copied_from=source.id
            )
            self.audit.record(
                actor=ctx.actor,
                action="consignment.copied",
                object_type="consignment",
                object_id=str(made.id),
                after=_summary(made, copied_from=source.number),
                now=ctx.now,
            )
        return made

    def _editable(self, ctx: Context, consignment_id: int) -> Consignment:
        found = self._own(ctx, consignment_id)
        if found.state not in EDITABLE:
            raise refused(
                Kind.CONFLICT,
                Code.DECL_NOT_DRAFT,
                number=found.number,
                state=Word(found.state.value),
            )
        return found

    def edit(self, consignment_id: int, declaration: Declaration, *, ctx: Context) -> Consignment:
        """Replace the draft (or the correction of a returned one)."""
        found = self._editable(ctx, consignment_id)
        with self.audit.atomic():
            if not self.store.save_draft(found.id, found.state, declaration, at=ctx.now):
                raise refused(Kind.CONFLICT, Code.DECL_RACE, number=found.number)
            self.audit.record(
                actor=ctx.actor,
                action="consignment.draft_saved",
                object_type="consignment",
                object_id=str(found.id),
                after=_summary(found, lines=len(declaration.lines)),
                now=ctx.now,
            )
        return found

    def replace_lines(
        self, consignment_id: int, lines: tuple[Line, ...], *, ctx: Context
    ) -> Consignment:
        """The draft's lines replaced by these (a CSV upload)."""
        found = self._editable(ctx, consignment_id)
        draft = content(self.store, found) or EMPTY
        return self.edit(found.id, replace(draft, lines=lines), ctx=ctx)

    # -- submission -------------------------------------------------------------------------

    def check(self, enterprise: str, declaration: Declaration) -> list[FieldProblem]:
        """Every refusal of a submission of ``declaration`` by ``enterprise``."""
        bases = {number: self.standing.base(number) for number in set(declaration.bases)}
        runs = self.store.backing_runs(declaration.runs)
        return problems(
            declaration,
            enterprise=enterprise,
            products=self.policy.policy().products,
            bases=bases,
            runs=runs,
        )

    def submit(self, consignment_id: int, *, ctx: Context) -> Submitted:
        """Validate fully, store version N+1, move to submitted, and route it, in one unit.
        :class:`FieldsRefused` with every field's refusal when it is not complete."""
        found = self._own(ctx, consignment_id)
        if found.state not in SUBMITTABLE:
            raise refused(
                Kind.CONFLICT,
                Code.DECL_CANNOT_SUBMIT,
                number=found.number,
                state=Word(found.state.value),
            )
        draft = content(self.store, found)
        if draft is None:
            raise FieldsRefused([problem("lines", Code.DECL_NO_LINES)])
        declaration = self._defaults(found.enterprise, draft)
        refusals = self.check(found.enterprise, declaration)
        if refusals:
            raise FieldsRefused(refusals)
        backing = list(self.store.backing_runs(declaration.runs).values())
        said = tuple(warnings(declaration, self.policy.policy().destinations, backing))
        version = found.version + 1
        step = Step.SUBMITTED if found.state is S.DRAFT else Step.RESUBMITTED
        with self.audit.atomic():
            self.store.add_version(found.id, version, declaration, at=ctx.now, actor=ctx.actor)
            moved = self.store.move(
                found.id,
                found.state,
                S.SUBMITTED,
                step=step,
                at=ctx.now,
                actor=ctx.actor,
                detail=say(Code.DECL_VERSION, version=version).to_json(),
            )
            if not moved:
                raise refused(Kind.CONFLICT, Code.DECL_RACE, number=found.number)
            self.audit.record(
                actor=ctx.actor,
                action=f"consignment.{step.value}",
                object_type="consignment",
                object_id=str(found.id),
                before={"state": found.state.value, "version": found.version},
                after=_summary(
                    found,
                    state=S.SUBMITTED.value,
                    version=version,
                    warnings=[w.message.code.value for w in said],
                ),
                now=ctx.now,
            )
            now_submitted = replace(found, state=S.SUBMITTED, version=version)
            route = self.router.on_submitted(now_submitted, declaration, ctx=ctx)
        after = self.store.consignment(found.id) or now_submitted
        return Submitted(after, version, declaration, said, route)

    def withdraw(self, consignment_id: int, reason: str, *, ctx: Context) -> Consignment:
        """Withdrawn by the declarant, with a reason (a draft, submitted, routed or returned)."""
        found = self._own(ctx, consignment_id)
        reason = reason.strip()
        if not reason:
            raise FieldsRefused([problem("reason", Code.FIELD_REQUIRED)])
        if len(reason) > MAX_REASON:
            raise FieldsRefused([problem("reason", Code.DECL_TOO_LONG, max=MAX_REASON)])
        if found.state not in WITHDRAWABLE:
            raise refused(
                Kind.CONFLICT,
                Code.DECL_CANNOT_WITHDRAW,
                number=found.number,
                state=Word(found.state.value),
            )
        with self.audit.atomic():
            moved = self.store.move(
                found.id,
                found.state,
                S.WITHDRAWN,
                step=Step.WITHDRAWN,
                at=ctx.now,
                actor=ctx.actor,
                detail=say(Code.DECL_REASON, reason=reason).to_json(),
            )
            if not moved:
                raise refused(Kind.CONFLICT, Code.DECL_RACE, number=found.number)
            self.audit.record(
                actor=ctx.actor,
                action="consignment.withdrawn",
                object_type="consignment",
                object_id=str(found.id),
                before={"state": found.state.value},
                after=_summary(found, state=S.WITHDRAWN.value, reason=reason),
                now=ctx.now,
            )
        return replace(found, state=S.WITHDRAWN)
