"""The IPPC mark as use cases: an inspector authorises the mark for a load of wood packaging
treated in a passed, signed-off run; anyone within reach lists and reads the authorisations; and
anyone at all verifies one, by its number and check code or by its token.

Only an inspector (``marks:authorise``) of an office covering the facility's enterprise may
authorise; a run out of reach is the same 404 as one that does not exist. The record and its
audit entry are one unit, and the unit holds the audit trail's write lock, so the yearly numbers
follow each other without gaps. Verification is public: a failed look-up is counted per address
like a failed login (``services.accounts.lockout``), and the answer never says whether a number
exists without its check code.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol, cast

from phytowatch.domain.accounts import (
    ADDRESS_LOCKOUT,
    Action,
    FailureCount,
    LockoutPolicy,
    Principal,
    Role,
)
from phytowatch.domain.certificates.mark import (
    MAX_REASON,
    NUMBER_PATTERN,
    Authorisation,
    MarkFacility,
    MarkPolicy,
    MarkRun,
    Method,
    Revocation,
    check_code,
    mark_text,
    may_authorise,
    normal_check,
    parse_load,
)
from phytowatch.domain.messages import Code, Kind, Message, Refused, refused
from phytowatch.services.accounts.lockout import give_back, locked_error, take_attempt
from phytowatch.services.accounts.ports import AccountStore
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.paging import Found

Reach = tuple[Sequence[str], Sequence[str]] | None  # (cities, enterprise codes); None: all
VERIFY_LOCKOUT = ADDRESS_LOCKOUT  # a verifier gets the room an office behind one address gets


class MarkStore(Protocol):
    def mark_facts(self, run_id: int) -> tuple[MarkRun, MarkFacility] | None:
        """The run and its facility as the rule sees them (``None``: no such run)."""
        ...

    def add(self, draft: Authorisation, *, year: int) -> Authorisation:
        """Store ``draft`` under the next number of ``year`` (inside the caller's unit, which
        holds the audit lock: numbers follow without gaps); the stored record."""
        ...

    def by_number(self, number: str) -> Authorisation | None: ...

    def by_token(self, token: str) -> Authorisation | None: ...

    def of_run(self, run_id: int) -> list[Authorisation]:
        """Oldest first."""
        ...

    def owner(self, number: str) -> tuple[str, str] | None:
        """The authorisation's enterprise code and city."""
        ...

    def find(self, reach: Reach, *, offset: int, limit: int | None) -> Found[Authorisation]:
        """Newest first, within ``reach``; ``limit`` None: every one from ``offset``."""
        ...

    def revoke(self, revocation: Revocation) -> None:
        """Store the revocation (at most one per authorisation: a second is refused by the
        database's unique constraint)."""
        ...

    def revocation_of(self, number: str) -> Revocation | None: ...


class FailureCounts(Protocol):
    def change_failures(
        self, key: str, change: Callable[[FailureCount], FailureCount]
    ) -> tuple[FailureCount, FailureCount]: ...


@dataclass(frozen=True)
class Verified:
    """What the public verification shows: the record, and whether the mark stands."""

    authorisation: Authorisation
    stands: bool  # not revoked, and the run still backs it (signed off, PASS)
    lines: tuple[str, str]
    revocation: Revocation | None = None


def _reach(principal: Principal) -> Reach:
    if principal.sees_everything:
        return None
    if principal.role is not None and principal.role.is_enterprise:
        return [], [principal.enterprise or ""]
    where = principal.jurisdiction
    if where is None or not (principal.role is not None and principal.role.is_bureau):
        return [], []
    if where.everywhere:
        return None
    return sorted(where.cities), sorted(where.enterprises)


def year_of(us: int) -> int:
    return datetime.fromtimestamp(us / 1e6, UTC).year


class Marks:
    """The IPPC mark's use cases (``App.marks``)."""

    def __init__(
        self,
        store: MarkStore,
        audit: AuditRecorder,
        policy: MarkPolicy,
        failures: FailureCounts,
        *,
        token: Callable[[], str] = lambda: secrets.token_urlsafe(24),
        lockout: LockoutPolicy = VERIFY_LOCKOUT,
    ) -> None:
        self.store = store
        self.audit = audit
        self.policy = policy
        self.failures = failures
        # the lock-out helpers call only ``change_failures`` of the accounts' store
        self._counts = cast("AccountStore", failures)
        self._token = token
        self._lockout = lockout

    # -- authorise ---------------------------------------------------------------------------

    def _facts(self, principal: Principal, run_id: int) -> tuple[MarkRun, MarkFacility]:
        found = self.store.mark_facts(run_id) if 1 <= run_id < 2**31 else None
        if found is None or not principal.covers(found[1].enterprise, found[1].city):
            raise refused(Kind.NOT_FOUND, Code.NO_RUN, run=run_id)
        return found

    def refusal(
        self, run_id: int, *, principal: Principal, method: Method | None = None
    ) -> Message | None:
        """Why the mark cannot be authorised on this run now (``None``: it can); for the run
        page, which offers the form only where it can."""
        run, facility = self._facts(principal, run_id)
        schedule = self.policy.method_of(run.schedule_id)
        return may_authorise(
            run, facility, schedule, wanted=method, kinds=self.policy.facility_kinds
        )

    def authorise(
        self,
        run_id: int,
        *,
        load: str,
        quantity: str,
        unit: str,
        method: str = "",
        ctx: Context,
    ) -> Authorisation:
        principal = ctx.principal
        if not principal.may(Action.MARKS_AUTHORISE) or principal.role is not Role.INSPECTOR:
            raise refused(Kind.FORBIDDEN, Code.MARK_INSPECTOR_ONLY)
        wanted: Method | None = None
        if method.strip():
            try:
                wanted = Method(method.strip().upper())
            except ValueError:
                choices = ", ".join(m.value for m in Method)
                raise refused(Kind.INVALID, Code.MARK_METHOD_CHOICE, choices=choices) from None
        run, facility = self._facts(principal, run_id)
        schedule = self.policy.method_of(run.schedule_id)
        why = may_authorise(
            run, facility, schedule, wanted=wanted, kinds=self.policy.facility_kinds
        )
        if why is not None:
            raise Refused(Kind.CONFLICT, why)
        assert schedule is not None and facility.treater_number is not None
        parsed = parse_load(load, quantity, unit)
        if isinstance(parsed, Message):
            raise Refused(Kind.INVALID, parsed)
        office = principal.office or ""
        bureau = self.policy.bureau_code(office)
        if bureau is None:
            raise refused(Kind.CONFLICT, Code.MARK_NO_BUREAU_CODE, office=office)
        token = self._token()
        draft = Authorisation(
            number="",
            run_id=run.run_id,
            facility=facility.code,
            enterprise=facility.enterprise,
            treater_number=facility.treater_number,
            bureau_code=bureau.value,
            mark=mark_text(
                self.policy.country, bureau.value, facility.treater_number, schedule.method
            ),
            method=schedule.method,
            schedule_id=run.schedule_id,
            load=parsed,
            office=office,
            by=ctx.actor,
            at=ctx.now,
            token=token,
            check_code=check_code(token),
        )
        with self.audit.atomic():
            stored = self.store.add(replace(draft, number=""), year=year_of(ctx.now))
            self.audit.record(
                actor=ctx.actor,
                action="mark.authorised",
                object_type="mark",
                object_id=stored.number,
                after={
                    "run": run.run_id,
                    "facility": facility.code,
                    "mark": stored.mark,
                    "method": stored.method.value,
                    "schedule": stored.schedule_id,
                    "load": parsed.description,
                    "quantity": str(parsed.quantity),
                    "unit": parsed.unit.value,
                    "office": office,
                    "bureau_code_confidence": bureau.confidence.value,
                },
                now=ctx.now,
            )
        return stored

    def revoke(self, number: str, *, reason: str, ctx: Context) -> Revocation:
        """Withdraw an authorisation, saying why: its own record beside the authorisation,
        which stays as written; the verification then says the mark does not stand."""
        principal = ctx.principal
        if not principal.may(Action.MARKS_AUTHORISE) or principal.role is not Role.INSPECTOR:
            raise refused(Kind.FORBIDDEN, Code.MARK_INSPECTOR_ONLY)
        found = self.by_number(number, principal=principal)
        text = reason.strip()
        if not text or len(text) > MAX_REASON or not text.replace("\n", " ").isprintable():
            raise refused(Kind.INVALID, Code.FIELD_TEXT, field="reason", max=MAX_REASON)
        revocation = Revocation(found.number, text, principal.office or "", ctx.actor, ctx.now)
        with self.audit.atomic():
            if self.store.revocation_of(found.number) is not None:
                raise refused(Kind.CONFLICT, Code.MARK_REVOKED_ALREADY, number=found.number)
            self.store.revoke(revocation)
            self.audit.record(
                actor=ctx.actor,
                action="mark.revoked",
                object_type="mark",
                object_id=found.number,
                before={"mark": found.mark},
                after={"revoked": True, "reason": text, "office": revocation.office},
                now=ctx.now,
            )
        return revocation

    def revocation_of(self, number: str) -> Revocation | None:
        return self.store.revocation_of(number)

    # -- reads within reach ------------------------------------------------------------------

    def of_run(self, run_id: int, *, principal: Principal) -> list[Authorisation]:
        self._facts(principal, run_id)
        return self.store.of_run(run_id)

    def find(
        self, *, principal: Principal, offset: int = 0, limit: int | None = 50
    ) -> Found[Authorisation]:
        return self.store.find(_reach(principal), offset=offset, limit=limit)

    def by_number(self, number: str, *, principal: Principal) -> Authorisation:
        found = self.store.by_number(number) if NUMBER_PATTERN.match(number) else None
        owner = None if found is None else self.store.owner(number)
        if found is None or owner is None or not principal.covers(*owner):
            raise refused(Kind.NOT_FOUND, Code.NO_MARK, number=number[:32])
        return found

    # -- public verification -----------------------------------------------------------------

    def _verified(self, found: Authorisation) -> Verified:
        facts = self.store.mark_facts(found.run_id)
        stands = facts is not None and (
            may_authorise(
                facts[0],
                facts[1],
                self.policy.method_of(facts[0].schedule_id),
                wanted=found.method,
                kinds=self.policy.facility_kinds,
            )
            is None
        )
        head, _, method = found.mark.rpartition(" ")
        revoked = self.store.revocation_of(found.number)
        return Verified(found, stands and revoked is None, (head, method), revoked)

    def _look_up(
        self, address: str, now: int, find: Callable[[], Authorisation | None]
    ) -> Verified:
        wait, taken = take_attempt(self._counts, ((f"mark:{address}", self._lockout),), now)
        if wait is not None:
            raise locked_error(wait)
        found = find()
        if found is None:
            raise refused(Kind.NOT_FOUND, Code.MARK_VERIFY_NONE)  # counted: not given back
        give_back(self._counts, taken)
        return self._verified(found)

    def verify(self, number: str, check: str, *, address: str, now: int) -> Verified:
        """The authorisation with this number and check code; the same 404 for a wrong number
        and a wrong code, and a failure counted against the address either way."""
        wanted = normal_check(check)[:16]
        number = number.strip().upper()[:32]
        if not number or not wanted:
            raise refused(Kind.INVALID, Code.MARK_VERIFY_ASK)

        def find() -> Authorisation | None:
            found = self.store.by_number(number) if NUMBER_PATTERN.match(number) else None
            if found is None or not hmac.compare_digest(found.check_code, wanted):
                return None
            return found

        return self._look_up(address, now, find)

    def verify_token(self, token: str, *, address: str, now: int) -> Verified:
        text = token.strip()
        if not text:
            raise refused(Kind.INVALID, Code.MARK_VERIFY_ASK)
        ok = 16 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)
        return self._look_up(address, now, lambda: self.store.by_token(text) if ok else None)
