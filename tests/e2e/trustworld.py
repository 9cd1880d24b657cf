"""Two more finished kiln runs beside pageworld's, for the pages that say whether a run can be
trusted: on ``JX-0031-K3`` a probe is pulled out of the wood before the hold and reads the air
(a PASS with a ``tracks_air`` finding: tamper), on ``JX-0031-K4`` a clean PASS (every probe
calibrated, no finding). Their readings are posted once the server runs, as a device sends them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pageworld

from acting import ctx_at
from phytowatch.bootstrap import bootstrap
from phytowatch.config import load_settings
from phytowatch.services.provisioning import add_calibration, add_facility
from phytowatch.services.runs import start_run

MIN = pageworld.MIN
PULLED_AT = 80  # minutes: C3 leaves the wood before the hold begins
KILN = ["C1:product", "C2:product", "C3:product", "A1:air"]
RUNS = {"tamper": "JX-0031-K3", "clean": "JX-0031-K4"}


def prepare(tokens: dict[str, str], runs: dict[str, int], start: int) -> Callable[[str], None]:
    """What ``browser_support.serving(prepare=...)`` runs on the seeded database: the two
    facilities (their tokens into ``tokens``) and their runs (ids into ``runs``)."""

    def seed(url: str) -> None:
        services = bootstrap(load_settings(database_url=url), migrate=False)
        now = pageworld.now_us()
        try:
            r = services.registry
            for key, code in RUNS.items():
                tokens[code] = add_facility(
                    r, code, "0031", "kiln", KILN, name=f"{key} kiln",
                    treater_number=f"36-{code[-2:]}", ctx=ctx_at(now),
                ).token  # fmt: skip
                for probe in ("C1", "C2", "C3", "A1"):
                    add_calibration(
                        r, code, probe, "0.00", calibrated_at=now - 30 * 86_400_000_000,
                        due_at=now + 300 * 86_400_000_000, certificate=f"JJF-{code}-{probe}",
                        ctx=ctx_at(now),
                    )  # fmt: skip
                runs[key] = start_run(
                    services.runs, code, "ispm15-ht", load="600 pallets, pine (FJ-2026-77)",
                    ctx=ctx_at(start),
                ).id  # fmt: skip
        finally:
            services.close()

    return seed


def wait_closed(database_url: str, run_ids: list[int], *, within_s: float = 30) -> None:
    """Until the server has judged and closed these runs (the live thread closes a run once the
    batch that completes its hold is committed, a moment after the device's 200)."""
    services = bootstrap(load_settings(database_url=database_url), migrate=False)
    deadline = time.monotonic() + within_s
    try:
        while True:
            records = [services.runs.run(run_id) for run_id in run_ids]
            if all(r is not None and r.closed_at is not None for r in records):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"runs {run_ids} not closed: {records}")
            time.sleep(0.1)
    finally:
        services.close()


def curve(minute: int, probe: str, *, pulled: bool) -> float:
    """A kiln warming up steadily (no door opened); a pulled probe reads the air."""
    if pulled and probe == "C3" and minute >= PULLED_AT:
        probe = "A1"
    if probe == "A1":
        return round(26 + 42 * (1 - 2.718281828 ** (-minute / 35)), 2)
    lag = {"C1": 0.0, "C2": 0.8, "C3": 0.4}[probe]
    return round(20 + 42 * (1 - 2.718281828 ** (-minute / 40)) - lag, 2)


def batches(code: str, start: int, *, pulled: bool) -> list[dict[str, Any]]:
    out = []
    readings: list[dict[str, Any]] = []
    for minute in range(1, 181):
        t = start + minute * MIN
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1e6))
        for probe in ("C1", "C2", "C3", "A1"):
            readings.append({"probe": probe, "t": stamp, "v": curve(minute, probe, pulled=pulled)})
        if minute % 60 == 0:
            out.append({"facility": code, "readings": readings})
            readings = []
    return out
