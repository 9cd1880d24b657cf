"""The simulated device's buffer and the fleet runner, against an in-memory server."""

from __future__ import annotations

from typing import Any

from phytowatch.simulate.device import Answer, Device
from phytowatch.simulate.models import FacilityModel, parse_probe
from phytowatch.simulate.runner import run_fleet
from phytowatch.simulate.spec import FacilitySpec, facility_spec

START = 1_772_352_000_000_000
PROBES = ("C1:product", "A1:air")


class InMemoryServer:
    """Stores readings like phytowatch would: duplicates ignored, conflicts refused."""

    channel = "memory"

    def __init__(self, answers: list[Any] | None = None) -> None:
        self.stored: dict[tuple[str, str], Any] = {}
        self.conflicts: list[tuple[str, str, Any]] = []
        self.batches: list[dict[str, Any]] = []
        self.scripted = list(answers or [])  # Answers or exceptions to give first

    def send(self, payload: dict[str, Any]) -> Answer:
        if self.scripted:
            scripted = self.scripted.pop(0)
            if isinstance(scripted, BaseException):
                raise scripted
            assert isinstance(scripted, Answer)
            return scripted
        self.batches.append(payload)
        accepted = duplicates = 0
        rejected = []
        for index, item in enumerate(payload["readings"]):
            key = (item["probe"], item["t"])
            offered = (item["v"], item.get("fault"))
            if key not in self.stored:
                self.stored[key] = offered
                accepted += 1
            elif self.stored[key] == offered:
                duplicates += 1
            else:
                self.conflicts.append((*key, offered))
                rejected.append({"index": index, "reason": "conflicts"})
        return Answer(200, {"accepted": accepted, "duplicates": duplicates, "rejected": rejected})

    def close(self) -> None:
        pass


def samples(count: int) -> list[Any]:
    model = FacilityModel(
        "kiln", tuple(parse_probe(p) for p in PROBES), start=START, interval_s=60, seed=1
    )
    return [model.next_sample() for _ in range(count)]


def test_readings_leave_the_buffer_only_once_the_server_answers_200() -> None:
    server = InMemoryServer([ConnectionError("refused"), Answer(500, {"error": "boom"})])
    device = Device("K1", server)
    device.record(samples(1)[0])
    device.flush(online=True, now=0.0)
    assert device.pending == 2
    device.flush(online=True, now=1.0)  # the retry after the network error: a 500
    assert device.pending == 2
    device.flush(online=True, now=100.0)
    assert device.pending == 0 and len(server.stored) == 2


def test_a_503_is_retried_only_after_its_retry_after() -> None:
    server = InMemoryServer([Answer(503, {"error": "busy"}, retry_after=5.0)])
    device = Device("K1", server)
    device.record(samples(1)[0])
    device.flush(online=True, now=0.0)
    device.flush(online=True, now=4.9)
    assert device.pending == 2 and server.batches == []
    device.flush(online=True, now=5.0)
    assert device.pending == 0 and device.stats.retries == 1


def test_an_outage_buffers_and_the_backlog_goes_oldest_first_in_batches() -> None:
    server = InMemoryServer()
    device = Device("K1", server, max_batch_samples=10)
    for sample in samples(25):
        device.record(sample)
        device.flush(online=False, now=0.0)
    assert device.pending == 50 and server.batches == []
    device.flush(online=True, now=0.0)
    sizes = [len(b["readings"]) for b in server.batches]
    times = [r["t"] for b in server.batches for r in b["readings"]]
    assert sizes == [20, 20, 10]
    assert times == sorted(times)
    assert device.stats.accepted == 50


def test_a_refused_token_stops_the_device_and_keeps_its_buffer() -> None:
    device = Device("K1", InMemoryServer([Answer(401, {"error": "unknown token"})]))
    device.record(samples(1)[0])
    device.flush(online=True, now=0.0)
    assert device.stopped and device.pending == 2
    assert any("401" in m for m in device.messages)


def test_a_resend_is_once_a_duplicate_and_once_a_refused_conflict() -> None:
    server = InMemoryServer()
    device = Device("K1", server)
    for sample in samples(3):
        device.record(sample)
        device.flush(online=True, now=0.0)
    assert device.plan_resend()
    device.flush(online=True, now=0.0)
    assert device.stats.duplicates == 3  # 2 identical + the unchanged reading of the other
    assert device.stats.rejected == 1
    assert len(server.conflicts) == 1


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.001)


def spec(*faults: str) -> FacilitySpec:
    return facility_spec("K1", "pwd_x", "kiln", list(PROBES), list(faults), seed=3, interval_s=60)


def test_the_runner_sends_every_sample_at_speed_and_reports_per_facility() -> None:
    clock, server, lines = FakeClock(), InMemoryServer(), list[str]()
    outcome = run_fleet(
        [spec("outage@30m:20m", "resend@1h")],
        connect=lambda _spec: server,
        start=START,
        speed=600,
        duration_s=2 * 3600,
        report_every_s=1800,
        emit=lines.append,
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )
    assert clock.now <= 2 * 3600 / 600 + 1  # 2 simulated hours in about 12 s
    stats = outcome.fleet[0].device.stats
    assert stats.samples == 121 and len(server.stored) == 242
    assert (stats.accepted, stats.duplicates, stats.rejected) == (242, 3, 1)
    assert outcome.unsent == 0 and not outcome.failed
    assert sum("K1  kiln  sent" in line for line in lines) == 4
    assert any("OFFLINE" in line for line in lines)
    assert any("backlog of" in line for line in lines)


def test_the_same_seed_sends_the_same_batches() -> None:
    def once() -> list[dict[str, Any]]:
        clock, server = FakeClock(), InMemoryServer()
        run_fleet(
            [spec("door@20m:5m")],
            connect=lambda _spec: server,
            start=START,
            speed=1200,
            duration_s=3600,
            report_every_s=0,
            emit=lambda _line: None,
            monotonic=clock.monotonic,
            sleep=clock.sleep,
        )
        return server.batches

    first = once()
    # something was sent (two silent runs are equal too): every minute of the hour, both ends
    assert len({reading["t"] for batch in first for reading in batch["readings"]}) == 61
    assert first == once()


def test_a_ctrl_c_stops_cleanly_with_an_outcome() -> None:
    clock, server = FakeClock(), InMemoryServer()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock.now > 1.0:
            raise KeyboardInterrupt

    outcome = run_fleet(
        [spec()],
        connect=lambda _spec: server,
        start=START,
        speed=60,
        duration_s=None,
        report_every_s=0,
        emit=lambda _line: None,
        monotonic=clock.monotonic,
        sleep=sleep,
    )
    assert outcome.interrupted and outcome.fleet[0].device.stats.accepted > 0
