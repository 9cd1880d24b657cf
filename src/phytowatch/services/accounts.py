"""Accounts: users, offices, passwords, sessions, personal API tokens, lock-out.

Secrets are never stored: a password as its scrypt hash (per-user salt), a session id and a
personal token as their SHA-256 (they are 256 random bits; nothing to guess). Every change of an
account is recorded through the audit port, never with a secret in it. Time is a parameter.
Choices and their reasons: docs/accounts.md.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from phytowatch.domain.accounts import (
    ACCOUNT_LOCKOUT,
    ADDRESS_LOCKOUT,
    MAX_PASSWORD,
    ROLE_ACTIONS,
    Action,
    FailureCount,
    Jurisdiction,
    LockoutPolicy,
    Office,
    Principal,
    Role,
    effective_actions,
    parse_role,
    parse_scopes,
    password_problem,
)
from phytowatch.domain.messages import Code, Kind, Refused, Word, refused, say
from phytowatch.services.audit import AuditRecorder

SESSION_PREFIX = "pws_"
USER_TOKEN_PREFIX = "pwu_"
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}\Z")
_OFFICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}\Z")
MIN_HASH_COST = 10  # log2 of scrypt's N; 15 by default (docs/accounts.md)
MAX_HASH_COST = 20


# -- values and ports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRecord:
    id: int
    login: str
    name: str
    role: Role
    enterprise: str | None
    office: str | None
    password_hash: str
    disabled: bool
    created_at: int


@dataclass(frozen=True)
class SessionRecord:
    id: int
    user_id: int
    csrf_token: str
    created_at: int
    last_seen_at: int
    expires_at: int
    revoked_at: int | None


@dataclass(frozen=True)
class TokenRecord:
    id: int
    user_id: int
    name: str
    hint: str
    scopes: frozenset[Action] | None  # None: the whole role
    created_at: int
    expires_at: int | None
    last_used_at: int | None
    revoked_at: int | None


class AccountStore(Protocol):
    def add_user(
        self,
        login: str,
        name: str,
        role: str,
        enterprise: str | None,
        office: str | None,
        password_hash: str,
        *,
        now: int,
    ) -> int: ...

    def user_by_login(self, login: str) -> UserRecord | None: ...

    def user(self, user_id: int) -> UserRecord | None: ...

    def list_users(self) -> list[UserRecord]: ...

    def update_user(self, user_id: int, values: Mapping[str, Any], *, now: int) -> None: ...

    def enterprise_exists(self, code: str) -> bool: ...

    def add_office(
        self,
        code: str,
        name: str,
        cities: Sequence[str],
        enterprises: Sequence[str],
        everywhere: bool,
        *,
        now: int,
    ) -> None: ...

    def office(self, code: str) -> Office | None: ...

    def list_offices(self) -> list[Office]: ...

    def add_session(
        self,
        user_id: int,
        token_hash: str,
        csrf_token: str,
        address: str,
        *,
        now: int,
        expires_at: int,
    ) -> int: ...

    def session_by_hash(self, token_hash: str) -> SessionRecord | None: ...

    def touch_session(self, session_id: int, *, now: int) -> None: ...

    def revoke_sessions(self, user_id: int, *, now: int, keep: int | None = None) -> int: ...

    def revoke_session(self, session_id: int, *, now: int) -> None: ...

    def failures(self, key: str) -> FailureCount: ...

    def set_failures(self, key: str, count: FailureCount) -> None: ...

    def change_failures(
        self, key: str, change: Callable[[FailureCount], FailureCount]
    ) -> tuple[FailureCount, FailureCount]:
        """``change`` applied with no other change of the key in between: (before, after)."""
        ...

    def add_token(
        self,
        user_id: int,
        name: str,
        token_hash: str,
        hint: str,
        scopes: str | None,
        *,
        now: int,
        expires_at: int | None,
    ) -> int: ...

    def token_by_hash(self, token_hash: str) -> TokenRecord | None: ...

    def tokens_of(self, user_id: int) -> list[TokenRecord]: ...

    def revoke_token(self, token_id: int, *, now: int) -> None: ...

    def touch_token(self, token_id: int, *, now: int) -> None: ...


# -- passwords ----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, cost: int) -> str:
    """``scrypt$<log2 N>$<r>$<p>$<salt>$<hash>``: the cost travels with the hash."""
    if not MIN_HASH_COST <= cost <= MAX_HASH_COST:
        raise refused(Kind.INVALID, Code.HASH_COST, cost=cost, min=MIN_HASH_COST, max=MAX_HASH_COST)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, cost, 8, 1)
    return f"scrypt${cost}$8$1${_b64(salt)}${_b64(digest)}"


def _scrypt(password: str, salt: bytes, cost: int, r: int, p: int) -> bytes:
    n = 2**cost
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=32
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, cost, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = _scrypt(password, base64.b64decode(salt), int(cost), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, base64.b64decode(digest))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- users and offices --------------------------------------------------------------------------


def _user_view(user: UserRecord) -> dict[str, Any]:
    """What the audit trail keeps of a user: never the password hash."""
    return {
        "login": user.login,
        "name": user.name,
        "role": user.role.value,
        "enterprise": user.enterprise,
        "office": user.office,
        "disabled": user.disabled,
    }


def _placement(
    store: AccountStore, role: Role, enterprise: str | None, office: str | None
) -> tuple[str | None, str | None]:
    """The enterprise or office a role needs, checked; the other is dropped."""
    if role.is_enterprise:
        if not enterprise:
            raise refused(Kind.INVALID, Code.ROLE_NEEDS_ENTERPRISE, role=Word(role.value))
        if not store.enterprise_exists(enterprise):
            raise refused(Kind.NOT_FOUND, Code.NO_ENTERPRISE, enterprise=enterprise)
        if office:
            raise refused(Kind.INVALID, Code.ROLE_NOT_OFFICE, role=Word(role.value))
        return enterprise, None
    if role.is_bureau:
        if not office:
            raise refused(Kind.INVALID, Code.ROLE_NEEDS_OFFICE, role=Word(role.value))
        if store.office(office) is None:
            raise refused(Kind.NOT_FOUND, Code.NO_OFFICE, office=office)
        if enterprise:
            raise refused(Kind.INVALID, Code.ROLE_NOT_ENTERPRISE, role=Word(role.value))
        return None, office
    if enterprise or office:
        raise refused(Kind.INVALID, Code.ADMIN_PLACEMENT)
    return None, None


def _text(label: str, value: str, most: int) -> str:
    value = value.strip()
    if not value or len(value) > most or not value.isprintable():
        raise refused(Kind.INVALID, Code.FIELD_TEXT, field=Word(label), max=most)
    return value


def add_user(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    actor: str,
    login: str,
    name: str,
    role: str,
    password: str,
    enterprise: str | None = None,
    office: str | None = None,
    cost: int,
    now: int,
) -> UserRecord:
    login = login.strip().lower()
    if not _LOGIN.match(login):
        raise refused(Kind.INVALID, Code.LOGIN_FORMAT, login=login)
    parsed = parse_role(role)
    name = _text("name", name, 200)
    enterprise, office = _placement(store, parsed, enterprise, office)
    problem = password_problem(password, login)
    if problem is not None:
        raise Refused(Kind.INVALID, problem)
    if store.user_by_login(login) is not None:
        raise refused(Kind.CONFLICT, Code.USER_EXISTS, login=login)
    hashed = hash_password(password, cost)  # slow on purpose: not inside the unit
    with audit.atomic():
        user_id = store.add_user(login, name, parsed.value, enterprise, office, hashed, now=now)
        user = store.user(user_id)
        assert user is not None
        audit.record(
            actor=actor,
            action="user.add",
            object_type="user",
            object_id=login,
            after=_user_view(user),
            now=now,
        )
    return user


def _existing(store: AccountStore, login: str) -> UserRecord:
    user = store.user_by_login(login.strip().lower())
    if user is None:
        raise refused(Kind.NOT_FOUND, Code.NO_USER, login=login)
    return user


def _keep_an_administrator(store: AccountStore, user: UserRecord) -> None:
    """Refuse to disable or demote the last enabled administrator: no person could then manage
    accounts (the break-glass admin token is for emergencies, not the way in)."""
    if user.role is not Role.ADMINISTRATOR or user.disabled:
        return
    if not any(
        other.id != user.id and other.role is Role.ADMINISTRATOR and not other.disabled
        for other in store.list_users()
    ):
        raise refused(Kind.CONFLICT, Code.LAST_ADMIN, login=user.login)


def set_role(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    actor: str,
    login: str,
    role: str,
    enterprise: str | None = None,
    office: str | None = None,
    now: int,
) -> UserRecord:
    """A new role (and its enterprise or office); the user's sessions end, tokens follow it."""
    user = _existing(store, login)
    parsed = parse_role(role)
    enterprise, office = _placement(store, parsed, enterprise, office)
    if parsed is not Role.ADMINISTRATOR:
        _keep_an_administrator(store, user)
    with audit.atomic():
        store.update_user(
            user.id, {"role": parsed.value, "enterprise": enterprise, "office": office}, now=now
        )
        store.revoke_sessions(user.id, now=now)
        changed = store.user(user.id)
        assert changed is not None
        audit.record(
            actor=actor,
            action="user.set_role",
            object_type="user",
            object_id=user.login,
            before=_user_view(user),
            after=_user_view(changed),
            now=now,
        )
    return changed


def set_disabled(
    store: AccountStore, audit: AuditRecorder, *, actor: str, login: str, disabled: bool, now: int
) -> UserRecord:
    """Disable (every session ends, every token stops working) or enable again."""
    user = _existing(store, login)
    if disabled:
        _keep_an_administrator(store, user)
    with audit.atomic():
        store.update_user(user.id, {"disabled_at": now if disabled else None}, now=now)
        if disabled:
            store.revoke_sessions(user.id, now=now)
        changed = store.user(user.id)
        assert changed is not None
        audit.record(
            actor=actor,
            action="user.disable" if disabled else "user.enable",
            object_type="user",
            object_id=user.login,
            before=_user_view(user),
            after=_user_view(changed),
            now=now,
        )
    return changed


def reset_password(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    actor: str,
    login: str,
    password: str,
    cost: int,
    now: int,
) -> None:
    """An administrator sets a password: every session of the user ends."""
    user = _existing(store, login)
    problem = password_problem(password, user.login)
    if problem is not None:
        raise Refused(Kind.INVALID, problem)
    hashed = hash_password(password, cost)  # slow on purpose: not inside the unit
    with audit.atomic():
        store.update_user(user.id, {"password_hash": hashed}, now=now)
        store.revoke_sessions(user.id, now=now)
        store.set_failures(failure_key(user.login), FailureCount())
        audit.record(
            actor=actor,
            action="user.password_reset",
            object_type="user",
            object_id=user.login,
            now=now,
        )


def change_password(
    store: AccountStore,
    audit: AuditRecorder,
    principal: Principal,
    *,
    current: str,
    new: str,
    cost: int,
    now: int,
) -> None:
    """The user's own change: needs the current password; every other session ends. Wrong
    current passwords count towards the account's lock-out, as failed logins do."""
    if principal.user_id is None or principal.via_token:
        raise refused(Kind.FORBIDDEN, Code.PASSWORD_NEEDS_SESSION)
    user = store.user(principal.user_id)
    if user is not None:
        wait, _ = _take_attempt(store, [(failure_key(user.login), ACCOUNT_LOCKOUT)], now)
        if wait is not None:
            raise _locked_error(wait)
    if user is None or not verify_password(current, user.password_hash):
        audit.record(
            actor=principal.actor,
            action="user.password_change_refused",
            object_type="user",
            object_id=principal.login or "",
            now=now,
        )
        raise refused(Kind.FORBIDDEN, Code.PASSWORD_WRONG)
    store.set_failures(failure_key(user.login), FailureCount())  # the right one: not a failure
    problem = password_problem(new, user.login)
    if problem is not None:
        raise Refused(Kind.INVALID, problem)
    if new == current:
        raise refused(Kind.INVALID, Code.PASSWORD_SAME)
    hashed = hash_password(new, cost)  # slow on purpose: not inside the unit
    with audit.atomic():
        store.update_user(user.id, {"password_hash": hashed}, now=now)
        store.revoke_sessions(user.id, now=now, keep=principal.session_id)
        audit.record(
            actor=principal.actor,
            action="user.password_change",
            object_type="user",
            object_id=user.login,
            now=now,
        )


def add_office(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    actor: str,
    code: str,
    name: str,
    cities: Sequence[str] = (),
    enterprises: Sequence[str] = (),
    everywhere: bool = False,
    now: int,
) -> Office:
    code = code.strip()
    if not _OFFICE.match(code):
        raise refused(Kind.INVALID, Code.OFFICE_CODE, code=code, max=32)
    name = _text("name", name, 200)
    cities = sorted({_text("city", c, 100) for c in cities})
    enterprises = sorted({e.strip() for e in enterprises if e.strip()})
    for enterprise in enterprises:
        if not store.enterprise_exists(enterprise):
            raise refused(Kind.NOT_FOUND, Code.NO_ENTERPRISE, enterprise=enterprise)
    if not (cities or enterprises or everywhere):
        raise refused(Kind.INVALID, Code.OFFICE_COVERS)
    if store.office(code) is not None:
        raise refused(Kind.CONFLICT, Code.OFFICE_EXISTS, code=code)
    with audit.atomic():
        store.add_office(code, name, cities, enterprises, everywhere, now=now)
        office = store.office(code)
        assert office is not None
        audit.record(
            actor=actor,
            action="office.add",
            object_type="office",
            object_id=code,
            after={
                "name": name,
                "cities": cities,
                "enterprises": enterprises,
                "everywhere": everywhere,
            },
            now=now,
        )
    return office


# -- principals ---------------------------------------------------------------------------------


def principal_of(
    store: AccountStore,
    user: UserRecord,
    *,
    scopes: frozenset[Action] | None = None,
    via_token: bool = False,
    session_id: int | None = None,
) -> Principal:
    jurisdiction: Jurisdiction | None = None
    if user.role.is_bureau and user.office is not None:
        office = store.office(user.office)
        jurisdiction = office.jurisdiction if office is not None else Jurisdiction()
    return Principal(
        kind="user",
        actor=f"user:{user.login}",
        actions=effective_actions(user.role, scopes, via_token=via_token),
        role=user.role,
        user_id=user.id,
        login=user.login,
        enterprise=user.enterprise,
        office=user.office,
        jurisdiction=jurisdiction,
        via_token=via_token,
        session_id=session_id,
    )


# -- login, sessions ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _dummy_hash(cost: int) -> str:
    """Checked when the login is unknown, at the configured cost, so that both answers take
    as long (a fixed cheap dummy would tell by its speed that a login does not exist)."""
    return hash_password(secrets.token_urlsafe(16), cost)


@dataclass(frozen=True)
class LoginResult:
    principal: Principal
    session_token: str  # the cookie's value: shown to the browser, stored as its SHA-256
    csrf_token: str
    expires_at: int


def failure_key(login: str) -> str:
    """The account's key in the failed-login counts: a hash, because what was typed as a login
    is sometimes a password."""
    typed = login.strip().lower().encode("utf-8", "surrogatepass")  # whatever was typed
    return "user:" + hashlib.sha256(typed).hexdigest()[:32]


_Taken = tuple[str, FailureCount, FailureCount]  # key, count before, count after


def _take_attempt(
    store: AccountStore, counts: Sequence[tuple[str, LockoutPolicy]], now: int
) -> tuple[int | None, list[_Taken]]:
    """Count this attempt as a failure of each key (the account's, the address's) before the
    (slow) password check, each in one step with the check of its lock, so that attempts sent
    at once cannot all pass the lock-out together. Microseconds until a password may be tried
    again (None: not locked), and what was counted (for :func:`_give_back`)."""
    taken: list[_Taken] = []
    untils: list[int] = []
    for key, policy in counts:

        def count(failures: FailureCount, policy: LockoutPolicy = policy) -> FailureCount:
            locked = failures.locked_until(policy, now) is not None
            return failures if locked else failures.after_failure(now)

        before, after = store.change_failures(key, count)
        until = before.locked_until(policy, now)
        if until is None:
            taken.append((key, before, after))
        else:
            untils.append(until)
    if untils:
        _give_back(store, taken)
        return max(untils) - now, []
    return None, taken


def _locked_error(wait: int) -> Refused:
    seconds = max(1, -(-wait // 1_000_000))
    return Refused(Kind.THROTTLED, say(Code.LOGIN_LOCKED, seconds=seconds), retry_after=seconds)


def _give_back(store: AccountStore, taken: list[_Taken]) -> None:
    """Take back what :func:`_take_attempt` counted (the attempt was not a failure)."""
    for key, before, after in taken:

        def uncount(
            failures: FailureCount, before: FailureCount = before, after: FailureCount = after
        ) -> FailureCount:
            if failures == after:  # nothing else counted meanwhile
                return before
            return FailureCount(max(failures.failures - 1, 0), failures.last_failure_at)

        store.change_failures(key, uncount)


UNKNOWN_LOGIN = "(unknown login)"


def check_password(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    login_name: str,
    password: str,
    address: str,
    now: int,
    cost: int,
) -> UserRecord:
    """The user whose login and password these are; else ``Refused``: unauthenticated,
    forbidden or throttled.

    The answer never says whether the login exists. Locked (too many failures for this account
    or this address): 429 with the seconds to wait, whatever the password. A login that names
    nobody is recorded as ``(unknown login)``, never as typed: it may be a password typed into
    the wrong field.
    """
    name = login_name.strip().lower()[:64]
    # not looked up unless it could be a login (a NUL or a lone surrogate cannot be stored)
    user = store.user_by_login(name) if _LOGIN.match(name) else None
    shown = user.login if user is not None else UNKNOWN_LOGIN
    counts = ((failure_key(name), ACCOUNT_LOCKOUT), (f"addr:{address}", ADDRESS_LOCKOUT))
    wait, taken = _take_attempt(store, counts, now)
    if wait is not None:
        audit.record(
            actor=f"user:{shown}",
            action="login.locked",
            object_type="user",
            object_id=shown,
            after={"address": address},
            now=now,
        )
        raise _locked_error(wait)
    # the work is bounded: a password longer than any allowed one is checked by its start only,
    # and is wrong whatever that start is
    good = (
        verify_password(password[:MAX_PASSWORD], user.password_hash if user else _dummy_hash(cost))
        and len(password) <= MAX_PASSWORD
    )
    if user is None or not good:  # counted already
        audit.record(
            actor=f"user:{shown}",
            action="login.failed",
            object_type="user",
            object_id=shown,
            after={"address": address, "known": user is not None},
            now=now,
        )
        raise refused(Kind.UNAUTHENTICATED, Code.LOGIN_WRONG)
    _give_back(store, taken)
    if user.disabled:
        audit.record(
            actor=f"user:{shown}",
            action="login.refused_disabled",
            object_type="user",
            object_id=shown,
            after={"address": address},
            now=now,
        )
        raise refused(Kind.FORBIDDEN, Code.LOGIN_DISABLED)
    store.set_failures(failure_key(name), FailureCount())
    return user


def login(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    login_name: str,
    password: str,
    address: str,
    now: int,
    session_ttl_us: int,
    cost: int,
) -> LoginResult:
    """A session for the right login and password (see :func:`check_password`); ``cost`` is
    the configured password hash cost (an unknown login is checked at it)."""
    user = check_password(
        store,
        audit,
        login_name=login_name,
        password=password,
        address=address,
        now=now,
        cost=cost,
    )
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires_at = now + session_ttl_us
    with audit.atomic():
        session_id = store.add_session(
            user.id, sha256_hex(token), csrf, address, now=now, expires_at=expires_at
        )
        audit.record(
            actor=f"user:{user.login}",
            action="login",
            object_type="user",
            object_id=user.login,
            after={"address": address, "session": session_id},
            now=now,
        )
    return LoginResult(principal_of(store, user, session_id=session_id), token, csrf, expires_at)


TOUCH_EVERY_US = 60_000_000  # a session's last use is written at most once a minute


def session_principal(
    store: AccountStore, token: str, *, now: int, idle_us: int
) -> tuple[Principal, SessionRecord] | None:
    """The signed-in user of a session cookie, or None (unknown, ended, expired, idle, disabled)."""
    if not token.startswith(SESSION_PREFIX) or len(token) > 100:
        return None
    session = store.session_by_hash(sha256_hex(token))
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    if now - session.last_seen_at > idle_us:
        return None
    user = store.user(session.user_id)
    if user is None or user.disabled:
        return None
    if now - session.last_seen_at > TOUCH_EVERY_US:
        store.touch_session(session.id, now=now)
    return principal_of(store, user, session_id=session.id), session


def logout(store: AccountStore, audit: AuditRecorder, principal: Principal, *, now: int) -> None:
    if principal.session_id is None:
        raise refused(Kind.INVALID, Code.LOGOUT_NO_SESSION)
    with audit.atomic():
        store.revoke_session(principal.session_id, now=now)
        audit.record(
            actor=principal.actor,
            action="logout",
            object_type="user",
            object_id=principal.login or "",
            after={"session": principal.session_id},
            now=now,
        )


# -- personal API tokens ------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedUserToken:
    record: TokenRecord
    token: str  # shown once


def issue_token(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    actor: str,
    user: UserRecord,
    name: str,
    scopes: Sequence[str] = (),
    expires_at: int | None = None,
    now: int,
) -> IssuedUserToken:
    """A token for scripts, acting as the user with at most the user's role (``scopes`` narrow
    it further). Shown once; only its SHA-256 is kept."""
    name = _text("token name", name, 100)
    if user.disabled:
        raise refused(Kind.CONFLICT, Code.USER_DISABLED, login=user.login)
    wanted = parse_scopes(scopes) if scopes else None
    if wanted is not None:
        beyond = sorted(a.value for a in wanted - ROLE_ACTIONS[user.role])
        if beyond:
            raise refused(
                Kind.FORBIDDEN,
                Code.SCOPE_BEYOND_ROLE,
                role=Word(user.role.value),
                scopes=", ".join(beyond),
            )
    if expires_at is not None and expires_at <= now:
        raise refused(Kind.INVALID, Code.TOKEN_EXPIRES_EARLY)
    token = USER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    hint = token[: len(USER_TOKEN_PREFIX) + 4]
    scope_text = None if wanted is None else json.dumps(sorted(a.value for a in wanted))
    with audit.atomic():
        token_id = store.add_token(
            user.id, name, sha256_hex(token), hint, scope_text, now=now, expires_at=expires_at
        )
        record = next(t for t in store.tokens_of(user.id) if t.id == token_id)
        audit.record(
            actor=actor,
            action="token.issue",
            object_type="personal_token",
            object_id=str(token_id),
            after={
                "user": user.login,
                "name": name,
                "hint": hint,
                "scopes": None if wanted is None else sorted(a.value for a in wanted),
                "expires_at": expires_at,
            },
            now=now,
        )
    return IssuedUserToken(record, token)


def revoke_token(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    actor: str,
    user: UserRecord,
    token_id: int,
    now: int,
) -> TokenRecord:
    """Revoke one of the user's tokens (another user's token is "no such token")."""
    found = next((t for t in store.tokens_of(user.id) if t.id == token_id), None)
    if found is None:
        raise refused(Kind.NOT_FOUND, Code.NO_TOKEN, token=token_id, login=user.login)
    if found.revoked_at is not None:
        raise refused(Kind.CONFLICT, Code.TOKEN_REVOKED_ALREADY, token=token_id)
    with audit.atomic():
        store.revoke_token(token_id, now=now)
        audit.record(
            actor=actor,
            action="token.revoke",
            object_type="personal_token",
            object_id=str(token_id),
            before={"user": user.login, "name": found.name, "hint": found.hint},
            now=now,
        )
    return found


def token_principal(store: AccountStore, token: str, *, now: int) -> Principal | None:
    """The user a personal token acts for, narrowed to its scope; None if it does not work."""
    if not token.startswith(USER_TOKEN_PREFIX) or len(token) > 100:
        return None
    record = store.token_by_hash(sha256_hex(token))
    if record is None or record.revoked_at is not None:
        return None
    if record.expires_at is not None and record.expires_at <= now:
        return None
    user = store.user(record.user_id)
    if user is None or user.disabled:
        return None
    if record.last_used_at is None or now - record.last_used_at > TOUCH_EVERY_US:
        store.touch_token(record.id, now=now)
    return principal_of(store, user, scopes=record.scopes, via_token=True)


def token_json(record: TokenRecord) -> dict[str, Any]:
    from phytowatch.domain.instants import format_instant

    def when(instant: int | None) -> str | None:
        return None if instant is None else format_instant(instant)

    return {
        "id": record.id,
        "name": record.name,
        "hint": record.hint + "…",
        "scopes": None if record.scopes is None else sorted(a.value for a in record.scopes),
        "created_at": when(record.created_at),
        "expires_at": when(record.expires_at),
        "last_used_at": when(record.last_used_at),
        "revoked_at": when(record.revoked_at),
    }
