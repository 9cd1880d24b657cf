"""Delivering the outbox: each waiting message POSTed to its receiver, at least once.

The messages are put by the use cases in their own transaction (``services.transfers.ports.
Outbox``); this module is the worker's logic, on two ports: :class:`OutboxStore` (claims and
results, SQL in ``storage/outbox``) and :class:`Transport` (one POST, HTTP in
``notify/outbox_http.py``). The receivers' addresses and secrets are settings
(:class:`Receiver`).

- A claim takes up to ``batch`` due messages and pushes their due time ``lease`` ahead: a worker
  that dies mid-batch leaves them due again once the lease has run out, never lost. PostgreSQL
  claims with ``FOR UPDATE SKIP LOCKED`` (several workers share the work); SQLite has one worker.
- 2xx: delivered. No answer, 5xx, 408 or 429: retried after an exponential backoff with jitter,
  capped (``cap``), forever; a message failing longer than ``flag_after`` is flagged for the
  administrator and still retried. Any other 4xx: the receiver refuses the message; it is held
  (``refused``), flagged, and sent again only when an administrator retries it.
- When one destination fails, the rest of its batch is not tried (the same backoff); when it
  answers again, its waiting messages are made due at once (caught up without waiting out each
  one's backoff).
- A destination with no address configured is not claimed: its messages wait, flagged.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from phytowatch.domain.messages import Code, Message, invalid, say, stored_message
from phytowatch.services.audit import AuditLog
from phytowatch.services.clock import Clock
from phytowatch.services.context import Context

SECOND = 1_000_000
BASE = 1 * SECOND  # the first retry's delay
CAP = 300 * SECOND  # the longest delay between two attempts
LEASE = 60 * SECOND  # how long a claim holds a message (a dead worker's claims come back)
FLAG_AFTER = 15 * 60 * SECOND  # failing this long: flagged for the administrator
BATCH = 100
RETRIED = (408, 429)  # 4xx that say "later", not "no"

WAITING = "waiting"
DELIVERED = "delivered"
REFUSED = "refused"


@dataclass(frozen=True)
class Receiver:
    """A destination's address and the secret its bodies are signed with (settings)."""

    name: str
    url: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class Due:
    """A claimed message, as it is sent."""

    id: int
    topic: str
    key: str
    destination: str
    body: str
    created_at: int
    attempts: int
    first_failed_at: int | None


@dataclass(frozen=True)
class Answer:
    """What one POST came to: the receiver's status, or ``None`` when it did not answer (with
    why, in ``error``)."""

    status: int | None
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    """A delivery attempt's result, as the store records it."""

    message_id: int
    state: str
    due_at: int
    attempts: int
    first_failed_at: int | None
    status: int | None
    error: Message | None
    at: int


@dataclass(frozen=True)
class DestinationStatus:
    destination: str
    configured: bool
    waiting: int
    delivered: int
    refused: int
    failing: int  # waiting and failing for longer than ``flag_after``
    oldest_undelivered_since: int | None  # the oldest message not delivered (waiting, refused)
    last_error: Message | None
    last_error_at: int | None

    @property
    def flagged(self) -> bool:
        return self.refused > 0 or self.failing > 0 or (self.waiting > 0 and not self.configured)


class OutboxStore(Protocol):
    def claim(self, *, now: int, lease: int, limit: int, destinations: Sequence[str]) -> list[Due]:
        """Up to ``limit`` waiting messages to ``destinations`` due by ``now``, earliest first,
        each pushed ``lease`` ahead (the claim); in one transaction."""
        ...

    def record(self, outcomes: Sequence[Outcome]) -> None:
        """The attempts' results, in one transaction."""
        ...

    def wake(self, destination: str, *, now: int) -> int:
        """Make ``destination``'s waiting messages due ``now``; how many were."""
        ...

    def counts(self, *, now: int, flag_after: int) -> list[DestinationStatus]:
        """Per destination (configured or not is said by the caller)."""
        ...

    def release(self, *, now: int, destination: str | None, message_id: int | None) -> int:
        """Refused messages back to waiting, due now; how many."""
        ...


class Transport(Protocol):
    def post(self, receiver: Receiver, message: Due) -> Answer:
        """POST the message's body to the receiver with its key and signature."""
        ...


def backoff(attempts: int, rng: random.Random, *, base: int = BASE, cap: int = CAP) -> int:
    """The delay before the next attempt after ``attempts`` failed ones (µs): exponential from
    ``base``, capped at ``cap``, with jitter (between half and all of it)."""
    full: int = min(cap, base * (2 ** min(max(attempts - 1, 0), 40)))
    return full // 2 + int(rng.randint(0, full - full // 2))


def failed(answer: Answer) -> Message:
    if answer.status is None:
        return say(Code.OUTBOX_NO_ANSWER, error=answer.error[:300])
    return say(Code.OUTBOX_STATUS, status=answer.status, error=answer.error[:300])


def error_json(message: Message | None) -> str:
    return "" if message is None else json.dumps(message.to_json(), ensure_ascii=False)


def error_of(text: str) -> Message | None:
    if not text:
        return None
    try:
        return stored_message(json.loads(text))
    except ValueError:
        return say(Code.TEXT, text=text)


class OutboxDelivery:
    """The worker's logic: ``deliver_once`` (a batch), ``drain``, ``run`` (until stopped); the
    administrator's ``status`` and ``retry``."""

    def __init__(
        self,
        store: OutboxStore,
        transport: Transport,
        receivers: Mapping[str, Receiver],
        clock: Clock,
        *,
        audit: AuditLog | None = None,
        base: int = BASE,
        cap: int = CAP,
        lease: int = LEASE,
        flag_after: int = FLAG_AFTER,
        batch: int = BATCH,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.transport = transport
        self.receivers = dict(receivers)
        self.clock = clock
        self.audit = audit
        self.base, self.cap, self.lease = base, cap, lease
        self.flag_after, self.batch = flag_after, batch
        self.rng = rng or random.Random()

    def deliver_once(self) -> int:
        """Claim a batch of due messages and try each; how many were claimed."""
        now = self.clock.now()
        claimed = self.store.claim(
            now=now, lease=self.lease, limit=self.batch, destinations=sorted(self.receivers)
        )
        if not claimed:
            return 0
        outcomes: list[Outcome] = []
        down: dict[str, tuple[Answer, Message]] = {}  # a destination that failed this batch
        recovered: set[str] = set()
        for message in claimed:
            at = self.clock.now()
            if message.destination in down:
                answer, said = down[message.destination]
                outcomes.append(self._retry_later(message, answer, said, at))
                continue
            answer = self.transport.post(self.receivers[message.destination], message)
            status = answer.status
            if status is not None and 200 <= status < 300:
                outcomes.append(
                    Outcome(
                        message.id,
                        DELIVERED,
                        at,
                        message.attempts + 1,
                        message.first_failed_at,
                        status,
                        None,
                        at,
                    )
                )
                if message.attempts:
                    recovered.add(message.destination)
            elif status is not None and 400 <= status < 500 and status not in RETRIED:
                outcomes.append(
                    Outcome(
                        message.id,
                        REFUSED,
                        at,
                        message.attempts + 1,
                        message.first_failed_at or at,
                        status,
                        failed(answer),
                        at,
                    )
                )
            else:
                said = failed(answer)
                down[message.destination] = (answer, said)
                outcomes.append(self._retry_later(message, answer, said, at))
        self.store.record(outcomes)
        now = self.clock.now()
        for destination in recovered - set(down):
            self.store.wake(destination, now=now)
        return len(claimed)

    def _retry_later(self, message: Due, answer: Answer, said: Message, at: int) -> Outcome:
        attempts = message.attempts + 1
        delay = backoff(attempts, self.rng, base=self.base, cap=self.cap)
        return Outcome(
            message.id,
            WAITING,
            at + delay,
            attempts,
            message.first_failed_at or at,
            answer.status,
            said,
            at,
        )

    def drain(self, *, most: int = 1_000_000) -> int:
        """Batches until none is due now (or ``most`` messages claimed); how many claimed."""
        total = 0
        while total < most:
            claimed = self.deliver_once()
            if not claimed:
                break
            total += claimed
        return total

    def run(
        self,
        stop: threading.Event,
        *,
        idle_s: float = 1.0,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Deliver until ``stop`` is set: batches while any is due, then a pause of ``idle_s``.
        An error of the store or the transport (the database restarting, say) is reported to
        ``on_error`` and the loop goes on after the pause."""
        while not stop.is_set():
            try:
                busy = self.deliver_once() > 0
            except Exception as error:  # the loop outlives a database that is briefly away
                if on_error is not None:
                    on_error(error)
                busy = False
            if not busy:
                stop.wait(idle_s)

    def status(self) -> list[DestinationStatus]:
        """Per destination: configured ones first (even when empty), then the others."""
        now = self.clock.now()
        found = {s.destination: s for s in self.store.counts(now=now, flag_after=self.flag_after)}
        out = []
        for name in sorted(self.receivers):
            s = found.pop(name, None)
            out.append(
                DestinationStatus(name, True, 0, 0, 0, 0, None, None, None)
                if s is None
                else _configured(s, True)
            )
        for name in sorted(found):
            out.append(_configured(found[name], False))
        return out

    def retry(self, ctx: Context, *, destination: str | None, message_id: int | None) -> int:
        """Refused messages sent again (after the receiver or its settings were fixed): back to
        waiting, due now; audited. How many."""
        assert self.audit is not None
        with self.audit.atomic():
            count = self.store.release(now=ctx.now, destination=destination, message_id=message_id)
            self.audit.record(
                actor=ctx.actor,
                action="outbox.retried",
                object_type="outbox",
                object_id=str(message_id) if message_id is not None else (destination or "*"),
                after={"released": count},
                now=ctx.now,
            )
        return count


def _configured(s: DestinationStatus, configured: bool) -> DestinationStatus:
    error = s.last_error
    if not configured and s.waiting:
        error = say(Code.OUTBOX_NO_ADDRESS, destination=s.destination)
    return DestinationStatus(
        s.destination,
        configured,
        s.waiting,
        s.delivered,
        s.refused,
        s.failing if configured else s.waiting,
        s.oldest_undelivered_since,
        error,
        s.last_error_at,
    )


def receivers_of(addresses: str, secrets: str) -> dict[str, Receiver]:
    """The receivers the settings name: ``NAME=URL,...`` and ``NAME=SECRET,...``. ``Invalid``
    for a pair not of that form, a URL that is not http(s) with a host, or a receiver with no
    secret (a secret with no address is kept for when one is given: nothing to send it to)."""
    urls = _pairs(addresses, "PHYTOWATCH_RECEIVERS")
    keys = _pairs(secrets, "PHYTOWATCH_RECEIVER_SECRETS", shown=False)
    out: dict[str, Receiver] = {}
    for name, url in urls.items():
        scheme, _, rest = url.partition("://")
        if scheme not in ("http", "https") or not rest.split("/")[0]:
            raise invalid(Code.OUTBOX_RECEIVER_URL, name=name, url=url[:200])
        secret = keys.get(name, "")
        if not secret:
            raise invalid(Code.OUTBOX_RECEIVER_SECRET, name=name)
        out[name] = Receiver(name, url, secret)
    return out


def _pairs(text: str, setting: str, *, shown: bool = True) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise invalid(
                Code.OUTBOX_RECEIVER_PAIR, setting=setting, item=item[:100] if shown else "…"
            )
        out[name.strip()] = value.strip()
    return out
