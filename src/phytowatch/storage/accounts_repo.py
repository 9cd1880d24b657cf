"""Accounts in SQL: users, offices, sessions, personal tokens, failed logins, run sign-offs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from phytowatch.domain.accounts import Action, FailureCount, Jurisdiction, Office, Role
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.domain.signoff import Decision, SignOff
from phytowatch.services.accounts import (
    Found,
    SessionRecord,
    TokenRecord,
    UserQuery,
    UserRecord,
)
from phytowatch.storage.accounts_tables import (
    login_failures,
    office_areas,
    offices,
    personal_tokens,
    run_signoffs,
    sessions,
    users,
)
from phytowatch.storage.errors import translating
from phytowatch.storage.search import holds
from phytowatch.storage.tables import enterprises, facilities, probes
from phytowatch.storage.unit import begin, connect, current

_USER_FIELDS = {
    "role", "enterprise", "office", "password_hash", "disabled_at", "name", "last_login_at",
    "must_change_password",
}  # fmt: skip


def _user(row: Any) -> UserRecord:
    return UserRecord(
        id=row.id,
        login=row.login,
        name=row.name,
        role=Role(row.role),
        enterprise=row.enterprise,
        office=row.office,
        password_hash=row.password_hash,
        disabled=row.disabled_at is not None,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        must_change_password=bool(row.must_change_password),
    )


def _token(row: Any) -> TokenRecord:
    scopes = None if row.scopes is None else frozenset(Action(s) for s in json.loads(row.scopes))
    return TokenRecord(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        hint=row.hint,
        scopes=scopes,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


@translating
class SqlAccountStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- users ----------------------------------------------------------------------------------

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
        try:
            with begin(self.engine) as conn:
                new_id = conn.execute(
                    insert(users).values(
                        login=login,
                        name=name,
                        role=role,
                        enterprise=enterprise,
                        office=office,
                        password_hash=password_hash,
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            raise refused(Kind.CONFLICT, Code.USER_EXISTS, login=login) from None
        return int(new_id)

    def user_by_login(self, login: str) -> UserRecord | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(users).where(users.c.login == login)).first()
        return None if row is None else _user(row)

    def user(self, user_id: int) -> UserRecord | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return None if row is None else _user(row)

    def list_users(self) -> list[UserRecord]:
        with connect(self.engine) as conn:
            rows = conn.execute(select(users).order_by(users.c.login)).all()
        return [_user(row) for row in rows]

    def find_users(self, query: UserQuery, *, offset: int, limit: int) -> Found[UserRecord]:
        where = []
        if query.text.strip():
            text = query.text.strip()
            where.append(or_(holds(users.c.login, text), holds(users.c.name, text)))
        if query.role is not None:
            where.append(users.c.role == query.role.value)
        if query.disabled is not None:
            state = users.c.disabled_at
            where.append(state.is_not(None) if query.disabled else state.is_(None))
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(users).where(*where)).scalar()
            rows = conn.execute(
                select(users).where(*where).order_by(users.c.login).offset(offset).limit(limit)
            ).all()
        return Found([_user(row) for row in rows], int(total or 0), offset, limit)

    def count_users(self) -> tuple[int, int]:
        with connect(self.engine) as conn:
            row = conn.execute(
                select(func.count(), func.count(users.c.disabled_at)).select_from(users)
            ).one()
        return int(row[0]), int(row[1])

    def update_user(self, user_id: int, values: Mapping[str, Any], *, now: int) -> None:
        unknown = set(values) - _USER_FIELDS
        if unknown:
            raise ValueError(f"not a user field: {sorted(unknown)}")
        with begin(self.engine) as conn:
            conn.execute(
                update(users).where(users.c.id == user_id).values(**values, updated_at=now)
            )

    def enterprise_exists(self, code: str) -> bool:
        with connect(self.engine) as conn:
            found = conn.execute(select(enterprises.c.id).where(enterprises.c.code == code))
            return found.first() is not None

    # -- offices --------------------------------------------------------------------------------

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
        try:
            with begin(self.engine) as conn:
                office_id = conn.execute(
                    insert(offices).values(
                        code=code, name=name, everywhere=everywhere, created_at=now
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                areas = [{"office_id": office_id, "kind": "city", "value": c} for c in cities]
                areas += [
                    {"office_id": office_id, "kind": "enterprise", "value": e} for e in enterprises
                ]
                if areas:
                    conn.execute(insert(office_areas), areas)
        except IntegrityError:
            raise refused(Kind.CONFLICT, Code.OFFICE_EXISTS, code=code) from None

    def _offices(
        self, code: str | None, *, text: str = "", offset: int = 0, limit: int | None = None
    ) -> list[Office]:
        query = select(offices).where(*self._office_filter(code, text)).order_by(offices.c.code)
        if limit is not None:
            query = query.offset(offset).limit(limit)
        with connect(self.engine) as conn:
            rows = conn.execute(query).all()
            areas = conn.execute(
                select(office_areas.c.office_id, office_areas.c.kind, office_areas.c.value).where(
                    office_areas.c.office_id.in_([row.id for row in rows])
                )
            ).all()
        out = []
        for row in rows:
            mine = [a for a in areas if a.office_id == row.id]
            out.append(
                Office(
                    row.code,
                    row.name,
                    Jurisdiction(
                        cities=frozenset(a.value for a in mine if a.kind == "city"),
                        enterprises=frozenset(a.value for a in mine if a.kind == "enterprise"),
                        everywhere=bool(row.everywhere),
                    ),
                )
            )
        return out

    @staticmethod
    def _office_filter(code: str | None, text: str) -> list[Any]:
        where: list[Any] = []
        if code is not None:
            where.append(offices.c.code == code)
        if text.strip():
            covered = select(office_areas.c.office_id).where(
                holds(office_areas.c.value, text.strip())
            )
            where.append(
                or_(
                    holds(offices.c.code, text.strip()),
                    holds(offices.c.name, text.strip()),
                    offices.c.id.in_(covered),
                )
            )
        return where

    def find_offices(self, text: str, *, offset: int, limit: int) -> Found[Office]:
        with connect(self.engine) as conn:
            total = conn.execute(
                select(func.count()).select_from(offices).where(*self._office_filter(None, text))
            ).scalar()
        items = self._offices(None, text=text, offset=offset, limit=limit)
        return Found(items, int(total or 0), offset, limit)

    def office(self, code: str) -> Office | None:
        found = self._offices(code)
        return found[0] if found else None

    def list_offices(self) -> list[Office]:
        return self._offices(None)

    # -- sessions -------------------------------------------------------------------------------

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
        with begin(self.engine) as conn:
            new_id = conn.execute(
                insert(sessions).values(
                    user_id=user_id,
                    token_hash=token_hash,
                    csrf_token=csrf_token,
                    address=address[:64],
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return int(new_id)

    def session_by_hash(self, token_hash: str) -> SessionRecord | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(sessions).where(sessions.c.token_hash == token_hash)).first()
        if row is None:
            return None
        return SessionRecord(
            row.id,
            row.user_id,
            row.csrf_token,
            row.created_at,
            row.last_seen_at,
            row.expires_at,
            row.revoked_at,
        )

    def touch_session(self, session_id: int, *, now: int) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now)
            )

    def revoke_sessions(self, user_id: int, *, now: int, keep: int | None = None) -> int:
        query = (
            update(sessions)
            .where(sessions.c.user_id == user_id)
            .where(sessions.c.revoked_at.is_(None))
        )
        if keep is not None:
            query = query.where(sessions.c.id != keep)
        with begin(self.engine) as conn:
            return int(conn.execute(query.values(revoked_at=now)).rowcount)

    def revoke_session(self, session_id: int, *, now: int) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id)
                .where(sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )

    # -- failed logins --------------------------------------------------------------------------

    def failures(self, key: str) -> FailureCount:
        with connect(self.engine) as conn:
            row = conn.execute(select(login_failures).where(login_failures.c.key == key)).first()
        return FailureCount() if row is None else FailureCount(row.failures, row.last_failure_at)

    def set_failures(self, key: str, count: FailureCount) -> None:
        key = key[:200]
        with begin(self.engine) as conn:
            done = conn.execute(
                update(login_failures)
                .where(login_failures.c.key == key)
                .values(failures=count.failures, last_failure_at=count.last_failure_at)
            )
            if done.rowcount == 0 and count.failures:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(login_failures).values(
                                key=key,
                                failures=count.failures,
                                last_failure_at=count.last_failure_at,
                            )
                        )
                except IntegrityError:  # a concurrent failure inserted it first
                    conn.execute(
                        update(login_failures)
                        .where(login_failures.c.key == key)
                        .values(failures=login_failures.c.failures + 1)
                    )

    def change_failures(
        self, key: str, change: Callable[[FailureCount], FailureCount]
    ) -> tuple[FailureCount, FailureCount]:
        """``change`` applied to the key's count with no other change in between (logins
        checked at once each see the others' counts); the count before and after. Its own
        transaction, always: an attempt counts even when what it was for is refused."""
        key = key[:200]
        if current(self.engine) is not None:
            raise RuntimeError("change_failures inside a unit of work: it commits on its own")
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, before the read
                query = select(login_failures).where(login_failures.c.key == key)
            else:  # a row to lock, then the lock
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                conn.execute(
                    pg_insert(login_failures)
                    .values(key=key, failures=0, last_failure_at=0)
                    .on_conflict_do_nothing(index_elements=["key"])
                )
                query = select(login_failures).where(login_failures.c.key == key).with_for_update()
            try:
                row = conn.execute(query).first()
                before = (
                    FailureCount()
                    if row is None
                    else FailureCount(row.failures, row.last_failure_at)
                )
                after = change(before)
                values = {"failures": after.failures, "last_failure_at": after.last_failure_at}
                if row is None:
                    conn.execute(insert(login_failures).values(key=key, **values))
                else:
                    conn.execute(
                        update(login_failures).where(login_failures.c.key == key).values(**values)
                    )
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        return before, after

    # -- personal tokens ------------------------------------------------------------------------

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
        with begin(self.engine) as conn:
            new_id = conn.execute(
                insert(personal_tokens).values(
                    user_id=user_id,
                    name=name,
                    token_hash=token_hash,
                    hint=hint,
                    scopes=scopes,
                    created_at=now,
                    expires_at=expires_at,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return int(new_id)

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        with connect(self.engine) as conn:
            row = conn.execute(
                select(personal_tokens).where(personal_tokens.c.token_hash == token_hash)
            ).first()
        return None if row is None else _token(row)

    def tokens_of(self, user_id: int) -> list[TokenRecord]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(personal_tokens)
                .where(personal_tokens.c.user_id == user_id)
                .order_by(personal_tokens.c.id)
            ).all()
        return [_token(row) for row in rows]

    def revoke_token(self, token_id: int, *, now: int) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                update(personal_tokens)
                .where(personal_tokens.c.id == token_id)
                .where(personal_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )

    def touch_token(self, token_id: int, *, now: int) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                update(personal_tokens)
                .where(personal_tokens.c.id == token_id)
                .values(last_used_at=now)
            )

    # -- the facilities a principal may see ----------------------------------------------------

    def facility_owners(self) -> dict[str, tuple[str, str]]:
        """Every facility code with its enterprise's code and city."""
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(facilities.c.code, enterprises.c.code, enterprises.c.city).join(
                    enterprises, enterprises.c.id == facilities.c.enterprise_id
                )
            ).all()
        return {row[0]: (row[1], row[2]) for row in rows}

    def find_facilities(
        self, text: str, kind: str | None, *, offset: int, limit: int
    ) -> Found[dict[str, Any]]:
        """Facilities by code (for administration): code, name, kind, treater number, its
        enterprise's code and city, how many probes. ``text`` in the facility's code, name or
        treater number, or its enterprise's code or names."""
        where: list[Any] = []
        if text.strip():
            t = text.strip()
            where.append(
                or_(
                    holds(facilities.c.code, t), holds(facilities.c.name, t),
                    holds(facilities.c.treater_number, t), holds(enterprises.c.code, t),
                    holds(enterprises.c.name_zh, t), holds(enterprises.c.name_en, t),
                )
            )  # fmt: skip
        if kind:
            where.append(facilities.c.kind == kind)
        joined = facilities.join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
        probe_count = (
            select(func.count(probes.c.id))
            .where(probes.c.facility_id == facilities.c.id)
            .scalar_subquery()
        )
        query = (
            select(
                facilities.c.code, facilities.c.name, facilities.c.kind,
                facilities.c.treater_number, enterprises.c.code.label("enterprise"),
                enterprises.c.city, probe_count.label("probes"),
            )
            .select_from(joined).where(*where).order_by(facilities.c.code)
            .offset(offset).limit(limit)
        )  # fmt: skip
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar()
            rows = conn.execute(query).all()
        return Found([dict(row._mapping) for row in rows], int(total or 0), offset, limit)

    def find_enterprises(self, text: str, *, offset: int, limit: int) -> Found[dict[str, Any]]:
        """Enterprises by code: code, names, city, grade, how many facilities. ``text`` in the
        code, a name or the city."""
        where: list[Any] = []
        if text.strip():
            t = text.strip()
            where.append(
                or_(
                    holds(enterprises.c.code, t), holds(enterprises.c.name_zh, t),
                    holds(enterprises.c.name_en, t), holds(enterprises.c.city, t),
                )
            )  # fmt: skip
        count = (
            select(func.count(facilities.c.id))
            .where(facilities.c.enterprise_id == enterprises.c.id)
            .scalar_subquery()
        )
        query = (
            select(
                enterprises.c.code, enterprises.c.name_zh, enterprises.c.name_en,
                enterprises.c.city, enterprises.c.grade, count.label("facilities"),
            )
            .where(*where).order_by(enterprises.c.code).offset(offset).limit(limit)
        )  # fmt: skip
        with connect(self.engine) as conn:
            total = conn.execute(
                select(func.count()).select_from(enterprises).where(*where)
            ).scalar()
            rows = conn.execute(query).all()
        return Found([dict(row._mapping) for row in rows], int(total or 0), offset, limit)

    def registry_counts(self) -> dict[str, int]:
        """How many enterprises, facilities and offices there are."""
        with connect(self.engine) as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in (
                    ("enterprises", enterprises), ("facilities", facilities),
                    ("offices", offices),
                )
            }  # fmt: skip

    def facility_owner(self, code: str) -> tuple[str, str] | None:
        with connect(self.engine) as conn:
            row = conn.execute(
                select(enterprises.c.code, enterprises.c.city)
                .join(facilities, enterprises.c.id == facilities.c.enterprise_id)
                .where(facilities.c.code == code)
            ).first()
        return None if row is None else (row[0], row[1])

    def enterprise_city(self, code: str) -> str | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(enterprises.c.city).where(enterprises.c.code == code)).first()
        return None if row is None else str(row[0])

    # -- sign-off -------------------------------------------------------------------------------

    def add_signoff(self, signoff: SignOff, user_id: int) -> bool:
        """False when the run has a decision already (two inspectors at once: one wins)."""
        try:
            with begin(self.engine) as conn:
                conn.execute(
                    insert(run_signoffs).values(
                        run_id=signoff.run_id,
                        decision=signoff.decision.value,
                        comment=signoff.comment,
                        user_id=user_id,
                        login=signoff.by,
                        office=signoff.office,
                        at=signoff.at,
                    )
                )
        except IntegrityError:
            return False
        return True

    def signoff_of(self, run_id: int) -> SignOff | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(run_signoffs).where(run_signoffs.c.run_id == run_id)).first()
        if row is None:
            return None
        return SignOff(
            row.run_id, Decision(row.decision), row.comment, row.login, row.office, row.at
        )
