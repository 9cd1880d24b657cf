"""What must be true at the first sample time, alone (treatments.md §3.4: hot water's pulp at
least 21.1 °C when the fruit goes in)."""

from __future__ import annotations

from runlogs import at, schedule

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.preconditions import check_preconditions
from phytowatch.domain.judgement.verdict import FindingKind, Interruption, Reason
from phytowatch.domain.schedule import Role

HWT = schedule("hwt-mango", fruit_class="500g")
NAN = float("nan")


def check(
    probes: list[tuple[str, Role]], row: list[float | None]
) -> tuple[Reason | None, list[Interruption], FindingLog]:
    layout = Layout.build(probes, ["water"])
    latest = LatestReadings(len(probes), US_PER_MIN, layout.sample_slots)
    latest.take(at(0), row)
    interruptions: list[Interruption] = []
    findings = FindingLog()
    failed = check_preconditions(HWT.preconditions, layout, latest, at(0), interruptions, findings)
    return failed, interruptions, findings


def test_every_pulp_probe_at_or_above_21_1_at_the_first_sample_keeps_the_precondition() -> None:
    failed, interruptions, findings = check(
        [("P1", "product"), ("P2", "product"), ("W1", "water")], [21.1, 25.0, 46.5]
    )
    assert (failed, interruptions, findings.items) == (None, [], [])


def test_a_pulp_probe_below_21_1_or_without_a_valid_reading_fails_the_run_and_is_named() -> None:
    failed, interruptions, _ = check(
        [("P1", "product"), ("P2", "product"), ("P3", "product"), ("W1", "water")],
        [21.0, NAN, 25.0, 46.5],
    )
    assert failed is Reason.PRECONDITION
    (broken,) = interruptions
    assert (broken.reason, broken.probes) == (Reason.PRECONDITION, ("P1", "P2"))


def test_with_no_pulp_probe_installed_the_precondition_is_unverified_not_failed() -> None:
    failed, interruptions, findings = check([("W1", "water"), ("W2", "water")], [46.5, 46.6])
    assert (failed, interruptions) == (None, [])
    assert [f.kind for f in findings.items] == [FindingKind.PRECONDITION_UNVERIFIED]
