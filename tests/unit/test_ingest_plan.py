"""Planning a device batch (services.ingest): pure, no database."""

from __future__ import annotations

from phytowatch.domain.messages import Code, say
from phytowatch.formats import protocol_v1
from phytowatch.services import ingest
from phytowatch.services.ports import FacilityRef, ProbeRef, StoreOutcome

KILN = FacilityRef(7, "K2", 1, "kiln", {"C1": ProbeRef(11, "C1", "product")})
NOW = 1_772_400_000_000_000
T = 1_772_361_600


def plan(*readings: dict[str, object]) -> ingest.Plan:
    data = protocol_v1.parse_body(
        __import__("json").dumps({"facility": "K2", "readings": list(readings)}).encode()
    )
    return ingest.plan(data, KILN, now=NOW, future_tolerance=300_000_000)


def test_a_boolean_time_is_rejected_even_after_the_same_number_as_a_time() -> None:
    result = plan({"probe": "C1", "t": 1, "v": 5}, {"probe": "C1", "t": True, "v": 5})
    assert [r.index for r in result.rejected] == [0, 1]  # 1 s after 1970 is before 2000 too
    assert "true/false" in result.rejected[1].reason
    assert result.rejected[1].message == say(Code.READING_TIME_BOOLEAN, t="True")


def test_a_time_given_once_as_text_and_once_as_unix_seconds_is_the_same_instant() -> None:
    result = plan(
        {"probe": "C1", "t": "2026-03-01T10:40:00Z", "v": 5},
        {"probe": "C1", "t": T, "v": 6},
    )
    assert [item.t for item in result.batch_items] == [T * 1_000_000] * 2


def test_each_reading_keeps_its_position_in_the_batch() -> None:
    result = plan(
        {"probe": "C9", "t": T, "v": 5},
        {"probe": "C1", "t": T, "v": 5},
        {"probe": "C1", "t": "later", "v": 5},
        {"probe": "C1", "t": T + 60, "v": None, "fault": "open_circuit"},
    )
    assert [item.position for item in result.batch_items] == [1, 3]
    assert [r.index for r in result.rejected] == [0, 2]
    assert result.batch_items[1].fault == "open_circuit"


def test_a_fault_for_a_probe_without_a_column_is_rejected_as_the_list_form_would_be() -> None:
    kiln = FacilityRef(
        7,
        "K2",
        1,
        "kiln",
        {"C1": ProbeRef(11, "C1", "product"), "C2": ProbeRef(12, "C2", "product")},
    )
    body = {
        "facility": "K2",
        "columns": {
            "t": [T, T + 60],
            "C1": [55.0, None],
            "faults": {"C1": [None, "open_circuit"], "C9": ["x", None], "C2": [None, "y"]},
        },
    }
    data = protocol_v1.parse_body(__import__("json").dumps(body).encode())
    result = ingest.plan(data, kiln, now=NOW, future_tolerance=300_000_000)
    assert [(item.position, item.value, item.fault) for item in result.batch_items] == [
        (0, 55.0, None),
        (1, None, "open_circuit"),
    ]
    assert [(r.index, r.message) for r in result.rejected] == [
        (2, say(Code.READING_UNKNOWN_PROBE, probe="C9")),
        (3, say(Code.READING_UNKNOWN_PROBE, probe="C9")),
        (4, say(Code.READING_FAULT_NO_COLUMN, probe="C2")),
        (5, say(Code.READING_FAULT_NO_COLUMN, probe="C2")),
    ]
    assert result.count == 6 == protocol_v1.count_items(data)


def test_a_time_with_a_nul_inside_is_rejected_not_cut_at_the_nul() -> None:
    result = plan({"probe": "C1", "t": "2026-03-01T10:40:00Z\u0000garbage", "v": 5})
    assert result.batch_items == ()
    [rejection] = result.rejected
    assert rejection.message == say(
        Code.READING_TIME_CONTROL, t="'2026-03-01T10:40:00Z\\x00garbage'"
    )
    assert rejection.reason == (
        "bad time '2026-03-01T10:40:00Z\\x00garbage': control characters are not part of a time"
    )


def test_the_answer_gives_each_rejection_its_code_and_params_beside_the_reason() -> None:
    result = plan({"probe": "C9", "t": T, "v": 5}, {"probe": "C1", "t": "1772361600 ", "v": 5})
    body = ingest.answer(result, StoreOutcome(0, (), ()))
    assert body["rejected"] == [
        {
            "index": 0,
            "reason": "unknown probe 'C9'",
            "code": "reading.unknown_probe",
            "params": {"probe": "C9"},
        },
        {
            "index": 1,
            "reason": "bad time '1772361600 ': not an ISO 8601 time (2026-03-01T10:42:00Z) "
            "nor Unix seconds",
            "code": "reading.time_format",
            "params": {"t": "'1772361600 '"},
        },
    ]
