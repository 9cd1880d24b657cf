"""The outbox's delivery logic (services/outbox.py) on a store and a receiver in memory, with a
fixed clock: backoff capped and jittered, a receiver down for an hour caught up within the cap
once back, nothing lost; refusals held; a destination with no address waits, flagged."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest

from phytowatch.domain.messages import Code, Invalid
from phytowatch.services.clock import FixedClock
from phytowatch.services.outbox import (
    CAP,
    DELIVERED,
    REFUSED,
    SECOND,
    WAITING,
    Answer,
    DestinationStatus,
    Due,
    OutboxDelivery,
    Outcome,
    Receiver,
    backoff,
    receivers_of,
)

START = 1_800_000_000 * SECOND
PORT = Receiver("port", "http://port.example/in", "secret")


@dataclass
class Row:
    due: Due
    state: str = WAITING
    due_at: int = START
    last_error: str = ""


class MemoryStore:
    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}

    def add(self, n: int, destination: str = "port", at: int = START) -> None:
        for _ in range(n):
            i = len(self.rows) + 1
            due = Due(i, "transfer.created", f"T-{i}", destination, f'{{"n":{i}}}', at, 0, None)
            self.rows[i] = Row(due, due_at=at)

    def claim(self, *, now: int, lease: int, limit: int, destinations: Sequence[str]) -> list[Due]:
        due = sorted(
            (r for r in self.rows.values()
             if r.state == WAITING and r.due_at <= now and r.due.destination in destinations),
            key=lambda r: (r.due_at, r.due.id),
        )[:limit]  # fmt: skip
        for r in due:
            r.due_at = now + lease
        return [r.due for r in due]

    def record(self, outcomes: Sequence[Outcome]) -> None:
        for o in outcomes:
            r = self.rows[o.message_id]
            if r.state == DELIVERED:
                continue
            r.state, r.due_at = o.state, o.due_at
            r.due = replace(r.due, attempts=o.attempts, first_failed_at=o.first_failed_at)
            r.last_error = "" if o.error is None else o.error.code.value

    def wake(self, destination: str, *, now: int) -> int:
        woken = [
            r
            for r in self.rows.values()
            if r.due.destination == destination and r.state == WAITING and r.due_at > now
        ]
        for r in woken:
            r.due_at = now
        return len(woken)

    def counts(self, *, now: int, flag_after: int) -> list[DestinationStatus]:
        out = []
        for name in sorted({r.due.destination for r in self.rows.values()}):
            rows = [r for r in self.rows.values() if r.due.destination == name]
            waiting = [r for r in rows if r.state == WAITING]
            failing = [r for r in waiting
                       if r.due.first_failed_at is not None
                       and r.due.first_failed_at < now - flag_after]  # fmt: skip
            out.append(
                DestinationStatus(
                    name,
                    True,
                    len(waiting),
                    sum(r.state == DELIVERED for r in rows),
                    sum(r.state == REFUSED for r in rows),
                    len(failing),
                    min((r.due.created_at for r in waiting), default=None),
                    None,
                    None,
                )
            )
        return out

    def release(self, *, now: int, destination: str | None, message_id: int | None) -> int:
        raise NotImplementedError


class Port:
    """A receiver that is up or down, or answers a set status; it counts what it got by key."""

    def __init__(self) -> None:
        self.up = True
        self.status = 200
        self.received: dict[str, int] = {}
        self.posts = 0

    def post(self, receiver: Receiver, message: Due) -> Answer:
        self.posts += 1
        if not self.up:
            return Answer(None, "ConnectionRefusedError")
        if 200 <= self.status < 300:
            self.received[message.key] = self.received.get(message.key, 0) + 1
        return Answer(self.status, "" if self.status < 300 else "no")


def _delivery(
    store: MemoryStore, port: Port, clock: FixedClock, lease: int = 60 * SECOND
) -> OutboxDelivery:
    return OutboxDelivery(store, port, {"port": PORT}, clock, rng=random.Random(7), lease=lease)


def test_backoff_doubles_with_jitter_and_stops_at_the_cap() -> None:
    rng = random.Random(1)
    for attempts in range(1, 60):
        full = min(CAP, SECOND * 2 ** (attempts - 1))
        delay = backoff(attempts, rng)
        assert full // 2 <= delay <= full
    assert max(backoff(50, rng) for _ in range(200)) <= CAP
    assert len({backoff(10, rng) for _ in range(50)}) > 1  # jittered: not all the same


def test_a_receiver_down_for_an_hour_is_caught_up_within_the_cap_once_back() -> None:
    store, port, clock = MemoryStore(), Port(), FixedClock(START)
    store.add(250)
    delivery = _delivery(store, port, clock)
    port.up = False
    while clock.now() < START + 3600 * SECOND:  # an hour down: the worker keeps trying
        delivery.drain()
        clock.advance(5 * SECOND)
    assert not port.received and all(r.state == WAITING for r in store.rows.values())
    assert all(r.due_at - clock.now() <= CAP for r in store.rows.values())  # never further off
    # failing for more than the flag delay: flagged, still retried
    [status] = delivery.status()
    assert status.failing == 250 and status.flagged
    posts_while_down = port.posts
    assert posts_while_down < 250 * 60  # a failed destination's batch is not tried one by one
    port.up = True
    back = clock.now()
    while any(r.state == WAITING for r in store.rows.values()):
        delivery.drain()
        clock.advance(SECOND)
        assert clock.now() - back <= CAP + SECOND, "not caught up within the cap"
    assert sorted(port.received) == sorted(f"T-{i}" for i in range(1, 251))
    assert set(port.received.values()) == {1}
    [status] = delivery.status()
    assert (status.delivered, status.waiting, status.failing) == (250, 0, 0)


def test_a_worker_that_dies_mid_batch_leaves_its_claims_to_come_back_after_the_lease() -> None:
    store, port, clock = MemoryStore(), Port(), FixedClock(START)
    store.add(10)
    delivery = _delivery(store, port, clock, lease=60 * SECOND)
    claimed = store.claim(now=clock.now(), lease=60 * SECOND, limit=5, destinations=["port"])
    assert len(claimed) == 5  # ... and the worker is killed before it records anything
    delivery.drain()
    assert len(port.received) == 5  # the other five; the claimed ones wait out the lease
    clock.advance(61 * SECOND)
    delivery.drain()
    assert len(port.received) == 10 and all(r.state == DELIVERED for r in store.rows.values())


@pytest.mark.parametrize("status", [400, 401, 409, 413, 422])
def test_a_refusal_is_held_and_flagged_not_retried_in_a_loop(status: int) -> None:
    store, port, clock = MemoryStore(), Port(), FixedClock(START)
    store.add(3)
    port.status = status
    delivery = _delivery(store, port, clock)
    delivery.drain()
    for _ in range(20):
        clock.advance(CAP)
        delivery.drain()
    assert port.posts == 3  # each tried once
    assert {r.state for r in store.rows.values()} == {REFUSED}
    assert {r.last_error for r in store.rows.values()} == {Code.OUTBOX_STATUS.value}
    [s] = delivery.status()
    assert s.refused == 3 and s.flagged


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_later_and_server_errors_are_retried(status: int) -> None:
    store, port, clock = MemoryStore(), Port(), FixedClock(START)
    store.add(2)
    port.status = status
    delivery = _delivery(store, port, clock)
    delivery.drain()
    assert {r.state for r in store.rows.values()} == {WAITING}
    port.status = 200
    clock.advance(CAP)
    delivery.drain()
    assert {r.state for r in store.rows.values()} == {DELIVERED}


def test_a_destination_without_an_address_waits_flagged_and_is_not_claimed() -> None:
    store, port, clock = MemoryStore(), Port(), FixedClock(START)
    store.add(2, destination="port")
    store.add(3, destination="elsewhere")
    delivery = _delivery(store, port, clock)
    delivery.drain()
    assert len(port.received) == 2
    port_status, elsewhere = delivery.status()
    assert not port_status.flagged and port_status.delivered == 2
    assert elsewhere.destination == "elsewhere" and not elsewhere.configured
    assert elsewhere.waiting == 3 and elsewhere.flagged
    assert elsewhere.last_error is not None
    assert elsewhere.last_error.code is Code.OUTBOX_NO_ADDRESS


def test_the_receivers_settings_are_read_and_bad_ones_said() -> None:
    found = receivers_of("sz=http://a.example/in, gz=https://b.example", "sz=topsecret1,gz=y,sh=z")
    assert sorted(found) == ["gz", "sz"] and found["sz"].url == "http://a.example/in"
    assert "topsecret1" not in repr(found["sz"])  # the secret is never shown
    for addresses, secrets, code in [
        ("sz", "", Code.OUTBOX_RECEIVER_PAIR),
        ("sz=ftp://a", "sz=x", Code.OUTBOX_RECEIVER_URL),
        ("sz=http://", "sz=x", Code.OUTBOX_RECEIVER_URL),
        ("sz=http://a", "", Code.OUTBOX_RECEIVER_SECRET),
        ("sz=http://a", "sz", Code.OUTBOX_RECEIVER_PAIR),
    ]:
        with pytest.raises(Invalid) as caught:
            receivers_of(addresses, secrets)
        assert caught.value.message.code is code
    assert receivers_of("", "") == {}
