"""Schedule records (treatments.md §2) and ``Schedule.resolve`` for params."""

from __future__ import annotations

import pytest

from phytowatch.domain.instants import US_PER_D, US_PER_MIN, US_PER_S
from phytowatch.domain.schedule import OnInterruption, ParamError, Regime
from phytowatch.schedules import load_catalog, load_one

# id: (regime, role, min probes, interval, [(threshold, duration)], on_interruption)
CONTRACT = {
    "ispm15-ht": ("heat", "product", 3, 5 * US_PER_MIN, [(56.0, 30 * US_PER_MIN)], "restart"),
    "ispm15-dh": ("heat", "product", 3, 15 * US_PER_S, [(60.0, US_PER_MIN)], "restart"),
    "cn-cold-anastrepha-ludens": (
        "cold", "product", 3, 60 * US_PER_MIN,
        [(0.56, 18 * US_PER_D), (1.11, 20 * US_PER_D), (1.66, 22 * US_PER_D)], "restart",
    ),
    "au-cold-citrus-medfly": (
        "cold", "product", 3, 60 * US_PER_MIN,
        [(1.11, 14 * US_PER_D), (1.67, 16 * US_PER_D), (2.22, 18 * US_PER_D),
         (3.00, 20 * US_PER_D)], "restart",
    ),
    "usda-t107a-medfly": (
        "cold", "product", 3, 60 * US_PER_MIN,
        [(0.00, 10 * US_PER_D), (0.56, 11 * US_PER_D), (1.11, 12 * US_PER_D),
         (1.67, 14 * US_PER_D)], "restart",
    ),
    "vht-papaya-pt21": ("heat", "product", 3, US_PER_MIN, [(47.5, 20 * US_PER_MIN)], "fail"),
}  # fmt: skip


@pytest.mark.parametrize("schedule_id", sorted(CONTRACT))
def test_the_contract_schedules_match_the_table(schedule_id: str) -> None:
    regime, role, min_probes, interval, steps, on_interruption = CONTRACT[schedule_id]
    s = load_one(schedule_id).resolve({})
    assert s.id == schedule_id
    assert s.regime is Regime(regime)
    assert (s.judged_role, s.min_probes, s.max_sample_interval) == (role, min_probes, interval)
    assert [(step.threshold, step.duration) for step in s.steps] == steps
    assert s.on_interruption is OnInterruption(on_interruption)
    assert s.title["en"] and s.title["zh"] and s.source


@pytest.mark.parametrize(
    ("fruit_class", "minutes", "budget"), [("500g", 75, 10), ("700g", 90, 15), ("900g", 110, 20)]
)
def test_hot_water_params_select_duration_and_band_budget(
    fruit_class: str, minutes: int, budget: int
) -> None:
    s = load_one("hwt-mango").resolve({"fruit_class": fruit_class})
    assert s.judged_role == "water" and s.min_probes == 2
    assert s.max_sample_interval == US_PER_MIN
    assert [(step.threshold, step.duration) for step in s.steps] == [(46.1, minutes * US_PER_MIN)]
    assert s.primary.tolerance is not None
    assert s.primary.tolerance.lower == 45.4
    assert s.primary.tolerance.grace == 5 * US_PER_MIN
    assert s.primary.tolerance.budget == budget * US_PER_MIN
    assert s.on_interruption is OnInterruption.FAIL
    assert dict(s.resolved_params) == {"fruit_class": fruit_class}


def test_every_contract_id_is_in_the_catalog() -> None:
    assert set(CONTRACT) | {"hwt-mango"} <= set(load_catalog().ids())


def test_resolve_refuses_an_unknown_param() -> None:
    with pytest.raises(ParamError, match="colour"):
        load_one("ispm15-ht").resolve({"colour": "red"})


def test_resolve_refuses_a_missing_param() -> None:
    with pytest.raises(ParamError, match="fruit_class"):
        load_one("hwt-mango").resolve({})


def test_resolve_refuses_a_value_the_param_does_not_offer() -> None:
    with pytest.raises(ParamError, match="600g") as error:
        load_one("hwt-mango").resolve({"fruit_class": "600g"})
    assert "500g" in str(error.value)  # it names the choices
