"""The facilities without a load in the demo: monitored all the same.

A facility between loads still reports: its probes read the room (ambient, a cold room's set
point), once, when the demo begins, over the public device protocol like any device. So the
bureau's figures count every registered facility as monitored (the source report's 77), while
only the working ones run loads.
"""

from __future__ import annotations

import logging
from typing import Any

from phytowatch.demo.province import DemoFacility
from phytowatch.domain.instants import format_instant

log = logging.getLogger(__name__)

# what a probe reads between loads, by facility kind and probe role (°C; % for humidity)
AMBIENT = {"cold_room": 1.5, "rh": 62.0}
ROOM = 17.5  # a kiln, a tank or a chamber at rest


def idle_batch(facility: DemoFacility, at: int) -> dict[str, Any]:
    """One reading per probe at ``at`` (µs), as the device protocol's batch."""
    stamp = format_instant(at - at % 1_000_000)
    readings = []
    for spec in facility.probes:
        probe, role = [*spec.split(":"), "product"][:2]
        value = AMBIENT.get(role, AMBIENT.get(facility.kind, ROOM))
        readings.append({"probe": probe, "t": stamp, "v": value})
    return {"facility": facility.code, "readings": readings}


def report_idle(
    facilities: list[DemoFacility], tokens: dict[str, str], base_url: str, at: int
) -> int:
    """Each idle facility's batch posted with its own token; how many were taken."""
    from phytowatch.simulate.transports import HttpTransport, TransportError

    taken = 0
    for facility in facilities:
        if facility.schedule is not None or facility.code not in tokens:
            continue
        try:
            answer = HttpTransport(base_url, tokens[facility.code]).send(idle_batch(facility, at))
        except TransportError as why:
            log.warning("demo idle reading of %s: %s", facility.code, why)
            continue
        taken += answer.status == 200
    return taken
