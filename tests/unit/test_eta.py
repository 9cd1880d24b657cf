"""The estimated start of a hold from the governing value's trend (domain.judgement.eta)."""

from __future__ import annotations

from phytowatch.domain.judgement.eta import predict_crossing
from phytowatch.domain.schedule import Regime

MIN = 60_000_000


def ramp(start: float, per_min: float, n: int = 10) -> list[tuple[int, float]]:
    return [(k * MIN, start + per_min * k) for k in range(n)]


def test_a_kiln_warming_half_a_degree_a_minute_reaches_56_when_the_line_says() -> None:
    points = ramp(50.0, 0.5)  # 54.5 at minute 9: 56 at minute 12
    assert predict_crossing(points, 56.0, Regime.HEAT, now=9 * MIN) == 12 * MIN


def test_a_cold_room_cooling_is_predicted_to_reach_its_threshold() -> None:
    points = ramp(3.0, -0.1)  # 2.1 at minute 9: 1.11 at minute 18.9
    at = predict_crossing(points, 1.11, Regime.COLD, now=9 * MIN)
    assert at is not None and abs(at - int(18.9 * MIN)) < MIN // 100


def test_no_estimate_when_the_value_moves_away_or_stays_flat() -> None:
    assert predict_crossing(ramp(50.0, -0.5), 56.0, Regime.HEAT, now=9 * MIN) is None
    assert predict_crossing(ramp(50.0, 0.0), 56.0, Regime.HEAT, now=9 * MIN) is None
    assert predict_crossing(ramp(3.0, 0.1), 1.11, Regime.COLD, now=9 * MIN) is None


def test_no_estimate_from_too_little_history() -> None:
    assert predict_crossing(ramp(50.0, 0.5, n=4), 56.0, Regime.HEAT, now=3 * MIN) is None


def test_a_value_already_complying_is_predicted_now() -> None:
    assert predict_crossing(ramp(55.0, 0.5), 56.0, Regime.HEAT, now=9 * MIN) == 9 * MIN
