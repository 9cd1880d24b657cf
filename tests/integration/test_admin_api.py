"""Provisioning over HTTP (/api/v1/admin): the CLI's use cases behind an admin token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration
ADMIN = {"Authorization": "Bearer admin-secret-for-tests"}


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    secret = SecretStr("admin-secret-for-tests")
    services.settings = settings.model_copy(update={"admin_token": secret})
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


def _kiln(client: TestClient) -> str:
    assert (
        client.post(
            "/api/v1/admin/enterprises",
            headers=ADMIN,
            json={
                "code": "0031",
                "name_zh": "赣州木业",
                "name_en": "Ganzhou",
                "city": "赣州",
                "grade": "II",
            },
        ).status_code
        == 201
    )
    answer = client.post(
        "/api/v1/admin/facilities",
        headers=ADMIN,
        json={
            "code": "K2",
            "enterprise": "0031",
            "kind": "kiln",
            "probes": [{"id": "C1"}, {"id": "A1", "role": "air", "placement": "door"}],
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["probes"] == {"C1": "product", "A1": "air"}
    token: str = answer.json()["token"]
    return token


def _post_reading(client: TestClient, token: str) -> int:
    return client.post(
        "/api/v1/ingest",
        headers={"Authorization": f"Bearer {token}"},
        json={"facility": "K2", "readings": [{"probe": "C1", "t": 1772361600, "v": 56}]},
    ).status_code


def test_a_facility_provisioned_over_http_can_send_readings_with_its_token(
    client: TestClient,
) -> None:
    token = _kiln(client)
    assert _post_reading(client, token) == 200


def test_the_admin_api_needs_the_admin_token_and_a_device_token_is_not_one(
    client: TestClient,
) -> None:
    token = _kiln(client)
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": f"Bearer {token}"}, 403),  # a device token: known, and write-only
    ):
        answer = client.get("/api/v1/admin/facilities/K2", headers=headers)
        assert answer.status_code == status
        assert token not in answer.text


def test_without_an_admin_token_set_its_old_value_is_just_an_unknown_token(
    settings: Settings, services: Services
) -> None:
    with TestClient(create_app(settings, services)) as plain:
        answer = plain.get("/api/v1/admin/facilities/K2", headers=ADMIN)
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "unknown, revoked or expired token",
        "code": "auth.bad_token",
        "params": {},
    }


def test_an_empty_admin_token_is_no_credential(settings: Settings, services: Services) -> None:
    services.settings = settings.model_copy(update={"admin_token": SecretStr("  ")})
    with TestClient(create_app(services.settings, services)) as open_client:
        for header in ("Bearer", "Bearer   ", "Bearer  \t"):
            answer = open_client.post(
                "/api/v1/admin/enterprises",
                headers={"Authorization": header},
                json={"code": "X", "name_zh": "x", "name_en": "x", "city": "x", "grade": "II"},
            )
            assert answer.status_code == 401
    assert services.registry.enterprise_by_code("X") is None


def test_rotating_over_http_revokes_the_old_token(client: TestClient) -> None:
    old = _kiln(client)
    answer = client.post("/api/v1/admin/facilities/K2/token", headers=ADMIN)
    assert answer.status_code == 201
    new = answer.json()["token"]
    assert (_post_reading(client, old), _post_reading(client, new)) == (401, 200)
    assert client.delete("/api/v1/admin/facilities/K2/token", headers=ADMIN).json()["revoked"] == 1
    assert _post_reading(client, new) == 401


def test_calibrations_and_cameras_are_recorded_and_shown_without_tokens(
    client: TestClient,
) -> None:
    token = _kiln(client)
    answer = client.post(
        "/api/v1/admin/facilities/K2/probes/C1/calibrations",
        headers=ADMIN,
        json={
            "offset": "-0.30",
            "calibrated_at": "2026-03-01",
            "due_at": "2027-03-01",
            "certificate": "JJF-2026-0142",
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["offset"] == "-0.30"  # decimal text, never a float
    assert (
        client.post(
            "/api/v1/admin/facilities/K2/cameras", headers=ADMIN, json={"code": "door"}
        ).status_code
        == 201
    )
    shown = client.get("/api/v1/admin/facilities/K2", headers=ADMIN).json()
    assert shown["calibrations"] == [
        {
            "probe": "C1",
            "calibrated_at": "2026-03-01T00:00:00Z",
            "offset": "-0.30",
            "due_at": "2027-03-01T00:00:00Z",
            "certificate": "JJF-2026-0142",
        }
    ]
    assert shown["cameras"] == {"door": ""}
    assert token not in str(shown)


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (
            "/api/v1/admin/enterprises",
            {"code": "0031", "name_zh": "x", "name_en": "x", "city": "x", "grade": "II"},
            409,
        ),
        (
            "/api/v1/admin/enterprises",
            {"code": "9", "name_zh": "x", "name_en": "x", "city": "x", "grade": "Z"},
            422,
        ),
        (
            "/api/v1/admin/facilities",
            {"code": "K3", "enterprise": "nope", "kind": "kiln", "probes": [{"id": "C1"}]},
            404,
        ),
        (
            "/api/v1/admin/facilities",
            {"code": "K3", "enterprise": "0031", "kind": "kiln", "probes": []},
            422,
        ),
        (
            "/api/v1/admin/facilities",
            {
                "code": "K3",
                "enterprise": "0031",
                "kind": "kiln",
                "probes": [{"id": "C1", "role": "wood"}],
            },
            422,
        ),
        (
            "/api/v1/admin/facilities/K2/probes/C9/calibrations",
            {"offset": "0.1", "calibrated_at": "2026-03-01", "due_at": "2027-03-01"},
            422,
        ),
        (
            "/api/v1/admin/facilities/K2/probes/C1/calibrations",
            {"offset": "1e400", "calibrated_at": "2026-03-01", "due_at": "2027-03-01"},
            422,
        ),
        (
            "/api/v1/admin/facilities/K2/probes/C1/calibrations",
            {"offset": "0.1", "calibrated_at": "2026-03-01", "due_at": "2025-03-01"},
            422,
        ),
        (
            "/api/v1/admin/facilities/K2/probes/C1/calibrations",
            {"offset": "0.1", "calibrated_at": "soon", "due_at": "2027-03-01"},
            422,
        ),
        ("/api/v1/admin/facilities/K2/cameras", {"code": "door", "extra": 1}, 422),
    ],
)
def test_bad_provisioning_requests_get_a_clear_error_and_change_nothing(
    client: TestClient, path: str, body: dict[str, object], status: int
) -> None:
    _kiln(client)
    before = client.get("/api/v1/admin/facilities/K2", headers=ADMIN).json()
    answer = client.post(path, headers=ADMIN, json=body)
    assert answer.status_code == status, answer.text
    assert set(answer.json()) in ({"error"}, {"error", "code", "params"})
    assert answer.json()["error"] and "Traceback" not in answer.text
    assert client.get("/api/v1/admin/facilities/K2", headers=ADMIN).json() == before
