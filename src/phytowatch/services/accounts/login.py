"""Login: the right password gives a session; the answer never says which part was wrong."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from phytowatch.domain.accounts import (
    ACCOUNT_LOCKOUT,
    ADDRESS_LOCKOUT,
    MAX_PASSWORD,
    FailureCount,
    Principal,
)
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.accounts.lockout import failure_key, give_back, locked_error, take_attempt
from phytowatch.services.accounts.passwords import hash_password, sha256_hex, verify_password
from phytowatch.services.accounts.ports import AccountStore, UserRecord
from phytowatch.services.accounts.principals import principal_of
from phytowatch.services.accounts.sessions import SESSION_PREFIX
from phytowatch.services.accounts.users import LOGIN_PATTERN
from phytowatch.services.audit import AuditRecorder


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
    user = store.user_by_login(name) if LOGIN_PATTERN.match(name) else None
    shown = user.login if user is not None else UNKNOWN_LOGIN
    counts = ((failure_key(name), ACCOUNT_LOCKOUT), (f"addr:{address}", ADDRESS_LOCKOUT))
    wait, taken = take_attempt(store, counts, now)
    if wait is not None:
        audit.record(
            actor=f"user:{shown}",
            action="login.locked",
            object_type="user",
            object_id=shown,
            after={"address": address},
            now=now,
        )
        raise locked_error(wait)
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
    give_back(store, taken)
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
        store.update_user(user.id, {"last_login_at": now}, now=now)
        audit.record(
            actor=f"user:{user.login}",
            action="login",
            object_type="user",
            object_id=user.login,
            after={"address": address, "session": session_id},
            now=now,
        )
    principal = principal_of(store, user, session_id=session_id)
    return LoginResult(principal, token, csrf, expires_at)
