"""Users: added, given a role, disabled and enabled, their passwords reset or changed."""

from __future__ import annotations

import re
from typing import Any

from phytowatch.domain.accounts import (
    ACCOUNT_LOCKOUT,
    FailureCount,
    Role,
    parse_role,
    password_problem,
)
from phytowatch.domain.messages import Code, Kind, Refused, Word, refused
from phytowatch.domain.text import plain_text
from phytowatch.services.accounts.lockout import failure_key, locked_error, take_attempt
from phytowatch.services.accounts.passwords import hash_password, verify_password
from phytowatch.services.accounts.ports import AccountStore, UserRecord
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}\Z")


def _user_view(user: UserRecord) -> dict[str, Any]:
    """What the audit trail keeps of a user: never the password hash."""
    return {
        "login": user.login,
        "name": user.name,
        "role": user.role.value,
        "enterprise": user.enterprise,
        "office": user.office,
        "disabled": user.disabled,
        # not "…password…": the trail redacts such keys, and this is no secret
        "forced_change": user.must_change_password,
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


def printable_text(label: str, value: str, most: int) -> str:
    value = value.strip()
    if not value or len(value) > most or not plain_text(value):
        raise refused(Kind.INVALID, Code.FIELD_TEXT, field=Word(label), max=most)
    return value


def add_user(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    ctx: Context,
    login: str,
    name: str,
    role: str,
    password: str,
    enterprise: str | None = None,
    office: str | None = None,
    cost: int,
    must_change: bool = False,
) -> UserRecord:
    """A new user. ``must_change``: the password was made for them (a temporary one), so they
    change it at their first login before anything else."""
    now = ctx.now
    login = login.strip().lower()
    if not LOGIN_PATTERN.match(login):
        raise refused(Kind.INVALID, Code.LOGIN_FORMAT, login=login)
    parsed = parse_role(role)
    name = printable_text("name", name, 200)
    enterprise, office = _placement(store, parsed, enterprise, office)
    problem = password_problem(password, login)
    if problem is not None:
        raise Refused(Kind.INVALID, problem)
    if store.user_by_login(login) is not None:
        raise refused(Kind.CONFLICT, Code.USER_EXISTS, login=login)
    hashed = hash_password(password, cost)  # slow on purpose: not inside the unit
    with audit.atomic():
        user_id = store.add_user(login, name, parsed.value, enterprise, office, hashed, now=now)
        if must_change:
            store.update_user(user_id, {"must_change_password": True}, now=now)
        user = store.user(user_id)
        assert user is not None
        audit.record(
            actor=ctx.actor,
            action="user.add",
            object_type="user",
            object_id=login,
            after=_user_view(user),
            now=now,
        )
    return user


def existing_user(store: AccountStore, login: str) -> UserRecord:
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
    ctx: Context,
    login: str,
    role: str,
    enterprise: str | None = None,
    office: str | None = None,
) -> UserRecord:
    """A new role (and its enterprise or office); the user's sessions end, tokens follow it."""
    now = ctx.now
    user = existing_user(store, login)
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
            actor=ctx.actor,
            action="user.set_role",
            object_type="user",
            object_id=user.login,
            before=_user_view(user),
            after=_user_view(changed),
            now=now,
        )
    return changed


def set_disabled(
    store: AccountStore, audit: AuditRecorder, *, ctx: Context, login: str, disabled: bool
) -> UserRecord:
    """Disable (every session ends, every token stops working) or enable again."""
    now = ctx.now
    user = existing_user(store, login)
    if disabled:
        _keep_an_administrator(store, user)
    with audit.atomic():
        store.update_user(user.id, {"disabled_at": now if disabled else None}, now=now)
        if disabled:
            store.revoke_sessions(user.id, now=now)
        changed = store.user(user.id)
        assert changed is not None
        audit.record(
            actor=ctx.actor,
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
    ctx: Context,
    login: str,
    password: str,
    cost: int,
) -> None:
    """An administrator sets a password: every session of the user ends, and the user must
    change it at the next login before anything else (the administrator knows this one)."""
    now = ctx.now
    user = existing_user(store, login)
    problem = password_problem(password, user.login)
    if problem is not None:
        raise Refused(Kind.INVALID, problem)
    hashed = hash_password(password, cost)  # slow on purpose: not inside the unit
    with audit.atomic():
        store.update_user(user.id, {"password_hash": hashed, "must_change_password": True}, now=now)
        store.revoke_sessions(user.id, now=now)
        store.set_failures(failure_key(user.login), FailureCount())
        audit.record(
            actor=ctx.actor,
            action="user.password_reset",
            object_type="user",
            object_id=user.login,
            after={"forced_change": True},
            now=now,
        )


def change_password(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    ctx: Context,
    current: str,
    new: str,
    cost: int,
) -> None:
    """The user's own change: needs the current password; every other session ends, and a
    change an administrator's reset asked for is done. Wrong current passwords count towards the
    account's lock-out, as failed logins do."""
    principal, now = ctx.principal, ctx.now
    if principal.user_id is None or principal.via_token:
        raise refused(Kind.FORBIDDEN, Code.PASSWORD_NEEDS_SESSION)
    user = store.user(principal.user_id)
    if user is not None:
        wait, _ = take_attempt(store, [(failure_key(user.login), ACCOUNT_LOCKOUT)], now)
        if wait is not None:
            raise locked_error(wait)
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
        store.update_user(
            user.id, {"password_hash": hashed, "must_change_password": False}, now=now
        )
        store.revoke_sessions(user.id, now=now, keep=principal.session_id)
        audit.record(
            actor=principal.actor,
            action="user.password_change",
            object_type="user",
            object_id=user.login,
            after={"forced_change": user.must_change_password},
            now=now,
        )
