"""Properties of the treatment-log CSV codec (formats/csvlog.py, hypothesis): a log it writes
reads back exactly (probes, roles, instants to the microsecond, values bit for bit, faults), and
any other text is either a log or refused with :class:`LogError` (file, line, problem), never
another exception."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phytowatch.domain.instants import EARLIEST_INSTANT, LATEST_INSTANT
from phytowatch.domain.messages import Code
from phytowatch.domain.schedule import ROLES, Role
from phytowatch.formats.csvlog import LogError, ParsedLog, parse_log, write_log

BUDGET = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

probe_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,7}", fullmatch=True).filter(
    lambda name: name.lower() != "timestamp"
)
values = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just(math.nan),  # a fault: written ERR
)


@st.composite
def logs(draw: st.DrawFn) -> tuple[list[tuple[str, Role]], list[tuple[int, list[float | None]]]]:
    names = draw(st.lists(probe_ids, min_size=1, max_size=6, unique_by=str.lower))
    probes = [(name, draw(st.sampled_from(ROLES))) for name in names]
    instants = draw(
        st.lists(
            st.integers(EARLIEST_INSTANT, LATEST_INSTANT - 1), min_size=1, max_size=30, unique=True
        )
    )
    rows = [
        (t, draw(st.lists(values, min_size=len(probes), max_size=len(probes))))
        for t in sorted(instants)
    ]
    return probes, rows


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a):
        return math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


@BUDGET
@given(logs())
def test_a_log_it_writes_reads_back_exactly(
    log: tuple[list[tuple[str, Role]], list[tuple[int, list[float | None]]]],
) -> None:
    probes, rows = log
    parsed = parse_log(write_log(probes, rows), "written.csv")
    assert parsed.form == "wide"
    assert parsed.probes == probes
    assert [t for t, _ in parsed.rows] == [t for t, _ in rows]
    for (_, read), (_, written) in zip(parsed.rows, rows, strict=True):
        assert all(_same(r, w) for r, w in zip(read, written, strict=True)), (read, written)
    faults = {
        (probes[k][0], t): "ERR"
        for t, row in rows
        for k, value in enumerate(row)
        if value is not None and math.isnan(value)
    }
    assert parsed.faults == faults
    assert parsed.backwards == []


def _read_or_refused(text: str) -> ParsedLog | None:
    try:
        return parse_log(text, "sent.csv")
    except LogError as error:
        assert str(error).startswith("sent.csv")  # it names the file (and the line it can)
        assert error.problem.strip()
        # the problem is one of the log's codes, and the English line is that code's text
        assert isinstance(error.message.code, Code) and error.message.code.value.startswith("log.")
        place = "sent.csv" if error.line is None else f"sent.csv, line {error.line}"
        assert str(error) == f"{place}: {error.message.english()}"
        return None


cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


@BUDGET
@given(st.text(max_size=400))
def test_any_text_is_a_log_or_refused_with_a_log_error(text: str) -> None:
    _read_or_refused(text)


@BUDGET
@given(
    st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=8),
    st.sampled_from(["timestamp", "Timestamp", " timestamp "]),
    st.sampled_from([",", ",\u00a0", '","']),
)
def test_a_table_of_odd_cells_under_a_timestamp_header_is_a_log_or_refused(
    table: list[list[str]], first: str, separator: str
) -> None:
    header = [first, *[f"C{k}" for k in range(1, len(table[0]))]]
    text = "\n".join(separator.join(row) for row in [header, *table])
    parsed = _read_or_refused(text)
    if parsed is not None:
        assert all(EARLIEST_INSTANT <= t < LATEST_INSTANT for t, _ in parsed.rows)
        assert all(len(row) == len(parsed.probes) for _, row in parsed.rows)


@BUDGET
@given(logs(), st.integers(min_value=0), st.text(min_size=1, max_size=20))
def test_a_written_log_with_text_spliced_in_is_a_log_or_refused(
    log: tuple[list[tuple[str, Role]], list[tuple[int, list[float | None]]]],
    where: int,
    spliced: str,
) -> None:
    text = write_log(*log)
    at = where % (len(text) + 1)
    _read_or_refused(text[:at] + spliced + text[at:])
