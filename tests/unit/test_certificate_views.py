"""What the certificates' pages ask of the service (services/certificates/views.py), with the
certificates in memory: reach, the filters the store does not take, the queue oldest first, and
the acts each caller is offered."""

from __future__ import annotations

from fakes.certificate_service import InMemoryCertificates
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
from phytowatch.domain.certificates.model import CertificateKind, CertificateState
from phytowatch.services.certificates.views import (
    CertificateFilter,
    acts_for,
    every_within_reach,
    find_within_reach,
    queue_of,
    within_reach,
)

S = CertificateState


def _person(role: Role, *, enterprise: str | None = None, office: str | None = None) -> Principal:
    return Principal(
        kind="user", actor=f"user:{role.value}", actions=ROLE_ACTIONS[role], role=role,
        enterprise=enterprise, office=office,
        jurisdiction=Jurisdiction(cities=frozenset({"赣州"})) if office else None,
    )  # fmt: skip


DECLARANT = _person(Role.ENTERPRISE_DECLARANT, enterprise="0031")
OTHER_DECLARANT = _person(Role.ENTERPRISE_DECLARANT, enterprise="0032")
CERTIFIER = _person(Role.CERTIFYING_OFFICER, office="JX")
ELSEWHERE = Principal(
    kind="user", actor="user:gz", actions=ROLE_ACTIONS[Role.CERTIFYING_OFFICER],
    role=Role.CERTIFYING_OFFICER, office="GZ",
    jurisdiction=Jurisdiction(cities=frozenset({"广州"})),
)  # fmt: skip
ADMIN = _person(Role.ADMINISTRATOR)


def _world() -> InMemoryCertificates:
    store = InMemoryCertificates()
    store.add(state=S.SUBMITTED, created_at=30)
    store.add(state=S.APPROVED, created_at=10)
    store.add(state=S.DRAFT, created_at=20)
    store.add(state=S.ISSUED, created_at=40, number="JX2026-000001",
              kind=CertificateKind.TREATMENT)  # fmt: skip
    store.add(state=S.SUBMITTED, created_at=5, enterprise="0032", city="南昌")
    store.add(state=S.SUBMITTED, created_at=1, office="GZ", enterprise="0077", city="广州")
    return store


def test_an_enterprise_sees_only_its_own_certificates_and_an_administrator_all() -> None:
    store = _world()
    mine = find_within_reach(store, DECLARANT, CertificateFilter())
    assert {c.enterprise for c in mine.items} == {"0031"} and mine.total == 4
    assert find_within_reach(store, ADMIN, CertificateFilter()).total == 6
    asked_for_another = CertificateFilter(enterprise="0032")
    assert find_within_reach(store, DECLARANT, asked_for_another).total == 0


def test_bureau_staff_see_the_cities_their_office_covers_and_no_other() -> None:
    store = _world()
    assert {c.city for c in find_within_reach(store, CERTIFIER, CertificateFilter()).items} == {
        "赣州"
    }
    assert find_within_reach(store, ELSEWHERE, CertificateFilter()).total == 1


def test_kind_and_number_filter_the_certificates_and_count_what_matches() -> None:
    store = _world()
    treatment = CertificateFilter(kind=CertificateKind.TREATMENT)
    found = find_within_reach(store, ADMIN, treatment)
    assert found.total == 1 and found.items[0].issue is not None
    by_number = find_within_reach(store, ADMIN, CertificateFilter(number="jx2026-0000"))
    assert [c.issue.number for c in by_number.items if c.issue] == ["JX2026-000001"]
    assert find_within_reach(store, ADMIN, CertificateFilter(number="nothing")).total == 0


def test_pages_of_the_filtered_list_hold_what_their_offset_says() -> None:
    store = InMemoryCertificates()
    for n in range(7):
        store.add(kind=CertificateKind.TREATMENT, created_at=n)
        store.add(created_at=100 + n)
    wanted = CertificateFilter(kind=CertificateKind.TREATMENT)
    second = find_within_reach(store, ADMIN, wanted, offset=5, limit=5)
    assert second.total == 7 and [c.created_at for c in second.items] == [1, 0]
    assert len(list(every_within_reach(store, ADMIN, wanted))) == 7


def test_the_queue_holds_submitted_and_approved_within_the_officers_reach_oldest_first() -> None:
    queue = queue_of(_world(), CERTIFIER)
    assert [c.created_at for c in queue.items] == [10, 30] and queue.total == 2  # not 南昌's
    assert queue_of(_world(), DECLARANT).total == 0  # not a certifier's


def test_a_long_queue_shows_its_oldest_and_counts_them_all() -> None:
    store = InMemoryCertificates()
    for n in range(12):
        store.add(state=S.SUBMITTED, created_at=n)
    queue = queue_of(store, CERTIFIER, limit=5)
    assert queue.total == 12 and [c.created_at for c in queue.items] == [0, 1, 2, 3, 4]


def test_the_applicant_may_edit_and_submit_a_draft_and_the_certifier_act_on_a_submitted_one() -> (
    None
):
    store = _world()
    draft, submitted, approved, issued = (store.rows[i] for i in (3, 1, 2, 4))
    assert acts_for(DECLARANT, draft) == {"edit", "submit"}
    assert acts_for(OTHER_DECLARANT, draft) == frozenset()
    assert acts_for(CERTIFIER, draft) == frozenset()
    assert acts_for(CERTIFIER, submitted) == {"return", "approve", "reject"}
    assert acts_for(CERTIFIER, approved) == {"return", "issue", "reject"}
    assert acts_for(CERTIFIER, issued) == {"cancel"}
    assert acts_for(DECLARANT, issued) == {"replace"}
    assert acts_for(ADMIN, submitted) == frozenset()  # certifying is the officer's own


def test_a_certificate_outside_the_office_is_not_within_reach() -> None:
    store = _world()
    assert within_reach(CERTIFIER, store.rows[1])
    assert not within_reach(CERTIFIER, store.rows[6])
    assert not within_reach(OTHER_DECLARANT, store.rows[1])
