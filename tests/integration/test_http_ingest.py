"""Device protocol v1 over HTTP, end to end through FastAPI into SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from pwsupport import Provisioned, writes_blocked
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from acting import ctx_at
from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import Settings
from phytowatch.services.ports import ReadingBatch, StoredItem, WriterBusyError
from phytowatch.services.provisioning import add_camera, add_facility
from phytowatch.storage.tables import readings, snapshots
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration

CODE = "JX-0031-K2"
T = 1_772_361_600  # 2026-03-01T10:40:00Z, Unix seconds
US = 1_000_000
INGEST = "/api/v1/ingest"
SNAPSHOTS = f"/api/v1/facilities/{CODE}/snapshots"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 4 + b"\xff\xd9"
OTHER_JPEG = JPEG[:-2] + b"\x00\xff\xd9"  # another image


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post(client: TestClient, token: str | None, body: Any, url: str = INGEST) -> Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(url, content=content, headers=_auth(token) if token else {})


def _assert_error(answer: Response, status: int, *secrets: str) -> str:
    """One JSON object with an "error" text: no traceback, no token. Returns the text."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    # every refusal is a code with its params beside the English text; a crash (500) says only
    # that it crashed
    expected = {"error"} if status == 500 else {"error", "code", "params"}
    assert isinstance(body, dict) and set(body) == expected, body
    assert isinstance(body["error"], str) and body["error"].strip()
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    for secret in secrets:
        assert secret not in answer.text
    return str(body["error"])


def _client(services: Services, **limits: int) -> TestClient:
    """The app on the test's services (with some limits changed); the test owns the services."""
    changed = dataclasses.replace(services, settings=services.settings.model_copy(update=limits))
    return TestClient(create_app(changed.settings, changed), raise_server_exceptions=False)


def _reading(probe: str, t: Any, v: Any = 55.0, **more: Any) -> dict[str, Any]:
    return {"probe": probe, "t": t, "v": v, **more}


def _snapshot_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(snapshots)).all()]


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services)) as test_client:
        yield test_client


def _ingest(client: TestClient, kiln: Provisioned, body: object) -> tuple[int, dict[str, Any]]:
    answer = client.post(
        "/api/v1/ingest",
        headers={"Authorization": f"Bearer {kiln.token}", "Content-Type": "application/json"},
        content=body if isinstance(body, bytes) else json.dumps(body),
    )
    return answer.status_code, answer.json()


# -- 200: what is stored, what is rejected ------------------------------------------------------


def test_each_reading_that_cannot_be_understood_is_rejected_alone_and_the_rest_is_stored(
    services: Services, kiln: Provisioned
) -> None:
    far_future = int(time.time()) + 86_400
    batch = [
        _reading("C1", "2026-03-01T10:40:00Z", 55.8),  # 0 stored
        _reading("C9", T, 1.0),  # 1 unknown probe
        _reading("C2", "yesterday", 1.0),  # 2 bad time
        _reading("C2", "2026-03-01T10:40:00", 1.0),  # 3 no UTC offset
        _reading("C2", far_future, 1.0),  # 4 in the future
        _reading("C2", T, "55.8"),  # 5 not a number
        _reading("C2", T, True),  # 6 a boolean
        _reading("C2", T, 55.0, fault="open_circuit"),  # 7 value and fault
        _reading("C2", T, None, fault="x" * 65),  # 8 fault too long
        {"probe": "C2", "v": 1.0},  # 9 no time
        "C2,55.0",  # 10 not an object
        _reading("C2", "2026-03-01T18:41:00.123456+08:00", 0.56),  # 11 stored
        _reading("C3", T + 60, -3),  # 12 stored, an integer value
        _reading("C3", T + 120.5, 12.25),  # 13 stored, fractional Unix seconds
        _reading("A1", str(T), None, fault="open_circuit"),  # 14 stored, a fault
        _reading("A1", T + 60, None),  # 15 stored, null without a fault
        _reading("C1", True, 1.0),  # 16 a boolean time
        _reading("C1", "2026-03-01T10:42:00.1234567Z", 1.0),  # 17 finer than a microsecond
        {"probe": 5, "t": T, "v": 1.0},  # 18 probe not a text
        _reading("C1", 946_684_799, 1.0),  # 19 before 2000: a clock never set
        _reading("C1", "2000-01-01T00:00:00Z", 2.0),  # 20 stored: the earliest time
    ]
    with _client(services) as client:
        answer = _post(client, kiln.token, {"facility": CODE, "readings": batch})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        empty = _post(client, kiln.token, {"facility": CODE, "readings": []})
    assert set(body) == {"accepted", "duplicates", "rejected"}
    assert (body["accepted"], body["duplicates"]) == (7, 0)
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 19]
    assert all(
        set(r) == {"index", "reason", "code", "params"} and r["reason"].strip()
        for r in body["rejected"]
    )
    codes = {r["index"]: r["code"] for r in body["rejected"]}
    assert codes == {
        1: "reading.unknown_probe",
        2: "reading.time_format",
        3: "reading.time_no_offset",
        4: "reading.future",
        5: "reading.value",
        6: "reading.value",
        7: "reading.value_and_fault",
        8: "reading.fault_text",
        9: "reading.no_time",
        10: "reading.not_object",
        16: "reading.time_boolean",
        17: "reading.time_fine",
        18: "reading.probe",
        19: "reading.before_2000",
    }
    assert body["rejected"][0]["params"] == {"probe": "C9"}
    assert body["rejected"][2]["params"] == {"t": "'2026-03-01T10:40:00'"}
    reasons = {r["index"]: r["reason"].lower() for r in body["rejected"]}
    assert "unknown probe" in reasons[1] and "'c9'" in reasons[1]
    assert "offset" in reasons[3]
    assert "future" in reasons[4]
    assert "number" in reasons[5] and "number" in reasons[6]
    assert "not both" in reasons[7]
    assert "fault" in reasons[8] and "64" in reasons[8]
    assert "missing" in reasons[9]
    assert "2000" in reasons[19]
    assert (empty.status_code, empty.json()) == (
        200,
        {"accepted": 0, "duplicates": 0, "rejected": []},
    )

    assert sorted(services.registry.readings_of(kiln.facility.id)) == sorted(
        [
            ("C1", T * US, 55.8, None),
            ("C2", (T + 60) * US + 123_456, 0.56, None),
            ("C3", (T + 60) * US, -3.0, None),
            ("C3", (T + 120) * US + 500_000, 12.25, None),
            ("A1", T * US, None, "open_circuit"),
            ("A1", (T + 60) * US, None, "no_value"),
            ("C1", 946_684_800 * US, 2.0, None),
        ]
    )


def test_a_resent_batch_is_all_duplicates_and_a_rewritten_value_is_rejected_and_kept(
    services: Services, kiln: Provisioned
) -> None:
    batch = {
        "facility": CODE,
        "readings": [_reading("C1", T, 55.8), _reading("C2", T, None, fault="open_circuit")],
    }
    rewrite = {
        "facility": CODE,
        "readings": [_reading("C1", T, 55.8), _reading("C1", T + 60, 56.0), _reading("C2", T, 1.5)],
    }
    with _client(services) as client:
        assert _post(client, kiln.token, batch).json() == {
            "accepted": 2,
            "duplicates": 0,
            "rejected": [],
        }
        assert _post(client, kiln.token, batch).json() == {
            "accepted": 0,
            "duplicates": 2,
            "rejected": [],
        }
        answer = _post(client, kiln.token, rewrite)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [r["index"] for r in body["rejected"]] == [2]
    assert "conflict" in body["rejected"][0]["reason"]
    assert services.registry.readings_of(kiln.facility.id) == [
        ("C1", T * US, 55.8, None),
        ("C2", T * US, None, "open_circuit"),
        ("C1", (T + 60) * US, 56.0, None),
    ]
    [conflict] = services.registry.conflicts_of(kiln.facility.id)
    assert (conflict["channel"], conflict["stored_fault"], conflict["offered_value"]) == (
        "http",
        "open_circuit",
        1.5,
    )


def test_the_compact_columnar_form_stores_the_same_readings(
    services: Services, kiln: Provisioned
) -> None:
    columns = {
        "t": [T, T + 60, "2026-03-01T10:42:00Z"],
        "C1": [55.8, 56.0, None],
        "A1": [90.1, None, 91.0],
        "faults": {"C1": [None, None, "open_circuit"], "A1": [None, "short_circuit", None]},
    }
    with _client(services) as client:
        answer = _post(client, kiln.token, {"facility": CODE, "columns": columns})
        assert answer.json() == {"accepted": 6, "duplicates": 0, "rejected": []}
        again = _post(client, kiln.token, {"facility": CODE, "columns": columns})
        assert again.json() == {"accepted": 0, "duplicates": 6, "rejected": []}
        unknown = {"t": [T + 180, T + 240], "C1": [57.0, 57.5], "C9": [1.0, 2.0]}
        partly = _post(client, kiln.token, {"facility": CODE, "columns": unknown}).json()
    assert (partly["accepted"], partly["duplicates"]) == (2, 0)
    assert [("unknown probe" in r["reason"]) for r in partly["rejected"]] == [True, True]
    assert services.registry.readings_of(kiln.facility.id) == [
        ("A1", T * US, 90.1, None),
        ("C1", T * US, 55.8, None),
        ("A1", (T + 60) * US, None, "short_circuit"),
        ("C1", (T + 60) * US, 56.0, None),
        ("A1", (T + 120) * US, 91.0, None),
        ("C1", (T + 120) * US, None, "open_circuit"),
        ("C1", (T + 180) * US, 57.0, None),
        ("C1", (T + 240) * US, 57.5, None),
    ]


def test_readings_are_stored_with_the_device_time_and_the_time_they_were_received(
    services: Services, kiln: Provisioned
) -> None:
    device_t = "2026-03-01T10:40:00.000001+08:00"  # hours late, and in another zone
    with _client(services) as client:
        before = time.time_ns() // 1000
        answer = _post(
            client, kiln.token, {"facility": CODE, "readings": [_reading("C1", device_t)]}
        )
        after = time.time_ns() // 1000
    assert answer.json()["accepted"] == 1
    with services.engine.connect() as conn:
        [row] = conn.execute(select(readings)).mappings().all()
    assert row["t"] == (T - 8 * 3600) * US + 1
    assert before <= row["received_at"] <= after
    assert row["facility_id"] == kiln.facility.id


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
    status, answer = _ingest(client, kiln, body)
    assert status == 200 and answer["accepted"] == 1
    assert [r["index"] for r in answer["rejected"]] == [0]
    assert services.registry.readings_of(kiln.facility.id) == [("C2", T * 1_000_000, 56.0, None)]


def test_a_time_finer_than_a_microsecond_in_json_is_rejected_not_rounded(
    client: TestClient, kiln: Provisioned
) -> None:
    body = b'{"facility":"JX-0031-K2","readings":[{"probe":"C1","t":1772000005.00000001,"v":1}]}'
    status, answer = _ingest(client, kiln, body)
    assert status == 200 and answer["accepted"] == 0
    assert "microsecond" in answer["rejected"][0]["reason"]


# -- refusals of the whole body -----------------------------------------------------------------


NOT_A_BATCH: list[bytes] = [
    b'{"facility": "JX-0031-K2", "readings": [',
    b"\xff\xfe\x00not utf-8",
    b"",
    b"[]",
    b'"JX-0031-K2"',
    b'{"readings": []}',
    b'{"facility": 31, "readings": []}',
    b'{"facility": "", "readings": []}',
    b'{"facility": "JX-0031-K2"}',
    b'{"facility": "JX-0031-K2", "readings": {"probe": "C1", "t": 1772361600, "v": 1}}',
    b'{"facility": "JX-0031-K2", "columns": [[1772361600], [55.0]]}',
    b'{"facility": "JX-0031-K2", "columns": {"C1": [55.0]}}',
    b'{"facility": "JX-0031-K2", "columns": {"t": [1772361600, 1772361660], "C1": [55.0]}}',
    b'{"facility": "JX-0031-K2", "columns": {"t": [1772361600], "C1": [null], '
    b'"faults": {"C1": ["open", "open"]}}}',
    b'{"facility": "JX-0031-K2", "columns": {"t": [1772361600], "C1": [null], '
    b'"faults": ["open_circuit"]}}',
    b'{"facility": "JX-0031-K2", "readings": [{"probe": "C1", "t": 1772361600, "v": NaN}]}',
    b'{"facility": "JX-0031-K2", "readings": [{"probe": "C1", "t": 1772361600, "v": Infinity}]}',
    b'{"facility": "JX-0031-K2", "readings": [{"probe": "C1", "t": 1772361600, "v": -Infinity}]}',
    b'{"facility": "JX-0031-K2", "readings": [{"probe": "C1", "t": NaN, "v": 1.0}]}',
]


def test_a_body_that_is_not_a_protocol_batch_is_refused_whole_with_422(
    services: Services, kiln: Provisioned
) -> None:
    good = b'{"probe": "C2", "t": 1772361600, "v": 1.0}'
    with _client(services) as client:
        for body in [*NOT_A_BATCH, b'{"facility": "JX-0031-K2", "readings": [' + good + b", NaN]}"]:
            _assert_error(_post(client, kiln.token, body), 422, kiln.token)
    assert services.registry.reading_count() == 0


def test_a_body_over_the_size_limit_or_with_too_many_readings_is_refused_with_413(
    services: Services, kiln: Provisioned
) -> None:
    limit = 300
    body = json.dumps({"facility": CODE, "readings": [_reading("C1", T, 55.0)]}).encode()
    exact = body[:-1] + b" " * (limit - len(body)) + b"}"
    assert len(exact) == limit
    too_big = exact[:-1] + b" }"
    four = [_reading(p, T + 60, 50.0) for p in ("C1", "C2", "C3", "A1")]
    columns = {"t": [T, T + 60], "C1": [50.0, 51.0], "C2": [50.0, 51.0]}
    with _client(services, max_body_bytes=limit, max_readings_per_batch=3) as client:
        _assert_error(_post(client, kiln.token, too_big), 413, kiln.token)
        chunks = iter([too_big[:200], too_big[200:]])  # no Content-Length: counted as it comes
        streamed = client.post(INGEST, content=chunks, headers=_auth(kiln.token))
        _assert_error(streamed, 413, kiln.token)
        _assert_error(_post(client, kiln.token, {"facility": CODE, "readings": four}), 413)
        _assert_error(_post(client, kiln.token, {"facility": CODE, "columns": columns}), 413)
        assert services.registry.reading_count() == 0
        at_limits = [
            _post(client, kiln.token, exact).json(),
            _post(client, kiln.token, {"facility": CODE, "readings": four[:3]}).json(),
        ]
    assert [a["accepted"] for a in at_limits] == [1, 3]
    assert services.registry.reading_count() == 4


BATCH_TEXT = json.dumps({"facility": CODE, "readings": [_reading("C1", T, 55.0)]})
WHOLE_REFUSALS = [
    pytest.param(
        json.dumps(
            {"facility": CODE, "readings": [_reading("C1", T)], "columns": {"t": [T], "C2": [1]}}
        ).encode(),
        "payload.both_forms",
        id="both-forms",
    ),
    pytest.param(
        b'{"facility": "JX-0031-K1", "facility": "JX-0031-K2", "readings": '
        b'[{"probe": "C1", "t": 1772361600, "v": 55.0}]}',
        "payload.duplicate_key",
        id="facility-twice",
    ),
    pytest.param(
        b'{"facility": "JX-0031-K2", "readings": '
        b'[{"probe": "C1", "t": 1772361600, "v": 55.0, "v": 99.0}]}',
        "payload.duplicate_key",
        id="value-twice",
    ),
    pytest.param(BATCH_TEXT.encode("utf-16"), "payload.not_utf8", id="utf-16"),
    pytest.param(BATCH_TEXT.encode("utf-16-le"), "payload.not_utf8", id="utf-16-no-bom"),
    pytest.param(BATCH_TEXT.encode("utf-32"), "payload.not_utf8", id="utf-32"),
    pytest.param(b"\xef\xbb\xbf" + BATCH_TEXT.encode(), "payload.bom", id="utf-8-bom"),
]


@pytest.mark.parametrize(("body", "code"), WHOLE_REFUSALS)
def test_a_body_the_protocol_does_not_allow_is_refused_whole_and_nothing_is_stored(
    services: Services, kiln: Provisioned, body: bytes, code: str
) -> None:
    with _client(services) as client:
        answer = _post(client, kiln.token, body)
        _assert_error(answer, 422, kiln.token)
        assert answer.json()["code"] == code
    assert services.registry.reading_count() == 0


def test_a_device_time_is_matched_whole_and_a_fault_without_its_column_is_rejected(
    services: Services, kiln: Provisioned
) -> None:
    times = [
        "2026-11-01T10:42:00Z\u0000garbage",  # stored as 10:42Z before: cut at the NUL
        "+1772361600",
        "١٧٧٢٣٦١٦٠٠",  # Unix seconds in Arabic-Indic digits
        " 2026-03-01T10:40:00Z",
        "1772361600\n",
    ]
    listed = {"facility": CODE, "readings": [_reading("C1", t) for t in times]}
    columns = {
        "t": [T, T + 60],
        "C1": [55.0, None],
        "faults": {"C1": [None, "open_circuit"], "C2": ["short", None], "C9": [None, "x"]},
    }
    with _client(services) as client:
        answer = _post(client, kiln.token, listed)
        assert answer.status_code == 200, answer.text
        assert services.registry.reading_count() == 0
        compact = _post(client, kiln.token, {"facility": CODE, "columns": columns})
    body = answer.json()
    assert body["accepted"] == 0
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [
        (0, "reading.time_control"),
        (1, "reading.time_format"),
        (2, "reading.time_format"),
        (3, "reading.time_format"),
        (4, "reading.time_control"),
    ]
    assert body["rejected"][0]["params"] == {"t": "'2026-11-01T10:42:00Z\\x00garbage'"}
    assert compact.status_code == 200, compact.text
    assert compact.json()["accepted"] == 2
    assert [(r["index"], r["code"], r["params"]) for r in compact.json()["rejected"]] == [
        (2, "reading.fault_no_column", {"probe": "C2"}),
        (3, "reading.fault_no_column", {"probe": "C2"}),
        (4, "reading.unknown_probe", {"probe": "C9"}),
        (5, "reading.unknown_probe", {"probe": "C9"}),
    ]
    assert services.registry.readings_of(kiln.facility.id) == [
        ("C1", T * US, 55.0, None),
        ("C1", (T + 60) * US, None, "open_circuit"),
    ]


def test_a_column_named_with_a_lone_surrogate_is_a_clear_422_not_a_500(
    client: TestClient, kiln: Provisioned
) -> None:
    body = b'{"facility":"JX-0031-K2","columns":{"t":[1772361840],"\\ud800":[1,2]}}'
    status, answer = _ingest(client, kiln, body)
    assert status == 422 and "\\ud800" in str(answer["error"])


@pytest.mark.parametrize(
    "batch",
    [
        b'{"facility":"JX-0031-K2","readings":[{"probe":"C1","t":1772361660,"v":42},'
        b'{"probe":"\\ud800","t":1772361660,"v":1}]}',
        b'{"facility":"JX-0031-K2","columns":{"t":[1772361660],"C1":[42],"\\ud800":[1]}}',
        b'{"facility":"JX-0031-K2","columns":{"t":[1772361660],"C1":[42],'
        b'"faults":{"\\ud800":["x"]}}}',
    ],
    ids=["list", "columns", "faults"],
)
def test_a_probe_named_with_a_lone_surrogate_is_rejected_in_a_200_and_the_rest_stored_once(
    client: TestClient, services: Services, kiln: Provisioned, batch: bytes
) -> None:
    # the answer quotes the probe as sent: it must be encodable, or a committed batch answers
    # 500 and the device resends it forever
    rejected = [
        {
            "index": 1,
            "reason": "unknown probe '\\ud800'",  # repr quotes it escaped
            "code": "reading.unknown_probe",
            "params": {"probe": "\ud800"},
        }
    ]
    first = client.post(INGEST, content=batch, headers=_auth(kiln.token))
    assert first.status_code == 200, first.text
    assert first.text.isascii() and "\\ud800" in first.text  # escaped as MQTT's answer is
    assert first.json() == {"accepted": 1, "duplicates": 0, "rejected": rejected}
    again = client.post(INGEST, content=batch, headers=_auth(kiln.token))
    assert again.status_code == 200, again.text
    assert again.json() == {"accepted": 0, "duplicates": 1, "rejected": rejected}
    assert services.registry.readings_of(kiln.facility.id) == [
        ("C1", 1_772_361_660 * US, 42.0, None)
    ]


def test_a_batch_with_too_many_readings_is_refused_before_any_is_checked(
    settings: Settings, services: Services, kiln: Provisioned
) -> None:
    services.settings = settings.model_copy(update={"max_readings_per_batch": 100})
    with TestClient(create_app(services.settings, services)) as small:
        status, _ = _ingest(small, kiln, {"facility": "JX-0031-K2", "readings": [{}] * 101})
    assert status == 413


def test_a_compressed_body_is_refused_with_415(client: TestClient, kiln: Provisioned) -> None:
    answer = client.post(
        "/api/v1/ingest",
        headers={"Authorization": f"Bearer {kiln.token}", "Content-Encoding": "gzip"},
        content=b"\x1f\x8b...",
    )
    assert answer.status_code == 415


# -- who may write ------------------------------------------------------------------------------


def test_a_missing_or_unknown_token_is_refused_with_401(
    services: Services, kiln: Provisioned
) -> None:
    body = json.dumps({"facility": CODE, "readings": [_reading("C1", T)]}).encode()
    wrong = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
        {"Authorization": f"Basic {kiln.token}"},
        {"Authorization": kiln.token},
        {"Authorization": "Bearer pwd_" + "A" * 43},
        {"Authorization": f"Bearer {kiln.token}x"},
        {"Authorization": f"Bearer {kiln.token[:-1]}"},
    ]
    with _client(services) as client:
        for headers in wrong:
            for url, content in ((INGEST, body), (SNAPSHOTS, JPEG)):
                answer = client.post(url, content=content, headers=headers)
                _assert_error(answer, 401, kiln.token)
                assert answer.headers["www-authenticate"] == "Bearer"
    assert services.registry.reading_count() == 0
    assert _snapshot_rows(services.engine) == []


def test_a_token_of_another_facility_is_refused_with_403_and_nothing_is_stored(
    services: Services, kiln: Provisioned
) -> None:
    other = add_facility(services.registry, "JX-0031-K3", "0031", "kiln", ["C1"], ctx=ctx_at(2))
    with _client(services) as client:
        for token, facility in ((other.token, CODE), (kiln.token, "JX-0031-K3")):
            body = {"facility": facility, "readings": [_reading("C1", T)]}
            _assert_error(_post(client, token, body), 403, token)
        unknown = {"facility": "JX-9999-K1", "readings": [_reading("C1", T)]}
        _assert_error(_post(client, kiln.token, unknown), 403, kiln.token)
        # each token still writes its own facility
        mine = {"facility": "JX-0031-K3", "readings": [_reading("C1", T)]}
        assert _post(client, other.token, mine).json()["accepted"] == 1
    assert services.registry.reading_count(kiln.facility.id) == 0
    assert services.registry.reading_count(other.facility.id) == 1


def test_an_unexpected_failure_answers_500_without_a_traceback_or_the_token(
    services: Services, kiln: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(batch: ReadingBatch) -> None:
        raise RuntimeError(f"storage exploded while handling {kiln.token}")

    monkeypatch.setattr(services.writer, "submit", explode)
    with _client(services) as client:
        answer = _post(client, kiln.token, {"facility": CODE, "readings": [_reading("C1", T)]})
    error = _assert_error(answer, 500, kiln.token, "exploded", "RuntimeError")
    assert "internal error" in error


# -- a full write queue -------------------------------------------------------------------------


def test_a_full_write_queue_answers_503_with_retry_after_and_stores_nothing_of_that_batch(
    settings: Settings, services: Services, kiln: Provisioned
) -> None:
    busy = bootstrap(settings.model_copy(update={"write_queue": 1, "write_workers": 1}))
    c1 = kiln.facility.probes["C1"].id

    def batch(t: int) -> ReadingBatch:
        return ReadingBatch(kiln.facility.id, "http", 0, (StoredItem(0, c1, t * US, 1.0, None),))

    try:
        with TestClient(create_app(busy.settings, busy)) as client:
            with writes_blocked(busy.engine):
                held = [busy.writer.submit(batch(T))]  # taken by the one writer, which waits
                deadline = time.monotonic() + 10
                while busy.writer.backlog:
                    assert time.monotonic() < deadline
                    time.sleep(0.005)
                time.sleep(0.05)
                held.append(busy.writer.submit(batch(T + 60)))  # fills the queue
                with pytest.raises(WriterBusyError):
                    busy.writer.submit(batch(T + 120))
                body = {"facility": CODE, "readings": [_reading("C1", T + 180)]}
                answer = _post(client, kiln.token, body)
                _assert_error(answer, 503, kiln.token)
                assert answer.headers["retry-after"].isdigit()
                assert int(answer.headers["retry-after"]) >= 1
            assert [f.result(timeout=30).inserted for f in held] == [1, 1]
            # once the queue drains, the device's retry is stored
            assert _post(client, kiln.token, body).json()["accepted"] == 1
    finally:
        busy.close()
    assert [t for _, t, _, _ in services.registry.readings_of(kiln.facility.id)] == [
        T * US,
        (T + 60) * US,
        (T + 180) * US,
    ]


# -- camera snapshots ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"camera": "yard"}, {"camera": "door"}, {"camera": "door", "taken_at": "1772361660"}],
)
def test_the_same_image_under_another_camera_or_time_is_refused_not_filed_silently(
    services: Services, kiln: Provisioned, params: dict[str, str]
) -> None:
    for camera in ("door", "yard"):
        add_camera(services.registry, CODE, camera, ctx=ctx_at(1))
    first = {"camera": "door", "taken_at": "2026-03-01T18:40:00+08:00"}
    with _client(services) as client:
        stored = client.post(SNAPSHOTS, content=JPEG, params=first, headers=_auth(kiln.token))
        again = client.post(SNAPSHOTS, content=JPEG, params=params, headers=_auth(kiln.token))
    assert stored.status_code == 201, stored.text
    assert again.status_code == 409, again.text
    said = again.json()
    assert said["code"] == "still.stored_otherwise"
    assert said["params"]["still"] == stored.json()["id"] and said["params"]["camera"] == "door"
    rows = _snapshot_rows(services.engine)
    assert [(r["camera"], r["taken_at"]) for r in rows] == [("door", T * US)]


@pytest.mark.parametrize(
    "body",
    [b"\xff\xd8\xff", JPEG[:-1], JPEG[:-2], b"\xff\xd8\xff\xd9", b"GIF89a" + JPEG],
    ids=["magic-only", "cut-short", "no-end-marker", "no-marker", "other-format"],
)
def test_a_still_that_is_not_a_whole_jpeg_is_refused_and_not_stored(
    services: Services, kiln: Provisioned, body: bytes
) -> None:
    with _client(services) as client:
        answer = client.post(SNAPSHOTS, content=body, headers=_auth(kiln.token))
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "snapshot.not_jpeg"
    assert _snapshot_rows(services.engine) == []


def test_a_long_taken_at_is_quoted_cut_short(services: Services, kiln: Provisioned) -> None:
    with _client(services) as client:
        answer = client.post(
            SNAPSHOTS, content=JPEG, params={"taken_at": "9" * 5000}, headers=_auth(kiln.token)
        )
    assert answer.status_code == 422, answer.text
    assert len(answer.text) < 1_000


def test_a_jpeg_snapshot_is_stored_with_its_sha256(services: Services, kiln: Provisioned) -> None:
    add_camera(services.registry, CODE, "door", ctx=ctx_at(1))  # a still names a registered camera
    with _client(services) as client:
        answer = client.post(
            SNAPSHOTS,
            content=JPEG,
            params={"camera": "door", "taken_at": "2026-03-01T18:40:00+08:00"},
            headers={**_auth(kiln.token), "Content-Type": "image/jpeg"},
        )
        plain = client.post(SNAPSHOTS, content=OTHER_JPEG, headers=_auth(kiln.token))
        resent = client.post(  # a device's retry: the same image, camera and time
            SNAPSHOTS,
            content=JPEG,
            params={"camera": "door", "taken_at": "2026-03-01T18:40:00+08:00"},
            headers=_auth(kiln.token),
        )
    digest = hashlib.sha256(JPEG).hexdigest()
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"id": answer.json()["id"], "sha256": digest, "size": len(JPEG)}
    assert plain.status_code == 201
    assert resent.status_code == 200, resent.text  # a resend: recognised by its SHA-256
    assert resent.json()["id"] == answer.json()["id"] and resent.json()["sha256"] == digest
    rows = sorted(_snapshot_rows(services.engine), key=lambda r: r["id"])
    assert len(rows) == 2
    row = rows[0]
    assert row["id"] == answer.json()["id"]
    assert (row["facility_id"], row["camera"], row["taken_at"]) == (
        kiln.facility.id,
        "door",
        T * US,
    )
    assert (row["sha256"], row["size"], row["content_type"]) == (digest, len(JPEG), "image/jpeg")
    assert bytes(row["data"]) == JPEG
    assert hashlib.sha256(bytes(row["data"])).hexdigest() == row["sha256"]
    assert row["received_at"] > 0
    assert rows[1]["sha256"] == hashlib.sha256(OTHER_JPEG).hexdigest()
    assert (rows[1]["camera"], rows[1]["taken_at"]) == ("", None)
    # each still stored is an audit entry of the device, the resend none
    added = [e for e in services.audit.latest(limit=20) if e.action == "snapshot.added"]
    assert [json.loads(e.after or "{}")["snapshot"] for e in reversed(added)] == [
        row["id"],
        rows[1]["id"],
    ]
    assert {e.actor for e in added} == {f"device:{kiln.facility.code}"}
    assert services.audit.verify().intact


def test_a_snapshot_is_refused_when_not_a_jpeg_too_large_or_of_another_facility(
    services: Services, kiln: Provisioned
) -> None:
    other = add_facility(services.registry, "JX-0031-K3", "0031", "kiln", ["C1"], ctx=ctx_at(2))
    with _client(services, max_snapshot_bytes=len(JPEG)) as client:
        for not_jpeg in (b"\x89PNG\r\n\x1a\n" + bytes(100), b"", b"\xff\xd8", b"GIF89a"):
            _assert_error(_post(client, kiln.token, not_jpeg, SNAPSHOTS), 422, kiln.token)
        _assert_error(_post(client, kiln.token, JPEG + b"\x00", SNAPSHOTS), 413, kiln.token)
        streamed = client.post(SNAPSHOTS, content=iter([JPEG, b"\x00"]), headers=_auth(kiln.token))
        _assert_error(streamed, 413, kiln.token)
        for token, code in ((kiln.token, "JX-0031-K3"), (other.token, CODE)):
            url = f"/api/v1/facilities/{code}/snapshots"
            _assert_error(_post(client, token, JPEG, url), 403, token)
        for params in (
            {"taken_at": "noon"},
            {"taken_at": "2026-03-01T10:40:00"},  # no offset
            {"taken_at": "-100000000000000"},
            {"camera": "c" * 33},
        ):
            refused = client.post(SNAPSHOTS, content=JPEG, params=params, headers=_auth(kiln.token))
            _assert_error(refused, 422, kiln.token)
        assert _snapshot_rows(services.engine) == []
        assert _post(client, kiln.token, JPEG, SNAPSHOTS).status_code == 201  # at the limit
    with services.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(snapshots)).scalar() == 1


def test_a_camera_name_with_a_control_character_is_a_422(
    client: TestClient, kiln: Provisioned
) -> None:
    answer = client.post(
        "/api/v1/facilities/JX-0031-K2/snapshots?camera=do%00or",
        headers={"Authorization": f"Bearer {kiln.token}"},
        content=b"\xff\xd8\xff\xe0jpeg\xff\xd9",
    )
    assert answer.status_code == 422


# -- what the database could not hold is refused before it gets there ---------------------------


def test_a_value_or_time_the_database_cannot_hold_is_rejected_alone(
    services: Services, kiln: Provisioned
) -> None:
    body = (
        b'{"facility": "JX-0031-K2", "readings": [{"probe": "C1", "t": 1772361600, "v": '
        + b"9" * 400
        + b'}, {"probe": "C2", "t": -100000000000000, "v": 1.0}'
        + b', {"probe": "C2", "t": "-100000000000000", "v": 1.0}'
        + b', {"probe": "C2", "t": 100000000000000, "v": 1.0}'
        + b', {"probe": "C2", "t": "99999-01-01T00:00:00Z", "v": 1.0}'
        + b', {"probe": "C2", "t": 1e300, "v": 1.0}'
        + b', {"probe": "C3", "t": 1772361600, "v": 1e400}'
        + b', {"probe": "A1", "t": 1772361600, "v": 55.0}]}'
    )
    with _client(services) as client:
        answer = _post(client, kiln.token, body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    assert [r["index"] for r in answer.json()["rejected"]] == [0, 1, 2, 3, 4, 5, 6]
    assert services.registry.readings_of(kiln.facility.id) == [("A1", T * US, 55.0, None)]


def test_a_deeply_nested_body_is_refused_with_422(services: Services, kiln: Provisioned) -> None:
    with _client(services) as client:
        for body in (b"[" * 100_000, b'{"facility": "JX-0031-K2", "readings": ' + b"[" * 100_000):
            _assert_error(_post(client, kiln.token, body), 422, kiln.token)


@pytest.mark.parametrize(
    "query", ["camera=%ED%A0%80", "camera=do%FFor", "taken_at=2026-03-01T10%C3:40:00Z"]
)
def test_a_still_query_in_percent_encoded_bytes_that_are_not_utf8_is_a_422_not_echoed(
    services: Services, kiln: Provisioned, query: str
) -> None:
    with _client(services) as client:
        answer = client.post(f"{SNAPSHOTS}?{query}", content=JPEG, headers=_auth(kiln.token))
    _assert_error(answer, 422, kiln.token)
    assert answer.json()["code"] == "snapshot.query_not_utf8"
    assert "\\ufffd" not in answer.text and "\ufffd" not in answer.text
    assert _snapshot_rows(services.engine) == []
