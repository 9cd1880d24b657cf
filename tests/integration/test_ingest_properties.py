"""Properties of the device protocol (hypothesis), end to end into SQLite and PostgreSQL.

A valid batch, in the list form or the columnar form, its times in any form the protocol allows,
is stored exactly: the values, the instants and the probes it gives, nothing else. An invalid
one is refused with a code, whole or reading by reading, and changes nothing stored beyond its
valid readings. The MQTT worker, fed valid batches, junk, oversized payloads and wrong topics,
answers on the results topic, keeps running, and acknowledges a batch only once it is stored.

Every example of a test writes to its own window of time, so the examples share one database.
"""

from __future__ import annotations

import itertools
import json
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pwsupport import Provisioned
from test_mqtt import Device, Workers, forget_session, wait_for

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.domain.messages import Code, code_of
from phytowatch.services.provisioning import add_enterprise, add_facility
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration

US = 1_000_000
WINDOW_S = 40_000  # one example's readings fall within this many seconds
PROBES = ("C1", "C2", "C3", "A1")  # the kiln's (conftest.py)
BUDGET = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_windows = itertools.count(1)

Row = tuple[str, int, float | None, str | None]


def _window() -> int:
    """The first second of a new window, in the past by more than the windows already used."""
    return int(time.time()) - 86_400 - next(_windows) * (WINDOW_S + 1000)


# -- what a device sends ------------------------------------------------------------------------

values = st.floats(-1e9, 1e9, allow_nan=False, allow_subnormal=False)
faults = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=24)


@dataclass(frozen=True)
class Cell:
    """One reading's value: a number, a fault, or neither (stored as the fault ``no_value``)."""

    value: float | None
    fault: str | None

    def stored(self) -> tuple[float | None, str | None]:
        return (self.value, self.fault or ("no_value" if self.value is None else None))


cells = st.one_of(
    values.map(lambda v: Cell(v, None)),
    faults.map(lambda f: Cell(None, f)),
    st.just(Cell(None, None)),
)


@st.composite
def device_times(draw: st.DrawFn, at_us: int) -> Any:
    """The instant ``at_us`` written in one of the forms the protocol allows."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=at_us)
    whole, micros = divmod(at_us, US)
    form = draw(st.sampled_from(["int", "digits", "fraction", "zulu", "offset", "space"]))
    if form in {"int", "digits"} and micros:
        form = "fraction"
    if form == "int":
        return whole
    if form == "digits":
        return str(whole)
    if form == "fraction":
        return f"{whole}.{micros:06d}"
    if form == "zulu":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if form == "space":
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    quarters = draw(st.integers(-95, 95))  # offsets within ±23:45, by quarter hours
    local = moment.astimezone(timezone(timedelta(minutes=15 * quarters)))
    return local.isoformat()


@st.composite
def list_batches(draw: st.DrawFn, base_s: int) -> tuple[list[dict[str, Any]], list[Row]]:
    """Readings of the list form, each probe at most once per instant, and what they store."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(PROBES), st.integers(0, WINDOW_S * US - 1)),
            max_size=12,
            unique=True,
        )
    )
    readings: list[dict[str, Any]] = []
    rows: list[Row] = []
    for probe, offset in keys:
        at = base_s * US + offset
        cell = draw(cells)
        reading: dict[str, Any] = {"probe": probe, "t": draw(device_times(at))}
        if cell.value is not None or draw(st.booleans()):
            reading["v"] = cell.value
        if cell.fault is not None:
            reading["fault"] = cell.fault
        readings.append(reading)
        rows.append((probe, at, *cell.stored()))
    return readings, rows


@st.composite
def column_batches(draw: st.DrawFn, base_s: int) -> tuple[dict[str, Any], list[Row]]:
    """The columnar form: one time list, one value list per probe, faults where there are."""
    offsets = draw(st.lists(st.integers(0, WINDOW_S * US - 1), max_size=8, unique=True))
    probes = draw(st.lists(st.sampled_from(PROBES), min_size=1, max_size=4, unique=True))
    columns: dict[str, Any] = {"t": [draw(device_times(base_s * US + o)) for o in offsets]}
    fault_lists: dict[str, list[str | None]] = {}
    rows: list[Row] = []
    for probe in probes:
        row_cells = [draw(cells) for _ in offsets]
        columns[probe] = [cell.value for cell in row_cells]
        if any(cell.fault for cell in row_cells):
            fault_lists[probe] = [cell.fault for cell in row_cells]
        rows += [
            (probe, base_s * US + o, *cell.stored())
            for o, cell in zip(offsets, row_cells, strict=True)
        ]
    if fault_lists:
        columns["faults"] = fault_lists
    return columns, rows


def stored_in(services: Services, kiln: Provisioned, base_s: int) -> list[Row]:
    start, end = base_s * US, (base_s + WINDOW_S) * US
    return [row for row in services.registry.readings_of(kiln.facility.id) if start <= row[1] < end]


def in_order(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (row[1], row[0]))


def _is_code(value: object) -> bool:
    try:
        code_of(str(value))
    except KeyError:
        return False
    return True


@pytest.fixture
def http(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as client:
        yield client


def post(client: TestClient, kiln: Provisioned, body: bytes) -> tuple[int, dict[str, Any]]:
    answer = client.post(
        "/api/v1/ingest", content=body, headers={"Authorization": f"Bearer {kiln.token}"}
    )
    return answer.status_code, answer.json()


# -- HTTP ---------------------------------------------------------------------------------------


@BUDGET
@given(data=st.data())
def test_a_valid_batch_in_either_form_is_stored_exactly(
    services: Services, kiln: Provisioned, http: TestClient, data: st.DataObject
) -> None:
    base = _window()
    if data.draw(st.booleans(), label="columnar"):
        columns, rows = data.draw(column_batches(base))
        body: dict[str, Any] = {"facility": kiln.facility.code, "columns": columns}
    else:
        readings, rows = data.draw(list_batches(base))
        body = {"facility": kiln.facility.code, "readings": readings}
    status, answer = post(http, kiln, json.dumps(body).encode())
    assert (status, answer) == (200, {"accepted": len(rows), "duplicates": 0, "rejected": []})
    assert stored_in(services, kiln, base) == in_order(rows)


BAD_TIMES = st.one_of(
    st.sampled_from(
        [
            "2026-11-01T10:42:00Z\u0000garbage",
            "+1772361600",
            "١٧٧٢٣٦١٦٠٠",
            "2026-03-01T10:40:00",
            "20260301T104000Z",
            " 1772361600",
            True,
            None,
            [1772361600],
        ]
    ),
    st.text(max_size=20).map(lambda t: t + "\u0000"),  # whatever precedes the NUL
)
BAD_READINGS = st.one_of(
    st.builds(lambda t: {"probe": "C1", "t": t, "v": 1.0}, BAD_TIMES),
    st.builds(lambda p: {"probe": p, "t": 1772361600, "v": 1.0}, st.sampled_from(["C9", "c1"])),
    st.sampled_from(
        [
            {"probe": "C1", "v": 1.0},
            {"probe": "C1", "t": 1772361600, "v": "55.0"},
            {"probe": "C1", "t": 1772361600, "v": 2.0, "fault": "open"},
            {"probe": "C1", "t": 1772361600, "v": None, "fault": "a\u0000b"},
            "C1,1772361600,55.0",
        ]
    ),
)


@BUDGET
@given(data=st.data())
def test_invalid_readings_are_rejected_each_with_a_code_and_only_the_valid_ones_are_stored(
    services: Services, kiln: Provisioned, http: TestClient, data: st.DataObject
) -> None:
    base = _window()
    readings, rows = data.draw(list_batches(base))
    bad = data.draw(st.lists(BAD_READINGS, min_size=1, max_size=5))
    batch = list(readings)
    for item in bad:
        batch.insert(data.draw(st.integers(0, len(batch))), item)
    bad_at = [i for i, item in enumerate(batch) if not any(item is r for r in readings)]
    before = services.registry.reading_count()
    status, answer = post(
        http, kiln, json.dumps({"facility": "JX-0031-K2", "readings": batch}).encode()
    )
    assert status == 200
    assert [r["index"] for r in answer["rejected"]] == bad_at
    assert all(_is_code(r["code"]) and r["reason"] for r in answer["rejected"])
    assert answer["accepted"] == len(rows)
    assert stored_in(services, kiln, base) == in_order(rows)
    assert services.registry.reading_count() == before + len(rows)


def _breaks(body: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """A valid body made into one the protocol refuses whole."""
    text = json.dumps(body)
    inner = text[1:]
    return st.sampled_from(
        [
            json.dumps({**body, "columns": {"t": [], "C1": []}}).encode(),
            ('{"facility": "B-K1", ' + inner).encode(),
            ("\ufeff" + text).encode(),
            text.encode("utf-16"),
            text.encode("utf-32-le"),
            text[:-1].encode(),
            ("[" + text + "]").encode(),
            text.replace('"readings": [', '"readings": [NaN, ', 1).encode(),
            json.dumps({**body, "facility": 31}).encode(),
            json.dumps({"facility": body["facility"], "readings": {"C1": 1}}).encode(),
        ]
    )


@BUDGET
@given(data=st.data())
def test_a_body_refused_whole_says_why_with_a_code_and_stores_nothing(
    services: Services, kiln: Provisioned, http: TestClient, data: st.DataObject
) -> None:
    readings, _ = data.draw(list_batches(_window()))
    body = data.draw(_breaks({"facility": kiln.facility.code, "readings": readings}))
    before = services.registry.reading_count()
    status, answer = post(http, kiln, body)
    assert status == 422
    assert set(answer) == {"error", "code", "params"} and _is_code(answer["code"])
    assert services.registry.reading_count() == before


# -- MQTT ---------------------------------------------------------------------------------------

MAX_BODY = 3000


@pytest.fixture
def small_mqtt_settings(services: Services, mosquitto: tuple[str, int]) -> Settings:
    host, port = mosquitto
    return services.settings.model_copy(
        update={
            "mqtt_host": host,
            "mqtt_port": port,
            "mqtt_share_group": f"pwprop{time.time_ns()}",
            "max_body_bytes": MAX_BODY,
        }
    )


@pytest.fixture
def mqtt_run(
    services: Services, small_mqtt_settings: Settings, mosquitto: tuple[str, int]
) -> Iterator[tuple[Workers, Device]]:
    client_id = f"pw-test-prop-{time.time_ns()}"
    device = Device(*mosquitto)
    workers = Workers(services, small_mqtt_settings, [client_id])
    try:
        yield workers, device
    finally:
        workers.stop()
        device.close()
        forget_session(mosquitto, client_id)


@st.composite
def mqtt_messages(draw: st.DrawFn, code: str, base_s: int) -> tuple[str, bytes, list[Row], str]:
    """(topic's facility, payload, rows it stores, what answer): a valid batch, junk, an oversized
    batch, another facility's batch, or a topic of a facility nobody here knows."""
    kind = draw(st.sampled_from(["valid", "junk", "oversized", "other", "unknown"]))
    readings, rows = draw(list_batches(base_s))
    body = json.dumps({"facility": code, "readings": readings})
    if kind == "valid":
        return code, body.encode(), rows, "stored"
    if kind == "junk":
        junk = draw(st.binary(max_size=200).filter(lambda b: not b.lstrip().startswith(b"{")))
        return code, junk, [], Code.PAYLOAD_NOT_JSON.value
    if kind == "oversized":
        padded = body[:-1] + " " * MAX_BODY + "}"
        return code, padded.encode(), [], Code.MQTT_TOO_LARGE.value
    if kind == "other":
        other = json.dumps({"facility": "B-K1", "readings": readings})
        return code, other.encode(), [], Code.MQTT_OTHER_FACILITY.value
    return f"NOBODY-{time.time_ns()}", body.encode(), [], "none"


def test_the_mqtt_worker_answers_keeps_running_and_acknowledges_only_what_it_stored(
    services: Services, mqtt_run: tuple[Workers, Device]
) -> None:
    workers, device = mqtt_run
    code = f"P-{time.time_ns()}"
    add_enterprise(
        services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(1)
    )
    probes = ["C1:product", "C2:product", "C3:product", "A1:air"]
    kiln = Provisioned(
        add_facility(services.registry, code, "0031", "kiln", probes, ctx=ctx_at(1)).facility, ""
    )
    facility = kiln.facility
    device.listen(code)
    expected: list[Row] = []

    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def one_message(data: st.DataObject) -> None:
        base = _window()
        topic_code, payload, rows, outcome = data.draw(mqtt_messages(code, base))
        answers = len(device.answers_of(code))
        acked = workers.acked(topic_code)
        device.publish(topic_code, payload)
        wait_for(lambda: workers.acked(topic_code) == acked + 1, what="the acknowledgement")
        # acknowledged: what it stores is stored already, at this very moment
        expected.extend(rows)
        assert stored_in(services, kiln, base) == in_order(rows)
        if outcome == "none":  # a facility nobody here owns: no answer, nothing stored
            assert services.registry.facility_by_code(topic_code) is None
            return
        wait_for(lambda: len(device.answers_of(code)) == answers + 1, what="the answer")
        answer = device.answers_of(code)[-1]
        if outcome == "stored":
            assert answer == {"accepted": len(rows), "duplicates": 0, "rejected": []}
        elif outcome == Code.PAYLOAD_NOT_JSON.value:  # junk: refused, whichever way it is wrong
            assert set(answer) == {"error", "code", "params"} and _is_code(answer["code"])
            assert answer["code"].startswith("payload.")
        else:
            assert answer["code"] == outcome

    one_message()
    assert all(w.ready.is_set() for w in workers.workers)  # still connected and subscribed
    assert workers.stat("errors") == 0  # no message made it fail
    assert in_order(services.registry.readings_of(facility.id)) == in_order(expected)
