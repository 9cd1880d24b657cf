"""Treatment logs as CSV (treatments.md §4): the wide form and the long form.

Wide: ``timestamp,C1[product],A1[air],...``, one row per instant. Long:
``timestamp,probe,role,value``, one reading per row, in any order. A cell is a number; empty means
no reading; any other text (``ERR``, ``NaN``, ``open``) is a fault. Timestamps are ISO 8601 with an
offset or ``Z`` (naive means UTC) or Unix seconds.

Anything that cannot be read raises :class:`LogError`: the file, the line and the problem, a
message code (said in the reader's language where shown; its ``str`` is the English line).
Plain files (no quotes) take a fast path that splits lines itself; a file with quoted cells goes
through the ``csv`` module.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import InvalidOperation
from pathlib import Path

from phytowatch.domain.instants import EARLIEST_INSTANT, LATEST_INSTANT, parse_instant
from phytowatch.domain.messages import Code, Invalid, Message, Param, say
from phytowatch.domain.schedule import ROLES, Role

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_COLUMN = re.compile(r"^\s*([^\[\]\s][^\[\]]*?)\s*(?:\[\s*([A-Za-z]+)\s*\])?\s*$")
_LONG_HEADER = ["timestamp", "probe", "role", "value"]
_NAN = float("nan")


_TIMESTAMP_WHY = {
    Code.INSTANT_FINER: Code.LOG_TIMESTAMP_FINER,
    Code.INSTANT_FRACTION: Code.LOG_TIMESTAMP_FRACTION,
    Code.INSTANT_YEARS: Code.LOG_TIMESTAMP_YEARS,
    Code.INSTANT_OFFSET_RANGE: Code.LOG_TIMESTAMP_OFFSET_RANGE,
}


class LogError(ValueError):
    """The log cannot be read: where (the file), the line (None when no line is to blame) and the
    problem, a :class:`Message`. ``str()`` is one English line: ``FILE, line N: problem``; the
    place is :meth:`place` (``Code.LOG_AT_LINE``), said in the reader's language where shown."""

    def __init__(self, where: str, line: int | None, message: Message) -> None:
        self.where = where
        self.line = line
        self.message = message
        place = self.place()
        super().__init__(f"{place.english() if place is not None else where}: {message.english()}")

    @property
    def problem(self) -> str:
        """The problem in English, without the place."""
        return self.message.english()

    def place(self) -> Message | None:
        """``FILE, line N`` as a message; None when no line is named (the file alone)."""
        if self.line is None:
            return None
        return say(Code.LOG_AT_LINE, file=self.where, line=self.line)


def _refused(where: str, line: int | None, code: Code, /, **params: Param) -> LogError:
    return LogError(where, line, say(code, **params))


@dataclass
class ParsedLog:
    """A log as the engine wants it: probes, and rows of values in probe order, sorted by time."""

    name: str
    form: str  # "wide" | "long"
    probes: list[tuple[str, Role]]
    rows: list[tuple[int, list[float | None]]]  # (µs, values in probe order; NaN = fault)
    faults: dict[tuple[str, int], str] = field(default_factory=dict)
    # (probe, earlier instant, the later instant before it in the file, line) in file order
    backwards: list[tuple[str, int, int, int]] = field(default_factory=list)
    line_of: dict[int, int] = field(default_factory=dict)  # first line of each instant

    @property
    def reading_count(self) -> int:
        return sum(1 for _, values in self.rows for v in values if v is not None)


def parse_timestamp(text: str) -> int:
    """ISO 8601 (offset, ``Z`` or naive UTC) or Unix seconds, to µs. ValueError if neither."""
    return parse_instant(text, naive_is_utc=True)


def _column(where: str, index: int, cell: str) -> tuple[str, Role]:
    match = _COLUMN.match(cell)
    if not match:
        raise _refused(where, 1, Code.LOG_COLUMN_NOT_PROBE, column=index + 1, cell=cell)
    probe, role = match.group(1), (match.group(2) or "product").lower()
    if probe.lower() == "timestamp":
        raise _refused(where, 1, Code.LOG_COLUMN_TIMESTAMP, column=index + 1)
    if role not in ROLES:
        raise _refused(
            where, 1, Code.LOG_COLUMN_ROLE, column=index + 1, role=role, roles=", ".join(ROLES)
        )
    return probe, role


def _rows_of(text: str) -> list[list[str]]:
    if '"' not in text:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line.split(",") for line in lines]
    return list(csv.reader(io.StringIO(text, newline="")))


def read_log(path: Path) -> ParsedLog:
    """Read and check a CSV log; raises LogError naming the file, line and problem."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _refused(
            where, None, Code.LOG_UNREADABLE, error=str(error.strerror or error)
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _refused(where, line, Code.LOG_NOT_UTF8) from None
    return parse_log(text, where)


def parse_log(text: str, where: str) -> ParsedLog:
    text = text.removeprefix("\ufeff")  # a byte-order mark some spreadsheet exports write
    try:
        rows = _rows_of(text)
    except csv.Error as error:
        raise _refused(where, None, Code.LOG_NOT_CSV, error=str(error)) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise _refused(where, 1, Code.LOG_EMPTY)
    header = [cell.strip() for cell in rows[0]]
    if header[0].lower() != "timestamp":
        raise _refused(where, 1, Code.LOG_NO_TIMESTAMP, first=header[0])
    if [h.lower() for h in header] == _LONG_HEADER:
        return _parse_long(rows, where)
    if (
        len(header) > 1
        and header[-1] == ""
        and all(len(row) == len(header) and not row[-1].strip() for row in rows[1:] if len(row) > 1)
    ):
        # every line ends with a comma (a common spreadsheet export): drop that empty column
        rows = [row[:-1] if len(row) == len(header) else row for row in rows]
        header = header[:-1]
    return _parse_wide(rows, header, where, has_underscore="_" in text)


def _timestamp(where: str, line: int, cell: str) -> int:
    try:
        return parse_timestamp(cell)
    except (ValueError, InvalidOperation, OverflowError) as error:
        if isinstance(error, Invalid) and error.message.code in _TIMESTAMP_WHY:
            why = _TIMESTAMP_WHY[error.message.code]
            raise _refused(where, line, why, text=cell.strip(), **error.message.params) from None
        # not a time at all: the standard library's own wording is not said
        raise _refused(where, line, Code.LOG_TIMESTAMP, text=cell.strip()) from None


def _parse_wide(
    rows: list[list[str]], header: list[str], where: str, *, has_underscore: bool = True
) -> ParsedLog:
    probes = [_column(where, i, cell) for i, cell in enumerate(header[1:], start=1)]
    seen: dict[str, int] = {}
    for i, (probe, _) in enumerate(probes, start=2):
        if probe in seen:
            raise _refused(where, 1, Code.LOG_PROBE_TWICE, probe=probe, first=seen[probe], second=i)
        seen[probe] = i
    width = len(header)
    names = [probe for probe, _ in probes]
    by_time: dict[int, tuple[list[float | None], int]] = {}
    faults: dict[tuple[str, int], str] = {}
    backwards: list[tuple[str, int, int, int]] = []
    last_seen: list[int | None] = [None] * len(probes)
    in_order = True
    previous_t: int | None = None
    from_iso, epoch, epoch_naive, one_us = datetime.fromisoformat, _EPOCH, _EPOCH_NAIVE, _ONE_US
    earliest, latest = EARLIEST_INSTANT, LATEST_INSTANT
    underscores = any("_" in "".join(row[1:]) for row in rows[1:]) if has_underscore else False
    for line, cells in enumerate(rows[1:], start=2):
        if len(cells) != width:
            if len(cells) <= 1 and not "".join(cells).strip():
                continue  # a blank line
            raise _refused(where, line, Code.LOG_WIDE_CELLS, cells=len(cells), width=width)
        stamp = cells[0]
        if stamp[4:5] == "-" and "." not in stamp and "," not in stamp:
            # the common ISO form, whole seconds: skip the Unix and sub-microsecond checks
            try:
                moment = from_iso(stamp)
            except ValueError:
                t = _timestamp(where, line, stamp)  # raises the LogError
            else:
                try:
                    t = (moment - (epoch if moment.tzinfo is not None else epoch_naive)) // one_us
                except OverflowError:
                    t = _timestamp(where, line, stamp)  # raises the LogError
                if not earliest <= t < latest:
                    t = _timestamp(where, line, stamp)  # raises the LogError
        else:
            t = _timestamp(where, line, stamp)
        try:
            if underscores and any("_" in cell for cell in cells):
                raise ValueError  # float() reads "5_7" as 57; a log cell "5_7" is not a number
            values: list[float | None] = list(map(float, cells[1:]))
        except ValueError:
            values = []
            for k, cell in enumerate(cells[1:]):
                stripped = cell.strip()
                if not stripped:
                    values.append(None)
                    continue
                try:
                    if "_" in stripped:
                        raise ValueError(stripped)
                    values.append(float(stripped))
                except ValueError:
                    values.append(_NAN)
                    faults[(names[k], t)] = stripped
        if not in_order or (previous_t is not None and t <= previous_t):
            if in_order:  # first row out of order: from now on, track each probe's own times
                in_order = False
                last_seen = _latest_per_probe(by_time, len(names))
            # a probe's clock went back when its reading is earlier than its previous one
            for k, value in enumerate(values):
                if value is not None:
                    before = last_seen[k]
                    if before is not None and t < before:
                        backwards.append((names[k], t, before, line))
                    last_seen[k] = t
        previous_t = t
        known = by_time.get(t)
        if known is None:
            by_time[t] = (values, line)
        else:
            _merge(where, line, t, names, known, values)
    ordered = sorted(by_time.items()) if not in_order else list(by_time.items())
    return ParsedLog(
        name=where,
        form="wide",
        probes=probes,
        rows=[(t, values) for t, (values, _) in ordered],
        faults=faults,
        backwards=backwards,
        line_of={t: line for t, (_, line) in ordered},
    )


def _latest_per_probe(
    by_time: dict[int, tuple[list[float | None], int]], width: int
) -> list[int | None]:
    latest: list[int | None] = [None] * width
    for t, (values, _) in by_time.items():
        for k, value in enumerate(values):
            before = latest[k]
            if value is not None and (before is None or t > before):
                latest[k] = t
    return latest


def _same(a: float | None, b: float | None) -> bool:
    return a == b or (a is not None and b is not None and a != a and b != b)


def _merge(
    where: str,
    line: int,
    t: int,
    names: list[str],
    known: tuple[list[float | None], int],
    values: list[float | None],
) -> None:
    """A second row for the same instant: fill its gaps; a different value is an error."""
    into, first_line = known
    for k, value in enumerate(values):
        if value is None:
            continue
        if into[k] is None:
            into[k] = value
        elif not _same(into[k], value):
            raise _refused(
                where, line, Code.LOG_DIFFERENT_READING, probe=names[k], first_line=first_line
            )


def _natural(probe: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", probe))


def _parse_long(rows: list[list[str]], where: str) -> ParsedLog:
    roles: dict[str, Role] = {}
    entries: list[tuple[int, str, float | None, str | None, int]] = []
    for line, cells in enumerate(rows[1:], start=2):
        if len(cells) != 4:
            if len(cells) <= 1 and not "".join(cells).strip():
                continue
            raise _refused(where, line, Code.LOG_LONG_CELLS, cells=len(cells))
        t = _timestamp(where, line, cells[0])
        probe = cells[1].strip()
        if not probe or "[" in probe or "]" in probe:
            raise _refused(where, line, Code.LOG_NOT_PROBE_ID, cell=cells[1])
        role = (cells[2].strip() or "product").lower()
        if role not in ROLES:
            raise _refused(where, line, Code.LOG_ROLE, role=role, roles=", ".join(ROLES))
        known_role = roles.setdefault(probe, role)
        if known_role != role:
            raise _refused(
                where, line, Code.LOG_ROLE_CHANGES, probe=probe, known=known_role, role=role
            )
        cell = cells[3].strip()
        if not cell:
            continue  # no reading
        try:
            entries.append((t, probe, float(cell), None, line))
        except ValueError:
            entries.append((t, probe, _NAN, cell, line))
    names = sorted(roles, key=_natural)
    index = {name: k for k, name in enumerate(names)}
    by_time: dict[int, tuple[list[float | None], int]] = {}
    faults: dict[tuple[str, int], str] = {}
    for t, probe, value, fault, line in sorted(entries, key=lambda e: (e[0], e[4])):
        known = by_time.get(t)
        if known is None:
            known = by_time[t] = ([None] * len(names), line)
        values: list[float | None] = [None] * len(names)
        values[index[probe]] = value
        _merge(where, line, t, names, known, values)
        if fault is not None:
            faults.setdefault((probe, t), fault)
    ordered = sorted(by_time.items())
    return ParsedLog(
        name=where,
        form="long",
        probes=[(name, roles[name]) for name in names],
        rows=[(t, values) for t, (values, _) in ordered],
        faults=faults,
        line_of={t: line for t, (_, line) in ordered},
    )


def write_log(probes: list[tuple[str, Role]], rows: list[tuple[int, list[float | None]]]) -> str:
    """The wide form, for exports and examples; faults are written as ``ERR``."""
    from phytowatch.domain.instants import format_instant

    out = io.StringIO()
    out.write("timestamp," + ",".join(f"{p}[{r}]" for p, r in probes) + "\n")
    for t, values in rows:
        cells = ["" if v is None else ("ERR" if v != v else repr(v)) for v in values]
        out.write(format_instant(t) + "," + ",".join(cells) + "\n")
    return out.getvalue()
