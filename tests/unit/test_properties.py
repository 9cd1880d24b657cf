"""Properties of the judgement engine over random but realistic logs (hypothesis).

A log is drawn as a few shape parameters (schedule, probe counts, level around the threshold,
noise, sampling steps, gaps, faults) plus a seed from which the readings are built: 3-6 product
probes and 0-2 air probes; every 1 s .. 7 min (heat, ispm15-ht) or every few minutes .. 70 min
(cold, au-cold-citrus-medfly); values around the thresholds; dropped readings, faults (error
codes, NaN, out of range), dips and sampling gaps longer than the schedule's interval.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phytowatch.domain.instants import US_PER_H, US_PER_MIN, US_PER_S, format_instant
from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.verdict import Judgement, Verdict
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import Role, Schedule
from phytowatch.formats.csvlog import parse_log
from phytowatch.schedules import load_one
from phytowatch.services.evaluation import judge_rows

T0 = 1_772_359_200_000_000  # 2026-03-01T10:00:00Z
SCHEDULES = {
    "heat": load_one("ispm15-ht").resolve({}),
    "cold": load_one("au-cold-citrus-medfly").resolve({}),
}
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MORE = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Log:
    kind: str  # "heat" | "cold"
    probes: Mapping[str, Role]  # id -> role, product probes first
    readings: tuple[Reading, ...]  # in time order, per probe strictly increasing

    @property
    def schedule(self) -> Schedule:
        return SCHEDULES[self.kind]

    def product_ids(self) -> list[str]:
        return [p for p, role in self.probes.items() if role == "product"]

    def air_ids(self) -> list[str]:
        return [p for p, role in self.probes.items() if role == "air"]


@st.composite
def logs(draw: st.DrawFn, *, max_rows: int | None = None) -> Log:
    kind = draw(st.sampled_from(["heat", "cold"]))
    n_product = draw(st.integers(3, 6))
    n_air = draw(st.integers(0, 2))
    heat = kind == "heat"
    rows_cap = max_rows or (90 if heat else 700)
    n_rows = draw(st.one_of(st.integers(1, rows_cap), st.integers(rows_cap * 2 // 3, rows_cap)))
    level = draw(st.floats(-0.6, 1.6, allow_nan=False))  # where the probes sit
    noise = draw(st.sampled_from([0.0, 0.02, 0.1, 0.4]))
    clean = draw(st.booleans())  # a well-behaved run: rare trouble only
    rare = [0.0, 0.001, 0.003] if clean else [0.0, 0.01, 0.05]
    p_missing = draw(st.sampled_from(rare if clean else [0.0, 0.05, 0.2]))
    p_fault = draw(st.sampled_from(rare))
    p_dip = draw(st.sampled_from(rare))
    p_gap = draw(st.sampled_from(rare))
    jitter = draw(st.booleans())  # probes read at their own instants, not one shared timestamp
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))

    product = [f"C{i}" for i in range(1, n_product + 1)]
    air = [f"A{i}" for i in range(1, n_air + 1)]
    probes: dict[str, Role] = {**dict.fromkeys(product, "product"), **dict.fromkeys(air, "air")}
    spread = {p: rng.uniform(0.0, 0.8) for p in product}
    readings: list[Reading] = []
    t = T0
    for k in range(n_rows):
        if k:
            if rng.random() < p_gap:  # a gap longer than the interval
                step = (
                    rng.randint(5 * US_PER_MIN + 1, 7 * US_PER_MIN)
                    if heat
                    else rng.randint(US_PER_H + 1, 70 * US_PER_MIN)
                )
            elif heat:
                step = rng.choice([rng.randint(1, 60), rng.randint(30, 300)]) * US_PER_S
            else:
                step = rng.choice([rng.randint(2, 60), rng.randint(50, 60), 60]) * US_PER_MIN
            t += step
        # a slow drift keeps the log realistic; values carry 2 decimals like real loggers
        drift = 0.3 * math.sin(k / 17)
        for probe in product + air:
            if rng.random() < p_missing:
                continue
            at = t + (rng.randint(0, 999_999) if jitter else 0)
            roll = rng.random()
            if roll < p_fault:
                fault = rng.choice(["err", "nan", "range"])
                if fault == "err":
                    readings.append(Reading(probe, at, None, "ERR"))
                elif fault == "nan":
                    readings.append(Reading(probe, at, float("nan")))
                else:
                    readings.append(Reading(probe, at, 999.0))
                continue
            if heat:
                base = 56.0 + level + (spread.get(probe, 3.0))
                dip = -rng.uniform(0.5, 3.0)
            else:
                base = 1.11 - level + spread.get(probe, -1.5) - 0.4
                dip = rng.uniform(0.3, 2.5)
            value = base + drift + rng.gauss(0.0, noise) + (dip if rng.random() < p_dip else 0)
            readings.append(Reading(probe, at, round(value, 2)))
    readings.sort(key=lambda r: r.t)
    return Log(kind, probes, tuple(readings))


def run(log: Log, readings: list[Reading] | tuple[Reading, ...] | None = None) -> Judgement:
    judge = Judge(log.schedule, log.probes)
    judge.feed(sorted(log.readings if readings is None else readings, key=lambda r: r.t))
    return judge.result()


def essentials(j: Judgement) -> tuple[object, ...]:
    return (
        j.verdict,
        j.step,
        j.hold_start,
        j.hold_end,
        j.longest_hold,
        j.interruptions,
        j.findings,
        j.fail_reason,
    )


def product_judged(j: Judgement) -> tuple[object, ...]:
    return (j.verdict, j.step, j.hold_start, j.hold_end, j.longest_hold, j.interruptions)


# -- 1. batching and interleaving ----------------------------------------------------------------


@FAST
@given(logs(max_rows=150), st.randoms(use_true_random=False))
def test_feeding_reading_by_reading_equals_feeding_the_whole_log(
    log: Log, rnd: random.Random
) -> None:
    whole = run(log)

    one_by_one = Judge(log.schedule, log.probes)
    for reading in log.readings:
        one_by_one.feed([reading])
    assert essentials(one_by_one.result()) == essentials(whole)

    # per probe in time order, but the probes interleaved at random (a probe may lag behind)
    queues = {p: [r for r in log.readings if r.probe == p] for p in log.probes}
    interleaved = Judge(log.schedule, log.probes)
    while any(queues.values()):
        probe = rnd.choice([p for p, q in queues.items() if q])
        batch = rnd.choice([1, rnd.randint(1, 30)])
        interleaved.feed(queues[probe][:batch])
        del queues[probe][:batch]
        if rnd.random() < 0.05:
            interleaved.state(now=log.readings[-1].t)  # asking for the state changes nothing
    assert essentials(interleaved.result()) == essentials(whole)


# -- 2. the CSV's row order ----------------------------------------------------------------------


def long_csv(log: Log, rows: list[Reading]) -> str:
    lines = ["timestamp,probe,role,value"]
    for r in rows:
        if r.value is None:
            cell = r.fault or "ERR"
        elif math.isnan(r.value):
            cell = "NaN"
        else:
            cell = repr(r.value)
        lines.append(f"{format_instant(r.t)},{r.probe},{log.probes[r.probe]},{cell}")
    return "\n".join(lines) + "\n"


def judge_csv(log: Log, text: str) -> Judgement:
    parsed = parse_log(text, "x.csv")
    return judge_rows(
        log.schedule, parsed.probes, parsed.rows, faults=parsed.faults, backwards=parsed.backwards
    )


@FAST
@given(logs(), st.randoms(use_true_random=False))
def test_shuffling_the_rows_of_a_long_form_csv_changes_nothing(
    log: Log, rnd: random.Random
) -> None:
    if not log.readings:
        return
    ordered = judge_csv(log, long_csv(log, list(log.readings)))
    shuffled_rows = list(log.readings)
    rnd.shuffle(shuffled_rows)
    shuffled = judge_csv(log, long_csv(log, shuffled_rows))
    assert essentials(shuffled) == essentials(ordered)
    # and the offline CSV path judges like the engine fed the same readings (the CSV knows only
    # the probes that have a row)
    seen = {r.probe for r in log.readings}
    known = Log(log.kind, {p: role for p, role in log.probes.items() if p in seen}, log.readings)
    assert essentials(ordered) == essentials(run(known))


# -- 3. time shifts ------------------------------------------------------------------------------


def shifted(j: Judgement, by: int) -> tuple[object, ...]:
    def move(t: int | None) -> int | None:
        return None if t is None else t + by

    return (
        j.verdict,
        j.step,
        move(j.hold_start),
        move(j.hold_end),
        j.longest_hold,
        tuple(replace(i, at=i.at + by) for i in j.interruptions),
        tuple(replace(f, start=f.start + by, end=f.end + by) for f in j.findings),
        j.fail_reason,
        move(j.fail_at),
    )


@MORE
@given(logs(), st.integers(-(10**15), 10**15))
def test_shifting_all_times_by_a_constant_shifts_instants_and_keeps_durations(
    log: Log, by: int
) -> None:
    before = run(log)
    after = run(log, [replace(r, t=r.t + by) for r in log.readings])
    assert shifted(before, by) == shifted(after, 0)
    if before.hold_start is not None and before.hold_end is not None:
        assert after.hold_start is not None and after.hold_end is not None
        assert after.hold_end - after.hold_start == before.hold_end - before.hold_start


# -- 4. air probes -------------------------------------------------------------------------------


@FAST
@given(logs(), st.randoms(use_true_random=False))
def test_air_probes_never_change_a_product_judged_verdict(log: Log, rnd: random.Random) -> None:
    product = {p: r for p, r in log.probes.items() if r == "product"}
    without = Log(log.kind, product, tuple(r for r in log.readings if r.probe in product))
    reference = product_judged(run(without))

    assert product_judged(run(log)) == reference

    # other air probes with any values (faults and out-of-range included), at any instants
    air: dict[str, Role] = {"A7": "air", "A8": "air"}
    noisy: list[Reading] = list(without.readings)
    times = [r.t for r in without.readings] or [T0]
    for probe in air:
        for _ in range(rnd.randint(0, 40)):
            t = rnd.choice(times) + rnd.choice([0, 0, rnd.randint(-US_PER_H, US_PER_H)])
            value = rnd.choice([rnd.uniform(-80, 200), float("nan"), 56.0, 1.11])
            noisy.append(Reading(probe, t, value))
    unique = {(r.probe, r.t): r for r in noisy}
    bigger = Log(log.kind, {**product, **air}, tuple(sorted(unique.values(), key=lambda r: r.t)))
    assert product_judged(run(bigger)) == reference


# -- 5. a valid, complying reading cannot turn a PASS into a FAIL --------------------------------


@MORE
@given(logs(), st.randoms(use_true_random=False))
def test_adding_a_valid_complying_reading_cannot_turn_a_pass_into_a_fail(
    log: Log, rnd: random.Random
) -> None:
    """Cut the log at a sample time ``t`` (keep readings at or before ``t``). If the cut log
    PASSes, then adding one reading that is valid (a number inside the physical range) and
    complies with every step (heat: ≥ 56.0; cold: ≤ 1.11, the strictest step) on a product probe
    P, at an existing sample time ``s ≤ t`` at which P has no reading, cannot make it FAIL: it
    still PASSes, no later than before.

    Why this holds under treatments.md §3: the sample times do not change (``s`` already was
    one), so no gap appears or disappears (§3.2). At every sample time ``u ≥ s`` whose latest
    reading of P is now the added one, P was either invalid before (now it may be valid, with a
    complying value) or valid with an older value (now valid with a complying one, the new
    reading being younger); every other probe is unchanged. So every step that complied at ``u``
    still complies (§3.1: min/max over the valid probes, ≥ min_probes of them), the set of
    complying sample times of every step only grows, holds only start earlier, and the first
    satisfied sample time (§3.2) can only come earlier.

    It does NOT hold for a reading at a *new* instant: a new sample time can find another probe
    older than the interval and break the hold with too_few_probes (see the example below).
    """
    samples = sorted({r.t for r in log.readings if log.probes[r.probe] == "product"})
    if not samples:
        return
    cut_at = rnd.choice(samples[len(samples) // 2 :])
    cut = [r for r in log.readings if r.t <= cut_at]
    before = run(log, cut)
    if before.verdict is not Verdict.PASS:
        return
    assert before.hold_end is not None
    has = {(r.probe, r.t) for r in cut}
    spots = [(p, s) for s in samples if s <= cut_at for p in log.product_ids() if (p, s) not in has]
    if not spots:
        return
    probe, s = rnd.choice(spots)
    value = (
        round(rnd.uniform(56.0, 90.0), 2)
        if log.kind == "heat"
        else round(rnd.uniform(-2.0, 1.11), 2)
    )
    after = run(log, [*cut, Reading(probe, s, value)])
    assert after.verdict is Verdict.PASS, (probe, s, value)
    assert after.hold_end is not None and after.hold_end <= before.hold_end


def test_a_complying_reading_at_a_new_instant_can_break_a_hold_under_the_spec() -> None:
    """The counterexample that limits property 5 to existing sample times (§3.1, §3.2)."""
    schedule = SCHEDULES["heat"]
    probes: dict[str, Role] = {"C1": "product", "C2": "product", "C3": "product"}
    every_5 = [T0 + k * 5 * US_PER_MIN for k in range(7)]  # 0, 5, ..., 30 min
    readings = [Reading(p, t, 60.0 + k / 10) for k, t in enumerate(every_5) for p in ("C1", "C2")]
    # C3 skips 5 min: at 5 min its reading is exactly 5 min old, still valid
    readings += [Reading("C3", t, 61.0 + k / 10) for k, t in enumerate(every_5) if k != 1]
    log = Log("heat", probes, tuple(sorted(readings, key=lambda r: r.t)))
    assert run(log).verdict is Verdict.PASS
    # C1 at 7 min (a new sample time): C3's reading is then 7 min old, only 2 probes are valid
    added = run(log, [*readings, Reading("C1", T0 + 7 * US_PER_MIN, 60.5)])
    assert added.verdict is Verdict.FAIL
    assert [i.at for i in added.interruptions] == [T0 + 7 * US_PER_MIN]
    assert schedule.min_probes == 3
