"""Regressions found by reviewing the engine and the CSV reader against the contract."""

from __future__ import annotations

import pytest
from runlogs import PRODUCT3, T0, at

from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.readings import Reading
from phytowatch.ingest.csvlog import LogError, parse_log
from phytowatch.schedules import load_one
from phytowatch.services.evaluation import judge_rows

HT = load_one("ispm15-ht").resolve({})
HEADER = "timestamp,C1,C2,C3\n"


@pytest.mark.parametrize(
    "stamp",
    [
        "253402300800",  # Unix seconds in the year 10000
        "-100000000000",  # before 1900
        "0001-01-01T00:10:00+05:00",  # UTC falls before year 1
        "9999-12-31T23:10:00-05:00",  # UTC falls after year 9999
    ],
)
def test_a_timestamp_outside_the_years_a_log_can_have_is_bad_input_with_its_line(
    stamp: str,
) -> None:
    with pytest.raises(LogError, match=r"x\.csv, line 3: unparseable timestamp"):
        parse_log(HEADER + "2026-03-01T00:00:00Z,1,2,3\n" + f"{stamp},1,2,3\n", "x.csv")


@pytest.mark.parametrize(
    "stamp", ["2026-03-01T10.5Z", "2026-03-01T10:30.5Z", "2026-03-01T10.1234567"]
)
def test_a_decimal_fraction_of_an_hour_or_minute_is_refused_not_misread(stamp: str) -> None:
    with pytest.raises(LogError, match="allowed on the seconds only"):
        parse_log(HEADER + f"{stamp},1,2,3\n", "x.csv")


def test_a_fraction_finer_than_a_microsecond_is_refused_whatever_the_separator() -> None:
    with pytest.raises(LogError, match="finer than a microsecond"):
        parse_log(HEADER + "2026-03-01_10:00:00.1234567,1,2,3\n", "x.csv")


def test_timestamps_going_back_past_an_earlier_row_are_a_clock_finding_for_each_probe() -> None:
    text = (
        HEADER
        + "2026-03-01T10:02:00Z,57,57.1,57.2\n"
        + "2026-03-01T10:01:00Z,,57.3,\n"
        + "2026-03-01T10:01:30Z,57.4,,57.5\n"
    )
    log = parse_log(text, "x.csv")
    went_back = sorted((probe, line) for probe, _, _, line in log.backwards)
    assert went_back == [("C1", 4), ("C2", 3), ("C3", 4)]


def test_feed_rows_on_a_replayable_judge_adds_an_offset_once() -> None:
    rows = [(at(m), [55.2, 57.0, 57.0]) for m in range(31)]
    live = Judge(HT, PRODUCT3, offsets={"C1": "0.5"})
    live.feed_rows(rows)
    readings = [
        Reading(p, t, v) for t, vs in rows for p, v in zip(("C1", "C2", "C3"), vs, strict=True)
    ]
    fed = Judge(HT, PRODUCT3, offsets={"C1": "0.5"})
    fed.feed(readings)
    assert live.result().verdict == fed.result().verdict
    assert live.result().longest_hold == fed.result().longest_hold == 0  # 55.7 < 56


def test_an_implausible_calibration_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="plausible calibration offset"):
        Judge(HT, PRODUCT3, offsets={"C1": "1e400"})


def test_a_cell_with_an_underscore_is_a_fault_not_a_number() -> None:
    log = parse_log(HEADER + "2026-03-01T00:00:00Z,5_7,57,57\n", "x.csv")
    value = log.rows[0][1][0]
    assert value is not None and value != value  # NaN: a fault
    assert log.faults[("C1", T0 - T0 + log.rows[0][0])] == "5_7"


def test_a_trailing_comma_on_every_line_is_an_empty_column_dropped() -> None:
    text = "timestamp,C1,C2,C3,\n2026-03-01T00:00:00Z,56,57,58,\n"
    log = parse_log(text, "x.csv")
    assert [p for p, _ in log.probes] == ["C1", "C2", "C3"]
    assert log.rows[0][1] == [56.0, 57.0, 58.0]


def test_a_second_timestamp_column_is_refused() -> None:
    with pytest.raises(LogError, match="a second timestamp column"):
        parse_log("timestamp,timestamp,C1\n", "x.csv")


def test_the_same_log_through_judge_rows_and_feed_gives_the_same_fault_codes() -> None:
    log = parse_log(HEADER + "2026-03-01T00:00:00Z,200,57,ERR\n", "x.csv")
    result = judge_rows(HT, log.probes, log.rows, faults=log.faults)
    assert result.verdict is not None
