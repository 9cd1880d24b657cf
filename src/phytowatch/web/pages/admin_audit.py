"""The audit trail in the browser, for administrators: its entries newest first, a page at a time,
filtered by actor, action, kind of object, subject and days (each a ``WHERE`` in SQL); each
entry's action said in the reader's language from the catalogue; and the chain's verification.

Verification is what ``phytowatch audit verify`` does (``AuditLog.check``: the whole chain
against its anchors, and the append-only guards; when all holds, the head is anchored), run when
the administrator presses the button, not on every page load: it reads and hashes every entry
(about 55 µs each on SQLite: six seconds for 100,000). The page itself shows the newest entry and
the latest anchor, which cost a row each.

Administrators with a session only (``users:write``, which no personal token carries): the trail
names who logged in from where.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.audit import AuditEntry, entry_state, shown_value
from phytowatch.domain.messages import Code, Instant, Message, Word, say
from phytowatch.i18n.words import AUDIT_ACTIONS, AUDIT_OBJECTS
from phytowatch.services.audit import AuditFilter, TrailCheck
from phytowatch.web import i18n
from phytowatch.web.pages.listing import PAGE_SIZE, Pager, offset_of, page_number, search_text
from phytowatch.web.templating import page, page_form, render, services_of, zone_of

router = APIRouter()
AUDITORS = [page(Action.USERS_WRITE)]
KINDS = AUDIT_OBJECTS


def _day(text: str, zone_name: str) -> int | None:
    """The first instant (µs) of a calendar day in the reader's zone; None when not a day."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    start = datetime(day.year, day.month, day.day, tzinfo=i18n.zone(zone_name))
    return int(start.timestamp()) * 1_000_000


def read_filter(params: Any, zone_name: str) -> tuple[AuditFilter, dict[str, str], list[Message]]:
    """The filter the address asks for, what to keep in the links, and what could not be read
    (a day that is not one is said, and left out)."""
    kept = {
        "actor": search_text(params.get("actor")),
        "action": params.get("action", "") if params.get("action", "") in AUDIT_ACTIONS else "",
        "kind": params.get("kind", "") if params.get("kind", "") in KINDS else "",
        "subject": search_text(params.get("subject")),
        "from": search_text(params.get("from")),
        "to": search_text(params.get("to")),
        "upto": search_text(params.get("upto")),
    }
    problems: list[Message] = []
    since = until = upto = None
    for name, label in (("from", "From"), ("to", "To")):
        if kept[name]:
            day = _day(kept[name], zone_name)
            if day is None:
                problems.append(say(Code.FORM_DATE, field=Word(label), example="2026-03-01"))
                kept[name] = ""
            elif name == "from":
                since = day
            else:
                until = day + int(timedelta(days=1).total_seconds()) * 1_000_000
    if kept["upto"]:
        if kept["upto"].isdigit() and 1 <= int(kept["upto"]) < 2**62:
            upto = int(kept["upto"])
        else:
            problems.append(
                say(Code.FORM_WHOLE_NUMBER, field=Word("Up to entry"), min=1, max=2**62 - 1)
            )
            kept["upto"] = ""
    wanted = AuditFilter(
        actor=kept["actor"], action=kept["action"], object_type=kept["kind"],
        subject=kept["subject"], since=since, until=until, upto=upto,
    )  # fmt: skip
    return wanted, kept, problems


def _side(key: str, state: dict[str, Any], *, present: bool) -> str | int:
    """A field's value as the page shows it: an instant (``…_at``, µs) as a number the page
    puts in the reader's zone, anything else as text; ``–`` where the side has none."""
    if not present:
        return "–"
    value = state[key]
    if key.endswith("_at") and isinstance(value, int) and not isinstance(value, bool):
        return value
    return shown_value(value)


def changes(entry: AuditEntry) -> list[tuple[str, str | int, str | int]]:
    """(field, before, after) of what the entry changed: every field of a new or removed state,
    only the changed ones when both are there; ``–`` where a side has none."""
    before, before_raw = entry_state(entry.before)
    after, after_raw = entry_state(entry.after)
    if before_raw or after_raw:
        return [("", before_raw or shown_value(before), after_raw or shown_value(after))]
    before, after = before or {}, after or {}
    keys = sorted(before.keys() | after.keys())
    if before and after:
        keys = [k for k in keys if before.get(k) != after.get(k)]
    return [
        (k, _side(k, before, present=k in before), _side(k, after, present=k in after))
        for k in keys
    ]


def verdict(check: TrailCheck) -> tuple[bool, list[Message]]:
    """What ``audit verify`` says, as messages: the first bad entry and the guards not in place,
    or that the chain is intact up to its head, the anchor it holds and the one just recorded."""
    report = check.report
    said: list[Message] = []
    if report.problem is not None:
        said += [report.problem.headline(), report.problem.message]
    for guard in check.guards:
        said += [say(Code.AUDIT_UNGUARDED), guard.message]
    if said:
        return False, said
    if report.head is None:
        return True, [say(Code.AUDIT_INTACT_EMPTY)]
    said.append(
        say(Code.AUDIT_INTACT, count=report.count, at=Instant(report.head.at), seq=report.head.seq)
    )
    kept = report.anchor
    if kept is not None and kept.at is not None:
        said.append(say(Code.AUDIT_HOLDS_ANCHOR, at=Instant(kept.at), seq=kept.seq))
    if check.anchored is not None:
        said.append(say(Code.AUDIT_ANCHORED, seq=check.anchored.seq))
    return True, said


async def _audit_page(request: Request, check: TrailCheck | None = None) -> HTMLResponse:
    services = services_of(request)
    params = request.query_params
    wanted, kept, problems = read_filter(params, zone_of(request))
    number = page_number(params.get("page"))

    def load() -> tuple[Any, Any, Any]:
        found = services.audit.search(wanted, offset=offset_of(number), limit=PAGE_SIZE)
        return found, services.audit.latest_anchor(), services.audit.head()

    found, anchor, head = await run_in_threadpool(load)
    passed, said = verdict(check) if check is not None else (None, [])
    bad = check.report.problem.seq if check is not None and check.report.problem else None
    rows = [{"entry": e, "changes": changes(e), "bad": e.seq == bad} for e in found.items]
    return await render(
        request, "audit.html", active="admin", section="audit", rows=rows,
        pager=Pager("/admin/audit", kept, number, PAGE_SIZE, found.total), kept=kept,
        problems=problems, actions=AUDIT_ACTIONS, kinds=KINDS, anchor=anchor, head=head,
        passed=passed, said=said, bad=bad,
    )  # fmt: skip


@router.get("/admin/audit", dependencies=AUDITORS, include_in_schema=False)
async def audit(request: Request) -> HTMLResponse:
    return await _audit_page(request)


@router.post("/admin/audit/verify", dependencies=AUDITORS, include_in_schema=False)
async def verify(request: Request) -> HTMLResponse:
    """``audit verify`` now: the whole chain, its anchors and guards; the head anchored when all
    holds. The answer is the page with the verdict (a reload asks again; verifying twice is
    harmless)."""
    await page_form(request)  # the CSRF token was checked by the rule; nothing else is read
    services = services_of(request)
    check = await run_in_threadpool(lambda: services.audit.check(now=services.clock.now()))
    return await _audit_page(request, check)
