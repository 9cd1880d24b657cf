"""The ConsignmentStore port (services.supervision.consignments): what InMemoryConsignmentStore
and SqlConsignmentStore both do: numbers, drafts, versions, the compare-and-set move and its
timeline entry, and a returned consignment's draft."""

from __future__ import annotations

from decimal import Decimal

import pytest
from stores import T0

from acting import ctx_at
from fakes.consignments import InMemoryConsignmentStore
from phytowatch.bootstrap import Services
from phytowatch.domain.supervision.consignment import (
    ConsignmentState,
    Declaration,
    Line,
    Party,
    Step,
)
from phytowatch.services.provisioning import add_enterprise
from phytowatch.services.supervision.consignments import ConsignmentStore, EnterpriseRef

pytestmark = pytest.mark.contract
S = ConsignmentState
DECLARATION = Declaration(
    exporter=Party("Ganzhou Fruit", "赣州"),
    consignee=Party("Pacific Fruit Co.", "Long Beach"),
    lines=(Line("mango", "Mangifera indica", Decimal("10.5"), "kg", 10, "crates"),),
    destination="US",
    port_of_exit="CNSHA",
    conveyance="vessel",
    marks="PF-1",
    containers=("CSQU3054383",),
    bases=(),
    runs=(),
)


@pytest.fixture
def consignment_store(store_kind: str, request: pytest.FixtureRequest) -> ConsignmentStore:
    if store_kind == "memory":
        return InMemoryConsignmentStore(
            enterprises={"E1": EnterpriseRef("E1", "赣州果业", "Ganzhou Fruit", "赣州")}
        )
    services: Services = request.getfixturevalue("services")
    add_enterprise(
        services.registry, "E1", "赣州果业", "Ganzhou Fruit", "赣州", "II", ctx=ctx_at(T0)
    )
    return services.consignments


def test_an_enterprise_is_known_by_its_code(consignment_store: ConsignmentStore) -> None:
    assert consignment_store.enterprise("E1") == EnterpriseRef(
        "E1", "赣州果业", "Ganzhou Fruit", "赣州"
    )
    assert consignment_store.enterprise("E9") is None


def test_a_draft_is_numbered_and_edited_while_it_is_one(
    consignment_store: ConsignmentStore,
) -> None:
    store = consignment_store
    made = store.create("E1", DECLARATION, at=T0, actor="user:d")
    assert made.state is S.DRAFT and made.version == 0 and made.city == "赣州"
    assert made.number.startswith("CD") and store.by_number(made.number) == made
    changed = Declaration(**{**DECLARATION.__dict__, "marks": "PF-2"})
    assert store.save_draft(made.id, S.DRAFT, changed, at=T0 + 1)
    assert not store.save_draft(made.id, S.SUBMITTED, DECLARATION, at=T0 + 2)
    assert store.draft(made.id) == changed
    assert [e.step for e in store.timeline(made.id)] == [Step.DRAFTED]


def test_a_version_is_kept_and_a_move_is_compare_and_set(
    consignment_store: ConsignmentStore,
) -> None:
    store = consignment_store
    made = store.create("E1", DECLARATION, at=T0, actor="user:d")
    store.add_version(made.id, 1, DECLARATION, at=T0 + 1, actor="user:d")
    assert store.move(made.id, S.DRAFT, S.SUBMITTED, step=Step.SUBMITTED, at=T0 + 1, actor="d")
    assert not store.move(made.id, S.DRAFT, S.WITHDRAWN, step=Step.WITHDRAWN, at=T0 + 2, actor="d")
    found = store.consignment(made.id)
    assert found is not None and (found.state, found.version) == (S.SUBMITTED, 1)
    assert store.declaration(made.id, 1) == DECLARATION and store.declaration(made.id, 2) is None
    assert [v.version for v in store.versions(made.id)] == [1]
    assert [(e.step, e.version) for e in store.timeline(made.id)] == [
        (Step.DRAFTED, 0),
        (Step.SUBMITTED, 1),
    ]
    assert store.move(made.id, S.SUBMITTED, S.RETURNED, step=Step.RETURNED, at=T0 + 3, actor="i")
    assert store.draft(made.id) == DECLARATION  # the correction starts from what was submitted
