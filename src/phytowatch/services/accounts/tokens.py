"""Personal API tokens: issued for scripts, narrowed by scopes, revoked."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from phytowatch.domain.accounts import (
    ROLE_ACTIONS,
    Principal,
    parse_scopes,
)
from phytowatch.domain.messages import Code, Kind, Word, refused
from phytowatch.services.accounts.passwords import sha256_hex
from phytowatch.services.accounts.ports import AccountStore, TokenRecord, UserRecord
from phytowatch.services.accounts.principals import principal_of
from phytowatch.services.accounts.sessions import TOUCH_EVERY_US
from phytowatch.services.accounts.users import printable_text
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context

USER_TOKEN_PREFIX = "pwu_"


@dataclass(frozen=True)
class IssuedUserToken:
    record: TokenRecord
    token: str  # shown once


def issue_token(
    store: AccountStore,
    audit: AuditRecorder,
    *,
    ctx: Context,
    user: UserRecord,
    name: str,
    scopes: Sequence[str] = (),
    expires_at: int | None = None,
) -> IssuedUserToken:
    """A token for scripts, acting as the user with at most the user's role (``scopes`` narrow
    it further). Shown once; only its SHA-256 is kept."""
    now = ctx.now
    name = printable_text("token name", name, 100)
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
            actor=ctx.actor,
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
    ctx: Context,
    user: UserRecord,
    token_id: int,
) -> TokenRecord:
    """Revoke one of the user's tokens (another user's token is "no such token")."""
    now = ctx.now
    found = next((t for t in store.tokens_of(user.id) if t.id == token_id), None)
    if found is None:
        raise refused(Kind.NOT_FOUND, Code.NO_TOKEN, token=token_id, login=user.login)
    if found.revoked_at is not None:
        raise refused(Kind.CONFLICT, Code.TOKEN_REVOKED_ALREADY, token=token_id)
    with audit.atomic():
        store.revoke_token(token_id, now=now)
        audit.record(
            actor=ctx.actor,
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
