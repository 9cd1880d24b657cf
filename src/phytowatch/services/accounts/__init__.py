"""Accounts: users, offices, passwords, sessions, personal API tokens, lock-out.

Secrets are never stored: a password as its scrypt hash (per-user salt), a session id and a
personal token as their SHA-256 (they are 256 random bits; nothing to guess). Every change of an
account is recorded through the audit port, in the change's unit of work, never with a secret in
it. Time is a parameter. Choices and their reasons: docs/accounts.md.

One module per concept: ``ports`` (the values and the store), ``passwords``, ``users``,
``offices``, ``principals``, ``lockout``, ``login``, ``sessions``, ``tokens``. The use cases are
the package's names, so callers say ``accounts.add_user(...)``.
"""

from phytowatch.services.accounts.lockout import failure_key
from phytowatch.services.accounts.login import UNKNOWN_LOGIN, LoginResult, check_password, login
from phytowatch.services.accounts.offices import add_office
from phytowatch.services.accounts.passwords import (
    MAX_HASH_COST,
    MIN_HASH_COST,
    hash_password,
    sha256_hex,
    verify_password,
)
from phytowatch.services.accounts.ports import (
    AccountStore,
    SessionRecord,
    TokenRecord,
    UserQuery,
    UserRecord,
)
from phytowatch.services.accounts.principals import principal_of
from phytowatch.services.accounts.sessions import (
    SESSION_PREFIX,
    TOUCH_EVERY_US,
    logout,
    session_principal,
)
from phytowatch.services.accounts.tokens import (
    USER_TOKEN_PREFIX,
    IssuedUserToken,
    issue_token,
    revoke_token,
    token_json,
    token_principal,
)
from phytowatch.services.accounts.users import (
    add_user,
    change_password,
    reset_password,
    set_disabled,
    set_role,
)
from phytowatch.services.paging import Found

__all__ = [
    "MAX_HASH_COST",
    "MIN_HASH_COST",
    "SESSION_PREFIX",
    "TOUCH_EVERY_US",
    "UNKNOWN_LOGIN",
    "USER_TOKEN_PREFIX",
    "AccountStore",
    "Found",
    "IssuedUserToken",
    "LoginResult",
    "SessionRecord",
    "TokenRecord",
    "UserQuery",
    "UserRecord",
    "add_office",
    "add_user",
    "change_password",
    "check_password",
    "failure_key",
    "hash_password",
    "issue_token",
    "login",
    "logout",
    "principal_of",
    "reset_password",
    "revoke_token",
    "session_principal",
    "set_disabled",
    "set_role",
    "sha256_hex",
    "token_json",
    "token_principal",
    "verify_password",
]
