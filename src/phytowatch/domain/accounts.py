"""Who may do what: roles, the actions each allows, jurisdictions, and the lock-out rule.

Pure values and functions (time is a parameter). The storage of accounts and the checks made on
each request live in ``services.accounts`` and ``web.auth``; the reasons behind each choice are in
docs/accounts.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from phytowatch.domain.messages import Code, Kind, Message, refused, say


class Role(StrEnum):
    ENTERPRISE_OPERATOR = "enterprise_operator"
    ENTERPRISE_DECLARANT = "enterprise_declarant"
    INSPECTOR = "inspector"
    CERTIFYING_OFFICER = "certifying_officer"
    PORT_OFFICER = "port_officer"
    ADMINISTRATOR = "administrator"

    @property
    def is_enterprise(self) -> bool:
        return self in ENTERPRISE_ROLES

    @property
    def is_bureau(self) -> bool:
        return self in BUREAU_ROLES


ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_OPERATOR, Role.ENTERPRISE_DECLARANT})
BUREAU_ROLES = frozenset({Role.INSPECTOR, Role.CERTIFYING_OFFICER, Role.PORT_OFFICER})


class Action(StrEnum):
    """Everything a route can require. A route names exactly one (see ``web.auth``)."""

    INGEST_WRITE = "ingest:write"  # device tokens only
    SNAPSHOT_WRITE = "snapshots:write"  # device tokens only
    FACILITIES_READ = "facilities:read"
    SNAPSHOTS_READ = "snapshots:read"
    REGISTRY_WRITE = "registry:write"  # enterprises, facilities, device tokens
    CALIBRATIONS_WRITE = "calibrations:write"  # calibrations and cameras
    RUNS_READ = "runs:read"
    RUNS_WRITE = "runs:write"  # start, close
    READINGS_READ = "readings:read"  # a run's readings, its CSV export
    SIGNOFF_READ = "signoff:read"
    SIGNOFF_WRITE = "signoff:write"
    ALARMS_READ = "alarms:read"
    ALARMS_ACK = "alarms:acknowledge"
    ALARMS_CLEAR = "alarms:clear"
    EVENTS_READ = "events:read"
    USERS_WRITE = "users:write"  # people: add, role, disable, password reset (a session only)
    # the e-supervision chain (steps 1-3)
    POLICY_READ = "policy:read"  # products, destination requirements, routing rules in force
    POLICY_WRITE = "policy:write"  # edit a policy document (a new version, audited)
    CONSIGNMENTS_READ = "consignments:read"  # consignments, their timeline, routing, assessment
    CONSIGNMENTS_DECLARE = "consignments:declare"  # draft, submit, correct, withdraw, copy
    CONSIGNMENTS_ASSESS = "consignments:assess"  # inspect, return, reject: an inspector's own
    CLASSIFICATION_WRITE = "classification:write"  # set a class, confirm a proposed change
    BASES_WRITE = "bases:write"  # register, suspend, reinstate a raw-material base
    # the e-supervision chain (step 4): certificates, the IPPC mark, ePhyto
    CERTIFICATES_READ = "certificates:read"  # certificates, their history, prints, signature
    CERTIFICATES_APPLY = "certificates:apply"  # draft, edit, submit, ask for a replacement
    CERTIFICATES_CERTIFY = "certificates:certify"  # return, approve, reject, issue, cancel
    CERTIFICATES_PRINT = "certificates:print"  # print (the original once, then copies)
    MARKS_AUTHORISE = "marks:authorise"  # authorise the IPPC mark for a load of a passed run
    EPHYTO_READ = "ephyto:read"  # received ePhyto certificates
    EPHYTO_IMPORT = "ephyto:import"  # import a received ePhyto certificate
    # the e-supervision chain (steps 5-6) and the bureau's view
    TRANSFERS_READ = "transfers:read"  # e-transfers, their amendments, port checks, releases
    TRANSFERS_AMEND = "transfers:amend"  # ask for an allowed change of a transferred consignment
    TRANSFERS_RETRIEVE = "transfers:retrieve"  # take a transfer at the port (number + password)
    PORT_RELEASE = "port:release"  # record the port check, release or hold
    KPI_READ = "kpi:read"  # the bureau's figures
    OUTBOX_READ = "outbox:read"  # what waits to be delivered to other systems, and why


DEVICE_ACTIONS = frozenset({Action.INGEST_WRITE, Action.SNAPSHOT_WRITE})
# never carried by a personal API token, whatever its scope: a stolen token must not be able to
# make itself a permanent account
SESSION_ONLY_ACTIONS = frozenset({Action.USERS_WRITE})

_SEE = {
    Action.FACILITIES_READ,
    Action.SNAPSHOTS_READ,
    Action.RUNS_READ,
    Action.READINGS_READ,
    Action.SIGNOFF_READ,
    Action.ALARMS_READ,
    Action.EVENTS_READ,
    Action.POLICY_READ,
    Action.CONSIGNMENTS_READ,
    Action.CERTIFICATES_READ,
    Action.TRANSFERS_READ,
    Action.KPI_READ,
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    # runs the kiln: starts and closes runs, records calibrations, answers alarms on its kilns
    Role.ENTERPRISE_OPERATOR: frozenset(
        {*_SEE, Action.RUNS_WRITE, Action.CALIBRATIONS_WRITE, Action.ALARMS_ACK}
        - {Action.KPI_READ}  # the bureau's figures are the bureau's
    ),
    # declares consignments (a later issue): reads runs and their sign-off to link them
    Role.ENTERPRISE_DECLARANT: frozenset(
        {
            Action.FACILITIES_READ,
            Action.RUNS_READ,
            Action.READINGS_READ,
            Action.SIGNOFF_READ,
            Action.POLICY_READ,
            Action.CONSIGNMENTS_READ,
            Action.CONSIGNMENTS_DECLARE,
            Action.CERTIFICATES_READ,
            Action.CERTIFICATES_APPLY,
            Action.CERTIFICATES_PRINT,  # copies only: the original is the certifying officer's
            Action.TRANSFERS_READ,  # its own consignments' transfers, number and password
            Action.TRANSFERS_AMEND,
        }
    ),
    # watches the wall, acts on alarms, signs runs off, inspects consignments, suspends bases
    Role.INSPECTOR: frozenset(
        {
            *_SEE,
            Action.ALARMS_ACK,
            Action.ALARMS_CLEAR,
            Action.SIGNOFF_WRITE,
            Action.CONSIGNMENTS_ASSESS,
            Action.BASES_WRITE,
            Action.MARKS_AUTHORISE,
            Action.EPHYTO_READ,
            Action.EPHYTO_IMPORT,
        }
    ),
    # approves, issues (signs), prints and cancels certificates: reads everything in its office
    Role.CERTIFYING_OFFICER: frozenset(
        {
            *_SEE,
            Action.CERTIFICATES_CERTIFY,
            Action.CERTIFICATES_PRINT,
            Action.EPHYTO_READ,
            Action.EPHYTO_IMPORT,
        }
    ),
    # releases at the port: needs a run and whether it was signed off, not the kiln's alarms
    Role.PORT_OFFICER: frozenset(
        {
            Action.FACILITIES_READ,
            Action.RUNS_READ,
            Action.SIGNOFF_READ,
            Action.POLICY_READ,
            Action.CONSIGNMENTS_READ,
            Action.CERTIFICATES_READ,
            Action.EPHYTO_READ,
            Action.EPHYTO_IMPORT,
            Action.TRANSFERS_READ,
            Action.TRANSFERS_RETRIEVE,
            Action.PORT_RELEASE,
            Action.KPI_READ,
        }
    ),
    # everything but a sign-off, an assessment or a mark, which are an inspector's own judgement,
    # a declaration, an application or an amendment, which are the enterprise's, a certificate's
    # approval, issue and print, which are the certifying officer's, and taking a transfer, the
    # port check and the release, which are the port officer's
    Role.ADMINISTRATOR: frozenset(
        set(Action)
        - DEVICE_ACTIONS
        - {
            Action.SIGNOFF_WRITE,
            Action.CONSIGNMENTS_ASSESS,
            Action.CONSIGNMENTS_DECLARE,
            Action.MARKS_AUTHORISE,
            Action.CERTIFICATES_APPLY,
            Action.CERTIFICATES_CERTIFY,
            Action.CERTIFICATES_PRINT,
            Action.TRANSFERS_AMEND,
            Action.TRANSFERS_RETRIEVE,
            Action.PORT_RELEASE,
        }
    ),
}

ROLE_TITLES = {
    Role.ENTERPRISE_OPERATOR: ("treatment operator", "处理操作员"),
    Role.ENTERPRISE_DECLARANT: ("enterprise declarant", "企业报检员"),
    Role.INSPECTOR: ("bureau inspector", "检验检疫官"),
    Role.CERTIFYING_OFFICER: ("certifying officer", "签证官"),
    Role.PORT_OFFICER: ("port officer", "口岸检验检疫官"),
    Role.ADMINISTRATOR: ("administrator", "系统管理员"),
}


def parse_role(text: str) -> Role:
    """A role from its name; ``ValueError`` names the valid ones."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise refused(Kind.INVALID, Code.ROLE_UNKNOWN, role=text, roles=known) from None


def parse_scopes(texts: Iterable[str]) -> frozenset[Action]:
    out = set()
    for text in texts:
        try:
            action = Action(text.strip())
        except ValueError:
            known = ", ".join(
                a.value for a in Action if a not in DEVICE_ACTIONS | SESSION_ONLY_ACTIONS
            )
            raise refused(Kind.INVALID, Code.SCOPE_UNKNOWN, scope=text, scopes=known) from None
        if action in SESSION_ONLY_ACTIONS:
            raise refused(Kind.INVALID, Code.SCOPE_SESSION_ONLY, action=action.value)
        out.add(action)
    return frozenset(out)


@dataclass(frozen=True)
class Jurisdiction:
    """What a bureau office covers: whole cities, single enterprises, or the whole province."""

    cities: frozenset[str] = frozenset()
    enterprises: frozenset[str] = frozenset()  # enterprise codes
    everywhere: bool = False

    def covers(self, enterprise_code: str, city: str) -> bool:
        return self.everywhere or city in self.cities or enterprise_code in self.enterprises


@dataclass(frozen=True)
class Principal:
    """Who is asking, as every check sees it.

    ``kind``: ``user`` (a session or a personal token), ``admin_token`` (the break-glass bearer
    of PHYTOWATCH_ADMIN_TOKEN), ``device`` (a facility's token). ``actions`` is already narrowed
    by a personal token's scope. ``enterprise`` is set for enterprise users, ``jurisdiction``
    for bureau staff; an administrator has neither and sees everything.
    """

    kind: str
    actor: str  # for the audit trail: "user:<login>", "admin-token", "device:<facility>"
    actions: frozenset[Action]
    role: Role | None = None
    user_id: int | None = None
    login: str | None = None
    enterprise: str | None = None  # enterprise code
    office: str | None = None  # office code
    jurisdiction: Jurisdiction | None = None
    facility: str | None = None  # a device's facility code
    via_token: bool = False  # a personal API token, not a session
    session_id: int | None = None
    # a session of a person whose password an administrator set: only the change form opens
    must_change_password: bool = False

    def may(self, action: Action) -> bool:
        return action in self.actions

    @property
    def sees_everything(self) -> bool:
        return self.kind == "admin_token" or self.role is Role.ADMINISTRATOR

    def covers(self, enterprise_code: str, city: str) -> bool:
        """Whether a facility of this enterprise (in this city) is within the caller's reach."""
        if self.sees_everything:
            return True
        if self.role is not None and self.role.is_enterprise:
            return self.enterprise == enterprise_code
        if self.role is not None and self.role.is_bureau and self.jurisdiction is not None:
            return self.jurisdiction.covers(enterprise_code, city)
        return False


def effective_actions(
    role: Role, scopes: frozenset[Action] | None, *, via_token: bool = False
) -> frozenset[Action]:
    """What a person may do: the role's actions; through a personal token, its scope, never
    wider than the role, and never what needs a session."""
    allowed = ROLE_ACTIONS[role]
    if via_token:
        allowed = allowed - SESSION_ONLY_ACTIONS
    return allowed if scopes is None else allowed & scopes


# -- passwords --------------------------------------------------------------------------------

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # a longer one is refused before hashing: hashing is the expensive part


def password_problem(password: str, login: str) -> Message | None:
    """Why a new password is refused, or None. Length is what matters (NIST SP 800-63B §5.1.1)."""
    if len(password) < MIN_PASSWORD:
        return say(Code.PASSWORD_SHORT, min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return say(Code.PASSWORD_LONG, max=MAX_PASSWORD)
    if password.strip().lower() == login.strip().lower():
        return say(Code.PASSWORD_IS_LOGIN)
    if len(set(password)) < 4:
        return say(Code.PASSWORD_REPETITIVE)
    return None


# -- lock-out ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``free`` failures in a row, each further one locks for a doubling delay.

    Per account: 5 free, then 30 s, 60 s, 120 s, … up to 15 min. Per source address the same
    shape with more room (20 free): one office behind one NAT address should not lock itself out.
    A success clears the account's count (not the address's: an attacker with one valid
    account must not reset its counter that way).
    """

    free: int
    first_delay_us: int
    max_delay_us: int

    def locked_until(self, failures: int, last_failure_at: int) -> int | None:
        if failures < self.free:
            return None
        delay: int = self.first_delay_us << min(failures - self.free, 20)
        return last_failure_at + min(delay, self.max_delay_us)


ACCOUNT_LOCKOUT = LockoutPolicy(free=5, first_delay_us=30_000_000, max_delay_us=900_000_000)
ADDRESS_LOCKOUT = LockoutPolicy(free=20, first_delay_us=30_000_000, max_delay_us=900_000_000)
FAILURE_MEMORY_US = 24 * 3600 * 1_000_000  # a failure older than a day is forgotten


@dataclass(frozen=True)
class FailureCount:
    failures: int = 0
    last_failure_at: int = 0

    def after_failure(self, now: int) -> FailureCount:
        if self.failures and now - self.last_failure_at > FAILURE_MEMORY_US:
            return FailureCount(1, now)
        return FailureCount(self.failures + 1, now)

    def locked_until(self, policy: LockoutPolicy, now: int) -> int | None:
        if now - self.last_failure_at > FAILURE_MEMORY_US:
            return None
        until = policy.locked_until(self.failures, self.last_failure_at)
        return until if until is not None and until > now else None


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    jurisdiction: Jurisdiction = field(default_factory=Jurisdiction)
