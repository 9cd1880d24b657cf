"""PolicyService: the document in force (newest stored, else shipped), an edit validated,
numbered and audited in its unit, the parsed policy cached until a new version is stored."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from acting import ctx_at, ctx_of
from fakes.audit import InMemoryAuditRecorder
from fakes.policy import InMemoryPolicyStore
from phytowatch.domain.accounts import Action, Principal, Role
from phytowatch.domain.messages import Code, Kind, Refused
from phytowatch.domain.supervision.policy import PolicyKind, RiskLevel, SupervisionMode
from phytowatch.rules import shipped_documents
from phytowatch.schedules import load_catalog
from phytowatch.services.clock import FixedClock
from phytowatch.services.context import Context
from phytowatch.services.supervision.policy import PolicyService, changes

T = 1_780_000_000_000_000
ADMIN = Principal(
    "user", "user:admin", frozenset({Action.POLICY_READ, Action.POLICY_WRITE}), Role.ADMINISTRATOR
)
READER = Principal("user", "user:i", frozenset({Action.POLICY_READ}), Role.INSPECTOR)


def service() -> tuple[PolicyService, InMemoryPolicyStore, InMemoryAuditRecorder]:
    store, audit = InMemoryPolicyStore(), InMemoryAuditRecorder()
    return PolicyService(store, audit, schedules=load_catalog().ids()), store, audit


def routing() -> dict[str, Any]:
    return copy.deepcopy(shipped_documents()[PolicyKind.ROUTING])


def test_the_shipped_files_are_in_force_until_an_edit() -> None:
    svc, _, _ = service()
    policy = svc.policy()
    assert policy.versions[PolicyKind.ROUTING] == "2026.1"
    assert policy.documents[PolicyKind.ROUTING].origin == "shipped"
    assert svc.document(PolicyKind.PRODUCTS).origin == "shipped"
    assert svc.history(PolicyKind.ROUTING) == []


def test_an_edit_is_numbered_stored_audited_in_its_unit_and_in_force() -> None:
    svc, store, audit = service()
    body = routing()
    body["matrix"]["I"]["high"] = "general"
    body["ratios"]["credit"] = "0.03"
    row = svc.edit(PolicyKind.ROUTING, body, note="ratio review 2027", ctx=ctx_of(ADMIN, T))
    assert (row.version, row.actor, row.created_at) == ("2026.1+1", "user:admin", T)
    policy = svc.policy()
    assert policy.versions[PolicyKind.ROUTING] == "2026.1+1"
    assert policy.documents[PolicyKind.ROUTING].origin == "stored"
    assert policy.routing.matrix[("I", RiskLevel.HIGH)] is SupervisionMode.GENERAL
    assert json.loads(store.rows[0].body)["version"] == "2026.1+1"
    [entry] = audit.entries
    assert entry["action"] == "policy.edit" and entry["in_unit"]
    assert entry["object"] == "policy:routing"
    assert entry["before"]["version"] == "2026.1" and entry["after"]["version"] == "2026.1+1"
    assert entry["after"]["changed"] == ["matrix.I.high", "ratios.credit"]
    assert entry["after"]["note"] == "ratio review 2027"
    body["ratios"]["credit"] = "0.04"
    again = svc.edit(PolicyKind.ROUTING, body, note="again", ctx=Context.cli("ops", FixedClock(T)))
    assert again.version == "2026.1+2"
    assert [v.version for v in svc.history(PolicyKind.ROUTING)] == ["2026.1+2", "2026.1+1"]
    assert svc.old(PolicyKind.ROUTING, "2026.1").origin == "shipped"
    assert svc.old(PolicyKind.ROUTING, "2026.1+1").body["ratios"]["credit"] == "0.03"


def test_a_refused_edit_names_the_field_and_stores_nothing() -> None:
    svc, store, audit = service()
    body = routing()
    body["matrix"]["III"]["high"] = "strictt"
    with pytest.raises(Refused) as caught:
        svc.edit(PolicyKind.ROUTING, body, note="typo", ctx=ctx_of(ADMIN, T))
    assert caught.value.kind is Kind.INVALID
    assert caught.value.message.params["field"] == "matrix.III.high"
    assert caught.value.message.params["file"] == "routing.json"
    assert store.rows == [] and audit.entries == []


@pytest.mark.parametrize(
    ("note", "who", "kind", "code"),
    [
        ("", ADMIN, Kind.INVALID, Code.POLICY_NOTE_MISSING),
        ("  ", ADMIN, Kind.INVALID, Code.POLICY_NOTE_MISSING),
        ("why", READER, Kind.FORBIDDEN, Code.POLICY_WRITE_ONLY),
    ],
)
def test_an_edit_needs_a_note_and_an_administrator(
    note: str, who: Principal, kind: Kind, code: Code
) -> None:
    svc, store, _ = service()
    body = routing()
    body["ratios"]["credit"] = "0.03"
    with pytest.raises(Refused) as caught:
        svc.edit(PolicyKind.ROUTING, body, note=note, ctx=ctx_of(who, T))
    assert (caught.value.kind, caught.value.message.code) == (kind, code)
    assert store.rows == []


def test_the_system_may_not_edit_policy() -> None:
    svc, _, _ = service()
    with pytest.raises(Refused):
        svc.edit(PolicyKind.ROUTING, routing(), note="x", ctx=ctx_at(T))


def test_an_unchanged_document_is_refused() -> None:
    svc, store, _ = service()
    with pytest.raises(Refused) as caught:
        svc.edit(PolicyKind.ROUTING, routing(), note="same", ctx=ctx_of(ADMIN, T))
    assert caught.value.message.code is Code.POLICY_UNCHANGED
    assert store.rows == []


def test_a_site_product_is_marked_and_a_removed_product_still_required_is_refused() -> None:
    svc, _, _ = service()
    products = copy.deepcopy(shipped_documents()[PolicyKind.PRODUCTS])
    products["products"].append(
        {"code": "navel-gannan", "name_zh": "赣南脐橙", "name_en": "Gannan navel orange",
         "botanical_name": "Citrus sinensis", "hs_code": "080510", "risk": "high",
         "confidence": "M"}
    )  # fmt: skip
    svc.edit(PolicyKind.PRODUCTS, products, note="our own", ctx=ctx_of(ADMIN, T))
    found = svc.policy().products
    assert found["navel-gannan"].site and not found["citrus-navel-orange"].site
    products["products"] = [p for p in products["products"] if p["code"] != "mango"]
    with pytest.raises(Refused) as caught:
        svc.edit(PolicyKind.PRODUCTS, products, note="drop mango", ctx=ctx_of(ADMIN, T))
    params = caught.value.message.params
    assert params["file"] == "destinations.json" and params["value"] == '"mango"'


def test_the_policy_is_parsed_once_per_stored_version() -> None:
    svc, store, _ = service()
    first = svc.policy()
    assert svc.policy() is first
    body = routing()
    body["ratios"]["credit"] = "0.03"
    svc.edit(PolicyKind.ROUTING, body, note="n", ctx=ctx_of(ADMIN, T))
    second = svc.policy()
    assert second is not first and svc.policy() is second
    assert store.newest_asked >= 4


def test_changes_lists_the_paths_that_differ() -> None:
    assert changes({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3}, "d": 1}) == ["a.c", "d"]
    assert changes({"l": [{"x": 1}]}, {"l": [{"x": 2}, {"x": 3}]}) == ["l[0].x", "l[1]"]


def test_a_stored_version_that_no_longer_validates_gives_way_to_the_shipped_file(
    caplog: pytest.LogCaptureFixture,
) -> None:
    svc, store, _ = service()
    destinations = copy.deepcopy(shipped_documents()[PolicyKind.DESTINATIONS])
    destinations["requirements"][0]["note"] = "edited"
    svc.edit(PolicyKind.DESTINATIONS, destinations, note="n", ctx=ctx_of(ADMIN, T))
    routing_body = routing()
    routing_body["ratios"]["credit"] = "0.03"
    svc.edit(PolicyKind.ROUTING, routing_body, note="n", ctx=ctx_of(ADMIN, T))
    assert svc.policy().documents[PolicyKind.DESTINATIONS].origin == "stored"
    # a schedule the stored requirements name is gone from the catalogue (removed since)
    stored = json.loads(store.rows[0].body)
    stored["requirements"][0]["schedules"] = ["gone-schedule"]
    store.rows[0] = dataclasses.replace(store.rows[0], body=json.dumps(stored))
    fresh = PolicyService(store, InMemoryAuditRecorder(), schedules=load_catalog().ids())
    with caplog.at_level("WARNING"):
        policy = fresh.policy()
    assert policy.documents[PolicyKind.DESTINATIONS].origin == "shipped"
    assert policy.documents[PolicyKind.ROUTING].origin == "stored"  # the others stay
    assert "no longer valid" in caplog.text
