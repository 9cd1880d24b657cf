"""The probes of one hold criterion watched alone (ProbeWatch): flatline, implausible rate, pairs
that track the air or duplicate each other (treatments.md §3.5). No hold is judged here: each test
says when holds run, as the hold judge would."""

from __future__ import annotations

from collections.abc import Sequence

from runlogs import at, schedule

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.probe_watch import ProbeWatch
from phytowatch.domain.judgement.verdict import Finding, FindingKind
from phytowatch.domain.schedule import HoldCriterion, Role

HT = schedule("ispm15-ht").primary  # heat, product: 5 °C per minute
COLD = schedule("au-cold-citrus-medfly").primary  # cold, product: 2 °C per hour after the hold
NAN = float("nan")


class Watched:
    """A ProbeWatch over product probes C1..Cn (and air probes A1..), fed sample times."""

    def __init__(self, crit: HoldCriterion, product: int = 3, air: int = 0) -> None:
        probes: list[tuple[str, Role]] = [(f"C{i}", "product") for i in range(1, product + 1)]
        probes += [(f"A{i}", "air") for i in range(1, air + 1)]
        self.layout = Layout.build(probes, ["product"])
        interval = 5 * US_PER_MIN
        self.latest = LatestReadings(len(probes), interval, self.layout.sample_slots)
        self.findings = FindingLog()
        self.watch = ProbeWatch(crit, self.layout, interval, self.findings)
        self.holds: list[int | None] = [None] * len(crit.steps)
        self.began: int | None = None

    def hold(self, minute: float | None, step: int = 0) -> None:
        """The hold of ``step`` starts at ``minute`` (None: it breaks)."""
        self.holds[step] = None if minute is None else at(minute)
        if minute is not None and self.began is None:
            self.began = at(minute)

    def sample(self, minute: float, values: Sequence[float | None]) -> None:
        t = at(minute)
        group = list(values)
        self.latest.take(t, group)
        self.watch.watch(t, group, list(self.holds), self.began, self.latest.t, self.latest.v)

    def of(self, kind: FindingKind) -> list[Finding]:
        return [f for f in self.findings.items if f.kind is kind]


def wobble(k: int, base: float = 60.0) -> list[float]:
    """Three probes whose values change at every sample and never repeat each other."""
    return [base + 0.1 * ((k + p) % 4) + 0.01 * p for p in range(3)]


def test_thirty_identical_readings_during_a_hold_are_one_flatline() -> None:
    watched = Watched(HT)
    watched.hold(0)
    for k in range(40):
        row = wobble(k)
        row[1] = 61.0 if k < 30 else row[1]
        watched.sample(k, row)
    (flat,) = watched.of(FindingKind.FLATLINE)
    assert (flat.probe, flat.start, flat.end) == ("C2", at(0), at(29))
    assert dict(flat.detail) == {"value": 61.0}


def test_twenty_nine_identical_readings_are_no_flatline() -> None:
    watched = Watched(HT)
    watched.hold(0)
    for k in range(40):
        row = wobble(k)
        row[1] = 61.0 if k < 29 else row[1]
        watched.sample(k, row)
    assert watched.findings.items == []


def test_identical_readings_while_no_hold_runs_are_no_flatline() -> None:
    watched = Watched(HT)
    for k in range(40):
        watched.sample(k, [61.0, 61.1, 61.2])
    assert watched.findings.items == []


def test_a_heat_probe_rising_faster_than_five_degrees_a_minute_is_an_implausible_rate() -> None:
    watched = Watched(HT)
    for k in range(5):
        watched.sample(k, wobble(k))
    row = wobble(5)
    row[2] = wobble(4)[2] + 5.1
    watched.sample(5, row)
    (fast,) = watched.of(FindingKind.IMPLAUSIBLE_RATE)
    assert (fast.probe, fast.start, fast.end) == ("C3", at(4), at(5))


def test_rates_are_watched_the_same_once_the_probes_stop_reporting_together() -> None:
    watched = Watched(HT)
    for k in range(5):
        watched.sample(k, wobble(k))
    watched.sample(5, [None, 60.2, None])  # only C2 reads: each probe keeps its own window now
    watched.sample(6, [wobble(4)[0] + 10.5, 60.3, 60.4])  # 5.25 °C a minute over 2 min
    (fast,) = watched.of(FindingKind.IMPLAUSIBLE_RATE)
    assert (fast.probe, fast.start, fast.end) == ("C1", at(4), at(6))


def test_a_cold_probe_faster_than_two_degrees_an_hour_counts_only_once_the_hold_began() -> None:
    watched = Watched(COLD)
    watched.sample(0, [1.0, 1.05, 1.1])
    watched.sample(60, [3.5, 1.05, 1.1])  # 2.5 °C in an hour, before any hold
    watched.sample(120, [1.0, 1.05, 1.1])
    assert watched.findings.items == []
    watched.hold(180)
    watched.sample(180, [1.0, 1.05, 1.1])
    watched.sample(240, [3.5, 1.05, 1.1])  # the same change, within the hold
    (fast,) = watched.of(FindingKind.IMPLAUSIBLE_RATE)
    assert (fast.probe, fast.start, fast.end) == ("C1", at(180), at(240))


def test_two_probes_identical_at_every_sample_of_the_hold_are_a_duplicate_series() -> None:
    watched = Watched(HT)
    watched.hold(0)
    for k in range(10):
        row = wobble(k)
        row[2] = row[0]
        watched.sample(k, row)
    watched.watch.hold_findings(0, at(0), at(9))
    (dup,) = watched.of(FindingKind.DUPLICATE_SERIES)
    assert (dup.probe, dup.start, dup.end, dict(dup.detail)) == (
        "C1",
        at(0),
        at(9),
        {"other": "C3"},
    )


def test_a_pair_that_differs_once_during_the_hold_is_no_duplicate_series() -> None:
    watched = Watched(HT)
    watched.hold(0)
    for k in range(10):
        row = wobble(k)
        row[2] = row[0] + (0.5 if k == 7 else 0.0)
        watched.sample(k, row)
    watched.watch.hold_findings(0, at(0), at(9))
    assert watched.findings.items == []


def test_a_pair_that_differed_before_a_new_hold_began_counts_again_from_that_hold() -> None:
    watched = Watched(HT)
    watched.hold(0)
    for k in range(5):
        row = wobble(k)
        row[2] = row[0] + (0.5 if k == 2 else 0.0)
        watched.sample(k, row)
    watched.hold(None)
    watched.sample(5, wobble(5))
    watched.hold(6)
    for k in range(6, 12):
        row = wobble(k)
        row[2] = row[0]
        watched.sample(k, row)
    watched.watch.hold_findings(0, at(6), at(11))
    assert [f.kind for f in watched.findings.items] == [FindingKind.DUPLICATE_SERIES]


def test_a_product_probe_within_a_fifth_of_a_degree_of_an_air_probe_tracks_the_air() -> None:
    watched = Watched(HT, product=3, air=1)
    watched.hold(0)
    for k in range(10):
        row = wobble(k)
        watched.sample(k, [*row, row[1] + 0.2])
    watched.watch.hold_findings(0, at(0), at(9))
    (tracking,) = watched.of(FindingKind.TRACKS_AIR)
    assert (tracking.probe, dict(tracking.detail)) == ("C2", {"air": "A1"})


def test_a_product_probe_just_over_a_fifth_of_a_degree_off_once_does_not_track_the_air() -> None:
    watched = Watched(HT, product=3, air=1)
    watched.hold(0)
    for k in range(10):
        row = wobble(k)
        watched.sample(k, [*row, row[1] + (0.21 if k == 4 else 0.0)])
    watched.watch.hold_findings(0, at(0), at(9))
    assert watched.of(FindingKind.TRACKS_AIR) == []
