"""The pure rule evaluation: an enterprise's counts, the rules and its class -> proposals."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from phytowatch.domain.instants import US_PER_D
from phytowatch.domain.supervision.classification import (
    Period,
    day_start,
    fires,
    moved,
    period_of,
    propose,
)
from phytowatch.domain.supervision.policy import ClassificationRule, ClassScheme

SCHEME = ClassScheme("cn-class", ("I", "II", "III", "IV"))
DOWN = ClassificationRule("down-failed-runs", "failed_runs", 365, 1, at_least=3)
UP = ClassificationRule("up-clean-year", "failed_runs", 365, -1, at_most=0)
DOWN_INTERCEPTIONS = ClassificationRule("down-interceptions", "interceptions", 90, 1, at_least=2)
END = 1_772_446_620_000_000  # 2026-03-02T10:17:00Z


def test_three_failed_runs_in_a_year_propose_one_class_down() -> None:
    found = propose("E1", "II", SCHEME, (DOWN, UP), {DOWN.code: 3, UP.code: 3}, end=END)
    assert [(p.rule, p.from_class, p.to_class, p.count) for p in found] == [
        ("down-failed-runs", "II", "III", 3)
    ]


def test_a_clean_year_proposes_one_class_up() -> None:
    found = propose("E1", "II", SCHEME, (DOWN, UP), {DOWN.code: 0, UP.code: 0}, end=END)
    assert [(p.rule, p.to_class) for p in found] == [("up-clean-year", "I")]


def test_the_best_class_is_not_upgraded_and_the_worst_not_downgraded() -> None:
    assert propose("E1", "I", SCHEME, (UP,), {UP.code: 0}, end=END) == []
    assert propose("E1", "IV", SCHEME, (DOWN,), {DOWN.code: 9}, end=END) == []


def test_a_move_of_several_classes_stops_at_the_worst() -> None:
    two_down = ClassificationRule("two-down", "failed_runs", 365, 2, at_least=1)
    assert moved(SCHEME, "III", 2) == "IV"
    assert [
        p.to_class for p in propose("E1", "III", SCHEME, (two_down,), {"two-down": 1}, end=END)
    ] == ["IV"]


def test_an_unknown_measure_proposes_nothing() -> None:
    assert (
        propose("E1", "II", SCHEME, (DOWN_INTERCEPTIONS,), {"down-interceptions": None}, end=END)
        == []
    )
    assert propose("E1", "II", SCHEME, (DOWN_INTERCEPTIONS,), {}, end=END) == []


def test_a_class_of_another_scheme_gets_no_proposal() -> None:
    assert propose("E1", "AA", SCHEME, (DOWN,), {DOWN.code: 9}, end=END) == []


def test_a_rule_without_a_threshold_never_fires() -> None:
    assert not fires(ClassificationRule("none", "failed_runs", 30, 1), 100)


def test_the_period_ends_at_the_start_of_the_day_and_spans_the_rule_s_days() -> None:
    period = period_of(DOWN_INTERCEPTIONS, END)
    assert period == Period(day_start(END) - 90 * US_PER_D, day_start(END))
    assert period.end <= END < period.end + US_PER_D
    found = propose("E1", "I", SCHEME, (DOWN_INTERCEPTIONS,), {"down-interceptions": 2}, end=END)
    assert found[0].period == period


@given(
    klass=st.sampled_from(SCHEME.classes),
    steps=st.integers(-5, 5),
    count=st.integers(0, 20),
    at_least=st.one_of(st.none(), st.integers(0, 10)),
    at_most=st.one_of(st.none(), st.integers(0, 10)),
)
def test_a_proposal_always_moves_within_the_scheme_in_the_rule_s_direction(
    klass: str, steps: int, count: int, at_least: int | None, at_most: int | None
) -> None:
    rule = ClassificationRule("r", "failed_runs", 365, steps, at_least=at_least, at_most=at_most)
    found = propose("E1", klass, SCHEME, (rule,), {"r": count}, end=END)
    assert len(found) <= 1
    for proposal in found:
        before, after = SCHEME.classes.index(klass), SCHEME.classes.index(proposal.to_class)
        assert proposal.to_class in SCHEME.classes and after != before
        assert (after > before) == (steps > 0)
        assert abs(after - before) <= abs(steps)
        assert at_least is None or count >= at_least
        assert at_most is None or count <= at_most
