"""Each probe's latest reading, which probes are valid and the governing value (treatments.md
§3.1), alone."""

from __future__ import annotations

from runlogs import at

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.latest import LatestReadings

NAN = float("nan")
FIVE_MIN = 5 * US_PER_MIN


def latest_of(width: int = 4, sample_slots: tuple[int, ...] = (0, 1, 2)) -> LatestReadings:
    return LatestReadings(width, FIVE_MIN, sample_slots)


def test_a_reading_of_a_judged_probe_makes_a_sample_time_and_another_probe_alone_does_not() -> None:
    latest = latest_of()
    assert latest.take(at(0), [None, None, None, 30.0]) is False  # the air probe only
    assert latest.take(at(1), [56.0, None, None, None]) is True
    assert latest.taken == 2
    assert (latest.t, latest.v) == ([at(1), None, None, at(0)], [56.0, None, None, 30.0])


def test_a_full_row_is_kept_as_is_and_copied_before_a_partial_row_writes_into_it() -> None:
    latest = latest_of()
    row = [56.0, 57.0, 58.0, 30.0]
    assert latest.take(at(0), row) is True
    latest.take(at(1), [None, 57.5, None, None])
    assert row == [56.0, 57.0, 58.0, 30.0]  # the fed row is not changed
    assert latest.v == [56.0, 57.5, 58.0, 30.0]
    assert latest.t == [at(0), at(1), at(0), at(0)]


def test_the_governing_value_is_the_minimum_for_heat_and_the_maximum_for_cold() -> None:
    latest = latest_of()
    row = [56.0, 57.0, 58.0, 30.0]
    latest.take(at(0), row)
    assert latest.governing(0, 3, False, 3, at(0), row) == (56.0, [])
    assert latest.governing(0, 3, True, 3, at(0), row) == (58.0, [])


def test_a_fault_or_a_reading_older_than_the_interval_is_not_valid_and_says_why() -> None:
    latest = latest_of()
    latest.take(at(0), [56.0, 57.0, 58.0, 30.0])
    row = [NAN, 57.5, None, None]
    latest.take(at(5) + 1, row)  # C3's reading is now 5 min and 1 µs old
    assert latest.governing(0, 3, False, 1, at(5) + 1, row) == (57.5, [(0, "fault"), (2, "gap")])
    assert latest.governing(0, 3, False, 2, at(5) + 1, row) == (None, [(0, "fault"), (2, "gap")])
    assert latest.valid(1, at(5) + 1) == 57.5
    assert latest.valid(0, at(5) + 1) is None
    assert latest.valid(2, at(5)) == 58.0  # exactly the interval old: still valid


def test_every_valid_probe_counts_also_beyond_the_minimum() -> None:
    latest = latest_of()
    row = [56.0, 57.0, 55.9, 30.0]
    latest.take(at(0), row)
    assert latest.governing(0, 3, False, 1, at(0), row) == (55.9, [])
