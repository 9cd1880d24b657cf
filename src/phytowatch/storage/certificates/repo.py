"""Certificates on SQL (``services.certificates.store.CertificateStore``).

A certificate is read as its identity row, its newest revision, its newest event (the state),
its issue (once issued) and the certificate that replaced it (an issued one naming it). Nothing
is ever updated but the per-office-and-year counter, locked with ``SELECT ... FOR UPDATE`` on
PostgreSQL (SQLite serialises writers) and incremented in the issuing transaction.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.sql.elements import ColumnElement

from phytowatch.domain.certificates.canonical import content_from_json, content_json
from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateContent,
    CertificateEvent,
    CertificateKind,
    CertificateState,
    Issue,
    Print,
)
from phytowatch.services.certificates.ports import OfficeKey
from phytowatch.services.certificates.store import NewCertificate, NewKey, NumberPattern, Reach
from phytowatch.services.paging import Found
from phytowatch.storage.certificates.tables import (
    certificate_counters,
    certificate_events,
    certificate_issues,
    certificate_number_patterns,
    certificate_prints,
    certificate_revisions,
    certificates,
    office_keys,
)
from phytowatch.storage.errors import translating
from phytowatch.storage.unit import begin, connect

_newest_event = (
    select(func.max(certificate_events.c.id))
    .where(certificate_events.c.certificate_id == certificates.c.id)
    .correlate(certificates)
    .scalar_subquery()
)
_newest_revision = (
    select(func.max(certificate_revisions.c.revision))
    .where(certificate_revisions.c.certificate_id == certificates.c.id)
    .correlate(certificates)
    .scalar_subquery()
)
_replacement = certificates.alias("replacement")
_replacement_issue = certificate_issues.alias("replacement_issue")
_replaced_by = (
    select(func.max(_replacement.c.id))
    .join(_replacement_issue, _replacement_issue.c.certificate_id == _replacement.c.id)
    .where(_replacement.c.replaces == certificates.c.id)
    .correlate(certificates)
    .scalar_subquery()
)

_SELECT = (
    select(
        certificates,
        certificate_events.c.state,
        certificate_revisions.c.revision,
        certificate_revisions.c.content,
        _replaced_by.label("replaced_by"),
        *(
            column.label(f"issue_{column.name}")
            for column in certificate_issues.c
            if column.name != "certificate_id"
        ),
    )
    .join(certificate_events, certificate_events.c.id == _newest_event)
    .join(
        certificate_revisions,
        and_(
            certificate_revisions.c.certificate_id == certificates.c.id,
            certificate_revisions.c.revision == _newest_revision,
        ),
    )
    .outerjoin(certificate_issues, certificate_issues.c.certificate_id == certificates.c.id)
)


def _issue(row: RowMapping) -> Issue | None:
    if row["issue_number"] is None:
        return None
    return Issue(
        certificate_id=row["id"],
        number=row["issue_number"],
        office=row["issue_office"],
        place_of_issue=row["issue_place"],
        issued_at=row["issue_issued_at"],
        officer=row["issue_officer"],
        officer_actor=row["issue_officer_actor"],
        key_id=row["issue_key_id"],
        content_hash=row["issue_content_hash"],
        signature=row["issue_signature"],
        token=row["issue_token"],
        check_code=row["issue_check_code"],
        payload_signature=row["issue_payload_signature"],
    )


def _certificate(row: RowMapping, content: CertificateContent | None = None) -> Certificate:
    return Certificate(
        id=row["id"],
        kind=CertificateKind(row["kind"]),
        consignment_id=row["consignment_id"],
        office=row["office"],
        enterprise=row["enterprise"],
        city=row["city"],
        state=CertificateState(row["state"]),
        revision=row["revision"],
        content=content or content_from_json(json.loads(row["content"])),
        created_at=row["created_at"],
        created_by=row["created_by"],
        replaces=row["replaces"],
        replacement_reason=row["reason"],
        replaced_by=row["replaced_by"],
        issue=_issue(row),
    )


def _key(row: RowMapping, active: bool) -> OfficeKey:
    return OfficeKey(
        key_id=row["key_id"],
        office=row["office"],
        algorithm=row["algorithm"],
        public_key_pem=row["public_key_pem"],
        certificate_pem=row["certificate_pem"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        active=active,
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@translating
class SqlCertificateStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- reads ----------------------------------------------------------------------------------

    def _one(self, *where: ColumnElement[bool]) -> Certificate | None:
        with connect(self.engine) as conn:
            row = conn.execute(_SELECT.where(*where)).mappings().first()
        return None if row is None else _certificate(row)

    def certificate(self, certificate_id: int) -> Certificate | None:
        return self._one(certificates.c.id == certificate_id)

    def by_number(self, number: str) -> Certificate | None:
        return self._one(certificate_issues.c.number == number)

    def by_token(self, token: str) -> Certificate | None:
        return self._one(certificate_issues.c.token == token)

    def of_consignment(self, consignment_id: int) -> list[Certificate]:
        query = _SELECT.where(certificates.c.consignment_id == consignment_id).order_by(
            certificates.c.id
        )
        with connect(self.engine) as conn:
            return [_certificate(row) for row in conn.execute(query).mappings()]

    def history(self, certificate_id: int) -> list[CertificateEvent]:
        query = (
            select(certificate_events)
            .where(certificate_events.c.certificate_id == certificate_id)
            .order_by(certificate_events.c.id)
        )
        with connect(self.engine) as conn:
            return [
                CertificateEvent(
                    row["certificate_id"],
                    CertificateState(row["state"]),
                    row["at"],
                    row["actor"],
                    json.loads(row["detail"]),
                )
                for row in conn.execute(query).mappings()
            ]

    def prints(self, certificate_id: int) -> list[Print]:
        query = (
            select(certificate_prints)
            .where(certificate_prints.c.certificate_id == certificate_id)
            .order_by(certificate_prints.c.sequence)
        )
        with connect(self.engine) as conn:
            return [
                Print(row["certificate_id"], row["copy"], row["at"], row["actor"], row["sequence"])
                for row in conn.execute(query).mappings()
            ]

    def find(
        self,
        *,
        states: frozenset[CertificateState] | None,
        office: str | None,
        enterprise: str | None,
        reach: Reach | None,
        offset: int,
        limit: int,
        kind: CertificateKind | None = None,
        number: str = "",
    ) -> Found[Certificate]:
        where: list[ColumnElement[bool]] = []
        if kind is not None:
            where.append(certificates.c.kind == kind.value)
        if number:
            where.append(func.upper(certificate_issues.c.number).contains(number.upper()))
        if states is not None:
            where.append(certificate_events.c.state.in_(sorted(s.value for s in states)))
        if office:
            where.append(certificates.c.office == office)
        if enterprise:
            where.append(certificates.c.enterprise == enterprise)
        if reach is not None:
            cities, codes = reach
            where.append(
                or_(
                    certificates.c.city.in_(list(cities)),
                    certificates.c.enterprise.in_(list(codes)),
                )
            )
        counted = (
            select(func.count())
            .select_from(certificates)
            .join(certificate_events, certificate_events.c.id == _newest_event)
            .outerjoin(certificate_issues, certificate_issues.c.certificate_id == certificates.c.id)
            .where(*where)
        )
        query = _SELECT.where(*where).order_by(certificates.c.id.desc()).offset(offset).limit(limit)
        with connect(self.engine) as conn:
            total = conn.execute(counted).scalar_one()
            items = [_certificate(row) for row in conn.execute(query).mappings()]
        return Found(items, total, offset, limit)

    def owner_of(self, certificate_id: int) -> tuple[str, str] | None:
        query = select(certificates.c.enterprise, certificates.c.city).where(
            certificates.c.id == certificate_id
        )
        with connect(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else (row[0], row[1])

    # -- writes ---------------------------------------------------------------------------------

    def add_certificate(self, new: NewCertificate) -> int:
        with begin(self.engine) as conn:
            certificate_id: int = conn.execute(
                insert(certificates)
                .values(
                    kind=new.kind.value,
                    consignment_id=new.consignment_id,
                    office=new.office,
                    enterprise=new.enterprise,
                    city=new.city,
                    replaces=new.replaces,
                    reason=new.reason,
                    created_at=new.at,
                    created_by=new.actor,
                )
                .returning(certificates.c.id)
            ).scalar_one()
            self._revision(conn, certificate_id, 1, new.content, new.at, new.actor)
            conn.execute(
                insert(certificate_events).values(
                    certificate_id=certificate_id,
                    state=CertificateState.DRAFT.value,
                    at=new.at,
                    actor=new.actor,
                    detail=_dumps({}),
                )
            )
        return certificate_id

    @staticmethod
    def _revision(
        conn: Connection,
        certificate_id: int,
        revision: int,
        content: CertificateContent,
        at: int,
        actor: str,
    ) -> None:
        conn.execute(
            insert(certificate_revisions).values(
                certificate_id=certificate_id,
                revision=revision,
                content=_dumps(content_json(content)),
                at=at,
                actor=actor,
            )
        )

    def add_revision(
        self, certificate_id: int, content: CertificateContent, *, at: int, actor: str
    ) -> int:
        with begin(self.engine) as conn:
            last = conn.execute(
                select(func.max(certificate_revisions.c.revision)).where(
                    certificate_revisions.c.certificate_id == certificate_id
                )
            ).scalar()
            revision = (last or 0) + 1
            self._revision(conn, certificate_id, revision, content, at, actor)
        return revision

    def add_event(self, event: CertificateEvent) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                insert(certificate_events).values(
                    certificate_id=event.certificate_id,
                    state=event.state.value,
                    at=event.at,
                    actor=event.actor,
                    detail=_dumps(event.detail),
                )
            )

    def next_sequence(self, office: str, year: int) -> int:
        key = and_(certificate_counters.c.office == office, certificate_counters.c.year == year)
        with begin(self.engine) as conn:
            last = conn.execute(
                select(certificate_counters.c.last).where(key).with_for_update()
            ).scalar()
            if last is None:
                conn.execute(insert(certificate_counters).values(office=office, year=year, last=1))
                return 1
            conn.execute(update(certificate_counters).where(key).values(last=last + 1))
            return int(last) + 1

    def add_issue(self, issue: Issue, *, year: int, sequence: int, revision: int) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                insert(certificate_issues).values(
                    certificate_id=issue.certificate_id,
                    number=issue.number,
                    office=issue.office,
                    year=year,
                    sequence=sequence,
                    revision=revision,
                    content_hash=issue.content_hash,
                    signature=issue.signature,
                    key_id=issue.key_id,
                    token=issue.token,
                    check_code=issue.check_code,
                    payload_signature=issue.payload_signature,
                    officer=issue.officer,
                    officer_actor=issue.officer_actor,
                    place=issue.place_of_issue,
                    issued_at=issue.issued_at,
                )
            )

    def add_print(self, entry: Print) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                insert(certificate_prints).values(
                    certificate_id=entry.certificate_id,
                    sequence=entry.sequence,
                    copy=entry.copy,
                    at=entry.at,
                    actor=entry.actor,
                )
            )

    # -- numbering ------------------------------------------------------------------------------

    def patterns(self, office: str) -> list[NumberPattern]:
        query = (
            select(certificate_number_patterns)
            .where(certificate_number_patterns.c.office == office)
            .order_by(certificate_number_patterns.c.id)
        )
        with connect(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        return [
            NumberPattern(row["office"], row["pattern"], row["at"], row["actor"], no)
            for no, row in enumerate(rows, start=1)
        ]

    def add_pattern(self, office: str, pattern: str, *, at: int, actor: str) -> NumberPattern:
        with begin(self.engine) as conn:
            conn.execute(
                insert(certificate_number_patterns).values(
                    office=office, pattern=pattern, at=at, actor=actor
                )
            )
        return self.patterns(office)[-1]

    # -- keys -----------------------------------------------------------------------------------

    def keys(self, office: str | None) -> list[OfficeKey]:
        query = select(office_keys).order_by(office_keys.c.id.desc())
        if office is not None:
            query = query.where(office_keys.c.office == office)
        with connect(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        seen: set[str] = set()
        out: list[OfficeKey] = []
        for row in rows:
            out.append(_key(row, active=row["office"] not in seen))
            seen.add(row["office"])
        return out

    def key(self, key_id: str) -> OfficeKey | None:
        with connect(self.engine) as conn:
            row = (
                conn.execute(select(office_keys).where(office_keys.c.key_id == key_id))
                .mappings()
                .first()
            )
            if row is None:
                return None
            newest = conn.execute(
                select(func.max(office_keys.c.id)).where(office_keys.c.office == row["office"])
            ).scalar()
        return _key(row, active=newest == row["id"])

    def private_key(self, key_id: str) -> str | None:
        query = select(office_keys.c.private_key_pem).where(office_keys.c.key_id == key_id)
        with connect(self.engine) as conn:
            found: str | None = conn.execute(query).scalar()
        return found

    def add_key(self, new: NewKey) -> None:
        key = new.key
        with begin(self.engine) as conn:
            conn.execute(
                insert(office_keys).values(
                    key_id=key.key_id,
                    office=key.office,
                    algorithm=key.algorithm,
                    public_key_pem=key.public_key_pem,
                    certificate_pem=key.certificate_pem,
                    private_key_pem=new.private_key_pem,
                    encrypted=new.encrypted,
                    created_at=key.created_at,
                    created_by=key.created_by,
                )
            )
