"""A change and its audit entry commit in one transaction: a process killed between the two, or
after both but before the commit, leaves neither; one that finishes leaves both. On SQLite and
PostgreSQL, with a real process killed by SIGKILL (no cleanup, no rollback of its own)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import create_engine, select

from phytowatch.storage.accounts_tables import offices
from phytowatch.storage.database import make_engine
from phytowatch.storage.migrate import upgrade
from phytowatch.storage.tables import audit_log, enterprises

# The child registers an enterprise and an office through the use cases, with the audit trail,
# and is killed where ``KILL_AT`` says: "append" (the change made, the entry not yet written),
# "commit" (both written, not committed), or nowhere. It imports only what the two use cases and
# their SQL stores need, wired as ``bootstrap`` wires them, on a database the test has migrated
# (no Alembic, no settings, no notifier: a cheaper process, killed just the same).
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from phytowatch.services import accounts
    from phytowatch.services.audit import AuditLog
    from phytowatch.services.clock import FixedClock
    from phytowatch.services.context import Context
    from phytowatch.services.provisioning import add_enterprise
    from phytowatch.storage import audit_repo
    from phytowatch.storage.accounts_repo import SqlAccountStore
    from phytowatch.storage.database import make_engine
    from phytowatch.storage.registry_repo import SqlRegistry
    from sqlalchemy.engine import Connection

    kill_at = os.environ.get("KILL_AT", "")
    engine = make_engine(sys.argv[1])
    audit = AuditLog(audit_repo.SqlAuditStore(engine))

    def die(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if kill_at == "append":
        audit_repo.SqlAuditStore.append = die
    elif kill_at == "commit":
        original = audit_repo.SqlAuditStore.append

        def append_then_arm(self, record):
            entry = original(self, record)
            Connection.commit = die
            return entry

        audit_repo.SqlAuditStore.append = append_then_arm
    ctx = Context.cli("test", FixedClock(1))
    if sys.argv[2] == "enterprise":
        add_enterprise(SqlRegistry(engine), "E-9", "企业", "Enterprise", "赣州", "II", ctx=ctx,
                       audit=audit)
    else:
        accounts.add_office(SqlAccountStore(engine), audit, ctx=ctx, code="GZ-9",
                            name="Ganzhou", everywhere=True)
    engine.dispose()
    """
)


def _migrate(db_url: str) -> None:
    """The newest schema, as ``bootstrap`` leaves it: the children find it ready."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _run(db_url: str, what: str, kill_at: str) -> int:
    env = {**os.environ, "KILL_AT": kill_at}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, db_url, what],
        check=False,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr.decode()
    return done.returncode


def _stored(db_url: str, what: str) -> tuple[int, int]:
    """(rows of the change, audit entries about it)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            if what == "enterprise":
                changed = conn.execute(select(enterprises).where(enterprises.c.code == "E-9"))
                kind, key = "enterprise", "E-9"
            else:
                changed = conn.execute(select(offices).where(offices.c.code == "GZ-9"))
                kind, key = "office", "GZ-9"
            rows = len(changed.all())
            entries = conn.execute(
                select(audit_log).where(
                    audit_log.c.object_type == kind, audit_log.c.object_id == key
                )
            ).all()
        return rows, len(entries)
    finally:
        engine.dispose()


@pytest.mark.reliability
@pytest.mark.parametrize("what", ["enterprise", "office"])
@pytest.mark.parametrize("kill_at", ["append", "commit"])
def test_a_process_killed_before_the_commit_leaves_neither_the_change_nor_its_entry(
    db_url: str, what: str, kill_at: str
) -> None:
    _migrate(db_url)
    assert _run(db_url, what, kill_at) == -signal.SIGKILL
    assert _stored(db_url, what) == (0, 0)
    # the next process finds the trail intact and does the same change, with its entry
    assert _run(db_url, what, "") == 0
    assert _stored(db_url, what) == (1, 1)
