"""The inspector's queue in pages (web/pages/supervision/inspections.py, the API's
``GET /api/v1/inspections``): pages of 50, the longest waiting first, filtered and counted by
the database within the caller's reach, its CSV, and the nav's count of the whole queue."""

from __future__ import annotations

import csv
import io

import pytest
from accountsworld import T0, World, login
from fastapi.testclient import TestClient

from routingworld import submitted

pytestmark = pytest.mark.integration

GZ_WAITING = 60  # E1's (赣州, office GZ)
NC_WAITING = 3  # E2's (南昌, office NC)


@pytest.fixture
def queue(world: World) -> None:
    """60 consignments of E1 and 3 of E2, routed to inspect one second apart (E1's first)."""
    for n in range(GZ_WAITING):
        submitted(world.services, "E1", f"GZ-{n + 1:04d}", "mango", at=T0 + n * 1_000_000)
    for n in range(NC_WAITING):
        at = T0 + (GZ_WAITING + n) * 1_000_000
        submitted(world.services, "E2", f"NC-{n + 1:04d}", "mango", at=at)


def _numbers(text: str, prefix: str, upto: int) -> list[str]:
    return [f"{prefix}-{n:04d}" for n in range(1, upto + 1) if f"{prefix}-{n:04d}<" in text]


@pytest.mark.usefixtures("queue")
def test_the_page_shows_fifty_the_longest_waiting_first_and_pages_on(client: TestClient) -> None:
    inspector = login(client, "inspector")
    first = client.get("/inspections", headers=inspector)
    assert first.status_code == 200
    assert _numbers(first.text, "GZ", GZ_WAITING) == [f"GZ-{n:04d}" for n in range(1, 51)]
    assert first.text.index("GZ-0001<") < first.text.index("GZ-0050<")
    assert "NC-0001" not in first.text  # another office's
    assert 'href="/inspections?page=2"' in first.text
    second = client.get("/inspections?page=2", headers=inspector)
    assert _numbers(second.text, "GZ", GZ_WAITING) == [f"GZ-{n:04d}" for n in range(51, 61)]
    small = client.get("/inspections?size=25&page=3", headers=inspector)
    assert _numbers(small.text, "GZ", GZ_WAITING) == [f"GZ-{n:04d}" for n in range(51, 61)]
    beyond = client.get("/inspections?page=9", headers=inspector)  # the last page instead
    assert _numbers(beyond.text, "GZ", GZ_WAITING) == [f"GZ-{n:04d}" for n in range(51, 61)]
    assert client.get("/inspections?size=7", headers=inspector).status_code == 422
    assert client.get("/inspections?page=0", headers=inspector).status_code == 422


@pytest.mark.usefixtures("queue")
def test_the_page_filters_within_reach_and_the_nav_counts_the_whole_queue(
    client: TestClient,
) -> None:
    admin = login(client, "admin")
    by_city = client.get("/inspections?city=南昌", headers=admin).text
    assert _numbers(by_city, "NC", NC_WAITING) == ["NC-0001", "NC-0002", "NC-0003"]
    assert "GZ-0001<" not in by_city
    by_code = client.get("/inspections?enterprise=E2&destination=sg", headers=admin).text
    assert _numbers(by_code, "NC", NC_WAITING) == ["NC-0001", "NC-0002", "NC-0003"]
    ruled = client.get("/inspections?rule=not_e_supervised&size=100", headers=admin).text
    assert len(_numbers(ruled, "GZ", GZ_WAITING)) == GZ_WAITING
    assert len(_numbers(ruled, "NC", NC_WAITING)) == NC_WAITING
    none = client.get("/inspections?rule=key_list", headers=admin).text
    assert "GZ-0001<" not in none and "NC-0001<" not in none
    assert client.get("/inspections?mode=nope", headers=admin).status_code == 422
    assert client.get("/inspections?rule=nope", headers=admin).status_code == 422
    inspector = login(client, "inspector")
    theirs = client.get("/inspections?enterprise=E2", headers=inspector)
    assert theirs.status_code == 200 and "NC-0001" not in theirs.text
    assert f'">{GZ_WAITING}</span>' in theirs.text  # the nav: the whole queue, unfiltered
    other = client.get("/inspections?city=南昌", headers=inspector).text
    assert "NC-0001" not in other


@pytest.mark.usefixtures("queue")
def test_the_csv_holds_every_filtered_row_within_reach(client: TestClient) -> None:
    inspector = login(client, "inspector")
    exported = client.get("/inspections.csv", headers=inspector)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["consignment", "number", "version"]
    assert [r[1] for r in rows[1:]] == [f"GZ-{n:04d}" for n in range(1, GZ_WAITING + 1)]
    assert rows[1][9] == "not_e_supervised"
    admin = login(client, "admin")
    filtered = client.get("/inspections.csv?city=南昌", headers=admin)
    rows = list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["NC-0001", "NC-0002", "NC-0003"]
    assert client.get("/inspections.csv?mode=nope", headers=admin).status_code == 422


@pytest.mark.usefixtures("queue")
def test_the_api_pages_and_filters_and_keeps_its_answer_without_parameters(
    client: TestClient,
) -> None:
    inspector = login(client, "inspector")
    whole = client.get("/api/v1/inspections", headers=inspector)
    assert whole.status_code == 200 and whole.headers["x-total-count"] == str(GZ_WAITING)
    assert [r["number"] for r in whole.json()] == [f"GZ-{n:04d}" for n in range(1, GZ_WAITING + 1)]
    page = client.get("/api/v1/inspections?offset=50&limit=100", headers=inspector)
    assert [r["number"] for r in page.json()] == [f"GZ-{n:04d}" for n in range(51, 61)]
    assert page.headers["x-total-count"] == str(GZ_WAITING)
    two = client.get("/api/v1/inspections?limit=2", headers=inspector).json()
    assert [r["number"] for r in two] == ["GZ-0001", "GZ-0002"]
    assert client.get("/api/v1/inspections?enterprise=E2", headers=inspector).json() == []
    admin = login(client, "admin")
    nc = client.get("/api/v1/inspections?city=南昌&destination=SG", headers=admin)
    assert [r["number"] for r in nc.json()] == ["NC-0001", "NC-0002", "NC-0003"]
    assert nc.headers["x-total-count"] == str(NC_WAITING)
    mode = whole.json()[0]["mode"]
    same = client.get(f"/api/v1/inspections?mode={mode}&limit=1", headers=admin)
    assert same.headers["x-total-count"] == str(GZ_WAITING + NC_WAITING)
    ruled = client.get("/api/v1/inspections?rule=key_list", headers=admin)
    assert ruled.json() == [] and ruled.headers["x-total-count"] == "0"
    for bad, field in (("limit=501", "limit"), ("offset=-1", "offset"), ("mode=nope", "mode")):
        refused = client.get(f"/api/v1/inspections?{bad}", headers=admin)
        assert refused.status_code == 422, bad
        assert field in refused.text, bad
    assert client.get("/api/v1/inspections?city=a%00b", headers=admin).json() == []
