"""The simulator's physical models, judged by the real engine."""

from __future__ import annotations

import itertools

from phytowatch.domain.judgement.verdict import FindingKind, Judgement, Verdict
from phytowatch.formats.csvlog import parse_log
from phytowatch.schedules import load_one
from phytowatch.services.evaluation import judge_rows
from phytowatch.simulate.faults import parse_fault
from phytowatch.simulate.models import FacilityModel, Probe, Sample, log_csv, parse_probe

START = 1_772_352_000_000_000  # 2026-03-01T08:00:00Z
KILN = tuple(parse_probe(p) for p in ("C1:product", "C2:product", "C3:product", "A1:air"))


def run(
    kind: str,
    probes: tuple[Probe, ...],
    minutes: int,
    *faults: str,
    interval_s: int = 60,
    seed: int = 7,
) -> list[Sample]:
    model = FacilityModel(
        kind,
        probes,
        start=START,
        interval_s=interval_s,
        seed=seed,
        faults=tuple(parse_fault(f) for f in faults),
    )
    return [model.next_sample() for _ in range(minutes * 60 // interval_s + 1)]


def judged(
    probes: tuple[Probe, ...], samples: list[Sample], schedule: str, **params: str
) -> Judgement:
    log = parse_log(log_csv(probes, samples), "simulated.csv")
    resolved = load_one(schedule).resolve(params)
    return judge_rows(resolved, log.probes, log.rows, faults=log.faults)


def minute_reaching(samples: list[Sample], probe: str, value: float) -> int:
    for sample in samples:
        for reading in sample.readings:
            if reading.probe == probe and reading.value is not None and reading.value >= value:
                return sample.elapsed_s // 60
    raise AssertionError(f"{probe} never reached {value}")


def values(samples: list[Sample], probe: str) -> list[float]:
    return [
        r.value for s in samples for r in s.readings if r.probe == probe and r.value is not None
    ]


def test_the_kiln_core_lags_the_air_and_lags_more_in_thicker_wood() -> None:
    probes = tuple(
        parse_probe(p) for p in ("C1:product:20", "C2:product:30", "C3:product:45", "A1:air")
    )
    samples = run("kiln", probes, 6 * 60)
    air = minute_reaching(samples, "A1", 56.0)
    thin, middle, thick = (minute_reaching(samples, c, 56.0) for c in ("C1", "C2", "C3"))
    assert air < thin < middle < thick


def test_a_kiln_run_without_faults_passes_ispm15_ht_without_findings() -> None:
    judgement = judged(KILN, run("kiln", KILN, 4 * 60), "ispm15-ht")
    assert judgement.verdict is Verdict.PASS
    assert judgement.interruptions == ()
    assert judgement.findings == ()


def test_an_opened_door_dips_the_air_and_interrupts_the_hold() -> None:
    samples = run("kiln", KILN, 6 * 60, "door@110m:10m")
    assert min(values(samples, "A1")[110:121]) < 30.0
    judgement = judged(KILN, samples, "ispm15-ht")
    assert len(judgement.interruptions) >= 1
    assert judgement.verdict is Verdict.PASS  # the hold restarts and completes after the door


def test_a_probe_pulled_out_of_the_wood_tracks_the_air() -> None:
    judgement = judged(KILN, run("kiln", KILN, 4 * 60, "pulled:C3@60m"), "ispm15-ht")
    assert (FindingKind.TRACKS_AIR, "C3") in {(f.kind, f.probe) for f in judgement.findings}


def test_a_stuck_probe_is_found_flatlined() -> None:
    samples = run("kiln", KILN, 4 * 60, "stuck:C1@100m")
    assert len(set(values(samples, "C1")[100:])) == 1
    judgement = judged(KILN, samples, "ispm15-ht")
    assert (FindingKind.FLATLINE, "C1") in {(f.kind, f.probe) for f in judgement.findings}


def test_a_cold_room_precools_citrus_below_1_11_and_holds_it_there() -> None:
    probes = tuple(parse_probe(p) for p in ("C1:product", "C2:product", "C3:product", "A1:air"))
    samples = run("cold_room", probes, 4 * 24 * 60, interval_s=600)
    pulp = [values(samples, c) for c in ("C1", "C2", "C3")]
    assert all(series[0] > 8.0 for series in pulp)
    reached = max(next(k for k, v in enumerate(s) if v < 1.11) for s in pulp)
    assert reached * 600 < 3 * 86400
    assert all(v < 1.11 for series in pulp for v in series[reached:])
    air = values(samples, "A1")
    assert max(air[1:]) > 1.5  # the defrost cycles warm the air, not the pulp


def test_a_hot_water_tank_holds_the_water_warms_the_pulp_and_passes_hwt_mango() -> None:
    probes = tuple(parse_probe(p) for p in ("P1:product", "P2:product", "W1:water", "W2:water"))
    samples = run("hot_water_tank", probes, 80)
    assert all(46.4 <= v <= 46.6 for v in values(samples, "W1"))
    assert values(samples, "P1")[0] < 25.0
    assert values(samples, "P1")[-1] > 44.0
    assert judged(probes, samples, "hwt-mango", fruit_class="500g").verdict is Verdict.PASS


def test_sensor_noise_is_a_bounded_random_walk_not_white_noise() -> None:
    samples = run("hot_water_tank", (parse_probe("W1:water"),), 24 * 60)
    water = values(samples, "W1")
    steps = [abs(b - a) for a, b in itertools.pairwise(water)]
    assert max(steps) <= 0.05  # a walk moves a little each sample
    assert max(water) - min(water) <= 0.11  # and stays within its bound


def test_dropouts_errors_and_a_skewed_clock_show_in_the_readings() -> None:
    samples = run("kiln", KILN, 60, "dropout:C1@10m:5m", "error:C2@20m:2m:adc_fault", "clock:+3m")
    at = {s.elapsed_s // 60: {r.probe: r for r in s.readings} for s in samples}
    assert "C1" not in at[12] and "C1" in at[15]
    assert at[20]["C2"].value is None and at[20]["C2"].fault == "adc_fault"
    assert at[22]["C2"].value is not None
    assert at[0]["A1"].t == START + 180_000_000


def test_the_same_seed_gives_the_same_readings_and_another_seed_others() -> None:
    first = run("kiln", KILN, 120, "door@60m:5m", seed=11)
    again = run("kiln", KILN, 120, "door@60m:5m", seed=11)
    other = run("kiln", KILN, 120, "door@60m:5m", seed=12)
    assert first == again
    assert first != other
