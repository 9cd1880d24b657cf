"""Regressions found by reviewing the ingest and storage layer against the device protocol."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pwsupport import Provisioned
from pydantic import SecretStr

from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.domain.messages import Code, Refused
from phytowatch.services.provisioning import add_facility, rotate_token
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration
T = 1_772_361_600


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services)) as test_client:
        yield test_client


def _post(client: TestClient, kiln: Provisioned, body: object) -> tuple[int, dict[str, object]]:
    answer = client.post(
        "/api/v1/ingest",
        headers={"Authorization": f"Bearer {kiln.token}", "Content-Type": "application/json"},
        content=body if isinstance(body, bytes) else __import__("json").dumps(body),
    )
    return answer.status_code, answer.json()


def test_a_column_named_with_a_lone_surrogate_is_a_clear_422_not_a_500(
    client: TestClient, kiln: Provisioned
) -> None:
    body = b'{"facility":"JX-0031-K2","columns":{"t":[1772361840],"\\ud800":[1,2]}}'
    status, answer = _post(client, kiln, body)
    assert status == 422 and "\\ud800" in str(answer["error"])


@pytest.mark.parametrize("fault", ["a\u0000b", "\udc00x", "line\nbreak"])
def test_a_fault_that_is_not_printable_text_is_rejected_alone_and_the_rest_stored(
    client: TestClient, services: Services, kiln: Provisioned, fault: str
) -> None:
    body = {
        "facility": "JX-0031-K2",
        "readings": [
            {"probe": "C1", "t": T, "v": None, "fault": fault},
            {"probe": "C2", "t": T, "v": 56.0},
        ],
    }
    status, answer = _post(client, kiln, body)
    assert status == 200 and answer["accepted"] == 1
    assert [r["index"] for r in answer["rejected"]] == [0]  # type: ignore[union-attr]
    assert services.registry.readings_of(kiln.facility.id) == [("C2", T * 1_000_000, 56.0, None)]


def test_a_time_finer_than_a_microsecond_in_json_is_rejected_not_rounded(
    client: TestClient, kiln: Provisioned
) -> None:
    body = b'{"facility":"JX-0031-K2","readings":[{"probe":"C1","t":1772000005.00000001,"v":1}]}'
    status, answer = _post(client, kiln, body)
    assert status == 200 and answer["accepted"] == 0
    assert "microsecond" in answer["rejected"][0]["reason"]  # type: ignore[index]


def test_a_batch_with_too_many_readings_is_refused_before_any_is_checked(
    settings: Settings, services: Services, kiln: Provisioned
) -> None:
    services.settings = settings.model_copy(update={"max_readings_per_batch": 100})
    with TestClient(create_app(services.settings, services)) as small:
        status, _ = _post(small, kiln, {"facility": "JX-0031-K2", "readings": [{}] * 101})
    assert status == 413


def test_a_camera_name_with_a_control_character_is_a_422(
    client: TestClient, kiln: Provisioned
) -> None:
    answer = client.post(
        "/api/v1/facilities/JX-0031-K2/snapshots?camera=do%00or",
        headers={"Authorization": f"Bearer {kiln.token}"},
        content=b"\xff\xd8\xff\xe0jpeg",
    )
    assert answer.status_code == 422


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


def test_a_compressed_body_is_refused_with_415(client: TestClient, kiln: Provisioned) -> None:
    answer = client.post(
        "/api/v1/ingest",
        headers={"Authorization": f"Bearer {kiln.token}", "Content-Encoding": "gzip"},
        content=b"\x1f\x8b...",
    )
    assert answer.status_code == 415


def test_rotations_at_the_same_time_leave_exactly_one_working_token(
    services: Services, kiln: Provisioned
) -> None:
    tokens: list[str] = []

    def rotate() -> None:
        tokens.append(rotate_token(services.registry, "JX-0031-K2", now=10).token)

    threads = [threading.Thread(target=rotate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from phytowatch.services.provisioning import hash_token

    working = [t for t in tokens if services.registry.facility_by_token_hash(hash_token(t))]
    assert len(tokens) == 8 and len(working) == 1


def test_creating_the_same_facility_at_the_same_time_answers_exists_already(
    services: Services, kiln: Provisioned
) -> None:
    errors: list[str] = []

    def create() -> None:
        try:
            add_facility(services.registry, "K-RACE", "0031", "kiln", ["C1:product"], now=10)
        except Refused as error:
            errors.append(error.message.code)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 5
    assert set(errors) == {Code.FACILITY_EXISTS}
