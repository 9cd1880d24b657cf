"""The alarms inbox: filtered, paged and exported in SQL; acknowledge and clear, row by row.

Filters are query parameters, so a filtered list is a link to share: ``facility``, ``city``,
``kind``, ``severity``, ``state`` (``open``, the default: active and acknowledged; ``active``,
``acknowledged``, ``cleared``, ``all``), ``from`` and ``to`` (days in the reader's time zone, both
included), ``sort`` (``severity``, the default, or ``newest``), ``page`` and ``size``. A bad value
is said with a code (422), never guessed. ``/alarms.csv`` exports the whole filtered list (docs/
pages.md, "Alarms"). Each route declares its rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Severity
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, Message, Refused, say
from phytowatch.domain.signoff import MIN_COMMENT
from phytowatch.i18n import catalogue
from phytowatch.services.alarms import OPEN_STATES, AlarmQuery, ListedAlarm
from phytowatch.web import i18n
from phytowatch.web.auth import principal_of
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.listing import csv_response
from phytowatch.web.templating import (
    PageError,
    alarm_view,
    language_of,
    page,
    page_form,
    render,
    services_of,
    zone_of,
)

router = APIRouter()

STATES: Mapping[str, frozenset[AlarmState]] = {
    "open": OPEN_STATES,
    "active": frozenset({AlarmState.ACTIVE}),
    "acknowledged": frozenset({AlarmState.ACKNOWLEDGED}),
    "cleared": frozenset({AlarmState.CLEARED}),
    "all": frozenset(AlarmState),
}
SIZES = (25, 50, 100, 200)
DEFAULT_SIZE = 50
SORTS = ("severity", "newest")
EXPORT_CHUNK = 1000  # rows read per query while the export streams
# the export's header: stable English column codes, whatever the reader's language (docs/pages.md)
CSV_COLUMNS = (
    "id", "severity", "kind", "state", "facility", "city", "subject", "message", "count",
    "raised_at", "last_seen_at", "acknowledged_by", "acknowledged_at", "comment",
    "enterprise_acknowledged_by", "enterprise_acknowledged_at", "enterprise_comment",
    "cleared_by", "cleared_at", "clear_comment",
)  # fmt: skip


def _labels() -> dict[str, Message]:
    """The comment boxes' labels, which say how much a comment must say."""
    return {
        "ack_required": say(Code.ALARM_LABEL_COMMENT_REQUIRED, min=MIN_COMMENT),
        "why_cleared": say(Code.ALARM_LABEL_WHY_CLEARED, min=MIN_COMMENT),
    }


@dataclass(frozen=True)
class Filters:
    """The inbox's filters as the address gives them, checked."""

    facility: str = ""
    city: str = ""
    kind: str = ""
    severity: str = ""
    state: str = "open"
    day_from: str = ""
    day_to: str = ""
    sort: str = "severity"
    page: int = 1
    size: int = DEFAULT_SIZE
    problems: list[Message] = field(default_factory=list)

    def query(self, facilities: frozenset[str] | None, zone_name: str) -> AlarmQuery:
        tz = i18n.zone(zone_name)

        def start_of(day: str) -> int:
            moment = datetime.combine(date.fromisoformat(day), time(), tz)
            return int(moment.timestamp()) * 1_000_000

        return AlarmQuery(
            facilities=facilities,
            facility=self.facility or None,
            city=self.city or None,
            kind=AlarmKind(self.kind) if self.kind else None,
            severity=Severity(self.severity) if self.severity else None,
            states=STATES[self.state],
            raised_from=start_of(self.day_from) if self.day_from else None,
            raised_before=(
                start_of((date.fromisoformat(self.day_to) + timedelta(days=1)).isoformat())
                if self.day_to
                else None
            ),
            by_severity=self.sort == "severity",
        )

    def link(self, **changes: Any) -> str:
        """This list's address with some filters changed (the pager's links, the export)."""
        shown = replace(self, **changes)
        pairs = [
            ("facility", shown.facility), ("city", shown.city), ("kind", shown.kind),
            ("severity", shown.severity),
            ("state", "" if shown.state == "open" else shown.state),
            ("from", shown.day_from), ("to", shown.day_to),
            ("sort", "" if shown.sort == "severity" else shown.sort),
            ("page", "" if shown.page == 1 else str(shown.page)),
            ("size", "" if shown.size == DEFAULT_SIZE else str(shown.size)),
        ]  # fmt: skip
        return urlencode([(k, v) for k, v in pairs if v])


def _choice(value: str, choices: tuple[str, ...], name: str, problems: list[Message]) -> str:
    if value and value not in choices:
        problems.append(say(Code.FIELD_CHOICE, field=name, choices=", ".join(choices)))
        return ""
    return value


def _day(value: str, name: str, problems: list[Message]) -> str:
    """A day as YYYY-MM-DD, exactly."""
    if not value:
        return ""
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value).isoformat()
    except ValueError:
        problems.append(say(Code.FIELD_INSTANT, field=name, text=value[:40]))
        return ""


def _text(value: str, name: str, problems: list[Message], most: int) -> str:
    value = value.strip()
    if len(value) > most or not value.isprintable():
        problems.append(say(Code.FIELD_AT_MOST, field=name, max=most))
        return ""
    return value


def parse_filters(params: Mapping[str, str]) -> Filters:
    """The filters of a request's query; every bad value is a coded problem (shown, 422)."""
    problems: list[Message] = []
    state = params.get("state", "")
    if not state and params.get("all", "").lower() in {"true", "1"}:  # the old ``?all=true``
        state = "all"
    day_from = _day(params.get("from", ""), "from", problems)
    day_to = _day(params.get("to", ""), "to", problems)
    if day_from and day_to and day_from > day_to:
        problems.append(say(Code.ALARM_FILTER_DAYS, start=day_from, end=day_to))
    page_number, size = 1, DEFAULT_SIZE
    raw_page = params.get("page", "")
    if raw_page:
        if raw_page.isdigit() and 1 <= int(raw_page) <= 1_000_000:
            page_number = int(raw_page)
        else:
            problems.append(say(Code.FIELD_RANGE, field="page", min=1, max=1_000_000))
    raw_size = params.get("size", "")
    if raw_size:
        if raw_size.isdigit() and int(raw_size) in SIZES:
            size = int(raw_size)
        else:
            problems.append(
                say(Code.FIELD_CHOICE, field="size", choices=", ".join(map(str, SIZES)))
            )
    return Filters(
        facility=_text(params.get("facility", ""), "facility", problems, 64),
        city=_text(params.get("city", ""), "city", problems, 100),
        kind=_choice(params.get("kind", ""), tuple(k.value for k in AlarmKind), "kind", problems),
        severity=_choice(
            params.get("severity", ""), tuple(s.value for s in Severity), "severity", problems
        ),
        state=_choice(state, tuple(STATES), "state", problems) or "open",
        day_from=day_from,
        day_to=day_to,
        sort=_choice(params.get("sort", ""), SORTS, "sort", problems) or "severity",
        page=page_number,
        size=size,
        problems=problems,
    )


async def _reach(request: Request) -> tuple[frozenset[str] | None, list[str]]:
    """The facilities the caller may see (None: every one) and their cities, for the filter."""
    services = services_of(request)
    principal = principal_of(request)
    owners = await run_in_threadpool(services.accounts.facility_owners)
    if principal.sees_everything:
        return None, sorted({city for _, city in owners.values()})
    covered = {code: city for code, (ent, city) in owners.items() if principal.covers(ent, city)}
    return frozenset(covered), sorted(set(covered.values()))


async def _listing(request: Request) -> tuple[Filters, dict[str, Any], int]:
    """The filters, what the page shows, and its status (422 when a filter was refused)."""
    filters = parse_filters(request.query_params)
    facilities, cities = await _reach(request)
    context: dict[str, Any] = {
        "filters": filters,
        "cities": cities,
        "sizes": SIZES,
        "kinds": [k.value for k in AlarmKind],
        "severities": [s.value for s in Severity],
        "labels": _labels(),
    }
    if filters.problems:
        context.update(alarms=[], total=0, pages=1, facilities_seen=facilities)
        return filters, context, 422
    services = services_of(request)
    query = filters.query(facilities, zone_of(request))
    total = await run_in_threadpool(services.alarm_store.count_alarms, query)
    pages = max(1, math.ceil(total / filters.size))
    if filters.page > pages:  # the list shrank (alarms cleared): the last page
        filters = replace(filters, page=pages)
        context["filters"] = filters
    found = await run_in_threadpool(
        lambda: services.alarm_store.find_alarms(
            query, offset=(filters.page - 1) * filters.size, limit=filters.size
        )
    )
    first = (filters.page - 1) * filters.size + 1 if found else 0
    context.update(
        alarms=[{**alarm_view(listed.alarm), "city": listed.city} for listed in found],
        total=total,
        pages=pages,
        count_text=say(
            Code.ALARM_LIST_COUNT, first=first, last=first + len(found) - 1, total=total
        ),
        page_text=say(Code.ALARM_LIST_PAGE, page=filters.page, pages=pages),
    )
    return filters, context, 200


@router.get("/alarms", dependencies=[page(Action.ALARMS_READ)], include_in_schema=False)
async def alarms(request: Request) -> HTMLResponse:
    _, context, status = await _listing(request)
    return await render(request, "alarms.html", status, active="alarms", **context)


@router.get("/alarms/table", dependencies=[page(Action.ALARMS_READ)], include_in_schema=False)
async def alarms_table(request: Request) -> HTMLResponse:
    """The inbox's table alone (htmx refreshes it when the stream says an alarm changed)."""
    _, context, status = await _listing(request)
    return await render(request, "_alarm_table.html", status, **context)


def _csv_row(listed: ListedAlarm, language: str) -> list[str]:
    a: Alarm = listed.alarm

    def at(instant: int | None) -> str:
        return "" if instant is None else format_instant(instant)

    # a person's text that a spreadsheet would run as a formula is escaped by csv_response
    return [
        str(a.id), a.severity.value, a.kind.value, a.state.value, a.facility, listed.city,
        a.subject, catalogue.render(a.message, language), str(a.count),
        at(a.raised_at), at(a.last_seen_at), a.acknowledged_by or "",
        at(a.acknowledged_at), a.comment, a.enterprise_acknowledged_by or "",
        at(a.enterprise_acknowledged_at), a.enterprise_comment,
        a.cleared_by or "", at(a.cleared_at), a.clear_comment,
    ]  # fmt: skip


@router.get("/alarms.csv", dependencies=[page(Action.ALARMS_READ)], include_in_schema=False)
async def alarms_csv(request: Request) -> StreamingResponse:
    """The whole filtered list (every page) as CSV: UTF-8 with a BOM, so that Excel reads the
    Chinese right; read from the database a chunk at a time while it is sent."""
    filters = parse_filters(request.query_params)
    if filters.problems:
        raise PageError(422, filters.problems[0])
    facilities, _ = await _reach(request)
    query = filters.query(facilities, zone_of(request))
    store = services_of(request).alarm_store
    language = language_of(request)

    def rows() -> Iterator[list[str]]:
        offset = 0
        while True:
            chunk = store.find_alarms(query, offset=offset, limit=EXPORT_CHUNK)
            for listed in chunk:
                yield _csv_row(listed, language)
            if len(chunk) < EXPORT_CHUNK:
                return
            offset += EXPORT_CHUNK

    return csv_response("alarms.csv", CSV_COLUMNS, rows())


async def _alarm_action(request: Request, alarm_id: int, what: str) -> HTMLResponse:
    services = services_of(request)
    ctx = context_of(request)
    fields = await page_form(request)
    comment = fields.get("comment", "").strip()
    error: Message | None = None
    if len(comment) > 2000:
        error = say(Code.ALARM_COMMENT_TOO_LONG, max=2000)
    else:
        try:
            if what == "acknowledge":
                await run_in_threadpool(
                    lambda: services.alarms.acknowledge(alarm_id, ctx=ctx, comment=comment)
                )
            else:
                await run_in_threadpool(
                    lambda: services.alarms.clear(alarm_id, ctx=ctx, comment=comment)
                )
        except Refused as refused:
            error = refused.message
    alarm = await run_in_threadpool(services.alarm_store.alarm, alarm_id)
    if alarm is None:
        raise PageError(404, say(Code.NO_ALARM, alarm=alarm_id))
    owners = await run_in_threadpool(services.accounts.facility_owners)
    city = owners.get(alarm.facility, ("", ""))[1]
    # the refused comment stays in its box, to be completed rather than typed again
    return await render(
        request,
        "_alarm_row.html",
        a={**alarm_view(alarm), "city": city},
        labels=_labels(),
        error=error,
        tried=what if error is not None else "",
        typed=comment if error is not None else "",
    )


@router.post(
    "/alarms/{alarm_id}/acknowledge",
    dependencies=[page(Action.ALARMS_ACK, tenant="alarm")],
    include_in_schema=False,
)
async def acknowledge(request: Request, alarm_id: RowId) -> HTMLResponse:
    """Acknowledge with a comment; answers the alarm's row (htmx swaps it in place)."""
    return await _alarm_action(request, alarm_id, "acknowledge")


@router.post(
    "/alarms/{alarm_id}/clear",
    dependencies=[page(Action.ALARMS_CLEAR, tenant="alarm")],
    include_in_schema=False,
)
async def clear(request: Request, alarm_id: RowId) -> HTMLResponse:
    """Clear with a comment saying why (required); answers the alarm's row."""
    return await _alarm_action(request, alarm_id, "clear")
