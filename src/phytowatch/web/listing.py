"""What the list pages share: their filters read from the URL (so that a filtered list is a
link one can share), checked with coded refusals; the pager; the CSV export.

A filter's value that cannot be used (a state that is not one, a date that is not a date, a
page past the numbers) is refused as a page in the reader's language (422) naming the
parameter, never silently ignored: a shared link that means nothing says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import StreamingResponse

from phytowatch.domain.messages import Code, say
from phytowatch.web import i18n
from phytowatch.web.templating import PageError

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 1_000_000
MAX_SEARCH = 100
CSV_CHUNK = 2000  # rows read per query while a CSV export streams


class Filters:
    """The query parameters of a list, each read once and checked."""

    def __init__(self, request: Request) -> None:
        self.params = request.query_params
        self.zone = i18n.zone(i18n.pick_zone(request.cookies.get(i18n.TZ_COOKIE)))
        self.given: dict[str, str] = {}  # the filters as given, to keep them in links and forms
        self.impossible = False  # a filter no row can match was given
        self.repeated: dict[str, list[str]] = {}  # a parameter given more than once

    def _raw(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is None or not value.strip():
            return None
        if "\x00" in value:  # no row can have it (PostgreSQL refuses it): an empty list,
            self.impossible = True  # as the API answers (web/deps.names_nothing)
            return None
        self.given[name] = value.strip()
        return value.strip()

    def text(self, name: str, limit: int = MAX_SEARCH) -> str | None:
        value = self._raw(name)
        if value is not None and len(value) > limit:
            raise PageError(422, say(Code.FIELD_AT_MOST, field=name, max=limit))
        return value

    def choice(self, name: str, choices: Sequence[str]) -> str | None:
        value = self._raw(name)
        if value is not None and value not in choices:
            raise PageError(422, say(Code.FIELD_CHOICE, field=name, choices=", ".join(choices)))
        return value

    def choices(self, name: str, choices: Sequence[str]) -> tuple[str, ...]:
        """A parameter that may be given more than once (``?review=a&review=b``)."""
        found = []
        for value in self.params.getlist(name):
            if not value.strip():
                continue
            if value.strip() not in choices:
                raise PageError(422, say(Code.FIELD_CHOICE, field=name, choices=", ".join(choices)))
            found.append(value.strip())
        if found:
            self.given[name] = found[0]  # the form shows one; the links keep them all
            self.repeated[name] = list(dict.fromkeys(found))
        return tuple(dict.fromkeys(found))

    def link_params(self) -> dict[str, str | list[str]]:
        """The filters as given, for the pager's links."""
        return {**self.given, **self.repeated}

    def number(self, name: str, low: int, high: int, default: int) -> int:
        value = self._raw(name)
        if value is None:
            return default
        if not value.isdigit() or not low <= int(value) <= high:
            raise PageError(422, say(Code.FIELD_RANGE, field=name, min=low, max=high))
        return int(value)

    def day(self, name: str) -> date | None:
        value = self._raw(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value) if len(value) == 10 else _not_a_date(name)
        except ValueError:
            return _not_a_date(name)

    def days(self, first: str, last: str) -> tuple[int | None, int | None]:
        """A range of days in the reader's zone, both included, as instants: from the start of
        the first day (included) to the start of the day after the last (excluded)."""
        start, end = self.day(first), self.day(last)
        if start is not None and end is not None and start > end:
            raise PageError(
                422, say(Code.FIELD_DATE_ORDER, first=start.isoformat(), last=end.isoformat())
            )
        return (
            None if start is None else self._instant(start),
            None if end is None else self._instant(end + timedelta(days=1)),
        )

    def _instant(self, day: date) -> int:
        moment = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        return int(moment.timestamp()) * 1_000_000

    def size(self) -> int:
        value = self._raw("size")
        if value is None:
            return DEFAULT_PAGE_SIZE
        if value not in {str(s) for s in PAGE_SIZES}:
            raise PageError(
                422,
                say(Code.FIELD_CHOICE, field="size", choices=", ".join(map(str, PAGE_SIZES))),
            )
        return int(value)

    def page(self) -> int:
        return self.number("page", 1, MAX_PAGE, 1)


def _not_a_date(name: str) -> date:
    raise PageError(422, say(Code.FIELD_DATE, field=name))


@dataclass(frozen=True)
class Pager:
    """Where a page stands in its list, and the links to the others (the filters kept)."""

    total: int
    page: int  # 1-based, within 1..pages
    size: int
    base: str  # the list's path
    given: dict[str, str | list[str]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else self.offset + 1

    @property
    def last(self) -> int:
        return min(self.total, self.offset + self.size)

    def url(self, page: int | None = None, path: str | None = None, **changes: str) -> str:
        params: dict[str, str | list[str]] = {k: v for k, v in self.given.items() if k != "page"}
        params.update(changes)
        params = {k: v for k, v in params.items() if v}
        if page is not None and page > 1:
            params["page"] = str(page)
        query = urlencode(params, doseq=True)
        return (path or self.base) + (f"?{query}" if query else "")

    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last and two around this one (None: a gap)."""
        wanted = {1, self.pages, *range(self.page - 2, self.page + 3)}
        shown = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in shown:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def pager(total: int, page: int, size: int, base: str, given: dict[str, str | list[str]]) -> Pager:
    """A page past the last shows the last one (a list that shrank since the link was made)."""
    last = max(1, -(-total // size))
    return Pager(total, min(page, last), size, base, given)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingResponse:
    """A CSV file, streamed: UTF-8 with a byte-order mark (so that Excel reads the Chinese
    names right), a header of stable column names, CRLF line ends."""

    def lines() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write("\ufeff")
        writer.writerow(header)
        for n, row in enumerate(rows, 1):
            writer.writerow([_cell(value) for value in row])
            if n % 500 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A cell as written; a text a spreadsheet would run as a formula (=, +, -, @) is kept as
    text by a leading apostrophe (OWASP's advice on CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def iso(instant: int | None) -> str:
    """An instant for a CSV cell: ISO 8601 UTC, to the second."""
    moment = i18n.to_datetime(instant)
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
