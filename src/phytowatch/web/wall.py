"""The wall: every facility with its open run, last run (verdict and review state) and open
alarms, one row each; the first picture of ``GET /api/v1/wall`` and of an enterprise's page, kept
live by the event stream.

Each row has a state (:func:`tile_state`), the word, icon and colour of its tile: an alarm
first, else its run's state; and the states it is in (:func:`states_of`: its run's, and alarm),
which the wall's counts (:func:`state_counts`) count and its filters (:class:`WallFilter`, the
same names in the page's address and in the API's query) find: a failed run under an alarm is
found by "failed" too. The
page's script applies the same rules to keep the tiles and counts live between two pictures
(``static/js/wall.js``); a browser test checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from phytowatch.domain.instants import format_instant
from phytowatch.domain.review import ReviewState, looks_clean, review_state
from phytowatch.i18n.places import city_en
from phytowatch.services.app import App
from phytowatch.services.ports import LastRun
from phytowatch.web.events import run_summaries

URGENT = frozenset({"critical", "major"})  # minor alarms and warnings: the badge only


class TileState(StrEnum):
    """A tile's state, in the order of urgency the wall sorts by."""

    ALARM = "alarm"  # an unacknowledged critical or major alarm (other than silence)
    FAILED = "failed"  # the last run closed without a PASS
    REJECTED = "rejected"  # the last run passed and an inspector rejected it
    OFFLINE = "offline"  # a run is open and the facility has fallen silent
    REVIEW = "review"  # the last run passed and waits for an inspector (findings or not)
    HOLDING = "holding"  # a run is open and holding
    WAITING = "waiting"  # a run is open and not holding yet
    PASSED = "passed"  # the last run passed and was signed off: the only green tile
    IDLE = "idle"  # no run yet


# the counts at the top of the wall, each a filter: the states it stands for
GROUPS: Mapping[str, frozenset[TileState]] = {
    "alarm": frozenset({TileState.ALARM}),
    "offline": frozenset({TileState.OFFLINE}),
    "running": frozenset({TileState.HOLDING, TileState.WAITING}),
    "failed": frozenset({TileState.FAILED}),
    "rejected": frozenset({TileState.REJECTED}),
    "review": frozenset({TileState.REVIEW}),
    "passed": frozenset({TileState.PASSED}),
    "idle": frozenset({TileState.IDLE}),
}
# a filter may also name one state of a group (an address bookmarked as ?state=holding)
FILTERS: Mapping[str, frozenset[TileState]] = {
    **GROUPS,
    **{s.value: frozenset({s}) for s in TileState if s.value not in GROUPS},
}

_LAST_STATE = {
    ReviewState.NOT_SIGNABLE: TileState.FAILED,
    ReviewState.REJECTED: TileState.REJECTED,
    ReviewState.FINDINGS_TO_REVIEW: TileState.REVIEW,
    ReviewState.AWAITING_SIGNOFF: TileState.REVIEW,
}


def alarmed(row: Mapping[str, Any]) -> bool:
    """An unacknowledged critical or major alarm other than silence (the others: the badge)."""
    return any(
        a["state"] == "active" and a["severity"] in URGENT and a["kind"] != "facility_silent"
        for a in row["alarms"]
    )


def run_state(row: Mapping[str, Any]) -> TileState:
    """The state of the facility's run, alarms aside: its open run, else its last run."""
    run = row["run"]
    if run is not None:
        # offline: nothing received (server time) for longer than the schedule's interval,
        # which is what the facility_silent alarm says; a device clock behind is not offline
        silent = (a["state"] != "cleared" and a["kind"] == "facility_silent" for a in row["alarms"])
        if any(silent):
            return TileState.OFFLINE
        return TileState.HOLDING if run["phase"] == "HOLDING" else TileState.WAITING
    last = row["last"]
    if last is None:
        return TileState.IDLE
    if last["clean"]:
        return TileState.PASSED
    return _LAST_STATE.get(ReviewState(last["review"]), TileState.REVIEW)


def tile_state(row: Mapping[str, Any]) -> TileState:
    """The state a facility's tile shows (docs/pages.md, "The wall"): an alarm first, else its
    run's state."""
    return TileState.ALARM if alarmed(row) else run_state(row)


def states_of(row: Mapping[str, Any]) -> frozenset[TileState]:
    """Every state a facility is in: its run's, and alarm. A facility in alarm whose last run
    failed is found by both counts (the tile shows the alarm)."""
    run = run_state(row)
    return frozenset({run, TileState.ALARM}) if alarmed(row) else frozenset({run})


@dataclass(frozen=True)
class WallFilter:
    """What the reader narrowed the wall to; empty: everything."""

    state: str = ""  # a key of FILTERS
    city: str = ""
    kind: str = ""
    enterprise: str = ""
    q: str = ""  # a facility or enterprise code, an enterprise's or a city's name, in part
    hide_idle: bool = False

    def admits(self, row: Mapping[str, Any], *, by_state: bool = True) -> bool:
        if self.city and row["city"] != self.city:
            return False
        if self.kind and row["kind"] != self.kind:
            return False
        if self.enterprise and row["enterprise"] != self.enterprise:
            return False
        if self.q and not _found(self.q, row):
            return False
        if not by_state:
            return True
        if self.hide_idle and row["state"] == TileState.IDLE:
            return False
        return not self.state or bool(FILTERS.get(self.state, frozenset()) & states_of(row))


def _found(query: str, row: Mapping[str, Any]) -> bool:
    needle = query.strip().casefold()
    fields = ("code", "enterprise", "enterprise_zh", "enterprise_en", "city", "city_en")
    return any(needle in str(row[name]).casefold() for name in fields)


def state_counts(rows: Iterable[Mapping[str, Any]], chosen: WallFilter) -> dict[str, int]:
    """How many facilities each count of the wall stands for, within the other filters (city,
    kind, enterprise, search), whatever state is chosen: ``all`` and one per group (a facility in
    alarm is counted under alarm and under its run's state)."""
    counts = dict.fromkeys(["all", *GROUPS], 0)
    for row in rows:
        if not chosen.admits(row, by_state=False):
            continue
        counts["all"] += 1
        found = states_of(row)
        for group, states in GROUPS.items():
            if states & found:
                counts[group] += 1
    return counts


def last_json(last: LastRun) -> dict[str, Any]:
    """A facility's last closed run: verdict, review state, and whether it looks clean."""
    review = review_state(
        closed=True,
        verdict=last.verdict,
        judgement=last.judgement,
        calibration_notes=last.calibration_notes,
        signoff=last.signoff,
    )
    return {
        "id": last.id,
        "verdict": last.verdict,
        "closed_at": format_instant(last.closed_at),
        "review": review.value,
        "clean": looks_clean(review, last.verdict),
        "by": last.signoff.by if last.signoff is not None else None,
    }


def wall_rows(services: App, visible: set[str] | None, now: int) -> list[dict[str, Any]]:
    """One row per facility (code order): registry, open run, last run, open alarms, state."""
    enterprises = {e.code: e for e in services.registry.list_enterprises()}
    summaries = {s["facility"]: s for s in run_summaries(services.monitor, now)}
    last = {code: last_json(run) for code, run in services.pages.last_closed_runs().items()}
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
        city = enterprise.city if enterprise else ""
        run = summaries.get(code)
        row = {
            "code": code,
            "kind": facility["kind"],
            "enterprise": facility["enterprise"],
            "enterprise_zh": enterprise.name_zh if enterprise else "",
            "enterprise_en": enterprise.name_en if enterprise else "",
            "city": city,
            "city_en": city_en(city),
            "run": run,
            "eta": run["eta"] if run is not None else None,
            "last": last.get(code),
            "alarms": alarms.get(code, []),
        }
        row["state"] = tile_state(row).value
        rows.append(row)
    return rows
