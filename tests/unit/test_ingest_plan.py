"""Planning a device batch (services.ingest): pure, no database."""

from __future__ import annotations

from phytowatch.formats import protocol_v1
from phytowatch.services import ingest
from phytowatch.services.ports import FacilityRef, ProbeRef

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
