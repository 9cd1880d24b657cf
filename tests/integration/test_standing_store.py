"""Classification and raw-material bases in SQL, on SQLite and PostgreSQL: the standing in
force and its history, the lookup routing reads, proposals once per period, bases and their
history, the failed-runs count, and the legal records refused an UPDATE or a DELETE by the
database itself. Migration 0014 seeds each enterprise's first standing from its grade."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import Jurisdiction
from phytowatch.domain.messages import Code, Kind
from phytowatch.domain.supervision.classification import Period, Proposal, ProposalState
from phytowatch.domain.supervision.registry import (
    BaseEvent,
    BaseEventKind,
    BaseStatus,
    EnterpriseStanding,
    RawMaterialBase,
)
from phytowatch.services.provisioning import add_enterprise, add_facility
from phytowatch.services.supervision.bases import BaseQuery
from phytowatch.services.supervision.standing import StandingQuery
from phytowatch.storage.migrate import alembic_config
from phytowatch.storage.supervision.standing_repo import SqlFailedRuns, SqlStanding
from refusals import refused

T = 1_772_446_620_000_000
DAY = 86_400_000_000
EVERYWHERE = Jurisdiction(everywhere=True)


@pytest.fixture
def store(services: Services) -> SqlStanding:
    for code, city, grade in (("E1", "赣州", "II"), ("E2", "南昌", "AA")):
        add_enterprise(services.registry, code, "企业", "Enterprise", city, grade, ctx=ctx_at(T))
    return SqlStanding(services.engine)


def _base(number: str = "B-1", enterprise: str = "E1") -> RawMaterialBase:
    return RawMaterialBase(
        number, enterprise, "基地", ("citrus-navel-orange", "mango"), "安远县", BaseStatus.VALID, T
    )


def test_an_enterprise_never_classified_stands_at_its_registered_grade(store: SqlStanding) -> None:
    assert store.standing("E1") == EnterpriseStanding(
        "E1", "cn-class", "II", False, False, T, "registry"
    )
    assert store.standing("E2").scheme == "credit-grade"  # type: ignore[union-attr]
    assert store.standing("E9") is None and store.history("E1") == []


def test_the_newest_standing_is_in_force_and_the_history_is_kept(store: SqlStanding) -> None:
    first = EnterpriseStanding("E1", "cn-class", "III", True, False, T + 1, "user:a", "one")
    second = EnterpriseStanding("E1", "cn-class", "I", True, True, T + 1, "user:a", "two")
    store.add_standing(first)
    store.add_standing(second)
    assert store.standing("E1") == second  # same instant: the later row wins
    assert store.history("E1") == [second, first]
    assert {s.enterprise: s.klass for s in store.standings()} == {"E1": "I", "E2": "AA"}


def test_the_standings_list_filters_and_counts(store: SqlStanding) -> None:
    store.add_standing(EnterpriseStanding("E1", "cn-class", "II", True, True, T, "user:a", "r"))
    found = store.find_standings(StandingQuery(EVERYWHERE, key_list=True), offset=0, limit=10)
    assert (found.total, [r.enterprise for r in found.items]) == (1, ["E1"])
    found = store.find_standings(StandingQuery(EVERYWHERE, klass="AA"), offset=0, limit=10)
    assert [r.enterprise for r in found.items] == ["E2"]
    only_nc = Jurisdiction(cities=frozenset({"南昌"}))
    assert [
        r.enterprise for r in store.find_standings(StandingQuery(only_nc), offset=0, limit=10).items
    ] == ["E2"]
    assert store.find_standings(StandingQuery(EVERYWHERE, text="e2"), offset=0, limit=10).total == 1


def test_a_proposal_is_stored_once_per_enterprise_rule_and_period(store: SqlStanding) -> None:
    proposal = Proposal("E1", "down-failed-runs", "failed_runs", 3, "II", "III", Period(T - DAY, T))
    new_id = store.add_proposal(proposal, at=T)
    assert store.proposal_exists("E1", "down-failed-runs", T)
    assert not store.proposal_exists("E1", "down-failed-runs", T + DAY)
    with refused(Code.PROPOSAL_RACE, Kind.CONFLICT):
        store.add_proposal(proposal, at=T)
    record = store.proposal(new_id)
    assert (
        record is not None
        and record.proposal == proposal
        and record.state is ProposalState.PROPOSED
    )
    assert store.decide(new_id, ProposalState.DISMISSED, by="user:a", at=T + 1, comment="no")
    assert not store.decide(new_id, ProposalState.CONFIRMED, by="user:a", at=T + 2, comment="")
    assert store.find_proposals(ProposalState.PROPOSED, offset=0, limit=10).total == 0
    [dismissed] = store.find_proposals(None, offset=0, limit=10).items
    assert (dismissed.state, dismissed.decided_by, dismissed.comment) == (
        ProposalState.DISMISSED,
        "user:a",
        "no",
    )


def test_bases_their_status_and_history(store: SqlStanding) -> None:
    store.add_base(_base(), BaseEvent("B-1", BaseEventKind.REGISTERED, T, "user:i"))
    store.add_base(_base("B-2", "E2"), BaseEvent("B-2", BaseEventKind.REGISTERED, T, "user:i"))
    assert store.base("B-1") == _base()
    with refused(Code.BASE_EXISTS, Kind.CONFLICT):
        store.add_base(_base(), BaseEvent("B-1", BaseEventKind.REGISTERED, T, "user:i"))
    suspended = BaseEvent("B-1", BaseEventKind.SUSPENDED, T + 1, "user:i", "pests")
    assert store.set_base_status("B-1", BaseStatus.SUSPENDED, suspended)
    assert not store.set_base_status("B-1", BaseStatus.SUSPENDED, suspended)
    assert store.base("B-1").status is BaseStatus.SUSPENDED  # type: ignore[union-attr]
    assert [e.kind for e in store.base_history("B-1")] == [
        BaseEventKind.SUSPENDED,
        BaseEventKind.REGISTERED,
    ]

    def numbers(**given: object) -> list[str]:
        query = BaseQuery(given.pop("reach", EVERYWHERE), **given)  # type: ignore[arg-type]
        return [b.number for b in store.find_bases(query, offset=0, limit=10).items]

    assert numbers() == ["B-1", "B-2"]
    assert numbers(status=BaseStatus.VALID) == ["B-2"]
    assert numbers(product="mango") == ["B-1", "B-2"]
    assert numbers(product="mang") == []  # a product code is matched whole
    assert numbers(enterprise="E2") == ["B-2"]
    assert numbers(reach=Jurisdiction(enterprises=frozenset({"E1"}))) == ["B-1"]
    assert numbers(text="b-2") == ["B-2"]


def test_failed_runs_counts_the_enterprise_s_runs_closed_fail_in_the_period(
    services: Services, store: SqlStanding
) -> None:
    add_facility(services.registry, "K1", "E1", "kiln", ["C1"], ctx=ctx_at(T))
    with services.engine.begin() as conn:
        for closed, verdict in (
            (T - 2 * DAY, "FAIL"),
            (T - DAY, "FAIL"),
            (T - DAY, "PASS"),
            (T, "FAIL"),
            (None, None),
        ):
            conn.execute(
                text(
                    "INSERT INTO runs (facility_id, schedule_id, schedule_version, load, "
                    "started_at, closed_at, verdict) "
                    "VALUES (1, 's', '1', 'x', 1, :closed, :verdict)"
                ),
                {"closed": closed, "verdict": verdict},
            )
    counter = SqlFailedRuns(services.engine)
    assert counter.count("failed_runs", "E1", T - 2 * DAY, T) == 2  # the end is excluded
    assert counter.count("failed_runs", "E2", T - 2 * DAY, T + 1) == 0
    assert counter.count("interceptions", "E1", 0, T) is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE enterprise_standing SET class = 'I'",
        "DELETE FROM enterprise_standing",
        "UPDATE base_events SET reason = 'edited'",
        "DELETE FROM base_events",
    ],
)
def test_the_histories_are_append_only_in_the_database(
    services: Services, store: SqlStanding, statement: str
) -> None:
    store.add_standing(EnterpriseStanding("E1", "cn-class", "III", False, False, T, "user:a", "r"))
    store.add_base(_base(), BaseEvent("B-1", BaseEventKind.REGISTERED, T, "user:i"))
    with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
        conn.execute(text(statement))
    assert store.standing("E1").klass == "III"  # type: ignore[union-attr]
    assert len(store.base_history("B-1")) == 1


def test_0014_seeds_each_enterprise_s_standing_from_its_grade(db_url: str) -> None:
    config = alembic_config(db_url)
    command.upgrade(config, "0012")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for code, grade in (("E1", "III"), ("E2", "A")):
                conn.execute(
                    text(
                        "INSERT INTO enterprises (code, name_zh, name_en, city, grade, created_at)"
                        " VALUES (:code, '企业', 'Enterprise', '赣州', :grade, 5)"
                    ),
                    {"code": code, "grade": grade},
                )
        command.upgrade(config, "0014")
        store = SqlStanding(engine)
        assert store.history("E1") == [
            EnterpriseStanding("E1", "cn-class", "III", False, False, 5, "migration", "")
        ]
        assert store.standing("E2") == EnterpriseStanding(
            "E2", "credit-grade", "A", False, False, 5, "migration", ""
        )
        command.downgrade(config, "0012")
    finally:
        engine.dispose()


class _FailingAudit:
    """The real unit of work, whose entry cannot be written: the change must go with it."""

    def __init__(self, services: Services) -> None:
        self.atomic = services.audit.atomic

    def record(self, **_: object) -> None:
        raise RuntimeError("the trail is out of reach")


def test_a_change_whose_audit_entry_fails_is_not_kept(
    services: Services, store: SqlStanding
) -> None:
    from acting import ctx_of
    from phytowatch.domain.accounts import ROLE_ACTIONS, Principal, Role
    from phytowatch.services.supervision.bases import register_base
    from phytowatch.services.supervision.standing import set_standing

    admin = Principal("user", "user:a", ROLE_ACTIONS[Role.ADMINISTRATOR], Role.ADMINISTRATOR)
    failing = _FailingAudit(services)
    with pytest.raises(RuntimeError):
        set_standing(
            store, services.policy, failing, "E1", ctx=ctx_of(admin, T), klass="I", reason="r"
        )
    with pytest.raises(RuntimeError):
        register_base(
            store, services.policy, failing, ctx=ctx_of(admin, T), number="B-1",
            enterprise="E1", name="n", products=["mango"], location="l",
        )  # fmt: skip
    assert store.history("E1") == [] and store.base("B-1") is None


def test_the_app_s_standing_lookup_is_the_store(services: Services, store: SqlStanding) -> None:
    """What routing reads (``App.standing``) is what the use cases write."""
    store.add_standing(EnterpriseStanding("E1", "cn-class", "IV", True, True, T, "user:a", "r"))
    store.add_base(_base(), BaseEvent("B-1", BaseEventKind.REGISTERED, T, "user:i"))
    found = services.standing.standing("E1")
    assert found is not None and (found.klass, found.key_list) == ("IV", True)
    assert services.standing.base("B-1") == _base()
    assert services.standing.base("B-9") is None
    # the failed runs are this store's to count; the declarations' and the assessments' stores
    # answer None for them
    counted = [counter.count("failed_runs", "E1", 0, T) for counter in services.record_counters]
    assert counted == [0, None, None]
