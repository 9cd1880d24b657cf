"""The outbox's transport: one message POSTed to its receiver (``services.outbox.Transport``).

Headers (docs/outbox.md): ``Idempotency-Key`` (the message's key: the same on every attempt),
``X-Phytowatch-Signature: sha256=<hex HMAC-SHA256 of the body with the receiver's secret>``,
``X-Phytowatch-Topic``, ``X-Phytowatch-Message`` (the outbox's id) and ``Content-Type:
application/json; charset=utf-8``. One keep-alive connection per receiver, opened again after
any error; what a receiver answers is read up to 64 KiB and kept (cut) as the attempt's error.
The URL may carry a token, so errors name only its scheme, host and port.
"""

from __future__ import annotations

import http.client
import ssl
from urllib.parse import urlsplit

from phytowatch import __version__
from phytowatch.notify.webhook import describe
from phytowatch.services.notify import SIGNATURE_HEADER, sign
from phytowatch.services.outbox import Answer, Due, Receiver

MAX_RESPONSE_BYTES = 64 * 1024
TOPIC_HEADER = "X-Phytowatch-Topic"
MESSAGE_HEADER = "X-Phytowatch-Message"
KEY_HEADER = "Idempotency-Key"


def check_receiver_url(url: str) -> str:
    """The URL if it can be POSTed to (http or https with a host), else ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(url)
    return url


class HttpTransport:
    def __init__(self, *, timeout_s: float = 10.0) -> None:
        self.timeout_s = timeout_s
        self._connections: dict[str, http.client.HTTPConnection] = {}

    def _connection(self, url: str) -> http.client.HTTPConnection:
        found = self._connections.get(url)
        if found is not None:
            return found
        parts = urlsplit(url)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname or "",
                parts.port,
                timeout=self.timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            connection = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=self.timeout_s
            )
        self._connections[url] = connection
        return connection

    def post(self, receiver: Receiver, message: Due) -> Answer:
        body = message.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"phytowatch/{__version__}",
            KEY_HEADER: message.key,
            TOPIC_HEADER: message.topic,
            MESSAGE_HEADER: str(message.id),
            SIGNATURE_HEADER: sign(body, receiver.secret.encode("utf-8")),
        }
        parts = urlsplit(receiver.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = self._connection(receiver.url)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            said = response.read(MAX_RESPONSE_BYTES)
            if response.will_close:
                self._drop(receiver.url)
        except (OSError, http.client.HTTPException) as error:
            self._drop(receiver.url)
            return Answer(None, f"{describe(receiver.url)}: {type(error).__name__}: {error}")
        if 200 <= response.status < 300:
            return Answer(response.status)
        return Answer(response.status, said.decode("utf-8", "replace")[:300])

    def _drop(self, url: str) -> None:
        connection = self._connections.pop(url, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for url in list(self._connections):
            self._drop(url)
