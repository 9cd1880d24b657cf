"""The device: a buffer of samples, sent in batches, deleted only once the server has them.

What any good device does (device-protocol.md): readings leave the buffer only on ``200`` (the
batch is committed, rejected readings included: resending cannot make them acceptable); on
``503`` it waits ``Retry-After`` seconds and resends; on a network error or a ``5xx`` it keeps the
buffer and tries again later; while the network is down (an outage) it only buffers, and when it
is back it sends the backlog oldest first. Time is passed in (``now``, wall seconds).
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, Message, code_of, params_from_json, say
from phytowatch.simulate.models import Sample

_BACKOFF_S = (1.0, 2.0, 5.0, 10.0)
_BATCHES_PER_FLUSH = 5  # then let the other facilities of the fleet have their turn


@dataclass(frozen=True)
class Answer:
    """The server's answer to one batch: the status and the JSON body (``{}`` if none)."""

    status: int
    body: dict[str, Any]
    retry_after: float | None = None


class Transport(Protocol):
    """Sends one batch (the JSON body of the protocol) and returns the answer.

    Raises OSError (or TimeoutError) when the answer cannot be had: the batch may or may not have
    arrived, and the device will send it again.
    """

    channel: str

    def send(self, payload: dict[str, Any]) -> Answer: ...

    def close(self) -> None: ...


@dataclass
class Stats:
    """What a device did, for the progress lines and the summary."""

    samples: int = 0
    sent: int = 0  # readings offered in batches answered 200
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    retries: int = 0  # 503 answers and network errors
    refused: int = 0  # readings dropped because their batch was refused whole (4xx)


def batch_payload(facility: str, samples: list[Sample]) -> dict[str, Any]:
    """The list form of the protocol: one reading object per reading, device times with Z."""
    readings: list[dict[str, Any]] = []
    for sample in samples:
        for r in sample.readings:
            item: dict[str, Any] = {"probe": r.probe, "t": format_instant(r.t), "v": r.value}
            if r.fault is not None:
                item["fault"] = r.fault
            readings.append(item)
    return {"facility": facility, "readings": readings}


@dataclass
class Device:
    """One facility's data logger: ``record`` each sample, ``flush`` whenever it may send."""

    facility: str
    transport: Transport
    max_batch_samples: int = 60
    stats: Stats = field(default_factory=Stats)
    messages: list[str] = field(default_factory=list)  # for the runner to print, then clear
    said: Callable[[Message], str] = Message.english  # how a message is said (its language)
    stopped: bool = False  # a 401/403: nothing this device sends can succeed
    _buffer: deque[Sample] = field(default_factory=deque)
    _resends: deque[dict[str, Any]] = field(default_factory=deque)
    _last_sent: dict[str, Any] | None = None
    _retry_at: float = 0.0
    _failures: int = 0
    _too_large: bool = False  # the last batch got a 413

    @property
    def pending(self) -> int:
        """Readings in the buffer, not yet committed by the server."""
        return sum(len(s.readings) for s in self._buffer)

    @property
    def busy(self) -> bool:
        return bool(self._buffer or self._resends) and not self.stopped

    def record(self, sample: Sample) -> None:
        self.stats.samples += 1
        if sample.readings:
            self._buffer.append(sample)

    def plan_resend(self) -> bool:
        """Send the last committed batch again: once identical, once with one value changed.

        The first is a harmless duplicate; the second rewrites history, which the server must
        refuse (and keep as evidence). False when no batch with a value has been sent yet.
        """
        if self._last_sent is None:
            return False
        same = copy.deepcopy(self._last_sent)
        changed = copy.deepcopy(self._last_sent)
        for item in changed["readings"]:
            if item.get("v") is not None:
                item["v"] = round(item["v"] + 0.5, 2)
                break
        self._resends.extend([same, changed])
        return True

    def flush(self, *, online: bool, now: float) -> None:
        """Send what can be sent now: the backlog oldest first, then any planned resends."""
        if not online or self.stopped or now < self._retry_at:
            return
        for _ in range(_BATCHES_PER_FLUSH):
            if self._buffer:
                count = min(self.max_batch_samples, len(self._buffer))
                samples = [self._buffer[k] for k in range(count)]
                payload = batch_payload(self.facility, samples)
                if self._send(payload, now):
                    for _ in range(count):
                        self._buffer.popleft()
                    if any(item["v"] is not None for item in payload["readings"]):
                        self._last_sent = payload
                elif not self._split_or_wait(count):
                    return
            elif self._resends:
                if self._send(self._resends[0], now):
                    self._resends.popleft()
                else:
                    return
            else:
                return

    def _split_or_wait(self, count: int) -> bool:
        """After a 413: smaller batches (True: try again now). Otherwise wait (False)."""
        if self._too_large and count > 1:
            self.max_batch_samples = max(1, count // 2)
            self._too_large = False
            return True
        return False

    def _send(self, payload: dict[str, Any], now: float) -> bool:
        """True when the batch is done with (200, or refused whole); False: keep it for later."""
        offered = len(payload["readings"])
        try:
            answer = self.transport.send(payload)
        except OSError as error:
            said = getattr(error, "message", None)  # a transport's own reason, said
            cause = self.said(said) if isinstance(said, Message) else f"{error}"
            cause = f"{error.__class__.__name__}: {cause}"
            self._wait(now, None, self.said(say(Code.SIM_NETWORK_ERROR, error=cause)))
            return False
        if answer.status == 200:
            body = answer.body
            self._failures = 0
            self.stats.batches += 1
            self.stats.sent += offered
            self.stats.accepted += int(body.get("accepted", 0))
            self.stats.duplicates += int(body.get("duplicates", 0))
            self.stats.rejected += len(body.get("rejected", []))
            for item in body.get("rejected", [])[:3]:
                reason = self._server(item, "reason")
                self.messages.append(self.said(say(Code.SIM_REJECTED, reason=reason)))
            return True
        why = self._server(answer.body, "error")
        if answer.status == 503 or answer.status >= 500:
            self._wait(now, answer.retry_after, f"{answer.status} {why}".strip())
            return False
        if answer.status in (401, 403):
            self.stopped = True
            stopped = say(Code.SIM_DEVICE_STOPPED, status=answer.status, why=why)
            self.messages.append(self.said(stopped))
            return False
        if answer.status == 413 and offered > 1:
            self._too_large = True
            return False
        # 413 for a single reading, 422, another 4xx: sending the same again will fail again
        self.stats.refused += offered
        refused = say(Code.SIM_BATCH_REFUSED, status=answer.status, why=why)
        self.messages.append(self.said(refused))
        return True

    def _server(self, body: Any, english: str) -> str:
        """What the server said (an answer's error, a reading's reason): from its code and
        parameters in the device's language, else its English text."""
        if not isinstance(body, dict):
            return str(body)
        try:
            message = Message(
                code_of(str(body["code"])), params_from_json(body.get("params") or {})
            )
            return self.said(message)
        except (KeyError, TypeError, ValueError, IndexError):
            return str(body.get(english, body))

    def _wait(self, now: float, retry_after: float | None, why: str) -> None:
        self.stats.retries += 1
        if retry_after is None:
            retry_after = _BACKOFF_S[min(self._failures, len(_BACKOFF_S) - 1)]
        self._failures += 1
        self._retry_at = now + retry_after
        if self._failures in (1, 10, 100):
            waiting = say(Code.SIM_RETRY, why=why, seconds=f"{retry_after:g}")
            self.messages.append(self.said(waiting))
