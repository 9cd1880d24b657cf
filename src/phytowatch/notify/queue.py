"""One background thread per channel, a bounded queue in front of it, retries with backoff.

The caller (the alarm tick) never waits for a network: :meth:`DeliveryQueue.put` appends and
returns. A full queue is loud, not silent: it logs an error, drops the *oldest* notification
(the newest says most about now) and counts it in :attr:`DeliveryQueue.dropped`. A delivery
that fails with :class:`TransientError` is tried again after each delay of ``backoff``
(1, 2, 4, 8, 16 s by default), then given up and logged; :class:`PermanentError` ends it at
once (a 4xx, say).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from phytowatch.services.notify import Message

log = logging.getLogger(__name__)

BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0)
MAX_RETRY_AFTER_S = 60.0  # a server's Retry-After is honoured up to this


class TransientError(Exception):
    """A failure worth trying again (connection error, 5xx, 429, SMTP 4xx).

    The message must never carry a secret: it is logged.
    """

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class PermanentError(Exception):
    """A failure that trying again will not fix (4xx, SMTP 5xx, bad address)."""


@dataclass(frozen=True)
class Delivery:
    to: str
    message: Message
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


class DeliveryQueue:
    def __init__(
        self,
        name: str,
        deliver: Callable[[Delivery], None],
        describe: Callable[[str], str],
        *,
        maxsize: int = 1000,
        backoff: Sequence[float] = BACKOFF_S,
        drain_s: float = 5.0,
    ) -> None:
        self.name = name
        self._deliver = deliver
        self._describe = describe  # a destination as it may be logged (no credentials)
        self._maxsize = max(1, maxsize)
        self._backoff = tuple(backoff)
        self._drain_s = drain_s
        self._items: deque[Delivery] = deque()
        self._ready = threading.Condition()
        self._stop = threading.Event()
        self._deadline: float | None = None
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    @property
    def backlog(self) -> int:
        return len(self._items)

    def put(self, to: str, message: Message) -> None:
        """Queue one notification and return at once."""
        with self._ready:
            if self._stop.is_set():
                self.dropped += 1
                log.error(
                    "%s: closed; %s to %s not sent", self.name, message.event, self._describe(to)
                )
                return
            if len(self._items) >= self._maxsize:
                oldest = self._items.popleft()
                self.dropped += 1
                log.error(
                    "%s: queue full (%d waiting): dropped the oldest notification (%s to %s); "
                    "%d dropped so far",
                    self.name,
                    self._maxsize,
                    oldest.message.event,
                    self._describe(oldest.to),
                    self.dropped,
                )
            self._items.append(Delivery(to, message))
            if self._thread is None:  # started on first use: nothing runs until needed
                self._thread = threading.Thread(
                    target=self._run, name=f"phytowatch-{self.name}", daemon=True
                )
                self._thread.start()
            self._ready.notify()

    def close(self, timeout: float | None = None) -> None:
        """Stop retrying; send what is queued once each for up to ``drain_s``; then stop."""
        with self._ready:
            self._stop.set()
            self._deadline = time.monotonic() + self._drain_s
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join(self._drain_s + 1.0 if timeout is None else timeout)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._items and not self._stop.is_set():
                    self._ready.wait()
                if not self._items:
                    return
                if self._deadline is not None and time.monotonic() > self._deadline:
                    left = len(self._items)
                    self._items.clear()
                    self.failed += left
                    log.error("%s: shutting down: %d notification(s) not sent", self.name, left)
                    return
                delivery = self._items.popleft()
            try:
                self._send(delivery)
            except Exception:  # a bug in an adapter must not kill the thread
                self.failed += 1
                log.exception("%s: sending %s failed", self.name, delivery.message.event)

    def _send(self, delivery: Delivery) -> None:
        where = self._describe(delivery.to)
        event = delivery.message.event
        attempts = len(self._backoff) + 1
        for attempt in range(1, attempts + 1):
            try:
                self._deliver(delivery)
            except PermanentError as error:
                self.failed += 1
                log.error("%s: %s to %s not sent: %s", self.name, event, where, error)
                return
            except TransientError as error:
                if attempt == attempts or self._stop.is_set():
                    self.failed += 1
                    log.error(
                        "%s: %s to %s not sent after %d attempt(s): %s",
                        self.name,
                        event,
                        where,
                        attempt,
                        error,
                    )
                    return
                delay = self._backoff[attempt - 1]
                if error.after is not None:
                    delay = max(delay, min(error.after, MAX_RETRY_AFTER_S))
                log.warning(
                    "%s: %s to %s, attempt %d failed (%s); next in %g s",
                    self.name,
                    event,
                    where,
                    attempt,
                    error,
                    delay,
                )
                if self._stop.wait(delay):  # closing: no more waiting, one last try
                    continue
            else:
                self.delivered += 1
                log.info("%s: %s to %s sent (attempt %d)", self.name, event, where, attempt)
                return
