"""A still's time and camera refused by the use case's rule (on the fakes), and a number past the
decimal context refused as bad input wherever an offset or a duration is read (issue 11)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from acting import ctx_at
from fakes import InMemoryAuditRecorder, InMemoryRegistry
from phytowatch.cli.evaluate import BAD_INPUT, run
from phytowatch.domain.instants import US_PER_S, parse_duration
from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.messages import Code, Instant, Kind, say
from phytowatch.schedules import load_one
from phytowatch.services.provisioning import (
    add_calibration,
    add_camera,
    add_enterprise,
    add_facility,
)
from phytowatch.services.snapshots import add_snapshot, taken_at_problem
from refusals import refused

T0 = 1_772_361_600_000_000
TOLERANCE = 300 * US_PER_S
JPEG = b"\xff\xd8\xff\xe0still\xff\xd9"
OVERFLOWING = ("1e999999999", "-1e999999999", "9" * 30 + "e999999")
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "phytowatch" / "examples"


def _kiln() -> tuple[InMemoryRegistry, InMemoryAuditRecorder]:
    registry = InMemoryRegistry()
    add_enterprise(registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(T0))
    add_facility(registry, "JX-0031-K2", "0031", "kiln", ["C1", "C2", "A1:air"], ctx=ctx_at(T0))
    add_camera(registry, "JX-0031-K2", "door", ctx=ctx_at(T0))
    return registry, InMemoryAuditRecorder()


def test_a_still_time_follows_the_readings_rule() -> None:
    def problem(at: int) -> object:
        return taken_at_problem(at, now=T0, future_tolerance=TOLERANCE)

    assert problem(T0 + TOLERANCE) is None and problem(T0 - 365 * 86_400 * US_PER_S) is None
    assert taken_at_problem(None, now=T0, future_tolerance=TOLERANCE) is None
    later = T0 + TOLERANCE + 1
    assert problem(later) == say(Code.STILL_FUTURE, taken_at=Instant(later))
    early = 946_684_800 * US_PER_S - 1  # a µs before 2000
    assert problem(early) == say(Code.STILL_BEFORE_2000, taken_at=Instant(early))


def test_a_still_of_a_camera_not_registered_to_its_facility_is_refused_and_not_stored() -> None:
    registry, audit = _kiln()
    kiln = registry.facility_by_code("JX-0031-K2")
    assert kiln is not None
    for camera in ("yard", "Door", "door "):
        with refused(Code.STILL_CAMERA, Kind.INVALID):
            add_snapshot(
                registry, audit, kiln, JPEG, "image/jpeg",
                camera=camera, taken_at=None, ctx=ctx_at(T0, "device:JX-0031-K2"),
            )  # fmt: skip
    assert registry.snapshots == [] and audit.entries == []
    for n, camera in enumerate(("door", "")):  # a registered camera, or none named
        add_snapshot(
            registry, audit, kiln, JPEG + bytes([n]), "image/jpeg",
            camera=camera, taken_at=None, ctx=ctx_at(T0, "device:JX-0031-K2"),
        )  # fmt: skip
    assert [s.camera for s in registry.snapshots] == ["door", ""]


@pytest.mark.parametrize("offset", OVERFLOWING)
def test_an_offset_past_the_decimal_context_is_refused_as_too_large(offset: str) -> None:
    registry, _ = _kiln()
    with refused(Code.OFFSET_TOO_LARGE, Kind.INVALID):
        add_calibration(
            registry, "JX-0031-K2", "C1", offset,
            calibrated_at=T0 - 1, due_at=T0 + 1, certificate="JJF-1", ctx=ctx_at(T0),
        )  # fmt: skip
    with pytest.raises(ValueError, match="plausible calibration offset"):
        Judge(load_one("ispm15-ht").resolve({}), {"C1": "product"}, offsets={"C1": offset})
    assert Decimal(offset).is_finite()  # finite as written: only arithmetic on it overflows


@pytest.mark.parametrize(
    "text", ["1e999999999 s", "1e999999999", "-1e999999999 min", "1E+999999 d"]
)
def test_a_duration_past_the_decimal_context_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_evaluate_refuses_an_overflowing_offset_as_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = EXAMPLES / "kiln-door-opened.csv"
    code = run([str(log), "--schedule", "ispm15-ht", "--offset", "C1=1e999999999"])
    assert code == BAD_INPUT
    assert "--offset C1=1e999999999: not a plausible calibration offset" in capsys.readouterr().err
