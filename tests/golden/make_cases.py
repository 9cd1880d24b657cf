"""Write the CSV logs of the golden cases (tests/golden/cases/*.csv).

Run: ``.venv/bin/python tests/golden/make_cases.py``. This script writes CSVs only; the expected
results (``cases/<name>.json``) are written by hand from docs/spec (treatments.md) and must never be
generated from the engine's output.

Values are written as exact decimal strings (computed with Decimal) so that a case's boundary is the
number in the file, not a float artefact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

CASES = Path(__file__).parent / "cases"

D = Decimal
Cell = Decimal | str | None
Row = tuple[datetime, Sequence[Cell]]

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)  # heat cases
COLD0 = datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC)  # cold cases
HWT0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)  # hot water cases
VHT0 = datetime(2026, 3, 1, 6, 0, 0, tzinfo=UTC)  # vapour heat cases

HT3 = ["C1[product]", "C2[product]", "C3[product]"]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cell(value: Cell) -> str:
    if value is None:
        return ""
    return str(value)


def write_wide(
    name: str,
    header: Sequence[str],
    rows: Iterable[Row],
    stamp: Callable[[datetime], str] = iso_z,
) -> None:
    lines = [",".join(["timestamp", *header])]
    for moment, values in rows:
        assert len(values) == len(header), name
        lines.append(",".join([stamp(moment), *(cell(v) for v in values)]))
    (CASES / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_long(name: str, header: Sequence[str], rows: Iterable[Row], order: Sequence[int]) -> None:
    """The long form; within one instant, readings are written in probe ``order``."""
    probes = [h.split("[") for h in header]
    lines = ["timestamp,probe,role,value"]
    for moment, values in rows:
        for k in order:
            if values[k] is None:
                continue
            probe, role = probes[k][0], probes[k][1].rstrip("]")
            lines.append(f"{iso_z(moment)},{probe},{role},{cell(values[k])}")
    (CASES / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def cyc(values: Sequence[str], i: int) -> Decimal:
    return D(values[i % len(values)])


# ------------------------------------------------------------------ ISPM 15 HT (5 min sampling)


def ht_ok(i: int) -> list[Cell]:
    """Three product probes comfortably above 56.0, varying a little (no flatline/duplicates)."""
    return [cyc(["57.0", "57.2", "57.1"], i), cyc(["57.5", "57.7"], i), cyc(["58.0", "58.3"], i)]


def simple_rows(start: datetime = T0) -> list[Row]:
    """10:00 below (50s), 10:05..10:40 above 56: hold 10:05 -> 10:35."""
    rows: list[Row] = [(start, [D("50.0"), D("50.5"), D("51.0")])]
    rows += [(start + minutes(5 * k), ht_ok(k)) for k in range(1, 9)]
    return rows


def dip_rows() -> list[Row]:
    """10:00..10:50 every 5 min; C2 = 55.99 at 10:10."""
    rows: list[Row] = []
    for k in range(11):
        values = ht_ok(k)
        if k == 2:
            values[1] = D("55.99")
        rows.append((T0 + minutes(5 * k), values))
    return rows


def ht_cases() -> None:
    write_wide("ht_simple_pass", HT3, simple_rows())

    write_wide(
        "ht_equality_56_complies",
        HT3,
        [(T0 + minutes(5 * k), [D("56.0"), *ht_ok(k)[1:]]) for k in range(7)],
    )

    times = [0, 5, 10, 15, 20, 25, 29, 30, 31]
    write_wide("ht_hold_exactly_30min", HT3, [(T0 + minutes(m), ht_ok(m)) for m in times])

    write_wide("ht_dip_55_99_restarts", HT3, dip_rows())

    rows: list[Row] = [(T0 - minutes(5), [D("50.0"), D("50.2"), D("50.4")])]
    rows += [(T0 + minutes(m), ht_ok(m)) for m in [0, 5, 10, 15, 20, 25, 29]]
    write_wide("ht_hold_29min_log_ends_fail", HT3, rows)

    secs = [0, 77, 377, 677, 977, 1277, 1577, 1800]
    write_wide(
        "ht_gap_exactly_5min_holds",
        HT3,
        [(T0 + timedelta(seconds=s), ht_ok(k)) for k, s in enumerate(secs)],
    )

    secs = [0, 300, 601, 901, 1201, 1501, 1801, 2101, 2401]
    write_wide(
        "ht_gap_5min_1s_breaks",
        HT3,
        [(T0 + timedelta(seconds=s), ht_ok(k)) for k, s in enumerate(secs)],
    )

    rows = []
    for k in range(8):
        values = [*ht_ok(k), cyc(["58.5", "58.6"], k)]
        if k == 2:
            values[3] = "ERR"
        rows.append((T0 + minutes(5 * k), values))
    write_wide("ht_fault_3_valid_probe_excluded", [*HT3, "C4[product]"], rows)

    rows = []
    for k in range(10):
        values = ht_ok(k)
        if k == 2:
            values[2] = "ERR"
        rows.append((T0 + minutes(5 * k), values))
    write_wide("ht_fault_2_valid_too_few_probes", HT3, rows)

    write_wide(
        "ht_two_probes_installed_indeterminate",
        ["C1[product]", "C2[product]", "A1[air]"],
        [(T0 + minutes(5 * k), [*ht_ok(k)[:2], cyc(["60.0", "60.5"], k)]) for k in range(8)],
    )

    write_wide(
        "ht_air_never_governs",
        [*HT3, "A1[air]"],
        [(T0 + minutes(5 * k), [*ht_ok(k), cyc(["45.0", "45.3"], k)]) for k in range(7)],
    )

    write_wide(
        "ht_governing_is_minimum",
        HT3,
        [
            (T0 + minutes(5 * k), [cyc(["70.0", "70.2"], k), cyc(["70.1", "70.3"], k), D("55.9")])
            for k in range(9)
        ],
    )

    offset_rows: list[Row] = [(T0 + minutes(5 * k), [D("55.7"), *ht_ok(k)[1:]]) for k in range(7)]
    write_wide("ht_offset_lifts_to_56", HT3, offset_rows)
    write_wide("ht_offset_absent_fails", HT3, offset_rows)


# ------------------------------------------------------------------ cold tables (hourly)


def hours(n: int) -> timedelta:
    return timedelta(hours=n)


def cold_cases() -> None:
    base = ["0.50", "0.49", "0.48", "0.49"]

    def cn(h: int) -> list[Cell]:
        c1 = cyc(base, h)
        return [c1, c1 - D("0.10"), c1 - D("0.20")]

    write_wide("cn_cold_steady_pass_18d", HT3, [(COLD0 + hours(h), cn(h)) for h in range(435)])

    rows: list[Row] = []
    for h in range(482):
        values = cn(h)
        if h == 120:
            values[1] = D("1.00")
        rows.append((COLD0 + hours(h), values))
    write_wide("cn_cold_step_up_pass_step1", HT3, rows)

    usda = ["-0.10", "-0.11", "-0.12", "-0.11"]
    rows = []
    for h in range(291):
        c1 = cyc(usda, h)
        values = [c1, c1 - D("0.05"), c1 - D("0.10")]
        if h == 48:
            values[2] = D("1.70")
        rows.append((COLD0 + hours(h), values))
    write_wide("usda_cold_above_top_breaks_all", HT3, rows)

    rows = []
    for h in range(338):
        c1 = cyc(["1.11", "1.10"], h)
        rows.append((COLD0 + hours(h), [c1, c1 - D("0.30"), c1 - D("0.50")]))
    write_wide("au_cold_equality_threshold", HT3, rows)


# ------------------------------------------------------------------ hot water (1 min sampling)

HWT = ["W1[water]", "W2[water]", "P1[product]"]


def hwt_water(m: int) -> list[Cell]:
    return [cyc(["46.5", "46.6"], m), cyc(["46.8", "46.7"], m)]


def hwt_rows(
    last: int,
    w1: dict[int, str] | None = None,
    pulp: Sequence[str] | None = ("21.1",),
) -> list[Row]:
    """Rows at 08:00 + m min, m = 0..last; ``w1`` overrides W1; ``pulp`` = pulp probes at m=0."""
    rows: list[Row] = []
    for m in range(last + 1):
        values = hwt_water(m)
        if w1 and m in w1:
            values[0] = D(w1[m])
        if pulp is not None:
            for k, start in enumerate(pulp):
                values.append(D(start) + D("0.3") * m + k)
        rows.append((HWT0 + minutes(m), values))
    return rows


def hwt_cases() -> None:
    rows = hwt_rows(75)
    rows.append((HWT0 + minutes(76), [D("45.0"), D("45.0"), D("44.0")]))
    write_wide("hwt_500g_pass_75min", HWT, rows)

    band = {m: "45.8" for m in range(10, 20)}
    write_wide("hwt_band_at_budget_passes", HWT, hwt_rows(76, band))

    band = {m: "45.8" for m in range(10, 21)}
    write_wide("hwt_band_over_budget_fails", HWT, hwt_rows(76, band))

    band = {m: "45.4" for m in range(5)} | {m: "45.8" for m in range(10, 20)}
    write_wide("hwt_band_first_5min_free", HWT, hwt_rows(76, band))

    write_wide("hwt_below_45_4_fails", HWT, hwt_rows(76, {30: "45.39"}))

    write_wide(
        "hwt_pulp_below_21_1_precondition",
        [*HWT, "P2[product]"],
        hwt_rows(76, pulp=("21.0", "24.0")),
    )

    write_wide("hwt_no_pulp_probe_review", HWT[:2], hwt_rows(76, pulp=None))

    write_wide("hwt_700g_80min_fails", HWT, hwt_rows(80))


# ------------------------------------------------------------------ vapour heat (1 min sampling)

VHT = [*HT3, "A1[air]", "H1[rh]"]


def vht_rows(last: int, air: Callable[[int], Decimal], rh: Callable[[int], Decimal]) -> list[Row]:
    rows: list[Row] = []
    for m in range(last + 1):
        c3 = D("27.5") + D("0.05") * m  # 47.5 at m = 400
        rows.append((VHT0 + minutes(m), [c3 + D("0.4"), c3 + D("0.2"), c3, air(m), rh(m)]))
    return rows


def vht_cases() -> None:
    def air_ok(m: int) -> Decimal:
        # 27.5 + 0.1/min: 48.0 at m = 205, 48.5 at m = 210 (exactly 3.5 h), 49.0 at 215
        if m <= 215:
            return D("27.5") + D("0.1") * m
        return cyc(["49.0", "49.1"], m)

    def rh_ok(m: int) -> Decimal:
        if m in (300, 302):
            return D("60.0")
        return cyc(["85", "86"], m)

    write_wide("vht_pass", VHT, vht_rows(430, air_ok, rh_ok))

    def air_fast(m: int) -> Decimal:
        # 47.8 at m = 208, 48.5 at m = 209 (3 h 29 min after the first air reading)
        if m <= 208:
            return D("27.0") + D("0.1") * m
        if m <= 214:
            return D("48.5") + D("0.1") * (m - 209)
        return cyc(["49.0", "49.1"], m)

    write_wide("vht_ramp_too_fast", VHT, vht_rows(240, air_fast, rh_ok))

    def rh_dip(m: int) -> Decimal:
        return D("59.9") if m == 410 else rh_ok(m)

    write_wide("vht_rh_dip_fails", VHT, vht_rows(430, air_ok, rh_dip))


# ------------------------------------------------------------------ ISPM 15 DH (15 s sampling)


def dh_cases() -> None:
    def secs(n: int) -> timedelta:
        return timedelta(seconds=n)

    rows: list[Row] = [
        (T0, [D("59.5"), D("59.9"), D("60.3")]),
        (T0 + secs(15), [D("59.8"), D("60.2"), D("60.6")]),
    ]
    for k in range(2, 9):
        rows.append(
            (T0 + secs(15 * k), [D("60.0"), cyc(["60.4", "60.5"], k), cyc(["60.8", "60.9"], k)])
        )
    write_wide("dh_pass_60_1min", HT3, rows)

    times = [0, 15, 30, 46, 61, 76, 91, 106, 121]
    write_wide(
        "dh_gap_16s_breaks",
        HT3,
        [
            (
                T0 + secs(s),
                [cyc(["60.5", "60.6"], k), cyc(["61.0", "61.1"], k), cyc(["61.5", "61.6"], k)],
            )
            for k, s in enumerate(times)
        ],
    )


# ------------------------------------------------------------------ findings (ISPM 15 HT)


def finding_cases() -> None:
    def flat(m: int, same_until: int) -> list[Cell]:
        c3 = D("57.5") if m <= same_until else cyc(["57.6", "57.7"], m)
        return [cyc(["57.0", "57.1", "57.2"], m), cyc(["58.0", "58.1"], m), c3]

    write_wide("finding_flatline_30", HT3, [(T0 + minutes(m), flat(m, 29)) for m in range(33)])
    write_wide("finding_flatline_29_none", HT3, [(T0 + minutes(m), flat(m, 28)) for m in range(33)])

    rows: list[Row] = [
        (T0, [D("50.0"), D("50.0"), D("50.0")]),
        (T0 + minutes(1), [D("54.0"), D("55.0"), D("55.5")]),
    ]
    rows += [(T0 + minutes(m), ht_ok(m)) for m in [2, 7, 12, 17, 22, 27, 32]]
    write_wide("finding_implausible_rate", HT3, rows)

    rows = [(T0 - minutes(5), [D("50.0"), D("49.0"), D("50.0"), D("58.0")])]
    for k in range(7):
        air = cyc(["60.0", "60.3", "60.1"], k)
        rows.append((T0 + minutes(5 * k), [air - 2, air - 3, air - D("0.1"), air]))
    write_wide("finding_tracks_air", [*HT3, "A1[air]"], rows)

    rows = [(T0 - minutes(5), [D("50.0"), D("50.1"), D("50.5")])]
    for k in range(7):
        same = cyc(["57.0", "57.3", "57.1"], k)
        rows.append((T0 + minutes(5 * k), [same, same, cyc(["58.0", "58.2"], k)]))
    write_wide("finding_duplicate_series", HT3, rows)

    # a wide-form row for C2 alone, stamped 10:07 after the 10:10 row: C2's clock went backwards
    rows = [(T0 + minutes(m), ht_ok(m)) for m in [0, 5, 10]]
    rows.append((T0 + minutes(7), [None, D("57.6"), None]))
    rows += [(T0 + minutes(m), ht_ok(m)) for m in [15, 20, 25, 30, 35]]
    write_wide("finding_clock_backwards", HT3, rows)


# ------------------------------------------------------------------ CSV forms


def form_cases() -> None:
    write_long("form_long_same_as_wide", HT3, dip_rows(), order=[2, 0, 1])
    write_wide(
        "form_unix_seconds",
        HT3,
        simple_rows(),
        stamp=lambda t: str(int(t.timestamp())),
    )
    write_wide(
        "form_naive_utc",
        HT3,
        simple_rows(),
        stamp=lambda t: t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
    )
    plus8 = timezone(timedelta(hours=8))
    write_wide(
        "form_offset_plus08",
        HT3,
        simple_rows(datetime(2026, 3, 1, 23, 50, 0, tzinfo=UTC)),
        stamp=lambda t: t.astimezone(plus8).isoformat(),
    )


# ------------------------------------------------------------------ more boundaries


def extra_cases() -> None:
    # product only at 10:00 and 10:06 (6 min apart), air alone at 10:03: not a sample time
    rows: list[Row] = [(T0, [*ht_ok(0), D("60.0")])]
    rows.append((T0 + minutes(3), [None, None, None, D("60.2")]))
    rows += [(T0 + minutes(m), [*ht_ok(m), D("60.1")]) for m in [6, 11, 16, 21, 26, 31, 36]]
    write_wide("ht_air_rows_not_sample_times", [*HT3, "A1[air]"], rows)

    # C4 reads at 10:00 only: 5 min old at 10:05 (still valid), 10 min old at 10:10 (gap)
    rows = [(T0, [*ht_ok(0), D("58.5")])]
    rows += [(T0 + minutes(5 * k), [*ht_ok(k), None]) for k in range(1, 8)]
    write_wide("ht_stale_probe_excluded_gap", [*HT3, "C4[product]"], rows)

    rows = []
    for k in range(10):
        values = ht_ok(k)
        if k == 2:
            values[2] = D("151.0")
        rows.append((T0 + minutes(5 * k), values))
    write_wide("ht_out_of_range_is_fault", HT3, rows)

    rows = [(T0 + minutes(5 * k), ht_ok(k)) for k in range(7)]
    rows.append((T0 + minutes(35), [D("57.0"), D("40.0"), "ERR"]))
    rows.append((T0 + minutes(45), [D("57.0"), D("57.0"), D("57.0")]))
    write_wide("ht_after_pass_ignored", HT3, rows)

    write_wide(
        "ht_no_product_readings_indeterminate",
        [*HT3, "A1[air]"],
        [(T0 + minutes(5 * k), [None, None, None, cyc(["60.0", "60.5"], k)]) for k in range(8)],
    )

    rows = []
    for h in range(341):
        c1 = [D("6.0"), D("3.5"), D("1.9")][h] if h <= 2 else cyc(["1.05", "1.04"], h)
        values = [c1, c1 - D("0.1"), c1 - D("0.2")]
        if h in (100, 101, 102):
            values[2] = D({100: "-1.50", 101: "-0.50", 102: "0.50"}[h])
        rows.append((COLD0 + hours(h), values))
    write_wide("au_cold_implausible_rate_after_hold", HT3, rows)


def main() -> None:
    CASES.mkdir(parents=True, exist_ok=True)
    ht_cases()
    cold_cases()
    hwt_cases()
    vht_cases()
    dh_cases()
    finding_cases()
    form_cases()
    extra_cases()


if __name__ == "__main__":
    main()
