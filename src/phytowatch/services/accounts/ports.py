"""The accounts' values and their store (the port the SQL store and the fakes implement)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from phytowatch.domain.accounts import (
    Action,
    FailureCount,
    Office,
    Role,
)
from phytowatch.services.paging import Found


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
    last_login_at: int | None = None  # the latest successful login
    must_change_password: bool = False  # a password an administrator made: changed first


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


@dataclass(frozen=True)
class UserQuery:
    """Which users a list shows: ``text`` in the login or the name (any case), a role, enabled
    (``disabled=False``) or disabled only."""

    text: str = ""
    role: Role | None = None
    disabled: bool | None = None


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

    def find_users(self, query: UserQuery, *, offset: int, limit: int) -> Found[UserRecord]:
        """The users of ``query`` by login, one page of them, counted in the database."""
        ...

    def count_users(self) -> tuple[int, int]:
        """(users, of them disabled)."""
        ...

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

    def find_offices(self, text: str, *, offset: int, limit: int) -> Found[Office]:
        """Offices by code whose code, name or a city or enterprise they cover holds ``text``."""
        ...

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
