"""Registering, suspending and reinstating raw-material bases with in-memory stores: who may
(an inspector of the office, an administrator), what is refused, the history and the audit."""

from __future__ import annotations

import pytest

from acting import ctx_of
from fakes.audit import InMemoryAuditRecorder
from fakes.bases import InMemoryBases
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
from phytowatch.domain.messages import Code, Kind, Word
from phytowatch.domain.supervision.registry import BaseEventKind, BaseStatus
from phytowatch.rules import load_shipped
from phytowatch.services.supervision.bases import (
    base_history,
    register_base,
    reinstate_base,
    suspend_base,
)
from phytowatch.services.supervision.policy import StaticPolicy
from refusals import refused

T = 1_772_446_620_000_000
POLICY = StaticPolicy(load_shipped())
ADMIN = Principal("user", "user:admin", ROLE_ACTIONS[Role.ADMINISTRATOR], Role.ADMINISTRATOR)
GZ = Jurisdiction(cities=frozenset({"赣州"}))
NC = Jurisdiction(cities=frozenset({"南昌"}))
INSPECTOR = Principal(
    "user", "user:insp", ROLE_ACTIONS[Role.INSPECTOR], Role.INSPECTOR, office="GZ", jurisdiction=GZ
)
INSPECTOR_NC = Principal(
    "user", "user:nc", ROLE_ACTIONS[Role.INSPECTOR], Role.INSPECTOR, office="NC", jurisdiction=NC
)
OPERATOR = Principal(
    "user", "user:op", ROLE_ACTIONS[Role.ENTERPRISE_OPERATOR], Role.ENTERPRISE_OPERATOR,
    enterprise="E1",
)  # fmt: skip


@pytest.fixture
def store() -> InMemoryBases:
    return InMemoryBases({"E1": "赣州", "E2": "南昌"})


def _register(store: InMemoryBases, who: Principal = INSPECTOR, **given: object) -> object:
    fields: dict[str, object] = {
        "number": "GZ-ORCH-001",
        "enterprise": "E1",
        "name": "安远脐橙基地",
        "products": ["citrus-navel-orange"],
        "location": "安远县",
    }
    fields.update(given)
    return register_base(store, POLICY, InMemoryAuditRecorder(), ctx=ctx_of(who, T), **fields)  # type: ignore[arg-type]


def test_an_inspector_of_the_office_registers_a_valid_base(store: InMemoryBases) -> None:
    audit = InMemoryAuditRecorder()
    base = register_base(
        store, POLICY, audit, ctx=ctx_of(INSPECTOR, T), number="GZ-ORCH-001", enterprise="E1",
        name=" 安远脐橙基地 ", products=["citrus-navel-orange", "citrus-navel-orange"],
        location="安远县",
    )  # fmt: skip
    assert base.status is BaseStatus.VALID and base.name == "安远脐橙基地"
    assert base.products == ("citrus-navel-orange",)
    assert store.base("GZ-ORCH-001") == base
    assert [e.kind for e in store.base_history("GZ-ORCH-001")] == [BaseEventKind.REGISTERED]
    assert audit.actions() == ["base.registered"] and audit.entries[0]["in_unit"]


def test_a_product_not_of_the_catalogue_is_refused_naming_the_field(
    store: InMemoryBases,
) -> None:
    with refused(Code.BASE_PRODUCT, Kind.INVALID) as caught:
        _register(store, products=["durian"])
    assert caught.value.message.params["field"] == Word("products")
    with refused(Code.FIELD_REQUIRED, Kind.INVALID):
        _register(store, products=[])
    assert store.bases == {}


def test_a_bad_number_or_an_empty_name_is_refused(store: InMemoryBases) -> None:
    with refused(Code.BASE_NUMBER, Kind.INVALID):
        _register(store, number="has space")
    with refused(Code.FIELD_TEXT, Kind.INVALID) as caught:
        _register(store, name="  ")
    assert caught.value.message.params["field"] == Word("name")


def test_a_number_is_registered_once(store: InMemoryBases) -> None:
    _register(store)
    with refused(Code.BASE_EXISTS, Kind.CONFLICT):
        _register(store)


def test_another_office_s_inspector_finds_no_such_enterprise(store: InMemoryBases) -> None:
    with refused(Code.NO_ENTERPRISE, Kind.NOT_FOUND):
        _register(store, who=INSPECTOR_NC)


def test_an_enterprise_user_may_not_register_a_base(store: InMemoryBases) -> None:
    with refused(Code.BASES_FORBIDDEN, Kind.FORBIDDEN):
        _register(store, who=OPERATOR)


def test_suspend_needs_a_reason_then_reinstate(store: InMemoryBases) -> None:
    _register(store)
    with refused(Code.FIELD_REQUIRED, Kind.INVALID) as caught:
        suspend_base(
            store, InMemoryAuditRecorder(), "GZ-ORCH-001", ctx=ctx_of(INSPECTOR, T), reason=""
        )
    assert caught.value.message.params["field"] == Word("reason")
    audit = InMemoryAuditRecorder()
    done = suspend_base(
        store,
        audit,
        "GZ-ORCH-001",
        ctx=ctx_of(INSPECTOR, T + 1),
        reason="pest found in the orchard",
    )
    assert done.status is BaseStatus.SUSPENDED
    with refused(Code.BASE_STATUS_ALREADY, Kind.CONFLICT):
        suspend_base(store, audit, "GZ-ORCH-001", ctx=ctx_of(INSPECTOR, T + 2), reason="again")
    reinstate_base(store, audit, "GZ-ORCH-001", ctx=ctx_of(ADMIN, T + 3))
    assert audit.actions() == ["base.suspended", "base.reinstated"]
    base, history = base_history(store, "GZ-ORCH-001", ctx=ctx_of(OPERATOR, T + 4))
    assert base.status is BaseStatus.VALID
    assert [(e.kind, e.reason) for e in history] == [
        (BaseEventKind.REINSTATED, ""),
        (BaseEventKind.SUSPENDED, "pest found in the orchard"),
        (BaseEventKind.REGISTERED, ""),
    ]


def test_a_base_out_of_reach_is_answered_as_none(store: InMemoryBases) -> None:
    _register(store)
    with refused(Code.NO_BASE, Kind.NOT_FOUND):
        suspend_base(
            store, InMemoryAuditRecorder(), "GZ-ORCH-001", ctx=ctx_of(INSPECTOR_NC, T), reason="r"
        )
    other = Principal(
        "user", "user:b", ROLE_ACTIONS[Role.ENTERPRISE_OPERATOR], Role.ENTERPRISE_OPERATOR,
        enterprise="E2",
    )  # fmt: skip
    with refused(Code.NO_BASE, Kind.NOT_FOUND):
        base_history(store, "GZ-ORCH-001", ctx=ctx_of(other, T))
    assert store.base("GZ-ORCH-001").status is BaseStatus.VALID  # type: ignore[union-attr]
