"""The accounts' store in memory (services.accounts.ports.AccountStore)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from phytowatch.domain.accounts import Action, FailureCount, Jurisdiction, Office, Role
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.accounts import Found, SessionRecord, TokenRecord, UserQuery, UserRecord

# what update_user may change, as in the SQL store
_USER_FIELDS = {
    "role", "enterprise", "office", "password_hash", "disabled_at", "name", "last_login_at",
    "must_change_password",
}  # fmt: skip


def _holds(value: str | None, text: str) -> bool:
    return value is not None and text.lower() in value.lower()


class InMemoryAccountStore:
    """Users, offices, sessions, personal tokens and failed-login counts. ``enterprises`` are
    the enterprise codes the registry knows (code -> city)."""

    def __init__(self, enterprises: Mapping[str, str] | None = None) -> None:
        self.enterprises = dict(enterprises or {})  # code -> city
        self.users: dict[int, UserRecord] = {}
        self.offices: dict[str, Office] = {}
        self.sessions: dict[int, SessionRecord] = {}
        self.session_hashes: dict[str, int] = {}
        self.tokens: dict[int, TokenRecord] = {}
        self.token_hashes: dict[str, int] = {}
        self.failure_counts: dict[str, FailureCount] = {}

    # users
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
    ) -> int:
        if self.user_by_login(login) is not None:
            raise refused(Kind.CONFLICT, Code.USER_EXISTS, login=login)
        new_id = len(self.users) + 1
        self.users[new_id] = UserRecord(
            new_id, login, name, Role(role), enterprise, office, password_hash, False, now
        )
        return new_id

    def user_by_login(self, login: str) -> UserRecord | None:
        return next((u for u in self.users.values() if u.login == login), None)

    def user(self, user_id: int) -> UserRecord | None:
        return self.users.get(user_id)

    def list_users(self) -> list[UserRecord]:
        return sorted(self.users.values(), key=lambda u: u.login)

    def find_users(self, query: UserQuery, *, offset: int, limit: int) -> Found[UserRecord]:
        text = query.text.strip()
        found = [
            u
            for u in self.list_users()
            if (not text or _holds(u.login, text) or _holds(u.name, text))
            and (query.role is None or u.role is query.role)
            and (query.disabled is None or u.disabled == query.disabled)
        ]
        return Found(found[offset : offset + limit], len(found), offset, limit)

    def count_users(self) -> tuple[int, int]:
        return len(self.users), sum(u.disabled for u in self.users.values())

    def update_user(self, user_id: int, values: Mapping[str, Any], *, now: int) -> None:
        unknown = set(values) - _USER_FIELDS
        if unknown:
            raise ValueError(f"not a user field: {sorted(unknown)}")
        changes = dict(values)
        if "role" in changes:
            changes["role"] = Role(changes["role"])
        if "disabled_at" in changes:
            changes["disabled"] = changes.pop("disabled_at") is not None
        self.users[user_id] = replace(self.users[user_id], **changes)

    def enterprise_exists(self, code: str) -> bool:
        return code in self.enterprises

    # offices
    def add_office(
        self,
        code: str,
        name: str,
        cities: Sequence[str],
        enterprises: Sequence[str],
        everywhere: bool,
        *,
        now: int,
    ) -> None:
        if code in self.offices:
            raise refused(Kind.CONFLICT, Code.OFFICE_EXISTS, code=code)
        area = Jurisdiction(frozenset(cities), frozenset(enterprises), everywhere)
        self.offices[code] = Office(code, name, area)

    def office(self, code: str) -> Office | None:
        return self.offices.get(code)

    def list_offices(self) -> list[Office]:
        return sorted(self.offices.values(), key=lambda o: o.code)

    def find_offices(self, text: str, *, offset: int, limit: int) -> Found[Office]:
        text = text.strip()
        found = [
            o
            for o in self.list_offices()
            if not text
            or _holds(o.code, text)
            or _holds(o.name, text)
            or any(_holds(a, text) for a in o.jurisdiction.cities | o.jurisdiction.enterprises)
        ]
        return Found(found[offset : offset + limit], len(found), offset, limit)

    # sessions
    def add_session(
        self,
        user_id: int,
        token_hash: str,
        csrf_token: str,
        address: str,
        *,
        now: int,
        expires_at: int,
    ) -> int:
        new_id = len(self.sessions) + 1
        self.sessions[new_id] = SessionRecord(
            new_id, user_id, csrf_token, now, now, expires_at, None
        )
        self.session_hashes[token_hash] = new_id
        return new_id

    def session_by_hash(self, token_hash: str) -> SessionRecord | None:
        found = self.session_hashes.get(token_hash)
        return None if found is None else self.sessions[found]

    def touch_session(self, session_id: int, *, now: int) -> None:
        self.sessions[session_id] = replace(self.sessions[session_id], last_seen_at=now)

    def revoke_sessions(self, user_id: int, *, now: int, keep: int | None = None) -> int:
        count = 0
        for sid, session in self.sessions.items():
            if session.user_id == user_id and session.revoked_at is None and sid != keep:
                self.sessions[sid] = replace(session, revoked_at=now)
                count += 1
        return count

    def revoke_session(self, session_id: int, *, now: int) -> None:
        session = self.sessions[session_id]
        if session.revoked_at is None:  # revoked once: when stays when
            self.sessions[session_id] = replace(session, revoked_at=now)

    # failed logins
    def failures(self, key: str) -> FailureCount:
        return self.failure_counts.get(key, FailureCount())

    def set_failures(self, key: str, count: FailureCount) -> None:
        self.failure_counts[key] = count

    def change_failures(
        self, key: str, change: Callable[[FailureCount], FailureCount]
    ) -> tuple[FailureCount, FailureCount]:
        before = self.failures(key)
        self.failure_counts[key] = after = change(before)
        return before, after

    # personal tokens
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
    ) -> int:
        new_id = len(self.tokens) + 1
        parsed = None if scopes is None else frozenset(Action(s) for s in json.loads(scopes))
        self.tokens[new_id] = TokenRecord(
            new_id, user_id, name, hint, parsed, now, expires_at, None, None
        )
        self.token_hashes[token_hash] = new_id
        return new_id

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        found = self.token_hashes.get(token_hash)
        return None if found is None else self.tokens[found]

    def tokens_of(self, user_id: int) -> list[TokenRecord]:
        return [t for t in self.tokens.values() if t.user_id == user_id]

    def revoke_token(self, token_id: int, *, now: int) -> None:
        token = self.tokens[token_id]
        if token.revoked_at is None:  # revoked once: when stays when
            self.tokens[token_id] = replace(token, revoked_at=now)

    def touch_token(self, token_id: int, *, now: int) -> None:
        self.tokens[token_id] = replace(self.tokens[token_id], last_used_at=now)


if TYPE_CHECKING:  # the fake is its port, or mypy fails here
    from phytowatch.services.accounts import AccountStore

    _account_store: AccountStore = InMemoryAccountStore()
