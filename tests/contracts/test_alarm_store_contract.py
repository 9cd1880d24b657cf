"""The AlarmStore port (services.alarms): what InMemoryAlarmStore and SqlAlarmStore both do, on
SQLite and PostgreSQL, with the calibrations and refused rewrites of their registry."""

from __future__ import annotations

from dataclasses import replace

import pytest
from stores import T0, Site

from phytowatch.domain.alarms import (
    SEVERITY,
    Alarm,
    AlarmKind,
    AlarmState,
    Change,
    Severity,
    acknowledge,
    acknowledge_for_enterprise,
    clear,
)
from phytowatch.domain.instants import US_PER_D, US_PER_S
from phytowatch.domain.messages import Code, Instant, Word, say
from phytowatch.services.alarms import AlarmQuery
from phytowatch.services.ports import ReadingBatch, StoredItem

pytestmark = pytest.mark.contract
DAY = US_PER_D


def _alarm(kind: AlarmKind, facility: str, subject: str) -> Alarm:
    return Alarm(
        kind=kind,
        facility=facility,
        subject=subject,
        severity=Severity.MAJOR,
        state=AlarmState.ACTIVE,
        raised_at=T0,
        last_seen_at=T0,
        count=1,
        last_occurrence=f"{T0}:0",
        message=say(Code.ALARM_HOLD_BROKEN, at=Instant(T0), reason=Word("gap")),
    )


def _raise(site: Site, *alarms: Alarm) -> list[Alarm]:
    changes = site.alarms.apply([Change("raised", alarm) for alarm in alarms])
    assert [c.what for c in changes] == ["raised"] * len(alarms)
    return [c.alarm for c in changes]


def test_raised_alarms_get_their_ids_and_are_read_back_as_raised(site: Site) -> None:
    broke = _alarm(AlarmKind.HOLD_BROKEN, "K1", "run 1")
    silent = replace(
        _alarm(AlarmKind.FACILITY_SILENT, "K2", "K2"),
        severity=Severity.MINOR,
        message=say(Code.ALARM_SILENT, at=Instant(T0 - 1)),
    )
    stored = _raise(site, broke, silent)
    ids = [alarm.id for alarm in stored]
    assert None not in ids and len(set(ids)) == 2
    assert stored == [replace(broke, id=ids[0]), replace(silent, id=ids[1])]
    for alarm in stored:
        assert alarm.id is not None and site.alarms.alarm(alarm.id) == alarm
    assert site.alarms.alarm(max(i for i in ids if i is not None) + 1) is None


def test_the_open_alarms_are_the_uncleared_ones_of_the_facilities_asked(site: Site) -> None:
    k1, k2, gone = _raise(
        site,
        _alarm(AlarmKind.HOLD_BROKEN, "K1", "run 1"),
        _alarm(AlarmKind.SENSOR_FAULT, "K2", "C1"),
        _alarm(AlarmKind.CLOCK_SKEW, "K2", "K2"),
    )
    cleared = replace(gone, state=AlarmState.CLEARED, cleared_at=T0 + 1)
    assert site.alarms.apply([Change("cleared", cleared)]) == [Change("cleared", cleared)]
    assert sorted(a.subject for a in site.alarms.open_alarms()) == ["C1", "run 1"]
    assert site.alarms.open_alarms(["K2"]) == [k2]
    assert site.alarms.open_alarms(["K1", "K9"]) == [k1]
    assert site.alarms.open_alarms([]) == []
    assert gone.id is not None and site.alarms.alarm(gone.id) == cleared


def test_a_repeat_and_an_acknowledgement_are_stored_on_the_same_alarm(site: Site) -> None:
    [alarm] = _raise(site, _alarm(AlarmKind.HOLD_BROKEN, "K1", "run 1"))
    assert alarm.id is not None
    repeated = replace(alarm, count=2, last_seen_at=T0 + 5, last_occurrence=f"{T0 + 5}:0")
    site.alarms.apply([Change("repeated", repeated)])
    acknowledged = acknowledge(repeated, by="李工", comment="door shut, load checked", now=T0 + 6)
    site.alarms.save(acknowledged)
    assert site.alarms.alarm(alarm.id) == acknowledged
    assert site.alarms.open_alarms() == [acknowledged]


def test_the_enterprises_acknowledgement_and_a_clearings_comment_are_stored(site: Site) -> None:
    [alarm] = _raise(site, _alarm(AlarmKind.SENSOR_FAULT, "K1", "C2"))
    ours = acknowledge_for_enterprise(alarm, by="op", comment="C2 换了 ✓", now=T0 + 1)
    site.alarms.save(ours)
    bureau = acknowledge(ours, by="li", comment="", now=T0 + 2)
    done = clear(bureau, by="li", comment="probe replaced, reads again", now=T0 + 3)
    site.alarms.save(done)
    assert alarm.id is not None and site.alarms.alarm(alarm.id) == done
    assert (done.enterprise_acknowledged_by, done.enterprise_acknowledged_at) == ("op", T0 + 1)


def test_the_list_is_filtered_counted_and_paged_alike(site: Site) -> None:
    kinds = (AlarmKind.TAMPER, AlarmKind.SENSOR_FAULT, AlarmKind.CALIBRATION_DUE)
    stored = _raise(
        site,
        *(
            replace(
                _alarm(kinds[n % 3], "K1" if n % 2 else "K2", f"s{n}"),
                severity=SEVERITY[kinds[n % 3]],
                raised_at=T0 + n * DAY,
            )
            for n in range(12)
        ),
    )
    cleared = replace(stored[0], state=AlarmState.CLEARED, cleared_at=T0)
    site.alarms.save(cleared)

    def subjects(query: AlarmQuery, offset: int = 0, limit: int = 50) -> list[str]:
        return [f.alarm.subject for f in site.alarms.find_alarms(query, offset=offset, limit=limit)]

    every = AlarmQuery(states=frozenset(AlarmState), by_severity=False)
    assert subjects(every) == [f"s{n}" for n in range(11, -1, -1)]
    assert site.alarms.count_alarms(every) == 12
    assert subjects(every, offset=3, limit=4) == ["s8", "s7", "s6", "s5"]
    assert subjects(AlarmQuery(by_severity=False)) == [f"s{n}" for n in range(11, 0, -1)]
    by_severity = subjects(AlarmQuery())
    assert by_severity[:3] == ["s9", "s6", "s3"]  # the tampers (s0 is cleared), newest first
    assert subjects(AlarmQuery(facilities=frozenset({"K1"}), kind=AlarmKind.SENSOR_FAULT)) == [
        "s7",
        "s1",
    ]
    window = AlarmQuery(raised_from=T0 + 2 * DAY, raised_before=T0 + 4 * DAY, by_severity=False)
    assert subjects(window) == ["s3", "s2"] and site.alarms.count_alarms(window) == 2
    assert subjects(AlarmQuery(severity=Severity.WARNING, facility="K2")) == ["s8", "s2"]
    cities = {f.city for f in site.alarms.find_alarms(AlarmQuery(facility="K1"))}
    assert len(cities) == 1 and site.alarms.count_alarms(AlarmQuery(city="nowhere")) == 0
    [city] = cities
    assert site.alarms.count_alarms(AlarmQuery(city=city)) >= 5


def test_the_facility_codes_are_every_facilitys(site: Site) -> None:
    assert sorted(site.alarms.facility_codes()) == ["K1", "K2"]


def test_each_probes_latest_calibration_by_its_date_is_the_one_looked_at(site: Site) -> None:
    c1, c2 = site.k1.probes["C1"].id, site.k1.probes["C2"].id
    site.registry.add_calibration(c1, T0 - 10 * DAY, "0.4", T0 + 355 * DAY, "current", now=T0)
    # an older certificate, expired, entered after the current one: the probe is not expired
    site.registry.add_calibration(c1, T0 - 400 * DAY, "-1.0", T0 - 35 * DAY, "old", now=T0)
    site.registry.add_calibration(c2, T0 - 300 * DAY, "0", T0 + 3 * DAY, "due soon", now=T0)
    site.registry.add_calibration(site.k2.probes["C1"].id, T0, "0", T0 + DAY, "K2", now=T0)
    assert sorted(site.alarms.calibrations()) == [
        ("K1", "C1", T0 + 355 * DAY),
        ("K1", "C2", T0 + 3 * DAY),
        ("K2", "C1", T0 + DAY),
    ]


def test_refused_rewrites_are_listed_after_an_id_in_order(site: Site) -> None:
    def send(received_at: int, probe: str, value: float) -> None:
        item = StoredItem(0, site.k1.probes[probe].id, T0, value, None)
        batch = ReadingBatch(site.k1.id, "mqtt", received_at, (item,))
        site.writer.submit(batch).result(timeout=30)

    assert site.alarms.conflicts_since(-1) == []
    send(T0 + US_PER_S, "C1", 56.0)
    send(T0 + 2 * US_PER_S, "C2", 56.0)
    send(T0 + 3 * US_PER_S, "C1", 56.0)  # a resend: a duplicate, no conflict
    send(T0 + 4 * US_PER_S, "C1", 57.0)
    send(T0 + 5 * US_PER_S, "C2", 55.0)
    conflicts = site.alarms.conflicts_since(-1)
    assert [(facility, probe, t) for _, facility, probe, t in conflicts] == [
        ("K1", "C1", T0),
        ("K1", "C2", T0),
    ]
    first, second = conflicts[0][0], conflicts[1][0]
    assert first < second
    assert site.alarms.conflicts_since(first) == [conflicts[1]]
    assert site.alarms.conflicts_since(second) == []
