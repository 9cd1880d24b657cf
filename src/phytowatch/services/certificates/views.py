"""What the certificates' pages ask of the service, within the caller's reach: the list with its
filters (state, kind, enterprise, number) a page at a time, the certifying officer's queue (oldest
first), and which acts a caller may be offered on a certificate.

Reach: an administrator sees every certificate, an enterprise person its enterprise's, bureau
staff those of the cities and enterprises their office covers (``assessment.reach``), everyone
else none. Every filter and the reach are the store's own query (``Certificates.find``).

The acts offered are a guide for the page's buttons; the service decides, and refuses with its
own message when the page was out of date.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from phytowatch.domain.accounts import Action, Principal
from phytowatch.domain.certificates.model import (
    ISSUED_STATES,
    Certificate,
    CertificateKind,
    CertificateState,
)
from phytowatch.services.certificates.ports import Certificates
from phytowatch.services.paging import Found
from phytowatch.services.supervision.assessment import reach

S = CertificateState
Reach = tuple[Sequence[str], Sequence[str]]  # (cities, enterprise codes); None: everywhere
QUEUE = frozenset({S.SUBMITTED, S.APPROVED})  # what waits for the certifying officer
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
CHUNK = 2000  # certificates read per query for the CSV export


@dataclass(frozen=True)
class CertificateFilter:
    states: frozenset[CertificateState] | None = None
    kind: CertificateKind | None = None
    enterprise: str = ""
    number: str = ""  # part of the certificate's number, any case
    nothing: bool = False  # a filter no certificate can match


def within_reach(principal: Principal, certificate: Certificate) -> bool:
    """One certificate: the caller may read certificates and covers its enterprise (as the
    service's own check)."""
    return principal.may(Action.CERTIFICATES_READ) and principal.covers(
        certificate.enterprise, certificate.city
    )


def find_within_reach(
    certificates: Certificates,
    principal: Principal,
    wanted: CertificateFilter,
    *,
    offset: int = 0,
    limit: int = 50,
) -> Found[Certificate]:
    """The certificates the caller may see that match, newest first, one page and the count."""
    if wanted.nothing or not principal.may(Action.CERTIFICATES_READ):
        return Found([], 0, offset, limit)
    return certificates.find(
        states=wanted.states, enterprise=wanted.enterprise or None, reach=reach(principal),
        kind=wanted.kind, number=wanted.number, offset=offset, limit=limit,
    )  # fmt: skip


def every_within_reach(
    certificates: Certificates, principal: Principal, wanted: CertificateFilter
) -> Iterator[Certificate]:
    """Every matching certificate the caller may see, newest first (the CSV export)."""
    offset = 0
    while True:
        found = find_within_reach(certificates, principal, wanted, offset=offset, limit=CHUNK)
        yield from found.items
        if len(found.items) < CHUNK:
            return
        offset += CHUNK


def queue_of(
    certificates: Certificates, principal: Principal, *, limit: int = 200
) -> Found[Certificate]:
    """What waits for the certifying officer (submitted, approved) in the offices they cover,
    the oldest first; ``total`` counts them all, ``items`` holds the ``limit`` oldest."""
    if not principal.may(Action.CERTIFICATES_CERTIFY):
        return Found([], 0, 0, limit)
    where, office = reach(principal), principal.office
    first = certificates.find(states=QUEUE, office=office, reach=where, offset=0, limit=1)
    total = first.total
    if total == 0:
        return Found([], 0, 0, limit)
    start = max(0, total - limit)  # newest first in the store: the oldest are at the end
    found = certificates.find(
        states=QUEUE, office=office, reach=where, offset=start, limit=total - start
    )
    return Found(list(reversed(found.items)), total, 0, limit)


def acts_for(principal: Principal, certificate: Certificate) -> frozenset[str]:
    """The acts the page offers this caller on this certificate: ``edit``, ``submit``,
    ``replace`` to its enterprise's applicant; ``return``, ``approve``, ``reject``, ``issue``,
    ``cancel`` to the certifying officer of its office."""
    acts: set[str] = set()
    state = certificate.state
    applicant = (
        principal.may(Action.CERTIFICATES_APPLY)
        and principal.enterprise is not None
        and principal.enterprise == certificate.enterprise
    )
    if applicant and state in EDITABLE:
        acts |= {"edit", "submit"}
    if applicant and state in ISSUED_STATES and certificate.replaced_by is None:
        acts.add("replace")
    certifier = principal.may(Action.CERTIFICATES_CERTIFY) and within_reach(principal, certificate)
    if certifier:
        if state in {S.SUBMITTED, S.APPROVED}:
            acts |= {"return", "reject"}
        if state is S.SUBMITTED:
            acts.add("approve")
        if state is S.APPROVED:
            acts.add("issue")
        if state in ISSUED_STATES:
            acts.add("cancel")
    return frozenset(acts)
