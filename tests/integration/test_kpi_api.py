"""The bureau's figures over HTTP on the known history (tests/kpiworld.py): the API's JSON, a
table's CSV, and what a wrong period, office or table is told (never a 500)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from kpiworld import build
from phytowatch.bootstrap import Services
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration
TOKEN = "kpi-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
MARCH = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    build(services.engine)
    services.settings = services.settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    with TestClient(create_app(services.settings, services)) as running:
        yield running


def test_the_api_answers_every_figure_of_the_period(client: TestClient) -> None:
    answer = client.get(f"/api/v1/kpi?{MARCH}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["from"], body["to"], body["office"]) == ("2026-03-01", "2026-03-31", "")
    assert body["e_transfer"] == {"numerator": 4, "denominator": 5, "share": 0.8}
    release = body["declaration_to_release"]
    assert (release["count"], release["median_s"], release["p90_s"]) == (5, 5 * 3600, 130 * 3600)
    assert body["export_values"][-1] == {
        "destination": "US", "currency": "USD", "consignments": 3, "declared_value": "19000.50",
    }  # fmt: skip
    port = client.get(f"/api/v1/kpi?office=PXMN&{MARCH}", headers=ADMIN).json()
    assert (port["port_office"], port["e_transfer"]["denominator"]) == ("PXMN", 4)


def test_a_table_as_csv(client: TestClient) -> None:
    answer = client.get("/kpi/alarms.csv?first=2026-03-01&last=2026-03-31", headers=ADMIN)
    assert answer.status_code == 200
    assert answer.content.decode("utf-8-sig").splitlines() == [
        "kind,raised,acknowledged,ack_median_s,ack_p90_s",
        "facility_silent,1,0,,",
        "hold_broken,3,3,900,1500",
        "tamper,1,1,60,60",
    ]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-02-30", 422, "kpi.bad_date"),
        ("from=2026-03-02&to=2026-03-01", 422, "kpi.period_backwards"),
        ("from=2020-01-01&to=2026-01-01", 422, "kpi.period_too_long"),
        ("office=NOPE", 404, "kpi.no_office"),
    ],
)
def test_a_wrong_question_is_told_what_is_wrong(
    client: TestClient, query: str, status: int, code: str
) -> None:
    answer = client.get(f"/api/v1/kpi?{query}", headers=ADMIN)
    assert answer.status_code == status, answer.text
    assert code in answer.text


def test_a_table_that_is_not_one_is_a_404_page(client: TestClient) -> None:
    answer = client.get("/kpi/nothing.csv", headers={**ADMIN, "Accept-Language": "en"})
    assert answer.status_code == 404
    assert "no table nothing among the figures" in answer.text
