"""The treatment box of a certificate, from a signed-off PASS run's own judgement.

Nothing is typed: the date is the day the hold that passed ended (in the bureau's zone), the
method follows the schedule, and the duration and temperature read as the step the run met,
as the schedule states it: ``56 °C core for 30 min`` (a heat treatment: at least), ``≤ 1.11 °C
pulp for 14 d`` (a cold treatment: at most).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from phytowatch.domain.certificates.model import TreatmentStatement
from phytowatch.domain.instants import BUREAU_ZONE
from phytowatch.domain.schedule import Regime, Schedule

# the method as ISPM 12's box names it (translated where shown: i18n/words.py)
METHODS = (
    "heat treatment", "dielectric heating", "hot water treatment", "vapour heat treatment",
    "cold treatment",
)  # fmt: skip


def method_of(schedule: Schedule) -> str:
    if schedule.regime is Regime.COLD:
        return "cold treatment"
    if schedule.id.startswith("ispm15-dh"):
        return "dielectric heating"
    if schedule.judged_role == "water":
        return "hot water treatment"
    if any(criterion.role in ("air", "rh") for criterion in schedule.extra):
        return "vapour heat treatment"
    return "heat treatment"


def where_measured(schedule: Schedule) -> str:
    """Where the temperature was held: the wood's or the fruit's core, the pulp, the water."""
    role = schedule.judged_role
    if role == "product":
        return (
            "core" if schedule.id.startswith("ispm15") or schedule.primary.key == "core" else "pulp"
        )
    return role


def number_text(value: float) -> str:
    """``56``, ``1.11``, ``46.1``: as the schedule writes it, without trailing zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def duration_text(seconds: float) -> str:
    """``30 min``, ``14 d``, ``3.5 h``: the largest unit that states it exactly (or to 0.1)."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and (seconds % size == 0 or (seconds * 10) % size == 0):
            return f"{number_text(seconds / size)} {unit}"
    return f"{number_text(seconds)} s"


def _day(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment.astimezone(BUREAU_ZONE).date().isoformat()


def treatment_statement(
    run_id: int,
    schedule: Schedule,
    judgement: Mapping[str, Any],
    *,
    facility: str,
    treater_number: str = "",
) -> TreatmentStatement | None:
    """The box, or None when the judgement is not a PASS with the step it met."""
    step = judgement.get("step")
    day = _day(judgement.get("hold_end")) or _day(judgement.get("decided_at"))
    if judgement.get("verdict") != "PASS" or not isinstance(step, Mapping) or day is None:
        return None
    try:
        threshold = float(step["threshold"])
        seconds = float(step["duration_s"])
    except (KeyError, TypeError, ValueError):
        return None
    sign = "≤ " if schedule.regime is Regime.COLD else ""
    text = (
        f"{sign}{number_text(threshold)} °C {where_measured(schedule)} for {duration_text(seconds)}"
    )
    return TreatmentStatement(
        run_id=run_id,
        schedule_id=schedule.id,
        date=day,
        method=method_of(schedule),
        duration_and_temperature=text,
        facility=facility,
        treater_number=treater_number,
    )
