"""The fault syntax of ``phytowatch simulate``, and the facility specs of a fleet file."""

from __future__ import annotations

import json

import pytest

from phytowatch.simulate.faults import Fault, SpecError, parse_duration, parse_fault
from phytowatch.simulate.spec import facility_spec, fleet_specs


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("door@90m:10m", Fault("door", 5400, 600)),
        ("stuck:C2@2h", Fault("stuck", 7200, None, probe="C2")),
        ("stuck:C2@2h:30m", Fault("stuck", 7200, 1800, probe="C2")),
        ("pulled:C3@100m", Fault("pulled", 6000, None, probe="C3")),
        ("dropout:C1@1h:20m", Fault("dropout", 3600, 1200, probe="C1")),
        ("error:C2@30m:5m", Fault("error", 1800, 300, probe="C2")),
        ("error:C2@30m:5m:adc_fault", Fault("error", 1800, 300, probe="C2", code="adc_fault")),
        ("clock:+3m", Fault("clock", 0, None, offset_s=180)),
        ("clock:-90s@1h", Fault("clock", 3600, None, offset_s=-90)),
        ("outage@2h:30m", Fault("outage", 7200, 1800)),
        ("resend@3h", Fault("resend", 10800, None)),
    ],
)
def test_each_documented_fault_reads_as_its_value(text: str, fault: Fault) -> None:
    assert parse_fault(text) == fault


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("flood@1h", "not a fault"),
        ("door@90:10", "write a unit"),
        ("door@90m", "needs a duration"),
        ("stuck@2h", "name the probe"),
        ("door:C1@1h:5m", "whole facility"),
        ("clock:3m", "with its sign"),
        ("pulled:C3", "the time it starts"),
        ("outage@1h:xx", "not a duration"),
    ],
)
def test_a_bad_fault_is_refused_with_one_line_that_says_why(text: str, says: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_fault(text)
    message = str(caught.value)
    assert says in message and text in message and "\n" not in message


def test_durations_take_compound_units_and_bare_seconds_only_where_allowed() -> None:
    assert parse_duration("1h30m") == 5400
    assert parse_duration("2d") == 172800
    assert parse_duration("60", bare_seconds=True) == 60
    with pytest.raises(SpecError):
        parse_duration("60")


def test_a_fault_on_a_probe_the_facility_lacks_is_refused() -> None:
    with pytest.raises(SpecError, match="no probe 'C9'"):
        facility_spec(
            "JX-0031-K2", "pwd_x", "kiln", ["C1:product"], ["stuck:C9@1h"], seed=1, interval_s=60
        )


def test_a_fleet_file_gives_each_facility_its_own_seed_and_defaults() -> None:
    text = json.dumps(
        [
            {"facility": "K1", "token": "t1", "kind": "kiln", "probes": ["C1:product", "A1:air"]},
            {
                "facility": "R1",
                "token": "t2",
                "kind": "cold_room",
                "probes": ["C1:product:60"],
                "faults": ["outage@1h:10m"],
                "interval": "10m",
                "seed": 99,
            },
        ]
    )
    first, second = fleet_specs(text, "fleet.json", seed=7, interval_s=60)
    assert (first.seed, first.interval_s, first.faults) == (7, 60, ())
    assert (second.seed, second.interval_s, second.probes[0].size_mm) == (99, 600, 60.0)


def test_a_bad_fleet_file_names_the_file_and_the_facility() -> None:
    text = json.dumps([{"facility": "K1", "token": "t", "kind": "oven", "probes": ["C1:product"]}])
    with pytest.raises(SpecError, match=r"^fleet.json, facility 1: K1: kind 'oven'"):
        fleet_specs(text, "fleet.json", seed=7, interval_s=60)
