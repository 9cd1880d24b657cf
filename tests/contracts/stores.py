"""What the contract tests share: the instant they start at, and the stores a fixture gives."""

from __future__ import annotations

from dataclasses import dataclass

from phytowatch.services.alarms import AlarmStore
from phytowatch.services.ports import FacilityRef, ReadingWriter, Registry
from phytowatch.services.runs import RunStore
from phytowatch.services.signoff import SignOffStore

T0 = 1_772_361_600_000_000


@dataclass
class Site:
    """The stores that share a registry's facilities, calibrations and readings, as the SQL
    stores share a database; with kilns K1 (C1, C2, C3) and K2 (C1) of enterprise E1."""

    registry: Registry
    writer: ReadingWriter
    runs: RunStore
    alarms: AlarmStore
    k1: FacilityRef
    k2: FacilityRef


@dataclass
class SignOffDesk:
    """A sign-off store, with run ``run`` on kiln K1 of E1 (赣州) and inspector ``user``."""

    store: SignOffStore
    run: int
    user: int
