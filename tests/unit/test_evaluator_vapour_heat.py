"""Vapour heat of papaya, treatments.md §3.6 (vht-papaya-pt21): several criteria, all required."""

from __future__ import annotations

from runlogs import at, judge, minutes, schedule

from phytowatch.domain.judgement.verdict import Reason, Verdict
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import Role

VHT = schedule("vht-papaya-pt21")
PROBES: dict[str, Role] = {
    "C1": "product",
    "C2": "product",
    "C3": "product",
    "A1": "air",
    "H1": "rh",
}


def chamber(
    stop_min: int,
    *,
    air_at: dict[int, float] | None = None,
    rh_at: dict[int, float] | None = None,
    core_from: int = 300,
) -> list[Reading]:
    """One reading per probe per minute. Air rises linearly from 30.0 °C at 0 to 48.0 °C at
    210 min (it never reaches 48.5 °C) and reads 48.2 °C after; the cores read 40 °C until
    ``core_from`` and 47.6-47.8 °C from then on; humidity 90 %."""
    out: list[Reading] = []
    for k, t in enumerate(minutes(0, stop_min)):
        air = 30.0 + 18.0 * k / 210 if k <= 210 else 48.2
        out.append(Reading("A1", t, (air_at or {}).get(k, air)))
        out.append(Reading("H1", t, (rh_at or {}).get(k, 90.0 + (k % 3))))
        for p, probe in enumerate(("C1", "C2", "C3")):
            core = 47.6 + 0.1 * p + 0.01 * (k % 4) if k >= core_from else 40.0 + p + 0.01 * (k % 4)
            out.append(Reading(probe, t, core))
    return out


def test_vapour_heat_passes_when_every_criterion_is_met() -> None:
    result = judge(VHT, chamber(450), PROBES)
    assert result.verdict is Verdict.PASS
    # the air hold (from 210 min, when it reaches 48.0) needs 3.5 h: it is the last to finish
    assert result.hold_end == at(420)
    outcomes = {c.key: c for c in result.criteria}
    assert outcomes["air"].satisfied and outcomes["air"].hold_start == at(210)
    assert outcomes["core"].satisfied and outcomes["core"].hold_start == at(300)
    assert outcomes["humidity"].satisfied and outcomes["air_ramp"].satisfied


def test_vapour_heat_fails_when_the_air_hold_is_too_short() -> None:
    result = judge(VHT, chamber(419), PROBES)
    assert result.verdict is Verdict.FAIL
    assert {c.key: c.satisfied for c in result.criteria}["air"] is False


def test_vapour_heat_fails_when_the_core_hold_is_too_short() -> None:
    # cores reach 47.5 °C only at 405 min: 15 min of core hold when the log ends at 420 min
    result = judge(VHT, chamber(420, core_from=405), PROBES)
    assert result.verdict is Verdict.FAIL


def test_an_air_ramp_faster_than_three_and_a_half_hours_fails_with_ramp_too_fast() -> None:
    fast = {k: 30.0 + 18.5 * k / 120 for k in range(121)}  # 48.5 °C at 120 min
    fast.update({k: 48.6 for k in range(121, 451)})
    result = judge(VHT, chamber(450, air_at=fast), PROBES)
    assert result.verdict is Verdict.FAIL
    assert result.fail_reason is Reason.RAMP_TOO_FAST
    assert result.fail_at == at(120)


def test_an_air_ramp_of_exactly_three_and_a_half_hours_is_not_too_fast() -> None:
    ramp = {k: 30.0 + 18.5 * k / 210 for k in range(211)}  # 48.5 °C at exactly 210 min
    ramp[210] = 48.5
    ramp.update({k: 48.6 for k in range(211, 451)})
    result = judge(VHT, chamber(450, air_at=ramp), PROBES)
    assert result.verdict is Verdict.PASS
    assert result.fail_reason is None


def test_humidity_below_60_during_the_air_hold_fails() -> None:
    result = judge(VHT, chamber(450, rh_at={300: 59.9}), PROBES)
    assert result.verdict is Verdict.FAIL
    assert result.fail_reason is Reason.BELOW_THRESHOLD
    assert result.fail_at == at(300)


def test_humidity_below_60_before_the_air_hold_does_not_matter() -> None:
    result = judge(VHT, chamber(450, rh_at={100: 40.0, 209: 59.9}), PROBES)
    assert result.verdict is Verdict.PASS
    assert result.hold_end == at(420)


def test_a_break_of_the_air_hold_fails_the_vapour_heat_run() -> None:
    result = judge(VHT, chamber(450, air_at={250: 47.9}), PROBES)
    assert result.verdict is Verdict.FAIL
    assert result.fail_reason is Reason.BELOW_THRESHOLD
    assert result.fail_at == at(250)


def test_a_criterion_met_before_another_failed_the_run_says_met_and_when() -> None:
    # humidity dips at 330 min, inside the air hold: the run fails there. The cores have held
    # 47.5 °C since 300 min, 30 min against the 20 needed; the air has held 48.0 °C for 2 h only.
    result = judge(VHT, chamber(450, rh_at={330: 59.0}), PROBES)
    assert result.verdict is Verdict.FAIL
    assert result.fail_at == at(330)
    outcomes = {c.key: c for c in result.criteria}
    core = outcomes["core"]
    assert core.satisfied
    assert (core.hold_start, core.met_at, core.hold_end) == (at(300), at(320), at(330))
    assert core.longest_hold == at(330) - at(300)
    assert not outcomes["air"].satisfied
    assert outcomes["air"].met_at is None and outcomes["air"].hold_start is None
    assert not outcomes["humidity"].satisfied
    assert outcomes["humidity"].detail["broken_at"] == at(330)


def test_an_air_ramp_that_took_long_enough_says_met_when_the_run_fails_later() -> None:
    slow = {k: 30.0 + 18.5 * k / 240 for k in range(241)}  # 48.5 °C at 240 min: 4 h
    slow.update({k: 48.6 for k in range(241, 451)})
    result = judge(VHT, chamber(450, air_at=slow, rh_at={330: 59.0}), PROBES)
    assert result.verdict is Verdict.FAIL
    ramp = {c.key: c for c in result.criteria}["air_ramp"]
    assert ramp.satisfied
    # it cannot be too fast from 3.5 h after the first air reading on; it got there at 4 h
    assert ramp.met_at == at(210)
    assert ramp.detail["reached"] == at(240)


def test_an_air_ramp_still_short_of_its_minimum_time_is_not_met_yet() -> None:
    result = judge(VHT, chamber(200), PROBES)
    assert result.verdict is Verdict.FAIL
    ramp = {c.key: c for c in result.criteria}["air_ramp"]
    assert not ramp.satisfied and ramp.met_at is None


def test_a_criterion_that_failed_the_run_says_not_met_even_after_the_others_were_met() -> None:
    # the ramp is too fast: the run fails at 120 min, before any hold could be met
    fast = {k: 30.0 + 18.5 * k / 120 for k in range(121)}
    fast.update({k: 48.6 for k in range(121, 451)})
    result = judge(VHT, chamber(450, air_at=fast), PROBES)
    outcomes = {c.key: c for c in result.criteria}
    assert not outcomes["air_ramp"].satisfied
    assert outcomes["air_ramp"].detail["reached"] == at(120)
    assert not any(c.satisfied for c in result.criteria)


def test_every_criterion_of_a_passed_run_says_when_it_was_met() -> None:
    result = judge(VHT, chamber(450), PROBES)
    met = {c.key: c.met_at for c in result.criteria}
    # the cores met at 320 min; the air hold, and humidity throughout it, at 420 (the PASS);
    # the ramp could no longer be too fast 3.5 h after the first air reading
    assert met == {"core": at(320), "air": at(420), "humidity": at(420), "air_ramp": at(210)}
    outcomes = {c.key: c for c in result.criteria}
    assert outcomes["core"].hold_end == at(420) == outcomes["air"].hold_end
