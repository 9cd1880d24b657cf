"""Starting a run (services.runs.start_run): what it binds when it starts (the schedule version and
params, the probes' calibration offsets, notes for the probes judged raw), and what it refuses."""

from __future__ import annotations

import pytest

from acting import ctx_at
from fakes import InMemoryAuditRecorder, InMemoryRegistry, InMemoryRunStore
from phytowatch.domain.instants import US_PER_D
from phytowatch.domain.messages import Code, Instant, Kind, say
from phytowatch.services.provisioning import add_calibration, add_enterprise, add_facility
from phytowatch.services.runs import start_run
from refusals import refused

T0 = 1_772_361_600_000_000
DAY = US_PER_D


def _store() -> InMemoryRunStore:
    """Kiln K1 (C1, C2, C3) and hot-water tank T1 (W1, W2, P1), neither calibrated yet."""
    registry = InMemoryRegistry()
    add_enterprise(registry, "0031", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(T0))
    add_facility(registry, "K1", "0031", "kiln", ["C1", "C2", "C3"], ctx=ctx_at(T0))
    add_facility(
        registry, "T1", "0031", "hot_water_tank", ["W1:water", "W2:water", "P1"], ctx=ctx_at(T0)
    )
    return InMemoryRunStore(registry)


def _calibrate(
    store: InMemoryRunStore, probe: str, offset: str, *, at: int = T0 - DAY, due: int = T0 + DAY
) -> None:
    add_calibration(
        store.registry,
        "K1",
        probe,
        offset,
        calibrated_at=at,
        due_at=due,
        certificate="",
        ctx=ctx_at(T0),
    )


def test_a_run_binds_the_schedule_version_and_the_offsets_of_the_calibrated_probes() -> None:
    store = _store()
    _calibrate(store, "C1", "-0.30")
    _calibrate(store, "C2", "0.0")  # a zero offset changes nothing: not bound
    _calibrate(store, "C3", "0.25")
    run = start_run(store, "K1", "ispm15-ht", load=" pallets ", note=" lot 7 ", ctx=ctx_at(T0))
    assert (run.facility_code, run.schedule_id, run.schedule_version, run.params) == (
        "K1",
        "ispm15-ht",
        "1",
        {},
    )
    assert run.offsets == {"C1": "-0.30", "C3": "0.25"}
    assert run.calibration_notes == []
    assert (run.load, run.note, run.started_at, run.closed_at) == ("pallets", "lot 7", T0, None)
    assert store.run(run.id) == run
    assert [r.id for r in store.open_runs()] == [run.id]


def test_a_run_binds_the_params_it_was_given() -> None:
    run = start_run(
        _store(), "T1", "hwt-mango", params={"fruit_class": "700g"}, load="mango", ctx=ctx_at(T0)
    )
    assert (run.schedule_id, run.params) == ("hwt-mango", {"fruit_class": "700g"})


def test_a_probe_without_a_calibration_is_judged_raw_and_noted_by_code() -> None:
    store = _store()
    _calibrate(store, "C1", "-0.30")
    run = start_run(store, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(T0))
    assert run.offsets == {"C1": "-0.30"}
    assert run.calibration_notes == [
        say(Code.NOTE_NO_CALIBRATION, probe="C2"),
        say(Code.NOTE_NO_CALIBRATION, probe="C3"),
    ]


def test_a_probe_whose_calibration_has_expired_is_judged_raw_and_noted_with_its_due_date() -> None:
    store = _store()
    for probe in ("C1", "C2", "C3"):
        _calibrate(store, probe, "0.5", due=T0 - 1 if probe == "C2" else T0 + DAY)
    run = start_run(store, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(T0))
    assert run.offsets == {"C1": "0.5", "C3": "0.5"}
    assert run.calibration_notes == [
        say(Code.NOTE_CALIBRATION_EXPIRED, probe="C2", due=Instant(T0 - 1))
    ]


def test_a_calibration_due_at_the_instant_the_run_starts_is_still_valid() -> None:
    store = _store()
    for probe in ("C1", "C2", "C3"):
        _calibrate(store, probe, "0.1", due=T0)
    run = start_run(store, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(T0))
    assert run.offsets == {"C1": "0.1", "C2": "0.1", "C3": "0.1"}
    assert run.calibration_notes == []


def test_the_latest_calibration_by_its_date_is_bound_even_when_recorded_first() -> None:
    store = _store()
    for probe in ("C2", "C3"):
        _calibrate(store, probe, "0")
    _calibrate(store, "C1", "0.4", at=T0 - DAY)  # the current certificate
    _calibrate(store, "C1", "-1.0", at=T0 - 300 * DAY, due=T0 - 200 * DAY)  # an old one, late
    run = start_run(store, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(T0))
    assert run.offsets == {"C1": "0.4"}
    assert run.calibration_notes == []


def test_a_started_run_is_recorded_with_its_notes_in_its_unit_of_work() -> None:
    audit = InMemoryAuditRecorder()
    run = start_run(
        _store(),
        "K1",
        "ispm15-ht",
        load="pallets",
        ctx=ctx_at(T0, "user:op"),
        audit=audit,
    )
    [entry] = audit.entries
    assert (entry["actor"], entry["action"], entry["object"], entry["in_unit"]) == (
        "user:op",
        "run.started",
        f"run:{run.id}",
        True,
    )
    assert entry["after"]["schedule"] == "ispm15-ht v1"
    assert entry["after"]["calibration_notes"] == [n.to_json() for n in run.calibration_notes]
    assert len(entry["after"]["calibration_notes"]) == 3


# -- refusals -----------------------------------------------------------------------------------


def test_a_run_on_an_unknown_facility_is_not_found() -> None:
    with refused(Code.NO_FACILITY, Kind.NOT_FOUND):
        start_run(_store(), "K9", "ispm15-ht", load="pallets", ctx=ctx_at(T0))


@pytest.mark.parametrize("load", ["", "   ", "x" * 501])
def test_a_run_needs_a_load_of_1_to_500_characters(load: str) -> None:
    with refused(Code.RUN_LOAD, Kind.INVALID):
        start_run(_store(), "K1", "ispm15-ht", load=load, ctx=ctx_at(T0))


def test_a_load_of_500_characters_is_accepted() -> None:
    assert start_run(_store(), "K1", "ispm15-ht", load="x" * 500, ctx=ctx_at(T0)).load == "x" * 500


def test_a_note_is_at_most_2000_characters() -> None:
    store = _store()
    with refused(Code.RUN_NOTE_TOO_LONG, Kind.INVALID):
        start_run(store, "K1", "ispm15-ht", load="pallets", note="n" * 2001, ctx=ctx_at(T0))
    assert start_run(store, "K1", "ispm15-ht", load="pallets", note="n" * 2000, ctx=ctx_at(T0)).note


def test_a_load_is_one_printable_line() -> None:
    with refused(Code.RUN_LOAD_PRINTABLE, Kind.INVALID):
        start_run(_store(), "K1", "ispm15-ht", load="pallets\nand crates", ctx=ctx_at(T0))


def test_a_note_may_have_line_breaks_and_tabs_but_no_other_control_character() -> None:
    store = _store()
    with refused(Code.RUN_NOTE_PRINTABLE, Kind.INVALID):
        start_run(store, "K1", "ispm15-ht", load="pallets", note="lot\x007", ctx=ctx_at(T0))
    with refused(Code.RUN_NOTE_PRINTABLE, Kind.INVALID):
        start_run(store, "K1", "ispm15-ht", load="pallets", note="lot \ud800", ctx=ctx_at(T0))
    run = start_run(
        store, "K1", "ispm15-ht", load="pallets", note="lot 7\r\n\tbay 2", ctx=ctx_at(T0)
    )
    assert run.note == "lot 7\r\n\tbay 2"


def test_a_facility_has_one_open_run_at_a_time() -> None:
    store = _store()
    first = start_run(store, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(T0))
    with refused(Code.RUN_OPEN_ALREADY, Kind.CONFLICT):
        start_run(store, "K1", "ispm15-ht", load="crates", ctx=ctx_at(T0 + 1))
    assert start_run(
        store, "T1", "hwt-mango", params={"fruit_class": "500g"}, load="m", ctx=ctx_at(T0)
    )
    assert store.close_run(first.id, T0 + 2, "operator", "FAIL", "{}")
    assert start_run(store, "K1", "ispm15-ht", load="crates", ctx=ctx_at(T0 + 3)).id != first.id


@pytest.mark.parametrize(
    ("schedule", "params", "code"),
    [
        ("ispm15-xx", {}, Code.SCHEDULE_UNKNOWN),
        ("hwt-mango", {}, Code.PARAM_MISSING),
        ("hwt-mango", {"fruit_class": "300g"}, Code.PARAM_VALUE),
        ("ispm15-ht", {"fruit_class": "500g"}, Code.PARAM_UNKNOWN),
    ],
)
def test_a_run_needs_a_known_schedule_with_its_params(
    schedule: str, params: dict[str, str], code: Code
) -> None:
    with refused(code, Kind.INVALID):
        start_run(_store(), "T1", schedule, params=params, load="mango", ctx=ctx_at(T0))


def test_a_refused_run_is_neither_stored_nor_recorded() -> None:
    store, audit = _store(), InMemoryAuditRecorder()
    with refused(Code.SCHEDULE_UNKNOWN, Kind.INVALID):
        start_run(store, "K1", "nope", load="pallets", ctx=ctx_at(T0), audit=audit)
    assert store.open_runs() == [] and audit.entries == []
