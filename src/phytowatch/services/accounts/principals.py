"""Who a signed-in user or a token is, and what they may do."""

from __future__ import annotations

from phytowatch.domain.accounts import (
    Action,
    Jurisdiction,
    Principal,
    effective_actions,
)
from phytowatch.services.accounts.ports import AccountStore, UserRecord


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
        # a session only: a personal token is not a password, and the person cannot change the
        # password through one (docs/accounts.md)
        must_change_password=user.must_change_password and session_id is not None,
    )
