"""Approaching the limit (domain.approach): a warning of a value drifting toward its limit during
a hold, with hysteresis; a kiln crossing the threshold on its way up is no warning. Synthetic
series, one reading a minute."""

from __future__ import annotations

from collections.abc import Sequence

from phytowatch.domain.approach import MARGINS, Watch, distance, drift_toward, margins_for, step
from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.schedule import Regime

T0 = 1_772_361_600_000_000
HEAT = MARGINS["heat"]


def warnings(
    values: Sequence[float],
    *,
    limit: float = 56.0,
    regime: Regime = Regime.HEAT,
    holding: Sequence[bool] | None = None,
) -> list[bool]:
    """The warning after each minute's governing value."""
    watch, out = Watch(), []
    for minute, value in enumerate(values):
        watch = step(
            watch,
            t=T0 + minute * US_PER_MIN,
            value=value,
            limit=limit,
            regime=regime,
            margins=margins_for(regime, "product"),
            holding=holding[minute] if holding is not None else value >= limit,
        )
        out.append(watch.warning)
    return out


def raised(flags: list[bool]) -> int:
    """How many warnings were raised: each rise from off to on is one."""
    return sum(1 for before, now in zip([False, *flags], flags, strict=False) if now and not before)


def test_a_kiln_crossing_the_threshold_on_its_way_up_gives_no_warning() -> None:
    ramp = [50 + 0.3 * minute for minute in range(60)]  # 50 -> 67.7 °C, through 56 at minute 20
    assert raised(warnings(ramp)) == 0


def test_a_noisy_ramp_up_gives_no_warning_either() -> None:
    noise = (0.0, 0.15, -0.1, 0.08, -0.12, 0.1)
    ramp = [54 + 0.2 * minute + noise[minute % 6] for minute in range(40)]
    assert raised(warnings(ramp)) == 0


def test_a_hold_drifting_toward_the_limit_gives_exactly_one_warning_until_rearmed() -> None:
    plateau = [60.0] * 10
    drift = [60.0 - 0.4 * k for k in range(1, 10)]  # 59.6 ... 56.4 °C: toward 56
    wobble = [56.6, 57.4, 56.8, 57.6, 56.5, 57.3, 56.7]  # in and out of 1 °C, inside 2 °C
    flags = warnings(plateau + drift + wobble)
    assert raised(flags) == 1
    first = flags.index(True)
    assert 10 <= first < 19 and all(flags[first:])  # raised during the drift, kept through
    back = [57.5, 58.1, 58.6]  # back out by 2 °C: re-armed
    again = [58.2, 57.8, 57.4, 57.0, 56.6, 56.3]  # a second drift: a second warning
    flags = warnings(plateau + drift + wobble + back + again)
    assert raised(flags) == 2
    assert flags[len(plateau + drift + wobble) + 2] is False  # re-armed at 58.6


def test_a_steady_hold_close_to_the_limit_is_no_warning() -> None:
    # a hot-water tank held at 46.5 against 46.1, with sensor noise: close, but not drifting
    noise = (0.0, 0.03, -0.02, 0.04, -0.03, 0.01, -0.04)
    steady = [46.5 + noise[minute % 7] for minute in range(90)]
    assert raised(warnings(steady, limit=46.1)) == 0


def test_a_cold_hold_warming_toward_its_threshold_warns_once() -> None:
    # cold: pulp at 0.5 °C against 1.11 °C, then warming 0.05 °C per 10 minutes
    values = [0.5] * 150 + [0.5 + 0.005 * k for k in range(1, 120)]
    flags = warnings(values, limit=1.11, regime=Regime.COLD, holding=[True] * len(values))
    assert raised(flags) == 1
    first = flags.index(True)
    assert distance(values[first], 1.11, Regime.COLD) < MARGINS["cold"].warn


def test_the_end_of_a_hold_rearms_the_watch() -> None:
    drift = [60.0] * 10 + [60.0 - 0.5 * k for k in range(1, 8)]  # to 56.5: warned
    holding = [True] * len(drift) + [False, False] + [True] * 12
    values = drift + [55.0, 55.5] + [56.5 + 0.3 * k for k in range(12)]  # broke, then up again
    flags = warnings(values, holding=holding)
    assert raised(flags) == 1 and flags[len(drift)] is False


def test_the_same_sample_seen_twice_moves_the_watch_once() -> None:
    watch = Watch()
    for minute, value in enumerate([60.0, 59.0, 58.0, 57.0, 56.5, 56.4]):
        t = T0 + minute * US_PER_MIN
        watch = step(
            watch, t=t, value=value, limit=56, regime=Regime.HEAT, margins=HEAT, holding=True
        )
    again = step(watch, t=t, value=value, limit=56, regime=Regime.HEAT, margins=HEAT, holding=True)
    assert again == watch and watch.warning


def test_the_drift_is_a_least_squares_line_toward_the_limit() -> None:
    points = tuple((T0 + k * US_PER_MIN, 60.0 - 0.5 * k) for k in range(5))
    heat = drift_toward(points, Regime.HEAT)
    cold = drift_toward(points, Regime.COLD)
    assert heat is not None and cold is not None
    assert abs(heat * US_PER_MIN - 0.5) < 1e-9 and abs(cold * US_PER_MIN + 0.5) < 1e-9
    assert drift_toward(points[:2], Regime.HEAT) is None
    assert margins_for(Regime.HEAT, "rh") is MARGINS["rh"]
