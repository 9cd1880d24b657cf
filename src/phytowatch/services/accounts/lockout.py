"""Failed attempts counted per account and per address, before the slow password check."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from phytowatch.domain.accounts import (
    FailureCount,
    LockoutPolicy,
)
from phytowatch.domain.messages import Code, Kind, Refused, say
from phytowatch.services.accounts.ports import AccountStore


def failure_key(login: str) -> str:
    """The account's key in the failed-login counts: a hash, because what was typed as a login
    is sometimes a password."""
    typed = login.strip().lower().encode("utf-8", "surrogatepass")  # whatever was typed
    return "user:" + hashlib.sha256(typed).hexdigest()[:32]


Taken = tuple[str, FailureCount, FailureCount]  # key, count before, count after


def take_attempt(
    store: AccountStore, counts: Sequence[tuple[str, LockoutPolicy]], now: int
) -> tuple[int | None, list[Taken]]:
    """Count this attempt as a failure of each key (the account's, the address's) before the
    (slow) password check, each in one step with the check of its lock, so that attempts sent
    at once cannot all pass the lock-out together. Microseconds until a password may be tried
    again (None: not locked), and what was counted (for :func:`give_back`)."""
    taken: list[Taken] = []
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
        give_back(store, taken)
        return max(untils) - now, []
    return None, taken


def locked_error(wait: int) -> Refused:
    seconds = max(1, -(-wait // 1_000_000))
    return Refused(Kind.THROTTLED, say(Code.LOGIN_LOCKED, seconds=seconds), retry_after=seconds)


def give_back(store: AccountStore, taken: list[Taken]) -> None:
    """Take back what :func:`take_attempt` counted (the attempt was not a failure)."""
    for key, before, after in taken:

        def uncount(
            failures: FailureCount, before: FailureCount = before, after: FailureCount = after
        ) -> FailureCount:
            if failures == after:  # nothing else counted meanwhile
                return before
            return FailureCount(max(failures.failures - 1, 0), failures.last_failure_at)

        store.change_failures(key, uncount)
