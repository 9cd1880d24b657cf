"""The webhook channel: each notification POSTed as JSON, signed with the shared secret.

Headers: ``X-Phytowatch-Signature: sha256=<hex HMAC-SHA256 of the body>``,
``X-Phytowatch-Timestamp`` (Unix seconds of this attempt, also in the body as ``sent_at``),
``X-Phytowatch-Event`` and ``X-Phytowatch-Delivery`` (the same id on every retry of one
notification, so a receiver can drop a duplicate). 2xx is delivered; connection errors, 5xx and
429 are retried with backoff; any other status is given up. The URL may carry a token, so logs
name only its scheme, host and port.
"""

from __future__ import annotations

import http.client
import ssl
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from phytowatch import __version__
from phytowatch.notify.queue import (
    BACKOFF_S,
    Delivery,
    DeliveryQueue,
    PermanentError,
    TransientError,
)
from phytowatch.services.notify import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Message,
    sign,
    webhook_body,
)

MAX_RESPONSE_BYTES = 64 * 1024


def check_url(url: str) -> str:
    """The URL if it can be POSTed to (http or https with a host), else ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("a webhook URL must be http:// or https:// with a host")
    return url


def describe(url: str) -> str:
    """A URL as it may be logged: scheme, host and port; never a path, query or login."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"
    except ValueError:
        return "(an invalid URL)"


class WebhookChannel:
    def __init__(
        self,
        default_url: str | None,
        secret: str,
        *,
        timeout_s: float = 10.0,
        backoff: Sequence[float] = BACKOFF_S,
        maxsize: int = 1000,
        clock: Callable[[], int] = lambda: time.time_ns() // 1000,
    ) -> None:
        if not secret:
            raise ValueError("a webhook needs a shared secret to sign with")
        self._default_url = default_url or ""
        self._secret = secret.encode("utf-8")
        self._timeout_s = timeout_s
        self._clock = clock
        self.queue = DeliveryQueue(
            "webhook", self._deliver, describe, maxsize=maxsize, backoff=backoff
        )

    def __repr__(self) -> str:  # never the secret
        return f"WebhookChannel({describe(self._default_url)})"

    def send(self, to: str, message: Message) -> None:
        self.queue.put(to or self._default_url, message)

    def close(self) -> None:
        self.queue.close()

    def _deliver(self, delivery: Delivery) -> None:
        try:
            parts = urlsplit(check_url(delivery.to))
        except ValueError as error:
            raise PermanentError(str(error)) from None
        now = self._clock()
        body = webhook_body(delivery.message, sent_at=now)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"phytowatch/{__version__}",
            SIGNATURE_HEADER: sign(body, self._secret),
            TIMESTAMP_HEADER: str(now // 1_000_000),
            "X-Phytowatch-Event": delivery.message.event,
            "X-Phytowatch-Delivery": delivery.id,
        }
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname or "",
                parts.port,
                timeout=self._timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            connection = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=self._timeout_s
            )
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)
            status = response.status
            retry_after = response.getheader("TransientError-After")
        except (OSError, http.client.HTTPException) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from None
        finally:
            connection.close()
        if 200 <= status < 300:
            return
        if status == 429 or status >= 500:
            raise TransientError(f"HTTP {status}", after=_seconds(retry_after))
        raise PermanentError(f"HTTP {status}")


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: the backoff's own delay will do
