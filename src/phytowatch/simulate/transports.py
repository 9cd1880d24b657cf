"""How a simulated device reaches the server: HTTP (``http.client``) or MQTT (paho), as any device.

HTTP: ``POST /api/v1/ingest`` with the device token, one kept-alive connection per device.
MQTT: publish to ``phytowatch/v1/<facility>/readings`` (QoS 1, MQTT 5 correlation data) and wait
for the answer on ``…/results``; no answer in time counts as a network error (send again).
"""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from typing import Any
from urllib.parse import urlsplit

from phytowatch.domain.messages import Code, Message, say
from phytowatch.simulate.device import Answer
from phytowatch.simulate.faults import refuse

_TIMEOUT_S = 15.0


class TransportError(ConnectionError):
    """No answer to be had (the device sends the batch again later), and why, as a message."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message


class HttpTransport:
    channel = "http"

    def __init__(self, url: str, token: str, *, timeout: float = _TIMEOUT_S) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise refuse(Code.SIM_URL_FORM, option="--url", url=url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = parts.path.rstrip("/") + "/api/v1/ingest"
        self._token = token
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = kind(self._host, self._port, timeout=self._timeout)
        return self._conn

    def send(self, payload: dict[str, Any]) -> Answer:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json",
        }
        try:
            conn = self._connection()
            conn.request("POST", self._path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise ConnectionError(str(error) or error.__class__.__name__) from error
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {"error": data[:200].decode("utf-8", "replace")}
        retry = response.getheader("Retry-After")
        retry_after = float(retry) if retry and retry.replace(".", "", 1).isdigit() else None
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Answer(response.status, parsed if isinstance(parsed, dict) else {}, retry_after)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class MqttTransport:
    channel = "mqtt"

    def __init__(
        self, host: str, port: int, facility: str, token: str, *, timeout: float = _TIMEOUT_S
    ) -> None:
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self._facility = facility
        self._timeout = timeout
        self._readings = f"phytowatch/v1/{facility}/readings"
        self._results = f"phytowatch/v1/{facility}/results"
        self._answers: dict[bytes, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self._subscribed = threading.Event()
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"pw-sim-{facility}-{uuid.uuid4().hex[:8]}",
            protocol=paho.MQTTv5,
        )
        self._client.username_pw_set(facility, token)
        self._client.on_message = self._on_message
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = lambda *_: self._subscribed.set()
        self._client.connect_async(host, port)
        self._client.loop_start()

    def _on_connect(self, client: Any, _userdata: Any, _flags: Any, reason: Any, _p: Any) -> None:
        if not getattr(reason, "is_failure", False):
            client.subscribe(self._results, qos=0)

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        correlation = getattr(message.properties, "CorrelationData", None)
        try:
            body = json.loads(message.payload)
        except ValueError:
            return
        if correlation is None or not isinstance(body, dict):
            return
        with self._arrived:
            self._answers[bytes(correlation)] = body
            self._arrived.notify_all()

    def send(self, payload: dict[str, Any]) -> Answer:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        if not self._subscribed.wait(self._timeout):
            raise TransportError(say(Code.SIM_NO_BROKER))
        correlation = uuid.uuid4().bytes
        properties = Properties(PacketTypes.PUBLISH)
        properties.CorrelationData = correlation
        body = json.dumps(payload, separators=(",", ":")).encode()
        info = self._client.publish(self._readings, body, qos=1, properties=properties)
        with self._arrived:
            got = self._arrived.wait_for(lambda: correlation in self._answers, self._timeout)
            answer = self._answers.pop(correlation, None)
        if not got or answer is None:
            published = "yes" if info.is_published() else "no"
            raise TransportError(say(Code.SIM_NO_ANSWER, topic=self._results, published=published))
        if "error" in answer:
            return Answer(422, answer)
        return Answer(200, answer)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
