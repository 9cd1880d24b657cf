"""A run's readings as the treatment log, and the ``evaluate`` line that judges it again."""

from __future__ import annotations

from phytowatch.services.ports import FacilityRef
from phytowatch.services.runs.ports import RunRecord, StoredReading


def evaluate_command(record: RunRecord, log_name: str = "run.csv") -> str:
    """The ``phytowatch evaluate`` line that judges the run's exported readings as the run did."""
    parts = ["phytowatch", "evaluate", log_name, "--schedule", record.schedule_id]
    for name, value in sorted(record.params.items()):
        parts += ["--param", f"{name}={value}"]
    for probe, offset in sorted(record.offsets.items()):
        parts += ["--offset", f"{probe}={offset}"]
    return " ".join(parts)


def run_log_rows(
    facility: FacilityRef, rows: list[StoredReading]
) -> tuple[list[tuple[str, str]], list[tuple[int, list[float | None]]]]:
    """A run's stored readings as the wide log of treatments.md §4: (probes, rows by time).

    Raw values as stored; a fault is NaN (written ``ERR``); the probes in registry order.
    """
    names = list(facility.probes)
    position = {name: k for k, name in enumerate(names)}
    by_t: dict[int, list[float | None]] = {}
    for probe, t, value, fault, _ in sorted(rows, key=lambda r: r[1]):
        if probe in position:
            row = by_t.setdefault(t, [None] * len(names))
            row[position[probe]] = float("nan") if fault is not None else value
    return [(name, facility.probes[name].role) for name in names], sorted(by_t.items())
