"""Instants and durations as exact integers (treatments.md §3.1: no rounding of times, ever)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from phytowatch.domain.instants import (
    US_PER_D,
    US_PER_H,
    US_PER_MIN,
    US_PER_S,
    format_duration,
    format_instant,
    instant_from_datetime,
    parse_duration,
    seconds,
)


@pytest.mark.parametrize(
    ("text", "micros"),
    [
        ("30 min", 30 * US_PER_MIN),
        ("30min", 30 * US_PER_MIN),
        ("3.5 h", 3 * US_PER_H + 30 * US_PER_MIN),
        ("18 d", 18 * US_PER_D),
        ("15 s", 15 * US_PER_S),
        ("15 sec", 15 * US_PER_S),
        ("0.000001 s", 1),
        ("1.000001 s", US_PER_S + 1),
        (" 5 min ", 5 * US_PER_MIN),
        (1800, 1800 * US_PER_S),
        (0.1, 100_000),
        ("90", 90 * US_PER_S),
    ],
)
def test_durations_parse_to_exact_microseconds(text: str | int | float, micros: int) -> None:
    assert parse_duration(text) == micros
    assert isinstance(parse_duration(text), int)


@pytest.mark.parametrize(
    "text",
    ["30 minutes", "0.0000001 s", "1e-7 s", "0 s", "-5 min", "five min", "", "min", "nan s", True],
)
def test_a_duration_that_is_not_exact_or_not_positive_is_refused(text: str | bool) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_instant_is_utc_with_z_and_fractions_only_when_present() -> None:
    assert format_instant(0) == "1970-01-01T00:00:00Z"
    assert format_instant(1_772_359_200_000_000) == "2026-03-01T10:00:00Z"
    assert format_instant(1_772_359_200_000_001) == "2026-03-01T10:00:00.000001Z"
    assert format_instant(1_772_359_200_500_000) == "2026-03-01T10:00:00.500000Z"


def test_a_naive_datetime_is_utc_and_offsets_are_honoured() -> None:
    naive = datetime(2026, 3, 1, 10, 0, 0)
    shanghai = datetime(2026, 3, 1, 18, 0, 0, tzinfo=timezone(timedelta(hours=8)))
    assert instant_from_datetime(naive) == 1_772_359_200_000_000
    assert instant_from_datetime(shanghai) == 1_772_359_200_000_000
    assert instant_from_datetime(datetime(2026, 3, 1, 10, 0, 0, 7)) == 1_772_359_200_000_007


def test_seconds_for_output_are_whole_when_whole_and_exact_otherwise() -> None:
    assert seconds(30 * US_PER_MIN) == 1800
    assert isinstance(seconds(30 * US_PER_MIN), int)
    assert seconds(1_500_000) == 1.5
    assert seconds(1) == 0.000001


def test_format_duration_reads_like_the_schedule() -> None:
    assert format_duration(30 * US_PER_MIN) == "30 min"
    assert format_duration(14 * US_PER_D) == "14 d"
    assert format_duration(3 * US_PER_H + 30 * US_PER_MIN) == "3 h 30 min"
    assert format_duration(US_PER_MIN + 5 * US_PER_S) == "1 min 5 s"
