"""The consignments' SQL store on SQLite and PostgreSQL: numbers, drafts, versions with their
lines and runs, the compare-and-set move and its timeline entry, what it reads of runs, the
counts; and the legal records (versions, lines, run links, timeline) refused UPDATE and DELETE
by the database itself."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from accountsworld import T0, World
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from phytowatch.domain.accounts import Jurisdiction
from phytowatch.domain.supervision.consignment import (
    ConsignmentState,
    Declaration,
    Line,
    Party,
    Step,
)
from phytowatch.services.supervision.consignments import ConsignmentQuery
from phytowatch.storage.supervision.consignments_repo import SqlConsignmentStore

S = ConsignmentState
DECLARATION = Declaration(
    exporter=Party("Ganzhou Wood", "赣州"),
    consignee=Party("Pacific Fruit Co.", "Long Beach"),
    lines=(
        Line("wood-packaging", "", Decimal("120.125"), "pieces", 120, "pallets"),
        Line("citrus-navel-orange", "Citrus sinensis", Decimal("12000"), "kg", 800, "cartons"),
    ),
    destination="US",
    port_of_exit="CNSHA",
    conveyance="vessel",
    marks="PF-1",
    containers=("CSQU3054383",),
    bases=(),
    runs=(),
)


def _store(world: World) -> SqlConsignmentStore:
    store = world.services.consignments
    assert isinstance(store, SqlConsignmentStore)
    return store


def test_numbers_are_per_year_and_a_submitted_version_keeps_its_lines_and_runs(
    world: World,
) -> None:
    store = _store(world)
    first = store.create("E1", DECLARATION, at=T0, actor="user:declarant")
    second = store.create("E1", DECLARATION, at=T0 + 1, actor="user:declarant")
    assert (first.number, second.number) == ("CD2026-000001", "CD2026-000002")
    assert first.state is S.DRAFT and first.version == 0 and first.city == "赣州"
    assert store.draft(first.id) == DECLARATION
    with_run = replace(DECLARATION, runs=(world.objects["K1"].pass_run,))
    store.add_version(first.id, 1, with_run, at=T0 + 5, actor="user:declarant")
    assert store.move(
        first.id, S.DRAFT, S.SUBMITTED, step=Step.SUBMITTED, at=T0 + 5, actor="user:declarant"
    )
    assert not store.move(
        first.id, S.DRAFT, S.SUBMITTED, step=Step.SUBMITTED, at=T0 + 6, actor="user:x"
    )  # the state moved on: compare-and-set refuses, no entry added
    assert store.declaration(first.id, 1) == with_run
    assert store.draft(first.id) is None
    assert [e.step for e in store.timeline(first.id)] == [Step.DRAFTED, Step.SUBMITTED]
    [version] = store.versions(first.id)
    assert version.version == 1 and len(version.content_hash) == 64
    backed = store.backed_by(world.objects["K1"].pass_run)
    assert [(b.number, b.version) for b in backed] == [(first.number, 1)]
    found = store.find(
        ConsignmentQuery(reach=Jurisdiction(everywhere=True), product="citrus-navel-orange")
    )
    assert [row.number for row in found.items] == [first.number]
    with world.services.engine.connect() as conn:
        lines = conn.execute(
            text("SELECT line_no, quantity FROM consignment_lines ORDER BY line_no")
        ).all()
    assert [(n, Decimal(str(q))) for n, q in lines] == [
        (1, Decimal("120.125")),
        (2, Decimal("12000")),
    ]


def test_a_returned_consignment_gets_its_submitted_content_back_as_the_draft(
    world: World,
) -> None:
    store = _store(world)
    made = store.create("E1", DECLARATION, at=T0, actor="user:declarant")
    store.add_version(made.id, 1, DECLARATION, at=T0 + 1, actor="user:declarant")
    store.move(made.id, S.DRAFT, S.SUBMITTED, step=Step.SUBMITTED, at=T0 + 1, actor="a")
    store.move(made.id, S.SUBMITTED, S.RETURNED, step=Step.RETURNED, at=T0 + 2, actor="b")
    assert store.draft(made.id) == DECLARATION
    assert store.count("returned_declarations", "E1", T0, T0 + 3) == 1
    assert store.count("returned_declarations", "E1", T0 + 3, T0 + 9) == 0
    assert store.count("declarations", "E1", T0, T0 + 3) == 1
    assert store.count("declarations", "E2", T0, T0 + 3) == 0
    assert store.count("failed_runs", "E1", T0, T0 + 3) is None


def test_backing_runs_say_the_enterprise_the_verdict_and_the_signoff(world: World) -> None:
    store = _store(world)
    k1, k2 = world.objects["K1"], world.objects["K2"]
    found = store.backing_runs([k1.pass_run, k1.open_run, k2.pass_run, 999_999])
    assert set(found) == {k1.pass_run, k1.open_run, k2.pass_run}
    assert found[k1.pass_run].enterprise == "E1" and found[k2.pass_run].enterprise == "E2"
    assert found[k1.pass_run].closed and found[k1.pass_run].verdict == "PASS"
    assert not found[k1.pass_run].signed_off and not found[k1.open_run].closed
    assert not found[k1.pass_run].has_findings
    assert store.offered_runs("E1") == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE declaration_versions SET content = '{}'",
        "DELETE FROM declaration_versions",
        "UPDATE consignment_lines SET quantity = 1",
        "DELETE FROM consignment_lines",
        "UPDATE consignment_runs SET version = 9",
        "DELETE FROM consignment_runs",
        "UPDATE consignment_events SET actor = 'user:mallory'",
        "DELETE FROM consignment_events",
    ],
)
def test_what_was_submitted_cannot_be_edited_or_removed(world: World, statement: str) -> None:
    store = _store(world)
    made = store.create("E1", DECLARATION, at=T0, actor="user:declarant")
    with_run = replace(DECLARATION, runs=(world.objects["K1"].pass_run,))
    store.add_version(made.id, 1, with_run, at=T0 + 1, actor="user:declarant")
    with pytest.raises(DBAPIError, match="append-only"), world.services.engine.begin() as conn:
        conn.execute(text(statement))
    assert store.declaration(made.id, 1) == with_run
    assert json.loads(json.dumps([e.step.value for e in store.timeline(made.id)])) == ["drafted"]
