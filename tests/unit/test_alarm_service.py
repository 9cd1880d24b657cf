"""The alarm service (services.alarms.AlarmService) on in-memory stores: what it raises from the
live runs, the calibrations and refused rewrites, what clears by itself, and what people do to
an alarm (acknowledge, clear) with its refusals and its entries."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from acting import ctx_at, ctx_of
from fakes import (
    InMemoryAlarmStore,
    InMemoryAuditRecorder,
    InMemoryReadingWriter,
    InMemoryRegistry,
    InMemoryRunStore,
)
from phytowatch.domain.accounts import Principal, Role
from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change
from phytowatch.domain.instants import US_PER_D, US_PER_MIN
from phytowatch.domain.messages import Code, Instant, Kind, Word, say
from phytowatch.services.alarms import AlarmService
from phytowatch.services.ports import ReadingBatch, StoredItem
from phytowatch.services.provisioning import add_calibration, add_enterprise, add_facility
from phytowatch.services.runs import LiveRun, RunMonitor, start_run
from refusals import refused

T0 = 1_772_361_600_000_000
MIN = US_PER_MIN
DAY = US_PER_D
PROBES = ("C1", "C2", "C3")
HOT = (60.0, 60.3, 60.6)
WHY = "dealt with: see the run's record"


def at(minute: float) -> int:
    return T0 + round(minute * MIN)


class Site:
    """Kilns of enterprise 0031, each with C1-C3, watched by a monitor and the alarm service."""

    def __init__(self, *kilns: str) -> None:
        self.registry = InMemoryRegistry()
        add_enterprise(self.registry, "0031", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(T0))
        for kiln in kilns:
            add_facility(self.registry, kiln, "0031", "kiln", list(PROBES), ctx=ctx_at(T0))
        self.runs = InMemoryRunStore(self.registry)
        self.writer = InMemoryReadingWriter(self.registry)
        self.monitor = RunMonitor(self.runs)
        self.store = InMemoryAlarmStore(self.registry)
        self.audit = InMemoryAuditRecorder()
        self.alarms = AlarmService(self.store, self.monitor, audit=self.audit)

    def start(self, *kilns: str) -> None:
        """A run on each kiln at T0, watched by the monitor from then."""
        for kiln in kilns:
            start_run(self.runs, kiln, "ispm15-ht", load="pallets", ctx=ctx_at(T0))
        self.monitor.tick(T0)

    def send(
        self,
        kiln: str,
        minute: float,
        values: Sequence[float | None] = HOT,
        faults: Sequence[str | None] = (None, None, None),
    ) -> LiveRun:
        """One reading per probe at ``minute``, received then, committed and fed to the monitor."""
        facility = self.registry.facility_by_code(kiln)
        assert facility is not None
        t = at(minute)
        items = tuple(
            StoredItem(k, facility.probes[probe].id, t, None if fault else value, fault)
            for k, (probe, value, fault) in enumerate(zip(PROBES, values, faults, strict=True))
        )
        self.writer.submit(ReadingBatch(facility.id, "http", t, items)).result()
        stored = [(item.probe_id, item.t, item.value, item.fault) for item in items]
        _, live = self.monitor.committed(facility.id, t, stored, now=t)
        assert live is not None
        return live

    def calibrate(self, probe: str, due_at: int, kiln: str = "K1") -> None:
        add_calibration(
            self.registry,
            kiln,
            probe,
            "0",
            calibrated_at=T0 - 300 * DAY,
            due_at=due_at,
            certificate="",
            ctx=ctx_at(T0),
        )

    def open_alarms(self) -> list[tuple[AlarmKind, str, str]]:
        return sorted((a.kind, a.facility, a.subject) for a in self.store.open_alarms())


def whats(changes: list[Change]) -> list[tuple[str, AlarmKind, str]]:
    return [(c.what, c.alarm.kind, c.alarm.subject) for c in changes]


# -- raised from the live runs ------------------------------------------------------------------


def test_a_facility_silent_past_the_sample_interval_raises_an_alarm_cleared_by_news() -> None:
    site = Site("K1")
    site.start("K1")
    assert site.alarms.tick(at(5)) == []  # exactly the interval: not silent yet
    [raised] = site.alarms.tick(at(5) + 1)
    assert (raised.what, raised.alarm.kind, raised.alarm.subject) == (
        "raised",
        AlarmKind.FACILITY_SILENT,
        "K1",
    )
    assert raised.alarm.message == say(Code.ALARM_SILENT, at=Instant(T0))
    assert raised.alarm.id is not None and site.store.alarm(raised.alarm.id) == raised.alarm
    site.send("K1", 6)
    assert whats(site.alarms.tick(at(6))) == [("cleared", AlarmKind.FACILITY_SILENT, "K1")]
    assert site.open_alarms() == []


def test_a_probe_reporting_a_fault_raises_an_alarm_that_clears_when_it_reads_again() -> None:
    site = Site("K1")
    site.start("K1")
    live = site.send("K1", 1, faults=(None, "ERR", None))
    [raised] = site.alarms.observe([live], at(1))
    assert (raised.what, raised.alarm.kind, raised.alarm.subject) == (
        "raised",
        AlarmKind.SENSOR_FAULT,
        "C2",
    )
    assert raised.alarm.message == say(Code.ALARM_SENSOR_FAULT, probe="C2", fault=Word("ERR"))
    live = site.send("K1", 2)
    assert whats(site.alarms.observe([live], at(2))) == [("cleared", AlarmKind.SENSOR_FAULT, "C2")]


def test_a_broken_hold_raises_an_alarm_that_stays_and_counts_each_new_break() -> None:
    site = Site("K1")
    site.start("K1")
    for minute in range(6):
        assert site.alarms.observe([site.send("K1", minute)], at(minute)) == []
    live = site.send("K1", 6, (55.9, 60.3, 60.6))
    [raised] = site.alarms.observe([live], at(6))
    assert (raised.what, raised.alarm.kind, raised.alarm.subject) == (
        "raised",
        AlarmKind.HOLD_BROKEN,
        f"run {live.record.id}",
    )
    assert raised.alarm.message == say(
        Code.ALARM_HOLD_BROKEN_PROBES,
        at=Instant(at(6)),
        reason=Word("below_threshold"),
        probes="C1",
    )
    for minute in range(7, 10):  # the hold is back: a break is an event, it stays open
        assert site.alarms.observe([site.send("K1", minute)], at(minute)) == []
    [repeated] = site.alarms.observe([site.send("K1", 10, (60.0, 55.9, 60.6))], at(10))
    assert (repeated.what, repeated.alarm.count) == ("repeated", 2)
    assert site.open_alarms() == [(AlarmKind.HOLD_BROKEN, "K1", f"run {live.record.id}")]


def test_observing_some_runs_neither_raises_nor_clears_the_alarms_of_other_facilities() -> None:
    site = Site("K1", "K2")
    site.start("K1", "K2")
    assert whats(site.alarms.tick(at(6))) == [
        ("raised", AlarmKind.FACILITY_SILENT, "K1"),
        ("raised", AlarmKind.FACILITY_SILENT, "K2"),
    ]
    live = site.send("K1", 7)
    assert whats(site.alarms.observe([live], at(7))) == [
        ("cleared", AlarmKind.FACILITY_SILENT, "K1")
    ]
    assert site.open_alarms() == [(AlarmKind.FACILITY_SILENT, "K2", "K2")]
    assert site.alarms.observe([], at(7)) == []


def test_observing_a_run_leaves_its_facilitys_calibration_alarms_to_the_tick() -> None:
    site = Site("K1")
    site.calibrate("C1", T0 - 1)
    site.start("K1")
    assert whats(site.alarms.tick(T0)) == [("raised", AlarmKind.CALIBRATION_EXPIRED, "C1")]
    assert site.alarms.observe([site.send("K1", 1)], at(1)) == []
    assert site.open_alarms() == [(AlarmKind.CALIBRATION_EXPIRED, "K1", "C1")]


# -- raised from the registry and the readings store --------------------------------------------


def test_an_expired_calibration_and_one_due_within_7_days_raise_their_alarms() -> None:
    site = Site("K1")
    site.calibrate("C1", T0 - 1)
    site.calibrate("C2", T0 + 7 * DAY)  # due in exactly 7 days
    site.calibrate("C3", T0 + 7 * DAY + 1)
    changes = site.alarms.tick(T0)
    assert whats(changes) == [
        ("raised", AlarmKind.CALIBRATION_EXPIRED, "C1"),
        ("raised", AlarmKind.CALIBRATION_DUE, "C2"),
    ]
    assert changes[0].alarm.message == say(
        Code.ALARM_CALIBRATION_EXPIRED, probe="C1", due=Instant(T0 - 1)
    )


def test_calibrations_are_looked_at_once_a_minute_and_their_alarms_stay_in_between() -> None:
    site = Site("K1")
    site.calibrate("C1", T0 - 1)
    assert whats(site.alarms.tick(T0)) == [("raised", AlarmKind.CALIBRATION_EXPIRED, "C1")]
    site.calibrate("C2", T0 - 1)
    assert site.alarms.tick(T0 + MIN - 1) == []  # not looked at again yet; C1's stays
    assert whats(site.alarms.tick(T0 + MIN)) == [("raised", AlarmKind.CALIBRATION_EXPIRED, "C2")]
    assert site.open_alarms() == [
        (AlarmKind.CALIBRATION_EXPIRED, "K1", "C1"),
        (AlarmKind.CALIBRATION_EXPIRED, "K1", "C2"),
    ]


def test_a_refused_rewrite_of_a_stored_reading_raises_a_tamper_alarm_from_now_on_only() -> None:
    site = Site("K1")
    site.start("K1")
    site.send("K1", 1)
    site.send("K1", 2)
    site.send("K1", 1, (60.0, 61.0, 60.6))  # before the service has looked: not its business
    assert site.alarms.tick(at(3)) == []
    site.send("K1", 2, (62.0, 60.3, 60.6))
    [raised] = site.alarms.tick(at(4))
    assert (raised.what, raised.alarm.kind, raised.alarm.subject) == (
        "raised",
        AlarmKind.TAMPER,
        "readings",
    )
    assert raised.alarm.message == say(Code.ALARM_CONFLICT, probe="C1", at=Instant(at(2)))


# -- acknowledged and cleared by a person -------------------------------------------------------


def _raised(site: Site) -> Alarm:
    site.start("K1")
    [raised] = site.alarms.tick(at(6))
    return raised.alarm


def test_an_acknowledgement_says_who_and_how_is_stored_and_recorded_in_its_unit() -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    done = site.alarms.acknowledge(
        alarm.id, by=" 李工 ", comment=" door shut \n", ctx=ctx_at(at(7), "cli:ops")
    )
    assert (done.state, done.acknowledged_by, done.acknowledged_at, done.comment) == (
        AlarmState.ACKNOWLEDGED,
        "李工",
        at(7),
        "door shut",
    )
    assert site.store.alarm(alarm.id) == done
    [entry] = site.audit.entries
    assert (entry["actor"], entry["action"], entry["object"], entry["in_unit"]) == (
        "cli:ops",
        "alarm.acknowledged",
        f"alarm:{alarm.id}",
        True,
    )
    assert (entry["before"], entry["after"]["state"], entry["after"]["by"]) == (
        {"state": "active"},
        "acknowledged",
        "李工",
    )


def test_a_person_acknowledges_and_clears_as_themselves_whatever_name_is_given() -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    li = Principal(
        kind="user", actor="user:li", actions=frozenset(), login="li", role=Role.INSPECTOR
    )
    acked = site.alarms.acknowledge(alarm.id, ctx=ctx_of(li, at(7)), by="someone else")
    cleared = site.alarms.clear(alarm.id, ctx=ctx_of(li, at(8)), by="someone else", comment=WHY)
    assert (acked.acknowledged_by, cleared.cleared_by) == ("li", "li")
    assert [e["actor"] for e in site.audit.entries] == ["user:li", "user:li"]


def test_an_actor_without_a_login_acts_by_the_name_given_else_by_its_own() -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    acked = site.alarms.acknowledge(alarm.id, ctx=ctx_at(at(7), "admin-token"), by="duty officer")
    cleared = site.alarms.clear(alarm.id, ctx=ctx_at(at(8), "admin-token"), comment=WHY)
    assert (acked.acknowledged_by, cleared.cleared_by) == ("duty officer", "admin-token")
    assert [e["actor"] for e in site.audit.entries] == ["admin-token", "admin-token"]


@pytest.mark.parametrize("by", ["", "   ", "李\x00工", "x" * 101])
def test_an_acknowledgement_needs_who_in_1_to_100_printable_characters(by: str) -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    with refused(Code.ALARM_WHO, Kind.INVALID):
        site.alarms.acknowledge(alarm.id, by=by, comment="", ctx=ctx_at(at(7)))
    assert site.store.alarm(alarm.id) == alarm and site.audit.entries == []


@pytest.mark.parametrize("comment", ["c" * 2001, "door\x07shut", "door\tshut"])
def test_an_acknowledgement_comment_is_at_most_2000_characters_of_lines(comment: str) -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    with refused(Code.ALARM_COMMENT_TOO_LONG, Kind.INVALID):
        site.alarms.acknowledge(alarm.id, by="li", comment=comment, ctx=ctx_at(at(7)))
    assert site.store.alarm(alarm.id) == alarm


def test_an_alarm_acknowledged_once_is_not_acknowledged_again() -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    site.alarms.acknowledge(alarm.id, by="li", comment="", ctx=ctx_at(at(7)))
    with refused(Code.ALARM_ACKED_ALREADY, Kind.CONFLICT):
        site.alarms.acknowledge(alarm.id, by="wang", comment="", ctx=ctx_at(at(8)))
    assert len(site.audit.entries) == 1


def test_a_cleared_alarm_was_acknowledged_first_and_leaves_the_open_alarms() -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    with refused(Code.ALARM_ACK_FIRST, Kind.CONFLICT):
        site.alarms.clear(alarm.id, by="li", ctx=ctx_at(at(7)), comment=WHY)
    site.alarms.acknowledge(alarm.id, by="li", comment="", ctx=ctx_at(at(7)))
    cleared = site.alarms.clear(
        alarm.id,
        by=" li ",
        ctx=ctx_at(at(8), "admin-token"),
        comment=WHY,
    )
    assert (cleared.state, cleared.cleared_by, cleared.cleared_at) == (
        AlarmState.CLEARED,
        "li",
        at(8),
    )
    assert site.store.open_alarms() == []
    assert site.audit.actions() == ["alarm.acknowledged", "alarm.cleared"]
    assert site.audit.entries[-1]["actor"] == "admin-token"
    assert site.audit.entries[-1]["in_unit"]


HIDDEN_WHO = ["", "   ", "李\x00工", "x" * 101, "li\x1b[2J", "li\x07", "li\u202eil", "li\u2066",
              "\u200b" * 30, "li\nwang", "li\u2028wang", "\ud800"]  # fmt: skip


@pytest.mark.parametrize("by", HIDDEN_WHO)
def test_a_clearing_needs_who_by_the_same_rule_as_an_acknowledgement(by: str) -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    with refused(Code.ALARM_WHO, Kind.INVALID):
        site.alarms.acknowledge(alarm.id, by=by, comment="", ctx=ctx_at(at(7), "admin-token"))
    acknowledged = site.alarms.acknowledge(
        alarm.id, by="li", comment="", ctx=ctx_at(at(7), "admin-token")
    )
    with refused(Code.ALARM_WHO_CLEARS, Kind.INVALID):
        site.alarms.clear(alarm.id, by=by, ctx=ctx_at(at(8), "admin-token"), comment=WHY)
    assert site.store.alarm(alarm.id) == acknowledged
    assert site.audit.actions() == ["alarm.acknowledged"]


@pytest.mark.parametrize(
    "comment", ["ok\u202e", "\u2067ok", "a\u2029b", "\u200b" * 30, "\u3000 \u200b", "\ue000"]
)
def test_an_acknowledgement_comment_that_shows_other_than_it_reads_is_refused(
    comment: str,
) -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    with refused(Code.ALARM_COMMENT_TOO_LONG, Kind.INVALID):
        site.alarms.acknowledge(alarm.id, by="li", comment=comment, ctx=ctx_at(at(7)))
    assert site.store.alarm(alarm.id) == alarm


def test_an_acknowledgement_keeps_chinese_punctuation_emoji_and_lines() -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    comment = "门已关好，温度恢复正常！“复核”：OK 👍🏽 👨\u200d👩\u200d👧\n第二行　完"
    done = site.alarms.acknowledge(alarm.id, by="李工", comment=comment, ctx=ctx_at(at(7)))
    assert (done.acknowledged_by, done.comment) == ("李工", comment)


def test_an_unknown_alarm_is_not_found() -> None:
    site = Site("K1")
    with refused(Code.NO_ALARM, Kind.NOT_FOUND):
        site.alarms.acknowledge(7, by="li", comment="", ctx=ctx_at(T0))
    with refused(Code.NO_ALARM, Kind.NOT_FOUND):
        site.alarms.clear(7, by="li", ctx=ctx_at(T0), comment=WHY)


# -- approaching the limit, from the live runs --------------------------------------------------


def approaching(changes: list[Change]) -> list[str]:
    return [c.what for c in changes if c.alarm.kind is AlarmKind.APPROACHING_LIMIT]


def test_a_kiln_warming_through_56_degrees_raises_no_approaching_warning() -> None:
    site = Site("K1")
    site.start("K1")
    seen: list[str] = []
    for minute in range(40):  # 50 °C rising 0.3 °C a minute: through 56 at minute 20
        value = 50 + 0.3 * minute
        live = site.send("K1", minute, (value, value + 0.4, value + 0.8))
        seen += approaching(site.alarms.observe([live], at(minute)))
        seen += approaching(site.alarms.tick(at(minute) + 1))
    assert seen == []


def test_a_hold_drifting_toward_56_raises_one_warning_cleared_once_back_out() -> None:
    site = Site("K1")
    site.start("K1")
    values = [60.0] * 10 + [60.0 - 0.4 * k for k in range(1, 10)]  # down to 56.4
    values += [56.8, 57.5, 56.6, 57.4, 56.5]  # wobbling within 2 °C: the same warning
    values += [57.2, 57.9, 58.5]  # back out by 2 °C
    seen: list[tuple[int, str]] = []
    for minute, value in enumerate(values):
        live = site.send("K1", minute, (value, value + 1, value + 2))
        seen += [(minute, what) for what in approaching(site.alarms.observe([live], at(minute)))]
    assert [what for _, what in seen] == ["raised", "cleared"]
    assert 10 < seen[0][0] < 19 and seen[1][0] == len(values) - 1
    [raised] = [a for a in site.store.alarms.values() if a.kind is AlarmKind.APPROACHING_LIMIT]
    assert raised.message.code is Code.ALARM_APPROACHING and raised.count == 1


# -- who answers which alarm --------------------------------------------------------------------

OPERATOR = Principal(
    kind="user", actor="user:op", actions=frozenset(), login="op",
    role=Role.ENTERPRISE_OPERATOR, enterprise="0031",
)  # fmt: skip
INSPECTOR = Principal(
    kind="user", actor="user:li", actions=frozenset(), login="li", role=Role.INSPECTOR
)


def _broken(site: Site) -> Alarm:
    site.start("K1")
    for minute in range(3):
        site.alarms.observe([site.send("K1", minute)], at(minute))
    [raised] = site.alarms.observe([site.send("K1", 3, (55.0, 60.3, 60.6))], at(3))
    assert raised.alarm.kind is AlarmKind.HOLD_BROKEN
    return raised.alarm


def test_the_enterprise_cannot_acknowledge_or_clear_an_alarm_that_accuses_it() -> None:
    site = Site("K1")
    alarm = _broken(site)
    assert alarm.id is not None
    with refused(Code.ALARM_BUREAU_ONLY, Kind.FORBIDDEN):
        site.alarms.acknowledge(alarm.id, ctx=ctx_of(OPERATOR, at(4)), comment="door was shut")
    with refused(Code.ALARM_BUREAU_CLEARS, Kind.FORBIDDEN):
        site.alarms.clear(alarm.id, ctx=ctx_of(OPERATOR, at(4)), comment=WHY)
    assert site.store.alarm(alarm.id) == alarm and site.audit.entries == []


def test_the_bureau_answers_an_accusing_alarm_in_writing_and_clears_saying_why() -> None:
    site = Site("K1")
    alarm = _broken(site)
    assert alarm.id is not None
    with refused(Code.ALARM_ACK_NEEDS_COMMENT, Kind.INVALID):
        site.alarms.acknowledge(alarm.id, ctx=ctx_of(INSPECTOR, at(4)), comment=" ok ")
    acked = site.alarms.acknowledge(
        alarm.id, ctx=ctx_of(INSPECTOR, at(4)), comment="door opened by the loader; restarted"
    )
    with refused(Code.ALARM_CLEAR_NEEDS_COMMENT, Kind.INVALID):
        site.alarms.clear(alarm.id, ctx=ctx_of(INSPECTOR, at(5)))
    cleared = site.alarms.clear(alarm.id, ctx=ctx_of(INSPECTOR, at(5)), comment=WHY)
    assert (acked.comment, cleared.clear_comment, cleared.cleared_by) == (
        "door opened by the loader; restarted",
        WHY,
        "li",
    )
    assert [(e["action"], e["after"]["comment"]) for e in site.audit.entries] == [
        ("alarm.acknowledged", "door opened by the loader; restarted"),
        ("alarm.cleared", WHY),
    ]


def test_the_enterprises_acknowledgement_of_a_sensor_fault_is_its_own_and_stays_active() -> None:
    site = Site("K1")
    site.start("K1")
    [raised] = site.alarms.observe([site.send("K1", 1, faults=(None, "ERR", None))], at(1))
    assert raised.alarm.id is not None
    done = site.alarms.acknowledge(
        raised.alarm.id, ctx=ctx_of(OPERATOR, at(2)), comment="C2 cable replaced"
    )
    assert (done.state, done.enterprise_acknowledged_by, done.enterprise_comment) == (
        AlarmState.ACTIVE,
        "op",
        "C2 cable replaced",
    )
    assert site.store.open_alarms() == [done]
    [entry] = site.audit.entries
    assert (entry["action"], entry["actor"], entry["in_unit"]) == (
        "alarm.acknowledged_by_enterprise",
        "user:op",
        True,
    )
    bureau = site.alarms.acknowledge(raised.alarm.id, ctx=ctx_of(INSPECTOR, at(3)))
    assert (bureau.state, bureau.acknowledged_by) == (AlarmState.ACKNOWLEDGED, "li")


def test_a_device_acts_on_no_alarm() -> None:
    site = Site("K1")
    alarm = _raised(site)
    assert alarm.id is not None
    device = Principal(kind="device", actor="device:K1", actions=frozenset(), facility="K1")
    with refused(Code.ALARM_NOT_A_PERSON, Kind.FORBIDDEN):
        site.alarms.acknowledge(alarm.id, ctx=ctx_of(device, at(7)))
