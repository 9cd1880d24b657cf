"""The wall: every facility with its open run, last verdict and open alarms, one row each; the
first picture of ``GET /api/v1/wall`` and of an enterprise's page, kept live by the event stream."""

from __future__ import annotations

from typing import Any

from phytowatch.domain.instants import format_instant
from phytowatch.services.app import App
from phytowatch.web.events import run_summaries


def wall_rows(services: App, visible: set[str] | None, now: int) -> list[dict[str, Any]]:
    """One row per facility (code order): registry, open run, last verdict, open alarms."""
    enterprises = {e.code: e for e in services.registry.list_enterprises()}
    summaries = {s["facility"]: s for s in run_summaries(services.monitor, now)}
    last = {
        code: {"id": run_id, "verdict": verdict, "closed_at": format_instant(closed_at)}
        for code, (run_id, verdict, closed_at) in services.pages.last_closed_runs().items()
    }
    alarms: dict[str, list[dict[str, Any]]] = {}
    for alarm in services.alarm_store.open_alarms():
        alarms.setdefault(alarm.facility, []).append(
            {
                "id": alarm.id,
                "kind": alarm.kind.value,
                "severity": alarm.severity.value,
                "state": alarm.state.value,
            }
        )
    rows = []
    for facility in services.registry.list_facilities():
        code = facility["code"]
        if visible is not None and code not in visible:
            continue
        enterprise = enterprises.get(facility["enterprise"])
        run = summaries.get(code)
        eta = None
        if run is not None:
            _, end = services.monitor.eta(run["id"], now)
            eta = None if end is None else format_instant(end)
        rows.append(
            {
                "code": code,
                "kind": facility["kind"],
                "enterprise": facility["enterprise"],
                "enterprise_zh": enterprise.name_zh if enterprise else "",
                "enterprise_en": enterprise.name_en if enterprise else "",
                "city": enterprise.city if enterprise else "",
                "run": run,
                "eta": eta,
                "last": last.get(code),
                "alarms": alarms.get(code, []),
            }
        )
    return rows
