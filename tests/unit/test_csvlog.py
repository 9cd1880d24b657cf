"""Treatment logs as CSV (treatments.md §4): accepted forms, and errors naming file and line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from phytowatch.domain.messages import Code
from phytowatch.formats.csvlog import LogError, parse_log, read_log

T0 = 1_772_359_200_000_000  # 2026-03-01T10:00:00Z
MIN = 60_000_000
HEADER = "timestamp,C1,C2,C3\n"


def values(log_rows: list[tuple[int, list[float | None]]]) -> list[tuple[int, list[object]]]:
    """Rows with NaN written as 'NaN' so that they compare equal."""
    return [
        (t, ["NaN" if v is not None and math.isnan(v) else v for v in vs]) for t, vs in log_rows
    ]


def by_probe(
    probes: Sequence[tuple[str, str]], log_rows: list[tuple[int, list[float | None]]]
) -> dict[str, list[tuple[int, object]]]:
    """Each probe's readings, independent of the column order."""
    out: dict[str, list[tuple[int, object]]] = {name: [] for name, _ in probes}
    for t, row in values(log_rows):
        for (name, _), value in zip(probes, row, strict=True):
            if value is not None:
                out[name].append((t, value))
    return out


def test_the_wide_form_gives_probes_roles_and_rows() -> None:
    text = (
        "timestamp,C1[product],C2,A1[air],W1[water],H1[rh]\n"
        "2026-03-01T10:00:00Z,56.1,56.2,60.0,46.5,80\n"
        "2026-03-01T10:01:00Z,56.3,,ERR,46.6,81.5\n"
    )
    log = parse_log(text, "run.csv")
    assert log.form == "wide"
    assert log.probes == [
        ("C1", "product"), ("C2", "product"), ("A1", "air"), ("W1", "water"), ("H1", "rh")
    ]  # fmt: skip
    assert values(log.rows) == [
        (T0, [56.1, 56.2, 60.0, 46.5, 80.0]),
        (T0 + MIN, [56.3, None, "NaN", 46.6, 81.5]),
    ]
    assert log.faults == {("A1", T0 + MIN): "ERR"}


def test_the_long_form_gives_the_same_log_as_the_wide_form() -> None:
    wide = parse_log(
        "timestamp,C1,A1[air]\n2026-03-01T10:00:00Z,56.1,60.0\n2026-03-01T10:01:00Z,open,61\n",
        "wide.csv",
    )
    long = parse_log(
        "timestamp,probe,role,value\n"
        "2026-03-01T10:01:00Z,A1,air,61\n"
        "2026-03-01T10:00:00Z,C1,product,56.1\n"
        "2026-03-01T10:01:00Z,C1,product,open\n"
        "2026-03-01T10:00:00Z,A1,air,60.0\n",
        "long.csv",
    )
    assert long.form == "long"
    assert sorted(long.probes) == sorted(wide.probes)
    assert by_probe(long.probes, long.rows) == by_probe(wide.probes, wide.rows)
    assert long.faults == wide.faults == {("C1", T0 + MIN): "open"}


@pytest.mark.parametrize(
    ("stamp", "instant"),
    [
        ("2026-03-01T10:00:00Z", T0),
        ("2026-03-01T10:00:00", T0),  # naive = UTC
        ("2026-03-01 10:00:00", T0),
        ("2026-03-01T18:00:00+08:00", T0),
        ("2026-03-01T05:00:00-05:00", T0),
        ("2026-03-01T10:00:00.000001Z", T0 + 1),
        ("1772359200", T0),  # Unix seconds
        ("1772359200.5", T0 + 500_000),
        ("1772359200.000001", T0 + 1),
    ],
)
def test_timestamps_in_every_accepted_form(stamp: str, instant: int) -> None:
    log = parse_log(f"timestamp,C1\n{stamp},56.0\n", "run.csv")
    assert log.rows == [(instant, [56.0])]


def test_quoted_cells_are_accepted() -> None:
    text = 'timestamp,"C1[product]",C2\n"2026-03-01T10:00:00Z","56.5","sensor, open"\n'
    log = parse_log(text, "run.csv")
    assert log.probes == [("C1", "product"), ("C2", "product")]
    assert values(log.rows) == [(T0, [56.5, "NaN"])]
    assert log.faults == {("C2", T0): "sensor, open"}


def test_a_byte_order_mark_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "\ufefftimestamp,C1\r\n\r\n2026-03-01T10:00:00Z,56.0\r\n\r\n"
        "2026-03-01T10:01:00Z,56.5\r\n\r\n".encode()
    )
    log = read_log(path)
    assert log.rows == [(T0, [56.0]), (T0 + MIN, [56.5])]


def test_rows_need_not_be_in_order_or_evenly_spaced() -> None:
    text = (
        "timestamp,C1\n"
        "2026-03-01T10:07:00Z,57\n2026-03-01T10:00:00Z,56\n2026-03-01T10:00:13Z,56.5\n"
    )
    log = parse_log(text, "run.csv")
    assert [t for t, _ in log.rows] == [T0, T0 + 13_000_000, T0 + 7 * MIN]
    assert log.backwards == [("C1", T0, T0 + 7 * MIN, 3)]


def test_an_identical_duplicate_reading_is_merged() -> None:
    text = "timestamp,C1,C2\n2026-03-01T10:00:00Z,56,\n2026-03-01T10:00:00Z,56,57\n"
    assert parse_log(text, "run.csv").rows == [(T0, [56.0, 57.0])]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("time,C1\n2026-03-01T10:00:00Z,56\n", 1, "no timestamp column"),
        ("", 1, "timestamp"),
        ("timestamp,C1\n2026-03-01T10:00:00Z,56\nyesterday,56\n", 3, "yesterday"),
        ("timestamp,C1\n2026-03-01T25:00:00Z,56\n", 2, "unparseable timestamp"),
        ("timestamp,C1,C2\n2026-03-01T10:00:00Z,56,57\n2026-03-01T10:01:00Z,56\n", 3, "2 cells"),
        ("timestamp,C1,C2\n2026-03-01T10:00:00Z,56,57,58\n", 2, "4 cells"),
        ("timestamp,C1[pulp]\n2026-03-01T10:00:00Z,56\n", 1, "unknown role 'pulp'"),
        ("timestamp,C1,C1[air]\n2026-03-01T10:00:00Z,56,57\n", 1, "C1"),
        (
            "timestamp,C1\n2026-03-01T10:00:00Z,56\n2026-03-01T10:00:00Z,57\n",
            3,
            "different reading",
        ),
        ("timestamp,C1\n2026-03-01T10:00:00.1234567Z,56\n", 2, "microsecond"),
        ("timestamp,C1\n1772359200.0000001,56\n", 2, "microsecond"),
        ("timestamp,probe,role,value\n2026-03-01T10:00:00Z,C1,pulp,56\n", 2, "unknown role"),
        ("timestamp,probe,role,value\n2026-03-01T10:00:00Z,C1,56\n", 2, "3 cells"),
        (
            "timestamp,probe,role,value\n"
            "2026-03-01T10:00:00Z,C1,product,56\n2026-03-01T10:00:00Z,C1,product,56.4\n",
            3,
            "different reading",
        ),
        (
            "timestamp,probe,role,value\n"
            "2026-03-01T10:00:00Z,C1,product,56\n2026-03-01T10:01:00Z,C1,air,56\n",
            3,
            "C1",
        ),
    ],
)
def test_bad_input_names_the_file_the_line_and_the_problem(
    text: str, line: int, words: str
) -> None:
    with pytest.raises(LogError) as error:
        parse_log(text, "logs/run-7.csv")
    message = str(error.value)
    assert message.startswith(f"logs/run-7.csv, line {line}: ")
    assert words in message
    assert "\n" not in message
    assert (error.value.where, error.value.line) == ("logs/run-7.csv", line)
    # the problem is a code of the log's; the English line is its template, filled in
    assert error.value.message.code.value.startswith("log.")
    assert message == f"logs/run-7.csv, line {line}: {error.value.message.english()}"


def test_an_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(LogError, match=r"missing\.csv"):
        read_log(tmp_path / "missing.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"timestamp,C1\n2026-03-01T10:00:00Z,56\xb0\n")
    with pytest.raises(LogError, match=r"latin1\.csv, line 2: "):
        read_log(path)


def test_a_byte_order_mark_is_ignored_when_parsing_text() -> None:
    log = parse_log("\ufefftimestamp,C1\n2026-03-01T00:00:00Z,56.0\n", "bom.csv")
    assert log.probes == [("C1", "product")]
    assert log.rows[0][1] == [56.0]


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


# (text, the code, its parameters, the English line as it always was)
CODED = [
    (
        "timestamp,C1,C2\n2026-03-01T10:00:00Z,56\n",
        Code.LOG_WIDE_CELLS,
        {"cells": 2, "width": 3},
        "x.csv, line 2: 2 cells, but the header has 3",
    ),
    (
        "timestamp,C1,C1[air]\n",
        Code.LOG_PROBE_TWICE,
        {"probe": "C1", "first": 2, "second": 3},
        "x.csv, line 1: probe C1 appears twice (columns 2 and 3)",
    ),
    (
        "timestamp,C1[pulp]\n",
        Code.LOG_COLUMN_ROLE,
        {"column": 2, "role": "pulp", "roles": "product, air, water, rh"},
        "x.csv, line 1: column 2: unknown role 'pulp' (one of product, air, water, rh)",
    ),
    (
        "time,C1\n",
        Code.LOG_NO_TIMESTAMP,
        {"first": "time"},
        "x.csv, line 1: no timestamp column: the first column is 'time'",
    ),
    (
        "timestamp,C1\n253402300800,56\n",
        Code.LOG_TIMESTAMP_YEARS,
        {"text": "253402300800", "first": 1900, "last": 9998},
        "x.csv, line 2: unparseable timestamp '253402300800' (outside the years 1900 to 9998)",
    ),
    (
        "timestamp,C1\nyesterday,56\n",
        Code.LOG_TIMESTAMP,
        {"text": "yesterday"},
        "x.csv, line 2: unparseable timestamp 'yesterday'",
    ),
    (
        "timestamp,probe,role,value\n"
        "2026-03-01T10:00:00Z,C1,product,56\n2026-03-01T10:01:00Z,C1,air,56\n",
        Code.LOG_ROLE_CHANGES,
        {"probe": "C1", "known": "product", "role": "air"},
        "x.csv, line 3: probe C1 is product elsewhere, air here",
    ),
    (
        "timestamp,C1\n2026-03-01T10:00:00Z,56\n2026-03-01T10:00:00Z,57\n",
        Code.LOG_DIFFERENT_READING,
        {"probe": "C1", "first_line": 2},
        "x.csv, line 3: C1 has a different reading at the same time as line 2",
    ),
]


@pytest.mark.parametrize(("text", "code", "params", "english"), CODED)
def test_a_problem_is_a_code_with_its_parameters_and_the_same_english_line(
    text: str, code: Code, params: dict[str, object], english: str
) -> None:
    with pytest.raises(LogError) as error:
        parse_log(text, "x.csv")
    assert error.value.message.code is code
    assert dict(error.value.message.params) == params
    assert str(error.value) == english
    place = error.value.place()
    assert place is not None and place.code is Code.LOG_AT_LINE
    assert dict(place.params) == {"file": "x.csv", "line": error.value.line}


def test_a_file_that_cannot_be_read_names_the_file_alone(tmp_path: Path) -> None:
    with pytest.raises(LogError) as error:
        read_log(tmp_path / "missing.csv")
    assert error.value.line is None and error.value.place() is None
    assert error.value.message.code is Code.LOG_UNREADABLE
    assert str(error.value) == f"{tmp_path / 'missing.csv'}: cannot read the file " + (
        "(No such file or directory)"
    )
