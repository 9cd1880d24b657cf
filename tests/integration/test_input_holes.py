"""Input that once answered 500 or was stored as sent (issue 11, holes 4 to 8): each is refused
with a clear 4xx and a message code, nothing stored changes, on SQLite and PostgreSQL.

4. a camera still from the far future, from before 2000, or of a camera not registered to its
   facility; 5. a chart zoom at NaN, infinity or past the years an instant may have; 6. an id in a
   path past what an id column holds, on every route that takes one; 7. a calibration offset past
   the decimal context (``1e999999999``), over the API and on the administration page; 8. a
   static file name with a NUL, too long for the filesystem, or climbing out of ``static/``.
"""

from __future__ import annotations

import logging
import re

import pytest
from accountsworld import ADMIN, JPEG, T0, World, client_for, login
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select

from acting import ctx_at
from phytowatch.domain.instants import US_PER_S, format_instant
from phytowatch.services.clock import FixedClock
from phytowatch.services.provisioning import add_camera
from phytowatch.storage.tables import snapshots
from phytowatch.web.auth import MAX_ID, app_routes
from phytowatch.web.deps import EARLIEST_S, LATEST_S

pytestmark = pytest.mark.integration

NOW = T0 + 3_600 * US_PER_S
FAR_IDS = (MAX_ID + 1, 2**63, 10**40, 0, -1)


def _still_count(world: World) -> int:
    with world.services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(snapshots)).scalar_one())


def _refused(answer: Response, status: int, code: str) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code, body
    assert "Traceback" not in answer.text
    params: dict[str, object] = body["params"]
    return params


# -- 4. camera stills ----------------------------------------------------------------------------


def test_a_still_from_the_future_before_2000_or_of_an_unregistered_camera_is_refused(
    world: World,
) -> None:
    world.services.clock = FixedClock(NOW)
    tolerance = world.services.settings.future_tolerance_s * US_PER_S
    add_camera(world.services.registry, "K1", "door", ctx=ctx_at(T0))
    add_camera(world.services.registry, "K2", "yard", ctx=ctx_at(T0))  # K2's, not K1's
    device = {"Authorization": f"Bearer {world.device_token('K1')}"}
    url = "/api/v1/facilities/K1/snapshots"
    before, audited = _still_count(world), len(world.services.audit.latest(limit=500))
    with client_for(world) as client:

        def post(n: int, **params: str) -> Response:
            return client.post(
                url, params=params, headers=device, content=JPEG[:-2] + bytes([n]) + JPEG[-2:]
            )  # each its own image

        future = post(1, camera="door", taken_at="2099-01-01T00:00:00Z")
        assert _refused(future, 422, "still.future") == {"taken_at": "2099-01-01T00:00:00Z"}
        just_past = format_instant(NOW + tolerance + US_PER_S)
        _refused(post(2, taken_at=just_past), 422, "still.future")
        _refused(post(3, taken_at="1999-12-31T23:59:59Z"), 422, "still.before_2000")
        for n, camera in enumerate(("nosuch", "yard", "DOOR"), start=4):
            params = _refused(post(n, camera=camera), 422, "still.camera")
            assert params == {"camera": camera, "facility": "K1", "cameras": "door"}
        assert _still_count(world) == before  # nothing stored, nothing audited
        assert len(world.services.audit.latest(limit=500)) == audited
        # within the tolerance, a registered camera, or none named: stored
        at_limit = format_instant(NOW + tolerance)
        assert post(7, camera="door", taken_at=at_limit).status_code == 201
        assert post(8, taken_at="2000-01-01T00:00:00Z").status_code == 201
    assert _still_count(world) == before + 2


# -- 5. the chart's zoom -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "operator", "inspector", "certifier", "declarant"])
def test_a_chart_zoom_that_is_not_a_finite_instant_is_a_422_naming_it(
    world: World, client: TestClient, who: str
) -> None:
    headers = login(client, who)
    run = world.objects["K1"].open_run
    for name in ("t_from", "t_to"):
        for value in ("NaN", "nan", "inf", "-Infinity", "1e400", "2.08e16", "-1e300"):
            answer = client.get(f"/api/v1/runs/{run}/chart", params={name: value}, headers=headers)
            params = _refused(answer, 422, "field.range")
            assert params == {"field": name, "min": EARLIEST_S, "max": LATEST_S}
            assert answer.json()["error"].startswith(f"{name}: ")
        not_a_number = client.get(f"/api/v1/runs/{run}/chart?{name}=noon", headers=headers)
        assert _refused(not_a_number, 422, "field.range")["field"] == name
    inside = client.get(f"/api/v1/runs/{run}/chart?t_from={LATEST_S}", headers=headers)
    assert inside.status_code == 200, inside.text


def test_the_openapi_document_states_the_zoom_range_and_the_ids_range(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    chart = document["paths"]["/api/v1/runs/{run_id}/chart"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in chart}
    for name in ("t_from", "t_to"):
        number = next(s for s in by_name[name]["anyOf"] if s.get("type") == "number")
        assert (number["minimum"], number["maximum"]) == (EARLIEST_S, LATEST_S)
    ids = [
        p["schema"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if p["in"] == "path" and p["name"].endswith("_id")
    ]
    assert len(ids) >= 8
    assert all((s["minimum"], s["maximum"]) == (1, MAX_ID) for s in ids)


# -- 6. ids past what a column holds ---------------------------------------------------------------

_ID = re.compile(r"\{(\w+_id)\}")


def test_every_id_in_a_path_past_what_a_column_holds_is_a_404(world: World) -> None:
    """Every route with an id in its path (found by walking the app, so a new one is checked
    too), for the administrator, the inspector (a sign-off is the inspector's), the declarant
    (a declaration is the declarant's) and the certifying officer: a 404 for
    whoever's role allows the route, on both databases."""
    with client_for(world, raise_server_exceptions=False) as client:
        routes = [
            (method, entry.path)
            for entry in app_routes(client.app)  # type: ignore[arg-type]  # the FastAPI app
            if _ID.search(entry.path)
            for method in sorted(entry.methods - {"HEAD"})
        ]
        assert len(routes) >= 12, routes
        # the declarant: a consignment's declaration is its own; the certifying officer: a
        # certificate's approval and issue are its own
        callers = (
            login(client, "admin"),
            login(client, "inspector"),
            login(client, "declarant"),
            login(client, "certifier"),
            ADMIN,
        )
        for method, path in routes:
            for far in FAR_IDS:
                url = _ID.sub(str(far), path).replace("{code}", "K1")
                found = []
                for headers in callers:
                    answer = client.request(method, url, headers=headers, json={})
                    assert "Traceback" not in answer.text
                    page = answer.headers["content-type"].startswith("text/html")
                    if answer.status_code == 403:  # this caller's role does not allow it
                        assert page or answer.json()["code"] == "auth.role", (url, answer.text)
                        continue
                    assert answer.status_code == 404, (method, url, answer.text)
                    found.append("not_found" if page else answer.json()["code"])
                assert found and set(found) <= {
                    "not_found",
                    "not_found.run",
                    "not_found.alarm",
                    "not_found.consignment",
                    "not_found.certificate",
                    "not_found.snapshot",
                }, (method, url, found)


def test_a_still_id_past_a_bigint_is_a_404_that_names_it(world: World, client: TestClient) -> None:
    answer = client.get(f"/api/v1/facilities/K1/snapshots/{2**63}", headers=ADMIN)
    params = _refused(answer, 404, "not_found.snapshot")
    assert params == {"snapshot": str(2**63), "facility": "K1"}
    run = client.get(f"/api/v1/runs/{2**63}", headers=ADMIN)
    assert _refused(run, 404, "not_found.run") == {"run": str(2**63)}
    own = world.objects["K1"].snapshot
    assert client.get(f"/api/v1/facilities/K1/snapshots/{own}", headers=ADMIN).content == JPEG


# -- 7. a calibration offset past the decimal context ----------------------------------------------

OVERFLOWING = ("1e999999999", "-1e999999999", "1E+1000000", "9" * 30 + "e999999")


def test_an_overflowing_calibration_offset_is_a_422_naming_the_field_and_its_range(
    world: World, client: TestClient
) -> None:
    registry = world.services.registry
    k1 = registry.facility_by_code("K1")
    assert k1 is not None
    before = registry.calibrations_of(k1.id)
    url = "/api/v1/admin/facilities/K1/probes/C1/calibrations"
    for offset in OVERFLOWING:
        body = {"offset": offset, "calibrated_at": "2026-01-01", "due_at": "2027-01-01"}
        answer = client.post(url, json=body, headers=ADMIN)
        assert _refused(answer, 422, "calibration.offset_large") == {"offset": offset, "max": "20"}
        assert answer.json()["error"].startswith(f"offset {offset!r}: at most ±20")
    as_number = b'{"offset": 1e999999999, "calibrated_at": "2026-01-01", "due_at": "2027-01-01"}'
    answer = client.post(
        url, content=as_number, headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert registry.calibrations_of(k1.id) == before


def test_an_overflowing_offset_on_the_calibration_form_is_said_and_kept(
    world: World, client: TestClient
) -> None:
    registry = world.services.registry
    k1 = registry.facility_by_code("K1")
    assert k1 is not None
    before = registry.calibrations_of(k1.id)
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    for offset in OVERFLOWING:
        form = {"probe": "C1", "offset": offset, "calibrated_at": "2026-01-01",
                "due_at": "2027-01-01", "certificate": "JJF-1"}  # fmt: skip
        answer = client.post("/admin/facilities/K1/calibrations", data=form, headers=admin)
        assert answer.status_code == 422, answer.text
        said = answer.text[answer.text.index('id="form-error">') :]
        assert f"offset &#39;{offset}&#39;: at most ±20" in said[: said.index("</p>")]
        assert f'value="{offset}"' in answer.text  # what was typed is kept
    assert registry.calibrations_of(k1.id) == before


# -- 8. odd static paths -------------------------------------------------------------------------


ODD_STATIC = (
    "%00",
    "app%00.css",
    "js/%00chart.js",
    "x" * 5000,
    "a/" * 3000 + "b",
    "%2e%2e/%2e%2e/etc/passwd",
    "..%2f..%2fpyproject.toml",
    "js/..%2f..%2f__init__.py",
    "%2e%2e",
    "js",
    "%ff%fe",
)


def test_an_odd_static_path_is_a_404_without_logging_in_and_without_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with client_for(world, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        for path in ODD_STATIC:
            _refused(client.get(f"/static/{path}"), 404, "not_found.static")
        assert client.get("/static/app.css").status_code == 200  # the real ones still are
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- found by the properties: a facility filter with a NUL -------------------------------------


def test_a_facility_filter_with_a_nul_filters_everything_out_on_both_databases(
    client: TestClient,
) -> None:
    """PostgreSQL refused the NUL (422, the database's words) where SQLite found nothing."""
    for who in (ADMIN, login(client, "operator")):
        runs = client.get("/api/v1/runs", params={"facility": "K1\x00"}, headers=who)
        assert runs.status_code == 200 and runs.json() == {"runs": []}, runs.text
        alarms = client.get("/api/v1/alarms", params={"facility": "\x00"}, headers=who)
        assert alarms.status_code == 200 and alarms.json() == {"alarms": []}, alarms.text
        page = client.get("/runs", params={"facility": "K1\x00"}, headers=who)
        assert page.status_code == 200 and "/runs/" not in page.text.split("<main", 1)[-1]
        events = client.get("/api/v1/events", params={"facility": "K\x001"}, headers=who)
        assert _refused(events, 404, "not_found.facility") == {"facility": "K\x001"}
    assert client.get("/api/v1/runs?facility=K1", headers=ADMIN).json()["runs"]  # K1's are there
