"""MQTT ingest against the real Mosquitto: stored, answered, refused, shared, persistent.

The workers run on their own event loop in a background thread of the test process. Every test
uses its own facility code, share group and client ids, so that tests (and other sessions on the
same broker) do not see each other's messages; the workers' sessions are forgotten afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.ingest.mqtt import MqttIngest, readings_topic, results_topic
from phytowatch.services.ports import FacilityRef, ReadingBatch, StorageUnavailableError
from phytowatch.services.provisioning import add_enterprise, add_facility

pytestmark = pytest.mark.integration
T0 = int(time.time()) - 86_400  # a day ago: well inside the future tolerance


def _uid() -> str:
    return uuid.uuid4().hex[:10]


def wait_for(condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


def batch(code: str, start: int, count: int = 1, *, value: float = 55.0) -> dict[str, Any]:
    readings = [{"probe": "C1", "t": T0 + (start + k) * 60, "v": value} for k in range(count)]
    return {"facility": code, "readings": readings}


class Device:
    """A paho client publishing batches (QoS 1) and collecting the answers on results topics."""

    def __init__(self, host: str, port: int) -> None:
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"pw-test-dev-{_uid()}", protocol=paho.MQTTv5
        )
        self.answers: list[tuple[str, dict[str, Any]]] = []
        self.subscribed = threading.Event()
        self.client.on_message = lambda _c, _u, m: self.answers.append(
            (m.topic, json.loads(m.payload))
        )
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.connect(host, port)
        self.client.loop_start()

    def listen(self, facility: str) -> None:
        self.subscribed.clear()
        self.client.subscribe(results_topic(facility), qos=0)
        assert self.subscribed.wait(5)

    def publish(self, facility: str, body: dict[str, Any] | bytes) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        info = self.client.publish(readings_topic(facility), payload, qos=1)
        info.wait_for_publish(timeout=5)
        assert info.is_published()

    def answers_of(self, facility: str) -> list[dict[str, Any]]:
        return [body for topic, body in list(self.answers) if topic == results_topic(facility)]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Workers:
    """MqttIngest workers on one event loop in a background thread."""

    def __init__(self, services: Services, settings: Settings, client_ids: list[str]) -> None:
        self.workers = [
            MqttIngest(services, settings, client_id=cid, session_expiry=60, retry_delay=0.05)
            for cid in client_ids
        ]
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()
        for worker in self.workers:
            assert worker.ready.wait(10), "worker did not connect and subscribe"

    def _main(self) -> None:
        async def all_of() -> None:
            await asyncio.gather(*(w.run() for w in self.workers))

        try:
            asyncio.run(all_of())
        except BaseException as error:  # reported by stop()
            self.error = error

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.thread.join(15)
        assert not self.thread.is_alive(), "workers did not stop"
        if self.error is not None:
            raise self.error

    def stat(self, name: str) -> int:
        return sum(w.stats[name] for w in self.workers)

    def acked(self, facility: str) -> int:
        """Acknowledged messages of one facility (others' traffic on the broker is not counted)."""
        return sum(w.acked[facility] for w in self.workers)


@pytest.fixture
def mqtt_settings(services: Services, mosquitto: tuple[str, int]) -> Settings:
    host, port = mosquitto
    return services.settings.model_copy(
        update={"mqtt_host": host, "mqtt_port": port, "mqtt_share_group": f"pwtest{_uid()}"}
    )


@pytest.fixture
def client_ids(mosquitto: tuple[str, int]) -> Iterator[list[str]]:
    """Fresh worker client ids; their persistent sessions are removed from the broker after."""
    ids = [f"pw-test-ingest-{_uid()}" for _ in range(2)]
    yield ids
    for cid in ids:
        forget_session(mosquitto, cid)


def forget_session(broker: tuple[str, int], client_id: str) -> None:
    """Clean start and session expiry 0: the broker forgets the worker's session."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    client.connect(*broker, clean_start=True, properties=props)
    client.loop_start()
    time.sleep(0.05)
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def device(mosquitto: tuple[str, int]) -> Iterator[Device]:
    dev = Device(*mosquitto)
    yield dev
    dev.close()


def provision(services: Services, *codes: str) -> list[FacilityRef]:
    add_enterprise(
        services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(1)
    )
    return [
        add_facility(
            services.registry, code, "0031", "kiln", ["C1:product", "A1:air"], ctx=ctx_at(1)
        ).facility
        for code in codes
    ]


def count(services: Services, facility: FacilityRef) -> int:
    return len(services.registry.readings_of(facility.id))


def test_a_published_batch_is_stored_and_answered_on_the_results_topic(
    services: Services, mqtt_settings: Settings, client_ids: list[str], device: Device
) -> None:
    code = f"T-{_uid()}"
    [facility] = provision(services, code)
    workers = Workers(services, mqtt_settings, client_ids[:1])
    try:
        device.listen(code)
        body = batch(code, 0, 3)
        body["readings"].append({"probe": "X9", "t": T0, "v": 1.0})
        device.publish(code, body)
        wait_for(lambda: len(device.answers_of(code)) == 1, what="the answer")
        [answer] = device.answers_of(code)
        assert answer["accepted"] == 3 and answer["duplicates"] == 0
        assert answer["rejected"] == [
            {
                "index": 3,
                "reason": "unknown probe 'X9'",
                "code": "reading.unknown_probe",
                "params": {"probe": "X9"},
            }
        ]
        assert count(services, facility) == 3
        wait_for(lambda: workers.acked(code) == 1, what="the acknowledgement")
    finally:
        workers.stop()


def test_a_payload_of_another_facility_or_an_unknown_facility_stores_nothing(
    services: Services, mqtt_settings: Settings, client_ids: list[str], device: Device
) -> None:
    code, other, unknown = f"T-{_uid()}", f"T-{_uid()}", f"T-{_uid()}"
    facility, other_facility = provision(services, code, other)
    workers = Workers(services, mqtt_settings, client_ids[:1])
    try:
        device.listen(code)
        device.listen(unknown)
        device.publish(code, batch(other, 0, 2))  # on code's topic, other's payload
        device.publish(unknown, batch(unknown, 0, 2))
        device.publish(code, b"not json")
        wait_for(lambda: len(device.answers_of(code)) == 2, what="the refusals")
        wait_for(lambda: workers.acked(code) == 2, what="the acknowledgements")
        wait_for(lambda: workers.acked(unknown) == 1, what="the acknowledgement")
        # one answer each, in either order: the worker handles messages concurrently
        errors = [answer["error"] for answer in device.answers_of(code)]
        [mismatch] = [error for error in errors if "of facility" in error]
        assert sum("not JSON" in error for error in errors) == 1
        assert other in mismatch and len(errors) == 2
        assert device.answers_of(unknown) == []  # nobody owns that topic here: no answer
        assert workers.stat("refused") >= 3
        assert count(services, facility) == 0 and count(services, other_facility) == 0
    finally:
        workers.stop()


def test_a_redelivered_batch_is_duplicates_not_double_rows(
    services: Services, mqtt_settings: Settings, client_ids: list[str], device: Device
) -> None:
    code = f"T-{_uid()}"
    [facility] = provision(services, code)
    workers = Workers(services, mqtt_settings, client_ids[:1])
    try:
        device.listen(code)
        device.publish(code, batch(code, 0, 4))
        wait_for(lambda: len(device.answers_of(code)) == 1)
        device.publish(code, batch(code, 0, 4))  # what a QoS 1 redelivery looks like
        wait_for(lambda: len(device.answers_of(code)) == 2)
        first, second = device.answers_of(code)
        assert (first["accepted"], first["duplicates"]) == (4, 0)
        assert (second["accepted"], second["duplicates"]) == (0, 4)
        assert count(services, facility) == 4
    finally:
        workers.stop()


def test_two_workers_on_the_shared_subscription_store_every_reading_once(
    services: Services, mqtt_settings: Settings, client_ids: list[str], device: Device
) -> None:
    code = f"T-{_uid()}"
    [facility] = provision(services, code)
    workers = Workers(services, mqtt_settings, client_ids)
    try:
        for k in range(200):
            device.publish(code, batch(code, k))
        wait_for(lambda: count(services, facility) >= 200, timeout=30, what="200 readings")
        wait_for(lambda: workers.acked(code) == 200, what="200 acknowledgements")
        assert count(services, facility) == 200
        assert workers.stat("accepted") == 200 and workers.stat("duplicates") == 0
        assert all(w.stats["stored"] > 0 for w in workers.workers), "the load was not shared"
    finally:
        workers.stop()


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "plain"])
def test_batches_published_while_the_worker_is_down_are_stored_when_it_is_back(
    services: Services,
    mqtt_settings: Settings,
    client_ids: list[str],
    device: Device,
    shared: bool,
) -> None:
    code = f"T-{_uid()}"
    [facility] = provision(services, code)
    if not shared:  # PHYTOWATCH_MQTT_SHARE_GROUP="": a plain subscription
        mqtt_settings = mqtt_settings.model_copy(update={"mqtt_share_group": ""})
    Workers(services, mqtt_settings, client_ids[:1]).stop()  # the session now exists, offline
    for k in range(20):
        device.publish(code, batch(code, k))
    time.sleep(0.2)
    assert count(services, facility) == 0
    workers = Workers(services, mqtt_settings, client_ids[:1])
    try:
        wait_for(lambda: count(services, facility) == 20, what="the queued batches")
        wait_for(lambda: workers.acked(code) == 20)
    finally:
        workers.stop()


class DownWriter:
    """A writer whose database is unreachable: every batch fails, nothing is committed."""

    def submit(self, batch: ReadingBatch) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(StorageUnavailableError("down"))
        return future


def test_a_batch_that_could_not_be_committed_is_not_acknowledged_and_comes_back(
    services: Services, mqtt_settings: Settings, client_ids: list[str], device: Device
) -> None:
    code = f"T-{_uid()}"
    [facility] = provision(services, code)
    # a writer whose database is down, where Services holds the SQL writers
    down = dataclasses.replace(services, writer=DownWriter())  # type: ignore[arg-type]
    failing = Workers(down, mqtt_settings, client_ids[:1])
    try:
        device.publish(code, batch(code, 0, 3))
        wait_for(lambda: failing.stat("retried") >= 3, what="retries")
    finally:
        failing.stop()  # gives up on the batch: not acknowledged
    assert failing.acked(code) == 0 and count(services, facility) == 0
    workers = Workers(services, mqtt_settings, client_ids[:1])
    try:
        wait_for(lambda: count(services, facility) == 3, what="the redelivered batch")
        wait_for(lambda: workers.acked(code) == 1)
    finally:
        workers.stop()


def test_what_the_protocol_does_not_allow_is_refused_over_mqtt_as_over_http(
    services: Services, mqtt_settings: Settings, client_ids: list[str], device: Device
) -> None:
    code = f"T-{_uid()}"
    [facility] = provision(services, code)
    good = {"probe": "C1", "t": T0, "v": 55.0}
    text = json.dumps({"facility": code, "readings": [good]})
    refused_whole = {
        json.dumps({"facility": code, "readings": [good], "columns": {"t": [T0], "C1": [1]}}): (
            "payload.both_forms"
        ),
        f'{{"facility": "B-K1", "facility": "{code}", "readings": []}}': "payload.duplicate_key",
        "\ufeff" + text: "payload.bom",
    }
    workers = Workers(services, mqtt_settings, client_ids[:1])
    try:
        device.listen(code)
        for body in refused_whole:
            device.publish(code, body.encode())
        device.publish(code, text.encode("utf-16"))
        wait_for(lambda: len(device.answers_of(code)) == 4, what="the refusals")
        assert sorted(answer["code"] for answer in device.answers_of(code)) == sorted(
            [*refused_whole.values(), "payload.not_utf8"]
        )
        odd_times = {"facility": code, "readings": [{**good, "t": "2026-11-01T10:42:00Z\u0000x"}]}
        device.publish(code, odd_times)
        no_column = {"t": [T0], "C1": [55.0], "faults": {"A1": ["open"]}}
        device.publish(code, {"facility": code, "columns": no_column})
        wait_for(lambda: len(device.answers_of(code)) == 6, what="the answers")
        answers = device.answers_of(code)[4:]
        rejected = sorted((r["code"], r["index"]) for a in answers for r in a["rejected"])
        assert rejected == [("reading.fault_no_column", 1), ("reading.time_control", 0)]
        assert sum(answer["accepted"] for answer in answers) == 1
        wait_for(lambda: workers.acked(code) == 6, what="the acknowledgements")
        assert services.registry.readings_of(facility.id) == [("C1", T0 * 1_000_000, 55.0, None)]
    finally:
        workers.stop()
