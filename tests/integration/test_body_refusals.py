"""A JSON body the framework refuses before a use case sees it (not JSON, not an object, a field
missing, unknown, of the wrong type or too long) is a 422 naming the field with a message code,
in the same error body as every other refusal, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from accountsworld import ADMIN, World
from fastapi.testclient import TestClient

from phytowatch.domain.alarms import AlarmState

pytestmark = pytest.mark.integration

GOOD = {"facility": "K1", "schedule": "ispm15-ht", "load": "1,200 pallets, pine"}


def _runs(client: TestClient) -> Any:
    answer = client.get("/api/v1/runs", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(
    ("body", "code", "params"),
    [
        (b"{not json", "body.not_json", {}),
        (b"[1, 2]", "body.not_object", {}),
        (b'"a text"', "body.not_object", {}),
        (b"{}", "field.required", {"field": "facility"}),
        ({**GOOD, "colour": "red"}, "field.unknown", {"field": "colour"}),
        ({**GOOD, "facility": 5}, "field.string", {"field": "facility"}),
        ({**GOOD, "params": ["a"]}, "field.invalid", {"field": "params"}),
        ({**GOOD, "params": {"a": 1}}, "field.string", {"field": "params.a"}),
    ],
)
def test_a_body_the_framework_refuses_names_its_field_with_a_code(
    world: World, client: TestClient, body: bytes | dict[str, object], code: str, params: object
) -> None:
    before = _runs(client)
    headers = {**ADMIN, "Content-Type": "application/json"}
    if isinstance(body, bytes):
        answer = client.post("/api/v1/runs", content=body, headers=headers)
    else:
        answer = client.post("/api/v1/runs", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    said = answer.json()
    assert (said["code"], said["params"]) == (code, params)
    assert said["error"] and "Input should" not in said["error"]
    assert _runs(client) == before


def test_a_text_past_its_limit_says_the_limit_and_nothing_changes(
    world: World, client: TestClient
) -> None:
    alarm = world.objects["K1"].alarm
    answer = client.post(f"/api/v1/alarms/{alarm}/clear", json={"by": "x" * 101}, headers=ADMIN)
    assert answer.status_code == 422, answer.text
    said = answer.json()
    assert (said["code"], said["params"]) == ("field.at_most", {"field": "by", "max": 100})
    stored = world.services.alarm_store.alarm(alarm)
    assert stored is not None and stored.state is AlarmState.ACTIVE
