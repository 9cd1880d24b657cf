"""Sessions: the signed-in user of a cookie, and logout."""

from __future__ import annotations

from phytowatch.domain.accounts import (
    Principal,
)
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.accounts.passwords import sha256_hex
from phytowatch.services.accounts.ports import AccountStore, SessionRecord
from phytowatch.services.accounts.principals import principal_of
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context

SESSION_PREFIX = "pws_"


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


def logout(store: AccountStore, audit: AuditRecorder, *, ctx: Context) -> None:
    principal, now = ctx.principal, ctx.now
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
