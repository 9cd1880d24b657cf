"""Device protocol v1 over MQTT: one ingest worker on a shared, persistent subscription.

Devices publish the same JSON batch as over HTTP to ``phytowatch/v1/<facility>/readings`` at
QoS 1. A worker subscribes to ``phytowatch/v1/+/readings`` (the default: one worker), or with a
share group to ``$share/<group>/phytowatch/v1/+/readings`` (the broker splits the messages among
the workers of the group), with a fixed client id and a persistent session (MQTT 5, clean start
off, a session expiry), so that messages published while the worker is down wait in the broker
and are delivered when it comes back. Mosquitto 2.0 keeps a plain subscription across its own
restart but not a shared one, hence the default.

A message is acknowledged (PUBACK) only once its batch is committed: acknowledgements are manual
(paho's ``manual_ack``; aiomqtt 2.5 does not expose it, so the underlying paho client is used).
A crash before the commit means the broker delivers the message again; the second delivery is
stored as duplicates, never as double rows. While the write queue is full or the database is
unreachable the message is retried with a backoff, never dropped and never acknowledged.

The per-batch answer (the body of HTTP's 200, or ``{"error": ...}`` for a refused batch) is
published to ``phytowatch/v1/<facility>/results`` at QoS 0 (with the request's MQTT 5
correlation data, when given). See docs/mqtt-broker.md. Nothing happens at import.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from phytowatch.domain.messages import Code, Message, params_for_api, say
from phytowatch.formats import protocol_v1
from phytowatch.services import ingest
from phytowatch.services.ports import (
    FacilityRef,
    ReadingBatch,
    StorageUnavailableError,
    StoreOutcome,
    WriterBusyError,
)

if TYPE_CHECKING:
    from phytowatch.config import Settings
    from phytowatch.services.app import App

log = logging.getLogger(__name__)

TOPIC_ROOT = "phytowatch/v1"
READINGS_FILTER = f"{TOPIC_ROOT}/+/readings"
DEFAULT_SESSION_EXPIRY_S = 7 * 24 * 3600
FACILITY_CACHE_S = 30.0
QUICK_RECONNECTS = 10
QUICK_RECONNECT_S = 0.2


def readings_topic(facility: str) -> str:
    return f"{TOPIC_ROOT}/{facility}/readings"


def results_topic(facility: str) -> str:
    return f"{TOPIC_ROOT}/{facility}/results"


def facility_of_topic(topic: str) -> str | None:
    """The facility code of ``phytowatch/v1/<facility>/readings``; None for any other topic."""
    parts = topic.split("/")
    if len(parts) != 4 or "/".join(parts[:2]) != TOPIC_ROOT or parts[3] != "readings":
        return None
    return parts[2] or None


def refusal_json(message: Message) -> dict[str, Any]:
    """A batch refused whole, on the results topic: the English ``error`` devices have always
    read, with its ``code`` and ``params`` (as HTTP's error bodies)."""
    return {
        "error": message.english(),
        "code": message.code.value,
        "params": params_for_api(message.params),
    }


class _GoneError(Exception):
    """The connection the message came on is gone, or the worker stops: leave it unacknowledged."""


@dataclass(frozen=True)
class _Result:
    facility: str | None  # where to publish the answer (None: nowhere)
    body: dict[str, Any] | None


class MqttIngest:
    """One ingest worker. ``await run()`` until ``stop()`` (callable from any thread)."""

    def __init__(
        self,
        services: App,
        settings: Settings,
        *,
        client_id: str,
        session_expiry: int = DEFAULT_SESSION_EXPIRY_S,
        max_in_flight: int = 32,
        retry_delay: float = 0.5,
        max_retry_delay: float = 10.0,
        max_reconnect_delay: float = 30.0,
    ) -> None:
        self.services = services
        self.settings = settings
        self.client_id = client_id
        self.session_expiry = session_expiry
        self.max_in_flight = max_in_flight
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.max_reconnect_delay = max_reconnect_delay
        group = settings.mqtt_share_group
        # an empty group: a plain subscription (one worker; see docs/mqtt-broker.md)
        self.topic_filter = f"$share/{group}/{READINGS_FILTER}" if group else READINGS_FILTER
        # counters: received, acked, stored (batches committed), accepted (readings), duplicates,
        # refused, retried, errors, connects
        self.stats: collections.Counter[str] = collections.Counter()
        self.acked: collections.Counter[str] = collections.Counter()  # by topic facility
        self.ready = threading.Event()  # set while connected and subscribed
        self._stop_requested = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._facilities: dict[str, tuple[FacilityRef, float]] = {}
        self._was_up = False

    # ---- lifecycle -------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop taking messages, finish (and acknowledge) those in flight, disconnect."""
        self._stop_requested.set()
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)

    async def run(self) -> None:
        """Connect, consume, reconnect with a backoff when the broker goes away; until stop()."""
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        if self._stop_requested.is_set():
            return
        failures = 0
        while not self._stopping.is_set():
            try:
                await self._connection()
            except aiomqtt.MqttError as error:
                log.warning("MQTT broker %s: %s", self._where(), error)
            finally:
                self.ready.clear()
            if self._stopping.is_set():
                break
            failures = 1 if self._was_up else failures + 1
            delay = self._reconnect_delay(failures)
            log.info("reconnecting to %s in %.1f s", self._where(), delay)
            await self._sleep(delay)

    def _reconnect_delay(self, failures: int) -> float:
        """Quick retries first (a restarting broker is back within seconds, and on Mosquitto a
        shared subscription only receives again once renewed), then an exponential backoff."""
        if failures <= QUICK_RECONNECTS:
            return QUICK_RECONNECT_S
        return float(
            min(QUICK_RECONNECT_S * 2 ** (failures - QUICK_RECONNECTS), self.max_reconnect_delay)
        )

    def _where(self) -> str:
        return f"{self.settings.mqtt_host}:{self.settings.mqtt_port}"

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once when the worker is told to stop."""
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    def _client(self) -> aiomqtt.Client:
        connect = Properties(PacketTypes.CONNECT)
        connect.SessionExpiryInterval = self.session_expiry
        connect.ReceiveMaximum = self.max_in_flight
        settings = self.settings
        client = aiomqtt.Client(
            settings.mqtt_host,
            settings.mqtt_port,
            username=settings.mqtt_username,
            password=settings.mqtt_password,
            identifier=self.client_id,
            protocol=aiomqtt.ProtocolVersion.V5,
            clean_start=False,  # keep the session (and the queued QoS 1 messages) across restarts
            properties=connect,
            keepalive=30,
        )
        # aiomqtt 2.5 has no option for it: turn on paho's manual acknowledgement before
        # connecting (a persistent session may deliver queued messages right after CONNACK).
        client._client.manual_ack_set(True)
        return client

    async def _connection(self) -> None:
        assert self._stopping is not None
        self._was_up = False
        client = self._client()
        async with client:
            self.stats["connects"] += 1
            granted = await client.subscribe(self.topic_filter, qos=1)
            for code in granted:
                value = code if isinstance(code, int) else code.value
                if value >= 0x80:
                    raise aiomqtt.MqttError(
                        f"subscription to {self.topic_filter} refused ({code}): check the ACL"
                    )
            log.info("MQTT ingest %s subscribed to %s", self.client_id, self.topic_filter)
            self._was_up = True
            self.ready.set()
            await self._consume(client)

    async def _consume(self, client: aiomqtt.Client) -> None:
        """Handle messages concurrently (up to max_in_flight), acknowledge them in order."""
        assert self._stopping is not None
        gone = asyncio.Event()
        slots = asyncio.Semaphore(self.max_in_flight)
        in_order: asyncio.Queue[tuple[aiomqtt.Message, asyncio.Task[bool]] | None] = asyncio.Queue()

        async def read() -> None:
            async for message in client.messages:
                await slots.acquire()
                self.stats["received"] += 1
                task = asyncio.create_task(self._handle(client, message, gone))
                in_order.put_nowait((message, task))

        async def acknowledge() -> None:
            while (item := await in_order.get()) is not None:
                message, task = item
                try:
                    ack = await task
                except Exception:  # _handle answers its own errors; this is a last resort
                    log.exception("handling an MQTT message failed")
                    ack = True  # refused for good: redelivering it would fail the same way
                finally:
                    slots.release()
                if ack and not gone.is_set() and message.qos > 0:
                    client._client.ack(message.mid, message.qos)
                    self.stats["acked"] += 1
                    self.acked[facility_of_topic(message.topic.value) or ""] += 1

        reader = asyncio.create_task(read())
        acker = asyncio.create_task(acknowledge())
        stop = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({reader, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            reader.cancel()
            try:
                await reader
            except asyncio.CancelledError:
                pass
            except aiomqtt.MqttError:
                gone.set()  # the broker went away: what is in flight will be delivered again
            except Exception:
                log.exception("reading MQTT messages failed")
                gone.set()
            in_order.put_nowait(None)
            await acker  # stopping: the batches in flight are committed and acknowledged
        if gone.is_set():
            raise aiomqtt.MqttError("connection lost")

    # ---- one message -----------------------------------------------------------------------

    async def _handle(
        self, client: aiomqtt.Client, message: aiomqtt.Message, gone: asyncio.Event
    ) -> bool:
        """Store one message; True once it may be acknowledged (committed, or refused for good)."""
        try:
            result = await self._process(message, gone)
        except _GoneError:
            return False
        except Exception:  # a bug: like HTTP's 500, answer and acknowledge, do not loop on it
            log.exception("MQTT message on %s failed", message.topic.value)
            self.stats["errors"] += 1
            facility = facility_of_topic(message.topic.value)
            result = _Result(facility, refusal_json(say(Code.MQTT_INTERNAL)))
        if result.facility is not None and result.body is not None and not gone.is_set():
            try:
                await self._publish(client, message, result.facility, result.body)
            except Exception:  # never let an answer stop the acknowledgements
                log.exception("answering on %s failed", message.topic.value)
        return True

    def _refuse(self, facility: str | None, reason: Message, *, answer: bool = True) -> _Result:
        self.stats["refused"] += 1
        log.warning("MQTT batch refused (facility %r): %s", facility, reason.english())
        return _Result(facility if answer else None, refusal_json(reason))

    async def _process(self, message: aiomqtt.Message, gone: asyncio.Event) -> _Result:
        topic = message.topic.value
        code = facility_of_topic(topic)
        if code is None:
            return self._refuse(None, say(Code.MQTT_NOT_READINGS, topic=topic), answer=False)
        facility = await self._facility(code, gone)
        if facility is None:
            # nobody here owns that topic: no answer (another deployment may share the broker)
            return self._refuse(code, say(Code.MQTT_UNKNOWN_FACILITY, facility=code), answer=False)
        payload = message.payload
        if isinstance(payload, str):
            body = payload.encode()
        elif isinstance(payload, bytes | bytearray):
            body = bytes(payload)
        else:
            return self._refuse(code, say(Code.MQTT_NOT_BYTES))
        settings = self.settings
        if len(body) > settings.max_body_bytes:
            return self._refuse(code, say(Code.MQTT_TOO_LARGE, max=settings.max_body_bytes))
        try:
            data = protocol_v1.parse_body(body)
        except protocol_v1.PayloadError as error:
            return self._refuse(code, error.message)
        if data["facility"] != code:
            return self._refuse(
                code, say(Code.MQTT_OTHER_FACILITY, payload=data["facility"], topic=code)
            )
        if protocol_v1.count_items(data) > settings.max_readings_per_batch:
            # before any reading is checked, as over HTTP
            return self._refuse(
                code, say(Code.PAYLOAD_TOO_MANY, max=settings.max_readings_per_batch)
            )
        now = self.services.clock.now()
        try:
            plan = ingest.plan(
                data, facility, now=now, future_tolerance=settings.future_tolerance_s * 1_000_000
            )
        except protocol_v1.PayloadError as error:
            return self._refuse(code, error.message)
        outcome = StoreOutcome(0, (), ())
        if plan.batch_items:
            batch = ingest.batch_of(plan, facility, channel="mqtt", now=now)
            outcome = await self._store(batch, gone)
            self.stats["stored"] += 1
            self.stats["accepted"] += outcome.inserted
            self.stats["duplicates"] += len(outcome.duplicates)
        return _Result(code, ingest.answer(plan, outcome))

    async def _facility(self, code: str, gone: asyncio.Event) -> FacilityRef | None:
        cached = self._facilities.get(code)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        delay = self.retry_delay
        while True:
            try:
                facility = await asyncio.to_thread(self.services.registry.facility_by_code, code)
                break
            except StorageUnavailableError:
                log.warning("database unavailable looking up %r", code)
            delay = await self._back_off(delay, gone)
        if facility is not None:
            self._facilities[code] = (facility, time.monotonic() + FACILITY_CACHE_S)
        return facility

    async def _store(self, batch: ReadingBatch, gone: asyncio.Event) -> StoreOutcome:
        """Submit and wait for the commit; retry (never drop) while busy or unavailable."""
        delay = self.retry_delay
        while True:
            try:
                future = self.services.writer.submit(batch)
                # shielded: a cancelled wait must not cancel the writer's future under it
                return await asyncio.shield(asyncio.wrap_future(future))
            except WriterBusyError:
                log.info("write queue full; retrying a batch of facility %d", batch.facility_id)
            except StorageUnavailableError:
                log.warning(
                    "database unavailable; retrying a batch of facility %d", batch.facility_id
                )
            delay = await self._back_off(delay, gone)

    async def _back_off(self, delay: float, gone: asyncio.Event) -> float:
        assert self._stopping is not None
        self.stats["retried"] += 1
        if gone.is_set() or self._stopping.is_set():
            raise _GoneError
        await self._sleep(delay)
        if gone.is_set() or self._stopping.is_set():
            raise _GoneError
        return min(delay * 2, self.max_retry_delay)

    async def _publish(
        self, client: aiomqtt.Client, request: aiomqtt.Message, facility: str, body: dict[str, Any]
    ) -> None:
        properties = None
        correlation = getattr(request.properties, "CorrelationData", None)
        if correlation is not None:
            properties = Properties(PacketTypes.PUBLISH)
            properties.CorrelationData = correlation
        try:
            await client.publish(
                results_topic(facility),
                # ASCII escapes: a device's odd text (a lone surrogate) cannot break the answer
                json.dumps(body, ensure_ascii=True, separators=(",", ":")),
                qos=0,
                properties=properties,
            )
        except (aiomqtt.MqttError, ValueError) as error:  # a courtesy: the batch is stored
            log.info("could not publish the answer to %s: %s", facility, error)
